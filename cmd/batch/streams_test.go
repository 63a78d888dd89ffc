package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// testStreams are the three streams over buffers, as a terminal's (tty)
// or as pipes', the way a person's shell or a scheduler gives them.
func testStreams(stdin string, tty bool) (io *streams, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	io = &streams{In: strings.NewReader(stdin), Out: stdout, ErrOut: stderr, StdinTTY: tty, StdoutTTY: tty, StderrTTY: tty}
	return io, stdout, stderr
}

// inProcess points the in-process commands at emu, with no profile of the
// developer's, and returns a folder to work in.
func inProcess(t *testing.T, emu *emulator.Server) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("UIPATH_PROFILE", "")
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return dir
}

const threeUsers = "op,username,name\nupdate_user,user00001,Ann\nupdate_user,user00002,Bob\nupdate_user,user00003,Cy\n"

// On a terminal apply asks before it writes, draws its progress bar and
// writes coloured console logs and the summary on stderr; stdout stays
// empty.
func TestApplyOnATerminal(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 5})
	dir := inProcess(t, emu)
	m := writeFile(t, dir, "u.csv", threeUsers)
	io, stdout, stderr := testStreams("yes\n", true)
	code := run([]string{"apply", m, "--run-id", "tty", "--report-dir", filepath.Join(dir, "reports"), "--limits", "none"}, io)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	errText := stderr.String()
	for _, want := range []string{
		`About to apply 3 rows (update_user 3) to http://`, `(organization "` + emulator.DefaultOrg + `", tenant "` + emulator.DefaultTenant + `")`,
		"Type yes to continue",
		"/3) apply", // the progress bar
		"\x1b[",     // colours
		"3 rows in", // the summary
	} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr on a terminal lacks %q:\n%q", want, errText)
		}
	}
	if strings.Contains(errText, `{"level"`) {
		t.Errorf("JSON log lines on a terminal:\n%s", errText)
	}
	if stdout.Len() != 0 {
		t.Errorf("apply on a terminal wrote to stdout:\n%s", stdout)
	}
	if got := emu.Counts()["PUT"]; got != 3 {
		t.Errorf("%d PUT requests, want 3", got)
	}
}

// Through pipes apply cannot ask: without --yes it refuses and sends
// nothing; with --yes it runs with no prompt, no bar and no colour,
// stderr holds JSON log lines only and the summary goes to stdout.
func TestApplyThroughPipes(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 5})
	dir := inProcess(t, emu)
	m := writeFile(t, dir, "u.csv", threeUsers)
	reports := filepath.Join(dir, "reports")

	io, stdout, stderr := testStreams("yes\n", false)
	code := run([]string{"apply", m, "--run-id", "nope", "--report-dir", reports, "--limits", "none"}, io)
	if code != exitInvalid || !strings.Contains(stderr.String(), "confirm with --yes") || strings.Contains(stderr.String(), "Type yes") {
		t.Fatalf("apply without --yes through a pipe: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := emu.Counts()["PUT"]; got != 0 {
		t.Fatalf("an unconfirmed apply sent %d PUT requests", got)
	}

	io, stdout, stderr = testStreams("", false)
	code = run([]string{"apply", m, "--yes", "--run-id", "piped", "--report-dir", reports, "--limits", "none"}, io)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	errText := stderr.String()
	if strings.Contains(errText, "Type yes") || strings.Contains(errText, "/3) apply") || strings.Contains(errText+stdout.String(), "\x1b[") {
		t.Errorf("a prompt, a progress bar or colours through a pipe:\n%q\n%q", stdout, errText)
	}
	for _, line := range strings.Split(strings.TrimSpace(errText), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("stderr through a pipe holds a line that is not JSON: %q", line)
		}
	}
	if !strings.Contains(stdout.String(), "3 rows in") {
		t.Errorf("the summary is not on stdout through a pipe:\n%s", stdout)
	}
	if got := emu.Counts()["PUT"]; got != 3 {
		t.Errorf("%d PUT requests, want 3", got)
	}
}

// The plan is data: on stdout, coloured on a terminal only.
func TestPlanColoursOnATerminalOnly(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 5})
	dir := inProcess(t, emu)
	m := writeFile(t, dir, "u.csv", threeUsers)
	for _, tty := range []bool{true, false} {
		io, stdout, stderr := testStreams("", tty)
		code := run([]string{"plan", m, "--report-dir", filepath.Join(dir, "reports"), "--limits", "none"}, io)
		if code != exitOK {
			t.Fatalf("tty %v: exit %d\n%s%s", tty, code, stdout, stderr)
		}
		out := stdout.String()
		if !strings.Contains(out, "/"+emulator.DefaultTenant+": 3 rows — 3 to change") || !strings.Contains(out, `name: "`) {
			t.Errorf("tty %v: the plan is not on stdout:\n%s", tty, out)
		}
		if coloured := strings.Contains(out, "\x1b[1mupdate_user\x1b[0m"); coloured != tty {
			t.Errorf("tty %v: plan coloured %v:\n%q", tty, coloured, out)
		}
	}
	if got := emu.Counts()["PUT"]; got != 0 {
		t.Errorf("a plan sent %d PUT requests", got)
	}
}

// validate writes each problem to stdout (data for a script) and its
// count to stderr, on a terminal and through a pipe alike.
func TestValidateStdoutAndStderr(t *testing.T) {
	dir := t.TempDir()
	m := writeFile(t, dir, "bad.csv", "op,username,name\nupdate_user,user00001,Ann\nfly,user00002,Bob\n")
	for _, tty := range []bool{true, false} {
		io, stdout, stderr := testStreams("", tty)
		if code := run([]string{"validate", m}, io); code != exitInvalid {
			t.Fatalf("tty %v: exit %d, want 2\n%s%s", tty, code, stdout, stderr)
		}
		if !strings.HasPrefix(stdout.String(), m+":3: ") {
			t.Errorf("tty %v: the problem is not on stdout:\n%s", tty, stdout)
		}
		if got := stderr.String(); got != "2 rows, 1 problem\n" {
			t.Errorf("tty %v: stderr %q, want the count only", tty, got)
		}
	}
}

// On a terminal, export shows the list it reads while it writes to a file,
// and nothing while the manifest itself goes to the terminal (the two
// would mix).
func TestExportProgressOnATerminal(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3000})
	dir := inProcess(t, emu)
	io, stdout, stderr := testStreams("", true)
	out := filepath.Join(dir, "users.csv")
	if code := run([]string{"export", "users", "-o", out, "--limits", "none,GET=1/1s"}, io); code != exitOK {
		t.Fatalf("export -o: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr.String(), "export users · reading the user list: 1000 of 3000 accounts") {
		t.Errorf("export to a file shows no progress on the terminal:\n%q", stderr)
	}
	io, stdout, stderr = testStreams("", true)
	if code := run([]string{"export", "users", "--limits", "none,GET=1/1s"}, io); code != exitOK {
		t.Fatalf("export to the terminal: exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stderr.String()+stdout.String(), "reading the user list") {
		t.Errorf("export to the terminal draws its progress over the manifest:\n%q", stderr)
	}
	if !strings.Contains(stdout.String(), "user03000@example.com") {
		t.Errorf("the manifest is not on the terminal")
	}
}
