package worker

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// probeTimeout is how long others wait for a probe's answer before another
// caller may probe (the answer may never be observed, e.g. on a network
// error).
const probeTimeout = int64(2 * time.Second)

// methodGate is the limiter's state for one method. All fields are guarded
// by mu; times are nanoseconds on the limiter's time line.
type methodGate struct {
	mu   sync.Mutex
	name string
	cfg  *limiterConfig

	configured budget.Budget // zero: none
	budget     budget.Budget // in force: configured or learned; zero: none
	learnedNow bool          // budget was learned
	log        sendLog
	hist       *sendHistory // sends of the last ~400 s, when adaptive
	saturated  int64        // last time the budget delayed a reservation
	skew       int64        // guard added after 429s at the budget's edge
	// late and lateBefore: the longest a granted request left after its
	// slot in the period since lateSince and in the one before (see
	// leftLate).
	late, lateBefore, lateSince int64

	closedUntil int64 // nothing starts before this (429 pause)
	closures    int64 // counts closings; reservations of an older count are void
	streak      int   // consecutive 429s
	probing     bool  // after a pause: one probe first, the rest wait for its answer
	probeOut    bool
	probeSentAt int64
	probeUntil  int64
	changed     chan struct{} // closed and dropped when the gate state changes
	rtt         int64         // round trip of probes, decaying maximum

	learn *learning // while learning from a first 429
	tune  tuning    // tightening of a learned budget

	sent, throttledCount int64
	waited               time.Duration
	waiters              atomic.Int32 // callers inside Wait, counted without the lock
}

func newMethodGate(name string, b budget.Budget, cfg *limiterConfig) *methodGate {
	return &methodGate{name: name, cfg: cfg, configured: b, budget: b}
}

// reservation is the answer of reserve: either a granted start time at (the
// slot is held; confirm it after sleeping), or, not granted, a time to look
// again (and a channel closed earlier if the gate changes).
type reservation struct {
	granted  bool
	at       int64
	closures int64
	changed  <-chan struct{}
}

// guardFor returns the skew guard added to window w: the configured or
// automatic guard plus what 429s at the edge of a known budget added.
func (g *methodGate) guardFor(w time.Duration) int64 {
	if g.cfg.guard >= 0 {
		return int64(g.cfg.guard) + g.skew + max(g.late, g.lateBefore)
	}
	return int64(min(max(w/100, 50*time.Millisecond), w/10)) + g.skew + max(g.late, g.lateBefore)
}

// leftLate records that a request granted its slot at or before now left
// d after it (the caller recorded something durably in between): the
// guard grows by the longest such delay, up to a tenth of the window, so
// that the server, which counts the request when it arrives, never sees
// more than the budget in its window. A delay matters only while its
// request is in the window: the longest is kept per period of the window
// and its tenth, the guard covers this period's and the last one's, and
// one slow send does not slow the rest of a long run. Callers hold mu.
func (g *methodGate) leftLate(d, now int64) {
	period, limit := int64(1100*time.Millisecond), int64(time.Second)
	if w := int64(g.budget.Window); w > 0 {
		period, limit = w+w/10, w/10
	}
	if now-g.lateSince >= period {
		g.lateBefore = 0
		if now-g.lateSince < 2*period {
			g.lateBefore = g.late
		}
		g.late, g.lateSince = 0, now
	}
	g.late = max(g.late, min(d, limit))
}

// atLimitShare is the share of a known budget that must have been sent in
// the window for a 429 to be blamed on timing (the server counting a
// request earlier or later than it left here) rather than on the budget.
const atLimitShare = 0.9

// widenGuard reacts to a 429 that came with the known budget used to the
// limit: the server's clock and ours disagree by more than the guard, so
// the guard grows (doubling, up to a tenth of the window). It reports
// false when the budget was not at its limit or the guard cannot grow,
// meaning the budget itself is wrong. Callers hold mu.
func (g *methodGate) widenGuard(now int64) bool {
	if g.budget.Requests <= 0 {
		return false
	}
	w := int64(g.budget.Window)
	recent := 0
	for i := g.log.len() - 1; i >= 0 && g.log.at(i) > now-w-g.guardFor(g.budget.Window); i-- {
		if g.log.at(i) <= now {
			recent++
		}
	}
	if float64(recent) < atLimitShare*float64(g.budget.Requests) || g.skew >= w/10 {
		return false
	}
	g.skew = min(w/10, max(2*g.skew, int64(50*time.Millisecond)))
	return true
}

