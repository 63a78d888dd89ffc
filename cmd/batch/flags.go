package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/iostreams"
	"github.com/uipath-batch/batch/internal/runner"
)

// registerConnection adds the connection flags: each overrides the
// environment and the uipathcli profile. Secrets have no flags.
func registerConnection(fs *pflag.FlagSet, c *runner.Connection) {
	fs.StringVar(&c.Profile, "profile", "", "profile of ~/.uipath/config to read (env UIPATH_PROFILE)")
	fs.StringVar(&c.URI, "uri", "", "platform URL (env UIPATH_URI, default https://cloud.uipath.com)")
	fs.StringVar(&c.Organization, "organization", "", "organization name (env UIPATH_ORGANIZATION)")
	fs.StringVar(&c.Tenant, "tenant", "", "tenant name, for Orchestrator operations (env UIPATH_TENANT)")
	fs.StringVar(&c.ClientID, "client-id", "", "External Application client id (env UIPATH_CLIENT_ID; the secret comes from UIPATH_CLIENT_SECRET or UIPATH_CLIENT_SECRET_FILE)")
	fs.StringVar(&c.IdentityURI, "identity-uri", "", "identity base URL override (env UIPATH_IDENTITY_URI)")
	fs.StringVar(&c.OrchestratorURI, "orchestrator-uri", "", "Orchestrator base URL override (env UIPATH_ORCHESTRATOR_URI)")
	fs.StringVar(&c.PartitionID, "partition-id", "", "organization partition GUID (env UIPATH_PARTITION_ID; read from the token when unset)")
	fs.StringVar(&c.FolderID, "folder-id", "", "Orchestrator folder id (a whole number) for robot credentials (env UIPATH_FOLDER_ID)")
}

// flagSet says which of the run settings a command takes.
type flagSet int

const (
	// requestFlags: how requests are sent and logged (verify).
	requestFlags flagSet = iota
	// readFlags: requestFlags, plus the progress of long reads (export).
	readFlags
	// manifestFlags: readFlags, plus a manifest's workers and reports (plan).
	manifestFlags
	// writeFlags: manifestFlags, plus what only a run that writes needs (apply).
	writeFlags
)

// registerRun adds the run settings of set.
func registerRun(fs *pflag.FlagSet, r *runner.RunOptions, set flagSet) {
	fs.StringVar(&r.Limits, "limits", "default", "request budgets per service, HTTP method and rolling window: a comma-separated list of [SERVICE:]METHOD=N/WINDOW (SERVICE identity or orchestrator, identity when left out; METHOD GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS; WINDOW in ms, s, m or h), each replacing the default budget of its service and method only, e.g. PUT=100/5m or orchestrator:GET=100/1m; default: Identity's published budgets less 10 %, Orchestrator's learned from its 429s; cloud: Identity's published budgets exactly; none: no budget (emulator), none,PUT=10/1s: that budget only. Users and robot accounts spend Identity's budgets (the token too), set_robot_credentials Orchestrator's")
	fs.IntVar(&r.MaxAttempts, "max-attempts", 5, "attempts per request for retryable failures (429, 502, 503, 504, connection errors)")
	fs.DurationVar(&r.Timeout, "timeout", 30*time.Second, "timeout of one request, counted from when its budget slot comes (waiting for the budget is not part of it)")
	fs.StringVar(&r.Log.Format, "log-format", "auto", "auto, json or console (auto: console on a terminal, JSON otherwise)")
	fs.StringVar(&r.Log.Level, "log-level", "info", iostreams.LevelHelp())
	if set == requestFlags {
		return
	}
	fs.BoolVar(&r.Log.NoProgress, "no-progress", false, "no progress bar")
	fs.DurationVar(&r.ProgressEvery, "progress-every", time.Minute, "without a progress bar (no terminal, --no-progress): log the progress (rows done, rate, time left, the list being read, what the run waits for) this often; 0: never")
	if set == readFlags {
		return
	}
	fs.IntVar(&r.Workers, "workers", 8, "concurrent requests")
	fs.StringVar(&r.ReportDir, "report-dir", "reports", "folder for run reports (REPORT_DIR/RUN_ID/)")
	fs.StringVar(&r.RunID, "run-id", "", "name of this run's report folder: letters, digits, '.', '-', '_' (default: time and a random suffix)")
	fs.BoolVar(&r.AllowLiteral, "allow-literal-secrets", false, "accept passwords written in the manifest itself")
	fs.IntVar(&r.MaxProblems, "max-problems", runner.DefaultMaxProblems, "print at most N of the manifest's problems, counting the rest; 0: print every one")
	if set == manifestFlags {
		fs.BoolVar(&r.DetailedExitCode, "detailed-exitcode", false, "exit 4 when any row would change (0: every row unchanged; a failed row, a stopped plan or an invalid manifest keep their codes)")
		return
	}
	fs.StringVar(&r.Resume, "resume", "", "continue the run RUN_ID: finished rows are skipped")
	fs.IntVar(&r.MaxFailures, "max-failures", 0, "stop dispatching after N failed rows (0: never)")
	fs.StringVar(&r.SecretsOut, "secrets-out", "", "file for generated passwords (created 0600)")
	fs.StringArrayVar(&r.AgeRecipients, "age-recipient", nil, "encrypt the secrets output to this age recipient (age1…); repeatable")
	fs.BoolVar(&r.Yes, "yes", false, "apply without the interactive confirmation (required when stdin is not a terminal)")
	fs.BoolVar(&r.SkipUnchanged, "skip-unchanged", false, "read first and write only rows with a difference")
	fs.BoolVar(&r.AllowDeletes, "allow-deletes", false, "apply rows that delete accounts or groups (delete_*); without it such a manifest is refused")
	fs.IntVar(&r.BulkSize, "bulk-size", 50, "the most ids one bulk request carries (deletes, group memberships); 1 turns bulk requests off")
	fs.DurationVar(&r.Drain, "drain", 30*time.Second, "after an interrupt, how long in-flight rows may take to finish")
	fs.DurationVar(&r.MaxStaleness, "max-staleness", time.Minute, "a write that sends back state read earlier (a robot's settings, a group's name, a robot account's display name) reads it again when older; 0: right before every such write")
	fs.BoolVar(&r.Verify, "verify", false, "at the end, confirm the succeeded rows against UiPath's audit logs (batch verify; exit 5 when the audit does not confirm every row)")
	fs.BoolVar(&r.GenerateOnly, "generate-only", false, "generate the rows' passwords into --secrets-out and write RUN_DIR/apply-later.csv, which applies them later from files; send nothing (directory first)")
	fs.DurationVar(&r.VerifyWait, "verify-wait", 2*time.Minute, "with --verify: how long audit records may take to be written, and so the longest wait for them")
}
