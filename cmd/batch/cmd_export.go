package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newExportCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("export is not built yet"))
		},
	}
}
