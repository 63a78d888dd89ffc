package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/runner"
)

// emulatorOptions are the settings of `batch emulator`: the emulator's
// own, and how to serve it.
type emulatorOptions struct {
	emulator.Config
	listen, limits, orchLimits string
	stateOut, envFile          string
	envOnly                    bool
	io                         *streams
}

func newEmulatorCmd(io *streams, runF func(context.Context, emulatorOptions) error) *cobra.Command {
	opts := emulatorOptions{io: io}
	if runF == nil {
		runF = runEmulator
	}
	cmd := &cobra.Command{
		Use:     "emulator",
		Short:   "Run a local UiPath Identity + Orchestrator emulator on loopback",
		Long:    helpText("emulator.long"),
		Example: helpText("emulator.example"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.listen, "listen", "127.0.0.1:8765", "loopback address to serve on (port 0 picks a free port)")
	f.StringVar(&opts.Org, "org", emulator.DefaultOrg, "organization name")
	f.StringVar(&opts.Tenant, "tenant", emulator.DefaultTenant, "tenant name")
	f.IntVar(&opts.Users, "users", 200, "number of generated users")
	f.IntVar(&opts.Robots, "robots", 20, "number of generated robot accounts (each with an Orchestrator user)")
	f.Int64Var(&opts.Seed, "seed", 1, "seed of the generated names and ids")
	f.StringVar(&opts.SeedFile, "seed-file", "", "JSON or YAML file with more users, groups, robot accounts and Orchestrator users")
	f.StringVar(&opts.limits, "limits", "none", "Identity's request budgets per HTTP method: none, cloud, cloud:K (windows divided by K) or e.g. GET=300/5m,PUT=160/5m")
	f.StringVar(&opts.orchLimits, "orchestrator-limits", "none", "Orchestrator's request budgets per HTTP method, apart from Identity's: none or e.g. GET=100/1m,PATCH=100/1m")
	f.BoolVar(&opts.NoRetryAfter, "no-retry-after", false, "answer 429 without a Retry-After header")
	f.DurationVar(&opts.Latency, "latency", 0, "latency added to every API answer")
	f.Float64Var(&opts.FaultRate, "fault-rate", 0, "fraction of API requests answered 500/502/503 without applying anything")
	f.Float64Var(&opts.ResetRate, "reset-rate", 0, "fraction of API requests whose connection is dropped (half before, half after applying)")
	f.IntSliceVar(&opts.FaultStatuses, "fault-statuses", nil, "injected answers to draw from, some of 500,502,503 (default all three)")
	f.Int64Var(&opts.FaultSeed, "fault-seed", 1, "seed of the fault sequence")
	f.IntVar(&opts.RequestLogLimit, "request-log", emulator.DefaultRequestLog, "how many of the last requests the inspection log keeps (counters are always complete)")
	f.IntVar(&opts.BulkMax, "bulk-max", emulator.DefaultBulkMax, "the most ids one bulk request may carry (users, robot accounts, groups or members); more are refused with 400")
	f.DurationVar(&opts.TokenLifetime, "token-lifetime", time.Hour, "lifetime of issued access tokens")
	f.BoolVar(&opts.SpecShapes, "spec-shapes", false, "answer the published definitions' shapes instead of the live service's (string user and group types, groupIDs [], groups created without an id, a stable order without sortBy, 204 for deletes)")
	f.DurationVar(&opts.AuditLag, "audit-lag", 0, "how long a change's audit records stay out of the audit logs (UiPath's are written a little after the change)")
	f.Float64Var(&opts.UnchangedPatchRate, "unchanged-patch-rate", 0, "fraction of PATCH odata/Users({key}) answered 200 without applying anything or writing an audit record (for batch verify)")
	f.IntVar(&opts.MeddleAfter, "meddle-after", 0, "after this many API requests, once, change every robot's settings, local group name, robot account display name and user name as a second administrator would (0: never)")
	f.StringVar(&opts.stateOut, "state-out", "", "write the final state as JSON to this file on exit (mode 0600, passwords hashed)")
	f.BoolVar(&opts.envOnly, "env-only", false, "print only the export lines, no status on stderr")
	f.StringVar(&opts.envFile, "env-file", "", "also write the export lines to this file (0600, whole, once serving; removed on exit), for a script to source")
	return cmd
}

// runEmulator serves until ctx is cancelled (emulator.Serve). A failure
// once serving stops it; one before is in its settings.
func runEmulator(ctx context.Context, opts emulatorOptions) error {
	limits, err := emulator.ParseLimits(opts.limits)
	if err != nil {
		return fmt.Errorf("--limits: %w", err)
	}
	orchLimits, err := emulator.ParseOrchestratorLimits(opts.orchLimits)
	if err != nil {
		return fmt.Errorf("--orchestrator-limits: %w", err)
	}
	cfg := opts.Config
	cfg.Limits, cfg.OrchestratorLimits = limits, orchLimits
	err = emulator.Serve(ctx, cfg, emulator.ServeOptions{Listen: opts.listen, EnvFile: opts.envFile,
		StateOut: opts.stateOut, EnvOnly: opts.envOnly, Out: opts.io.Out, ErrOut: opts.io.ErrOut})
	if se := (*emulator.StartError)(nil); errors.As(err, &se) {
		return se.Err
	}
	if err != nil {
		return &runner.StopError{Err: err}
	}
	return nil
}
