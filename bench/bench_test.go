package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary serve as the plain loop's child process.
func TestMain(m *testing.M) {
	runLoopChildIfAsked()
	os.Exit(m.Run())
}

// TestSmoke runs every scenario at tiny sizes against a freshly built binary,
// so that `make test` keeps the benchmark harness working. Figures are not
// judged here: this machine is shared and noisy.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "batch")
	build := exec.Command("go", "build", "-o", bin, "../cmd/batch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := &Env{Bin: bin, Dir: dir, Smoke: true, Log: os.Stderr}
	rows, err := runAll(context.Background(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) > 0 && len(rows) == 0 {
		t.Fatalf("no rows from %d scenarios", len(scenarios))
	}
	var sb strings.Builder
	printTable(&sb, rows)
	for _, r := range rows {
		if r.Rows <= 0 {
			t.Errorf("scenario %s measured no rows", r.Scenario)
		}
		if !strings.Contains(sb.String(), r.Scenario) {
			t.Errorf("table misses %s", r.Scenario)
		}
	}
}
