package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/session"
)

// ExportConfig is an export: which accounts, written how and where.
type ExportConfig struct {
	// Kind is export.Users, export.RobotAccounts or
	// export.RobotCredentials.
	Kind export.Kind
	// Rotation, when not nil, makes the export a rotation manifest
	// (export.RobotCredentials always is; export.Users with it writes
	// set_password rows): it narrows the rows and counts the accounts
	// left out.
	Rotation *export.Rotation
	Format   manifest.Format
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
	rot := cfg.Rotation
	switch {
	case cfg.Kind == export.RobotAccounts:
		columns, so.Operations = export.RobotColumns, []client.Operation{client.OpListRobotAccounts, client.OpListGroups}
	case cfg.Kind == export.RobotCredentials:
		if rot == nil {
			rot = &export.Rotation{}
		}
		columns, so.Operations = export.RobotCredentialColumns, []client.Operation{client.OpFindOrchestratorUser}
	case cfg.Kind == export.Users && rot != nil:
		columns, so.Operations = export.RotationColumns, []client.Operation{client.OpListUsers}
	}
	sess, err := session.New(ctx, cfg.Settings, so)
	if err != nil {
		return 0, 0, err
	}
	if err := sess.Client.Authenticate(ctx); err != nil {
		return 0, 0, &StopError{fmt.Errorf("sign in: %w; nothing was read", err)}
	}
	adapter := apply.NewClientAdapter(sess.Client)
	var names map[string]string
	if rot == nil { // a rotation writes no groups
		if names, err = export.GroupNames(ctx, adapter); err != nil {
			if client.IsAuthFailure(err) {
				return 0, 0, &StopError{err}
			}
			cfg.Log.Warn().Err(err).Msg("groups are written by id")
		}
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
	switch {
	case cfg.Kind == export.RobotCredentials:
		rows, err = export.RobotCredentialRows(ctx, adapter, w, rot)
	case cfg.Kind == export.Users && rot != nil:
		rows, err = export.PasswordRows(ctx, adapter, w, rot)
	default:
		rows, err = export.Run(ctx, adapter, cfg.Kind, w, names)
	}
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
