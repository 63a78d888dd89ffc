package main

import (
	"fmt"
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
