package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/runner"
)

func newExportCmd(io *streams, runF func(context.Context, runner.ExportOptions) error) *cobra.Command {
	opts := runner.ExportOptions{IO: io, Conn: &runner.Connection{}, Run: &runner.RunOptions{}, Version: version}
	if runF == nil {
		runF = runner.RunExport
	}
	cmd := &cobra.Command{
		Use:       "export users|robot-accounts|groups|access... | robot-credentials | assets | inventory",
		Short:     "Write the organization's accounts, groups or Orchestrator access as a portable manifest, a rotation manifest, or its secrets' inventory",
		Long:      helpText("export.long"),
		Example:   helpText("export.example"),
		Args:      cobra.RangeArgs(1, 4),
		ValidArgs: []string{string(export.Users), string(export.RobotAccounts), string(export.Groups), string(export.Access), string(export.RobotCredentials), string(export.Assets), string(export.Inventory)},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kinds = export.KindsOf(args)
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Rotate, "rotate", false, "users: write a set_password row (new_password generate) per local user")
	cmd.Flags().StringVar(&opts.UserName, "username", "", "robot-credentials, users --rotate: only user names matching this glob (case-insensitive)")
	cmd.Flags().StringVar(&opts.Filter.Folder, "folder", "", "assets: only folders whose path matches this glob (* within a name, ** across)")
	cmd.Flags().StringVar(&opts.Filter.Name, "name", "", "assets: only asset names matching this glob (case-insensitive)")
	cmd.Flags().StringVar(&opts.Format, "format", "", "csv or yaml (default: from the -o extension, else csv)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "file to write (default: standard output)")
	registerConnection(cmd.Flags(), opts.Conn)
	registerRun(cmd.Flags(), opts.Run, readFlags)
	return cmd
}
