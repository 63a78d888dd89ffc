package main

import (
	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/apply"
)

func newPlanCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:     "plan MANIFEST",
		Short:   "Dry run: show the exact changes each row would make, writing nothing",
		Long:    helpText("plan.long"),
		Example: helpText("plan.example"),
		Args:    manifestArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rf.checkRunIDs(); err != nil {
				return err
			}
			return runManifest(cmd.Context(), &manifestOptions{IO: io, Mode: apply.ModePlan, Manifest: args[0], Conn: &conn, Run: &rf, Flags: cmd.Flags()})
		},
	}
	conn.register(cmd.Flags())
	rf.register(cmd.Flags(), manifestFlags)
	return cmd
}
