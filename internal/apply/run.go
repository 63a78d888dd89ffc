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

// RunConfig configures Run.
type RunConfig struct {
	Workers int
	// Drain bounds how long in-flight rows may take to finish once the run
	// is stopped or interrupted.
	Drain time.Duration
	// MaxFailures stops dispatching after that many failed rows (0: never).
	MaxFailures int
	// Done holds the rows a resumed run must not run again, and the
	// intents of rows an interrupted run may have sent.
	Resume journal.State
	// Journal, when set, records each row's completion after its result
	// is in the sink.
	Journal *journal.Journal
	// OnDispatch is called when a row is handed to the workers, and
	// OnResult after each row is recorded (progress); both optional.
	OnDispatch func()
	OnResult   func(report.Result)
	// IsAuthFailure says whether a failure means the credentials are bad.
	IsAuthFailure func(report.Result) bool
}

// Outcome is how a run ended.
type Outcome struct {
	// Stopped is why the run stopped early (nil: every row was dispatched).
	Stopped error
	// Dispatched and NotRun count rows sent to the pool and rows recorded
	// as not run because the run stopped first.
	Dispatched, NotRun, Resumed int
}

// Run executes every job of the manifest through the worker pool and
// records each result in sink, exactly once per row: rows finished by an
// interrupted run (cfg.Resume) are skipped, and rows the run never
// dispatched because it stopped early are recorded as skipped
// (report.CodeNotRun). A row's failure is a result, not an error; Run
// returns an error only when the manifest cannot be read or the sink fails.
func Run(ctx context.Context, src *manifest.Reader, exec *Executor, sink Sink, cfg RunConfig) (Outcome, error) {
	r := &run{
		exec: exec, cfg: cfg, stopper: worker.NewStopper(),
		in:  intake{src: src, sink: sink, resume: cfg.Resume},
		rec: recorder{sink: sink, journal: cfg.Journal},
	}
	r.pending.rows = make(map[int]*manifest.Job)
	return r.run(ctx)
}

// run is one Run. Its steps are methods — produce, execute, emit, flush,
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
	err     error // the sink or the journal failed: nothing more is recorded
	failed  int   // rows failed, for --max-failures
	notRun  int   // rows recorded as not run
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
	poolErr := worker.Run(ctx, worker.PoolConfig{Workers: r.cfg.Workers, Drain: r.cfg.Drain, Stopper: r.stopper, CaughtUp: r.flush},
		iter.Seq[*Task](r.produce(ctx)), r.execute, r.emit)
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

func (r *run) outcome(stopped error) Outcome {
	return Outcome{Stopped: stopped, Dispatched: r.in.dispatched, NotRun: r.rec.notRun, Resumed: r.in.resumed}
}

// produce yields the rows to run, in manifest order, until the manifest
// ends or the run stops: rows an interrupted run finished are skipped, and
// each row yielded is pending until emitted.
func (r *run) produce(ctx context.Context) iter.Seq[*Task] {
	return func(yield func(*Task) bool) {
		for r.stopper.Reason() == nil && ctx.Err() == nil {
			job, err := r.in.src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				r.in.err = err
				r.stopper.Stop(fmt.Errorf("read manifest: %w", err))
				return
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
			if r.cfg.OnDispatch != nil {
				r.cfg.OnDispatch()
			}
			if !yield(t) {
				return
			}
		}
	}
}

// execute runs one row (on a worker of the pool).
func (r *run) execute(ctx context.Context, t *Task) result {
	return result{res: r.exec.Do(ctx, t), job: &t.Job}
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
	for {
		job, err := r.in.src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var rowErr *manifest.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return fmt.Errorf("read manifest: %w", err)
		}
		if err != nil {
			continue // validated before the run; cannot happen on an unchanged file
		}
		if done, err := resumed(r.in.sink, r.in.resume, &job); done || err != nil {
			if err != nil {
				return err
			}
			r.in.resumed++
			continue
		}
		if err := notRun(&job); err != nil {
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
