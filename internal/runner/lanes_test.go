package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/session"
)

// Rows of one service do not queue behind another service's budget
// (#29): a manifest of 30 user updates (Identity PUT, 10 per 2 s) and,
// below every one of them, 10 robot credentials (Orchestrator PATCH, 20
// per 2 s), on 4 workers. Fed in manifest order, the user rows beyond
// Identity's first 10 would take every worker waiting for their slots,
// and the robot rows would start only once the last of them had one.
// By lanes, every robot row is sent before Identity's second window
// opens, while the user rows go at their budget's pace; no 429.
func TestRunRowsOfAFreeBudgetDoNotWaitBehindAUsedUpOne(t *testing.T) {
	const users, robots = 30, 10
	putBudget := emulator.Budget{Requests: 10, Window: 2 * time.Second}
	patchBudget := emulator.Budget{Requests: 20, Window: 2 * time.Second}
	const password = "Lanes-Test-Pass-42!x"
	t.Setenv("LANES_TEST_PW", password)
	emu, settings := emulatortest.Start(t, emulator.Config{Users: users, Robots: robots,
		Limits: map[string]emulator.Budget{"PUT": putBudget}, OrchestratorLimits: map[string]emulator.Budget{"PATCH": patchBudget}})
	var b strings.Builder
	b.WriteString("op,username,display_name,new_password\n")
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&b, "update_user,user%05d,Lane %d,\n", i, i)
	}
	for i := 1; i <= robots; i++ {
		fmt.Fprintf(&b, "set_robot_credentials,robot-%03d,,env:LANES_TEST_PW\n", i)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mopts := manifest.Options{DisplayName: "mixed.csv"}
	census, err := apply.TakeCensus(t.Context(), path, mopts, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := runfolder.Open(runfolder.Options{ReportDir: filepath.Join(dir, "reports"), ID: "lanes", Command: Apply.String(),
		Writes: true, Manifest: path, DisplayName: "mixed.csv"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	limits := fmt.Sprintf("PUT=%d/%s,orchestrator:PATCH=%d/%s", putBudget.Requests, putBudget.Window, patchBudget.Requests, patchBudget.Window)
	cfg := Config{Command: Apply, Path: path, Manifest: mopts, Census: census, Run: r, Settings: settings,
		Session: session.Options{Limits: limits, MaxAttempts: 2}, Workers: 4, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}

	res, err := Execute(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Summary.ByStatus[report.StatusSucceeded]; n != users+robots {
		t.Fatalf("%d of %d rows succeeded: %+v", n, users+robots, res.Summary.ByStatus)
	}
	if n := emu.Throttled(); n != 0 {
		t.Errorf("%d answers 429, want none", n)
	}
	var puts, patches []time.Time
	for _, req := range emu.Requests() {
		switch {
		case req.Status != 200:
		case req.Method == "PUT":
			puts = append(puts, req.Time)
		case req.Method == "PATCH":
			patches = append(patches, req.Time)
		}
	}
	if len(puts) != users || len(patches) != robots {
		t.Fatalf("%d PUTs and %d PATCHes answered, want %d and %d", len(puts), len(patches), users, robots)
	}
	// The 11th PUT is the first to wait for a slot: Identity's second
	// window.
	secondWindow := puts[putBudget.Requests]
	if last := patches[len(patches)-1]; !last.Before(secondWindow) {
		t.Errorf("the last robot row was sent %v after the first user row, after the user rows' second window opened (%v): it waited behind them",
			last.Sub(puts[0]).Round(time.Millisecond), secondWindow.Sub(puts[0]).Round(time.Millisecond))
	}
	// The user rows keep their budget's pace: 30 PUTs at 10 per 2 s take
	// two windows after the first burst, plus the limiter's guard.
	fastest := 2 * putBudget.Window
	if span := puts[len(puts)-1].Sub(puts[0]); span < fastest || span > fastest+time.Second {
		t.Errorf("the user rows' PUTs spanned %v, want their budget's pace: %v and at most 1 s more", span.Round(time.Millisecond), fastest)
	}
}
