package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
)

func init() { register("8 report.html", benchReportHTML) }

// benchReportHTML measures what writing report.html adds to a 50,000-row
// apply: the apply logs how long its report.html took, and that time's
// share of the rest of the apply is the figure. `batch report` on the same
// folder, which does the same rendering in a process of its own (start-up,
// a cold heap), is measured too, for the note.
func benchReportHTML(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(50000, 500)
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 8})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "report-html.csv")
	if err := writeRenames(manifest, userIDs(srv), n, "Reported"); err != nil {
		return nil, err
	}
	runDir := filepath.Join(env.Dir, "reports", "report-html")
	apply, err := runMeasured(ctx, env.Bin, append(srv.Env(), "UIPATH_PROFILE=", "HOME="+env.Dir),
		"apply", manifest, "--yes", "--limits", "none", "--workers", fmt.Sprint(emulatorCeilingWorkers),
		"--report-dir", filepath.Dir(runDir), "--run-id", filepath.Base(runDir), "--no-progress", "--log-format", "json", "--log-level", "info")
	if err != nil {
		return nil, err
	}
	if apply.ExitCode != 0 {
		return nil, fmt.Errorf("batch apply exited %d: %s", apply.ExitCode, tail(apply.Stderr))
	}
	var rendering time.Duration
	for line := range strings.Lines(apply.Stderr) {
		var l struct {
			Message string  `json:"message"`
			Ms      float64 `json:"ms"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Message == "report.html written" {
			rendering = time.Duration(l.Ms * float64(time.Millisecond))
		}
	}
	if rendering == 0 {
		return nil, fmt.Errorf("the apply did not log writing report.html: %s", tail(apply.Stderr))
	}
	alone, err := runMeasured(ctx, env.Bin, nil, "report", runDir)
	if err != nil {
		return nil, err
	}
	if alone.ExitCode != 0 {
		return nil, fmt.Errorf("batch report exited %d: %s", alone.ExitCode, tail(alone.Stderr))
	}
	rest := apply.Wall - rendering
	share := rendering.Seconds() / rest.Seconds()
	return []Row{{
		Scenario: "8 report.html", Rows: n, RowsPerSec: float64(n) / rendering.Seconds(),
		Reference: "the apply without it", RefPerSec: float64(n) / rest.Seconds(),
		Ratio: share, Target: "< 0.05", PeakRSSMB: apply.PeakRSSMB, Pass: env.Smoke || share < 0.05,
		Note: fmt.Sprintf("apply %s wall, of which report.html %s (%.1f %% added); `batch report` on the folder alone %s, peak %.0f MB",
			apply.Wall.Round(time.Millisecond), rendering.Round(time.Millisecond), 100*share, alone.Wall.Round(time.Millisecond), alone.PeakRSSMB),
	}}, nil
}
