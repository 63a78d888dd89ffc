package worker

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

var bg = context.Background()

// waitAt calls Wait on an auto-advancing clock and returns how far the clock
// moved: the time the caller was held.
func waitAt(t *testing.T, l *Limiter, clock *fakeClock, method string) time.Duration {
	t.Helper()
	before := clock.Now()
	if err := l.Wait(bg, method); err != nil {
		t.Fatalf("Wait(%s): %v", method, err)
	}
	return clock.Now().Sub(before)
}

func TestLimiterRollingWindowIsExact(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"PUT": {Requests: 3, Window: 10 * time.Second}}, withClock(clock), withSkewGuard(0))
	waitAt(t, l, clock, "PUT") // t=0
	clock.Advance(2 * time.Second)
	waitAt(t, l, clock, "PUT") // t=2
	clock.Advance(2 * time.Second)
	waitAt(t, l, clock, "PUT") // t=4
	clock.Advance(time.Second)
	if held := waitAt(t, l, clock, "PUT"); held != 5*time.Second { // t=5 → 10
		t.Errorf("4th request held %v, want 5s (until the first leaves the window)", held)
	}
	if held := waitAt(t, l, clock, "PUT"); held != 2*time.Second { // t=10 → 12
		t.Errorf("5th request held %v, want 2s", held)
	}
	if held := waitAt(t, l, clock, "GET"); held != 0 {
		t.Errorf("GET held %v by the PUT budget", held)
	}
}

func TestLimiterBurstThenWindow(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"PUT": {Requests: 160, Window: 5 * time.Second}, "POST": {Requests: 2, Window: time.Second}}, withClock(clock), withSkewGuard(0))
	for i := range 160 {
		if held := waitAt(t, l, clock, "PUT"); held != 0 {
			t.Fatalf("request %d of the budget held %v", i+1, held)
		}
	}
	for range 2 {
		if held := waitAt(t, l, clock, "POST"); held != 0 {
			t.Fatalf("POST held %v by the PUT budget", held)
		}
	}
	if held := waitAt(t, l, clock, "PUT"); held != 5*time.Second {
		t.Errorf("request 161 held %v, want 5s", held)
	}
}

func TestLimiterSkewGuard(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"PUT": {Requests: 1, Window: 5 * time.Minute}, "GET": {Requests: 1, Window: 5 * time.Second}, "POST": {Requests: 1, Window: 100 * time.Millisecond}}, withClock(clock))
	for method, want := range map[string]time.Duration{
		"PUT":  5*time.Minute + 3*time.Second,              // 1 %
		"GET":  5*time.Second + 50*time.Millisecond,        // at least 50 ms
		"POST": 100*time.Millisecond + 10*time.Millisecond, // at most a tenth
	} {
		waitAt(t, l, clock, method)
		if held := waitAt(t, l, clock, method); held != want {
			t.Errorf("%s: second request held %v, want %v", method, held, want)
		}
	}
}

// waitAsync starts Wait on a goroutine and returns a channel with its result.
func waitAsync(ctx context.Context, l *Limiter, method string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, method) }()
	return done
}

func assertPending(t *testing.T, what string, chans ...<-chan error) {
	t.Helper()
	time.Sleep(5 * time.Millisecond) // give a wrongly released waiter time to show
	for i, ch := range chans {
		select {
		case err := <-ch:
			t.Fatalf("%s: waiter %d returned early (%v)", what, i, err)
		default:
		}
	}
}

func receive(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("waiter did not return")
		return nil
	}
}

