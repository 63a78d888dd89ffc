package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// Mistakes at the command line get a diagnosis that says what to do.
func TestCommandLineMistakesAreExplained(t *testing.T) {
	dir := t.TempDir()
	m := writeFile(t, dir, "u.csv", "op,username,name\nupdate_user,user00001,X\n")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"apply", m, "--limts", "none"}, []string{"unknown flag: --limts", "did you mean --limits?"}},
		{[]string{"plan", m, "--wokers", "2"}, []string{"did you mean --workers?"}},
		{[]string{"apply", m, "--client-secret", "x"}, []string{"UIPATH_CLIENT_SECRET", "UIPATH_CLIENT_SECRET_FILE"}},
		{[]string{"plan"}, []string{"plan needs a manifest", "MANIFEST"}},
		{[]string{"apply"}, []string{"apply needs a manifest"}},
	} {
		res := runBatch(t, nil, dir, tc.args...)
		if res.code != 2 {
			t.Errorf("batch %v: exit %d, want 2\n%s", tc.args, res.code, res.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(res.stderr, w) {
				t.Errorf("batch %v: stderr lacks %q:\n%s", tc.args, w, res.stderr)
			}
		}
	}
	res := runBatch(t, nil, dir, "--version")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "batch ") {
		t.Errorf("--version: exit %d, %q", res.code, res.stdout)
	}
	if v := runBatch(t, nil, dir, "version"); v.stdout != res.stdout {
		t.Errorf("--version %q and version %q differ", res.stdout, v.stdout)
	}
}

// The exit codes of rows appear in the help of the commands that run rows
// only.
func TestExitCodesOnlyInTheHelpOfCommandsThatRunRows(t *testing.T) {
	dir := t.TempDir()
	for cmd, want := range map[string]bool{"plan": true, "apply": true, "validate": false, "export": false, "emulator": false, "version": false} {
		res := runBatch(t, nil, dir, cmd, "--help")
		if got := strings.Contains(res.stdout, "Exit codes:"); got != want {
			t.Errorf("batch %s --help shows the exit codes: %v, want %v", cmd, got, want)
		}
	}
}

// With JSON logs, stderr holds JSON lines only: problems, the summary and
// errors a person reads go to stdout or into the log lines.
func TestJSONLogsKeepStderrPure(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	good := writeFile(t, dir, "u.csv", "op,username,name\nupdate_user,user00001,X\n")
	bad := writeFile(t, dir, "bad.csv", "op,username,is_active\nupdate_user,user00001,maybe\n")
	for _, args := range [][]string{
		{"plan", good, "--log-format", "json", "--limits", "none"},
		{"apply", good, "--yes", "--log-format", "json", "--limits", "none"},
		{"apply", bad, "--yes", "--log-format", "json"},
		{"apply", good, "--log-format", "json"}, // no --yes: refused
		{"export", "users", "-o", "out.csv", "--log-format", "json"},
		{"export", "users", "-o", "out.txt", "--log-format", "json"}, // refused: no format
	} {
		res := runBatch(t, emu, dir, args...)
		for _, line := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
			if line != "" && !json.Valid([]byte(line)) {
				t.Errorf("batch %v: stderr line is not JSON: %q", args, line)
			}
		}
		if res.code == 0 && args[0] != "export" && !strings.Contains(res.stdout, "1 row in ") {
			t.Errorf("batch %v: the summary is not on stdout (or not singular):\n%s", args, res.stdout)
		}
	}
	res := runBatch(t, nil, dir, "validate", bad)
	if res.code != 2 || !strings.Contains(res.stderr, "1 row, 1 problem") {
		t.Errorf("validate of one bad row: exit %d, %q", res.code, res.stderr)
	}
}

// A manifest without rows (a header alone, rows: []) is no work, not an
// error: validate says "0 rows", plan and apply say there is nothing to
// do and exit 0 without signing in or leaving a report folder, so that
// `batch export … && batch apply …` works in a script whatever the
// export found.
func TestEmptyManifestsAreNothingToDo(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	for name, text := range map[string]string{"header.csv": "op,email,name\n", "empty.yaml": "rows: []\n"} {
		m := writeFile(t, dir, name, text)
		if res := runBatch(t, nil, dir, "validate", m); res.code != 0 || !strings.Contains(res.stderr, "0 rows") {
			t.Errorf("validate %s: exit %d\n%s%s", name, res.code, res.stdout, res.stderr)
		}
		for _, args := range [][]string{{"plan", m, "--no-progress"}, {"apply", m, "--no-progress", "--yes"}} {
			if res := runBatch(t, emu, dir, args...); res.code != 0 || !strings.Contains(res.stdout+res.stderr, "nothing to do") {
				t.Errorf("%s %s: exit %d, want 0 saying nothing to do\n%s%s", args[0], name, res.code, res.stdout, res.stderr)
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "reports")); len(entries) != 0 {
		t.Errorf("runs of nothing left %d report folders", len(entries))
	}
	if n := emu.TokenRequests(); n != 0 {
		t.Fatalf("empty manifests signed in %d times", n)
	}
}
