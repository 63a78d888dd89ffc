package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"batch/internal/emulator"
	"batch/internal/report"
)

// demoStep is one command of the demo and the exit status it must end with.
type demoStep struct {
	title string
	args  []string
	want  exitCode
}

func newDemoCmd(io *streams) *cobra.Command {
	var examples, reportDir string
	cmd := &cobra.Command{
		Use:     "demo",
		Short:   "Run the main job end to end against the built-in emulator",
		Long:    helpText("demo.long"),
		Example: helpText("demo.example"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			fmt.Fprintf(io.Out, "emulator listening on %s (organization %s, 200 users, 20 robot accounts)\n", emu.URL(), emulator.DefaultOrg)

			ex := func(name string) string { return filepath.Join(examples, name) }
			common := []string{"--report-dir", reportDir, "--limits", "none", "--no-progress", "--log-level", "warn"}
			secrets := filepath.Join(reportDir, "demo-secrets.csv")
			_ = os.Remove(secrets)
			steps := []demoStep{
				{"validate a broken manifest: every problem with file and line, nothing sent", []string{"validate", ex("broken.csv")}, exitInvalid},
				{"validate the migration", []string{"validate", ex("migrate-users.csv")}, exitOK},
				{"plan the migration (read-only): the exact differences", append([]string{"plan", ex("migrate-users.csv")}, common...), exitOK},
				{"apply the migration", append([]string{"apply", ex("migrate-users.csv"), "--yes"}, common...), exitOK},
				{"plan it again: every row is now unchanged", append([]string{"plan", ex("migrate-users.csv")}, common...), exitOK},
				{"rotate passwords: generated, recorded 0600 before they are sent", append([]string{"apply", ex("rotate-passwords.csv"), "--yes", "--secrets-out", secrets}, common...), exitOK},
				{"update robot accounts and unattended credentials (YAML with defaults)", append([]string{"apply", ex("robots.yaml"), "--yes", "--secrets-out", secrets}, common...), exitOK},
			}
			for i, st := range steps {
				fmt.Fprintf(io.Out, "\n== %d. %s\n$ batch %s\n", i+1, st.title, strings.Join(st.args, " "))
				got := run(st.args, io)
				if got != st.want {
					return withExit(exitRowsFail, fmt.Errorf("demo step %d (batch %s) exited %d, want %d", i+1, strings.Join(st.args, " "), got, st.want))
				}
			}
			fmt.Fprintf(io.Out, "\ndemo finished: reports in %s, generated passwords in %s (mode 0600)\n", reportDir, secrets)
			fmt.Fprintf(io.Out, "results columns: %s\n", strings.Join(report.Columns, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "examples", "folder holding the example manifests")
	cmd.Flags().StringVar(&reportDir, "report-dir", filepath.Join("reports", "demo"), "folder for the demo's reports")
	return cmd
}
