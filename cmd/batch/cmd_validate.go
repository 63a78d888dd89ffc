package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newValidateCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("validate is not built yet"))
		},
	}
}
