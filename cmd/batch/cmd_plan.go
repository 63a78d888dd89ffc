package main

import (
	"github.com/spf13/cobra"

	"batch/internal/apply"
)

func newPlanCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "plan MANIFEST",
		Short: "Dry run: show the exact changes each row would make, writing nothing",
		Long: `plan validates MANIFEST, resolves every target and reads its current state
(paging whole user and robot lists where that spends fewer reads than one
read per row), and reports the field-level difference each row would make:
  name: "Ann" → "Anna"    is_active: true → false    groups: +Finance −Sales
  password: *** → ***     robot credentials (DOMAIN\svc): *** → ***
Rows whose desired state already holds are "unchanged"; rows that would fail
in a way a read reveals (unknown user, robot or group) fail here with the
error codes apply would use. Rows naming groups cost one more read: the
organization's groups, by which unknown groups are found and names resolved.
Only GET requests are sent.

The plan is printed (grouped by op, counts first) and written to the report
folder like a run: status planned, unchanged or failed, and the changes.`,
		Example: `  batch plan examples/migrate-users.csv
  batch plan users.csv --report-dir plans --run-id before-window
  batch export users -o users.csv && batch plan users.csv   # every row unchanged`,
		Args: manifestArg,
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
