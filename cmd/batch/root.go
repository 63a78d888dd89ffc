package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/flaghint"
	"github.com/uipath-batch/batch/internal/interrupt"
)

// Set at build time by the Makefile (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
)

func run(args []string, io *streams) exitCode {
	ctx, intr, stop := interrupt.Notify(context.Background())
	defer stop()
	io.Forced = intr.Forced()

	root, stopProfile := newRootCmd(io)
	defer stopProfile()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintf(io.ErrOut, "batch: %v\n", err)
		}
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
		return withExit(exitInvalid, flaghint.Explain(err, c.Flags(), c.Name()))
	})
	stopProfile = addProfiling(root)
	root.AddCommand(
		newValidateCmd(io),
		newPlanCmd(io),
		newApplyCmd(io),
		newExportCmd(io),
		newReportCmd(io),
		newEmulatorCmd(io),
		newDemoCmd(io),
		newVersionCmd(io),
	)
	for _, c := range root.Commands() {
		if c.Name() == "plan" || c.Name() == "apply" {
			// Only the commands that run rows end with their exit codes.
			c.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodesHelp + "\n")
		}
		if c.Args == nil {
			continue
		}
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return withExit(exitInvalid, err)
			}
			return nil
		}
	}
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