func TestLimiter429ClosesTheGateForAllWaiters(t *testing.T) {
	clock := newFakeClock(false)
	start := clock.Now()
	l := newLimiter(budget.Limits{"PUT": {Requests: 1, Window: 10 * time.Second}}, withClock(clock), withSkewGuard(0), withAdaptive(false))
	if err := l.Wait(bg, "PUT"); err != nil { // t=0
		t.Fatal(err)
	}
	reserved := waitAsync(bg, l, "PUT") // holds the slot at t=10
	clock.waitForDeadlines(t, start, 10*time.Second)
	clock.Advance(time.Second)
	l.Observe("PUT", http.StatusTooManyRequests, 20*time.Second) // closed until t=21
	all := []<-chan error{reserved, waitAsync(bg, l, "PUT"), waitAsync(bg, l, "PUT")}
	// Every waiter, the one that held a slot at t=10 included, now waits for t=21.
	clock.waitForDeadlines(t, start, 21*time.Second, 21*time.Second, 21*time.Second)
	clock.Advance(9 * time.Second) // t=10
	assertPending(t, "before Retry-After", all...)
	clock.Advance(11 * time.Second) // t=21: one probe goes
	probe := firstReturned(t, all)
	rest := append(append([]<-chan error{}, all[:probe]...), all[probe+1:]...)
	assertPending(t, "while the probe is out", rest...)
	l.Observe("PUT", http.StatusOK, 0)
	// The probe was accepted: the rest follow within the budget of 1/10s.
	clock.waitForDeadlines(t, start, 31*time.Second, 41*time.Second)
	clock.Advance(10 * time.Second)
	second := firstReturned(t, rest)
	assertPending(t, "before the next slot", rest[1-second])
	clock.Advance(10 * time.Second)
	if err := receive(t, rest[1-second]); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats()["PUT"]; s.Throttled != 1 || s.Sent != 4 {
		t.Errorf("stats %+v, want 4 sent, 1 throttled", s)
	}
}

// firstReturned waits until one of chans delivers a nil error and returns its index.
func firstReturned(t *testing.T, chans []<-chan error) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for i, ch := range chans {
			select {
			case err := <-ch:
				if err != nil {
					t.Fatal(err)
				}
				return i
			default:
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no waiter returned")
	return -1
}

func TestLimiterOwnBackoffGrowsWithoutRetryAfter(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(nil, withClock(clock), withAdaptive(false))
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if held := waitAt(t, l, clock, "GET"); held != 0 && want == time.Second {
			t.Fatalf("first request held %v", held)
		}
		l.Observe("GET", http.StatusTooManyRequests, 0)
		if held := waitAt(t, l, clock, "GET"); held != want {
			t.Errorf("after a 429 held %v, want %v", held, want)
		}
	}
	l.Observe("GET", http.StatusOK, 0)
	if held := waitAt(t, l, clock, "GET"); held != 0 {
		t.Errorf("after an accepted probe held %v", held)
	}
	if l.Stats()["GET"].Learned != (budget.Budget{}) {
		t.Error("learned a budget with adaptive learning off")
	}
}

func TestLimiterCancelledWaiterGivesSlotBack(t *testing.T) {
	clock := newFakeClock(false)
	l := newLimiter(budget.Limits{"PUT": {Requests: 1, Window: 10 * time.Second}}, withClock(clock), withSkewGuard(0))
	if err := l.Wait(bg, "PUT"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancelled := waitAsync(ctx, l, "PUT") // reserves t=10
	clock.waitForTimers(t, 1)
	cancel()
	if err := receive(t, cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Wait returned %v", err)
	}
	next := waitAsync(bg, l, "PUT")
	clock.waitForTimers(t, 1)
	clock.Advance(10 * time.Second) // the given-back slot, not t=20
	if err := receive(t, next); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats()["PUT"]; s.Sent != 2 {
		t.Errorf("%d sent, want 2", s.Sent)
	}
}

func TestLimiterUnlimitedWaitDoesNotAllocate(t *testing.T) {
	l := newLimiter(nil)
	_ = l.Wait(bg, "GET")
	if allocs := testing.AllocsPerRun(1000, func() { _ = l.Wait(bg, "GET") }); allocs != 0 {
		t.Errorf("Wait allocates %.1f times per call on the unlimited path", allocs)
	}
	l = newLimiter(budget.Limits{"PUT": {Requests: 1 << 30, Window: 10 * time.Millisecond}})
	_ = l.Wait(bg, "PUT")
	if allocs := testing.AllocsPerRun(1000, func() { _ = l.Wait(bg, "PUT") }); allocs > 0.01 {
		t.Errorf("Wait allocates %.2f times per call on the limited path", allocs)
	}
}

func TestLimiterLearnsFromFirst429(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(nil, withClock(clock))
	for range 10 { // 10 accepted at t=0
		waitAt(t, l, clock, "PATCH")
		l.Observe("PATCH", http.StatusOK, 0)
	}
	waitAt(t, l, clock, "PATCH")
	l.Observe("PATCH", http.StatusTooManyRequests, 3*time.Second)
	if held := waitAt(t, l, clock, "PATCH"); held != 3*time.Second {
		t.Fatalf("probe held %v, want the Retry-After of 3s", held)
	}
	l.Observe("PATCH", http.StatusOK, 0)
	learned := l.Stats()["PATCH"].Learned
	if learned.Requests != 10 || learned.Window < 3*time.Second || learned.Window > 3*time.Second+time.Duration(historyBucket) {
		t.Errorf("learned %v, want 10 per about 3s", learned)
	}
}

func TestLimiterKeysAreBudgetsOfTheirOwn(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"identity:PUT": {Requests: 1, Window: time.Minute}}, withClock(clock), withSkewGuard(0))
	waitAt(t, l, clock, "identity:PUT")
	if held := waitAt(t, l, clock, "orchestrator:PUT"); held != 0 {
		t.Errorf("orchestrator:PUT after identity:PUT held %v, want no wait", held)
	}
	if held := waitAt(t, l, clock, "identity:PUT"); held != time.Minute {
		t.Errorf("identity:PUT after identity:PUT held %v, want 1m", held)
	}
	waitAt(t, l, clock, "PROPFIND")
	if s := l.Stats(); s["PROPFIND"].Sent != 1 || s["identity:PUT"].Sent != 2 || s["orchestrator:PUT"].Sent != 1 {
		t.Errorf("stats %+v", s)
	}
}

