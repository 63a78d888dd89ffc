package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	goio "io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"batch/internal/apply"
	"batch/internal/client"
	"batch/internal/journal"
	"batch/internal/manifest"
	"batch/internal/report"
	"batch/internal/secretsout"

	"github.com/spf13/pflag"
)

// runMode is what plan and apply share: one code path, two modes.
type runMode int

const (
	modePlan runMode = iota
	modeApply
)

func (m runMode) command() string {
	if m == modePlan {
		return "plan"
	}
	return "apply"
}

// runManifest validates, resolves, executes and reports a manifest. It is
// the whole of `batch plan` and `batch apply`. fs holds the command's
// flags: a resumed run takes the settings its run started with from them.
func runManifest(ctx context.Context, io *streams, mode runMode, path string, conn *connectionFlags, rf *runFlags, fs *pflag.FlagSet) (err error) {
	var resumed journal.Meta
	if rf.Resume != "" {
		// The run's own settings first: they decide everything below.
		if resumed, err = journal.ReadMeta(filepath.Join(rf.ReportDir, rf.Resume)); err != nil {
			return usageErrorf("--resume %s: %w", rf.Resume, err)
		}
		if err := restoreFlags(fs, resumed); err != nil {
			return err
		}
	}
	log, err := newLogger(io, rf.log)
	if err != nil {
		return err
	}
	if rf.Resume != "" {
		log.Info().Str("run_id", rf.Resume).Str("recorded_flags", describeFlags(resumed.Flags)).Msg("resuming with the run's recorded settings")
	}
	// A person's text (problems, the summary) goes to stderr beside the
	// progress bar; when stderr carries JSON log lines, it goes to stdout
	// and errors are logged, so that stderr holds JSON lines only.
	text := io.ErrOut
	if jsonLogs(io, rf.log) {
		text = io.Out
	}
	defer logErrorAsJSON(io, rf.log, log, &err)
	if rf.Workers < 1 {
		return usageErrorf("--workers must be at least 1")
	}
	display := path
	path, cleanup, err := spoolStdin(io, path)
	if err != nil {
		return err
	}
	defer cleanup()
	mopts := manifest.Options{AllowLiteralSecrets: rf.AllowLiteral, DisplayName: display}

	// 1. The whole manifest is checked before anything is sent.
	problems := 0
	counted := newCensus()
	rows, err := manifest.ValidateEach(ctx, path, mopts, func(p manifest.Problem) {
		problems++
		fmt.Fprintln(text, p.String())
	}, func(j *manifest.Job) { counted.add(j, nil) })
	if err != nil {
		return usageErrorf("%w", err)
	}
	if problems > 0 {
		return usageErrorf("%s: %s, %s; nothing was sent", mopts.DisplayName, plural(rows, "row"), plural(problems, "problem"))
	}

	settings, err := conn.settings()
	if err != nil {
		return err
	}

	// 2. The run folder: new, or the interrupted run to resume. A new run
	// that ends before it sends anything (not confirmed, refused sign-in)
	// leaves nothing behind.
	run, err := openRunFolder(mode, path, mopts.DisplayName, rf, fs)
	if err != nil {
		return err
	}
	defer func() { err = cleanupError(io, err, run.close()) }()

	// 3. What the manifest asks for: counts for the confirmation, needs for
	// the resolver, operations for the token's scopes.
	// The validation counted every row; a resumed run counts again,
	// leaving out the rows already done.
	census := counted
	if len(run.state) > 0 {
		if census, err = takeCensus(ctx, path, mopts, run.state); err != nil {
			return err
		}
		if census.resumed == census.rows {
			fmt.Fprintf(text, "run %s has already finished: all %s are in %s; nothing to resume\n", run.id, plural(census.rows, "row"), run.dir)
			return nil
		}
	}
	var secretsOut *secretsout.File
	if mode == modeApply {
		if census.generated > 0 && rf.SecretsOut == "" {
			return usageErrorf("%s generate passwords: give --secrets-out FILE so that every generated password can be found again", plural(census.generated, "row"))
		}
		if rf.SecretsOut != "" {
			// Opened before anything is sent: a file that cannot take this
			// run's passwords (others can read it, or it holds the other
			// format) stops the run here.
			recipients, err := secretsout.ParseRecipients(rf.AgeRecipients)
			if err != nil {
				return usageErrorf("%w; nothing was sent", err)
			}
			if secretsOut, err = secretsout.Create(rf.SecretsOut, run.id, recipients); err != nil {
				return usageErrorf("%w; nothing was sent", err)
			}
			defer func() {
				if run.started {
					_ = secretsOut.Close()
				} else {
					_ = secretsOut.Discard()
				}
			}()
		}
		if err := confirm(ctx, io, rf, census, settings, run); err != nil {
			return err
		}
	}

	sess, err := newSession(ctx, settings, rf, log, census.operations(mode))
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
	if mode == modePlan {
		exec = apply.NewPlanner(adapter, resolver, opts)
	} else {
		if secretsOut != nil {
			opts.Secrets = secretsOut
		}
		opts.Journal = run.journal
		exec = apply.NewApplier(adapter, resolver, rf.SkipUnchanged, opts)
	}
	started := time.Now()
	log.Info().Str("run_id", run.id).Str("manifest", mopts.DisplayName).Int("rows", census.rows).
		Int("workers", rf.Workers).Str("limits", describeLimits(rf.Limits)).Msg(mode.command() + " started")

	// 4. Resolve: page whole lists where that spends fewer reads.
	if err := resolver.Prepare(ctx, census.needs(exec)); err != nil {
		if client.IsAuthFailure(err) {
			return withExit(exitStopped, fmt.Errorf("%w; nothing was changed", err))
		}
		log.Warn().Err(err).Msg("could not read the account lists; resolving targets one by one")
	}
	run.started = true

	// 5. Execute and report.
	gcForRequests()
	// The manifest outlives an interrupt: rows not run are still recorded.
	src, err := manifest.Open(context.WithoutCancel(ctx), path, mopts)
	if err != nil {
		return usageErrorf("%w", err)
	}
	defer src.Close()
	sink, err := report.Create(report.Options{
		Dir: run.dir, FailedName: "failed" + src.Format().Ext(),
		NewFailedWriter: func(w goio.Writer) (report.ManifestWriter, error) {
			return manifest.NewWriter(w, src.Format(), src.Columns())
		},
		Keep: run.keep(),
	})
	if err != nil {
		return err
	}
	bar := newProgress(ctx, io, rf.log.NoProgress, census.rows, mode.command(), sess.limiter.Waiting, rf.Drain)
	bar.Resumed(sink.Tally().Rows)
	outcome, runErr := apply.Run(ctx, src, exec, sink, apply.RunConfig{
		Workers: rf.Workers, Drain: rf.Drain, MaxFailures: rf.MaxFailures,
		Resume: run.state, Journal: run.journal,
		OnDispatch: bar.Dispatched,
		OnResult: func(r report.Result) {
			bar.Row(r.Status == report.StatusFailed)
			if r.Status == report.StatusFailed {
				log.Debug().Int("row", r.Row).Str("target", r.Target).Str("error_code", r.ErrorCode).Msg(r.ErrorMessage)
			}
		},
		IsAuthFailure: func(r report.Result) bool { return r.ErrorCode == "unauthorized" },
	})
	bar.Done()

	requests, throttled, byService := sess.requests()
	summary := report.Summary{
		RunID: run.id, Command: mode.command(), Manifest: mopts.DisplayName, ManifestSHA256: run.meta.ManifestSHA256,
		StartedAt: started, Requests: requests, Throttled: throttled, RequestsByService: byService, ReportDir: run.dir,
		Settings: map[string]any{
			"workers": rf.Workers, "limits": describeLimits(rf.Limits), "max_attempts": rf.MaxAttempts,
			"timeout": rf.Timeout.String(), "skip_unchanged": rf.SkipUnchanged, "max_failures": rf.MaxFailures,
			"organization": settings.Organization, "tenant": settings.Tenant, "resumed": rf.Resume != "",
		},
	}
	if outcome.Stopped != nil {
		summary.Stopped = outcome.Stopped.Error()
	}
	summary, closeErr := sink.Close(summary)
	if closeErr == nil {
		writeHTMLReport(ctx, io, log, run.dir)
	}
	if err := errors.Join(runErr, closeErr); err != nil {
		return withExit(exitStopped, fmt.Errorf("the report could not be written (rows finished so far are in %s): %w", run.dir, err))
	}
	if mode == modePlan {
		printPlan(io, run.dir, summary)
	}
	summary.Print(text)
	log.Info().Str("run_id", run.id).Int("rows", summary.Rows).Interface("by_status", summary.ByStatus).
		Float64("rows_per_second", summary.RowsPerSecond).Interface("requests_by_service", summary.RequestsByService).
		Msg(mode.command() + " finished")

	switch {
	case outcome.Stopped != nil:
		if mode == modeApply {
			fmt.Fprintf(text, "resume with: %s\n", resumeCommand(mopts.DisplayName, fs, run.id))
		} else {
			fmt.Fprintf(text, "the plan stopped early; run it again for the whole plan\n")
		}
		return withExit(exitStopped, nil)
	case summary.ByStatus[report.StatusFailed] > 0:
		return cleanupError(io, withExit(exitRowsFail, nil), run.finish())
	}
	return cleanupError(io, nil, run.finish())
}

