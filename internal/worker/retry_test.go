package worker

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// classifiedError carries the retry classes the client's errors answer.
type classifiedError struct {
	retryable, unknown bool
	retryAfter         time.Duration
}

func (e *classifiedError) Error() string             { return "classified" }
func (e *classifiedError) Retryable() bool           { return e.retryable }
func (e *classifiedError) OutcomeUnknown() bool      { return e.unknown }
func (e *classifiedError) RetryAfter() time.Duration { return e.retryAfter }
func wrapped(e *classifiedError) error               { return errors.Join(errors.New("context"), e) }
func retryPolicyFor(c Clock, max int) RetryPolicy {
	return RetryPolicy{MaxAttempts: max, BaseDelay: time.Second, MaxDelay: 8 * time.Second, Clock: c}
}

func TestRetryClasses(t *testing.T) {
	cases := []struct {
		name         string
		err          *classifiedError
		wantAttempts int
	}{
		{"retryable is retried up to MaxAttempts", &classifiedError{retryable: true}, 4},
		{"permanent is not retried", &classifiedError{}, 1},
		{"outcome unknown is not retried", &classifiedError{retryable: true, unknown: true}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			attempts, err := Retry(context.Background(), retryPolicyFor(newFakeClock(true), 4), func(_ context.Context, attempt int) error {
				calls++
				if attempt != calls {
					t.Errorf("attempt %d on call %d", attempt, calls)
				}
				return wrapped(tc.err)
			})
			if attempts != tc.wantAttempts || calls != tc.wantAttempts {
				t.Errorf("attempts %d, calls %d, want %d", attempts, calls, tc.wantAttempts)
			}
			var ce *classifiedError
			if !errors.As(err, &ce) || ce != tc.err {
				t.Errorf("error %v does not keep the original in its chain", err)
			}
			if !strings.Contains(err.Error(), "attempt") {
				t.Errorf("error %q does not say how many attempts were made", err)
			}
		})
	}
}

func TestRetrySucceedsAfterFailures(t *testing.T) {
	clock := newFakeClock(true)
	attempts, err := Retry(context.Background(), retryPolicyFor(clock, 5), func(_ context.Context, attempt int) error {
		if attempt < 3 {
			return &classifiedError{retryable: true}
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Fatalf("Retry = %d, %v; want 3, nil", attempts, err)
	}
}

func TestRetryGaveUpMessageCountsAttempts(t *testing.T) {
	_, err := Retry(context.Background(), retryPolicyFor(newFakeClock(true), 3), func(context.Context, int) error {
		return &classifiedError{retryable: true}
	})
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("error %v, want it to say after 3 attempts", err)
	}
}

func TestRetryBackoffFullJitterBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: time.Second, MaxDelay: 5 * time.Second}
	ceilings := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for n, ceiling := range ceilings {
		p.Rand = func(limit int64) int64 { return limit - 1 } // the top of the range
		if got := p.backoff(n + 1); got != ceiling {
			t.Errorf("after %d failures: top delay %v, want %v", n+1, got, ceiling)
		}
		p.Rand = func(int64) int64 { return 0 } // the bottom: full jitter reaches zero
		if got := p.backoff(n + 1); got != 0 {
			t.Errorf("after %d failures: bottom delay %v, want 0", n+1, got)
		}
	}
	p.Rand = nil // the real source stays within bounds
	for range 1000 {
		if d := p.backoff(3); d < 0 || d > 4*time.Second {
			t.Fatalf("delay %v outside [0, 4s]", d)
		}
	}
}

func TestRetryAfterIsAFloor(t *testing.T) {
	clock := newFakeClock(true)
	p := retryPolicyFor(clock, 2)
	p.Rand = func(int64) int64 { return 0 }
	start := clock.Now()
	var second time.Time
	_, err := Retry(context.Background(), p, func(_ context.Context, attempt int) error {
		if attempt == 2 {
			second = clock.Now()
			return nil
		}
		return wrapped(&classifiedError{retryable: true, retryAfter: 7 * time.Second})
	})
	if err != nil {
		t.Fatal(err)
	}
	if waited := second.Sub(start); waited != 7*time.Second {
		t.Errorf("waited %v before the retry, want the Retry-After of 7s", waited)
	}
}

func TestPacedFailuresDoNotLengthenTheBackoff(t *testing.T) {
	clock := newFakeClock(true)
	p := retryPolicyFor(clock, 5)
	p.Rand = func(n int64) int64 { return n - 1 } // the longest wait allowed
	var at []time.Time
	_, err := Retry(context.Background(), p, func(_ context.Context, attempt int) error {
		at = append(at, clock.Now())
		switch attempt {
		case 1, 2, 3:
			return &classifiedError{retryable: true, retryAfter: time.Second}
		case 4:
			return &classifiedError{retryable: true}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 4; i++ {
		if d := at[i].Sub(at[i-1]); d != time.Second {
			t.Errorf("wait after attempt %d: %v, want the Retry-After of 1s", i, d)
		}
	}
	// The first failure without Retry-After waits at most the base delay.
	if d := at[4].Sub(at[3]); d > p.BaseDelay {
		t.Errorf("wait after the first unpaced failure: %v, want at most %v", d, p.BaseDelay)
	}
}

func TestRetryCancelStopsWaiting(t *testing.T) {
	clock := newFakeClock(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var attempts int
	go func() {
		var err error
		attempts, err = Retry(ctx, retryPolicyFor(clock, 5), func(context.Context, int) error {
			return &classifiedError{retryable: true, retryAfter: time.Hour}
		})
		done <- err
	}()
	clock.waitForTimers(t, 1)
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled in its chain", err)
	}
	var ce *classifiedError
	if !errors.As(err, &ce) {
		t.Errorf("error %v lost the last attempt's error", err)
	}
	if attempts != 1 {
		t.Errorf("attempts %d, want 1", attempts)
	}
}

func TestRetryNotAttemptedWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	attempts, err := Retry(ctx, DefaultRetryPolicy(), func(context.Context, int) error {
		t.Error("fn called with a cancelled context")
		return nil
	})
	if attempts != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Retry = %d, %v", attempts, err)
	}
}
