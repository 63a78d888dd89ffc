package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/flaghint"
	"github.com/uipath-batch/batch/internal/interrupt"
	"github.com/uipath-batch/batch/internal/runner"
)

// Set at build time by the Makefile (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
)

// run runs the command args name and says how it ended: an error not
// shown yet is printed, and exitCodeFor gives the status.
func run(args []string, io *streams) exitCode {
	ctx, intr, stop := interrupt.Notify(context.Background())
	defer stop()
	io.Forced = intr.Forced()

	root, stopProfile := newRootCmd(io)
	defer stopProfile()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if s := (*runner.Shown)(nil); err != nil && !errors.As(err, &s) {
		fmt.Fprintf(io.ErrOut, "batch: %v\n", err)
	}
	return exitCodeFor(err)
}

// newRootCmd builds the command tree; stopProfile ends a --cpu-profile
// and is to run once the command has returned.
func newRootCmd(io *streams) (root *cobra.Command, stopProfile func()) {
	root = &cobra.Command{
		Use:           "batch",
		Short:         "Apply account changes to UiPath in bulk",
		Long:          helpText("batch.long"),
		Example:       helpText("batch.example"),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flaghint.Explain(err, c.Flags(), c.Name())
	})
	stopProfile = addProfiling(root)
	root.AddCommand(
		newValidateCmd(io, nil),
		newPlanCmd(io, nil),
		newApplyCmd(io, nil),
		newExportCmd(io, nil),
		newReportCmd(io, nil),
		newVerifyCmd(io, nil),
		newEmulatorCmd(io, nil),
		newDemoCmd(io, nil),
		newVersionCmd(io, nil),
	)
	return root, stopProfile
}

// manifestArg wants exactly one manifest and says so when it is missing.
func manifestArg(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return fmt.Errorf("%s needs a manifest: batch %s MANIFEST (a .csv, .yaml or .yml file, or - for CSV on stdin); see batch %s --help", cmd.Name(), cmd.Name(), cmd.Name())
	case len(args) > 1:
		return fmt.Errorf("%s takes one manifest, got %d arguments (%s)", cmd.Name(), len(args), strings.Join(args, " "))
	}
	return nil
}
