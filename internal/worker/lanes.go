package worker

import (
	"context"
	"iter"
	"sync/atomic"
	"time"
)

// Lanes sorts a pool's jobs by the budget each one waits for (RunPoolLanes),
// so that the jobs of a budget that is used up do not take every worker
// while another budget's jobs could run. A job waiting for its budget's
// slot keeps its worker (see Limiter.Wait); fed in order, a run of such
// jobs would hold every worker and the jobs behind them, whose budget is
// free, would wait too.
//
// The pool reads jobs ahead of the workers into one queue per lane, and a
// free worker takes the oldest queued job of a lane that has room: a lane
// has room while its jobs given to workers and not finished are fewer than
// max(1, free), free being what Room says. A lane whose budget is used up
// (or whose gate is closed after a 429) so holds one worker, its job
// waiting for the nearest slot, and the other workers run other lanes'
// jobs. When no lane has room, the pool waits (not a worker) until a job
// finishes, a blocked lane's next slot comes, a new job is read, or the
// run stops; it asks the blocked lanes again at least every lanePoll, so
// that a budget that grows or a gate that reopens is seen.
type Lanes[J any] struct {
	// Of names a job's lane: the Limiter key of the request it waits for.
	Of func(J) string
	// Room says how many jobs of a lane could start now without waiting
	// and, when none can, when one may (zero: unknown): Limiter.Room.
	Room func(lane string) (free int, next time.Time)
	// Lookahead bounds the jobs read ahead and not yet given to a
	// worker; zero or less means 64 per worker, at most 4,096.
	Lookahead int
}

// lanePoll is the longest the dispatcher waits before it asks a blocked
// lane's room again.
const lanePoll = 50 * time.Millisecond

// idleLanes is how many lanes with nothing queued or running the
// dispatcher keeps (their queues' arrays reused) before it forgets them.
const idleLanes = 64

// on reports whether the jobs go by lanes.
func (l Lanes[J]) on() bool { return l.Of != nil && l.Room != nil }

// lookahead is the most jobs queued at once for workers workers.
func (l Lanes[J]) lookahead(workers int) int {
	if l.Lookahead > 0 {
		return l.Lookahead
	}
	return min(64*workers, 4096)
}

// laneLoad counts a lane's jobs given to workers and not finished; a
// finish wakes the dispatcher.
type laneLoad struct {
	running atomic.Int64
	wake    chan<- struct{}
}

// finish counts a job of the lane out (nil: a pool without lanes).
func (l *laneLoad) finish() {
	if l == nil {
		return
	}
	l.running.Add(-1)
	select {
	case l.wake <- struct{}{}:
	default: // a wake-up is already due
	}
}

// queuedJob is a job read ahead, with its place in the order read.
type queuedJob[J any] struct {
	seq uint64
	job J
}

// laneQueue is a lane's jobs read ahead, oldest first, and its load.
type laneQueue[J any] struct {
	load laneLoad
	jobs []queuedJob[J]
	head int
}

func (q *laneQueue[J]) len() int { return len(q.jobs) - q.head }

// front returns the oldest queued job; the queue is not empty.
func (q *laneQueue[J]) front() queuedJob[J] { return q.jobs[q.head] }

// push queues a job, reusing the slots of jobs already taken.
func (q *laneQueue[J]) push(j queuedJob[J]) {
	if q.head > 0 && len(q.jobs) == cap(q.jobs) {
		n := copy(q.jobs, q.jobs[q.head:])
		clear(q.jobs[n:])
		q.jobs, q.head = q.jobs[:n], 0
	}
	q.jobs = append(q.jobs, j)
}

// pop drops the oldest queued job.
func (q *laneQueue[J]) pop() {
	q.jobs[q.head] = queuedJob[J]{} // the queue no longer holds it
	if q.head++; q.head == len(q.jobs) {
		q.jobs, q.head = q.jobs[:0], 0
	}
}

