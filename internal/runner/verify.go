package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/htmlreport"
	"github.com/uipath-batch/batch/internal/iostreams"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/session"
	"github.com/uipath-batch/batch/internal/verify"
	"github.com/uipath-batch/batch/internal/worker"
)

// ErrUnconfirmed ends a verify that found rows the audit does not show,
// or rows another actor changed in the run's window.
var ErrUnconfirmed = errors.New("the audit does not confirm every row")

// VerifyOptions are the settings of `batch verify`.
type VerifyOptions struct {
	IO  *iostreams.IOStreams
	Dir string
	// Wait is how long to wait, at most, for the audit to show rows that
	// finished less than Lag before it was read; Lag is how long a
	// record may take to be written.
	Wait, Lag time.Duration
	Conn      *Connection
	Run       *RunOptions
	Version   string
}

// RunVerify judges a run folder's succeeded rows against UiPath's audit
// logs, writes verify.csv and the counts in summary.json, renders
// report.html again, and prints the counts and the rows not confirmed.
func RunVerify(ctx context.Context, opts VerifyOptions) (err error) {
	streams, ro := opts.IO, opts.Run
	if err := ro.checkRanges(false, false); err != nil {
		return err
	}
	if opts.Wait < 0 || opts.Lag < 0 {
		return fmt.Errorf("--wait and --lag must be 0 or more; nothing was read")
	}
	log, err := streams.Logger(ro.Log.Format, ro.Log.Level)
	if err != nil {
		return err
	}
	defer LogError(streams, ro.Log, log, &err)
	if st, serr := os.Stat(opts.Dir); serr != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a run folder (give REPORT_DIR/RUN_ID)", opts.Dir)
	}
	run, err := verify.Load(ctx, opts.Dir)
	if err != nil {
		return err
	}
	settings, err := opts.Conn.Settings()
	if err != nil {
		return err
	}
	if recorded, _ := run.Summary.Settings["target"].(string); recorded != "" && !strings.EqualFold(recorded, settings.Target()) {
		return fmt.Errorf("the run was made against %s, and the settings name %s: verify it against the organization it changed; nothing was read", recorded, settings.Target())
	}
	checks, requests, err := Verify(ctx, run, settings, session.Options{Limits: ro.Limits, Timeout: ro.Timeout, MaxAttempts: ro.MaxAttempts, Version: opts.Version, Log: log}, opts.Wait, opts.Lag)
	if err != nil {
		return err
	}
	if err := verify.Write(opts.Dir, run, checks); err != nil {
		return &StopError{err}
	}
	if err := htmlreport.Write(context.WithoutCancel(ctx), opts.Dir); err != nil {
		fmt.Fprintf(streams.ErrOut, "warning: %v (render it again with: batch report %s)\n", err, opts.Dir)
	}
	counts := verify.Counts(checks)
	rerun, n, rerr := verify.WriteRerun(ctx, opts.Dir, checks)
	switch {
	case rerr != nil:
		fmt.Fprintf(streams.ErrOut, "the rows not found in the audit were not written as a manifest: %v\n", rerr)
	case n > 0:
		defer fmt.Fprintf(streams.ErrOut, "apply them again with: batch apply %s\n", rerun)
	}
	log.Info().Str("run_dir", opts.Dir).Interface("verdicts", counts).Interface("requests_by_method", requests).Msg("verified")
	if !streams.JSONLogs(ro.Log.Format) {
		printVerdicts(streams, opts.Dir, checks, counts)
	}
	if counts[string(verify.NotFound)]+counts[string(verify.ChangedByOthers)] > 0 {
		return shown(ErrUnconfirmed)
	}
	return nil
}