// cleanupError adds the failure of a run's cleanup (the sealing key not
// removed, the journal not synced) to the run's own outcome: it is
// reported, and a run that would have exited 0 exits 1.
func cleanupError(io *streams, runErr, cleanup error) error {
	if cleanup == nil {
		return runErr
	}
	if runErr == nil {
		return withExit(exitRowsFail, cleanup)
	}
	fmt.Fprintf(io.ErrOut, "batch: %v\n", cleanup)
	return runErr
}

// census is what a manifest asks for, counted in one pass.
type census struct {
	rows, generated, resumed int
	// groupRows counts the rows still to run that name groups: they need
	// the organization's group list (one read).
	groupRows int
	byOp      map[manifest.Op]int
	// byKind counts the rows still to run by op and target kind: what the
	// resolver needs to know to choose between lookups and whole lists.
	byKind map[opTarget]int
}

type opTarget struct {
	op   manifest.Op
	kind manifest.TargetKind
	// readsState: the row's account is read whatever the mode (its exact
	// membership is a difference from the current one, or its email and
	// user name are checked).
	readsState bool
}

// needs totals the reads the rows still to run cost under exec.
func (c census) needs(exec *apply.Executor) apply.Needs {
	var n apply.Needs
	for k, count := range c.byKind {
		job := manifest.Job{Op: k.op, Target: manifest.Target{Kind: k.kind}}
		if k.readsState {
			job.ExpectUserName = "?"
		}
		var one apply.Needs
		exec.Needs(&job, &one)
		n.UserLookups += one.UserLookups * count
		n.UserStates += one.UserStates * count
		n.RobotLookups += one.RobotLookups * count
		n.RobotStates += one.RobotStates * count
	}
	n.Groups = c.groupRows
	return n
}

