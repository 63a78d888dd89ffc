package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/runner"
)

func init() { register("3b validate, a problem on every row", benchValidateProblems) }

// Targets of a manifest broken on every row: its problems are printed as
// they are found, so memory is that of a clean manifest and the first
// problem shows at once.
const (
	problemsMaxGrowth   = 1.10
	problemsFirstWithin = time.Second
)

// benchValidateProblems validates a manifest of update_user rows whose
// every e-mail address lacks its @ (one problem a row, found as the row is
// read) and the same manifest clean, both with --max-problems 0 and their
// output read line by line: the broken one's peak memory against the
// clean one's, and the time from start to its first problem line. A run
// with the default cap gives the wall time of what a user sees first.
func benchValidateProblems(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(1000000, 2000)
	clean := filepath.Join(env.Dir, "validate-clean.csv")
	broken := filepath.Join(env.Dir, "validate-broken.csv")
	if err := writeUpdateUserManifest(clean, n, false); err != nil {
		return nil, err
	}
	defer os.Remove(clean)
	if err := writeUpdateUserManifest(broken, n, true); err != nil {
		return nil, err
	}
	defer os.Remove(broken)

	cleanRun, err := validateStreamed(ctx, env, clean, 0, 0)
	if err != nil {
		return nil, err
	}
	allRun, err := validateStreamed(ctx, env, broken, 0, n)
	if err != nil {
		return nil, err
	}
	cappedRun, err := validateStreamed(ctx, env, broken, runner.DefaultMaxProblems, min(n, runner.DefaultMaxProblems))
	if err != nil {
		return nil, err
	}

	row := Row{
		Scenario:   "3b validate, a problem on every row",
		Rows:       n,
		RowsPerSec: float64(n) / allRun.Wall.Seconds(),
		Reference:  "the same rows clean",
		RefPerSec:  float64(n) / cleanRun.Wall.Seconds(),
		Target: fmt.Sprintf("peak ≤ %.2f × clean, first problem ≤ %s",
			problemsMaxGrowth, problemsFirstWithin),
		PeakRSSMB: allRun.PeakRSSMB,
		Note: fmt.Sprintf("--max-problems 0: %d problems, the first after %s, %s wall, peak RSS %.1f MB; clean: %s wall, peak RSS %.1f MB; --max-problems %d: %s wall, first after %s, peak RSS %.1f MB",
			allRun.Lines, allRun.FirstLine.Round(time.Millisecond), allRun.Wall.Round(time.Millisecond), allRun.PeakRSSMB,
			cleanRun.Wall.Round(time.Millisecond), cleanRun.PeakRSSMB,
			runner.DefaultMaxProblems, cappedRun.Wall.Round(time.Millisecond), cappedRun.FirstLine.Round(time.Millisecond), cappedRun.PeakRSSMB),
	}
	if cleanRun.PeakRSSMB > 0 {
		row.Ratio = allRun.PeakRSSMB / cleanRun.PeakRSSMB
	}
	row.Pass = env.Smoke || (row.Ratio > 0 && row.Ratio <= problemsMaxGrowth && allRun.FirstLine <= problemsFirstWithin)
	return []Row{row}, nil
}

// validateStreamed runs `batch validate path --max-problems maxProblems`
// reading its output as it comes; it must print exactly wantLines problem
// lines and exit 0 when it prints none, 2 (an invalid manifest) otherwise.
func validateStreamed(ctx context.Context, env *Env, path string, maxProblems, wantLines int) (streamedCommand, error) {
	s, err := runStreamed(ctx, env.Bin, nil, "validate", path, "--max-problems", fmt.Sprint(maxProblems))
	if err != nil {
		return s, err
	}
	name := filepath.Base(path)
	wantExit := 0
	if wantLines > 0 {
		wantExit = 2
	}
	if s.ExitCode != wantExit {
		return s, fmt.Errorf("validate %s: exit %d, want %d: %s", name, s.ExitCode, wantExit, lastLines(s.Stderr, 5))
	}
	if s.Lines != wantLines {
		return s, fmt.Errorf("validate %s --max-problems %d: %d problem lines, want %d: %s",
			name, maxProblems, s.Lines, wantLines, strings.TrimSpace(s.Stderr))
	}
	return s, nil
}
