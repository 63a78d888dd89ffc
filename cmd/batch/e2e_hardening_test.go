package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// --cpu-profile is written whatever the exit code: a failing command
// skipped the hook that stopped the profile, leaving an empty file.
func TestCPUProfileIsWrittenOnEveryExit(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.csv", "op,username,name\nupdate_user,bob,Bob\n")
	writeFile(t, dir, "bad.csv", "op,username,name\nupdate_usr,bob,Bob\n")
	for _, tc := range []struct {
		file string
		code int
	}{{"ok.csv", 0}, {"bad.csv", 2}} {
		prof := filepath.Join(dir, tc.file+".pprof")
		res := runBatch(t, nil, dir, "validate", tc.file, "--cpu-profile", prof)
		if res.code != tc.code {
			t.Fatalf("validate %s: exit %d, want %d\n%s", tc.file, res.code, tc.code, res.stderr)
		}
		data, err := os.ReadFile(prof)
		if err != nil {
			t.Fatal(err)
		}
		// A pprof profile is gzip-compressed.
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			t.Errorf("validate %s (exit %d): profile of %d bytes is not a finished profile", tc.file, tc.code, len(data))
		}
	}
}

// UIPATH_FOLDER_ID becomes a header: anything but a folder's whole-number
// id exits 2 with nothing sent.
func TestFolderIDMustBeAWholeNumber(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Robots: 1})
	dir := t.TempDir()
	writeFile(t, dir, "m.csv", "op,orchestrator_user_id,new_password\nset_robot_credentials,1001,generate\n")
	for _, id := range []string{"Shared", "12abc", "-1"} {
		cmd := []string{"plan", "m.csv", "--limits", "none", "--folder-id", id}
		res := runBatch(t, emu, dir, cmd...)
		if res.code != 2 || !strings.Contains(res.stderr, "UIPATH_FOLDER_ID") {
			t.Errorf("folder id %q: exit %d\n%s", id, res.code, res.stderr)
		}
	}
	if n := len(emu.Requests()) + emu.TokenRequests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A run whose sealing key cannot be removed says so and does not exit 0:
// the key left behind still opens the passwords sealed in the journal.
func TestRunKeyThatCannotBeRemovedIsReported(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3, Latency: 300 * time.Millisecond})
	dir := t.TempDir()
	writeFile(t, dir, "m.csv", "op,username,name\nupdate_user,user00001,A\nupdate_user,user00002,B\nupdate_user,user00003,C\n")
	key := filepath.Join(dir, "reports", "key", journal.KeyName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := batchCmd(ctx, emu, dir, "apply", "m.csv", "--yes", "--limits", "none", "--workers", "1", "--run-id", "key")
	var stderr syncbuf.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Once the run holds its key, put something in the way of its removal.
	for {
		if _, err := os.Stat(key); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no run key")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(key, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != int(exitRowsFail) {
		t.Fatalf("exit %v, want %d\n%s", err, exitRowsFail, stderr.String())
	}
	if !strings.Contains(stderr.String(), "remove run key") || !strings.Contains(stderr.String(), "delete "+filepath.Join("reports", "key", journal.KeyName)) {
		t.Fatalf("stderr does not report the key:\n%s", stderr.String())
	}
}

// The journal's sync when it is closed can fail; that is reported, not
// dropped (fsync of /dev/null fails, while writing to it succeeds).
func TestJournalSyncFailureOnCloseIsReported(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 2})
	dir := t.TempDir()
	writeFile(t, dir, "m.csv", "op,username,name\nupdate_user,user00001,A\n")
	runDir := filepath.Join(dir, "reports", "sync")
	if err := os.MkdirAll(runDir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(os.DevNull, filepath.Join(runDir, journal.FileName)); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil || f.Sync() == nil {
		t.Skip("fsync of /dev/null does not fail here")
	}
	res := runBatch(t, emu, dir, "apply", "m.csv", "--yes", "--limits", "none", "--run-id", "sync")
	if res.code != int(exitRowsFail) || !strings.Contains(res.stderr, "close journal") {
		t.Fatalf("exit %d, want %d with the journal's error\n%s", res.code, exitRowsFail, res.stderr)
	}
}
