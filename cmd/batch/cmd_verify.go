package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/runner"
)

func newVerifyCmd(io *streams, runF func(context.Context, runner.VerifyOptions) error) *cobra.Command {
	opts := runner.VerifyOptions{IO: io, Conn: &runner.Connection{}, Run: &runner.RunOptions{}, Version: version}
	if runF == nil {
		runF = runner.RunVerify
	}
	cmd := &cobra.Command{
		Use:     "verify RUN_DIR",
		Short:   "Confirm a run's succeeded rows against UiPath's own audit logs",
		Long:    helpText("verify.long"),
		Example: helpText("verify.example"),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Wait, "wait", 0, "wait up to this long for the audit to show rows that finished less than --lag before it was read")
	cmd.Flags().DurationVar(&opts.Lag, "lag", 2*time.Minute, "how long an audit record may take to be written: a row finished more recently and not found is not checkable yet")
	cmd.SetHelpTemplate(cmd.HelpTemplate() + "\n" + helpText("exit-codes") + "\n")
	registerConnection(cmd.Flags(), opts.Conn)
	registerRun(cmd.Flags(), opts.Run, requestFlags)
	return cmd
}
