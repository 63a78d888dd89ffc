package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"batch/internal/journal"
	"batch/internal/manifest"
	"batch/internal/report"
	"batch/internal/worker"
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

// result is a finished task with the job it came from.
type result struct {
	res report.Result
	job *manifest.Job
}

// Run executes every job of the manifest through the worker pool and
// records each result in sink, exactly once per row: rows finished by an
// interrupted run (cfg.Resume) are skipped, and rows the run never
// dispatched because it stopped early are recorded as skipped
// ("not_run"). A row's failure is a result, not an error; Run returns an
// error only when the sink fails.
func Run(ctx context.Context, src *manifest.Reader, exec *Executor, sink Sink, cfg RunConfig) (Outcome, error) {
	var out Outcome
	var (
		stopOnce  sync.Once
		stopped   atomic.Bool
		stopCause error
		failed    int
		sinkErr   error
		completed []journal.Completion // emitted, not yet marked done
	)
	stopper := worker.NewStopper()
	stop := func(cause error) {
		stopOnce.Do(func() { stopCause = cause; stopped.Store(true) })
		stopper.Stop(cause)
	}

	// pending holds the rows handed to the pool and not yet emitted: if the
	// pool returns without running some, they are recorded as not run.
	var mu sync.Mutex
	pending := make(map[int]*manifest.Job)

	var readErr error
	tasks := func(yield func(*Task) bool) {
		for !stopped.Load() && ctx.Err() == nil {
			job, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				readErr = err
				stop(fmt.Errorf("read manifest: %w", err))
				return
			}
			if done, err := resumed(sink, cfg.Resume, &job); done || err != nil {
				if err != nil {
					readErr = err
					stop(err)
					return
				}
				out.Resumed++
				continue
			}
			t := &Task{Job: job}
			if st, ok := cfg.Resume[job.Row]; ok {
				t.Prior = st.Intent
			}
			mu.Lock()
			pending[job.Row] = &t.Job
			mu.Unlock()
			out.Dispatched++
			if cfg.OnDispatch != nil {
				cfg.OnDispatch()
			}
			if !yield(t) {
				return
			}
		}
	}

	emit := func(r result) {
		mu.Lock()
		delete(pending, r.res.Row)
		mu.Unlock()
		if sinkErr != nil {
			return
		}
		notSent := r.res.Status == report.StatusFailed && r.res.ErrorCode == CodeCancelled
		if notSent {
			// Stopped before anything of it was sent (waiting for a
			// budget or a server's pause, say): not a failure, and not
			// done, so a resumed run runs it.
			r.res.Status, r.res.ErrorCode = report.StatusSkipped, CodeNotRun
			r.res.ErrorMessage = "not run: the run stopped before it was sent"
			out.NotRun++
		}
		if err := sink.Append(r.res, r.job); err != nil {
			sinkErr = err
			stop(err)
			return
		}
		if cfg.Journal != nil && !notSent {
			completed = append(completed, journal.Completion{Row: r.res.Row, Status: string(r.res.Status)})
		}
		if cfg.OnResult != nil {
			cfg.OnResult(r.res)
		}
		if r.res.Status == report.StatusFailed {
			failed++
			if cfg.IsAuthFailure != nil && cfg.IsAuthFailure(r.res) {
				stop(fmt.Errorf("%w: %s", ErrUnauthorized, r.res.ErrorMessage))
			}
			if cfg.MaxFailures > 0 && failed >= cfg.MaxFailures {
				stop(ErrMaxFailures)
			}
		}
	}

	// Rows finish in bursts: each burst's results are flushed to the
	// report at once, and only then marked done in the journal, so that a
	// row the journal calls done is always in the report.
	flush := func() {
		if sinkErr != nil {
			return
		}
		if err := sink.Flush(); err != nil {
			sinkErr = err
			stop(err)
			return
		}
		if cfg.Journal == nil {
			return
		}
		if err := cfg.Journal.DoneAll(completed); err != nil {
			sinkErr = err
			stop(err)
			return
		}
		completed = completed[:0]
	}

	do := func(ctx context.Context, t *Task) result {
		return result{res: exec.Do(ctx, t), job: &t.Job}
	}
	poolErr := worker.Run(ctx, worker.PoolConfig{Workers: cfg.Workers, Drain: cfg.Drain, Stopper: stopper, CaughtUp: flush}, iter.Seq[*Task](tasks), do, emit)
	if sinkErr != nil {
		return out, sinkErr
	}
	if readErr != nil {
		return out, readErr
	}
	switch {
	case stopCause != nil:
		out.Stopped = stopCause
	case ctx.Err() != nil:
		out.Stopped = fmt.Errorf("stopped: %w", context.Cause(ctx))
	case poolErr != nil:
		out.Stopped = poolErr
	}
	if out.Stopped == nil {
		return out, nil
	}

	// Record every row the run did not get to, so that the report covers
	// the whole manifest. A resumed run will run them.
	reason := out.Stopped.Error()
	notRun := func(job *manifest.Job) error {
		out.NotRun++
		res := report.Result{
			Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String(),
			Status: report.StatusSkipped, ErrorCode: CodeNotRun, ErrorMessage: "not run: " + reason,
		}
		return sink.Write(res, nil)
	}
	mu.Lock()
	left := make([]*manifest.Job, 0, len(pending))
	for _, j := range pending {
		left = append(left, j)
	}
	mu.Unlock()
	for _, j := range left {
		if err := notRun(j); err != nil {
			return out, err
		}
	}
	for {
		job, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var rowErr *manifest.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return out, fmt.Errorf("read manifest: %w", err)
		}
		if err != nil {
			continue // validated before the run; cannot happen on an unchanged file
		}
		if done, err := resumed(sink, cfg.Resume, &job); done || err != nil {
			if err != nil {
				return out, err
			}
			out.Resumed++
			continue
		}
		if err := notRun(&job); err != nil {
			return out, err
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