// A 429 on one key closes that key's gate only.
func TestLimiterThrottlesOnlyTheKeyThatGotA429(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(nil, withClock(clock), withSkewGuard(0))
	waitAt(t, l, clock, "orchestrator:PATCH")
	l.Observe("orchestrator:PATCH", http.StatusTooManyRequests, 30*time.Second)
	if held := waitAt(t, l, clock, "identity:PATCH"); held != 0 {
		t.Errorf("identity:PATCH held %v after Orchestrator's 429, want no wait", held)
	}
	if held := waitAt(t, l, clock, "orchestrator:PATCH"); held != 30*time.Second {
		t.Errorf("orchestrator:PATCH held %v after its 429 with Retry-After 30s, want 30s", held)
	}
}

// Waiting tells a progress display which key callers wait for, and how long.
func TestLimiterWaitingNamesTheKeyAndTheNextSlot(t *testing.T) {
	clock := newFakeClock(false)
	l := newLimiter(budget.Limits{"identity:PUT": {Requests: 1, Window: time.Minute}}, withClock(clock), withSkewGuard(0))
	if err := l.Wait(bg, "identity:PUT"); err != nil {
		t.Fatal(err)
	}
	if w := l.Waiting(); len(w) != 0 {
		t.Fatalf("nobody waits, Waiting = %+v", w)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(bg, "identity:PUT") }()
	clock.waitForTimers(t, 1)
	w := l.Waiting()
	if len(w) != 1 || w[0].Key != "identity:PUT" || w[0].Callers != 1 || w[0].Next != time.Minute || w[0].Paused {
		t.Fatalf("Waiting = %+v, want one caller of identity:PUT, next slot in 1m", w)
	}
	clock.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if w := l.Waiting(); len(w) != 0 {
		t.Fatalf("after the slot, Waiting = %+v", w)
	}
}

func TestLimiterConcurrentUseIsSafe(t *testing.T) {
	l := newLimiter(budget.Limits{"PUT": {Requests: 1 << 20, Window: time.Second}})
	var wg atomic.Int32
	done := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer func() {
				if wg.Add(-1) == 0 {
					close(done)
				}
			}()
			for i := range 2000 {
				method := "PUT"
				if i%2 == 0 {
					method = "GET"
				}
				if err := l.Wait(bg, method); err != nil {
					t.Error(err)
					return
				}
				l.Observe(method, http.StatusOK, 0)
			}
		}()
	}
	<-done
	if s := l.Stats(); s["PUT"].Sent != 8000 || s["GET"].Sent != 8000 {
		t.Errorf("stats %+v", s)
	}
}

func BenchmarkLimiterWaitUnlimited(b *testing.B) {
	l := newLimiter(nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = l.Wait(bg, "GET")
		}
	})
}

func BenchmarkLimiterWaitLimitedNotWaiting(b *testing.B) {
	l := newLimiter(budget.Limits{"PUT": {Requests: 1 << 30, Window: 10 * time.Millisecond}})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = l.Wait(bg, "PUT")
		}
	})
}

