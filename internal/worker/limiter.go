package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// Limiter keeps every key inside its rolling-window budget for all the
// workers that share it. A key names one budget: the client uses one per
// service and HTTP method ("identity:PUT"), so that one service's budgets
// and 429s never hold back another's requests. It implements the client's
// Throttle: Wait before each request, Observe after each answer.
//
// A known budget (N requests per window W) is enforced exactly: a request
// starts only when the last W plus a small guard for clock skew holds fewer
// than N starts of its method. Callers are served in order; the slot is
// reserved under a short lock and the caller sleeps outside it.
//
// A 429 closes the method's gate for every caller until Retry-After (or an
// own backoff that grows with consecutive 429s), then lets one probe
// through and reopens when it is accepted.
//
// With adaptive learning on (the default), a 429 on a method whose budget
// is unknown, or configured too high, teaches the limiter the budget: the
// requests accepted before it give the count, the first accepted probe
// after the pause bounds the window. The learned budget is then enforced
// like a known one; while no 429 comes, single trial requests probe for a
// slightly larger count (additive increase), and each new 429 cuts back.
// A 429 with a known budget used to its limit is blamed on timing instead:
// the skew guard grows.
//
// A zero Limiter is not valid; use NewLimiter. Keys are compared exactly.
type Limiter struct {
	cfg    limiterConfig
	origin time.Time
	gates  map[string]*methodGate // keys with a budget; read-only after NewLimiter
	others sync.Map               // string → *methodGate for keys met on the way
	// stopped is closed by Stop: no request may start any more.
	stopped  chan struct{}
	stopOnce sync.Once
}

// ErrStopping is in the chain of Wait's error once the limiter was
// stopped: the request was never sent.
var ErrStopping = errors.New("the run is stopping: not sent")

// Stop lets no request start any more: every caller waiting in Wait, and
// every later one, gets an error wrapping ErrStopping at once. Requests
// already let go are not affected. A run stops its limiter when it is
// interrupted, so that nothing that has not left is sent after.
func (l *Limiter) Stop() { l.stopOnce.Do(func() { close(l.stopped) }) }

// Stopped is closed once Stop was called (for RetryPolicy.Stop).
func (l *Limiter) Stopped() <-chan struct{} { return l.stopped }

// stopping reports whether Stop was called.
func (l *Limiter) stopping() bool {
	select {
	case <-l.stopped:
		return true
	default:
		return false
	}
}

type limiterConfig struct {
	clock    Clock
	adaptive bool
	guard    time.Duration // negative: automatic, see guardFor
}

// limiterOption changes a limiter's defaults (tests use them).
type limiterOption func(*limiterConfig)

// withClock makes the limiter read time and sleep on c.
func withClock(c Clock) limiterOption {
	return func(cfg *limiterConfig) { cfg.clock = c }
}

// withAdaptive turns learning budgets from 429 answers on or off (default
// on). Off, a 429 still closes the gate for everyone, but budgets stay as
// configured.
func withAdaptive(on bool) limiterOption {
	return func(cfg *limiterConfig) { cfg.adaptive = on }
}

// withSkewGuard sets how much longer than each window the limiter waits
// before reusing a slot, to absorb the difference between when a request
// leaves here and when the server counts it. The default is 1 % of the
// window, at least 50 ms but no more than a tenth of the window.
func withSkewGuard(d time.Duration) limiterOption {
	return func(cfg *limiterConfig) { cfg.guard = max(d, 0) }
}

// NewLimiter returns a limiter enforcing limits (nil: no known budget) on
// the system clock, learning budgets from 429s, with the automatic skew
// guard. Budgets with no requests or no window are ignored.
func NewLimiter(limits budget.Limits) *Limiter { return newLimiter(limits) }

func newLimiter(limits budget.Limits, opts ...limiterOption) *Limiter {
	cfg := limiterConfig{clock: systemClock{}, adaptive: true, guard: -1}
	for _, opt := range opts {
		opt(&cfg)
	}
	l := &Limiter{cfg: cfg, origin: cfg.clock.Now(), gates: map[string]*methodGate{}, stopped: make(chan struct{})}
	for k, b := range limits {
		if b.Requests <= 0 || b.Window <= 0 {
			continue
		}
		l.gates[k] = newMethodGate(k, b, &l.cfg)
	}
	return l
}

// now returns the time on the limiter's monotonic time line.
func (l *Limiter) now() int64 { return int64(l.cfg.clock.Now().Sub(l.origin)) }

// gate returns the state of key, creating it on first use.
func (l *Limiter) gate(key string) *methodGate {
	if g, ok := l.gates[key]; ok {
		return g
	}
	if g, ok := l.others.Load(key); ok {
		return g.(*methodGate)
	}
	g, _ := l.others.LoadOrStore(key, newMethodGate(key, budget.Budget{}, &l.cfg))
	return g.(*methodGate)
}

// Room says how many requests of key could start now without waiting:
// math.MaxInt for a key with no known budget (none, or one learned from
// 429s, which only Wait keeps: it grows back by trying more than it) and
// an open gate, 0 while the gate is closed after a 429 (or waits for a
// probe's answer) or the known budget is used up. When free is 0, next
// is when one is expected to start (zero when unknown). It reserves
// nothing, and a key never met stays unknown: a worker pool reads it to
// choose which of its jobs to start (see Lanes).
func (l *Limiter) Room(key string) (free int, next time.Time) {
	if l.stopping() {
		return 0, time.Time{}
	}
	g, ok := l.gates[key]
	if !ok {
		v, known := l.others.Load(key)
		if !known {
			return math.MaxInt, time.Time{}
		}
		g = v.(*methodGate)
	}
	free, at := g.room(l.now())
	if free > 0 || at <= 0 {
		return free, time.Time{}
	}
	return 0, l.origin.Add(time.Duration(at))
}

