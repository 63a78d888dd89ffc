package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// A run id (and --resume) is one folder inside --report-dir: anything
// else exits 2 before anything is sent or written.
func TestRunIDMustBeOneSafeFolderName(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	root := t.TempDir()
	dir := filepath.Join(root, "work")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "m.csv", "op,username,name\nupdate_user,user00001,Ann\n")
	for _, id := range []string{"../../somewhere", "../escaped", "a/b", "..", ".", ".hidden", `a\b`, "-x", "a b", "run\n", strings.Repeat("r", 129)} {
		for _, args := range [][]string{
			{"plan", "m.csv", "--run-id", id},
			{"apply", "m.csv", "--yes", "--run-id", id},
			{"apply", "m.csv", "--yes", "--resume", id},
		} {
			args = append(args, "--limits", "none")
			res := runBatch(t, emu, dir, args...)
			if res.code != 2 {
				t.Errorf("%q: exit %d, want 2\n%s", args, res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, "run id") {
				t.Errorf("%q: stderr does not explain the run id:\n%s", args, res.stderr)
			}
		}
	}
	if n := len(emu.Requests()) + emu.TokenRequests(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	for _, p := range []string{filepath.Join(root, "somewhere"), filepath.Join(root, "escaped"), filepath.Join(dir, "reports")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	// A plain id still works.
	if res := runBatch(t, emu, dir, "plan", "m.csv", "--run-id", "rotate-2026-11-30_v1.2", "--limits", "none"); res.code != 0 {
		t.Fatalf("plan with a plain run id: exit %d\n%s", res.code, res.stderr)
	}
}
