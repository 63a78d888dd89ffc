package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFaultRateAnswers5xxWithoutApplying(t *testing.T) {
	h := startServer(t, Config{Users: 1, FaultRate: 0.3, FaultSeed: 42})
	tok := h.token(t)
	u := firstUser(t, h)
	statuses := map[int]int{}
	lastApplied := ""
	const n = 400
	for i := 0; i < n; i++ {
		name := "n" + strconv.Itoa(i)
		resp, body := h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, `{"name":"`+name+`"}`)
		statuses[resp.StatusCode]++
		switch resp.StatusCode {
		case 200:
			lastApplied = name
		case 502:
			if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("502 Bad Gateway")) {
				t.Fatalf("502 answer %q %s", resp.Header.Get("Content-Type"), body)
			}
		case 503:
			if len(body) != 0 {
				t.Fatalf("503 with body %s", body)
			}
		case 500:
		default:
			t.Fatalf("unexpected status %d", resp.StatusCode)
		}
	}
	faults := statuses[500] + statuses[502] + statuses[503]
	if faults < n*20/100 || faults > n*40/100 || statuses[500] == 0 || statuses[502] == 0 || statuses[503] == 0 {
		t.Fatalf("fault rate 0.3 gave %v", statuses)
	}
	if got, _ := h.srv.User(u.ID); got.Name != lastApplied {
		t.Fatalf("name %q, last successful %q: a faulted request was applied", got.Name, lastApplied)
	}
	// The same seed gives the same sequence.
	h2 := startServer(t, Config{Users: 1, FaultRate: 0.3, FaultSeed: 42})
	tok2 := h2.token(t)
	u2 := firstUser(t, h2)
	again := map[int]int{}
	for i := 0; i < n; i++ {
		resp, _ := h2.do(t, http.MethodPut, h2.identity("/api/User/"+u2.ID), tok2, `{"name":"x"}`)
		again[resp.StatusCode]++
	}
	for code, c := range statuses {
		if again[code] != c {
			t.Fatalf("FaultSeed not reproducible: %v then %v", statuses, again)
		}
	}
}

func TestResetDropsConnectionsBeforeAndAfterApplying(t *testing.T) {
	h := startServer(t, Config{Users: 1, ResetRate: 1, FaultSeed: 3})
	tok := h.token(t)
	u := firstUser(t, h)
	// A fresh connection per request: Go's transport would retry a request
	// on a reused connection that died before answering.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	applied, dropped := 0, 0
	const n = 60
	for i := 0; i < n; i++ {
		name := "reset-" + strconv.Itoa(i)
		req, _ := http.NewRequest(http.MethodPut, h.identity("/api/User/"+u.ID), strings.NewReader(`{"name":"`+name+`"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			t.Fatalf("request %d answered %d despite reset rate 1", i, resp.StatusCode)
		}
		dropped++
		if got, _ := h.srv.User(u.ID); got.Name == name {
			applied++
		}
	}
	if dropped != n || applied < n/5 || applied > n*4/5 {
		t.Fatalf("dropped %d, applied after drop %d of %d", dropped, applied, n)
	}
	// The server records a drop just after closing the connection.
	deadline := time.Now().Add(2 * time.Second)
	for h.srv.RequestSummary().Dropped != n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := h.srv.RequestSummary(); s.Dropped != n {
		t.Fatalf("summary dropped %d", s.Dropped)
	}
}

func TestLatencyAndSetFaults(t *testing.T) {
	h := startServer(t, Config{Users: 1, Latency: 150 * time.Millisecond})
	tok := h.token(t)
	u := h.identity("/api/User/" + firstUser(t, h).ID)
	start := time.Now()
	resp, body := h.do(t, http.MethodGet, u, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered in %v with 150ms latency", d)
	}
	h.srv.SetFaults(Faults{FaultRate: 1})
	start = time.Now()
	resp, _ = h.do(t, http.MethodGet, u, tok, "")
	if resp.StatusCode < 500 {
		t.Fatalf("fault rate 1 answered %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("latency not removed by SetFaults: %v", d)
	}
	h.srv.SetFaults(Faults{})
	resp, body = h.do(t, http.MethodGet, u, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
}

func TestFaultStatusesNarrowTheInjectedAnswers(t *testing.T) {
	h := startServer(t, Config{Users: 1, FaultRate: 1, FaultStatuses: []int{503}})
	tok := h.token(t)
	u := h.identity("/api/User/" + firstUser(t, h).ID)
	for i := 0; i < 30; i++ {
		resp, _ := h.do(t, http.MethodGet, u, tok, "")
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("request %d answered %d, want only 503", i, resp.StatusCode)
		}
	}
	traced := 0
	for _, rq := range h.srv.Requests() {
		if rq.TraceID != "" {
			traced++
		}
	}
	if traced < 30 {
		t.Fatalf("%d of the logged requests carry their trace id", traced)
	}
	if _, err := New(Config{FaultStatuses: []int{404}}); err == nil {
		t.Fatal("a 404 fault status was accepted")
	}
}

func TestThrottleForRefusesEverythingForAWhile(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	tok := h.token(t)
	u := h.identity("/api/User/" + firstUser(t, h).ID)
	h.srv.ThrottleFor(1200 * time.Millisecond)
	resp, _ := h.do(t, http.MethodGet, u, tok, "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("during the burst: %d, Retry-After %q; want 429 with Retry-After 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	time.Sleep(1300 * time.Millisecond)
	resp, body := h.do(t, http.MethodGet, u, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
}
