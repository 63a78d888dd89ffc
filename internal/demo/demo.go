// Package demo runs batch's main job end to end against a built-in
// emulator, the way an administrator would.
package demo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// Step is one command of the demo and the exit status it must end with.
type Step struct {
	Title string
	Args  []string
	Want  int
}

// Steps are the demo's commands over the example manifests in examples,
// their reports in reportDir and generated passwords in secrets.
func Steps(examples, reportDir, secrets string) []Step {
	ex := func(name string) string { return filepath.Join(examples, name) }
	common := []string{"--report-dir", reportDir, "--limits", "none", "--no-progress", "--log-level", "warn"}
	return []Step{
		{"validate a broken manifest: every problem with file and line, nothing sent", []string{"validate", ex("broken.csv")}, 2},
		{"validate the migration", []string{"validate", ex("migrate-users.csv")}, 0},
		{"plan the migration (read-only): the exact differences", append([]string{"plan", ex("migrate-users.csv")}, common...), 0},
		{"apply the migration", append([]string{"apply", ex("migrate-users.csv"), "--yes"}, common...), 0},
		{"plan it again: every row is now unchanged", append([]string{"plan", ex("migrate-users.csv")}, common...), 0},
		{"rotate passwords: generated, recorded 0600 before they are sent", append([]string{"apply", ex("rotate-passwords.csv"), "--yes", "--secrets-out", secrets}, common...), 0},
		{"update robot accounts and unattended credentials (YAML with defaults)", append([]string{"apply", ex("robots.yaml"), "--yes", "--secrets-out", secrets}, common...), 0},
	}
}

// StepError is a step that ended with another exit status than its own.
type StepError struct {
	N         int
	Args      []string
	Got, Want int
}

func (e *StepError) Error() string {
	return fmt.Sprintf("demo step %d (batch %s) exited %d, want %d", e.N, strings.Join(e.Args, " "), e.Got, e.Want)
}

// RunSteps starts an emulator (200 users, 20 robot accounts) on a loopback
// port, points this process's environment at it, and runs each step with
// run, which returns the step's exit status. It prints on out.
func RunSteps(out io.Writer, examples, reportDir string, run func(args []string) int) error {
	if err := checkExamples(examples); err != nil {
		return err
	}
	emu, err := emulator.New(emulator.Config{Users: 200, Robots: 20})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer emu.Close()
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	for _, k := range []string{"UIPATH_PROFILE", "UIPATH_PAT", "UIPATH_IDENTITY_URI", "UIPATH_ORCHESTRATOR_URI", "UIPATH_CLIENT_SECRET_FILE", "UIPATH_FOLDER_ID"} {
		_ = os.Unsetenv(k)
	}
	fmt.Fprintf(out, "emulator listening on %s (organization %s, 200 users, 20 robot accounts)\n", emu.URL(), emulator.DefaultOrg)

	secrets := filepath.Join(reportDir, "demo-secrets.csv")
	_ = os.Remove(secrets)
	for i, st := range Steps(examples, reportDir, secrets) {
		fmt.Fprintf(out, "\n== %d. %s\n$ batch %s\n", i+1, st.Title, strings.Join(st.Args, " "))
		if got := run(st.Args); got != st.Want {
			return &StepError{N: i + 1, Args: st.Args, Got: got, Want: st.Want}
		}
	}
	fmt.Fprintf(out, "\ndemo finished: reports in %s, generated passwords in %s (mode 0600)\n", reportDir, secrets)
	fmt.Fprintf(out, "results columns: %s\n", strings.Join(report.Columns, ", "))
	return nil
}

// exampleFiles are the manifests the demo's steps run.
var exampleFiles = []string{"broken.csv", "migrate-users.csv", "rotate-passwords.csv", "robots.yaml"}

// checkExamples makes sure the example manifests are there before
// anything starts: outside the checkout, the demo says where it looked.
func checkExamples(dir string) error {
	var missing []string
	for _, f := range exampleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the demo's example manifests are not in %s (missing %s): run batch demo from the checkout, or give --examples DIR", dir, strings.Join(missing, ", "))
	}
	return nil
}
