package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/verify"
)

func init() { register("12 verify", benchVerify) }

// verifyPage is how many records one audit read asks for, in both
// services.
const verifyPage = 1000

// verifyFew is the "few" of verify's bound: the token, and one page per
// service past the records of the window, which a walk reads when their
// last page comes back full (it stops at a short page, or, in Identity,
// at the total count the page gives).
const verifyFew = 3

// The templates of the two audit reads, as the emulator counts them.
const (
	orchestratorAuditGET = "GET /odata/AuditLogs"
	identityAuditGET     = "GET /api/AuditQuery/{partitionGlobalId}"
)

// benchVerify applies a mixed manifest, Identity rows (update_user) and
// Orchestrator rows (update_unattended_robot) four to one, then runs
// `batch verify RUN_DIR --lag 0` on its folder. It counts verify's
// requests, the token's included, against ⌈records in the window /
// 1000⌉ per service, summed, + verifyFew; every row must be confirmed.
// Its rows/s are set against the apply's, measured in the same run.
func benchVerify(ctx context.Context, env *Env) ([]Row, error) {
	robots := env.Size(2000, 20)
	users := 4 * robots
	n := users + robots
	// The robots are seeded Orchestrator users (the emulator generates
	// fewer than 1,000 robot accounts).
	seed := &emulator.SeedFile{}
	for j := 1; j <= robots; j++ {
		seed.OrchestratorUsers = append(seed.OrchestratorUsers, emulator.SeedOrchestrator{
			ID: int64(20000 + j), UserName: fmt.Sprintf("robot-%05d", j), Type: "Robot",
			UnattendedRobot: &emulator.SeedUnattended{UserName: fmt.Sprintf(`CORP\svc-%05d`, j), CredentialType: "Default",
				ExecutionSettings: map[string]any{"LoggingLevel": "Information"}}})
	}
	srv, err := startEmulator(emulator.Config{Users: users, Seed: 12, SeedData: seed})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "verify.csv")
	// Every fifth row is a robot's: row i is robot i/5, or user i - i/5.
	err = writeManifest(manifest, "op,email,username,display_name,execution_settings", n, func(i int) string {
		if i%5 == 0 {
			return fmt.Sprintf(`update_unattended_robot,,robot-%05d,,"{""LoggingLevel"": ""Verbose"", ""Bench"": %d}"`, i/5, i)
		}
		u := i - i/5
		return fmt.Sprintf("update_user,user%05d@example.com,,Verified %d,", u, u)
	})
	if err != nil {
		return nil, err
	}
	apply, err := runTool(ctx, env, srv, "verify-apply", "apply", manifest, "--yes", "--limits", "none", "--workers", "32")
	if err != nil {
		return nil, err
	}
	if ok := apply.Summary.ByStatus[report.StatusSucceeded]; ok != n {
		return nil, fmt.Errorf("the apply succeeded %d rows of %d: %v", ok, n, apply.Summary.ByStatus)
	}
	runDir := filepath.Join(env.Dir, "reports", "verify-apply")
	orchestratorRecords, identityRecords, err := recordsInWindow(srv, runDir)
	if err != nil {
		return nil, err
	}
	bound := pages(orchestratorRecords) + pages(identityRecords) + verifyFew

	before := srv.RequestSummary()
	run, err := runMeasured(ctx, env.Bin, append(srv.Env(), "UIPATH_PROFILE=", "HOME="+env.Dir),
		"verify", runDir, "--lag", "0", "--limits", "none", "--log-format", "json", "--log-level", "warn")
	if err != nil {
		return nil, err
	}
	after := srv.RequestSummary()
	if run.ExitCode != 0 && run.ExitCode != 5 { // 5: the audit does not confirm every row
		return nil, fmt.Errorf("batch verify exited %d: %s", run.ExitCode, tail(run.Stderr))
	}
	tokens := after.TokenRequests - before.TokenRequests
	spent := after.Total - before.Total + tokens
	orchestratorGETs := after.ByTemplate[orchestratorAuditGET] - before.ByTemplate[orchestratorAuditGET]
	identityGETs := after.ByTemplate[identityAuditGET] - before.ByTemplate[identityAuditGET]

	judged, err := report.ReadSummary(runDir)
	if err != nil {
		return nil, err
	}
	confirmed := judged.Verify[string(verify.Confirmed)]
	unconfirmed := ""
	if confirmed != n {
		if unconfirmed, err = unconfirmedRows(runDir, 5); err != nil {
			return nil, err
		}
		unconfirmed = "; NOT CONFIRMED: " + unconfirmed
	}

	perSec, applyPerSec := float64(n)/run.Wall.Seconds(), float64(n)/apply.Wall.Seconds()
	return []Row{{
		Scenario: "12 verify", Rows: n, RowsPerSec: perSec,
		Reference: "the apply it verifies", RefPerSec: applyPerSec, Ratio: perSec / applyPerSec,
		Target:    fmt.Sprintf("requests <= %d, all confirmed", bound),
		PeakRSSMB: run.PeakRSSMB, Throttled: after.Throttled - before.Throttled,
		Pass: confirmed == n && (env.Smoke || spent <= bound),
		Note: fmt.Sprintf("%d rows (%d update_user, %d update_unattended_robot), applied in %s (%s); verify --lag 0 in %s (process start to verify.csv and report.html written): %d requests (%d token, %s) against ⌈%d Orchestrator records / %d⌉ + ⌈%d Identity records / %d⌉ + %d (the token, one closing page per service) = %d; audit pages read: Orchestrator %d, Identity %d; verdicts %s%s",
			n, users, robots, apply.Wall.Round(time.Millisecond), methods(apply.Summary), run.Wall.Round(time.Millisecond),
			spent, tokens, requestsBetween(before, after, ""), orchestratorRecords, verifyPage, identityRecords, verifyPage,
			verifyFew, bound, orchestratorGETs, identityGETs, verdictCounts(judged.Verify), unconfirmed),
	}}, nil
}

