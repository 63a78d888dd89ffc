package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/runner"
	"github.com/uipath-batch/batch/internal/secretsout"
	"github.com/uipath-batch/batch/internal/session"
)

// manifestOptions are the settings of `batch plan` and `batch apply`: one
// code path, two modes.
type manifestOptions struct {
	IO *streams
	// Mode is apply.ModePlan or apply.ModeApply (--skip-unchanged makes
	// the applier apply.ModeApplyChanged).
	Mode     apply.Mode
	Manifest string
	Conn     *connectionFlags
	Run      *runFlags
	// Flags are the command's flags: a resumed run takes the settings its
	// run started with from them, and records them for the next resume.
	Flags *pflag.FlagSet
}

// runManifest validates, resolves, executes and reports a manifest. It is
// the whole of `batch plan` and `batch apply`.
func runManifest(ctx context.Context, opts *manifestOptions) (err error) {
	io, rf, mode := opts.IO, opts.Run, opts.Mode
	// A resumed run's own settings first: they decide everything below.
	resumed, err := runfolder.RestoreRun(opts.Flags, rf.ReportDir, rf.Resume)
	if err != nil {
		return usageErrorf("%w", err)
	}
	log, err := newLogger(io, rf.log)
	if err != nil {
		return err
	}
	if rf.Resume != "" {
		log.Info().Str("run_id", rf.Resume).Str("recorded_flags", runfolder.DescribeFlags(resumed.Flags)).Msg("resuming with the run's recorded settings")
	}
	// A person's text (problems, the summary) goes to stderr beside the
	// progress bar; when stderr carries JSON log lines, it goes to stdout
	// and errors are logged, so that stderr holds JSON lines only.
	text := io.ErrOut
	if jsonLogs(io, rf.log) {
		text = io.Out
	}
	defer logErrorAsJSON(io, rf.log, log, &err)
	if err := rf.checkRanges(map[bool]flagSet{true: writeFlags, false: manifestFlags}[mode != apply.ModePlan]); err != nil {
		return err
	}
	path, remove, err := manifest.SpoolStdin(ctx, opts.Manifest, io.In)
	if err != nil {
		return err
	}
	defer remove()
	mopts := manifest.Options{AllowLiteralSecrets: rf.AllowLiteral, DisplayName: opts.Manifest}

	// 1. The whole manifest is checked before anything is sent.
	census, err := runner.Check(ctx, path, mopts, text, mode != apply.ModePlan, rf.AllowDeletes)
	if err != nil {
		return usageErrorf("%w", err)
	}
	settings, err := opts.Conn.settings()
	if err != nil {
		return err
	}

	// 2. The run folder: new, or the interrupted run to resume. A new run
	// that ends before it sends anything (not confirmed, refused sign-in)
	// leaves nothing behind.
	r, err := runfolder.Open(runfolder.Options{
		ReportDir: rf.ReportDir, ID: rf.RunID, Resume: rf.Resume,
		Command: runner.Command(mode), Writes: mode != apply.ModePlan,
		Manifest: path, DisplayName: mopts.DisplayName, Flags: runfolder.RecordFlags(opts.Flags),
	})
	if err != nil {
		return usageErrorf("%w", err)
	}
	defer func() { err = cleanupError(io, err, r.Close()) }()

	// 3. What the manifest asks for: the validation counted every row; a
	// resumed run counts again, leaving out the rows already done.
	if len(r.State) > 0 {
		if census, err = apply.TakeCensus(ctx, path, mopts, r.State); err != nil {
			return usageErrorf("%w", err)
		}
	}
	var secrets *secretsout.File
	if mode != apply.ModePlan && census.Resumed < census.Rows { // nothing to confirm for a run already done
		if secrets, err = runner.OpenSecretsOut(rf.SecretsOut, rf.AgeRecipients, census, r.ID); err != nil {
			return usageErrorf("%w", err)
		}
		if secrets != nil {
			defer func() {
				if r.Started() {
					_ = secrets.Close()
				} else {
					_ = secrets.Discard()
				}
			}()
		}
		if err := confirm(ctx, io, rf, census, settings, r.Dir); err != nil {
			return err
		}
	}
	cfg := runner.Config{
		Mode: mode, SkipUnchanged: rf.SkipUnchanged, SecretsPath: rf.SecretsOut, ProgressEvery: rf.ProgressEvery,
		Path: path, Manifest: mopts, Census: census, Run: r, Settings: settings,
		Session: session.Options{Limits: rf.Limits, Timeout: rf.Timeout, MaxAttempts: rf.MaxAttempts, Version: version},
		Workers: rf.Workers, MaxFailures: rf.MaxFailures, Drain: rf.Drain, Resumed: rf.Resume != "", BulkSize: rf.BulkSize, MaxStaleness: rf.MaxStaleness,
		Log: log, Warnings: io.ErrOut, Text: text, OnRequestsStart: gcForRequests, Force: io.Forced,
	}
	if secrets != nil {
		cfg.Secrets = secrets
	}
	if !rf.log.NoProgress && io.IsStderrTTY() {
		cfg.Progress = io.ErrOut
	}
	res, err := runner.Run(ctx, cfg)
	if se := (*runner.StopError)(nil); errors.As(err, &se) {
		return withExit(exitStopped, se.Err)
	}
	if err != nil || res.AlreadyFinished {
		return err
	}
	return reportRun(opts, log, text, r, res)
}