func takeCensus(ctx context.Context, path string, mopts manifest.Options, done journal.State) (census, error) {
	c := newCensus()
	err := forEachJob(ctx, path, mopts, func(j *manifest.Job) { c.add(j, done) })
	return c, err
}

func newCensus() census {
	return census{byOp: map[manifest.Op]int{}, byKind: map[opTarget]int{}}
}

// add counts one row; a row done is counted as resumed only.
func (c *census) add(j *manifest.Job, done journal.State) {
	c.rows++
	if s, ok := done[j.Row]; ok && s.Done {
		c.resumed++
		return
	}
	c.byOp[j.Op]++
	c.byKind[opTarget{j.Op, j.Target.Kind, apply.ReadsState(j)}]++
	if j.Groups != nil || len(j.GroupIDsToAdd)+len(j.GroupIDsToRemove) > 0 {
		c.groupRows++
	}
	for _, ref := range []*manifest.SecretRef{j.NewPassword, j.OldPassword} {
		if ref != nil && ref.Kind == manifest.SecretGenerate {
			c.generated++
		}
	}
}

// opCalls are the client operations each manifest op reads with and the
// one it writes with: a plan's token asks only for the reads' scopes.
var opCalls = map[manifest.Op]struct {
	reads []client.Operation
	write client.Operation
}{
	manifest.OpUpdateUser:          {[]client.Operation{client.OpGetUser, client.OpListUsers}, client.OpUpdateUser},
	manifest.OpSetPassword:         {[]client.Operation{client.OpGetUser, client.OpListUsers}, client.OpUpdateUser},
	manifest.OpChangePassword:      {[]client.Operation{client.OpGetUser, client.OpListUsers}, client.OpChangePassword},
	manifest.OpUpdateRobotAccount:  {[]client.Operation{client.OpGetRobotAccount, client.OpListRobotAccounts}, client.OpUpdateRobotAccount},
	manifest.OpSetRobotCredentials: {[]client.Operation{client.OpGetOrchestratorUser, client.OpFindOrchestratorUser}, client.OpSetUnattendedCredentials},
}