// A 429 whose Retry-After is longer than the configured window is a pause
// of the server's, not a lesson about the budget: after it, the configured
// budget holds again.
func TestLimiterPauseLongerThanTheWindowTeachesNothing(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"orchestrator:PATCH": {Requests: 10, Window: 5 * time.Second}}, withClock(clock), withSkewGuard(0))
	for range 3 {
		waitAt(t, l, clock, "orchestrator:PATCH")
		l.Observe("orchestrator:PATCH", http.StatusOK, 0)
	}
	l.Observe("orchestrator:PATCH", http.StatusTooManyRequests, 30*time.Second)
	if held := waitAt(t, l, clock, "orchestrator:PATCH"); held != 30*time.Second {
		t.Fatalf("probe held %v, want the 30s pause", held)
	}
	l.Observe("orchestrator:PATCH", http.StatusOK, 0)
	for i := range 9 {
		if held := waitAt(t, l, clock, "orchestrator:PATCH"); held != 0 {
			t.Fatalf("request %d after the pause held %v: the budget shrank", i+1, held)
		}
		l.Observe("orchestrator:PATCH", http.StatusOK, 0)
	}
	if s := l.Stats()["orchestrator:PATCH"]; s.Learned != (budget.Budget{}) {
		t.Fatalf("learned %v from a pause", s.Learned)
	}
}

// roomIs checks what Room says of key: free requests, and when none is
// free, the next slot as an offset from start (zero: none told).
func roomIs(t *testing.T, l *Limiter, key string, start time.Time, wantFree int, wantNext time.Duration) {
	t.Helper()
	free, next := l.Room(key)
	var gotNext time.Duration
	if !next.IsZero() {
		gotNext = next.Sub(start)
	}
	if free != wantFree || gotNext != wantNext {
		t.Errorf("Room(%s) = %d, next at %v; want %d, next at %v", key, free, gotNext, wantFree, wantNext)
	}
}

// Room counts the budget's free slots in the rolling window, says when
// the next comes once none is left, and reserves nothing.
func TestLimiterRoomCountsTheWindowsFreeSlots(t *testing.T) {
	clock := newFakeClock(true)
	start := clock.Now()
	l := newLimiter(budget.Limits{"PUT": {Requests: 3, Window: 10 * time.Second}}, withClock(clock), withSkewGuard(0))
	roomIs(t, l, "PUT", start, 3, 0)
	roomIs(t, l, "PUT", start, 3, 0) // asking takes nothing
	waitAt(t, l, clock, "PUT")       // t=0
	clock.Advance(2 * time.Second)
	waitAt(t, l, clock, "PUT") // t=2
	roomIs(t, l, "PUT", start, 1, 0)
	waitAt(t, l, clock, "PUT") // t=2
	roomIs(t, l, "PUT", start, 0, 10*time.Second)
	clock.Advance(8 * time.Second) // t=10: the first left the window
	roomIs(t, l, "PUT", start, 1, 0)
	if held := waitAt(t, l, clock, "PUT"); held != 0 {
		t.Errorf("the slot Room told of held %v", held)
	}
	roomIs(t, l, "PUT", start, 0, 12*time.Second)
	clock.Advance(2 * time.Second)
	roomIs(t, l, "PUT", start, 2, 0)
}

// A key with no budget has room for anything while its gate is open;
// asking about a key never met does not make it known.
func TestLimiterRoomOfAKeyWithoutBudget(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"identity:PUT": {Requests: 1, Window: time.Minute}}, withClock(clock))
	if free, next := l.Room("orchestrator:PATCH"); free != math.MaxInt || !next.IsZero() {
		t.Errorf("Room of a key never met = %d, %v; want math.MaxInt and no time", free, next)
	}
	if _, met := l.others.Load("orchestrator:PATCH"); met {
		t.Error("Room made the key known")
	}
	waitAt(t, l, clock, "orchestrator:PATCH")
	if free, _ := l.Room("orchestrator:PATCH"); free != math.MaxInt {
		t.Errorf("Room of a key without budget after a send = %d, want math.MaxInt", free)
	}
}

// After a 429 the gate is closed: no room until Retry-After, then room
// for the one probe, none while the probe is out, and all again once it
// is accepted.
func TestLimiterRoomFollowsTheGate(t *testing.T) {
	clock := newFakeClock(false)
	start := clock.Now()
	l := newLimiter(nil, withClock(clock), withAdaptive(false))
	if err := l.Wait(bg, "orchestrator:PATCH"); err != nil {
		t.Fatal(err)
	}
	l.Observe("orchestrator:PATCH", http.StatusTooManyRequests, 3*time.Second)
	roomIs(t, l, "orchestrator:PATCH", start, 0, 3*time.Second)
	clock.Advance(3 * time.Second)
	roomIs(t, l, "orchestrator:PATCH", start, 1, 0)
	if err := l.Wait(bg, "orchestrator:PATCH"); err != nil { // the probe
		t.Fatal(err)
	}
	roomIs(t, l, "orchestrator:PATCH", start, 0, 3*time.Second+time.Duration(probeTimeout))
	l.Observe("orchestrator:PATCH", http.StatusOK, 0)
	roomIs(t, l, "orchestrator:PATCH", start, math.MaxInt, 0)
	l.Stop()
	roomIs(t, l, "orchestrator:PATCH", start, 0, 0)
}

