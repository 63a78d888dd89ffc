package main

import (
	"fmt"
	goio "io"
	"os"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/planview"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/runner"
)

// reportRun prints the plan (plan only) and the summary on text, and says
// how the run ended: stopped (with the command that resumes it), rows
// failed, or every row done, when the run's sealing key goes.
func reportRun(opts *manifestOptions, log zerolog.Logger, text goio.Writer, r *runfolder.Run, res runner.Result) error {
	io, mode, summary := opts.IO, opts.Mode, res.Summary
	if mode == apply.ModePlan {
		if err := planview.Print(io.Out, io.IsStdoutTTY(), r.Dir, summary); err != nil {
			fmt.Fprintf(io.ErrOut, "batch: %v\n", err)
		}
	}
	summary.Print(text)
	runner.LogFinished(log, mode, summary)
	switch {
	case res.Outcome.Stopped != nil:
		switch {
		case mode == apply.ModePlan:
			fmt.Fprintf(text, "the plan stopped early; run it again for the whole plan\n")
		case summary.ByStatus[report.StatusSkipped] > 0:
			fmt.Fprintf(text, "resume with: %s\n", runfolder.ResumeCommand(os.Args[0], opts.Manifest, opts.Flags, r.ID))
		}
		return withExit(exitStopped, nil)
	case summary.ByStatus[report.StatusFailed] > 0:
		return cleanupError(io, withExit(exitRowsFail, nil), r.Finish())
	}
	return cleanupError(io, nil, r.Finish())
}
