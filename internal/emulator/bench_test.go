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

// BenchmarkListUsersPage measures reading one page of 1,000 users of a
// 1,000,000-user organization, in creation order and by id: a page costs
// its own length, not the list's (the id index is built once, before the
// timer).
func BenchmarkListUsersPage(b *testing.B) {
	srv, err := New(Config{Users: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := &harness{srv: srv, base: srv.URL(), client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	tok := h.token(&testing.T{})
	for _, order := range []string{"", "&sortBy=Id"} {
		name := "creation order"
		if order != "" {
			name = "by id"
		}
		get := func(b *testing.B, skip int) {
			req, _ := http.NewRequest(http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+"?top=1000&skip="+strconv.Itoa(skip)+order), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
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
		get(b, 0)
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				get(b, i*1000%999_000)
			}
		})
	}
}
