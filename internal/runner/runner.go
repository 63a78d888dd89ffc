// Package runner runs the commands that talk to UiPath, from their
// options as the command line parsed them. RunManifest is all of plan and
// apply: it checks the manifest and the settings, opens the run folder,
// asks for confirmation, and hands the checked run to Execute, which
// signs in, resolves the targets (paging whole lists where that spends
// fewer reads), runs every row (apply.RunRows: the run loop; a plan only
// reads) and writes the report folder, report.html included. RunExport
// writes accounts as a manifest.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/htmlreport"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/progress"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/session"
	"github.com/uipath-batch/batch/internal/undo"
)

// Config is a run past its checks: its manifest validated and counted,
// its run folder open, an apply confirmed.
type Config struct {
	// Command is Plan or Apply; SkipUnchanged makes an apply write only
	// the rows with a difference.
	Command       Command
	SkipUnchanged bool
	// Path is the manifest as read (stdin spooled); Manifest its options.
	Path     string
	Manifest manifest.Options
	Census   *apply.Census
	Run      *runfolder.Run
	Settings client.Settings
	// Session holds the requests' settings; its Operations are the
	// census's.
	Session session.Options
	// Secrets records generated passwords (nil: none may be generated),
	// into the file SecretsPath names.
	Secrets     apply.SecretRecorder
	SecretsPath string
	// Workers, MaxFailures, Drain and BulkSize are apply.RunConfig's.
	Workers, MaxFailures, BulkSize int
	Drain                          time.Duration
	// MaxStaleness is apply.Options'.
	MaxStaleness time.Duration
	// ProgressEvery is how often a run without a progress bar logs its
	// progress (0: never).
	ProgressEvery time.Duration
	// Force, when closed while the run drains after a stop, ends it at
	// once (a second interrupt, see package interrupt).
	Force <-chan struct{}
	// Resumed: the run continues an interrupted one (for the summary).
	Resumed bool
	Log     zerolog.Logger
	// Progress is the terminal the progress bar is drawn on (nil: none);
	// Warnings takes what a person should know but does not stop the run;
	// Text takes the lines a person reads (the summary's stream).
	Progress, Warnings, Text io.Writer
	// OnRequestsStart is called once signed in, before the lists are
	// read and the rows run: from there on the run mostly makes and
	// answers requests.
	OnRequestsStart func()
}

// Result is how a run ended: its summary, and why it stopped early
// (Outcome.Stopped), if it did.
type Result struct {
	Summary report.Summary
	Outcome apply.Outcome
	// AlreadyFinished: a resumed run had nothing left to do, and its
	// report was complete; nothing was sent or written.
	AlreadyFinished bool
}

