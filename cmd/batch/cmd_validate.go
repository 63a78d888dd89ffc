package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// validateOptions are the settings of `batch validate`.
type validateOptions struct {
	Manifest            string
	AllowLiteralSecrets bool
}

func newValidateCmd(io *streams) *cobra.Command {
	opts := &validateOptions{}
	cmd := &cobra.Command{
		Use:     "validate MANIFEST",
		Short:   "Check every row of a manifest, offline",
		Long:    helpText("validate.long"),
		Example: helpText("validate.example"),
		Args:    manifestArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Manifest = args[0]
			return runValidate(cmd.Context(), io, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.AllowLiteralSecrets, "allow-literal-secrets", false, "accept passwords written in the manifest itself")
	return cmd
}

// runValidate prints the manifest's problems; it exits 2 when there are
// any.
func runValidate(ctx context.Context, io *streams, opts *validateOptions) error {
	if _, err := manifest.FormatFor(opts.Manifest); err != nil {
		return withExit(exitInvalid, err)
	}
	out := bufio.NewWriter(io.Out)
	problems := 0
	rows, err := manifest.Validate(ctx, opts.Manifest, manifest.Options{
		AllowLiteralSecrets: opts.AllowLiteralSecrets,
		Stdin:               io.In,
	}, func(p manifest.Problem) {
		problems++
		fmt.Fprintln(out, p.String())
	})
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write problems: %w", ferr)
	}
	if err != nil {
		return withExit(exitInvalid, err)
	}
	fmt.Fprintf(io.ErrOut, "%s, %s\n", report.Plural(rows, "row"), report.Plural(problems, "problem"))
	if problems > 0 {
		return withExit(exitInvalid, nil)
	}
	return nil
}
