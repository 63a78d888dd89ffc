package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
)

// slowThrottle holds every request for a while before letting it go, as a
// limiter does when the budget is spent.
type slowThrottle struct {
	fakeThrottle
	hold time.Duration
}

func (s *slowThrottle) Wait(ctx context.Context, key string) error {
	_ = s.fakeThrottle.Wait(ctx, key)
	select {
	case <-time.After(s.hold):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Waiting for the budget is not part of a request's timeout.
func TestTimeoutStartsWhenTheThrottleLetsTheRequestGo(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	th := &slowThrottle{hold: 600 * time.Millisecond}
	c := newTestClient(t, s, WithThrottle(th), WithTimeout(200*time.Millisecond))
	if _, err := c.Users.Get(testContext(t), s.Users()[0].ID); err != nil {
		t.Fatalf("a request held 600 ms by the throttle, with a 200 ms timeout: %v", err)
	}
	// The timeout still bounds the request itself.
	s.SetFaults(emulator.Faults{Latency: 500 * time.Millisecond})
	th.hold = 0
	_, err := c.Users.Get(testContext(t), s.Users()[0].ID)
	if e, ok := AsError(err); !ok || e.StatusCode != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a 500 ms answer with a 200 ms timeout: %v", err)
	}
}

// Orchestrator's requests spend Orchestrator's budget, Identity's (the
// token endpoint included) Identity's, and the counts say which is which.
func TestRequestsAreThrottledAndCountedByService(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1, Robots: 1})
	th := &fakeThrottle{}
	c := newTestClient(t, s, WithThrottle(th))
	ctx := testContext(t)
	if _, err := c.Users.Get(ctx, s.Users()[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OrchestratorUsers.Get(ctx, s.OrchestratorUsers()[0].ID); err != nil {
		t.Fatal(err)
	}
	s.ThrottleNext(1)
	if _, err := c.OrchestratorUsers.Get(ctx, s.OrchestratorUsers()[0].ID); err == nil {
		t.Fatal("a throttled Orchestrator read succeeded")
	}
	th.mu.Lock()
	waits := strings.Join(th.waits, ",")
	th.mu.Unlock()
	if waits != "identity:POST,identity:GET,orchestrator:GET,orchestrator:GET" {
		t.Fatalf("waits = %s", waits)
	}
	got := c.StatsByService()
	want := map[string]map[string]RequestCount{
		ServiceIdentity:     {"token": {Requests: 1}, "GET": {Requests: 1}},
		ServiceOrchestrator: {"GET": {Requests: 2, Throttled: 1}},
	}
	if len(got) != len(want) {
		t.Fatalf("StatsByService = %v, want %v", got, want)
	}
	for svc, methods := range want {
		for m, n := range methods {
			if got[svc][m] != n || len(got[svc]) != len(methods) {
				t.Fatalf("StatsByService = %v, want %v", got, want)
			}
		}
	}
}

// A BeforeSend hook runs once, after the throttle let the call's write go
// and before it is written: not for the read the call makes first. When it
// fails, nothing is sent and its error comes back.
func TestBeforeSendRunsOnceAfterTheThrottle(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1, Robots: 1})
	th := &fakeThrottle{}
	c := newTestClient(t, s, WithThrottle(th))
	if err := c.Authenticate(testContext(t)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	runs, waitsAtRun := 0, 0
	hook := BeforeSend(func() error {
		mu.Lock()
		defer mu.Unlock()
		runs++
		th.mu.Lock()
		waitsAtRun = len(th.waits)
		th.mu.Unlock()
		return nil
	})
	// Without a display name the update reads the current one first.
	if _, err := c.RobotAccounts.Update(testContext(t), s.RobotAccounts()[0].ID, UpdateRobotAccount{}, hook); err != nil {
		t.Fatal(err)
	}
	if runs != 1 || waitsAtRun != 3 {
		t.Fatalf("hook ran %d times, after %d throttle waits; want once, after the PUT's wait (the 3rd: token, GET, PUT)", runs, waitsAtRun)
	}

	refused := errors.New("disk full")
	id := s.Users()[0].ID
	before := s.Counts()["PUT"]
	err := c.Users.Update(testContext(t), id, UpdateUser{Name: new("Bo")}, BeforeSend(func() error { return refused }))
	if !errors.Is(err, refused) || s.Counts()["PUT"] != before {
		t.Fatalf("failing hook: err %v, PUTs %d → %d; want its error and nothing sent", err, before, s.Counts()["PUT"])
	}
	if _, ok := AsError(err); ok {
		t.Fatalf("a hook's failure came back as a server or network failure: %v", err)
	}
}

// The resend after a 401 belongs to the same call: the call's hook does
// not run again for it.
func TestBeforeSendRunsOnceAcrossTheResendAfter401(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: &spoiler{base: http.DefaultTransport}}))
	runs := 0
	err := c.Users.Update(testContext(t), s.Users()[0].ID, UpdateUser{Name: new("Ann")}, BeforeSend(func() error { runs++; return nil }))
	if err != nil || runs != 1 || c.Stats()["PUT"] != 2 {
		t.Fatalf("Update after a 401: %v, hook ran %d times, %d PUTs; want success, once, 2", err, runs, c.Stats()["PUT"])
	}
}

// A standalone Orchestrator at the root of the identity server's host
// still has its requests told from Identity's.
func TestServiceOfTellsNestedBasesApart(t *testing.T) {
	tr := newMeteredTransport(nil, nil, zerolog.Nop(), &requestStats{}, Endpoints{
		Identity: "https://host/identity", Token: "https://host/identity/connect/token", Orchestrator: "https://host",
	}, 0)
	for raw, want := range map[string]string{
		"https://host/identity/api/User/1":      ServiceIdentity,
		"https://host/identity/connect/token":   ServiceIdentity,
		"https://host/odata/Users(1)":           ServiceOrchestrator,
		"https://other/identity/api/User/1":     ServiceIdentity,
		"https://host/identityx/odata/Users(1)": ServiceOrchestrator,
	} {
		req, _ := http.NewRequest(http.MethodGet, raw, nil)
		if got := tr.serviceOf(req); got != want {
			t.Errorf("%s: %s, want %s", raw, got, want)
		}
	}
}

// lateThrottle records what LeftLate was told.
type lateThrottle struct {
	fakeThrottle
	mu   sync.Mutex
	late map[string]time.Duration
}

func (l *lateThrottle) LeftLate(key string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.late == nil {
		l.late = map[string]time.Duration{}
	}
	l.late[key] += d
}

// A write whose BeforeSend hook takes a while tells the throttle how late
// it left after its slot; reads and writes without a hook tell nothing.
func TestAWriteTellsTheThrottleHowLateItLeft(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2})
	th := &lateThrottle{}
	c := newTestClient(t, s, WithThrottle(th))
	ctx := testContext(t)
	name := "Late"
	hook := BeforeSend(func() error { time.Sleep(30 * time.Millisecond); return nil })
	if err := c.Users.Update(ctx, s.Users()[0].ID, UpdateUser{Name: &name}, hook); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.Update(ctx, s.Users()[1].ID, UpdateUser{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Get(ctx, s.Users()[0].ID); err != nil {
		t.Fatal(err)
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if d := th.late[ThrottleKey(ServiceIdentity, http.MethodPut)]; d < 30*time.Millisecond || d > 5*time.Second {
		t.Errorf("the PUT with a 30 ms hook told %v late", d)
	}
	if len(th.late) != 1 {
		t.Errorf("late reports %v, want only the PUT with a hook", th.late)
	}
}