// Execute signs in, resolves, runs every row and writes the report. A run
// that stopped early (interrupt, --max-failures, refused credentials met
// on a row) returns no error: Outcome.Stopped says why.
func Execute(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Census.Rows > 0 && cfg.Census.Resumed == cfg.Census.Rows {
		return finishDone(ctx, cfg)
	}
	r, what := cfg.Run, cfg.Command.String()
	so := cfg.Session
	so.Operations, so.Log = cfg.Census.Operations(cfg.Command.Writes()), cfg.Log
	sess, err := session.New(ctx, cfg.Settings, so)
	if err != nil {
		return Result{}, err
	}
	// Sign in once before anything else: bad credentials stop here, not
	// on every row. Refused credentials are an authentication failure,
	// which stops a run wherever it is met.
	if err := sess.Client.Authenticate(ctx); err != nil {
		return Result{}, &StopError{fmt.Errorf("sign in: %w; nothing was sent", err)}
	}
	exec, resolver := newExecutor(cfg, sess)
	defer resolver.Close() // the account lists it kept on disk
	started := time.Now()
	prior := priorSessions(r, cfg.Resumed)
	cfg.Log.Info().Str("run_id", r.ID).Str("manifest", cfg.Manifest.DisplayName).Int("rows", cfg.Census.Rows).
		Int("workers", cfg.Workers).Str("limits", session.DescribeLimits(so.Limits)).Msg(what + " started")

	if cfg.OnRequestsStart != nil {
		cfg.OnRequestsStart()
	}
	// The progress shows from here: reading a large organization's lists
	// takes minutes at its budget before any row goes on.
	bar := cfg.progressBar(ctx, sess, what)
	defer bar.Done()
	resolver.OnListProgress(bar.Reading)
	// Resolve: page whole lists where that spends fewer reads.
	if err := resolver.Prepare(ctx, cfg.Census.Needs(exec)); err != nil {
		if client.IsAuthFailure(err) {
			return Result{}, &StopError{fmt.Errorf("%w; nothing was changed", err)}
		}
		cfg.Log.Warn().Err(err).Msg("could not read the account lists; resolving targets one by one")
	}
	if err := resolver.CheckTarget(ctx, cfg.Census); err != nil {
		return Result{}, TargetError(cfg.Settings, err)
	}
	src, sink, err := cfg.startReport(ctx)
	if err != nil {
		return Result{}, err
	}
	defer src.Close()
	passwords := 0 // rows that set a password (OnResult runs on one goroutine)
	bar.Resumed(sink.Tally().Rows)
	outcome, runErr := apply.RunRows(ctx, src, exec, sink, apply.RunConfig{
		Workers: cfg.Workers, Drain: cfg.Drain, MaxFailures: cfg.MaxFailures,
		Resume: r.State, Journal: r.Journal,
		OnDispatch: bar.Dispatched,
		OnResult: func(res report.Result) {
			bar.Row(res.Status == report.StatusFailed)
			if res.Status == report.StatusSucceeded && setsPassword(res.Changes) {
				passwords++
			}
			if res.Status == report.StatusFailed {
				cfg.Log.Debug().Int("row", res.Row).Str("target", res.Target).Str("error_code", string(res.ErrorCode)).Msg(res.ErrorMessage)
			}
		},
		IsAuthFailure: func(res report.Result) bool { return res.ErrorCode == report.CodeUnauthorized },
		OnStop: func(cause error) {
			sess.Limiter.Stop() // what has not left is not sent
			if exec.Writes() {
				cfg.Log.Warn().Str("cause", cause.Error()).Dur("drain", cfg.Drain).
					Msg("stopping: nothing more is sent; waiting only for the requests already on the wire (at most the drain); interrupt again to stop at once (their outcome is then unknown: --resume settles them)")
			}
		},
		Force:  cfg.Force,
		Phases: cfg.Census.Phases(), BulkSize: cfg.BulkSize,
		Room: sess.Limiter.Room, // rows of a budget used up hold one worker
		Reopen: func() (*manifest.Reader, error) {
			return manifest.Open(context.WithoutCancel(ctx), cfg.Path, cfg.Manifest)
		},
		BeforePhase: func(ctx context.Context, p apply.Phase, created apply.Created) error {
			err := resolver.NextPhase(ctx, cfg.Census.Needs(exec), created)
			if err != nil && !client.IsAuthFailure(err) {
				cfg.Log.Warn().Err(err).Str("phase", p.String()).Msg("could not read the account lists again; resolving targets one by one")
				return nil
			}
			return err
		},
	})
	bar.Done()

	s := cfg.summary(sess, started, outcome)
	s.StalenessReads, s.PasswordsSet, s.SecretsOut = exec.StaleReads(), passwords, cfg.SecretsPath
	t := sink.Tally()
	s = withSessions(s, prior, t.Rows-t.ByStatus[report.StatusSkipped])
	if runErr == nil && r.Journal != nil {
		s.UndoManifest, s.UndoRows = writeUndo(ctx, cfg.Warnings, cfg.Log, r.Dir, src.Format())
	}
	summary, closeErr := sink.Close(s)
	if closeErr == nil {
		writeHTMLReport(ctx, cfg.Warnings, cfg.Log, r.Dir)
	}
	if err := errors.Join(runErr, closeErr); err != nil {
		return Result{}, &StopError{fmt.Errorf("the report could not be written (rows finished so far are in %s): %w", r.Dir, err)}
	}
	return Result{Summary: summary, Outcome: outcome}, nil
}

// progressBar is the run's progress: a bar on a terminal, else a log line
// now and then (a scheduled run, JSON logs).
func (cfg *Config) progressBar(ctx context.Context, sess *session.Session, what string) *progress.Bar {
	if cfg.Progress != nil {
		return progress.New(ctx, cfg.Progress, cfg.Census.Rows, what, sess.Limiter.Waiting, cfg.Drain)
	}
	return progress.NewLog(ctx, func(done, total, failed int64, status string) {
		cfg.Log.Info().Int64("done", done).Int64("rows", total).Int64("failed", failed).Str("status", status).Msg("progress")
	}, cfg.ProgressEvery, cfg.Census.Rows, what, sess.Limiter.Waiting, cfg.Drain)
}

// newExecutor builds the resolver and the executor of the command: a
// planner that can only read, or an applier.
func newExecutor(cfg Config, sess *session.Session) (*apply.Executor, *apply.Resolver) {
	adapter := apply.NewClientAdapter(sess.Client)
	policy := session.RetryPolicy(cfg.Session.MaxAttempts)
	policy.Stop = sess.Limiter.Stopped() // a stopping run retries nothing
	resolver := apply.NewResolver(adapter, policy)
	opts := apply.Options{Retry: policy, LookupEnv: os.LookupEnv}
	if !cfg.Command.Writes() {
		return apply.NewPlanner(adapter, resolver, opts), resolver
	}
	if cfg.Secrets != nil {
		opts.Secrets = cfg.Secrets
	}
	opts.Journal, opts.MaxStaleness = cfg.Run.Journal, cfg.MaxStaleness
	return apply.NewApplier(adapter, resolver, cfg.SkipUnchanged, opts), resolver
}

