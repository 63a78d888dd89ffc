package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// plan --detailed-exitcode is a drift check: 4 while a row would change,
// 0 once the manifest has been applied, and the problem's own code when
// a row fails, the manifest is invalid or the sign-in is refused (those
// win over 4). Without the flag a plan that finds changes exits 0, and
// apply does not take the flag.
func TestPlanDetailedExitCode(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 5})
	dir := inProcess(t, emu)
	reports := filepath.Join(dir, "reports")
	m := writeFile(t, dir, "u.csv", threeUsers)
	plan := func(id, manifest string, extra ...string) (exitCode, string) {
		t.Helper()
		io, stdout, stderr := testStreams("", false)
		args := append([]string{"plan", manifest, "--run-id", id, "--report-dir", reports, "--limits", "none"}, extra...)
		return run(args, io), stdout.String() + stderr.String()
	}
	statuses := func(id string) map[report.Status]int {
		t.Helper()
		n := map[report.Status]int{}
		for _, r := range readResults(t, filepath.Join(reports, id)) {
			n[r.Status]++
		}
		return n
	}

	if code, out := plan("drifted", m, "--detailed-exitcode"); code != exitChanges {
		t.Fatalf("plan --detailed-exitcode of a manifest that changes 3 rows: exit %d, want %d\n%s", code, exitChanges, out)
	} else if strings.Contains(out, "found changes") || strings.Contains(out, `"level":"error"`) {
		t.Errorf("exit 4 is printed as an error; the plan itself says what would change:\n%s", out)
	}
	if got := statuses("drifted"); got[report.StatusPlanned] != 3 {
		t.Errorf("drifted plan: statuses %v, want 3 planned", got)
	}
	if code, out := plan("plain", m); code != exitOK {
		t.Errorf("plan without --detailed-exitcode that finds changes: exit %d, want 0\n%s", code, out)
	}
	if puts := emu.Counts()["PUT"]; puts != 0 {
		t.Fatalf("the plans sent %d PUT requests", puts)
	}

	io, stdout, stderr := testStreams("", false)
	if code := run([]string{"apply", m, "--yes", "--detailed-exitcode", "--report-dir", reports, "--limits", "none"}, io); code != exitInvalid {
		t.Errorf("apply --detailed-exitcode: exit %d, want %d (plan's flag only)\n%s%s", code, exitInvalid, stdout, stderr)
	}
	io, stdout, stderr = testStreams("", false)
	if code := run([]string{"apply", m, "--yes", "--run-id", "applied", "--report-dir", reports, "--limits", "none"}, io); code != exitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, out := plan("in-sync", m, "--detailed-exitcode"); code != exitOK {
		t.Errorf("plan --detailed-exitcode of an applied manifest: exit %d, want 0\n%s", code, out)
	}
	if got := statuses("in-sync"); got[report.StatusUnchanged] != 3 || len(got) != 1 {
		t.Errorf("in-sync plan: statuses %v, want 3 unchanged", got)
	}

	// A row that fails next to one that would change: 1, not 4.
	failing := writeFile(t, dir, "f.csv", "op,username,name\nupdate_user,user00004,Dee\nupdate_user,nobody-here,X\n")
	if code, out := plan("failing", failing, "--detailed-exitcode"); code != exitRowsFail {
		t.Errorf("plan --detailed-exitcode with a failing row: exit %d, want %d\n%s", code, exitRowsFail, out)
	}
	if got := statuses("failing"); got[report.StatusPlanned] != 1 || got[report.StatusFailed] != 1 {
		t.Errorf("failing plan: statuses %v, want 1 planned and 1 failed", got)
	}
	invalid := writeFile(t, dir, "bad.csv", "op,username,name\nfly,user00004,Dee\n")
	if code, out := plan("invalid", invalid, "--detailed-exitcode"); code != exitInvalid {
		t.Errorf("plan --detailed-exitcode of an invalid manifest: exit %d, want %d\n%s", code, exitInvalid, out)
	}
	t.Setenv("UIPATH_CLIENT_SECRET", "not-the-secret")
	if code, out := plan("refused", failing, "--detailed-exitcode"); code != exitStopped {
		t.Errorf("plan --detailed-exitcode with refused credentials: exit %d, want %d\n%s", code, exitStopped, out)
	}
}

// The drift checks in examples/schedule run a plan with --detailed-exitcode
// on a schedule: the systemd units verify (when systemd-analyze is
// installed), the CronJob is YAML, and each batch command line parses with
// plan's own flags.
func TestDriftCheckExamplesAreValid(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "schedule")
	checkDriftCommandLine(t, "batch-drift.service", unitCommand(t, dir, "batch-drift"))
	checkDriftCommandLine(t, "drift-cronjob.k8s.yaml", cronJobCommand(t, filepath.Join(dir, "drift-cronjob.k8s.yaml")))
}

// checkDriftCommandLine parses a scheduled "exec batch plan …" line with
// plan's own flags: it must ask for the detailed exit code, log JSON and
// name its run.
func checkDriftCommandLine(t *testing.T, where, line string) {
	t.Helper()
	f := strings.Fields(shellSubst.ReplaceAllString(line, "VALUE"))
	for len(f) > 0 && f[0] != "plan" {
		f = f[1:]
	}
	if len(f) < 2 {
		t.Fatalf("%s: no batch plan command in %q", where, line)
	}
	root, _ := newRootCmd(&streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard})
	plan, _, err := root.Find([]string{"plan"})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.ParseFlags(f[1:]); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	if args := plan.Flags().Args(); len(args) != 1 {
		t.Errorf("%s: plan takes one manifest, the command line gives %v", where, args)
	}
	for _, must := range []string{"detailed-exitcode", "log-format", "run-id", "report-dir"} {
		if !plan.Flags().Changed(must) {
			t.Errorf("%s: the drift check does not set --%s", where, must)
		}
	}
}
