package worker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how patiently Retry tries again.
//
// A failure that carries a Retry-After is retried after exactly that wait.
// Otherwise the delay after the n-th such failure (n ≥ 1) is drawn
// uniformly from [0, min(MaxDelay, BaseDelay·2^(n-1))] ("full jitter", so
// that workers that failed together do not retry together).
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included;
	// values below 1 mean 1.
	MaxAttempts int
	// BaseDelay is the jitter ceiling after the first failure; it doubles
	// with each further failure up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// Clock times the waits between attempts; nil means the system clock.
	Clock Clock
	// Rand returns a uniform value in [0, n); nil means math/rand/v2.
	Rand func(n int64) int64
	// Stop, when closed, ends a wait between attempts at once: a run
	// that is stopping sends no further attempt (see Limiter.Stop).
	Stop <-chan struct{}
}

// DefaultRetryPolicy tries up to 5 times with delays of up to 0.5 s, 1 s,
// 2 s and 4 s (capped at 30 s), honouring Retry-After.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second}
}

// Retry calls fn (attempt counts from 1) until it succeeds, fails with an
// error that is not retryable, or p.MaxAttempts attempts were made. It
// returns the number of attempts made and the last error, wrapped with that
// count (errors.Is and errors.As still reach the original).
//
// Only errors whose chain holds a Retryable() bool method answering true are
// retried. Errors whose chain answers OutcomeUnknown() true are returned at
// once even if also retryable: the request may have taken effect, and
// repeating a non-idempotent change is the caller's decision, not ours.
// A failure carrying a Retry-After is retried after exactly that wait;
// others after an exponential backoff with full jitter, which counts only
// such failures. Waits respect ctx; a cancelled wait returns the context's
// error joined with the last attempt's error.
func Retry(ctx context.Context, p RetryPolicy, fn func(ctx context.Context, attempt int) error) (attempts int, err error) {
	maxAttempts := max(1, p.MaxAttempts)
	clock := p.Clock
	if clock == nil {
		clock = systemClock{}
	}
	unpaced := 0 // failures the server gave no Retry-After for
	for attempt := 1; ; attempt++ {
		if attempt == 1 && ctx.Err() != nil {
			return 0, fmt.Errorf("not attempted: %w", context.Cause(ctx))
		}
		err = fn(ctx, attempt)
		switch {
		case err == nil:
			return attempt, nil
		case IsOutcomeUnknown(err):
			return attempt, fmt.Errorf("attempt %d, outcome unknown, not retried: %w", attempt, err)
		case !IsRetryable(err):
			return attempt, fmt.Errorf("attempt %d, not retryable: %w", attempt, err)
		case attempt >= maxAttempts:
			return attempt, fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		// A server that says when to come back is taken at its word: the
		// wait is its Retry-After, and such failures do not lengthen the
		// backoff of later ones (the shared limiter already holds every
		// worker back). Others back off with full jitter.
		delay := RetryAfterOf(err)
		wait := func() error { return sleepStop(ctx, clock, delay, p.Stop) }
		if delay == 0 {
			unpaced++
			delay = p.backoff(unpaced)
		} else {
			// A job of the pool hands its worker to the next job while
			// it waits out the server's pause.
			sleep := wait
			wait = func() error { return parkWhile(ctx, sleep) }
		}
		if werr := wait(); werr != nil {
			return attempt, fmt.Errorf("stopped waiting to retry after %d attempts: %w (last error: %w)", attempt, werr, err)
		}
	}
}

// backoff returns the wait after the n-th failure without a Retry-After
// (n ≥ 1): full jitter below min(MaxDelay, BaseDelay·2^(n-1)).
func (p RetryPolicy) backoff(n int) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	if p.MaxDelay > 0 && ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	var d time.Duration
	if ceiling > 0 {
		rnd := p.Rand
		if rnd == nil {
			rnd = rand.Int64N
		}
		d = time.Duration(rnd(int64(ceiling) + 1))
	}
	return d
}

// IsRetryable reports whether err's chain holds an error whose Retryable()
// method answers true.
func IsRetryable(err error) bool {
	if errors.Is(err, ErrStopping) {
		return false // the run is stopping: nothing more is sent
	}
	var r interface{ Retryable() bool }
	return errors.As(err, &r) && r.Retryable()
}

// IsOutcomeUnknown reports whether err's chain holds an error whose
// OutcomeUnknown() method answers true: the request may or may not have
// taken effect.
func IsOutcomeUnknown(err error) bool {
	if errors.Is(err, ErrStopping) {
		return false // never sent
	}
	var u interface{ OutcomeUnknown() bool }
	return errors.As(err, &u) && u.OutcomeUnknown()
}

// RetryAfterOf returns the wait the server asked for, found through a
// RetryAfter() time.Duration method in err's chain, or zero.
func RetryAfterOf(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return max(0, ra.RetryAfter())
	}
	return 0
}
