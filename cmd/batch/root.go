package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Set at build time by the Makefile (-ldflags -X).
var (
	version = "dev"
	commit  = "none"
)

func run(args []string, io *streams) exitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, stopProfile := newRootCmd(io)
	defer stopProfile()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintf(io.ErrOut, "batch: %v\n", err)
		}
	}
	return exitCodeFor(err)
}

// newRootCmd builds the command tree; stopProfile ends a --cpu-profile
// and is to run once the command has returned.
func newRootCmd(io *streams) (root *cobra.Command, stopProfile func()) {
	root = &cobra.Command{
		Use:   "batch",
		Short: "Apply account changes to UiPath in bulk",
		Long: `batch applies account changes to UiPath in bulk from a CSV or YAML manifest:
update users (names, activation, groups), reset or change passwords, update
robot accounts, and rotate unattended robots' credentials.

Validate a manifest, preview the exact changes with a dry run, apply them
through a rate-limited worker pool, then read the per-row report.`,
		Example: `  batch validate examples/migrate-users.csv
  batch plan examples/migrate-users.csv
  batch apply examples/rotate-passwords.csv --secrets-out secrets.csv
  batch export users -o users.csv
  batch emulator --users 500 --robots 20`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withExit(exitInvalid, explainFlagError(c, err))
	})
	stopProfile = addProfiling(root)
	root.AddCommand(
		newValidateCmd(io),
		newPlanCmd(io),
		newApplyCmd(io),
		newExportCmd(io),
		newReportCmd(io),
		newEmulatorCmd(io),
		newDemoCmd(io),
		newVersionCmd(io),
	)
	for _, c := range root.Commands() {
		if c.Name() == "plan" || c.Name() == "apply" {
			// Only the commands that run rows end with their exit codes.
			c.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodesHelp + "\n")
		}
		if c.Args == nil {
			continue
		}
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return withExit(exitInvalid, err)
			}
			return nil
		}
	}
	return root, stopProfile
}

// manifestArg wants exactly one manifest and says so when it is missing.
func manifestArg(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return fmt.Errorf("%s needs a manifest: batch %s MANIFEST (a .csv, .yaml or .yml file, or - for CSV on stdin); see batch %s --help", cmd.Name(), cmd.Name(), cmd.Name())
	case len(args) > 1:
		return fmt.Errorf("%s takes one manifest, got %d arguments (%s)", cmd.Name(), len(args), strings.Join(args, " "))
	}
	return nil
}

// secretFlags are flags people try for secrets, which are never taken on
// the command line (they would show in ps and shell history).
var secretFlags = map[string]string{
	"client-secret":      "the client secret is never a flag (it would show in ps and shell history): set UIPATH_CLIENT_SECRET, or UIPATH_CLIENT_SECRET_FILE naming a file only you can read",
	"client-secret-file": "set UIPATH_CLIENT_SECRET_FILE instead (a file only you can read)",
	"pat":                "a personal access token is never a flag (it would show in ps and shell history): set UIPATH_PAT",
}

// explainFlagError adds to cobra's "unknown flag" the flag that was
// probably meant, or where a secret goes instead.
func explainFlagError(c *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(name, "=")
	if hint, ok := secretFlags[name]; ok {
		return fmt.Errorf("%s: %s", msg, hint)
	}
	best, bestDist := "", 1<<30
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if d := levenshtein(name, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best != "" && bestDist <= max(2, len(name)/3) {
		return fmt.Errorf("%s; did you mean --%s?", msg, best)
	}
	return fmt.Errorf("%s (see batch %s --help)", msg, c.Name())
}

// levenshtein is the edit distance between two flag names.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
