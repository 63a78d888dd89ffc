package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/progress"
	"github.com/uipath-batch/batch/internal/session"
)

// ExportConfig is an export: which accounts, written how and where.
type ExportConfig struct {
	// Kinds are what to export: any of export.Users,
	// export.RobotAccounts, export.Groups and export.Access, written into
	// one manifest in this order, or a rotation's kind alone
	// (export.RobotCredentials, export.Assets, or export.Users with
	// Rotation), or export.Inventory alone (a CSV, not a manifest).
	Kinds export.Kinds
	// Rotation, when not nil, makes the export a rotation manifest
	// (export.RobotCredentials and export.Assets always are; export.Users
	// with it writes set_password rows): it narrows the rows and counts
	// the accounts (or asset values) left out.
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
	// Progress is the terminal the progress is drawn on (nil: none);
	// without one, ProgressEvery (0: never) spaces its log lines.
	Progress      io.Writer
	ProgressEvery time.Duration
}

// ExportResult is what an export wrote and sent.
type ExportResult struct {
	Rows int
	// Gets counts the GET requests sent.
	Gets int
	// LeftOut counts what was not written: accounts a rotation leaves
	// out, or what no manifest can name in another organization.
	LeftOut int
	// Notes says, one line each, what was left out or written by id and
	// why; none when the export is whole and portable.
	Notes []string
}

// Export signs in and writes every account (or local group) of the kinds,
// or the Orchestrator access, as one manifest; or a rotation manifest; or
// the inventory as CSV. A file is written beside its name and renamed at
// the end, so a failed export never leaves half a file under its name.
func Export(ctx context.Context, cfg ExportConfig) (ExportResult, error) {
	var res ExportResult
	if len(cfg.Kinds) == 0 {
		return res, errors.New("export: no kind to export")
	}
	so := cfg.Session
	so.Operations = []client.Operation{client.OpListGroups}
	for _, k := range cfg.Kinds {
		switch k {
		case export.Users:
			so.Operations = append(so.Operations, client.OpListUsers)
		case export.RobotAccounts:
			so.Operations = append(so.Operations, client.OpListRobotAccounts)
		case export.Access:
			so.Operations = append(so.Operations, export.AccessOperations...)
		}
	}
	columns := export.Columns(cfg.Kinds)
	rot := cfg.Rotation
	kind := cfg.Kinds[0] // a rotation's only kind
	switch {
	case kind == export.RobotCredentials:
		if rot == nil {
			rot = &export.Rotation{}
		}
		columns, so.Operations = export.RobotCredentialColumns, []client.Operation{client.OpFindOrchestratorUser, client.OpListCredentialStores}
	case kind == export.Users && rot != nil:
		columns, so.Operations = export.RotationColumns, []client.Operation{client.OpListUsers}
	case kind == export.Assets:
		if rot == nil {
			rot = &export.Rotation{}
		}
		columns, so.Operations = export.AssetColumns, export.AssetOperations
	case kind == export.Inventory:
		if cfg.Format != manifest.CSV {
			return res, fmt.Errorf("export inventory writes CSV, not %s", cfg.Format)
		}
		so.Operations = export.InventoryOperations
	}
	sess, err := session.New(ctx, cfg.Settings, so)
	if err != nil {
		return res, err
	}
	if err := sess.Client.Authenticate(ctx); err != nil {
		return res, &StopError{fmt.Errorf("sign in: %w; nothing was read", err)}
	}
	policy := session.RetryPolicy(so.MaxAttempts)
	policy.Stop = sess.Limiter.Stopped()
	// The progress: an organization's lists take minutes at its budget.
	bar := cfg.progressBar(ctx, sess)
	defer bar.Done()
	adapter := retryingReader{apply.NewClientAdapter(sess.Client), policy, bar.Reading}
	assets := retryingAssets{export.ClientAssets(sess.Client), policy}
	var groups []client.Group
	if rot == nil && kind != export.Inventory { // a rotation or an inventory names no groups
		// Memberships are written by name: without the names the file
		// would not be portable, so the export stops.
		if groups, err = retried(ctx, policy, sess.Client.Groups.List); err != nil {
			if e := listNotFound(cfg.Settings, apply.ServiceIdentity, err); e != nil {
				return res, e
			}
			return res, &StopError{fmt.Errorf("read the organization's groups: %w; nothing was written", err)}
		}
	}
	out := cfg.Out
	var file *os.File
	if cfg.Output != "" && cfg.Output != "-" {
		if file, err = os.CreateTemp(filepath.Dir(cfg.Output), ".export-*"); err != nil {
			return res, fmt.Errorf("export: %w", err)
		}
		defer os.Remove(file.Name())
		out = file
	}
	access := retryingAccess{export.ClientAccess(sess.Client), policy}
	if kind == export.Inventory {
		err = writeInventory(ctx, out, inventoryReader{assets, adapter, access}, &res)
	} else {
		w, werr := manifest.NewWriter(out, cfg.Format, columns)
		if werr != nil {
			return res, werr
		}
		switch {
		case kind == export.RobotCredentials:
			res.Rows, err = export.RobotCredentialRows(ctx, adapter, w, rot)
		case kind == export.Assets:
			res.Rows, res.Notes, err = export.AssetRows(ctx, assets, w, rot)
		case rot != nil:
			res.Rows, err = export.PasswordRows(ctx, adapter, w, rot)
		default:
			err = exportKinds(ctx, readers{adapter, access}, cfg.Kinds, w, groups, &res)
		}
		err = errors.Join(err, w.Close())
	}
	if rot != nil {
		res.LeftOut = rot.Skipped
		if msg := rot.LeftOut(kind); msg != "" {
			res.Notes = append([]string{msg}, res.Notes...)
		}
	}
	if file != nil {
		err = errors.Join(err, file.Close())
		if err == nil {
			err = os.Rename(file.Name(), cfg.Output)
		}
	}
	if err != nil {
		// A 404 of the first list of a service: the organization (or,
		// for Orchestrator's lists, the tenant) is not there.
		service, first := apply.ServiceIdentity, res.Rows == 0
		var ke *kindError
		if kind == export.RobotCredentials || kind == export.Assets {
			service = apply.ServiceOrchestrator
		} else if errors.As(err, &ke) && ke.kind == export.Access {
			service, first = apply.ServiceOrchestrator, ke.rows == 0
		}
		if e := listNotFound(cfg.Settings, service, err); e != nil && first {
			return res, e
		}
		return res, &StopError{fmt.Errorf("export %s: %w", cfg.Kinds, err)}
	}
	requests, _, _ := sess.Requests()
	res.Gets = requests["GET"]
	return res, nil
}

