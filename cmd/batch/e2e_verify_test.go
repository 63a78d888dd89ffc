package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// apply --verify and batch verify, through the binary: a run whose robot
// PATCHes were all applied exits 0 with every row confirmed; one where the
// service answered 200 OK to PATCHes it did not apply exits 5 naming
// them, in verify.csv, summary.json and report.html.
func TestVerifyExitCodes(t *testing.T) {
	t.Parallel()
	manifest := "op,robot_name,robot_username,limit_concurrent_execution\n"
	for j := 1; j <= 40; j++ {
		manifest += fmt.Sprintf("update_unattended_robot,robot-%03d,CORP\\svc-%03d,true\n", j, j)
	}
	for _, tc := range []struct {
		name string
		rate float64
		code int
	}{{"all-applied", 0, 0}, {"some-unchanged", 0.1, 5}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Robots: 40, UnchangedPatchRate: tc.rate, FaultSeed: 3})
			dir := t.TempDir()
			writeFile(t, dir, "robots.csv", manifest)
			res := runBatch(t, emu, dir, "apply", "robots.csv", "--yes", "--limits", "none", "--run-id", "r", "--no-progress", "--verify", "--verify-wait", "0")
			if res.code != tc.code {
				t.Fatalf("apply --verify: exit %d, want %d\n%s%s", res.code, tc.code, res.stdout, res.stderr)
			}
			runDir := filepath.Join(dir, "reports", "r")
			csvText, err := os.ReadFile(filepath.Join(runDir, "verify.csv"))
			if err != nil {
				t.Fatal(err)
			}
			notFound := strings.Count(string(csvText), ",not_found_in_audit,")
			if want := len(emu.UnchangedPatches()); notFound != want {
				t.Errorf("verify.csv lists %d rows not found in the audit, want %d\n%s", notFound, want, csvText)
			}
			if tc.code == 5 && !strings.Contains(res.stderr, "not_found_in_audit") {
				t.Errorf("the summary does not name the rows:\n%s", res.stderr)
			}
			if rerun, err := os.ReadFile(filepath.Join(runDir, "not-found-in-audit.csv")); notFound > 0 {
				if err != nil || strings.Count(string(rerun), "update_unattended_robot") != notFound || !strings.Contains(res.stderr, "batch apply "+filepath.Join("reports", "r", "not-found-in-audit.csv")) {
					t.Errorf("the rows to re-run (%v):\n%s\n%s", err, rerun, res.stderr)
				}
			}
			html, _ := os.ReadFile(filepath.Join(runDir, "report.html"))
			if !strings.Contains(string(html), "Verified against UiPath") {
				t.Error("report.html has no verify section")
			}
			summary, _ := os.ReadFile(filepath.Join(runDir, "summary.json"))
			if !strings.Contains(string(summary), `"verify"`) {
				t.Error("summary.json has no verify counts")
			}
			again := runBatch(t, emu, dir, "verify", runDir, "--limits", "none", "--lag", "0")
			if again.code != tc.code {
				t.Errorf("verify again: exit %d, want %d\n%s", again.code, tc.code, again.stderr)
			}
		})
	}
}
