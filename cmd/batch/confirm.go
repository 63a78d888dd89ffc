package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/runner"
)

// confirm asks a person to confirm a mass change (without a terminal on stdin,
// --yes must say so); an interrupt at the question ends the run, exit 3.
func confirm(ctx context.Context, io *streams, rf *runFlags, c *apply.Census, s client.Settings, reportDir string) error {
	if rf.Yes {
		return nil
	}
	if !io.IsStdinTTY() {
		return usageErrorf("apply changes accounts: confirm with --yes (stdin is not a terminal, so it cannot ask); nothing was sent")
	}
	fmt.Fprint(io.ErrOut, runner.Prompt(c, s, reportDir))
	answer, err := io.ReadLine(ctx)
	if err != nil {
		fmt.Fprintln(io.ErrOut)
		return withExit(exitStopped, errors.New("interrupted at the confirmation; nothing was sent"))
	}
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		return usageErrorf("not confirmed (type yes, in full, to apply); nothing was sent")
	}
	return nil
}

// cleanupError adds the failure of a run's cleanup (the sealing key not
// removed, the journal not synced) to the run's own outcome: it is
// reported, and a run that would have exited 0 exits 1.
func cleanupError(io *streams, runErr, cleanup error) error {
	if cleanup == nil {
		return runErr
	}
	if runErr == nil {
		return withExit(exitRowsFail, cleanup)
	}
	fmt.Fprintf(io.ErrOut, "batch: %v\n", cleanup)
	return runErr
}
