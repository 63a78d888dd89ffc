package main

import (
	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/apply"
)

func newApplyCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:     "apply MANIFEST",
		Short:   "Apply a manifest's changes and write a per-row report",
		Long:    helpText("apply.long"),
		Example: helpText("apply.example"),
		Args:    manifestArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rf.checkRunIDs(); err != nil {
				return err
			}
			return runManifest(cmd.Context(), &manifestOptions{IO: io, Mode: apply.ModeApply, Manifest: args[0], Conn: &conn, Run: &rf, Flags: cmd.Flags()})
		},
	}
	conn.register(cmd.Flags())
	rf.register(cmd.Flags(), writeFlags)
	return cmd
}
