package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// After Ctrl-C nothing that has not left is sent: rows waiting for a
// budget slot (the slot comes well within the 30 s drain) send nothing
// and are reported not run at once, and the run ends without sitting out
// the drain.
func TestInterruptSendsNothingThatHadNotLeft(t *testing.T) {
	t.Parallel()
	const n = 12
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Name %d\n", i, i)
	}
	m := writeFile(t, dir, "slow.csv", b.String())
	runDir := filepath.Join(dir, "reports", "slow")
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "slow", "--limits", "PUT=2/3s", "--workers", "4", "--no-progress", "--log-format", "console")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(runDir, "results.jsonl"), 2, done)
	time.Sleep(300 * time.Millisecond) // the other rows wait for the next slot, 3 s on
	interrupted := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the run sat out the drain after the interrupt\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, out)
	}
	for _, r := range emu.Requests() {
		if r.Method == "PUT" && r.Time.After(interrupted) {
			t.Errorf("a PUT started %v after the interrupt", r.Time.Sub(interrupted))
		}
	}
	notRun := 0
	for _, r := range readResults(t, runDir) {
		switch {
		case r.Status == report.StatusSkipped && r.ErrorCode == report.CodeNotRun:
			notRun++
		case r.Status != report.StatusSucceeded:
			t.Errorf("row %d: %s %s %s", r.Row, r.Status, r.ErrorCode, r.ErrorMessage)
		}
	}
	if notRun == 0 || !strings.Contains(out.String(), "interrupt again to stop at once") {
		t.Errorf("%d rows not run; the log should say what a second interrupt does\n%s", notRun, out)
	}
}

// A second Ctrl-C forces the stop: requests on the wire are abandoned
// (their rows' outcome is unknown) and the run ends at once, with its
// report written.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 4, Latency: 8 * time.Second})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name\nupdate_user,user00001@example.com,A\nupdate_user,user00002@example.com,B\n")
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "r", "--limits", "none", "--no-progress", "--log-format", "console")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	// A row's journal intent is written right before its PUT leaves; the
	// answer then takes 8 s.
	waitLines(t, filepath.Join(dir, "reports", "r", "journal.jsonl"), 2, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(4 * time.Second):
		t.Fatalf("a second interrupt did not stop the run at once\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, out)
	}
	for _, r := range readResults(t, filepath.Join(dir, "reports", "r")) {
		if r.ErrorCode != report.CodeOutcomeUnknown && r.Status != report.StatusSkipped {
			t.Errorf("row %d: %s %s, want its outcome unknown", r.Row, r.Status, r.ErrorCode)
		}
	}
}

// A resumed run's summary counts every session: its requests are the sum
// of the sessions' (one PUT per row over both), each session is listed,
// and its rows per second leave out the pause between them.
func TestResumedRunCountsEverySession(t *testing.T) {
	t.Parallel()
	const n = 16
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Name %d\n", i, i)
	}
	m := writeFile(t, dir, "m.csv", b.String())
	runDir := filepath.Join(dir, "reports", "two")
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "two", "--limits", "PUT=4/2s", "--workers", "2", "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(runDir, "results.jsonl"), 4, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("exit %d, want 3\n%s", code, out)
	}
	time.Sleep(1500 * time.Millisecond) // a pause between the sessions
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "two", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("resume exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	s := readSummary(t, runDir)
	if len(s.Sessions) != 2 || s.Sessions[0].Rows+s.Sessions[1].Rows != n || s.Sessions[0].Requests == nil {
		t.Fatalf("sessions %+v, want 2 whose rows add up to %d", s.Sessions, n)
	}
	if got, sent := s.Requests["PUT"], emu.Counts()["PUT"]; got != n || sent != n {
		t.Errorf("summary counts %d PUTs, the emulator %d; want %d each", got, sent, n)
	}
	worked := s.Sessions[0].Seconds() + s.Sessions[1].Seconds()
	if s.Seconds > worked+0.01 || s.Seconds >= s.Sessions[1].FinishedAt.Sub(s.Sessions[0].StartedAt).Seconds() {
		t.Errorf("seconds %.2f: want the sessions' %.2f, not the span with the pause", s.Seconds, worked)
	}
}

// A run killed after its last row but before its report was finished is
// finished by --resume, sending nothing: summary.json, the undo manifest
// and report.html are written, and the exit code says how its rows went.
func TestResumeFinishesARunKilledAfterItsLastRow(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "m.csv", "op,email,name\nupdate_user,user00001@example.com,A\nupdate_user,user00002@example.com,B\nupdate_user,nobody@example.com,C\n")
	if res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "end", "--limits", "none"); res.code != 1 {
		t.Fatalf("apply exit %d\n%s", res.code, res.stderr)
	}
	runDir := filepath.Join(dir, "reports", "end")
	for _, f := range []string{"summary.json", "undo.csv", "report.html"} { // as a kill before they were written leaves it
		if err := os.Remove(filepath.Join(runDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	before := sumRequests(emu)
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "end", "--limits", "none")
	if res.code != 1 || !strings.Contains(res.stdout+res.stderr, "has already finished") {
		t.Fatalf("resume exit %d, want 1 (a row failed)\n%s%s", res.code, res.stdout, res.stderr)
	}
	if n := sumRequests(emu) - before; n != 0 {
		t.Errorf("finishing the report sent %d requests", n)
	}
	for _, f := range []string{"summary.json", "undo.csv", "report.html"} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if s := readSummary(t, runDir); s.Rows != 3 || s.ByStatus[report.StatusFailed] != 1 {
		t.Errorf("summary: %d rows, by status %v", s.Rows, s.ByStatus)
	}
	// Resumed again, the finished run is left as it is.
	if res := runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "end", "--limits", "none"); res.code != 0 || !strings.Contains(res.stdout+res.stderr, "nothing to resume") {
		t.Errorf("a finished run resumed: exit %d\n%s", res.code, res.stderr)
	}
}
