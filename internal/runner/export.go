package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"batch/internal/apply"
	"batch/internal/client"
	"batch/internal/export"
	"batch/internal/manifest"
	"batch/internal/session"
)

// ExportConfig is an export: which accounts, written how and where.
type ExportConfig struct {
	// Kind is export.Users or export.RobotAccounts.
	Kind   export.Kind
	Format manifest.Format
	// Output is the file to write ("" or "-": Out).
	Output   string
	Out      io.Writer
	Settings client.Settings
	// Session holds the requests' settings; its Operations are the
	// export's.
	Session session.Options
	Log     zerolog.Logger
}

// Export signs in and writes every account of the kind as a manifest. A
// file is written beside its name and renamed at the end, so a failed
// export never leaves half a manifest under its name. It returns the rows
// written and the GET requests sent.
func Export(ctx context.Context, cfg ExportConfig) (rows, gets int, err error) {
	columns := export.UserColumns
	so := cfg.Session
	so.Operations = []client.Operation{client.OpListUsers, client.OpListGroups}
	if cfg.Kind == export.RobotAccounts {
		columns, so.Operations = export.RobotColumns, []client.Operation{client.OpListRobotAccounts, client.OpListGroups}
	}
	sess, err := session.New(ctx, cfg.Settings, so)
	if err != nil {
		return 0, 0, err
	}
	if err := sess.Client.Authenticate(ctx); err != nil {
		return 0, 0, &StopError{fmt.Errorf("sign in: %w; nothing was read", err)}
	}
	adapter := apply.NewClientAdapter(sess.Client)
	names, err := export.GroupNames(ctx, adapter)
	if err != nil {
		if client.IsAuthFailure(err) {
			return 0, 0, &StopError{err}
		}
		cfg.Log.Warn().Err(err).Msg("groups are written by id")
	}
	out := cfg.Out
	var file *os.File
	if cfg.Output != "" && cfg.Output != "-" {
		if file, err = os.CreateTemp(filepath.Dir(cfg.Output), ".export-*"); err != nil {
			return 0, 0, fmt.Errorf("export: %w", err)
		}
		defer os.Remove(file.Name())
		out = file
	}
	w, err := manifest.NewWriter(out, cfg.Format, columns)
	if err != nil {
		return 0, 0, err
	}
	rows, err = export.Run(ctx, adapter, cfg.Kind, w, names)
	err = errors.Join(err, w.Close())
	if file != nil {
		err = errors.Join(err, file.Close())
		if err == nil {
			err = os.Rename(file.Name(), cfg.Output)
		}
	}
	if err != nil {
		return rows, 0, &StopError{fmt.Errorf("export %s: %w", cfg.Kind, err)}
	}
	requests, _, _ := sess.Requests()
	return rows, requests["GET"], nil
}
