package worker

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// count yields 0..n-1.
func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// emitChecker records results and fails if emit runs on two goroutines at once.
type emitChecker struct {
	t      *testing.T
	inEmit atomic.Bool
	got    []int
}

func (c *emitChecker) emit(r int) {
	if !c.inEmit.CompareAndSwap(false, true) {
		c.t.Error("emit called concurrently")
	}
	runtime.Gosched()
	c.got = append(c.got, r)
	c.inEmit.Store(false)
}

// assertEachOnce checks got holds distinct values, each once.
func assertEachOnce(t *testing.T, got []int) {
	t.Helper()
	seen := map[int]bool{}
	for _, r := range got {
		if seen[r] {
			t.Errorf("result %d emitted twice", r)
		}
		seen[r] = true
	}
}

func TestRunEmitsEveryJobOnceWithinTheWorkerLimit(t *testing.T) {
	const jobs, workers = 500, 7
	var running, peak atomic.Int32
	c := &emitChecker{t: t}
	err := RunPool(context.Background(), PoolConfig{Workers: workers}, count(jobs), func(_ context.Context, j int) int {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		runtime.Gosched()
		running.Add(-1)
		return j
	}, c.emit)
	if err != nil {
		t.Fatalf("RunPool: %v", err)
	}
	if len(c.got) != jobs {
		t.Fatalf("%d results, want %d", len(c.got), jobs)
	}
	assertEachOnce(t, c.got)
	if p := peak.Load(); p > workers || p < 1 {
		t.Errorf("peak concurrency %d, want 1..%d", p, workers)
	}
}

func TestRunCaughtUpFollowsEveryEmit(t *testing.T) {
	const jobs, workers = 2000, 8
	emitted, caughtAt, calls := 0, 0, 0
	err := RunPool(context.Background(), PoolConfig{Workers: workers, CaughtUp: func() {
		if caughtAt == emitted {
			t.Error("CaughtUp called twice without an emit between")
		}
		caughtAt = emitted
		calls++
	}}, count(jobs), func(_ context.Context, j int) int {
		runtime.Gosched()
		return j
	}, func(int) { emitted++ })
	if err != nil {
		t.Fatalf("RunPool: %v", err)
	}
	if caughtAt != jobs {
		t.Fatalf("last CaughtUp after %d of %d emits", caughtAt, jobs)
	}
	t.Logf("%d emits in %d batches", emitted, calls)
}

func TestRunStopLetsInFlightJobsFinish(t *testing.T) {
	const workers = 4
	reason := errors.New("too many failures")
	stopper := NewStopper()
	var started sync.Map
	release := make(chan struct{})
	var startedCount atomic.Int32
	c := &emitChecker{t: t}
	done := make(chan error, 1)
	go func() {
		done <- RunPool(context.Background(), PoolConfig{Workers: workers, Drain: time.Hour, Stopper: stopper}, count(1000),
			func(ctx context.Context, j int) int {
				started.Store(j, true)
				startedCount.Add(1)
				if j >= 10 {
					<-release // the in-flight jobs at the stop
					if ctx.Err() != nil {
						t.Errorf("job %d: context cancelled before the drain period", j)
					}
				}
				return j
			}, c.emit)
	}()
	for startedCount.Load() < 10+workers {
		runtime.Gosched()
	}
	stopper.Stop(reason)
	close(release)
	if err := <-done; !errors.Is(err, reason) {
		t.Fatalf("RunPool returned %v, want %v", err, reason)
	}
	assertEachOnce(t, c.got)
	n := 0
	started.Range(func(k, _ any) bool {
		n++
		if !slices.Contains(c.got, k.(int)) {
			t.Errorf("job %d started but not emitted", k)
		}
		return true
	})
	if n != len(c.got) {
		t.Errorf("%d started, %d emitted", n, len(c.got))
	}
	if n != 10+workers {
		t.Errorf("%d jobs started, want the %d before the stop only", n, 10+workers)
	}
}

func TestRunStopFromEmit(t *testing.T) {
	stopper := NewStopper()
	c := &emitChecker{t: t}
	err := RunPool(context.Background(), PoolConfig{Workers: 3, Stopper: stopper}, count(100000), func(_ context.Context, j int) int { return j },
		func(r int) {
			c.emit(r)
			if len(c.got) == 50 {
				stopper.Stop(nil)
			}
		})
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("RunPool returned %v, want ErrStopped", err)
	}
	if len(c.got) < 50 || len(c.got) > 50+3 {
		t.Errorf("%d results after a stop at 50 with 3 workers", len(c.got))
	}
	assertEachOnce(t, c.got)
}

func TestRunParentCancelKeepsInFlightJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var startedCount atomic.Int32
	release := make(chan struct{})
	c := &emitChecker{t: t}
	done := make(chan error, 1)
	go func() {
		done <- RunPool(ctx, PoolConfig{Workers: 5, Drain: time.Hour}, count(1000), func(jobCtx context.Context, j int) int {
			startedCount.Add(1)
			<-release
			if jobCtx.Err() != nil {
				t.Errorf("job %d: context cancelled with its parent", j)
			}
			return j
		}, c.emit)
	}()
	for startedCount.Load() < 5 {
		runtime.Gosched()
	}
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunPool returned %v, want context.Canceled", err)
	}
	if len(c.got) != int(startedCount.Load()) || len(c.got) != 5 {
		t.Errorf("%d emitted, %d started, want 5 and 5", len(c.got), startedCount.Load())
	}
}

