package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"batch/internal/htmlreport"
)

func newReportCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "report RUN_DIR",
		Short: "Render report.html for a run folder, old runs included",
		Long: `report renders RUN_DIR/report.html from the run folder's own files
(results.jsonl, or results.csv; summary.json; run.json): one self-contained
page that opens offline in a browser and prints readably. It shows what ran
(manifest and its SHA-256, organization, tenant, settings, exit code), the
counts by status and by op, for apply a timeline of rows per second, retries
and 429s, the failures grouped by error code and by field, for plan the
field-level differences, and every row in a table filtered by status, op and
text. Secrets are never in it: the report files hold none.

plan and apply write report.html themselves when they end (also after an
interrupt, and after --resume, covering the whole run); report renders it
again, for example for a folder written by an older version. A page holds at
most 100,000 rows in its table (failed, skipped and invalid rows first).
Nothing is sent over the network.`,
		Example: `  batch report reports/RUN_ID
  batch report plans/before-window   # then open plans/before-window/report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), io, args[0])
		},
	}
}

// runReport renders a run folder's report.html and prints its path.
func runReport(ctx context.Context, io *streams, dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return usageErrorf("%s is not a run folder (give REPORT_DIR/RUN_ID)", dir)
	}
	if err := htmlreport.Write(ctx, dir); err != nil {
		return usageErrorf("%w", err)
	}
	fmt.Fprintln(io.Out, filepath.Join(dir, htmlreport.FileName))
	return nil
}