// A budget learned from 429s does not limit the room Room reports (only
// its pauses do): a lane that went by a learned budget held one worker,
// and the additive increase that finds the real budget again then had a
// single request to try with (bench 5 fell from 0.97 to 0.78 of its
// fastest schedule). Its Wait still keeps it.
func TestLimiterRoomIgnoresALearnedBudget(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(nil, withClock(clock))
	for range 10 { // 10 accepted at t=0
		waitAt(t, l, clock, "PATCH")
		l.Observe("PATCH", http.StatusOK, 0)
	}
	waitAt(t, l, clock, "PATCH")
	l.Observe("PATCH", http.StatusTooManyRequests, 3*time.Second)
	if free, next := l.Room("PATCH"); free != 0 || !next.After(clock.Now()) {
		t.Errorf("Room during the pause = %d, next %v; want 0 and the pause's end", free, next.Sub(clock.Now()))
	}
	waitAt(t, l, clock, "PATCH") // the probe, at t=3
	l.Observe("PATCH", http.StatusOK, 0)
	learned := l.Stats()["PATCH"].Learned
	if learned.Requests != 10 {
		t.Fatalf("learned %v, want 10 per about 3s", learned)
	}
	if free, _ := l.Room("PATCH"); free != math.MaxInt {
		t.Errorf("Room with a learned budget = %d, want no limit", free)
	}
}

// A late request widens the guard while it is in the window, not for the
// rest of the run: once requests leave on time again for a window or two,
// the guard is back to what they need.
func TestLimiterGuardForALateRequestWearsOff(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"PUT": {Requests: 1, Window: 5 * time.Second}}, withClock(clock))
	waitAt(t, l, clock, "PUT")
	l.LeftLate("PUT", 400*time.Millisecond)
	var held []time.Duration
	for range 6 {
		held = append(held, waitAt(t, l, clock, "PUT"))
		l.LeftLate("PUT", time.Millisecond)
	}
	if held[0] != 5*time.Second+50*time.Millisecond+400*time.Millisecond {
		t.Errorf("the request after the late one held %v, want the window, the 50 ms guard and the 400 ms it left late", held[0])
	}
	if last := held[len(held)-1]; last != 5*time.Second+50*time.Millisecond+time.Millisecond {
		t.Errorf("requests on time held %v at the end (all: %v), want the late one's 400 ms gone from the guard", last, held)
	}
}

// A request that left late after its slot (a journal synced in between)
// widens its key's guard by that delay, up to a tenth of the window, so
// that the server, counting it when it arrives, sees the budget kept.
func TestLimiterGuardCoversRequestsThatLeftLate(t *testing.T) {
	clock := newFakeClock(true)
	l := newLimiter(budget.Limits{"PUT": {Requests: 1, Window: 5 * time.Second}, "GET": {Requests: 1, Window: 5 * time.Second}}, withClock(clock))
	waitAt(t, l, clock, "PUT")
	l.LeftLate("PUT", 120*time.Millisecond)
	l.LeftLate("PUT", 30*time.Millisecond) // the longest counts
	if held := waitAt(t, l, clock, "PUT"); held != 5*time.Second+50*time.Millisecond+120*time.Millisecond {
		t.Errorf("PUT after a late one held %v, want the window, the 50 ms guard and the 120 ms it left late", held)
	}
	l.LeftLate("PUT", time.Hour)
	if held := waitAt(t, l, clock, "PUT"); held != 5*time.Second+50*time.Millisecond+500*time.Millisecond {
		t.Errorf("PUT after a very late one held %v, want the guard capped at a tenth of the window", held)
	}
	waitAt(t, l, clock, "GET")
	if held := waitAt(t, l, clock, "GET"); held != 5*time.Second+50*time.Millisecond {
		t.Errorf("GET held %v: another key's lateness widened its guard", held)
	}
}
