package main

import (
	"context"
	"errors"
	"fmt"
	goio "io"
	"os"
	"time"

	"github.com/rs/zerolog"

	"batch/internal/apply"
	"batch/internal/client"
	"batch/internal/manifest"
	"batch/internal/progress"
	"batch/internal/report"
	"batch/internal/runfolder"
	"batch/internal/secretsout"
)

// execution is a plan or apply past its checks: validated, its run folder
// open, confirmed.
type execution struct {
	opts     *manifestOptions
	log      zerolog.Logger
	text     goio.Writer // where a person's text goes (see runManifest)
	path     string      // the manifest as read (stdin spooled)
	mopts    manifest.Options
	census   *apply.Census
	settings client.Settings
	run      *runfolder.Run
	secrets  *secretsout.File // nil: no --secrets-out
}

// execute signs in, resolves, runs every row and reports.
func execute(ctx context.Context, e *execution) error {
	io, rf, mode, r := e.opts.IO, e.opts.Run, e.opts.Mode, e.run
	sess, err := newSession(ctx, e.settings, rf, e.log, e.census.Operations(mode))
	if err != nil {
		return err
	}
	// Sign in once before anything else: bad credentials stop here, not
	// on every row. Refused credentials are an authentication failure,
	// which stops a run (exit 3) wherever it is met.
	if err := sess.client.Authenticate(ctx); err != nil {
		return withExit(exitStopped, fmt.Errorf("sign in: %w; nothing was sent", err))
	}
	adapter := apply.NewClientAdapter(sess.client)
	resolver := apply.NewResolver(adapter, retryPolicy(rf))
	opts := apply.Options{Retry: retryPolicy(rf), LookupEnv: os.LookupEnv}
	var exec *apply.Executor
	if mode == apply.ModePlan {
		exec = apply.NewPlanner(adapter, resolver, opts)
	} else {
		if e.secrets != nil {
			opts.Secrets = e.secrets
		}
		opts.Journal = r.Journal
		exec = apply.NewApplier(adapter, resolver, rf.SkipUnchanged, opts)
	}
	started := time.Now()
	e.log.Info().Str("run_id", r.ID).Str("manifest", e.mopts.DisplayName).Int("rows", e.census.Rows).
		Int("workers", rf.Workers).Str("limits", describeLimits(rf.Limits)).Msg(command(mode) + " started")

	// Resolve: page whole lists where that spends fewer reads.
	if err := resolver.Prepare(ctx, e.census.Needs(exec)); err != nil {
		if client.IsAuthFailure(err) {
			return withExit(exitStopped, fmt.Errorf("%w; nothing was changed", err))
		}
		e.log.Warn().Err(err).Msg("could not read the account lists; resolving targets one by one")
	}
	r.Start()

	gcForRequests()
	// The manifest outlives an interrupt: rows not run are still recorded.
	src, err := manifest.Open(context.WithoutCancel(ctx), e.path, e.mopts)
	if err != nil {
		return usageErrorf("%w", err)
	}
	defer src.Close()
	sink, err := report.Create(report.Options{
		Dir: r.Dir, FailedName: "failed" + src.Format().Ext(),
		NewFailedWriter: func(w goio.Writer) (report.ManifestWriter, error) {
			return manifest.NewWriter(w, src.Format(), src.Columns())
		},
		Keep: r.Keep(),
	})
	if err != nil {
		return err
	}
	var barOut goio.Writer
	if !rf.log.NoProgress && io.IsStderrTTY() {
		barOut = io.ErrOut
	}
	bar := progress.New(ctx, barOut, e.census.Rows, command(mode), sess.limiter.Waiting, rf.Drain)
	bar.Resumed(sink.Tally().Rows)
	outcome, runErr := apply.Run(ctx, src, exec, sink, apply.RunConfig{
		Workers: rf.Workers, Drain: rf.Drain, MaxFailures: rf.MaxFailures,
		Resume: r.State, Journal: r.Journal,
		OnDispatch: bar.Dispatched,
		OnResult: func(res report.Result) {
			bar.Row(res.Status == report.StatusFailed)
			if res.Status == report.StatusFailed {
				e.log.Debug().Int("row", res.Row).Str("target", res.Target).Str("error_code", res.ErrorCode).Msg(res.ErrorMessage)
			}
		},
		IsAuthFailure: func(res report.Result) bool { return res.ErrorCode == "unauthorized" },
	})
	bar.Done()

	requests, throttled, byService := sess.requests()
	summary := report.Summary{
		RunID: r.ID, Command: command(mode), Manifest: e.mopts.DisplayName, ManifestSHA256: r.Meta.ManifestSHA256,
		StartedAt: started, Requests: requests, Throttled: throttled, RequestsByService: byService, ReportDir: r.Dir,
		Settings: map[string]any{
			"workers": rf.Workers, "limits": describeLimits(rf.Limits), "max_attempts": rf.MaxAttempts,
			"timeout": rf.Timeout.String(), "skip_unchanged": rf.SkipUnchanged, "max_failures": rf.MaxFailures,
			"organization": e.settings.Organization, "tenant": e.settings.Tenant, "resumed": rf.Resume != "",
		},
	}
	if outcome.Stopped != nil {
		summary.Stopped = outcome.Stopped.Error()
	}
	summary, closeErr := sink.Close(summary)
	if closeErr == nil {
		writeHTMLReport(ctx, io, e.log, r.Dir)
	}
	if err := errors.Join(runErr, closeErr); err != nil {
		return withExit(exitStopped, fmt.Errorf("the report could not be written (rows finished so far are in %s): %w", r.Dir, err))
	}
	return e.report(summary, outcome)
}

// report prints the plan (plan only) and the summary, and says how the
// run ended: stopped (with the command that resumes it), rows failed, or
// every row done, when the run's sealing key goes.
func (e *execution) report(summary report.Summary, outcome apply.Outcome) error {
	io, mode, r := e.opts.IO, e.opts.Mode, e.run
	if mode == apply.ModePlan {
		printPlan(io, r.Dir, summary)
	}
	summary.Print(e.text)
	e.log.Info().Str("run_id", r.ID).Int("rows", summary.Rows).Interface("by_status", summary.ByStatus).
		Float64("rows_per_second", summary.RowsPerSecond).Interface("requests_by_service", summary.RequestsByService).
		Msg(command(mode) + " finished")
	switch {
	case outcome.Stopped != nil:
		if mode == apply.ModePlan {
			fmt.Fprintf(e.text, "the plan stopped early; run it again for the whole plan\n")
		} else {
			fmt.Fprintf(e.text, "resume with: %s\n", resumeCommand(e.mopts.DisplayName, e.opts.Flags, r.ID))
		}
		return withExit(exitStopped, nil)
	case summary.ByStatus[report.StatusFailed] > 0:
		return cleanupError(io, withExit(exitRowsFail, nil), r.Finish())
	}
	return cleanupError(io, nil, r.Finish())
}