// operations lists the client operations the manifest's rows use.
func (c census) operations(mode runMode) []client.Operation {
	ops := []client.Operation{}
	for op := range c.byOp {
		calls := opCalls[op]
		ops = append(ops, calls.reads...)
		if mode == modeApply {
			ops = append(ops, calls.write)
		}
	}
	if c.groupRows > 0 {
		ops = append(ops, client.OpListGroups)
	}
	if len(ops) == 0 {
		ops = append(ops, client.OpGetUser)
	}
	return ops
}

func (c census) String() string {
	ops := slices.Sorted(maps.Keys(c.byOp))
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %d", op, c.byOp[op])
	}
	return strings.Join(parts, ", ")
}

// confirm asks a person to confirm a mass change. Without a terminal on
// stdin the run needs --yes: a scheduler must say so explicitly. An
// interrupt while it waits for the answer ends the run (exit 3) with
// nothing sent.
func confirm(ctx context.Context, io *streams, rf *runFlags, c census, s client.Settings, run *runFolder) error {
	if rf.Yes {
		return nil
	}
	if !io.IsStdinTTY() {
		return usageErrorf("apply changes accounts: confirm with --yes (stdin is not a terminal, so it cannot ask); nothing was sent")
	}
	fmt.Fprintf(io.ErrOut, "About to apply %s (%s) to organization %q", plural(c.rows-c.resumed, "row"), c, s.Organization)
	if s.Tenant != "" {
		fmt.Fprintf(io.ErrOut, ", tenant %q", s.Tenant)
	}
	fmt.Fprintf(io.ErrOut, ".\nReport: %s\nType yes to continue: ", run.dir)
	answered := make(chan string, 1)
	go func() { // a read of a terminal cannot be cancelled: it is left behind
		answer, _ := bufio.NewReader(io.In).ReadString('\n')
		answered <- answer
	}()
	var answer string
	select {
	case answer = <-answered:
	case <-ctx.Done():
		fmt.Fprintln(io.ErrOut)
		return withExit(exitStopped, errors.New("interrupted at the confirmation; nothing was sent"))
	}
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		return usageErrorf("not confirmed; nothing was sent")
	}
	return nil
}

// forEachJob reads a (validated) manifest once.
func forEachJob(ctx context.Context, path string, mopts manifest.Options, fn func(*manifest.Job)) error {
	r, err := manifest.Open(ctx, path, mopts)
	if err != nil {
		return usageErrorf("%w", err)
	}
	defer r.Close()
	for {
		job, err := r.Next()
		if errors.Is(err, goio.EOF) {
			return nil
		}
		if err != nil {
			return usageErrorf("%w", err)
		}
		fn(&job)
	}
}

// spoolStdin copies a manifest given as "-" to a private temporary file,
// because a run reads the manifest more than once.
func spoolStdin(io *streams, path string) (string, func(), error) {
	if path != "-" {
		return path, func() {}, nil
	}
	f, err := os.CreateTemp("", "batch-stdin-*.csv")
	if err != nil {
		return "", nil, fmt.Errorf("spool standard input: %w", err)
	}
	cleanup := func() { _ = os.Remove(f.Name()) }
	_, cerr := f.ReadFrom(io.In)
	if err := errors.Join(cerr, f.Close()); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("spool standard input: %w", err)
	}
	return f.Name(), cleanup, nil
}

// newRunID names a run folder: sortable time plus a random suffix.
func newRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// runFolder is a run's report folder, locked while the run works on it.
type runFolder struct {
	id, dir string
	meta    journal.Meta
	lock    *journal.Lock
	journal *journal.Journal
	state   journal.State // the interrupted run's rows (resume), or empty
	mode    runMode
	// fresh: this process created the run (not a resume); dirExisted: its
	// folder was there before. started: the run got past sign-in, so its
	// folder is a report to keep.
	fresh, dirExisted, started bool
}

