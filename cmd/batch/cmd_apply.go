package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newApplyCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "apply",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("apply is not built yet"))
		},
	}
}
