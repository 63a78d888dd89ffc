package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/iostreams"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/planview"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/secretsout"
	"github.com/uipath-batch/batch/internal/session"
)

// ManifestOptions are the settings of `batch plan` and `batch apply`.
type ManifestOptions struct {
	IO       *iostreams.IOStreams
	Command  Command
	Manifest string
	Conn     *Connection
	// Run is changed in place by a resumed run: it takes the settings its
	// run started with from Flags (the command's flags, which Run's
	// fields are bound to), and records them for the next resume.
	Run   *RunOptions
	Flags *pflag.FlagSet
	// Version is the program's, for the requests' User-Agent.
	Version string
	// OnRequestsStart is Config's.
	OnRequestsStart func()
}

// RunManifest validates, resolves, executes and reports a manifest: the
// whole of `batch plan` and `batch apply`.
func RunManifest(ctx context.Context, opts ManifestOptions) (err error) {
	streams, ro, cmd := opts.IO, opts.Run, opts.Command
	if err := ro.checkIDs(); err != nil {
		return err
	}
	// A resumed run's own settings first: they decide everything below.
	resumed, err := runfolder.RestoreRun(opts.Flags, ro.ReportDir, ro.Resume)
	if err != nil {
		return err
	}
	log, err := streams.Logger(ro.Log.Format, ro.Log.Level)
	if err != nil {
		return err
	}
	if ro.Resume != "" {
		log.Info().Str("run_id", ro.Resume).Str("recorded_flags", runfolder.DescribeFlags(resumed.Flags)).Msg("resuming with the run's recorded settings")
	}
	// A person's text (problems, the summary) goes to stderr beside the
	// progress bar; when stderr carries JSON log lines, it goes to stdout
	// and errors are logged, so that stderr holds JSON lines only.
	text := streams.ErrOut
	if streams.JSONLogs(ro.Log.Format) {
		text = streams.Out
	}
	defer LogError(streams, ro.Log, log, &err)
	if err := ro.checkRanges(true, cmd.Writes()); err != nil {
		return err
	}
	path, remove, err := manifest.SpoolStdin(ctx, opts.Manifest, streams.In)
	if err != nil {
		return err
	}
	defer remove()
	var opens int
	mopts := manifest.Options{AllowLiteralSecrets: ro.AllowLiteral, DisplayName: opts.Manifest, OnOpen: func() {
		opens++ // one read at a time: validation, census, then each phase
		log.Debug().Int("times", opens).Msg("manifest opened")
	}}

	// 1. The whole manifest is checked before anything is sent.
	// A resumed run counts the rows left, and the run folder takes the
	// manifest's hash, from the validation's own read: the manifest is
	// read once before the run, and once by it.
	done, err := runfolder.PeekState(ro.ReportDir, ro.Resume)
	if err != nil {
		return fmt.Errorf("--resume %s: %w", ro.Resume, err)
	}
	sum := sha256.New()
	checked := mopts
	checked.Hash = sum
	census, err := CheckManifest(ctx, path, checked, text, CheckOptions{Writes: cmd.Writes(), AllowDeletes: ro.AllowDeletes, MaxProblems: ro.MaxProblems, Done: done})
	if err != nil {
		return err
	}
	manifestSHA := hex.EncodeToString(sum.Sum(nil))
	if census.Rows == 0 && ro.Resume == "" {
		// No work is not an error: an export that found nothing to rotate
		// still chains into its apply in a script.
		fmt.Fprintf(text, "%s: 0 rows, nothing to do (nothing was sent)\n", mopts.DisplayName)
		return nil
	}
	if ro.GenerateOnly && cmd.Writes() {
		r, err := runfolder.Open(runfolder.Options{ReportDir: ro.ReportDir, ID: ro.RunID, Command: cmd.String(),
			Manifest: path, DisplayName: mopts.DisplayName, Flags: runfolder.RecordFlags(opts.Flags)})
		if err != nil {
			return err
		}
		defer func() { err = cleanupError(streams.ErrOut, err, r.Close()) }()
		return generateOnly(ctx, opts, path, mopts, r, text)
	}
	settings, err := opts.Conn.Settings()
	if err != nil {
		return err
	}

	// 2. The run folder: new, or the interrupted run to resume. A new run
	// that ends before it sends anything (not confirmed, refused sign-in)
	// leaves nothing behind.
	r, err := runfolder.Open(runfolder.Options{
		ReportDir: ro.ReportDir, ID: ro.RunID, Resume: ro.Resume,
		Command: cmd.String(), Writes: cmd.Writes(), ManifestSHA256: manifestSHA,
		Manifest: path, DisplayName: mopts.DisplayName, Flags: runfolder.RecordFlags(opts.Flags),
	})
	if err != nil {
		return err
	}
	defer func() { err = cleanupError(streams.ErrOut, err, r.Close()) }()

	// 3. What the manifest asks for: the validation counted every row,
	// a resumed run's as resumed when done. Should the journal have
	// changed since it was peeked at (it is locked only now), count again.
	if len(r.State) != len(done) {
		if census, err = apply.TakeCensus(ctx, path, mopts, r.State); err != nil {
			return err
		}
	}
	cfg := Config{
		Command: cmd, SkipUnchanged: ro.SkipUnchanged, SecretsPath: ro.SecretsOut, ProgressEvery: ro.ProgressEvery,
		Path: path, Manifest: mopts, Census: census, Run: r, Settings: settings,
		Session: session.Options{Limits: ro.Limits, Timeout: ro.Timeout, MaxAttempts: ro.MaxAttempts, Version: opts.Version},
		Workers: ro.Workers, MaxFailures: ro.MaxFailures, Drain: ro.Drain, Resumed: ro.Resume != "", BulkSize: ro.BulkSize, MaxStaleness: ro.MaxStaleness,
		Log: log, Warnings: streams.ErrOut, Text: text, OnRequestsStart: opts.OnRequestsStart, Force: streams.Forced,
	}
	if cmd.Writes() && census.Resumed < census.Rows { // nothing to confirm for a run already done
		secrets, err := OpenSecretsOut(ro.SecretsOut, ro.AgeRecipients, census, r.ID)
		if err != nil {
			return err
		}
		if secrets != nil {
			cfg.Secrets = secrets
			defer closeSecrets(r, secrets)
		}
		if err := confirm(ctx, streams, ro.Yes, census, settings, r.Dir); err != nil {
			return err
		}
	}
	if !ro.Log.NoProgress && streams.IsStderrTTY() {
		cfg.Progress = streams.ErrOut
	}
	res, err := Execute(ctx, cfg)
	if err != nil || res.AlreadyFinished {
		return err
	}
	err = reportRun(opts, log, text, r, res)
	if opts.Run.Verify && cmd.Writes() && (err == nil || errors.Is(err, ErrRowsFailed)) {
		verr := RunVerify(ctx, VerifyOptions{IO: streams, Dir: r.Dir, Wait: ro.VerifyWait, Lag: ro.VerifyWait,
			Conn: opts.Conn, Run: ro, Version: opts.Version})
		if err == nil { // failed rows (1) win over rows the audit does not confirm (5)
			err = verr
		}
	}
	return err
}

