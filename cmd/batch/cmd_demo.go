package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newDemoCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("demo is not built yet"))
		},
	}
}
