package runner

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/htmlreport"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/session"
)

// setup starts an emulator of 5 users and returns a run of cmd over a
// manifest renaming 3 of them, and the emulator's settings with the given
// client secret (its own when empty).
func setup(t *testing.T, cmd Command, secret string) (*emulator.Server, Config) {
	return setupManifest(t, cmd, secret, "op,username,name\nupdate_user,user00001,Ann\nupdate_user,user00002,Bob\nupdate_user,user00003,Cy\n")
}

// setupManifest is setup with a manifest of its own.
func setupManifest(t *testing.T, cmd Command, secret, content string) (*emulator.Server, Config) {
	t.Helper()
	var env []string
	if secret != "" {
		env = append(env, "UIPATH_CLIENT_SECRET="+secret)
	}
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 5}, env...)
	dir := t.TempDir()
	path := filepath.Join(dir, "u.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	mopts := manifest.Options{DisplayName: "u.csv"}
	census, err := apply.TakeCensus(t.Context(), path, mopts, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := runfolder.Open(runfolder.Options{ReportDir: filepath.Join(dir, "reports"), ID: "r1", Command: cmd.String(),
		Writes: cmd.Writes(), Manifest: path, DisplayName: "u.csv"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return emu, Config{Command: cmd, Path: path, Manifest: mopts, Census: census, Run: r, Settings: settings,
		Session: session.Options{Limits: "none", MaxAttempts: 2}, Workers: 2, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
}

// A plan reads only: every row planned, no write sent, the report and
// report.html written, the run started.
func TestRunPlanOnlyReads(t *testing.T) {
	emu, cfg := setup(t, Plan, "")
	started := false
	cfg.OnRequestsStart = func() { started = true }
	res, err := Execute(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.ByStatus[report.StatusPlanned] != 3 || res.Outcome.Stopped != nil {
		t.Errorf("plan: %+v, stopped %v", res.Summary.ByStatus, res.Outcome.Stopped)
	}
	if got := emu.Counts()["PUT"]; got != 0 {
		t.Errorf("a plan sent %d PUT requests", got)
	}
	if !cfg.Run.Started() || !started {
		t.Error("the run is not marked started, or OnRequestsStart was not called")
	}
	if _, err := os.Stat(filepath.Join(cfg.Run.Dir, htmlreport.FileName)); err != nil {
		t.Errorf("no report.html: %v", err)
	}
	if s := res.Summary; s.Command != "plan" || s.RunID != "r1" || s.Settings["workers"] != 2 || s.Settings["limits"] != "none" {
		t.Errorf("summary %+v", s)
	}
}

// An apply writes each row once and records it in the run's journal: its
// intent (the password sealed) before the write, its completion after.
func TestRunApplyWrites(t *testing.T) {
	const password = "Runner-Test-Pass-42!x"
	t.Setenv("RUNNER_TEST_PW", password)
	emu, cfg := setupManifest(t, Apply, "", "op,username,new_password\n"+
		"set_password,user00001,env:RUNNER_TEST_PW\nset_password,user00002,env:RUNNER_TEST_PW\nset_password,user00003,env:RUNNER_TEST_PW\n")
	res, err := Execute(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.ByStatus[report.StatusSucceeded] != 3 {
		t.Errorf("apply: %+v", res.Summary.ByStatus)
	}
	if got := emu.Counts()["PUT"]; got != 3 {
		t.Errorf("%d PUT requests, want 3", got)
	}
	if err := cfg.Run.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(cfg.Run.Dir, "journal.jsonl"))
	if strings.Count(string(data), `"k":"intent"`) != 3 || strings.Count(string(data), `"k":"done"`) != 3 {
		t.Errorf("journal, want each row's intent and completion:\n%s", data)
	}
	entries, err := os.ReadDir(cfg.Run.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(cfg.Run.Dir, e.Name())); strings.Contains(string(b), password) {
			t.Errorf("%s holds the password in the clear", e.Name())
		}
	}
}

// Refused credentials stop the run at sign-in: a StopError, nothing sent,
// the run not started (its folder goes when it is closed).
func TestRunRefusedSignInStops(t *testing.T) {
	emu, cfg := setup(t, Apply, "wrong")
	_, err := Execute(t.Context(), cfg)
	var stop *StopError
	if !errors.As(err, &stop) || !strings.Contains(err.Error(), "sign in") {
		t.Fatalf("refused sign-in: %v, want a StopError", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if cfg.Run.Started() || emu.Counts()["PUT"] != 0 {
		t.Error("a run refused at sign-in started or wrote")
	}
}

// Bad request settings are found before anything is sent, and are not a
// stop.
func TestRunBadLimits(t *testing.T) {
	_, cfg := setup(t, Plan, "")
	cfg.Session.Limits = "PUT=lots"
	_, err := Execute(t.Context(), cfg)
	var stop *StopError
	if err == nil || errors.As(err, &stop) || !strings.Contains(err.Error(), "--limits") {
		t.Errorf("bad --limits: %v", err)
	}
}