// closeSecrets closes the secrets output of a run that started, and
// removes that of a run that never sent anything.
func closeSecrets(r *runfolder.Run, f *secretsout.File) {
	if r.Started() {
		_ = f.Close()
	} else {
		_ = f.Discard()
	}
}

// reportRun prints the plan (plan only) and the summary on text, and says
// how the run ended: stopped (with the command that resumes it), rows
// failed, or every row done, when the run's sealing key goes; a plan
// asked for a detailed exit code that is done and has rows to change
// ends with ErrChanges.
func reportRun(opts ManifestOptions, log zerolog.Logger, text io.Writer, r *runfolder.Run, res Result) error {
	streams, summary := opts.IO, res.Summary
	if !opts.Command.Writes() {
		if err := planview.Print(streams.Out, streams.IsStdoutTTY(), r.Dir, summary); err != nil {
			fmt.Fprintf(streams.ErrOut, "batch: %v\n", err)
		}
	}
	summary.Print(text)
	logFinished(log, summary)
	switch {
	case res.Outcome.Stopped != nil:
		switch {
		case !opts.Command.Writes():
			fmt.Fprintf(text, "the plan stopped early; run it again for the whole plan\n")
		case summary.ByStatus[report.StatusSkipped] > 0:
			fmt.Fprintf(text, "resume with: %s\n", runfolder.ResumeCommand(os.Args[0], opts.Manifest, opts.Flags, r.ID))
		}
		return shown(&StopError{res.Outcome.Stopped})
	case summary.ByStatus[report.StatusFailed] > 0:
		return cleanupError(streams.ErrOut, shown(ErrRowsFailed), r.Finish())
	}
	if err := cleanupError(streams.ErrOut, nil, r.Finish()); err != nil {
		return err
	}
	if opts.Run.DetailedExitCode && !opts.Command.Writes() && summary.ByStatus[report.StatusPlanned] > 0 {
		return shown(ErrChanges)
	}
	return nil
}

// confirm asks a person to confirm a mass change (without a terminal on
// stdin, yes must say so); an interrupt at the question stops the run.
func confirm(ctx context.Context, streams *iostreams.IOStreams, yes bool, c *apply.Census, s client.Settings, reportDir string) error {
	if yes {
		return nil
	}
	if !streams.IsStdinTTY() {
		return errors.New("apply changes accounts: confirm with --yes (stdin is not a terminal, so it cannot ask); nothing was sent")
	}
	fmt.Fprint(streams.ErrOut, Prompt(c, s, reportDir))
	answer, err := streams.ReadLine(ctx)
	if err != nil {
		fmt.Fprintln(streams.ErrOut)
		return &StopError{errors.New("interrupted at the confirmation; nothing was sent")}
	}
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		return errors.New("not confirmed (type yes, in full, to apply); nothing was sent")
	}
	return nil
}

// cleanupError adds the failure of a run's cleanup (the sealing key not
// removed, the journal not synced) to the run's own outcome: it is
// reported, and a run that would have succeeded ends with a RowsError.
func cleanupError(warnings io.Writer, runErr, cleanup error) error {
	if cleanup == nil {
		return runErr
	}
	if runErr == nil {
		return &RowsError{cleanup}
	}
	fmt.Fprintf(warnings, "batch: %v\n", cleanup)
	return runErr
}

// LogError, deferred with a command's error, logs the error as a JSON
// line instead of letting it be printed as text, when stderr carries JSON
// lines: a log shipper then reads stderr whole.
func LogError(streams *iostreams.IOStreams, o LogOptions, log zerolog.Logger, errp *error) {
	err := *errp
	var s *Shown
	if err == nil || !streams.JSONLogs(o.Format) || errors.As(err, &s) {
		return
	}
	log.Error().Msg(err.Error())
	*errp = shown(err)
}