// readers are what an export reads through: the accounts, and the
// Orchestrator access.
type readers struct {
	accounts apply.Reader
	access   export.AccessReader
}

// exportKinds writes the rows of each kind in turn, numbered on through
// the manifest, and adds up what they wrote and left out. A kind's
// failure is a *kindError.
func exportKinds(ctx context.Context, r readers, kinds export.Kinds, sink export.Sink, groups []client.Group, res *ExportResult) error {
	for _, k := range kinds {
		var t export.Tally
		var err error
		if k == export.Access {
			t, err = export.WriteAccess(ctx, r.access, numberedFrom{sink, res.Rows}, groups)
		} else {
			t, err = export.Write(ctx, r.accounts, k, numberedFrom{sink, res.Rows}, groups)
		}
		res.Rows += t.Rows
		res.LeftOut += t.LeftOut + t.Directory
		for _, n := range t.Unknown {
			res.LeftOut += n
		}
		res.Notes = append(res.Notes, t.Notes(k)...)
		if err != nil {
			return &kindError{kind: k, rows: t.Rows, err: err}
		}
	}
	return nil
}

// kindError is the failure of one kind of an export, after it wrote rows
// of its own.
type kindError struct {
	kind export.Kind
	rows int
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// numberedFrom numbers the rows it passes on after the first base rows of
// the manifest.
type numberedFrom struct {
	export.Sink
	base int
}

func (n numberedFrom) Write(j manifest.Job) error {
	j.Row += n.base
	return n.Sink.Write(j)
}

// listNotFound is the error of an export whose first list read answered
// 404: the organization or tenant is not there (see TargetError); nil for
// any other error.
func listNotFound(s client.Settings, service string, err error) error {
	if ce, ok := client.AsError(err); !ok || ce.StatusCode != http.StatusNotFound {
		return nil
	}
	return TargetError(s, &apply.TargetNotFoundError{Service: service, Err: err})
}

// writeInventory takes the inventory and writes it to out as CSV; its
// lines are the result's rows, and a note says how many of the secrets
// counted batch rotates.
func writeInventory(ctx context.Context, out io.Writer, r export.InventoryReader, res *ExportResult) error {
	lines, err := export.TakeInventory(ctx, r)
	if err != nil {
		return err
	}
	res.Rows = len(lines)
	rotated, not := export.InventoryTotals(lines)
	res.Notes = append(res.Notes, fmt.Sprintf("batch rotates %d of the %d secrets counted; the lines with rotated_by_batch no say where the other %d are changed",
		rotated, rotated+not, not))
	return export.WriteInventory(out, lines)
}

// inventoryReader is what an inventory reads through: the assets, the
// accounts, and the Orchestrator users as export access reads them.
type inventoryReader struct {
	export.AssetReader
	accounts apply.Reader
	access   export.AccessReader
}

func (r inventoryReader) EachUser(ctx context.Context, fn func(apply.User) error) error {
	return r.accounts.EachUser(ctx, fn)
}

func (r inventoryReader) EachRobot(ctx context.Context, fn func(apply.Robot) error) error {
	return r.accounts.EachRobot(ctx, fn)
}

func (r inventoryReader) EachOrchestratorUser(ctx context.Context, fn func(client.OrchestratorUser) error) error {
	return r.access.EachOrchestratorUser(ctx, fn)
}

// progressBar is the export's progress: a spinner on a terminal, else a
// log line now and then, saying which list is read and how far.
func (cfg *ExportConfig) progressBar(ctx context.Context, sess *session.Session) *progress.Bar {
	what := "export " + cfg.Kinds.String()
	if cfg.Progress != nil {
		return progress.NewReading(ctx, cfg.Progress, what, sess.Limiter.Waiting)
	}
	return progress.NewReadingLog(ctx, func(status string) {
		cfg.Log.Info().Str("status", status).Msg("progress")
	}, cfg.ProgressEvery, what, sess.Limiter.Waiting)
}
