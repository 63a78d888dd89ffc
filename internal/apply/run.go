package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// ErrMaxFailures stops a run whose failed rows reached --max-failures.
var ErrMaxFailures = errors.New("stopped: the number of failed rows reached --max-failures")

// ErrUnauthorized stops a run whose credentials were refused: every
// further row would fail the same way.
var ErrUnauthorized = errors.New("stopped: UiPath refused the credentials")

// Sink receives each finished row (report.Writer is one).
type Sink interface {
	// Write records a row and flushes it through to the operating system.
	Write(r report.Result, job *manifest.Job) error
	// Append records a row that the next Flush writes through.
	Append(r report.Result, job *manifest.Job) error
	Flush() error
	// WriteFailedJob re-adds a failed row of an interrupted run to the
	// failed-rows manifest.
	WriteFailedJob(job *manifest.Job) error
}

// RunConfig configures RunRows.
type RunConfig struct {
	Workers int
	// Drain bounds how long in-flight rows may take to finish once the run
	// is stopped or interrupted.
	Drain time.Duration
	// OnStop, when set, is called once as dispatching stops before every
	// row ran (an interrupt, --max-failures, refused credentials): the
	// run's limiter stops there, so rows waiting for a budget slot send
	// nothing (see worker.Limiter.Stop).
	OnStop func(cause error)
	// Force, when closed during the drain, ends it at once (a second
	// interrupt): requests on the wire are abandoned.
	Force <-chan struct{}
	// MaxFailures stops dispatching after that many failed rows (0: never).
	MaxFailures int
	// Resume holds the rows a resumed run must not run again, and the
	// intents of rows an interrupted run may have sent.
	Resume journal.State
	// Journal, when set, records each row's completion after its result
	// is in the sink.
	Journal *journal.Journal
	// OnDispatch is called when a row is handed to a worker (with Room
	// set, on the workers' goroutines, concurrently), and OnResult after
	// each row is recorded (progress); both optional.
	OnDispatch func()
	OnResult   func(report.Result)
	// IsAuthFailure says whether a failure means the credentials are bad.
	IsAuthFailure func(report.Result) bool
	// Phases are the phases with rows to run (Census.Phases), taken in
	// order, one pass over the manifest each; Reopen opens the manifest
	// again for each pass after the first. Nil Phases: one pass of every
	// row.
	Phases []Phase
	Reopen func() (*manifest.Reader, error)
	// BeforePhase, when set, runs before each phase after the first;
	// created says what the phase before created (the resolver reads
	// those lists again).
	BeforePhase func(ctx context.Context, p Phase, created Created) error
	// BulkSize is the most rows one request carries in the phases that
	// send bulk requests (memberships, deletes); below 2, none do.
	BulkSize int
	// Room, when set, says how many requests of a budget's key could
	// start now, and when the next may (worker.Limiter.Room): rows are
	// then read ahead and sorted by the budget their requests wait for
	// (Lane), so that rows whose budget is used up hold one worker, not
	// every one, and rows of other budgets run meanwhile. Nil: rows start
	// in manifest order.
	Room func(key string) (free int, next time.Time)
}

// Outcome is how a run ended.
type Outcome struct {
	// Stopped is why the run stopped early (nil: every row was dispatched).
	Stopped error
	// Dispatched and NotRun count rows sent to the pool (read ahead of
	// the workers included) and rows recorded as not run because the run
	// stopped first.
	Dispatched, NotRun, Resumed int
}

// RunRows executes every job of the manifest through the worker pool and
// records each result in sink, exactly once per row: rows finished by an
// interrupted run (cfg.Resume) are skipped, and rows the run never
// dispatched because it stopped early are recorded as skipped
// (report.CodeNotRun). A row's failure is a result, not an error; RunRows
// returns an error only when the manifest cannot be read or the sink fails.
func RunRows(ctx context.Context, src *manifest.Reader, exec *Executor, sink Sink, cfg RunConfig) (Outcome, error) {
	r := &run{
		exec: exec, cfg: cfg, stopper: worker.NewStopper(),
		in:  intake{src: src, sink: sink, resume: cfg.Resume},
		rec: recorder{sink: sink, journal: cfg.Journal},
	}
	r.pending.rows = make(map[int]*manifest.Job)
	return r.run(ctx)
}

