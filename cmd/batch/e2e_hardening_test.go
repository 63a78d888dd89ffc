package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"batch/internal/emulator"
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
