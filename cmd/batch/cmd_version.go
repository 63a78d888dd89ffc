package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

func newVersionCmd(io *streams, runF func(context.Context, *streams) error) *cobra.Command {
	if runF == nil {
		runF = runVersion
	}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), io)
		},
	}
}

// runVersion prints versionLine.
func runVersion(_ context.Context, io *streams) error {
	_, err := fmt.Fprintln(io.Out, versionLine())
	return err
}

// versionLine is what `batch version` and `batch --version` print.
func versionLine() string {
	return fmt.Sprintf("batch %s (commit %s, %s, %s/%s)", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