// changedChan returns the channel closed at the next state change.
func (g *methodGate) changedChan() <-chan struct{} {
	if g.changed == nil {
		g.changed = make(chan struct{})
	}
	return g.changed
}

// broadcast wakes every caller waiting on the gate.
func (g *methodGate) broadcast() {
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
}

// reserve takes the earliest slot a request starting no sooner than now may
// have, or says when to look again if the gate is closed or a probe is out.
func (g *methodGate) reserve(now int64) reservation {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closedUntil > now {
		return reservation{at: g.closedUntil, changed: g.changedChan()}
	}
	if g.probing && g.probeOut && now < g.probeUntil {
		return reservation{at: g.probeUntil, changed: g.changedChan()}
	}
	t := now
	if g.budget.Requests > 0 {
		span := int64(g.budget.Window) + g.guardFor(g.budget.Window)
		t = g.log.nextSlot(now, g.budget.Requests, span)
		if g.learnedNow {
			t = g.tune.tryTrial(g, now, t)
		}
		g.log.push(t)
		if t > now {
			g.saturated = t
		}
	}
	if g.probing {
		g.probeOut = true
		g.probeSentAt = t
		g.probeUntil = t + probeTimeout
	}
	if g.cfg.adaptive {
		if g.hist == nil {
			g.hist = new(sendHistory)
		}
		g.hist.add(t, 1)
	}
	g.sent++
	r := reservation{granted: true, at: t, closures: g.closures}
	if t > now {
		r.changed = g.changedChan()
	}
	return r
}

// room says how many requests could start at now without waiting, and,
// when none can, the time at which the next one could (0: unknown). It
// takes nothing: a reserve at once after it may still find the room
// taken by another caller. A known budget counts; a learned one (or one
// being learned) does not, since it is found again by trying more than
// it, which Wait does: only its pauses close the room.
func (g *methodGate) room(now int64) (free int, next int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closedUntil > now {
		return 0, g.closedUntil
	}
	if g.probing {
		if g.probeOut && now < g.probeUntil {
			return 0, g.probeUntil
		}
		return 1, 0 // the probe; the others wait for its answer
	}
	if g.budget.Requests <= 0 || g.learnedNow || g.learn != nil {
		// A learned budget (or one being learned) is found again by
		// trying more than it: the lanes leave that to Wait.
		return math.MaxInt, 0
	}
	span := int64(g.budget.Window) + g.guardFor(g.budget.Window)
	if at := g.log.slot(now, g.budget.Requests, span); at > now {
		return 0, at
	}
	// Sends (and reservations) in the span ending now; the log is in
	// time order.
	n := g.log.len()
	recent := n - sort.Search(n, func(i int) bool { return g.log.at(i) > now-span })
	return max(g.budget.Requests-recent, 0), 0
}

// confirm checks, after a sleep, that reservation r still stands. If the
// gate closed since, it gives the slot back and reports false.
func (g *methodGate) confirm(r reservation) (<-chan struct{}, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.closures == g.closures {
		return g.changedChan(), true
	}
	g.release(r)
	return nil, false
}

// giveBack returns the slot of a caller that stopped waiting.
func (g *methodGate) giveBack(r reservation, waited int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.waited += time.Duration(waited)
	if r.granted && r.closures == g.closures {
		g.release(r)
	}
}

// release forgets the send reserved by r. Callers hold mu.
func (g *methodGate) release(r reservation) {
	if g.budget.Requests > 0 {
		g.log.remove(r.at)
	}
	if g.hist != nil {
		g.hist.remove(r.at)
	}
	if g.probing && g.probeOut && g.probeSentAt == r.at {
		g.probeOut = false
	}
	g.sent--
}

// enter counts a caller into Wait; leave counts it out.
func (g *methodGate) enter() struct{} {
	g.waiters.Add(1)
	return struct{}{}
}

func (g *methodGate) leave(struct{}) { g.waiters.Add(-1) }

