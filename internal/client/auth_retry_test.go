package client

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/worker"
)

// sleepLog is a worker.Clock whose timers fire at once and that records
// every wait asked of it.
type sleepLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepLog) Now() time.Time { return time.Now() }

func (s *sleepLog) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch, func() bool { return false }
}

// retrying is the run's token retrier: worker.Retry under policy p.
func retrying(p worker.RetryPolicy) Retrier {
	return func(ctx context.Context, send func(context.Context) error) error {
		_, err := worker.Retry(ctx, p, func(ctx context.Context, _ int) error { return send(ctx) })
		return err
	}
}

// TestTokenRequestIsRetriedLikeAnyOther has the token endpoint answer 503,
// drop the connection, answer 429 with Retry-After and 502: the client
// signs in on the fifth request, waiting out the Retry-After; workers
// asking meanwhile share those requests.
func TestTokenRequestIsRetriedLikeAnyOther(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2})
	s.FailNextTokenRequests(503, 0, 429, 502)
	clock := &sleepLog{}
	c := newTestClient(t, s, WithTokenRetry(retrying(worker.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Clock: clock})))
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Authenticate(testContext(t))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	if got := s.TokenRequests(); got != 5 {
		t.Fatalf("%d token requests, want 5 (four failures shared by every caller, then the token)", got)
	}
	clock.mu.Lock()
	waits := append([]time.Duration(nil), clock.waits...)
	clock.mu.Unlock()
	if len(waits) != 4 || waits[2] != time.Second {
		t.Fatalf("waits between attempts %v; want four, the third the 429's Retry-After of 1s", waits)
	}
	if _, err := c.Users.list(testContext(t), listOptions{Top: 1}); err != nil {
		t.Fatalf("the token obtained does not work: %v", err)
	}
}

// TestTokenRetriesAreBoundedAndRefusalsNotRetried: a token endpoint that
// keeps failing costs max-attempts requests and says so; refused
// credentials cost one.
func TestTokenRetriesAreBoundedAndRefusalsNotRetried(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	s.FailNextTokenRequests(503, 503, 503, 503)
	policy := worker.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Clock: &sleepLog{}}
	c := newTestClient(t, s, WithTokenRetry(retrying(policy)))
	err := c.Authenticate(testContext(t))
	e, ok := AsError(err)
	if !ok || e.StatusCode != 503 || !e.Retryable() || IsAuthFailure(err) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if got := s.TokenRequests(); got != 3 {
		t.Fatalf("%d token requests, want 3 (--max-attempts)", got)
	}

	s = startEmulator(t, emulator.Config{Users: 1})
	const wrong = "wrong-secret-never-retried-42"
	st := settingsFor(t, s, "UIPATH_CLIENT_SECRET="+wrong)
	c, err = New(context.Background(), st, WithTokenRetry(retrying(policy)))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Authenticate(testContext(t))
	if !IsAuthFailure(err) || strings.Contains(err.Error(), wrong) {
		t.Fatalf("refused credentials: %v", err)
	}
	if got := s.TokenRequests(); got != 1 {
		t.Fatalf("refused credentials cost %d token requests, want 1", got)
	}
}
