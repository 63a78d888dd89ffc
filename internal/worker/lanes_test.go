package worker

import (
	"context"
	"errors"
	"iter"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// laneJob is a test job: its number in the order produced, and its lane.
type laneJob struct {
	n    int
	lane string
}

// laneJobs yields jobs 0..len(lanes)-1, job i in lanes[i], counting the
// jobs pulled.
func laneJobs(lanes []string, pulled *atomic.Int32) iter.Seq[laneJob] {
	return func(yield func(laneJob) bool) {
		for i, l := range lanes {
			pulled.Add(1)
			if !yield(laneJob{n: i, lane: l}) {
				return
			}
		}
	}
}

// repeat returns n copies of lane.
func repeat(lane string, n int) []string { return slices.Repeat([]string{lane}, n) }

// fakeRoom is a Room whose lanes' free counts a test sets (unset: no
// budget).
type fakeRoom struct {
	mu   sync.Mutex
	free map[string]int
}

func newFakeRoom(free map[string]int) *fakeRoom { return &fakeRoom{free: free} }

func (r *fakeRoom) room(lane string) (int, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n, ok := r.free[lane]; ok {
		return n, time.Time{}
	}
	return math.MaxInt, time.Time{}
}

func (r *fakeRoom) set(lane string, free int) {
	r.mu.Lock()
	r.free[lane] = free
	r.mu.Unlock()
}

// starts records the jobs started, in order, and each lane's running
// jobs and their peak.
type starts struct {
	mu      sync.Mutex
	order   []laneJob
	running map[string]int
	peak    map[string]int
}

func newStarts() *starts { return &starts{running: map[string]int{}, peak: map[string]int{}} }

func (s *starts) start(j laneJob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.order = append(s.order, j)
	s.running[j.lane]++
	s.peak[j.lane] = max(s.peak[j.lane], s.running[j.lane])
}

func (s *starts) end(j laneJob) {
	s.mu.Lock()
	s.running[j.lane]--
	s.mu.Unlock()
}

// of returns the numbers of lane's jobs started so far, in start order.
func (s *starts) of(lane string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, j := range s.order {
		if j.lane == lane {
			out = append(out, j.n)
		}
	}
	return out
}

func (s *starts) peakOf(lane string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak[lane]
}

// eventually waits (in real time) until cond holds, failing after 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A lane whose budget is used up holds one worker, its job waiting for a
// slot; the other lanes' jobs, produced behind all of its jobs, run on the
// other workers meanwhile. When its budget grows back, its jobs go on, in
// the order produced.
func TestLanesOpenLaneRunsWhileABlockedLaneWaits(t *testing.T) {
	const identity, orchestrator = "identity:PUT", "orchestrator:PATCH"
	lanes := slices.Concat(repeat(identity, 40), repeat(orchestrator, 20))
	room := newFakeRoom(map[string]int{identity: 0})
	slot := make(chan struct{}) // the identity budget's slots
	s := newStarts()
	var pulled atomic.Int32
	c := &emitChecker{t: t}
	done := make(chan error, 1)
	go func() {
		done <- RunPoolLanes(context.Background(), PoolConfig{Workers: 4}, Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: room.room},
			laneJobs(lanes, &pulled), func(_ context.Context, j laneJob) int {
				s.start(j)
				defer s.end(j)
				if j.lane == identity {
					<-slot
				}
				return j.n
			}, func(n int) { c.emit(n) })
	}()
	eventually(t, "every orchestrator job started", func() bool { return len(s.of(orchestrator)) == 20 })
	if got := s.of(identity); len(got) != 1 || s.peakOf(identity) != 1 {
		t.Errorf("identity jobs started while its budget was used up: %v (peak running %d), want job 0 alone", got, s.peakOf(identity))
	}
	room.set(identity, 1) // one slot at a time: in order
	close(slot)
	if err := <-done; err != nil {
		t.Fatalf("RunPoolLanes: %v", err)
	}
	if len(c.got) != len(lanes) {
		t.Fatalf("%d results, want %d", len(c.got), len(lanes))
	}
	assertEachOnce(t, c.got)
	// One at a time, so in the order handed out (on several workers,
	// jobs handed out in order may enter do in another).
	if got := s.of(identity); !slices.IsSorted(got) {
		t.Errorf("identity jobs started in the order %v, want the order produced", got)
	}
	if p := s.peakOf(identity); p > 1 {
		t.Errorf("peak of identity jobs running %d with room for 1", p)
	}
}

