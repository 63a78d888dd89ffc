package emulator

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

type faultKind int

const (
	faultNone faultKind = iota
	fault500
	fault502
	fault503
	resetBefore
	resetAfter
)

// faultInjector draws the fate of each API request from a seeded source, so
// a run with the same FaultSeed sees the same sequence of faults.
type faultInjector struct {
	mu     sync.Mutex
	rng    *rand.Rand
	faults Faults

	throttleNext      atomic.Int64
	throttleUntil     atomic.Int64 // Identity's, unix nanoseconds
	orchThrottleUntil atomic.Int64 // Orchestrator's, unix nanoseconds

	tokenFaults []int // answers for the next token requests (0: drop), under mu

	// unchangedRate is Config.UnchangedPatchRate, drawn from a source of
	// its own so that it leaves the other faults' sequence as it was.
	unchangedRate float64
	unchangedRNG  *rand.Rand // under mu
}

func newFaultInjector(seed int64, f Faults, unchangedRate float64) *faultInjector {
	return &faultInjector{rng: rand.New(rand.NewPCG(uint64(seed), 0xfa017)), faults: f,
		unchangedRate: unchangedRate, unchangedRNG: rand.New(rand.NewPCG(uint64(seed), 0x5a3e0))}
}

// unchangedPatch draws whether a PATCH that would succeed is answered
// without being applied (Config.UnchangedPatchRate).
func (fi *faultInjector) unchangedPatch() bool {
	if fi.unchangedRate <= 0 {
		return false
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.unchangedRNG.Float64() < fi.unchangedRate
}

func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	fi.faults = f
	fi.mu.Unlock()
}

func (fi *faultInjector) current() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.faults
}

// throttledUntil reports whether a throttling period of Identity's (or,
// with orchestrator, Orchestrator's) holds at now, and how long it still
// lasts.
func (fi *faultInjector) throttledUntil(now time.Time, orchestrator bool) (time.Duration, bool) {
	until := &fi.throttleUntil
	if orchestrator {
		until = &fi.orchThrottleUntil
	}
	left := time.Duration(until.Load() - now.UnixNano())
	return left, left > 0
}

// failTokens queues answers for the next token requests.
func (fi *faultInjector) failTokens(statuses []int) {
	fi.mu.Lock()
	fi.tokenFaults = append(fi.tokenFaults, statuses...)
	fi.mu.Unlock()
}

// takeTokenFault consumes the answer queued for this token request, if any.
func (fi *faultInjector) takeTokenFault() (status int, ok bool) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if len(fi.tokenFaults) == 0 {
		return 0, false
	}
	status, fi.tokenFaults = fi.tokenFaults[0], fi.tokenFaults[1:]
	return status, true
}

// takeThrottle consumes one forced 429, if any are pending.
func (fi *faultInjector) takeThrottle() bool {
	for {
		n := fi.throttleNext.Load()
		if n <= 0 {
			return false
		}
		if fi.throttleNext.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// draw decides a request's fault and returns the latency to add.
func (fi *faultInjector) draw() (faultKind, Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.faults
	if f.FaultRate <= 0 && f.ResetRate <= 0 {
		return faultNone, f
	}
	u := fi.rng.Float64()
	switch {
	case u < f.FaultRate:
		statuses := f.FaultStatuses
		if len(statuses) == 0 {
			statuses = injectedStatuses
		}
		return faultFor(statuses[fi.rng.IntN(len(statuses))]), f
	case u < f.FaultRate+f.ResetRate:
		if fi.rng.IntN(2) == 0 {
			return resetBefore, f
		}
		return resetAfter, f
	}
	return faultNone, f
}

// injectedStatuses are the answers FaultRate draws from by default, and
// the only ones Faults.FaultStatuses may name.
var injectedStatuses = []int{500, 502, 503}

// faultFor maps an injected status to its fault.
func faultFor(status int) faultKind {
	switch status {
	case 500:
		return fault500
	case 502:
		return fault502
	}
	return fault503
}