func openRunFolder(mode runMode, path, display string, rf *runFlags, fs *pflag.FlagSet) (*runFolder, error) {
	sum, err := journal.HashFile(path)
	if err != nil {
		return nil, usageErrorf("%w", err)
	}
	run := &runFolder{mode: mode, state: journal.State{}}
	if rf.Resume != "" {
		if rf.RunID != "" && rf.RunID != rf.Resume {
			return nil, usageErrorf("--run-id and --resume name different runs")
		}
		run.id = rf.Resume
		run.dir = filepath.Join(rf.ReportDir, run.id)
		if run.meta, err = journal.ReadMeta(run.dir); err != nil {
			return nil, usageErrorf("--resume %s: %w", run.id, err)
		}
		if run.meta.Command != mode.command() {
			return nil, usageErrorf("--resume %s: that run was a %s, not a %s", run.id, run.meta.Command, mode.command())
		}
		if run.meta.ManifestSHA256 != sum {
			return nil, usageErrorf("--resume %s: the manifest changed since that run started (%s was %s, is %s); resume with the same manifest, or start a new run", run.id, display, run.meta.ManifestSHA256[:12], sum[:12])
		}
	} else {
		run.id = rf.RunID
		if run.id == "" {
			run.id = newRunID()
		}
		run.dir = filepath.Join(rf.ReportDir, run.id)
		if _, err := os.Stat(filepath.Join(run.dir, journal.MetaName)); err == nil {
			if mode == modePlan {
				return nil, usageErrorf("run %s already exists in %s: choose another --run-id", run.id, rf.ReportDir)
			}
			return nil, usageErrorf("run %s already exists in %s: resume it with --resume %s, or choose another --run-id", run.id, rf.ReportDir, run.id)
		}
		run.meta = journal.Meta{RunID: run.id, Command: mode.command(), Manifest: display, ManifestSHA256: sum, Started: time.Now().UTC()}
		run.fresh = true
		if _, err := os.Stat(run.dir); err == nil {
			run.dirExisted = true
		}
	}
	// Flags given now (a resume's overrides included) are what a later
	// resume starts from.
	run.meta.Flags = recordFlags(fs)
	if err := os.MkdirAll(run.dir, 0o750); err != nil {
		return nil, usageErrorf("create report folder: %w", err)
	}
	if run.lock, err = journal.Acquire(run.dir); err != nil {
		return nil, usageErrorf("%w", err)
	}
	if err := journal.WriteMeta(run.dir, run.meta); err != nil {
		run.close()
		return nil, err
	}
	if mode == modePlan {
		return run, nil
	}
	if rf.Resume != "" {
		if run.state, err = journal.Read(run.dir); err != nil {
			run.close()
			return nil, usageErrorf("--resume %s: %w", run.id, err)
		}
	}
	sealer, err := journal.LoadSealer(run.dir)
	if err == nil && sealer == nil {
		sealer, err = journal.NewSealer(run.dir)
	}
	if err != nil {
		run.close()
		return nil, err
	}
	if run.journal, err = journal.Open(run.dir, sealer); err != nil {
		run.close()
		return nil, err
	}
	return run, nil
}

// keep says which rows' earlier results a resumed run carries over.
func (r *runFolder) keep() func(int) bool {
	if len(r.state) == 0 {
		return nil
	}
	return func(row int) bool {
		s, ok := r.state[row]
		return ok && s.Done
	}
}

// finish ends a run that dispatched every row: its sealing key goes, so
// the passwords sealed in its journal can no longer be opened. A key that
// could not be removed is an error: it still opens them.
func (r *runFolder) finish() error {
	if r.journal == nil {
		return nil
	}
	if err := journal.RemoveKey(r.dir); err != nil {
		return fmt.Errorf("%w: the passwords sealed in the run's journal can still be opened with it; delete %s", err, filepath.Join(r.dir, journal.KeyName))
	}
	return nil
}

// close closes the journal (synced to disk: a resume relies on it) and
// releases the folder's lock. A new run that never started (not confirmed,
// refused sign-in) removes what it created: nothing was sent, so there is
// nothing to report or resume.
func (r *runFolder) close() error {
	var err error
	if r.journal != nil {
		err = r.journal.Close()
	}
	_ = r.lock.Release()
	if r.fresh && !r.started {
		for _, name := range []string{journal.FileName, journal.KeyName, journal.LockName, journal.MetaName} {
			_ = os.Remove(filepath.Join(r.dir, name))
		}
		if !r.dirExisted {
			_ = os.Remove(r.dir)
		}
	}
	return err
}
