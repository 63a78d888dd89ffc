package main

import (
	"context"
	"fmt"
	goio "io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"batch/internal/emulator"
	"batch/internal/shellenv"
)

// emulatorOptions are the settings of `batch emulator`: the emulator's
// own, and how to serve it.
type emulatorOptions struct {
	emulator.Config
	listen, limits, orchLimits string
	stateOut, envFile          string
	envOnly                    bool
}

func newEmulatorCmd(io *streams) *cobra.Command {
	opts := emulatorOptions{}
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run a local UiPath Identity + Orchestrator emulator on loopback",
		Long: `Run an in-memory UiPath organization on a loopback address, to rehearse
safely: the token endpoint, identity users and robot accounts, and Orchestrator
users (unattended robot credentials), with scopes, expiring tokens, per-method
rolling-window budgets (Identity's and Orchestrator's apart: --limits and
--orchestrator-limits) and the real services' error shapes.

On start it prints the environment that points batch (and uipathcli) at it,
then serves until interrupted. The default External Application is
batch-emulator with every scope; its secret is printed with the environment.

Read-only views for scripts: GET /_emulator/state (passwords only as SHA-256)
and GET /_emulator/requests (request counts, 429s, token requests).`,
		Example: `  # serve 500 users and 20 robots; it prints the environment that points batch at it
  batch emulator --users 500 --robots 20

  # in the background, its environment in a file (0600, removed when it stops;
  # keep it out of a repository: it holds the emulator's client secret)
  batch emulator --env-file emulator.env &
  until [ -s emulator.env ]; do sleep 0.1; done; . ./emulator.env

  # rehearse against the published cloud budgets, compressed 60 times
  batch emulator --limits cloud:60

  # and give Orchestrator a budget of its own
  batch emulator --limits cloud:60 --orchestrator-limits GET=100/5s,PATCH=100/5s

  # flaky network: 5% server errors, 2% dropped connections, 50ms latency
  batch emulator --fault-rate 0.05 --reset-rate 0.02 --latency 50ms --fault-seed 7

  # keep the final state for inspection
  batch emulator --state-out state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEmulator(cmd.Context(), io, opts)
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
	f.StringVar(&opts.stateOut, "state-out", "", "write the final state as JSON to this file on exit (mode 0600, passwords hashed)")
	f.BoolVar(&opts.envOnly, "env-only", false, "print only the export lines, no status on stderr")
	f.StringVar(&opts.envFile, "env-file", "", "also write the export lines to this file (0600, whole, once serving; removed on exit), for a script to source")
	return cmd
}

// runEmulator serves until ctx is cancelled, then writes the state file.
func runEmulator(ctx context.Context, io *streams, opts emulatorOptions) error {
	limits, err := emulator.ParseLimits(opts.limits)
	if err != nil {
		return usageErrorf("--limits: %w", err)
	}
	orchLimits, err := emulator.ParseOrchestratorLimits(opts.orchLimits)
	if err != nil {
		return usageErrorf("--orchestrator-limits: %w", err)
	}
	cfg := opts.Config
	cfg.Limits, cfg.OrchestratorLimits = limits, orchLimits
	srv, err := emulator.New(cfg)
	if err != nil {
		return usageErrorf("%w", err)
	}
	if err := srv.Start(opts.listen); err != nil {
		return usageErrorf("%w", err)
	}
	// One write, so that a script waiting for the file to be non-empty
	// reads it whole.
	env := shellenv.Exports(srv.Env())
	if _, err := goio.WriteString(io.Out, env); err != nil {
		_ = srv.Close()
		return withExit(exitStopped, fmt.Errorf("print the environment: %w", err))
	}
	if opts.envFile != "" {
		// Whole, once serving, so that a script waiting for it never
		// reads half of it (or an old one's port); it holds the client
		// secret: 0600.
		if err := shellenv.WriteFile(opts.envFile, env); err != nil {
			_ = srv.Close()
			return withExit(exitStopped, fmt.Errorf("--env-file: %w", err))
		}
		defer os.Remove(opts.envFile)
	}
	if !opts.envOnly {
		fmt.Fprintf(io.ErrOut, "emulator: serving %s (%d users, %d robot accounts) on %s; Ctrl-C to stop\n",
			opts.Org, opts.Users, opts.Robots, srv.URL())
	}

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	if opts.stateOut != "" {
		if err := srv.WriteState(opts.stateOut); err != nil {
			return withExit(exitStopped, err)
		}
	}
	if !opts.envOnly {
		s := srv.RequestSummary()
		fmt.Fprintf(io.ErrOut, "emulator: stopped after %d API requests (%d throttled), %d token requests\n",
			s.Total, s.Throttled, s.TokenRequests)
	}
	if shutdownErr != nil {
		return withExit(exitStopped, shutdownErr)
	}
	return nil
}
