package emulator

import (
	"sync"
	"time"
)

// windowLimiter enforces per-method rolling-window budgets: a request is
// refused when the last Window already holds Requests accepted requests of
// its method. Refused requests do not count.
type windowLimiter struct {
	mu       sync.Mutex
	budgets  map[string]Budget
	accepted map[string]*timeRing
}

// timeRing holds the acceptance times inside the window, oldest first.
type timeRing struct {
	times []time.Time
	head  int
	n     int
}

func newWindowLimiter(budgets map[string]Budget) *windowLimiter {
	l := &windowLimiter{budgets: map[string]Budget{}, accepted: map[string]*timeRing{}}
	for m, b := range budgets {
		l.budgets[m] = b
		l.accepted[m] = &timeRing{times: make([]time.Time, b.Requests)}
	}
	return l
}

// admit decides on a request of method at now. When refused, retryAfter is
// the time until the oldest request of the window leaves it.
func (l *windowLimiter) admit(method string, now time.Time) (ok bool, retryAfter time.Duration) {
	if len(l.budgets) == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, limited := l.budgets[method]
	if !limited {
		return true, 0
	}
	ring := l.accepted[method]
	cutoff := now.Add(-b.Window)
	for ring.n > 0 && !ring.times[ring.head].After(cutoff) {
		ring.head = (ring.head + 1) % len(ring.times)
		ring.n--
	}
	if ring.n >= b.Requests {
		return false, ring.times[ring.head].Add(b.Window).Sub(now)
	}
	ring.times[(ring.head+ring.n)%len(ring.times)] = now
	ring.n++
	return true, 0
}
