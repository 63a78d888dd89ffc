package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// Re-applying a manifest whose changes hold sends nothing: apply reads
// the state anyway (for the undo manifest), so a row whose desired state
// holds is unchanged, as plan says.
func TestReapplyingSendsNothingTwice(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 4})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name,is_active\nupdate_user,user00001@example.com,Ann,false\nupdate_user,user00002@example.com,Bob,\n")
	if res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "first", "--limits", "none"); res.code != 0 {
		t.Fatalf("first apply: exit %d\n%s", res.code, res.stderr)
	}
	puts := emu.Counts()["PUT"]
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "again", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("second apply: exit %d\n%s", res.code, res.stderr)
	}
	if n := emu.Counts()["PUT"] - puts; n != 0 {
		t.Errorf("re-applying sent %d PUTs, want 0", n)
	}
	for _, r := range readResults(t, filepath.Join(dir, "reports", "again")) {
		if r.Status != report.StatusUnchanged {
			t.Errorf("row %d: %s, want unchanged", r.Row, r.Status)
		}
	}
}

// A delete of what is not there is unchanged, says so with the nearest
// name, and is counted apart in the summary; a run stopped by
// --max-failures with no row left does not print a resume command.
func TestDeleteOfWhatIsNotThereSaysSo(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3, SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Sales"}]}`)})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,group_name\ndelete_user,user00009@example.com,\ndelete_group,,Sale\n")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--allow-deletes", "--run-id", "gone", "--limits", "none", "--log-format", "console")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	rows := readResults(t, filepath.Join(dir, "reports", "gone"))
	if len(rows) != 2 || !strings.Contains(rows[0].ErrorMessage, "not found (already deleted?)") || !strings.Contains(rows[1].ErrorMessage, `did you mean "Sales"?`) {
		t.Errorf("rows %+v", rows)
	}
	if !strings.Contains(res.stderr, "unchanged  2 (2 deletes of what was not there: already deleted?)") {
		t.Errorf("the summary does not count them apart:\n%s", res.stderr)
	}
	if n := emu.Counts()["DELETE"]; n != 0 {
		t.Errorf("%d DELETEs sent", n)
	}

	m2 := writeFile(t, dir, "fail.csv", "op,email,name\nupdate_user,nobody@example.com,X\n")
	res = runBatch(t, emu, dir, "apply", m2, "--yes", "--max-failures", "1", "--run-id", "mf", "--limits", "none", "--log-format", "console")
	if strings.Contains(res.stdout+res.stderr, "resume with") {
		t.Errorf("--max-failures stopped after the last row, yet a resume command is printed:\n%s", res.stderr)
	}
}

// A run without a terminal (a scheduled one, logging JSON) logs its
// progress now and then: rows done of the total, the rate and time left.
func TestScheduledRunLogsProgress(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 6, Latency: 400 * time.Millisecond})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name\n"+
		"update_user,user00001@example.com,A\nupdate_user,user00002@example.com,B\nupdate_user,user00003@example.com,C\n"+
		"update_user,user00004@example.com,D\nupdate_user,user00005@example.com,E\nupdate_user,user00006@example.com,F\n")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--workers", "1", "--limits", "none", "--log-format", "json", "--progress-every", "200ms")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, `"message":"progress"`) || !strings.Contains(res.stderr, `"rows":6`) || !strings.Contains(res.stderr, "rows/s") {
		t.Errorf("no progress line in the JSON log:\n%s", res.stderr)
	}
	if res := runBatch(t, nil, dir, "plan", m, "--progress-every", "-1s"); res.code != 2 || !strings.Contains(res.stderr, "--progress-every must be 0 or more") {
		t.Errorf("--progress-every -1s: exit %d\n%s", res.code, res.stderr)
	}
}

// A run that reads a large organization's list before its rows can go on
// says so while it reads, not only once rows move: which list, and how far.
func TestScheduledRunLogsTheListItReads(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3000})
	dir := t.TempDir()
	var rows strings.Builder
	rows.WriteString("op,email,name\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&rows, "update_user,user%05d@example.com,N%d\n", i, i)
	}
	m := writeFile(t, dir, "m.csv", rows.String())
	res := runBatch(t, emu, dir, "plan", m, "--limits", "none,GET=1/1s", "--log-format", "json", "--progress-every", "100ms")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, `"status":"plan · reading the user list: 1000 of 3000 accounts`) {
		t.Errorf("no progress line says the user list is being read:\n%s", res.stderr)
	}
	out := filepath.Join(dir, "users.csv")
	res = runBatch(t, emu, dir, "export", "users", "-o", out, "--limits", "none,GET=1/1s", "--log-format", "json", "--progress-every", "100ms")
	if res.code != 0 {
		t.Fatalf("export: exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, `"status":"export users · reading the user list: 1000 of 3000 accounts"`) {
		t.Errorf("no progress line of the export says the user list is being read:\n%s", res.stderr)
	}
	if res := runBatch(t, nil, dir, "export", "users", "--progress-every", "-1s"); res.code != 2 || !strings.Contains(res.stderr, "--progress-every must be 0 or more") {
		t.Errorf("export --progress-every -1s: exit %d\n%s", res.code, res.stderr)
	}
}

