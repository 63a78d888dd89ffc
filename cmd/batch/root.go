package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Set at build time by the Makefile (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
)

func run(args []string, io *streams) exitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

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
		Use:   "batch",
		Short: "Apply account changes to UiPath in bulk",
		Long: `batch applies account changes to UiPath in bulk from a CSV or YAML manifest:
update users (names, activation, groups), reset or change passwords, update
robot accounts, and rotate unattended robots' credentials.

Validate a manifest, preview the exact changes with a dry run, apply them
through a rate-limited worker pool, then read the per-row report.`,
		Example: `  batch validate users.csv
  batch plan users.csv
  batch apply users.csv --secrets-out secrets.txt
  batch export users -o users.csv
  batch emulator --users 500 --robots 20`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return withExit(exitInvalid, err)
	})
	root.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodesHelp + "\n")
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
