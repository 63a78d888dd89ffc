package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func TestPlanOf10000RowsCostsAFewReads(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 users")
	}
	const n = 10000
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,display_name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Person %d\n", i, i)
	}
	m := writeFile(t, dir, "big.csv", b.String())
	res := runBatch(t, emu, dir, "plan", m, "--run-id", "big", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("plan exit %d\n%s", res.code, res.stderr)
	}
	counts := emu.Counts()
	if counts["GET"] > 15 {
		t.Fatalf("a 10,000-row plan sent %d GETs, want at most 15", counts["GET"])
	}
	for m, c := range counts {
		if m != "GET" && c > 0 {
			t.Fatalf("plan sent %d %s", c, m)
		}
	}
	s := readSummary(t, filepath.Join(dir, "reports", "big"))
	if s.Rows != n || s.ByStatus[report.StatusPlanned] != n || s.Requests["GET"] != counts["GET"] {
		t.Fatalf("summary %d rows, %v, requests %v (emulator saw %v)", s.Rows, s.ByStatus, s.Requests, counts)
	}
}

func TestMaxFailuresStopsDispatchingAndReportsEveryRow(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 10})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,user_id,name\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&b, "update_user,00000000-0000-0000-0000-%012d,X\n", i)
	}
	m := writeFile(t, dir, "ghosts.csv", b.String())
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "mf", "--limits", "none", "--workers", "2", "--max-failures", "5")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3\n%s", res.code, res.stderr)
	}
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "mf")))
	failed, skipped := 0, 0
	for _, r := range rows {
		switch r.Status {
		case report.StatusFailed:
			failed++
			// Not in the user list read first (its state is what undo
			// needs), or refused by the PUT.
			if r.ErrorCode != "not_found" || r.HTTPStatus != 404 && r.HTTPStatus != 0 {
				t.Errorf("row %d: %s %d", r.Row, r.ErrorCode, r.HTTPStatus)
			}
		case report.StatusSkipped:
			skipped++
		}
	}
	if len(rows) != 60 || failed < 5 || failed > 5+2 || skipped != 60-failed {
		t.Fatalf("%d rows: %d failed, %d skipped; want all 60, 5 to 7 failed, the rest skipped", len(rows), failed, skipped)
	}
	if put := emu.Counts()["PUT"]; put > 7 {
		t.Fatalf("%d PUTs sent after the failure limit", put)
	}
	s := readSummary(t, filepath.Join(dir, "reports", "mf"))
	if !strings.Contains(s.Stopped, "max-failures") {
		t.Fatalf("summary stopped = %q", s.Stopped)
	}
}

func TestBadCredentialsStopAtOnceWithoutLeakingTheSecret(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 10})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,user_id,name\n")
	for _, u := range emu.Users() {
		fmt.Fprintf(&b, "update_user,%s,X\n", u.ID)
	}
	m := writeFile(t, dir, "users.csv", b.String())
	const wrong = "wrong-secret-do-not-print-0123"
	cmd := batchCmd(t.Context(), emu, dir, "apply", m, "--yes", "--run-id", "auth", "--limits", "none", "--log-level", "debug", "--log-format", "json")
	cmd.Env = append(cmd.Env, "UIPATH_CLIENT_SECRET="+wrong)
	out, _ := cmd.CombinedOutput()
	code := cmd.ProcessState.ExitCode()
	if code != 3 && code != 2 {
		t.Fatalf("exit %d, want 2 or 3\n%s", code, out)
	}
	if !strings.Contains(string(out), "UIPATH_CLIENT_SECRET") {
		t.Errorf("the error does not point at the credential settings:\n%s", out)
	}
	if n := emu.Counts()["PUT"]; n > 0 {
		t.Fatalf("%d writes with refused credentials", n)
	}
	if emu.TokenRequests() > 3 {
		t.Fatalf("%d token requests: the run did not stop at once", emu.TokenRequests())
	}
	assertNoSecrets(t, []string{wrong, emulator.DefaultClientSecret}, []string{string(out)}, filepath.Join(dir, "reports"))
}

func TestApplyWithoutTerminalNeedsYes(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "u.csv", "op,username,name\nupdate_user,user00001,X\n")
	res := runBatch(t, emu, dir, "apply", m, "--limits", "none")
	if res.code != 2 || !strings.Contains(res.stderr, "--yes") {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	if emu.Counts()["PUT"] != 0 {
		t.Fatal("unconfirmed apply wrote")
	}
}

func TestFewTargetsInALargeTenantAreLookedUpNotListed(t *testing.T) {
	const users = 7000
	emu := startEmulator(t, emulator.Config{Users: users})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,display_name\n")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Few %d\n", i*1000, i)
	}
	m := writeFile(t, dir, "few.csv", b.String())
	res := runBatch(t, emu, dir, "plan", m, "--run-id", "few", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("plan exit %d\n%s", res.code, res.stderr)
	}
	for _, r := range readResults(t, filepath.Join(dir, "reports", "few")) {
		if r.Status != report.StatusPlanned {
			t.Fatalf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	// Six lookups against a 7-page list: the list is abandoned after six
	// pages, then each target is looked up: at most 2 × 6 reads (+1 for
	// the page that tells the list is too long).
	if gets := emu.Counts()["GET"]; gets > 13 {
		t.Fatalf("%d GETs for 6 targets in a %d-user tenant", gets, users)
	}
}
