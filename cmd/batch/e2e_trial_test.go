package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
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