// run is one RunRows. Its steps are methods — produce, execute, emit, flush,
// recordNotRun — and each piece of its state has one owner:
//   - stopper: whether and why the run stopped; any step may stop it (the
//     first cause is kept), and it is safe for concurrent use;
//   - pending: the rows handed to the pool and not yet emitted; produce
//     adds, emit removes (under its lock), recordNotRun takes the rest;
//   - in: the manifest being read, its error and the counts of rows
//     dispatched and resumed, touched only by produce (on the pool's
//     feeding goroutine) and, once the pool returned, by recordNotRun;
//   - rec: what is recorded in the sink and the journal, touched only by
//     emit and flush (on the pool's emitting goroutine) and, once the pool
//     returned, by recordNotRun.
type run struct {
	exec    *Executor
	cfg     RunConfig
	stopper *worker.Stopper
	pending pending
	in      intake
	rec     recorder
	// phase is the phase being run; reopened the manifest opened for it
	// (nil for the first pass: the caller's).
	phase    Phase
	reopened *manifest.Reader
}

// allPhases stands for one pass of every row.
const allPhases Phase = -1

// inPhase reports whether job runs in the phase being run.
func (r *run) inPhase(job *manifest.Job) bool {
	return r.phase == allPhases || PhaseOf(job) == r.phase
}

// nextPass opens the manifest again for phase p, after the hook that
// readies the resolver for it; a failure stops the run.
func (r *run) nextPass(ctx context.Context, p Phase) bool {
	if r.cfg.BeforePhase != nil {
		if err := r.cfg.BeforePhase(ctx, p, r.rec.created); err != nil {
			r.stopper.Stop(fmt.Errorf("before the %s phase: %w", p, err))
			return false
		}
	}
	src, err := r.cfg.Reopen()
	if err != nil {
		r.in.err = fmt.Errorf("read manifest again for the %s phase: %w", p, err)
		r.stopper.Stop(r.in.err)
		return false
	}
	if r.reopened != nil {
		r.reopened.Close()
	}
	r.in.src, r.reopened = src, src
	r.rec.created = Created{}
	return true
}

// pending is the rows handed to the pool and not yet emitted: if the pool
// returns without running some, they are recorded as not run.
type pending struct {
	mu   sync.Mutex
	rows map[int]*manifest.Job
}

func (p *pending) add(job *manifest.Job) {
	p.mu.Lock()
	p.rows[job.Row] = job
	p.mu.Unlock()
}

func (p *pending) remove(row int) {
	p.mu.Lock()
	delete(p.rows, row)
	p.mu.Unlock()
}

// left returns the rows still pending.
func (p *pending) left() []*manifest.Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*manifest.Job, 0, len(p.rows))
	for _, j := range p.rows {
		out = append(out, j)
	}
	// In manifest order: the report lists a stopped run's rows not run the
	// same way every time.
	slices.SortFunc(out, func(a, b *manifest.Job) int { return a.Row - b.Row })
	return out
}

// intake is the reading side of a run: the manifest, and what was read.
type intake struct {
	src    *manifest.Reader
	sink   Sink // where a resumed failed row goes back to the failed-rows manifest
	resume journal.State
	err    error // the manifest could not be read, or a resumed row not re-added
	// dispatched and resumed count the rows handed to the pool and the
	// rows an interrupted run finished.
	dispatched, resumed int
}

// recorder is the recording side of a run.
type recorder struct {
	sink    Sink
	journal *journal.Journal
	err     error   // the sink or the journal failed: nothing more is recorded
	failed  int     // rows failed, for --max-failures
	notRun  int     // rows recorded as not run
	created Created // what the phase's rows created
	// completed are the rows emitted and not yet flushed: the journal
	// marks them done only once the sink has them on disk.
	completed []journal.Completion
}

// result is a finished task with the job it came from.
type result struct {
	res report.Result
	job *manifest.Job
}

func (r *run) run(ctx context.Context) (Outcome, error) {
	phases := r.cfg.Phases
	if phases == nil {
		phases = []Phase{allPhases}
	}
	var poolErr error
	for i, p := range phases {
		if i > 0 {
			if !r.nextPass(ctx, p) {
				break
			}
		}
		r.phase = p
		poolErr = worker.RunPoolLanes(ctx, worker.PoolConfig{Workers: r.cfg.Workers, Drain: r.cfg.Drain, Stopper: r.stopper, CaughtUp: r.flush,
			OnStop: r.cfg.OnStop, Force: r.cfg.Force}, r.lanes(),
			iter.Seq[[]*Task](r.produce(ctx)), r.execute, r.emitAll)
		if poolErr != nil || r.stopper.Reason() != nil || ctx.Err() != nil || r.rec.err != nil || r.in.err != nil {
			break
		}
	}
	if r.reopened != nil {
		defer r.reopened.Close()
	}
	if r.rec.err != nil {
		return r.outcome(nil), r.rec.err
	}
	if r.in.err != nil {
		return r.outcome(nil), r.in.err
	}
	var stopped error
	switch {
	case r.stopper.Reason() != nil:
		stopped = r.stopper.Reason()
	case ctx.Err() != nil:
		stopped = fmt.Errorf("stopped: %w", context.Cause(ctx))
	case poolErr != nil:
		stopped = poolErr
	}
	if stopped == nil {
		return r.outcome(nil), nil
	}
	err := r.recordNotRun(stopped)
	return r.outcome(stopped), err
}

