package worker

import (
	"context"
	"time"
)

// Clock tells the time and makes timers. The limiter and Retry take one so
// that tests can drive them with a fake clock instead of sleeping.
type Clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// function that stops the timer.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

// systemClock is the real clock.
type systemClock struct{}

// Now returns time.Now().
func (systemClock) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (systemClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// sleepCtx waits for d on clock c, or until ctx is done; it returns the
// context's error in the latter case.
func sleepCtx(ctx context.Context, c Clock, d time.Duration) error {
	return sleepStop(ctx, c, d, nil)
}

// sleepStop is sleepCtx that also ends, with ErrStopping, when stop is
// closed (a nil stop never is).
func sleepStop(ctx context.Context, c Clock, d time.Duration, stop <-chan struct{}) error {
	select {
	case <-stop:
		return ErrStopping
	default:
	}
	if d <= 0 {
		return ctx.Err()
	}
	ch, stopTimer := c.NewTimer(d)
	defer stopTimer()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-stop:
		return ErrStopping
	}
}