// Verify reads the audit logs of run's window (again, for at most wait,
// while rows finished less than lag before the read are not found) and
// judges its rows. It returns the requests it sent, by method.
func Verify(ctx context.Context, run verify.Run, settings client.Settings, so session.Options, wait, lag time.Duration) ([]verify.Check, map[string]int, error) {
	so.Operations = client.AuditOperations
	sess, err := session.New(ctx, settings, so)
	if err != nil {
		return nil, nil, err
	}
	if err := sess.Client.Authenticate(ctx); err != nil {
		return nil, nil, &StopError{fmt.Errorf("sign in: %w; nothing was read", err)}
	}
	policy := session.RetryPolicy(so.MaxAttempts)
	policy.Stop = sess.Limiter.Stopped()
	reader := auditReader{c: sess.Client, policy: policy}
	since := run.Start.Add(-time.Minute) // clocks differ a little
	deadline := time.Now().Add(wait)
	var checks []verify.Check
	for {
		audit, err := verify.Read(ctx, reader, run.Rows, since, isForbidden)
		if err != nil {
			return nil, nil, &StopError{err}
		}
		checks = verify.Judge(run.Rows, audit, verify.Options{ClientID: settings.ClientID, Start: since, End: run.End.Add(time.Minute), Now: time.Now(), Lag: lag})
		waiting := laggingRows(checks)
		if waiting == 0 || !time.Now().Before(deadline) {
			break
		}
		// Said each time, not silent: the wait may last minutes.
		next := min(10*time.Second, time.Until(deadline))
		so.Log.Info().Int("rows", waiting).Dur("again_in", next).Time("until", deadline).
			Msg("the audit does not show every row yet (its records may take a while to be written); reading it again")
		select {
		case <-ctx.Done():
			return nil, nil, &StopError{context.Cause(ctx)}
		case <-time.After(next):
		}
	}
	requests, _, _ := sess.Requests()
	return checks, requests, nil
}

// laggingRows counts the rows not checkable only because their records
// may not be written yet.
func laggingRows(checks []verify.Check) int {
	n := 0
	for _, c := range checks {
		if c.Lagging {
			n++
		}
	}
	return n
}

// printVerdicts prints the counts and the rows the audit does not confirm.
func printVerdicts(streams *iostreams.IOStreams, dir string, checks []verify.Check, counts map[string]int) {
	var parts []string
	for _, v := range verify.Verdicts {
		if n := counts[string(v)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no succeeded row to verify")
	}
	fmt.Fprintf(streams.ErrOut, "verified %s against UiPath's audit logs: %s\n", report.Plural(len(checks), "row"), strings.Join(parts, ", "))
	shownRows := 0
	for _, c := range checks {
		if c.Verdict != verify.NotFound && c.Verdict != verify.ChangedByOthers {
			continue
		}
		if shownRows++; shownRows > 20 {
			fmt.Fprintf(streams.ErrOut, "  … and more in %s\n", filepath.Join(dir, verify.FileName))
			break
		}
		fmt.Fprintf(streams.ErrOut, "  row %d %s %s: %s: %s\n", c.Row.Row, c.Row.Op, c.Row.Target, c.Verdict, c.Reason)
	}
	fmt.Fprintf(streams.ErrOut, "verdicts: %s\n", filepath.Join(dir, verify.FileName))
}

// isForbidden reports whether err is a refusal for want of a scope or a
// permission.
func isForbidden(err error) bool {
	return client.KindOf(err) == client.KindForbidden
}

// auditReader reads the services' audit logs through the client, each
// list read again whole when it fails in a retryable way (see whole).
type auditReader struct {
	c      *client.Client
	policy worker.RetryPolicy
}

// Audit reads service's audit back to since.
func (a auditReader) Audit(ctx context.Context, service string, since time.Time, fn func(verify.Record) error) error {
	if service == verify.Orchestrator {
		return whole(ctx, a.policy, func(ctx context.Context, emit func(client.OrchestratorAuditRecord) error) error {
			return a.c.Audit().Orchestrator(ctx, since, emit)
		}, func(r client.OrchestratorAuditRecord) error {
			return fn(verify.Record{ID: strconv.FormatInt(r.ID, 10), Time: r.ExecutionTime, Kind: r.Component, Action: r.Action,
				Target: r.DisplayName, EntityID: strconv.FormatInt(r.EntityID, 10), Details: r.Parameters + " " + r.OperationText,
				Actor: r.UserName, ClientID: r.ExternalClientID})
		})
	}
	return whole(ctx, a.policy, func(ctx context.Context, emit func(client.IdentityAuditRecord) error) error {
		return a.c.Audit().Identity(ctx, since, emit)
	}, func(r client.IdentityAuditRecord) error {
		rec := verify.Record{Time: r.CreatedOn, Kind: r.Category, Action: r.Action, Details: r.Details, Actor: cmp.Or(r.Email, r.UserName)}
		if strings.EqualFold(r.Source, "ExternalApplication") {
			rec.ClientID = r.UserName // an External Application acts under its client id
		}
		return fn(rec)
	})
}
