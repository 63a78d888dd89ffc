package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKillLoopSmall is the small kill-loop run `make test` includes: the
// same checks as `make stress`, on fewer rows with less latency.
// STRESS_SEED repeats a run.
func TestKillLoopSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 20 times")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "batch")
	build := exec.Command("go", "build", "-o", bin, "../cmd/batch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cfg := SmallConfig()
	cfg.Bin, cfg.Dir, cfg.Log, cfg.Seed = bin, dir, os.Stderr, 19
	if s := os.Getenv("STRESS_SEED"); s != "" {
		var err error
		if cfg.Seed, err = parseSeed(s); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Run(t.Context(), cfg)
	if rep != nil {
		var b strings.Builder
		rep.Print(&b)
		t.Logf("seed %d\n%s", cfg.Seed, b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.lines) == 0 {
		t.Fatal("nothing was checked")
	}
}
