package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkUpdateUser measures PUT /api/User/{id} over loopback from
// parallel keep-alive clients.
func BenchmarkUpdateUser(b *testing.B) {
	srv, err := New(Config{Users: 2000})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := &harness{srv: srv, base: srv.URL(), client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	t := &testing.T{}
	tok := h.token(t)
	var urls []string
	for _, u := range srv.Users() {
		urls = append(urls, h.identity("/api/User/"+u.ID))
	}
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			req, _ := http.NewRequest(http.MethodPut, urls[i%len(urls)], bytes.NewReader([]byte(`{"name":"N-`+strconv.Itoa(i)+`"}`)))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := h.client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