// waitingAt describes the gate's waiting callers at now, if any wait.
func (g *methodGate) waitingAt(now int64) (Waiting, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	waiters := int(g.waiters.Load())
	if waiters == 0 {
		return Waiting{}, false
	}
	w := Waiting{Key: g.name, Callers: waiters}
	next := now
	switch {
	case g.closedUntil > now:
		next, w.Paused = g.closedUntil, true
	case g.probing && g.probeOut && now < g.probeUntil:
		next, w.Paused = g.probeUntil, true
	case g.budget.Requests > 0:
		for i := 0; i < g.log.len(); i++ {
			if t := g.log.at(i); t > now {
				next = t
				break
			}
		}
	}
	w.Next = time.Duration(next - now)
	return w, true
}

func (g *methodGate) addWaited(d int64) {
	g.mu.Lock()
	g.waited += time.Duration(d)
	g.mu.Unlock()
}

// throttled handles a 429 observed at now.
func (g *methodGate) throttled(now int64, retryAfter time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.throttledCount++
	wasProbe := g.probing && g.probeOut
	gateWasOpen := !g.probing && g.closedUntil <= now
	if !wasProbe && !gateWasOpen {
		// An answer to a request sent before the gate closed.
		if g.learn != nil {
			g.learn.refused++
		}
		if retryAfter > 0 && now+int64(retryAfter) > g.closedUntil {
			g.closedUntil = now + int64(retryAfter)
		}
		return
	}
	g.streak++
	if wasProbe {
		g.sampleRTT(now - g.probeSentAt)
	}
	switch {
	case g.learn != nil:
		g.learn.probeRefused(g, g.probeSentAt)
	case !g.cfg.adaptive:
	case !g.learnedNow && g.configured.Requests > 0 && retryAfter > g.configured.Window:
		// A pause longer than the configured window cannot come from
		// this budget's use: the server is paused (overloaded, or spent
		// by somebody else). Wait it out; there is nothing to learn.
	case g.learnedNow:
		if gateWasOpen {
			g.tune.throttled(g, now)
		}
	case g.widenGuard(now):
	default:
		g.startLearning(now)
	}
	pause := int64(retryAfter)
	if pause <= 0 {
		pause = g.ownBackoff(now)
	}
	g.closedUntil = max(g.closedUntil, now+pause)
	g.probing = true
	g.probeOut = false
	g.closures++
	g.broadcast()
}

// ownBackoff is the pause after a 429 that came without Retry-After.
func (g *methodGate) ownBackoff(now int64) int64 {
	const second = int64(time.Second)
	ceiling := 60 * second
	switch {
	case g.learn != nil:
		return g.learn.probeInterval(now)
	case g.budget.Requests > 0:
		// The budget already spaces requests; a first 429 needs only a
		// short pause, repeated ones a growing one.
		ceiling = min(ceiling, int64(g.budget.Window))
		if g.streak <= 1 {
			return g.guardFor(g.budget.Window)
		}
		return min(ceiling, second<<min(g.streak-2, 20))
	default:
		return min(ceiling, second<<min(g.streak-1, 20))
	}
}

// accepted handles any answer other than 429 observed at now.
func (g *methodGate) accepted(now int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.probing && g.probeOut && g.closedUntil <= now {
		g.sampleRTT(now - g.probeSentAt)
		if g.learn != nil {
			g.finishLearning(now)
		}
		g.probing = false
		g.probeOut = false
		g.broadcast()
	}
	if !g.probing {
		g.streak = 0
		if g.learnedNow {
			g.tune.accepted(g, now)
		}
	}
}

// stats returns the gate's counters.
func (g *methodGate) stats() MethodStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := MethodStats{Sent: g.sent, Throttled: g.throttledCount, Budget: g.configured, Waited: g.waited}
	if g.learnedNow {
		s.Learned = g.budget
	}
	return s
}

// sampleRTT folds the round trip of a probe into the estimate: a new
// maximum at once, lower values slowly. Callers hold mu.
func (g *methodGate) sampleRTT(d int64) {
	if d <= 0 {
		return
	}
	if d > g.rtt {
		g.rtt = d
		return
	}
	g.rtt = (15*g.rtt + d) / 16
}