func TestRunDrainDeadlineCancelsStragglers(t *testing.T) {
	stopper := NewStopper()
	reason := errors.New("fatal answer")
	var causes []error
	var mu sync.Mutex
	var startedCount atomic.Int32
	err := RunPool(context.Background(), PoolConfig{Workers: 3, Drain: 20 * time.Millisecond, Stopper: stopper}, count(10),
		func(ctx context.Context, j int) int {
			if startedCount.Add(1) == 3 {
				stopper.Stop(reason)
			}
			<-ctx.Done() // a straggler that only ends when told to
			mu.Lock()
			causes = append(causes, context.Cause(ctx))
			mu.Unlock()
			return j
		}, func(int) {})
	if !errors.Is(err, reason) {
		t.Fatalf("RunPool returned %v, want %v", err, reason)
	}
	if len(causes) != 3 {
		t.Fatalf("%d stragglers, want 3", len(causes))
	}
	for _, c := range causes {
		var drain *DrainExpiredError
		if !errors.As(c, &drain) || !errors.Is(c, reason) {
			t.Errorf("straggler's cause %v, want a DrainExpiredError wrapping the stop reason", c)
		}
	}
}

func TestRunCompletedRunIgnoresLateCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := RunPool(ctx, PoolConfig{Workers: 2}, count(10), func(_ context.Context, j int) int { return j }, func(int) {})
	if err != nil {
		t.Fatalf("RunPool: %v", err)
	}
}

func TestRunMemoryIndependentOfJobCount(t *testing.T) {
	if testing.Short() {
		t.Skip("a million jobs")
	}
	jobs := 1_000_000
	if raceEnabled {
		jobs = 100_000
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	emitted := 0
	err := RunPool(context.Background(), PoolConfig{Workers: 8}, count(jobs), func(_ context.Context, j int) int { return j },
		func(int) { emitted++ })
	runtime.ReadMemStats(&after)
	if err != nil || emitted != jobs {
		t.Fatalf("RunPool: %v, %d emitted", err, emitted)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d jobs: %d bytes allocated in all", jobs, allocated)
	if allocated > 1<<20 {
		t.Errorf("%d bytes allocated for %d jobs: memory grows with the job count", allocated, jobs)
	}
}

// A job that waits out a server's pause hands its worker to the next job:
// with one worker, job 0 waits until job 1 has run.
func TestRunParkedJobLetsTheNextJobRun(t *testing.T) {
	oneRan := make(chan struct{})
	var running, peak atomic.Int32
	track := func() func() {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		return func() { running.Add(-1) }
	}
	c := &emitChecker{t: t}
	err := RunPool(context.Background(), PoolConfig{Workers: 1}, count(3), func(ctx context.Context, j int) int {
		done := track()
		defer done()
		if j == 0 {
			running.Add(-1) // parked: not running
			err := parkWhile(ctx, func() error {
				select {
				case <-oneRan:
					return nil
				case <-time.After(10 * time.Second):
					return errors.New("job 1 never ran while job 0 was parked")
				}
			})
			running.Add(1)
			if err != nil {
				t.Error(err)
			}
		}
		if j == 1 {
			close(oneRan)
		}
		return j
	}, c.emit)
	if err != nil || len(c.got) != 3 {
		t.Fatalf("RunPool: %v, results %v", err, c.got)
	}
	assertEachOnce(t, c.got)
	if p := peak.Load(); p != 1 {
		t.Errorf("peak of running (not parked) jobs %d, want 1", p)
	}
}

// With parking off, a waiting job keeps its worker.
func TestRunParkingOffKeepsTheWorker(t *testing.T) {
	var order []int
	var mu sync.Mutex
	err := RunPool(context.Background(), PoolConfig{Workers: 1, MaxParked: -1}, count(2), func(ctx context.Context, j int) int {
		_ = parkWhile(ctx, func() error { time.Sleep(50 * time.Millisecond); return nil })
		mu.Lock()
		order = append(order, j)
		mu.Unlock()
		return j
	}, func(int) {})
	if err != nil || !slices.Equal(order, []int{0, 1}) {
		t.Fatalf("RunPool: %v, finishing order %v, want 0 then 1", err, order)
	}
}

// A job that holds a lock other jobs wait for keeps its worker through a
// pause under KeepWorker: lent out, the worker would go to a job that
// blocks on the lock, and the holder could never take one back (every
// worker held by a job waiting for it). With one worker and jobs 1..3
// waiting for job 0's lock, every job ends.
func TestKeepWorkerHoldsTheWorkerWhileOthersWaitForTheJob(t *testing.T) {
	for _, keep := range []bool{true, false} {
		var lock sync.Mutex
		locked := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- RunPool(context.Background(), PoolConfig{Workers: 1}, count(4), func(ctx context.Context, j int) int {
				if j == 0 {
					lock.Lock()
					close(locked)
					if keep {
						ctx = KeepWorker(ctx)
					}
					_ = parkWhile(ctx, func() error { time.Sleep(100 * time.Millisecond); return nil })
					lock.Unlock()
					return j
				}
				<-locked
				lock.Lock() // waits for job 0, holding its worker
				lock.Unlock()
				return j
			}, func(int) {})
		}()
		select {
		case err := <-done:
			if !keep {
				t.Fatalf("without KeepWorker the pool ended (%v): the test no longer shows what KeepWorker prevents", err)
			}
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(3 * time.Second):
			if keep {
				t.Fatal("a job holding a lock under KeepWorker still lent its worker: the pool hangs")
			}
		}
	}
}
