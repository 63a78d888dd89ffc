package emulator

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestParseLimits(t *testing.T) {
	got, err := ParseLimits("GET=300/5m, put=160/5m,PATCH=160/5m,POST=24000/5m")
	if err != nil {
		t.Fatal(err)
	}
	if got["GET"] != (Budget{300, 5 * time.Minute}) || got["PUT"] != (Budget{160, 5 * time.Minute}) || len(got) != 4 {
		t.Fatalf("parsed %v", got)
	}
	for _, spec := range []string{"none", "", "NONE"} {
		if l, err := ParseLimits(spec); err != nil || l != nil {
			t.Fatalf("%q: %v %v", spec, l, err)
		}
	}
	cloud, _ := ParseLimits("cloud")
	if cloud["PUT"] != (Budget{160, 5 * time.Minute}) || cloud["GET"] != (Budget{300, 5 * time.Minute}) || cloud["POST"] != (Budget{24000, 5 * time.Minute}) {
		t.Fatalf("cloud %v", cloud)
	}
	fast, _ := ParseLimits("cloud:60")
	if fast["PUT"] != (Budget{160, 5 * time.Second}) {
		t.Fatalf("cloud:60 %v", fast)
	}
	for _, bad := range []string{"GET=300", "GET=x/5m", "GET=10/soon", "FETCH=1/1s", "GET=1/1s,GET=2/1s", "cloud:0", "GET=0/1s"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestRollingWindowBudgetsPerMethod(t *testing.T) {
	h := startServer(t, Config{Users: 1, Limits: map[string]Budget{
		"GET": {3, 1500 * time.Millisecond},
		"PUT": {5, time.Minute},
	}})
	tok := h.token(t)
	u := firstUser(t, h)
	getURL := h.identity("/api/User/" + u.ID)
	for i := 0; i < 3; i++ {
		resp, body := h.do(t, http.MethodGet, getURL, tok, "")
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := h.do(t, http.MethodGet, getURL, tok, "")
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 2 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// GET is exhausted, PUT still has budget; token requests are free.
	resp, body = h.do(t, http.MethodPut, getURL, tok, `{"name":"a"}`)
	wantStatus(t, resp, body, http.StatusOK)
	_ = h.token(t)
	// Refused requests do not count: after the window rolls, 3 GETs pass again.
	for i := 0; i < 5; i++ {
		resp, _ = h.do(t, http.MethodGet, getURL, tok, "")
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("GET inside the window: %d", resp.StatusCode)
		}
	}
	time.Sleep(1600 * time.Millisecond)
	for i := 0; i < 3; i++ {
		resp, body = h.do(t, http.MethodGet, getURL, tok, "")
		wantStatus(t, resp, body, http.StatusOK)
	}
	if got := h.srv.Throttled(); got != 6 {
		t.Fatalf("Throttled = %d, want 6", got)
	}
	if got := h.srv.Counts()["GET"]; got != 12 {
		t.Fatalf("GET count %d, want 12", got)
	}
}

func TestRetryAfterCountsDownAndCanBeOmitted(t *testing.T) {
	h := startServer(t, Config{Users: 1, Limits: map[string]Budget{"GET": {1, 10 * time.Second}}})
	tok := h.token(t)
	u := h.identity("/api/User/" + firstUser(t, h).ID)
	h.do(t, http.MethodGet, u, tok, "")
	resp, _ := h.do(t, http.MethodGet, u, tok, "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "10" {
		t.Fatalf("429 with Retry-After %q (status %d), want 10", resp.Header.Get("Retry-After"), resp.StatusCode)
	}

	h2 := startServer(t, Config{Users: 1, NoRetryAfter: true, Limits: map[string]Budget{"GET": {1, 10 * time.Second}}})
	tok2 := h2.token(t)
	u2 := h2.identity("/api/User/" + firstUser(t, h2).ID)
	h2.do(t, http.MethodGet, u2, tok2, "")
	resp, _ = h2.do(t, http.MethodGet, u2, tok2, "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("status %d Retry-After %q, want 429 without it", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestThrottleNext(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	tok := h.token(t)
	u := firstUser(t, h)
	h.srv.ThrottleNext(2)
	for i, want := range []int{429, 429, 200} {
		resp, body := h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, `{"name":"n`+strconv.Itoa(i)+`"}`)
		wantStatus(t, resp, body, want)
	}
	if got, _ := h.srv.User(u.ID); got.Name != "n2" {
		t.Fatalf("a throttled request was applied: name %q", got.Name)
	}
	if h.srv.Throttled() != 2 {
		t.Fatalf("Throttled = %d", h.srv.Throttled())
	}
}

// Identity's and Orchestrator's budgets are apart: a GET of one never
// spends the other's GET budget, and each is throttled on its own.
func TestIdentityAndOrchestratorBudgetsAreApart(t *testing.T) {
	h := startServer(t, Config{Users: 1, Robots: 1,
		Limits:             map[string]Budget{"GET": {2, time.Minute}},
		OrchestratorLimits: map[string]Budget{"GET": {1, time.Minute}},
	})
	tok := h.token(t)
	user := h.identity("/api/User/" + firstUser(t, h).ID)
	orch := h.orchestrator("/odata/Users(" + strconv.FormatInt(h.srv.OrchestratorUsers()[0].ID, 10) + ")")
	for _, step := range []struct {
		url  string
		want int
	}{{orch, 200}, {user, 200}, {user, 200}, {orch, 429}, {user, 429}} {
		resp, body := h.do(t, http.MethodGet, step.url, tok, "")
		wantStatus(t, resp, body, step.want)
	}

	h2 := startServer(t, Config{Users: 1, Robots: 1})
	tok = h2.token(t)
	user = h2.identity("/api/User/" + firstUser(t, h2).ID)
	orch = h2.orchestrator("/odata/Users(" + strconv.FormatInt(h2.srv.OrchestratorUsers()[0].ID, 10) + ")")
	h2.srv.ThrottleOrchestratorFor(time.Minute)
	resp, body := h2.do(t, http.MethodGet, orch, tok, "")
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	resp, body = h2.do(t, http.MethodGet, user, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	h2.srv.ThrottleIdentityFor(time.Minute)
	resp, body = h2.do(t, http.MethodGet, user, tok, "")
	wantStatus(t, resp, body, http.StatusTooManyRequests)

	if _, err := ParseOrchestratorLimits("cloud"); err == nil {
		t.Error("Orchestrator took the cloud preset, which is Identity's")
	}
	if l, err := ParseOrchestratorLimits("PATCH=100/1m"); err != nil || l["PATCH"] != (Budget{100, time.Minute}) {
		t.Errorf("ParseOrchestratorLimits: %v %v", l, err)
	}
}
