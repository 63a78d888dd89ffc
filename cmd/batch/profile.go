package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// addProfiling adds the hidden --cpu-profile flag: a pprof CPU profile of
// the whole command, for explaining bench figures. The caller runs the
// returned stop after the command, whatever its outcome: a command that
// fails skips cobra's post-run hooks, and a profile not stopped is empty.
func addProfiling(root *cobra.Command) (stop func()) {
	var path string
	var file *os.File
	root.PersistentFlags().StringVar(&path, "cpu-profile", "", "write a CPU profile to this file")
	_ = root.PersistentFlags().MarkHidden("cpu-profile")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return usageErrorf("--cpu-profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usageErrorf("--cpu-profile: %w", err)
		}
		file = f
		return nil
	}
	return func() { stopProfile(&file) }
}

func stopProfile(file **os.File) {
	if *file == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := (*file).Close(); err != nil {
		fmt.Fprintln(os.Stderr, "batch: --cpu-profile:", err)
	}
	*file = nil
}