// Wait blocks until a request with this key may start, or ctx is done;
// in that case it gives its reserved slot back where it can and returns an
// error wrapping the context's cause. With no budget in force and the gate
// open, Wait does not block or allocate.
func (l *Limiter) Wait(ctx context.Context, method string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wait to send %s: %w", method, context.Cause(ctx))
	}
	if l.stopping() {
		return fmt.Errorf("wait to send %s: %w", method, ErrStopping)
	}
	g := l.gate(method)
	start := l.now()
	now := start
	defer g.leave(g.enter())
reserve:
	for {
		r := g.reserve(now)
		if !r.granted {
			// Gate closed or a probe out: look again at r.at or on a
			// change. A job of the pool hands its worker to the next job
			// meanwhile (parkWhile): another key may well be open.
			if err := parkWhile(ctx, func() error { return l.sleep(ctx, r.at-now, r.changed) }); err != nil {
				g.addWaited(l.now() - start)
				return fmt.Errorf("wait to send %s: %w", method, err)
			}
			now = l.now()
			continue
		}
		// A budget's slot is waited for holding the worker: parked jobs
		// would hold reservations far ahead, where a budget that grows
		// back (see tuning) could not move them. A pool with lanes gives
		// a budget used up one worker only (see Lanes and Room).
		for now < r.at {
			if err := l.sleep(ctx, r.at-now, r.changed); err != nil {
				g.giveBack(r, l.now()-start)
				return fmt.Errorf("wait to send %s: %w", method, err)
			}
			now = l.now()
			var valid bool
			if r.changed, valid = g.confirm(r); !valid {
				continue reserve // the gate closed meanwhile: reserve anew
			}
		}
		if l.stopping() {
			g.giveBack(r, l.now()-start)
			return fmt.Errorf("wait to send %s: %w", method, ErrStopping)
		}
		if now > start {
			g.addWaited(now - start)
		}
		return nil
	}
}

// LeftLate tells the limiter that a request of key left d after Wait let
// it go (a journal intent was synced in between): the key's guard grows
// to cover the longest such delay of the last window or so (up to a tenth
// of the window), so that requests counted by the server as they arrive
// still fit its budget.
func (l *Limiter) LeftLate(key string, d time.Duration) {
	if d <= 0 {
		return
	}
	g := l.gate(key)
	g.mu.Lock()
	g.leftLate(int64(d), l.now())
	g.mu.Unlock()
}

// sleep waits d, until changed is closed, or until ctx is done.
func (l *Limiter) sleep(ctx context.Context, d int64, changed <-chan struct{}) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		select {
		case <-changed:
		default:
		}
		return nil
	}
	timer, stop := l.cfg.clock.NewTimer(time.Duration(d))
	defer stop()
	select {
	case <-timer:
	case <-changed:
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-l.stopped:
		return ErrStopping
	}
	return nil
}

// Observe takes the server's answer to a request of method: status 429
// closes the method's gate for every caller (retryAfter is zero when the
// server sent none); any other status counts as accepted. Status 0 or less
// (no answer) is ignored.
func (l *Limiter) Observe(method string, status int, retryAfter time.Duration) {
	if status <= 0 {
		return
	}
	g := l.gate(method)
	now := l.now()
	if status == http.StatusTooManyRequests {
		g.throttled(now, retryAfter)
		return
	}
	g.accepted(now)
}

// Waiting describes the callers of one key that are waiting in Wait.
type Waiting struct {
	Key     string
	Callers int
	// Next is how long until the next of them may start (zero when one
	// may start now).
	Next time.Duration
	// Paused reports that the wait is a pause after a 429, not the budget.
	Paused bool
}

// Waiting lists the keys whose callers are waiting, longest wait first.
// Progress displays read it; it takes each key's lock briefly.
func (l *Limiter) Waiting() []Waiting {
	var out []Waiting
	now := l.now()
	add := func(g *methodGate) {
		if w, ok := g.waitingAt(now); ok {
			out = append(out, w)
		}
	}
	for _, g := range l.gates {
		add(g)
	}
	l.others.Range(func(_, v any) bool {
		add(v.(*methodGate))
		return true
	})
	slices.SortFunc(out, func(a, b Waiting) int { return cmp.Compare(b.Next, a.Next) })
	return out
}

// MethodStats describes one key's traffic through a Limiter.
type MethodStats struct {
	Sent      int64         // requests let through
	Throttled int64         // 429 answers observed
	Budget    budget.Budget // configured budget, zero if none
	Learned   budget.Budget // budget learned from 429s, zero if none
	Waited    time.Duration // total time callers spent in Wait
}

// LimiterStats holds MethodStats by key, for keys that saw traffic or have
// a budget.
type LimiterStats map[string]MethodStats

// Stats returns a snapshot of the limiter's counters.
func (l *Limiter) Stats() LimiterStats {
	out := LimiterStats{}
	add := func(g *methodGate) {
		if s := g.stats(); s.Sent > 0 || s.Throttled > 0 || s.Budget.Requests > 0 {
			out[g.name] = s
		}
	}
	for _, g := range l.gates {
		add(g)
	}
	l.others.Range(func(_, v any) bool {
		add(v.(*methodGate))
		return true
	})
	return out
}
