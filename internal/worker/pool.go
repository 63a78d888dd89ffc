package worker

import (
	"context"
	"errors"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// ErrStopped is what Run returns when a Stopper stopped it without a reason.
var ErrStopped = errors.New("worker pool stopped")

// PoolConfig configures RunPool.
type PoolConfig struct {
	// Workers is the number of jobs run at once; values below 1 mean 1.
	Workers int
	// Drain bounds how long jobs already running may go on once dispatching
	// stopped (Stopper.Stop or cancellation of RunPool's context): after Drain
	// their context is cancelled. Zero or less cancels it at once. Either
	// way every started job's result is still emitted.
	Drain time.Duration
	// Stopper, if not nil, lets do, emit or anyone else stop dispatching.
	Stopper *Stopper
	// OnStop, if not nil, is called once when dispatching stops (the
	// Stopper, or ctx cancelled) before every job ran: a run stops its
	// Limiter there, so that jobs still waiting for a slot send nothing.
	OnStop func(cause error)
	// Force, when closed during the drain, ends it at once: the jobs'
	// context is cancelled (a second interrupt).
	Force <-chan struct{}
	// CaughtUp, if not nil, is called from the emitting goroutine whenever
	// emit has taken every result ready so far, so that a sink can write
	// a batch at once instead of one result at a time. Every emit is
	// followed by a CaughtUp before RunPool returns.
	CaughtUp func()
	// MaxParked bounds the jobs that may wait out a server's pause (a 429
	// with Retry-After, or a Limiter gate closed after one) without
	// holding a worker: while they wait, their workers run the next jobs,
	// so that a pause of one service does not hold up jobs that talk to
	// another. Zero means 16 per worker; a negative value turns parking
	// off.
	MaxParked int
}

// Stopper stops a running pool from the inside (a fatal answer seen by one
// job, a failure threshold reached in emit). A zero Stopper is not valid;
// use NewStopper. Stopping twice keeps the first reason.
type Stopper struct {
	once   sync.Once
	done   chan struct{}
	reason error
}

// NewStopper returns a Stopper that has not stopped.
func NewStopper() *Stopper { return &Stopper{done: make(chan struct{})} }

// Stop ends dispatching: no new job starts, jobs already running finish (see
// PoolConfig.Drain) and are emitted, and RunPool returns reason (ErrStopped if
// reason is nil). It is safe to call from any goroutine, more than once.
func (s *Stopper) Stop(reason error) {
	s.once.Do(func() {
		if reason == nil {
			reason = ErrStopped
		}
		s.reason = reason
		close(s.done)
	})
}

// Done is closed once Stop was called.
func (s *Stopper) Done() <-chan struct{} { return s.done }

// Reason returns the reason given to the first Stop, or nil.
func (s *Stopper) Reason() error {
	select {
	case <-s.done:
		return s.reason
	default:
		return nil
	}
}

// RunPool runs do for each job from jobs on cfg.Workers goroutines (more while
// jobs are parked, see below) and passes every result to emit, which is called from a single goroutine (sinks need
// no locking) in the order results are ready. Jobs start in the order jobs
// yields them (RunPoolLanes may start them in another).
//
// A job's failure belongs in its result R; RunPool itself only fails because it
// was stopped: it returns the Stopper's reason, or the context's cause if
// ctx was cancelled before every job was dispatched, and nil otherwise.
//
// Two lifetimes: dispatching ends when ctx is cancelled or the Stopper
// stops; jobs already running keep a context (carrying ctx's values) that
// is cancelled only cfg.Drain later, so an interrupted run still records
// every row it finished. RunPool returns once the producer has stopped pulling
// from jobs, every started job has been emitted and the drain timer is
// done with.
//
// Exactly the jobs for which emit received a result were started; every
// other job (including one that jobs yielded while dispatching was
// stopping) was never passed to do. Memory is bounded by Workers and
// MaxParked, not by the number of jobs: jobs are pulled only as workers
// become free.
//
// At most Workers jobs run at once, not counting parked ones: a job that
// waits out a server's pause through the Limiter or Retry (with the
// context Run gave it) hands its worker to the next job meanwhile, and
// takes a worker again before it goes on.
func RunPool[J any, R any](ctx context.Context, cfg PoolConfig, jobs iter.Seq[J], do func(ctx context.Context, j J) R, emit func(R)) error {
	return RunPoolLanes(ctx, cfg, Lanes[J]{}, jobs, do, emit)
}

// RunPoolLanes is RunPool with its jobs sorted into lanes (see Lanes): jobs
// are read ahead of the workers, at most lanes' lookahead of them, and a
// free worker takes the oldest job of a lane that has room. Jobs of one
// lane start in the order jobs yields them. Every guarantee of RunPool
// holds: a job read ahead and never started (dispatching stopped while it
// was queued) was never passed to do, and memory is bounded by the
// lookahead as well. With a zero Lanes it is RunPool.
func RunPoolLanes[J any, R any](ctx context.Context, cfg PoolConfig, lanes Lanes[J], jobs iter.Seq[J], do func(ctx context.Context, j J) R, emit func(R)) error {
	workers := max(1, cfg.Workers)
	stopper := cfg.Stopper
	if stopper == nil {
		stopper = NewStopper()
	}
	// jobCtx outlives ctx by at most cfg.Drain: see watchDrain.
	jobCtx, cancelJobs := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelJobs(nil)

	finished := make(chan struct{})
	drainDone := make(chan struct{})
	go watchDrain(ctx, stopper, cfg, cancelJobs, finished, drainDone)

	pending := make(chan handout[J])
	results := make(chan R)
	park := newParking(workers, cfg.MaxParked)
	var exhausted bool
	var running sync.WaitGroup
	park.spawn = func() {
		running.Add(1)
		go func() {
			defer running.Done()
			// One slot and context per goroutine, not per job.
			slot := &jobSlot{p: park}
			slotCtx := context.WithValue(jobCtx, slotKey{}, slot)
			for h := range pending {
				park.active <- struct{}{} // a worker: at most Workers jobs run
				slot.held.Store(true)
				if dispatchStopped(ctx, stopper) {
					slot.release()
					h.lane.finish()
					continue // handed over as the stop came: never started
				}
				r := do(slotCtx, h.job)
				h.lane.finish()
				// Never dropped: the emitter drains results until every
				// goroutine has returned, so this send cannot block forever.
				results <- r
				slot.release()
			}
		}()
	}
	park.goroutines.Store(int64(workers))
	for range workers {
		park.spawn()
	}
	go func() {
		defer close(pending)
		if lanes.on() {
			exhausted = dispatchLanes(ctx, stopper, lanes, workers, jobs, pending)
			return
		}
		exhausted = feed(ctx, stopper, jobs, pending)
	}()
	go func() {
		running.Wait()
		close(results)
	}()
	emitAll(results, emit, cfg.CaughtUp)
	close(finished)
	<-drainDone

	if reason := stopper.Reason(); reason != nil {
		return reason
	}
	if !exhausted && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// handout is a job given to a worker, with the load of its lane (nil
// without lanes).
type handout[J any] struct {
	job  J
	lane *laneLoad
}

// emitAll passes every result to emit until results is closed, and calls
// caughtUp (if not nil) whenever no worker is waiting to hand over another.
func emitAll[R any](results <-chan R, emit func(R), caughtUp func()) {
	behind := false // results emitted since the last caughtUp
	for {
		var r R
		var ok bool
		select {
		case r, ok = <-results:
		default:
			if behind && caughtUp != nil {
				caughtUp()
			}
			behind = false
			r, ok = <-results
		}
		if !ok {
			break
		}
		emit(r)
		behind = true
	}
	if behind && caughtUp != nil {
		caughtUp()
	}
}

// dispatchStopped reports whether no new job may start.
func dispatchStopped(ctx context.Context, stopper *Stopper) bool {
	select {
	case <-ctx.Done():
		return true
	case <-stopper.Done():
		return true
	default:
		return false
	}
}

// feed hands jobs to the workers (or the lanes' dispatcher), one at a
// time as they take them, until jobs is exhausted (it then reports true),
// ctx is cancelled or the Stopper stops.
func feed[J any](ctx context.Context, stopper *Stopper, jobs iter.Seq[J], pending chan<- handout[J]) bool {
	for j := range jobs {
		if dispatchStopped(ctx, stopper) {
			return false
		}
		select {
		case pending <- handout[J]{job: j}:
		case <-ctx.Done():
			return false
		case <-stopper.Done():
			return false
		}
	}
	return true
}

// parking holds the pool's workers (tokens in active) and counts the jobs
// that gave theirs back while they wait out a pause. A parked job keeps
// its goroutine, so parking starts another one (up to Workers plus
// MaxParked in all) to run the next job.
type parking struct {
	active     chan struct{}
	workers    int64
	maxParked  int64
	parked     atomic.Int64
	goroutines atomic.Int64
	spawn      func()
}

func newParking(workers, maxParked int) *parking {
	if maxParked == 0 {
		maxParked = 16 * workers
	}
	return &parking{active: make(chan struct{}, workers), workers: int64(workers), maxParked: int64(max(maxParked, 0))}
}

// ensureGoroutine starts one more goroutine if the parked jobs leave fewer
// than Workers goroutines free to take jobs.
func (p *parking) ensureGoroutine() {
	for {
		n := p.goroutines.Load()
		if n >= p.workers+p.parked.Load() || n >= p.workers+p.maxParked {
			return
		}
		if p.goroutines.CompareAndSwap(n, n+1) {
			p.spawn()
			return
		}
	}
}

// jobSlot is one job's hold on a worker.
type jobSlot struct {
	p    *parking
	held atomic.Bool
}

// slotKey is the key of the job's slot in the context Run gives do: the
// Limiter's and Retry's waits, however deep below do (inside an HTTP
// client's transport), find there the worker they may lend out. Work that
// outlives the job or is shared by several jobs (a token fetch every
// waiting job joins) runs under a context of its own, not a job's, so that
// it never parks on, or takes back, one job's worker.
type slotKey struct{}

// KeepWorker returns ctx for what a job does while it holds something
// other jobs wait for (a lock, a read they all need): its waits for a
// budget or a server's pause keep the job's worker instead of lending it
// out. Lent out, the worker could go to a job that then waits for what
// this one holds, and this one could never take a worker back: every one
// would be held by a job waiting for it.
func KeepWorker(ctx context.Context) context.Context {
	return context.WithValue(ctx, slotKey{}, (*jobSlot)(nil))
}

// release gives the job's worker back when the job ends.
func (s *jobSlot) release() {
	if s.held.CompareAndSwap(true, false) {
		<-s.p.active
	}
}

// parkWhile runs wait (a pause the server asked for) with the job's worker
// handed to the next job, if ctx is a job's context and the pool has room
// for another parked job; then it takes a worker again (or gives up
// taking one when ctx is done) and returns wait's error.
func parkWhile(ctx context.Context, wait func() error) error {
	s, _ := ctx.Value(slotKey{}).(*jobSlot)
	if s == nil || !s.p.reserveParked() {
		return wait()
	}
	defer s.p.parked.Add(-1)
	if !s.held.CompareAndSwap(true, false) {
		return wait() // already parked (a wait of its own inside a wait)
	}
	<-s.p.active
	s.p.ensureGoroutine()
	err := wait()
	select {
	case s.p.active <- struct{}{}:
		s.held.Store(true)
	case <-ctx.Done():
	}
	return err
}

// reserveParked counts one more parked job, if there is room.
func (p *parking) reserveParked() bool {
	for {
		n := p.parked.Load()
		if n >= p.maxParked {
			return false
		}
		if p.parked.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// watchDrain cancels the jobs' context drain after dispatching stopped,
// unless the run finished first.
func watchDrain(ctx context.Context, stopper *Stopper, cfg PoolConfig, cancelJobs context.CancelCauseFunc, finished <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	var cause error
	select {
	case <-finished:
		return
	case <-ctx.Done():
		cause = context.Cause(ctx)
	case <-stopper.Done():
		cause = stopper.Reason()
	}
	if cfg.OnStop != nil {
		cfg.OnStop(cause)
	}
	drain := cfg.Drain
	if drain > 0 {
		t := time.NewTimer(drain)
		defer t.Stop()
		select {
		case <-finished:
			return
		case <-t.C:
		case <-cfg.Force:
			cancelJobs(&ForcedError{Cause: cause})
			return
		}
	}
	cancelJobs(&DrainExpiredError{Drain: drain, Cause: cause})
}

// ForcedError is the cause of a job context cancelled by a forced stop
// (a second interrupt) during the drain.
type ForcedError struct {
	Cause error // why dispatching stopped
}

// Error says the stop was forced, and why dispatching stopped.
func (e *ForcedError) Error() string {
	return "stopped at once (interrupted again) after: " + e.Cause.Error()
}

// Unwrap returns why dispatching stopped.
func (e *ForcedError) Unwrap() error { return e.Cause }

// DrainExpiredError is the cause of a job context cancelled because the
// drain period after a stop ran out.
type DrainExpiredError struct {
	Drain time.Duration
	Cause error // why dispatching stopped
}

// Error says that the drain period ran out, and why dispatching stopped.
func (e *DrainExpiredError) Error() string {
	return "drain period of " + e.Drain.String() + " after stop expired: " + e.Cause.Error()
}

// Unwrap returns why dispatching stopped.
func (e *DrainExpiredError) Unwrap() error { return e.Cause }