// pages is how many full or partial pages records fill.
func pages(records int) int { return (records + verifyPage - 1) / verifyPage }

// recordsInWindow counts the records of each audit log that verify
// reads for the run in runDir: those written from a minute before the
// run's first start on (verify's window; the records after the run, none
// here, are read too).
func recordsInWindow(srv *emulator.Server, runDir string) (orchestrator, identity int, err error) {
	s, err := report.ReadSummary(runDir)
	if err != nil {
		return 0, 0, err
	}
	start := s.StartedAt
	for _, ss := range s.Sessions {
		if !ss.StartedAt.IsZero() && ss.StartedAt.Before(start) {
			start = ss.StartedAt
		}
	}
	since := start.Add(-time.Minute).Truncate(time.Millisecond)
	for _, r := range srv.AuditLogs() {
		if !r.ExecutionTime.Before(since) {
			orchestrator++
		}
	}
	for _, r := range srv.IdentityAudit() {
		if !r.CreatedOn.Before(since) {
			identity++
		}
	}
	return orchestrator, identity, nil
}

// unconfirmedRows names up to limit rows of the run's verify.csv that are
// not confirmed, with their verdicts and reasons, and how many there are.
func unconfirmedRows(runDir string, limit int) (string, error) {
	f, err := os.Open(filepath.Join(runDir, verify.FileName))
	if err != nil {
		return "", err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return "", fmt.Errorf("read %s: %w", verify.FileName, err)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	var shown []string
	total := 0
	for _, rec := range records[1:] {
		if rec[col["verdict"]] == string(verify.Confirmed) {
			continue
		}
		if total++; total <= limit {
			shown = append(shown, fmt.Sprintf("row %s %s %s: %s (%s)", rec[col["row"]], rec[col["op"]], rec[col["target"]], rec[col["verdict"]], rec[col["reason"]]))
		}
	}
	return fmt.Sprintf("%d rows: %s", total, strings.Join(shown, "; ")), nil
}

// verdictCounts renders verify's counts in the reports' order ("10000
// confirmed").
func verdictCounts(counts map[string]int) string {
	var parts []string
	for _, v := range verify.Verdicts {
		if n := counts[string(v)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