// summary is the run's summary.json before the sink adds the counts.
func (cfg *Config) summary(sess *session.Session, started time.Time, outcome apply.Outcome) report.Summary {
	r, so := cfg.Run, cfg.Session
	var requests map[string]int
	var throttled int
	var byService map[string]map[string]report.RequestCount
	if sess != nil {
		requests, throttled, byService = sess.Requests()
	}
	s := report.Summary{
		RunID: r.ID, Command: cfg.Command.String(), Manifest: cfg.Manifest.DisplayName, ManifestSHA256: r.Meta.ManifestSHA256,
		StartedAt: started, Requests: requests, Throttled: throttled, RequestsByService: byService, ReportDir: r.Dir,
		Settings: map[string]any{
			"workers": cfg.Workers, "limits": session.DescribeLimits(so.Limits), "max_attempts": so.MaxAttempts,
			"timeout": so.Timeout.String(), "skip_unchanged": cfg.SkipUnchanged, "max_failures": cfg.MaxFailures, "bulk_size": cfg.BulkSize,
			"max_staleness": cfg.MaxStaleness.String(),
			"organization":  cfg.Settings.Organization, "tenant": cfg.Settings.Tenant, "resumed": cfg.Resumed,
			"target": cfg.Settings.Target(),
		},
	}
	if outcome.Stopped != nil {
		s.Stopped = outcome.Stopped.Error()
	}
	return s
}

// writeHTMLReport renders the run's report.html at the end of a plan or
// apply. The page is a view of the report files, so a failure to render it
// is a warning: the run's outcome and exit code stand.
func writeHTMLReport(ctx context.Context, warnings io.Writer, log zerolog.Logger, dir string) {
	start := time.Now()
	if err := htmlreport.Write(context.WithoutCancel(ctx), dir); err != nil {
		fmt.Fprintf(warnings, "warning: %v (render it again with: batch report %s)\n", err, dir)
		return
	}
	log.Info().Str("path", filepath.Join(dir, htmlreport.FileName)).Float64("ms", float64(time.Since(start).Microseconds())/1000).Msg("report.html written")
}

// writeUndo writes the run folder's undo manifest at the end of an apply,
// stopped or not, from the journal of every run of the folder (a resumed
// run's undo covers the interrupted run's rows too). The rows' changes
// are made whatever happens to it, so a failure is a warning.
// It returns the manifest's path ("" when it could not be written) and
// its rows.
func writeUndo(ctx context.Context, warnings io.Writer, log zerolog.Logger, dir string, format manifest.Format) (string, int) {
	start := time.Now()
	n, err := undo.Write(context.WithoutCancel(ctx), dir, format)
	if err != nil {
		fmt.Fprintf(warnings, "warning: %v\n", err)
		return "", 0
	}
	path := filepath.Join(dir, undo.FileName(format))
	log.Info().Str("path", path).Int("rows", n).
		Float64("ms", float64(time.Since(start).Microseconds())/1000).Msg("undo manifest written")
	return path, n
}

// logFinished logs the end of a run, after its summary is printed.
func logFinished(log zerolog.Logger, s report.Summary) {
	log.Info().Str("run_id", s.RunID).Int("rows", s.Rows).Interface("by_status", s.ByStatus).
		Float64("rows_per_second", s.RowsPerSecond).Interface("requests_by_service", s.RequestsByService).
		Msg(s.Command + " finished")
}

// startReport marks the run started and opens its manifest (which
// outlives an interrupt: rows not run are still recorded) and its report
// files: a new run's, or those of the run resumed, keeping its finished
// rows. The caller closes the manifest.
func (cfg *Config) startReport(ctx context.Context) (*manifest.Reader, *report.Writer, error) {
	r := cfg.Run
	r.Start()
	src, err := manifest.Open(context.WithoutCancel(ctx), cfg.Path, cfg.Manifest)
	if err != nil {
		return nil, nil, err
	}
	sink, err := report.Create(report.Options{
		Dir: r.Dir, FailedName: "failed" + src.Format().Ext(),
		NewFailedWriter: func(w io.Writer) (report.ManifestWriter, error) {
			return manifest.NewWriter(w, src.Format(), src.Columns())
		},
		Keep: r.Keep(),
	})
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	return src, sink, nil
}

// setsPassword reports whether a row's changes set a password.
func setsPassword(cs []report.Change) bool {
	for _, c := range cs {
		if c.New == secret.Redacted {
			return true
		}
	}
	return false
}
