package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"batch/internal/apply"
	"batch/internal/client"
	"batch/internal/export"
	"batch/internal/manifest"
)

func newExportCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	var format, output string
	cmd := &cobra.Command{
		Use:   "export users|robot-accounts",
		Short: "Write the tenant's users or robot accounts as a manifest",
		Long: `export pages through the organization's users or robot accounts (1,000 per
request) and writes a manifest with one update_user or update_robot_account
row per account: its id as the target (a user's email and user name beside it,
checked against the account when the row runs), its current names and
activation, and its exact group membership in the groups column, by name (one
read of the organization's groups; by id where a name cannot be used). Edit
groups to change the membership: a row with groups makes it exactly that set.
No secret is ever exported.

What export writes, validate accepts and plan reports as all unchanged: edit
the columns you want to change, delete the rows you don't, then plan and
apply.`,
		Example: `  batch export users -o users.csv
  batch export robot-accounts --format yaml > robots.yaml
  batch export users -o users.csv && batch plan users.csv   # every row unchanged`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{string(export.Users), string(export.RobotAccounts)},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			log, err := newLogger(io, rf.log)
			if err != nil {
				return err
			}
			defer logErrorAsJSON(io, rf.log, log, &err)
			kind := export.Kind(args[0])
			columns := export.UserColumns
			ops := []client.Operation{client.OpListUsers, client.OpListGroups}
			switch kind {
			case export.Users:
			case export.RobotAccounts:
				columns, ops = export.RobotColumns, []client.Operation{client.OpListRobotAccounts, client.OpListGroups}
			default:
				return usageErrorf("export %q: want users or robot-accounts", args[0])
			}
			f, err := exportFormat(format, output)
			if err != nil {
				return err
			}
			settings, err := conn.settings()
			if err != nil {
				return err
			}
			sess, err := newSession(cmd.Context(), settings, &rf, log, ops)
			if err != nil {
				return err
			}
			if err := sess.client.Authenticate(cmd.Context()); err != nil {
				return withExit(exitStopped, fmt.Errorf("sign in: %w; nothing was read", err))
			}
			adapter := apply.NewClientAdapter(sess.client)
			names, err := export.GroupNames(cmd.Context(), adapter)
			if err != nil {
				if client.IsAuthFailure(err) {
					return withExit(exitStopped, err)
				}
				log.Warn().Err(err).Msg("groups are written by id")
			}

			out := io.Out
			var file *os.File
			tmp := ""
			if output != "" && output != "-" {
				// Written beside the target and renamed at the end, so a
				// failed export never leaves half a manifest under its name.
				file, err = os.CreateTemp(filepath.Dir(output), ".export-*")
				if err != nil {
					return usageErrorf("export: %w", err)
				}
				tmp = file.Name()
				defer os.Remove(tmp)
				out = file
			}
			w, err := manifest.NewWriter(out, f, columns)
			if err != nil {
				return err
			}
			n, err := export.Run(cmd.Context(), adapter, kind, w, names)
			err = errors.Join(err, w.Close())
			if file != nil {
				err = errors.Join(err, file.Close())
				if err == nil {
					err = os.Rename(tmp, output)
				}
			}
			if err != nil {
				return withExit(exitStopped, fmt.Errorf("export %s: %w", kind, err))
			}
			requests, _, _ := sess.requests()
			where := output
			if where == "" || where == "-" {
				where = "standard output"
			}
			if jsonLogs(io, rf.log) {
				log.Info().Int("rows", n).Str("kind", string(kind)).Str("output", where).Int("get_requests", requests["GET"]).Msg("exported")
				return nil
			}
			fmt.Fprintf(io.ErrOut, "exported %d %s to %s (%d GET requests)\n", n, kind, where, requests["GET"])
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "csv or yaml (default: from the -o extension, else csv)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	conn.register(cmd.Flags())
	rf.register(cmd.Flags(), requestFlags)
	return cmd
}

// exportFormat picks the manifest format from --format or the file name.
func exportFormat(format, output string) (manifest.Format, error) {
	switch format {
	case "csv":
		return manifest.CSV, nil
	case "yaml", "yml":
		return manifest.YAML, nil
	case "":
		if output == "" || output == "-" {
			return manifest.CSV, nil
		}
		f, err := manifest.FormatFor(output)
		if err != nil {
			return f, usageErrorf("-o %s: %w (or give --format)", output, err)
		}
		return f, nil
	}
	return 0, usageErrorf("--format %q: want csv or yaml", format)
}
