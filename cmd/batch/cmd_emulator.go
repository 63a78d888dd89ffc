package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newEmulatorCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "emulator",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("%w", errors.New("emulator is not built yet"))
		},
	}
}