// A lane with room for n runs at most n jobs at once, however many
// workers are free.
func TestLanesRunNoMoreThanTheLanesRoom(t *testing.T) {
	room := newFakeRoom(map[string]int{"a": 3})
	release := make(chan struct{})
	s := newStarts()
	var pulled atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- RunPoolLanes(context.Background(), PoolConfig{Workers: 8}, Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: room.room},
			laneJobs(repeat("a", 30), &pulled), func(_ context.Context, j laneJob) int {
				s.start(j)
				defer s.end(j)
				<-release
				return j.n
			}, func(int) {})
	}()
	eventually(t, "three jobs started", func() bool { return len(s.of("a")) == 3 })
	time.Sleep(3 * lanePoll) // a wrongly started fourth has time to show
	if n := len(s.of("a")); n != 3 {
		t.Errorf("%d jobs started with room for 3", n)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := s.peakOf("a"); p != 3 {
		t.Errorf("peak running %d, want 3", p)
	}
}

// Jobs of lanes with room start in the order produced, whatever their lane.
func TestLanesKeepTheOrderProducedAcrossOpenLanes(t *testing.T) {
	lanes := make([]string, 200)
	for i := range lanes {
		lanes[i] = []string{"a", "b", "c"}[i%3]
	}
	s := newStarts()
	var pulled atomic.Int32
	err := RunPoolLanes(context.Background(), PoolConfig{Workers: 1}, Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: newFakeRoom(map[string]int{}).room},
		laneJobs(lanes, &pulled), func(_ context.Context, j laneJob) int { s.start(j); s.end(j); return j.n }, func(int) {})
	if err != nil {
		t.Fatal(err)
	}
	var order []int
	for _, j := range s.order {
		order = append(order, j.n)
	}
	if len(order) != len(lanes) || !slices.IsSorted(order) {
		t.Errorf("started %v, want 0..%d in order", order, len(lanes)-1)
	}
}

// The jobs read ahead are bounded: with every lane blocked, the pool pulls
// the lookahead's worth beyond the one running job (and one more, held by
// the producer until there is room), not the whole producer.
func TestLanesBoundTheLookahead(t *testing.T) {
	for _, tc := range []struct {
		lookahead, workers, want int
	}{
		{8, 2, 8},
		{0, 2, 128},     // 64 per worker
		{0, 100, 4096},  // at most 4,096
		{5000, 1, 5000}, // as asked
	} {
		room := newFakeRoom(map[string]int{"a": 0})
		release := make(chan struct{})
		var pulled, started atomic.Int32
		done := make(chan error, 1)
		go func() {
			done <- RunPoolLanes(context.Background(), PoolConfig{Workers: tc.workers}, Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: room.room, Lookahead: tc.lookahead},
				laneJobs(repeat("a", 6000), &pulled), func(_ context.Context, j laneJob) int {
					started.Add(1)
					<-release
					return j.n
				}, func(int) {})
		}()
		want := int32(1 + tc.want + 1) // running, queued, held by the producer
		eventually(t, "the lookahead filled", func() bool { return pulled.Load() >= want })
		time.Sleep(3 * lanePoll)
		if p, s := pulled.Load(), started.Load(); p != want || s != 1 {
			t.Errorf("lookahead %d, %d workers: %d jobs pulled and %d started, want %d and 1", tc.lookahead, tc.workers, p, s, want)
		}
		close(release)
		room.set("a", math.MaxInt)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := started.Load(); n != 6000 {
			t.Errorf("%d jobs started, want 6000", n)
		}
	}
}

// A stop while jobs sit in the lookahead: the jobs running finish and are
// emitted, the queued ones are never passed to do, and the pool returns
// the stop's reason (or the context's cause).
func TestLanesStopLeavesQueuedJobsUnstarted(t *testing.T) {
	for _, viaContext := range []bool{false, true} {
		reason := errors.New("too many failures")
		ctx, cancel := context.WithCancel(context.Background())
		stopper := NewStopper()
		stop := func() { stopper.Stop(reason) }
		if viaContext {
			stop = cancel
		}
		room := newFakeRoom(map[string]int{"blocked": 0})
		lanes := slices.Concat(repeat("blocked", 50), repeat("open", 50))
		release := make(chan struct{})
		var startedSet sync.Map
		var startedCount, pulled atomic.Int32
		c := &emitChecker{t: t}
		var stoppedCause error
		done := make(chan error, 1)
		go func() {
			done <- RunPoolLanes(ctx, PoolConfig{Workers: 3, Drain: time.Hour, Stopper: stopper, OnStop: func(cause error) { stoppedCause = cause }},
				Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: room.room},
				laneJobs(lanes, &pulled), func(jobCtx context.Context, j laneJob) int {
					startedSet.Store(j.n, true)
					startedCount.Add(1)
					if j.lane == "blocked" || j.n >= 60 {
						<-release
					}
					if jobCtx.Err() != nil {
						t.Errorf("job %d: context cancelled before the drain", j.n)
					}
					return j.n
				}, c.emit)
		}()
		// Job 0 (blocked) and open jobs 50..59 ran; 60 and 61 now hold the
		// two other workers, the rest is queued.
		eventually(t, "the workers busy", func() bool { return startedCount.Load() == 1+10+2 })
		stop()
		close(release)
		err := <-done
		cancel()
		want := reason
		if viaContext {
			want = context.Canceled
		}
		if !errors.Is(err, want) || !errors.Is(stoppedCause, want) {
			t.Errorf("RunPoolLanes returned %v, OnStop got %v; want %v", err, stoppedCause, want)
		}
		assertEachOnce(t, c.got)
		n := 0
		startedSet.Range(func(k, _ any) bool {
			n++
			if !slices.Contains(c.got, k.(int)) {
				t.Errorf("job %d started but not emitted", k)
			}
			return true
		})
		if n != len(c.got) || n != 13 {
			t.Errorf("%d started, %d emitted, want the 13 running or done before the stop", n, len(c.got))
		}
		if p := int(pulled.Load()); p <= n {
			t.Errorf("%d jobs pulled: none was queued at the stop", p)
		}
	}
}

