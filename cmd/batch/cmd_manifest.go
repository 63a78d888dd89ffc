package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/runner"
)

// manifestRunF runs plan or apply once their flags are parsed (tests
// replace it to check the parsing alone).
type manifestRunF func(context.Context, runner.ManifestOptions) error

func newPlanCmd(io *streams, runF manifestRunF) *cobra.Command {
	return newManifestCmd(io, runner.Plan, manifestFlags, runF, &cobra.Command{
		Use:     "plan MANIFEST",
		Short:   "Dry run: show the exact changes each row would make, writing nothing",
		Long:    helpText("plan.long"),
		Example: helpText("plan.example"),
	})
}

func newApplyCmd(io *streams, runF manifestRunF) *cobra.Command {
	return newManifestCmd(io, runner.Apply, writeFlags, runF, &cobra.Command{
		Use:     "apply MANIFEST",
		Short:   "Apply a manifest's changes and write a per-row report",
		Long:    helpText("apply.long"),
		Example: helpText("apply.example"),
	})
}

// newManifestCmd completes cmd as a command that runs a manifest: plan
// and apply differ in what they may do and in the flags they take.
func newManifestCmd(io *streams, command runner.Command, set flagSet, runF manifestRunF, cmd *cobra.Command) *cobra.Command {
	opts := runner.ManifestOptions{IO: io, Command: command, Conn: &runner.Connection{}, Run: &runner.RunOptions{},
		Version: version, OnRequestsStart: gcForRequests}
	if runF == nil {
		runF = runner.RunManifest
	}
	cmd.Args = manifestArg
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Manifest, opts.Flags = args[0], cmd.Flags()
		return runF(cmd.Context(), opts)
	}
	cmd.SetHelpTemplate(cmd.HelpTemplate() + "\n" + helpText("exit-codes") + "\n")
	registerConnection(cmd.Flags(), opts.Conn)
	registerRun(cmd.Flags(), opts.Run, set)
	return cmd
}
