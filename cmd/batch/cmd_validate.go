package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runner"
)

// validateOptions are the settings of `batch validate`.
type validateOptions struct {
	IO                  *streams
	Manifest            string
	AllowLiteralSecrets bool
	MaxProblems         int
}

func newValidateCmd(io *streams, runF func(context.Context, validateOptions) error) *cobra.Command {
	opts := validateOptions{IO: io}
	if runF == nil {
		runF = runValidate
	}
	cmd := &cobra.Command{
		Use:     "validate MANIFEST",
		Short:   "Check every row of a manifest, offline",
		Long:    helpText("validate.long"),
		Example: helpText("validate.example"),
		Args:    manifestArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Manifest = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AllowLiteralSecrets, "allow-literal-secrets", false, "accept passwords written in the manifest itself")
	cmd.Flags().IntVar(&opts.MaxProblems, "max-problems", runner.DefaultMaxProblems, "print at most N problems, counting the rest; 0: print every one")
	return cmd
}

// runValidate prints the manifest's problems in line order (the first
// --max-problems of them, counting the rest); a manifest with any is an
// error (already shown).
func runValidate(ctx context.Context, opts validateOptions) error {
	io := opts.IO
	if _, err := manifest.FormatFor(opts.Manifest); err != nil {
		return err
	}
	out := bufio.NewWriter(io.Out)
	problems, err := runner.NewProblemPrinter(out, opts.MaxProblems)
	if err != nil {
		return err
	}
	var flushed time.Time // a problem shows at once, a flood in blocks
	rows, err := manifest.Validate(ctx, opts.Manifest, manifest.Options{
		AllowLiteralSecrets: opts.AllowLiteralSecrets,
		Stdin:               io.In,
	}, func(p manifest.Problem) {
		problems.Print(p)
		if time.Since(flushed) > 100*time.Millisecond {
			_, flushed = out.Flush(), time.Now()
		}
	})
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write problems: %w", ferr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "%s, %s\n", report.Plural(rows, "row"), problems.Summary())
	if problems.Count() > 0 {
		return &runner.Shown{Err: errors.New("the manifest has problems")}
	}
	return nil
}