// Without lanes (a zero Lanes), RunPoolLanes is RunPool: jobs start in the
// order produced, one worker after the other.
func TestLanesZeroIsRunPool(t *testing.T) {
	var pulled atomic.Int32
	s := newStarts()
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- RunPoolLanes(context.Background(), PoolConfig{Workers: 2}, Lanes[laneJob]{}, laneJobs(repeat("a", 100), &pulled),
			func(_ context.Context, j laneJob) int { s.start(j); <-release; return j.n }, func(int) {})
	}()
	eventually(t, "two jobs started", func() bool { return len(s.of("a")) == 2 })
	time.Sleep(20 * time.Millisecond)
	if p := pulled.Load(); p > 3 {
		t.Errorf("%d jobs pulled with two running: RunPool reads no further than the next job", p)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Memory by lanes is bounded by the lookahead, not by the number of jobs.
func TestLanesMemoryIndependentOfJobCount(t *testing.T) {
	if testing.Short() {
		t.Skip("a million jobs")
	}
	n := 1_000_000
	if raceEnabled {
		n = 100_000
	}
	names := []string{"identity:PUT", "orchestrator:PATCH", "identity:POST"}
	jobs := func(yield func(laneJob) bool) {
		for i := range n {
			if !yield(laneJob{n: i, lane: names[i%len(names)]}) {
				return
			}
		}
	}
	room := newFakeRoom(map[string]int{"identity:PUT": 2})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	emitted := 0
	err := RunPoolLanes(context.Background(), PoolConfig{Workers: 8}, Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: room.room},
		jobs, func(_ context.Context, j laneJob) int { return j.n }, func(int) { emitted++ })
	runtime.ReadMemStats(&after)
	if err != nil || emitted != n {
		t.Fatalf("RunPoolLanes: %v, %d emitted", err, emitted)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d jobs: %d bytes allocated in all", n, allocated)
	if allocated > 1<<20 {
		t.Errorf("%d bytes allocated for %d jobs: memory grows with the job count", allocated, n)
	}
}

// The dispatcher's cost per job, against RunPool's, for jobs that do
// nothing: go test -bench Dispatch -run ^$ ./internal/worker
func BenchmarkDispatch(b *testing.B) {
	l := newLimiter(nil)
	for _, byLanes := range []bool{false, true} {
		name, lanes := "in order", Lanes[laneJob]{}
		if byLanes {
			name, lanes = "by lanes", Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: l.Room}
		}
		b.Run(name, func(b *testing.B) {
			jobs := make([]string, b.N)
			for i := range jobs {
				jobs[i] = []string{"identity:PUT", "orchestrator:PATCH"}[i%2]
			}
			var pulled atomic.Int32
			b.ResetTimer()
			err := RunPoolLanes(context.Background(), PoolConfig{Workers: 16}, lanes, laneJobs(jobs, &pulled),
				func(_ context.Context, j laneJob) int { _ = l.Wait(bg, j.lane); return j.n }, func(int) {})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// A run whose every job was handed out has not been stopped short, even if
// its context ends before the dispatcher looks again: it reports nil, as
// RunPool does, not the context's cause.
func TestLanesEveryJobHandedOutIsNotAStop(t *testing.T) {
	for _, lanes := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		cancelled := make(chan struct{})
		jobs := func(yield func(laneJob) bool) {
			if yield(laneJob{n: 0, lane: "a"}) {
				<-cancelled // the last job is out; the run's context ends before the producer is done
			}
		}
		var l Lanes[laneJob]
		if lanes {
			l = Lanes[laneJob]{Of: func(j laneJob) string { return j.lane }, Room: newFakeRoom(map[string]int{}).room}
		}
		ran := 0
		err := RunPoolLanes(ctx, PoolConfig{Workers: 2, Drain: time.Hour}, l, jobs,
			func(context.Context, laneJob) int { cancel(); close(cancelled); return 1 },
			func(n int) { ran += n })
		if err != nil || ran != 1 {
			t.Errorf("lanes %v: every job ran (%d) yet the pool returned %v", lanes, ran, err)
		}
	}
}
