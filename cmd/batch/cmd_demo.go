package main

import (
	"context"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/demo"
)

// demoOptions are the settings of `batch demo`.
type demoOptions struct {
	io                  *streams
	examples, reportDir string
}

func newDemoCmd(io *streams, runF func(context.Context, demoOptions) error) *cobra.Command {
	opts := demoOptions{io: io}
	if runF == nil {
		runF = runDemo
	}
	cmd := &cobra.Command{
		Use:     "demo",
		Short:   "Run the main job end to end against the built-in emulator",
		Long:    helpText("demo.long"),
		Example: helpText("demo.example"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.examples, "examples", "examples", "folder holding the example manifests")
	cmd.Flags().StringVar(&opts.reportDir, "report-dir", filepath.Join("reports", "demo"), "folder for the demo's reports")
	return cmd
}

// runDemo runs the demo's steps, each through the command line.
func runDemo(_ context.Context, opts demoOptions) error {
	return demo.RunSteps(opts.io.Out, opts.examples, opts.reportDir, func(args []string) int { return int(run(args, opts.io)) })
}
