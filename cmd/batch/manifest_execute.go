package main

import (
	"context"
	"errors"
	"fmt"
	goio "io"

	"github.com/rs/zerolog"

	"batch/internal/apply"
	"batch/internal/client"
	"batch/internal/manifest"
	"batch/internal/planview"
	"batch/internal/report"
	"batch/internal/runfolder"
	"batch/internal/runner"
	"batch/internal/secretsout"
	"batch/internal/session"
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

// execute runs the rows (runner.Run) and reports how the run ended.
func execute(ctx context.Context, e *execution) error {
	io, rf := e.opts.IO, e.opts.Run
	cfg := runner.Config{
		Mode: e.opts.Mode, SkipUnchanged: rf.SkipUnchanged,
		Path: e.path, Manifest: e.mopts, Census: e.census, Run: e.run, Settings: e.settings,
		Session: session.Options{Limits: rf.Limits, Timeout: rf.Timeout, MaxAttempts: rf.MaxAttempts, Version: version},
		Workers: rf.Workers, MaxFailures: rf.MaxFailures, Drain: rf.Drain, Resumed: rf.Resume != "",
		Log: e.log, Warnings: io.ErrOut, OnRowsStart: gcForRequests,
	}
	if e.secrets != nil {
		cfg.Secrets = e.secrets
	}
	if !rf.log.NoProgress && io.IsStderrTTY() {
		cfg.Progress = io.ErrOut
	}
	res, err := runner.Run(ctx, cfg)
	if se := (*runner.StopError)(nil); errors.As(err, &se) {
		return withExit(exitStopped, se.Err)
	}
	if err != nil {
		return err
	}
	return e.report(res.Summary, res.Outcome)
}

// report prints the plan (plan only) and the summary, and says how the
// run ended: stopped (with the command that resumes it), rows failed, or
// every row done, when the run's sealing key goes.
func (e *execution) report(summary report.Summary, outcome apply.Outcome) error {
	io, mode, r := e.opts.IO, e.opts.Mode, e.run
	if mode == apply.ModePlan {
		if err := planview.Print(io.Out, io.IsStdoutTTY(), r.Dir, summary); err != nil {
			fmt.Fprintf(io.ErrOut, "batch: %v\n", err)
		}
	}
	summary.Print(e.text)
	runner.LogFinished(e.log, mode, summary)
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