// lanes sorts the rows by the budget they wait for, when the run knows
// its budgets' room (RunConfig.Room); a batch goes by its first row.
func (r *run) lanes() worker.Lanes[[]*Task] {
	if r.cfg.Room == nil {
		return worker.Lanes[[]*Task]{}
	}
	writes := r.exec.Writes()
	return worker.Lanes[[]*Task]{
		Of:   func(batch []*Task) string { return Lane(&batch[0].Job, writes) },
		Room: r.cfg.Room,
	}
}

// readsAhead reports whether rows wait in the pool's lanes after
// produce yields them, rather than going straight to a worker.
func (r *run) readsAhead() bool { return r.cfg.Room != nil }

// dispatched tells OnDispatch of n rows handed to a worker.
func (r *run) dispatched(n int) {
	if r.cfg.OnDispatch == nil {
		return
	}
	for range n {
		r.cfg.OnDispatch()
	}
}

func (r *run) outcome(stopped error) Outcome {
	return Outcome{Stopped: stopped, Dispatched: r.in.dispatched, NotRun: r.rec.notRun, Resumed: r.in.resumed}
}

// produce yields the rows of the phase to run, in manifest order, until
// the manifest ends or the run stops: rows an interrupted run finished are
// skipped, and each row yielded is pending until emitted (a row read
// ahead into the pool's lanes and never started is recorded as not run
// with the rest, see recordNotRun). Rows go one by
// one, or, in a phase that sends bulk requests, in batches of up to
// BulkSize rows.
func (r *run) produce(ctx context.Context) iter.Seq[[]*Task] {
	size := 1
	if r.bulk() {
		size = max(r.cfg.BulkSize, 1)
	}
	return func(yield func([]*Task) bool) {
		var batch []*Task
		for r.stopper.Reason() == nil && ctx.Err() == nil {
			job, err := r.in.src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.in.err = err
				r.stopper.Stop(fmt.Errorf("read manifest: %w", err))
				return
			}
			if !r.inPhase(&job) {
				continue
			}
			if done, err := resumed(r.in.sink, r.in.resume, &job); done || err != nil {
				if err != nil {
					r.in.err = err
					r.stopper.Stop(err)
					return
				}
				r.in.resumed++
				continue
			}
			t := &Task{Job: job}
			if st, ok := r.in.resume[job.Row]; ok {
				t.Prior = st.Intent
			}
			r.pending.add(&t.Job)
			r.in.dispatched++
			if !r.readsAhead() {
				r.dispatched(1) // a worker takes it as it is yielded
			}
			if batch = append(batch, t); len(batch) < size {
				continue
			}
			if !yield(batch) {
				return
			}
			batch = nil
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}

// bulk reports whether the phase being run sends bulk requests.
func (r *run) bulk() bool {
	return r.cfg.BulkSize > 1 && r.exec.Writes() && (r.phase == PhaseMemberships || r.phase == PhaseAccess || r.phase == PhaseDeletes)
}

// execute runs a row, or a batch of rows (on a worker of the pool).
func (r *run) execute(ctx context.Context, batch []*Task) []result {
	if r.readsAhead() {
		r.dispatched(len(batch))
	}
	out := make([]result, len(batch))
	if len(batch) == 1 && !r.bulk() {
		out[0] = result{res: r.exec.Do(ctx, batch[0]), job: &batch[0].Job}
		return out
	}
	for i, res := range r.exec.DoBulk(ctx, batch) {
		out[i] = result{res: res, job: &batch[i].Job}
	}
	return out
}

// emitAll records a batch's rows (see emit).
func (r *run) emitAll(xs []result) {
	for _, x := range xs {
		r.emit(x)
	}
}

// emit records one finished row in the sink, and stops the run on a
// credentials failure or --max-failures. A row stopped before anything of
// it was sent is recorded as not run, and not as done in the journal, so
// that a resumed run runs it.
func (r *run) emit(x result) {
	r.pending.remove(x.res.Row)
	if r.rec.err != nil {
		return
	}
	notSent := x.res.Status == report.StatusFailed && x.res.ErrorCode == report.CodeCancelled
	if notSent {
		// Stopped before anything of it was sent (waiting for a
		// budget or a server's pause, say): not a failure, and not
		// done, so a resumed run runs it.
		x.res.Status, x.res.ErrorCode = report.StatusSkipped, report.CodeNotRun
		x.res.ErrorMessage = "not run: the run stopped before it was sent"
		r.rec.notRun++
	}
	if err := r.rec.sink.Append(x.res, x.job); err != nil {
		r.rec.err = err
		r.stopper.Stop(err)
		return
	}
	if r.rec.journal != nil && !notSent {
		r.rec.completed = append(r.rec.completed, journal.Completion{Row: x.res.Row, Status: string(x.res.Status)})
	}
	r.rec.created.note(x.res)
	if why := r.exec.Halted(); why != nil {
		r.stopper.Stop(why)
	}
	if r.cfg.OnResult != nil {
		r.cfg.OnResult(x.res)
	}
	if x.res.Status == report.StatusFailed {
		r.rec.failed++
		if r.cfg.IsAuthFailure != nil && r.cfg.IsAuthFailure(x.res) {
			r.stopper.Stop(fmt.Errorf("%w: %s", ErrUnauthorized, x.res.ErrorMessage))
		}
		if r.cfg.MaxFailures > 0 && r.rec.failed >= r.cfg.MaxFailures {
			r.stopper.Stop(ErrMaxFailures)
		}
	}
}

// flush writes the rows emitted so far through to the report, and only
// then marks them done in the journal, so that a row the journal calls
// done is always in the report. Rows finish in bursts: the pool calls it
// after each.
func (r *run) flush() {
	if r.rec.err != nil {
		return
	}
	if err := r.rec.sink.Flush(); err != nil {
		r.rec.err = err
		r.stopper.Stop(err)
		return
	}
	if r.rec.journal == nil {
		return
	}
	if err := r.rec.journal.DoneAll(r.rec.completed); err != nil {
		r.rec.err = err
		r.stopper.Stop(err)
		return
	}
	r.rec.completed = r.rec.completed[:0]
}

// recordNotRun records every row the stopped run did not get to — those
// handed to the pool and never run, then the rest of the manifest — as
// skipped, so that the report covers the whole manifest. A resumed run
// runs them.
func (r *run) recordNotRun(stopped error) error {
	reason := stopped.Error()
	notRun := func(job *manifest.Job) error {
		r.rec.notRun++
		res := report.Result{
			Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String(),
			Status: report.StatusSkipped, ErrorCode: report.CodeNotRun, ErrorMessage: "not run: " + reason,
		}
		return r.rec.sink.Write(res, nil)
	}
	for _, j := range r.pending.left() {
		if err := notRun(j); err != nil {
			return err
		}
	}
	// The rest of this pass's phase, then the phases not reached.
	if err := r.eachLeft(r.in.src, r.inPhase, notRun); err != nil {
		return err
	}
	if r.phase == allPhases || r.cfg.Reopen == nil {
		return nil
	}
	src, err := r.cfg.Reopen()
	if err != nil {
		return fmt.Errorf("read manifest again: %w", err)
	}
	defer src.Close()
	return r.eachLeft(src, func(j *manifest.Job) bool { return PhaseOf(j) > r.phase }, notRun)
}

// eachLeft hands fn each row src has left that keep selects and an
// interrupted run did not finish.
func (r *run) eachLeft(src *manifest.Reader, keep func(*manifest.Job) bool, fn func(*manifest.Job) error) error {
	for {
		job, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var rowErr *manifest.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return fmt.Errorf("read manifest: %w", err)
		}
		if err != nil || !keep(&job) {
			continue // a row error: validated before the run; cannot happen on an unchanged file
		}
		if done, err := resumed(r.in.sink, r.in.resume, &job); done || err != nil {
			if err != nil {
				return err
			}
			r.in.resumed++
			continue
		}
		if err := fn(&job); err != nil {
			return err
		}
	}
}

// resumed says whether an interrupted run finished job's row; a finished
// row that failed goes back into the failed-rows manifest.
func resumed(sink Sink, st journal.State, job *manifest.Job) (bool, error) {
	s, ok := st[job.Row]
	if !ok || !s.Done {
		return false, nil
	}
	if s.Status == string(report.StatusFailed) {
		return true, sink.WriteFailedJob(job)
	}
	return true, nil
}
