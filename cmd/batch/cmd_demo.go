package main

import (
	"errors"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/demo"
)

func newDemoCmd(io *streams) *cobra.Command {
	var examples, reportDir string
	cmd := &cobra.Command{
		Use:     "demo",
		Short:   "Run the main job end to end against the built-in emulator",
		Long:    helpText("demo.long"),
		Example: helpText("demo.example"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := demo.Run(io.Out, examples, reportDir, func(args []string) int { return int(run(args, io)) })
			if se := (*demo.StepError)(nil); errors.As(err, &se) {
				return withExit(exitRowsFail, err)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&examples, "examples", "examples", "folder holding the example manifests")
	cmd.Flags().StringVar(&reportDir, "report-dir", filepath.Join("reports", "demo"), "folder for the demo's reports")
	return cmd
}