// --limits entries replace the default budgets one by one: PUT=100/5m
// keeps the GET budget (the scarcest); an unknown method or service is
// refused, naming the entry, with nothing sent.
func TestLimitsEntriesReplaceDefaultsOneByOne(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 2})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name\nupdate_user,user00001@example.com,A\n")
	res := runBatch(t, emu, dir, "plan", m, "--limits", "PUT=100/5m", "--log-format", "json", "--run-id", "p")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	limits := readSummary(t, filepath.Join(dir, "reports", "p")).Settings["limits"]
	if s, _ := limits.(string); !strings.Contains(s, "identity:GET=270/5m") || !strings.Contains(s, "identity:PUT=100/5m") {
		t.Errorf("limits in force %q: want the default GET budget kept beside PUT=100/5m", limits)
	}
	before := sumRequests(emu)
	for _, bad := range []string{"orchestrator:FOO=1/1s", "billing:GET=1/1s", "PUT=0/1m"} {
		res := runBatch(t, emu, dir, "plan", m, "--limits", bad)
		if res.code != 2 || !strings.Contains(res.stderr, bad) {
			t.Errorf("--limits %s: exit %d, want 2 naming the entry\n%s", bad, res.code, res.stderr)
		}
	}
	if n := sumRequests(emu) - before; n != 0 {
		t.Errorf("refused limits sent %d requests", n)
	}
}

// batch report given a run id alone points at the run folder it means.
func TestReportOfARunIDSuggestsItsFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "reports", "mixed-apply"), 0o700); err != nil {
		t.Fatal(err)
	}
	res := runBatch(t, nil, dir, "report", "mixed-apply")
	if res.code != 2 || !strings.Contains(res.stderr, "did you mean "+filepath.Join("reports", "mixed-apply")+"?") {
		t.Errorf("exit %d\n%s", res.code, res.stderr)
	}
}

// A rotation's secrets name, on each line, the account the password is
// for (the robot's Windows account and its Orchestrator user): the
// directory administrator needs no other file. The export labels each
// row with the user name beside its id.
func TestRotationSecretsNameTheAccount(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Robots: 2})
	dir := t.TempDir()
	if res := runBatch(t, emu, dir, "export", "robot-credentials", "-o", "rot.csv", "--limits", "none"); res.code != 0 {
		t.Fatalf("export exit %d\n%s", res.code, res.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "rot.csv"))
	if !strings.Contains(string(data), `# robot-001: CORP\svc-robot-001`) {
		t.Errorf("the export labels no row:\n%s", data)
	}
	if res := runBatch(t, emu, dir, "apply", "rot.csv", "--yes", "--limits", "none", "--secrets-out", "s.csv"); res.code != 0 {
		t.Fatalf("apply exit %d\n%s", res.code, res.stderr)
	}
	entries, err := secretsout.Read(filepath.Join(dir, "s.csv"))
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Account, `CORP\svc-robot-00`) || !strings.Contains(e.Account, "(Orchestrator user robot-00") {
			t.Errorf("%s: account %q", e.Target, e.Account)
		}
	}
}

// Settings out of range are refused, naming their flag, with nothing sent.
func TestSettingsOutOfRangeNameTheirFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name\nupdate_user,a@example.com,A\n")
	for _, args := range [][]string{
		{"plan", m, "--workers", "0"}, {"apply", m, "--bulk-size", "0", "--yes"}, {"plan", m, "--max-attempts", "-3"},
		{"plan", m, "--timeout", "0s"}, {"export", "users", "--max-attempts", "0"}, {"export", "users", "--timeout", "0s"},
		{"apply", m, "--max-staleness", "-1s", "--yes"},
	} {
		flag := args[len(args)-2]
		if args[len(args)-1] == "--yes" {
			flag = args[len(args)-3]
		}
		res := runBatch(t, nil, dir, args...)
		if res.code != 2 || !strings.Contains(res.stderr, flag+" must be") || strings.Contains(res.stderr, " and --") {
			t.Errorf("%v: exit %d\n%s", args, res.code, res.stderr)
		}
	}
}
