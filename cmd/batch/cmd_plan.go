package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newPlanCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("plan is not built yet"))
		},
	}
}