// laneDispatcher holds the queues of a RunPoolLanes; only the dispatching
// goroutine touches it.
type laneDispatcher[J any] struct {
	lanes  Lanes[J]
	queues map[string]*laneQueue[J]
	queued int    // jobs in every queue
	seq    uint64 // jobs read so far
	wake   chan struct{}
}

// add queues a job read from the producer in its lane.
func (d *laneDispatcher[J]) add(j J) {
	name := d.lanes.Of(j)
	q := d.queues[name]
	if q == nil {
		q = &laneQueue[J]{load: laneLoad{wake: d.wake}}
		d.queues[name] = q
	}
	q.push(queuedJob[J]{seq: d.seq, job: j})
	d.seq++
	d.queued++
}

// choose returns the lane whose oldest queued job is the oldest among the
// lanes with room (nil: none), and, when some lane with queued jobs has
// no room, how long to wait before asking again (0: none waits). Beyond
// idleLanes lanes, those with nothing queued or running are forgotten.
func (d *laneDispatcher[J]) choose() (*laneQueue[J], time.Duration) {
	var best *laneQueue[J]
	var wait time.Duration
	forget := len(d.queues) > idleLanes
	for name, q := range d.queues {
		running := q.load.running.Load()
		if q.len() == 0 {
			if forget && running <= 0 {
				delete(d.queues, name)
			}
			continue
		}
		free, next := d.lanes.Room(name)
		if running < int64(max(1, free)) {
			if best == nil || q.front().seq < best.front().seq {
				best = q
			}
			continue
		}
		w := lanePoll
		if !next.IsZero() {
			w = min(w, max(time.Until(next), time.Millisecond))
		}
		if wait == 0 || w < wait {
			wait = w
		}
	}
	return best, wait
}

// dispatchLanes is feed by lanes: a goroutine pulls jobs from the producer
// as the lookahead has room, and the jobs go to free workers from the
// lanes' queues (see Lanes), until every job was handed out (it then
// reports true), ctx is cancelled or the Stopper stops. It returns once
// the producer has stopped; jobs still queued then were never started.
func dispatchLanes[J any](ctx context.Context, stopper *Stopper, lanes Lanes[J], workers int, jobs iter.Seq[J], pending chan<- handout[J]) bool {
	read := make(chan handout[J])
	var exhausted bool
	go func() {
		defer close(read)
		exhausted = feed(ctx, stopper, jobs, read)
	}()
	d := &laneDispatcher[J]{lanes: lanes, queues: map[string]*laneQueue[J]{}, wake: make(chan struct{}, 1)}
	limit := lanes.lookahead(workers)
	timer := time.NewTimer(lanePoll)
	defer timer.Stop()
	in := (<-chan handout[J])(read)
	for !dispatchStopped(ctx, stopper) {
		if in == nil && d.queued == 0 {
			return exhausted // read after read closed
		}
		lane, wait := d.choose()
		var out chan<- handout[J]
		var next handout[J]
		if lane != nil {
			out, next = pending, handout[J]{job: lane.front().job, lane: &lane.load}
		}
		var more <-chan handout[J]
		if d.queued < limit {
			more = in
		}
		var tick <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case out <- next:
			lane.pop()
			lane.load.running.Add(1)
			d.queued--
		case h, ok := <-more:
			if !ok {
				in = nil
				continue
			}
			d.add(h.job)
		case <-d.wake:
		case <-tick:
		case <-ctx.Done():
		case <-stopper.Done():
		}
	}
	// Stopped: the queued jobs are never started. The producer sees the
	// stop at its next job at the latest; what it hands over meanwhile is
	// dropped too. A stop that came after the last job was handed out
	// stopped nothing: the dispatch is exhausted, as feed reports it.
	dropped := d.queued > 0
	if in != nil {
		for range in {
			dropped = true
		}
	}
	return exhausted && !dropped
}
