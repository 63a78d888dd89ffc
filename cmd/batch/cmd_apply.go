package main

import (
	"github.com/spf13/cobra"

	"batch/internal/apply"
)

func newApplyCmd(io *streams) *cobra.Command {
	var conn connectionFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "apply MANIFEST",
		Short: "Apply a manifest's changes and write a per-row report",
		Long: `apply validates MANIFEST (nothing is sent if any row has a problem), asks for
confirmation, then sends each row's change through a rate-limited worker pool
and writes the report folder REPORT_DIR/RUN_ID/: results.csv, results.jsonl,
the failed rows as a re-runnable manifest, summary.json and report.html.

Requests are paced per service and HTTP method within UiPath's rolling-window
budgets (--limits): update_user, set_password, change_password and
update_robot_account spend Identity's (GET, PUT, POST; the token request is
Identity's POST), set_robot_credentials spends Orchestrator's (GET, PATCH).
A 429 slows down the requests of that service and method only, and rows
waiting out one service's pause leave their workers to the others'. The
per-request --timeout starts when a request's budget slot comes: waiting for
the budget is not a failure. Retryable failures (429, 502,
503, 504, connection errors) are retried up to --max-attempts with backoff;
a change-password request whose answer was lost is settled by re-reading the
user, never blindly sent twice.

Generated passwords (generate, generate:LENGTH) are written to --secrets-out
(0600; --age-recipient encrypts each line) before they are sent. Every write
is recorded in the run's journal first, so an interrupted run (Ctrl-C,
--max-failures, a crash) continues with --resume RUN_ID: finished rows are
skipped, and a row that was in flight is settled without a second change.
A resumed run takes the flags its run started with from run.json (no flag
carries a secret); flags given again override them, except --secrets-out and
--age-recipient, which must match. An interrupted run prints the command
that resumes it.`,
		Example: `  # migrate users, confirming interactively
  batch apply examples/migrate-users.csv

  # nightly rotation from a scheduler
  batch apply rotate.csv --yes --secrets-out rotate-secrets.csv --log-format json

  # encrypt the generated passwords to your age key; stop after 20 failures
  batch apply rotate.csv --yes --secrets-out rotate.age --age-recipient "$(cat recipient.txt)" --max-failures 20

  # continue an interrupted run: its own settings (secrets output, budgets,
  # workers...) come from its run.json; give --report-dir if it was not the default
  batch apply rotate.csv --resume rotate-2026-11-22

  # write only rows that change something (idempotent re-runs)
  batch apply users.csv --skip-unchanged`,
		Args: manifestArg,
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
