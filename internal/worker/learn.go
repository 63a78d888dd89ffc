package worker

import (
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// Learning an unknown budget. On a method's first 429 the server's rolling
// window holds its whole budget, so the requests sent shortly before, less
// those refused, estimate the count N. The gate then stays closed except
// for one probe at a time; the first accepted probe means the oldest of
// those requests has left the server's window, so the time from it to the
// probe bounds the window W from above. With Retry-After the first probe
// goes when the server said, so W comes out nearly exact; without it the
// probes are spaced by an eighth of the time elapsed since the oldest
// request (at least 200 ms), so W is overestimated by at most that spacing
// plus a round trip, after about a dozen 429s. If every request of ours in
// the window was refused, the 429s tell nothing about the count (the
// budget was spent by others, or the server throttled a burst): the gate
// reopens at the first accepted probe and the budget stays unknown.

// minProbeInterval is the shortest pause between probes while learning.
const minProbeInterval = int64(200 * time.Millisecond)

// learning is the state between a method's first 429 and the first
// accepted probe.
type learning struct {
	sentBefore int   // requests sent in the history before that
	oldest     int64 // start of the oldest history bucket then
	refused    int   // 429s to requests sent before the gate closed
}

// startLearning opens a learning phase at the first 429. Callers hold mu.
func (g *methodGate) startLearning(now int64) {
	if g.hist == nil {
		return
	}
	oldest, ok := g.hist.oldest()
	if !ok {
		return
	}
	g.learn = &learning{sentBefore: g.hist.total, oldest: oldest, refused: 1}
}

// probeRefused records a refused probe sent at sentAt; the probe does not
// count as a send the server kept. Callers hold mu.
func (lr *learning) probeRefused(g *methodGate, sentAt int64) {
	if g.hist != nil {
		g.hist.remove(sentAt)
	}
}

// probeInterval is the pause before the next probe.
func (lr *learning) probeInterval(now int64) int64 {
	return max(minProbeInterval, (now-lr.oldest)/8)
}

// finishLearning turns the learning phase into a budget when the probe
// sent at g.probeSentAt was accepted. Callers hold mu.
func (g *methodGate) finishLearning(now int64) {
	lr := g.learn
	g.learn = nil
	if lr.sentBefore <= lr.refused {
		// Every request of ours in the window was refused: the budget
		// was spent by somebody else, or the server throttled a burst of
		// its own. That says nothing of the count; stay unknown.
		return
	}
	probe := g.probeSentAt
	requests := lr.sentBefore - lr.refused
	window := time.Duration(max(probe-lr.oldest, historyBucket))
	g.budget = budget.Budget{Requests: requests, Window: window}
	g.learnedNow = true
	g.tune = tuning{lastChange: now, lastRaise: now, raiseEvery: 1}

	// The server still counts what was sent in the last window: seed the
	// log with it, each at the end of its history bucket (late, so safe).
	g.log.reset()
	span := int64(window) + g.guardFor(window)
	g.hist.since(probe-span, func(end int64, n int) {
		for range n {
			g.log.push(min(end, probe))
		}
	})
}

// Growing a learned budget. Every half window, one request may try a
// larger count per window (N + step): it is sent at the slot the larger
// count allows, while every other request keeps the slots of the budget
// known to work. If no 429 comes within two round trips, the larger count
// is adopted; a 429 instead doubles the wait before the next try. A trial
// costs at most one refused request, where switching every worker to an
// untried budget would let a whole burst run into 429s. The step starts at
// max(1, N/1000) and doubles with each adoption that holds, so that a
// budget learned too low (the 429s came from somebody else's traffic, or
// from a short burst at the server) recovers in a few windows rather than
// one request at a time; any 429 sets it back. A 429 soon after an
// adoption undoes it; one with nothing to blame widens the skew guard
// when the budget was used to its limit (the server counts requests a
// little earlier or later than they leave here), and otherwise cuts the
// count by 5 %.
//
// The window is not shortened below what learning measured: with round
// trips that vary, a single accepted request at a shorter window proves
// little, and a window that is too short sends whole bursts into 429s.

// tuning holds the state of a learned budget's growth.
type tuning struct {
	lastChange int64
	adopted    bool          // the last change was an adoption, undone by a 429
	before     budget.Budget // budget before the last adoption
	raiseEvery int64         // windows between count increases
	lastRaise  int64
	step       int // the next increase; 0 means the base step

	trialOut bool
	trialAt  int64
	trial    budget.Budget
}

// tryTrial returns the start time for a request whose slot under the budget
// in force is good: earlier if this request becomes the trial of a larger
// count. Callers hold mu.
func (t *tuning) tryTrial(g *methodGate, now, good int64) int64 {
	w := int64(g.budget.Window)
	if t.trialOut || good <= now || now-t.lastChange < w/2 || now-t.lastRaise < t.raiseEvery*w {
		return good
	}
	cand := g.budget
	cand.Requests += t.nextStep(cand.Requests)
	at := g.log.slot(now, cand.Requests, w+g.guardFor(cand.Window))
	if at >= good {
		return good
	}
	t.trialOut, t.trialAt, t.trial, t.lastRaise = true, at, cand, now
	return at
}

// nextStep is the increase the next trial tries.
func (t *tuning) nextStep(requests int) int {
	return max(t.step, 1, requests/1000)
}

// settle is how long after a trial's start the limiter waits for a 429
// before adopting the trial's budget.
func (g *methodGate) settle() int64 {
	if g.rtt == 0 {
		return int64(g.budget.Window) / 10
	}
	return 2*g.rtt + int64(10*time.Millisecond)
}

// accepted adopts a trial that drew no 429. Callers hold mu.
func (t *tuning) accepted(g *methodGate, now int64) {
	if !t.trialOut || now < t.trialAt+g.settle() {
		return
	}
	t.trialOut = false
	t.before = g.budget
	t.step = 2 * (t.trial.Requests - g.budget.Requests)
	g.budget = t.trial
	t.adopted = true
	t.lastChange = now
}

// throttled reacts to a 429 while a learned budget is in force and the gate
// was open. Callers hold mu.
func (t *tuning) throttled(g *methodGate, now int64) {
	switch {
	case t.trialOut:
		t.trialOut = false
		t.raiseEvery = min(t.raiseEvery*2, 64)
	case t.adopted && now-t.lastChange < int64(g.budget.Window):
		g.budget = t.before
		t.raiseEvery = min(t.raiseEvery*2, 64)
	case g.widenGuard(now):
	default:
		g.budget.Requests = max(1, g.budget.Requests-max(1, g.budget.Requests/20))
	}
	t.adopted = false
	t.step = 0
	t.lastChange = now
}
