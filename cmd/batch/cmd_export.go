package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runner"
	"github.com/uipath-batch/batch/internal/session"
)

// exportOptions are the settings of `batch export`.
type exportOptions struct {
	IO             *streams
	Kinds          export.Kinds
	Format, Output string
	// Rotate (export users --rotate) writes set_password rows instead;
	// UserName narrows a rotation to the user names matching its glob.
	Rotate   bool
	UserName string
	Conn     *connectionFlags
	Run      *runFlags
}

func newExportCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	var format, output, userName string
	var rotate bool
	cmd := &cobra.Command{
		Use:       "export users|robot-accounts|groups... | robot-credentials",
		Short:     "Write the organization's users, robot accounts or groups as a portable manifest",
		Long:      helpText("export.long"),
		Example:   helpText("export.example"),
		Args:      cobra.RangeArgs(1, 3),
		ValidArgs: []string{string(export.Users), string(export.RobotAccounts), string(export.Groups), string(export.RobotCredentials)},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), &exportOptions{IO: io, Kinds: export.KindsOf(args), Format: format, Output: output,
				Rotate: rotate, UserName: userName, Conn: &conn, Run: &rf})
		},
	}
	cmd.Flags().BoolVar(&rotate, "rotate", false, "users: write a set_password row (new_password generate) per local user")
	cmd.Flags().StringVar(&userName, "username", "", "robot-credentials, users --rotate: only user names matching this glob (case-insensitive)")
	cmd.Flags().StringVar(&format, "format", "", "csv or yaml (default: from the -o extension, else csv)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	conn.register(cmd.Flags())
	rf.register(cmd.Flags(), requestFlags)
	return cmd
}

// runExport writes the accounts of opts.Kinds as a manifest and says how
// many, on stderr (a JSON log line when stderr carries them).
func runExport(ctx context.Context, opts *exportOptions) (err error) {
	io, rf := opts.IO, opts.Run
	if err := rf.checkRanges(requestFlags); err != nil {
		return err
	}
	log, err := newLogger(io, rf.log)
	if err != nil {
		return err
	}
	defer logErrorAsJSON(io, rf.log, log, &err)
	rot, err := export.Choose(opts.Kinds, opts.Rotate, opts.UserName)
	if err != nil {
		return usageErrorf("%w", err)
	}
	f, err := manifest.FormatNamed(opts.Format, opts.Output)
	if err != nil {
		return usageErrorf("%w", err)
	}
	settings, err := opts.Conn.settings()
	if err != nil {
		return err
	}
	res, err := runner.Export(ctx, runner.ExportConfig{Kinds: opts.Kinds, Rotation: rot, Format: f, Output: opts.Output, Out: io.Out, Settings: settings, Log: log,
		Session: session.Options{Limits: rf.Limits, Timeout: rf.Timeout, MaxAttempts: rf.MaxAttempts, Version: version}})
	if se := (*runner.StopError)(nil); errors.As(err, &se) {
		return withExit(exitStopped, se.Err)
	}
	if err != nil {
		return usageErrorf("%w", err)
	}
	where := opts.Output
	if where == "" || where == "-" {
		where = "standard output"
	}
	if jsonLogs(io, rf.log) {
		log.Info().Int("rows", res.Rows).Str("kind", opts.Kinds.String()).Str("output", where).Int("get_requests", res.Gets).
			Int("left_out", res.LeftOut).Strs("notes", res.Notes).Msg("exported")
		return nil
	}
	fmt.Fprintf(io.ErrOut, "exported %d %s to %s (%s)\n", res.Rows, opts.Kinds, where, report.Plural(res.Gets, "GET request"))
	for _, note := range res.Notes {
		fmt.Fprintln(io.ErrOut, note)
	}
	return nil
}
