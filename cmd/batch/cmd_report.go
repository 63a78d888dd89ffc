package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/htmlreport"
)

func newReportCmd(io *streams, runF func(ctx context.Context, io *streams, dir string) error) *cobra.Command {
	if runF == nil {
		runF = runReport
	}
	return &cobra.Command{
		Use:     "report RUN_DIR",
		Short:   "Render report.html for a run folder, old runs included",
		Long:    helpText("report.long"),
		Example: helpText("report.example"),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runF(cmd.Context(), io, args[0])
		},
	}
}

// runReport renders a run folder's report.html and prints its path.
func runReport(ctx context.Context, io *streams, dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		if st, err := os.Stat(filepath.Join("reports", dir)); err == nil && st.IsDir() {
			return fmt.Errorf("%s is not a run folder: did you mean %s?", dir, filepath.Join("reports", dir))
		}
		return fmt.Errorf("%s is not a run folder (give REPORT_DIR/RUN_ID)", dir)
	}
	if err := htmlreport.Write(ctx, dir); err != nil {
		return err
	}
	fmt.Fprintln(io.Out, filepath.Join(dir, htmlreport.FileName))
	return nil
}
