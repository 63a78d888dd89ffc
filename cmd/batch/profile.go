package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/cpuprofile"
)

// addProfiling adds the hidden --cpu-profile flag: a pprof CPU profile of
// the whole command, for explaining bench figures. The caller runs the
// returned stop after the command, whatever its outcome: a command that
// fails skips cobra's post-run hooks, and a profile not stopped is empty.
func addProfiling(root *cobra.Command) (stop func()) {
	var path string
	var profile *cpuprofile.Profile
	root.PersistentFlags().StringVar(&path, "cpu-profile", "", "write a CPU profile to this file")
	_ = root.PersistentFlags().MarkHidden("cpu-profile")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if path == "" {
			return nil
		}
		p, err := cpuprofile.Start(path)
		if err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		profile = p
		return nil
	}
	return func() {
		if err := profile.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "batch: --cpu-profile:", err)
		}
	}
}
