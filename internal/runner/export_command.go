package runner

import (
	"context"
	"fmt"

	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/iostreams"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/session"
)

// ExportOptions are the settings of `batch export`.
type ExportOptions struct {
	IO             *iostreams.IOStreams
	Kinds          export.Kinds
	Format, Output string
	// Rotate (export users --rotate) writes set_password rows instead;
	// UserName narrows a rotation to the user names matching its glob.
	Rotate   bool
	UserName string
	// Filter narrows export assets by folder path and asset name (globs).
	Filter export.Filter
	Conn   *Connection
	Run    *RunOptions
	// Version is the program's, for the requests' User-Agent.
	Version string
}

// RunExport writes the accounts of opts.Kinds as a manifest and says how
// many, on stderr (a JSON log line when stderr carries them).
func RunExport(ctx context.Context, opts ExportOptions) (err error) {
	streams, ro := opts.IO, opts.Run
	if err := ro.checkRanges(false, false); err != nil {
		return err
	}
	log, err := streams.Logger(ro.Log.Format, ro.Log.Level)
	if err != nil {
		return err
	}
	defer LogError(streams, ro.Log, log, &err)
	rot, err := export.Choose(opts.Kinds, export.Options{Rotate: opts.Rotate, UserName: opts.UserName, Filter: opts.Filter})
	if err != nil {
		return err
	}
	f, err := manifest.FormatNamed(opts.Format, opts.Output)
	if err != nil {
		return err
	}
	settings, err := opts.Conn.Settings()
	if err != nil {
		return err
	}
	cfg := ExportConfig{Kinds: opts.Kinds, Rotation: rot, Format: f, Output: opts.Output, Out: streams.Out, Settings: settings, Log: log,
		Session:       session.Options{Limits: ro.Limits, Timeout: ro.Timeout, MaxAttempts: ro.MaxAttempts, Version: opts.Version},
		ProgressEvery: ro.ProgressEvery}
	// The spinner on the terminal, unless the manifest is written there.
	toTerminal := (opts.Output == "" || opts.Output == "-") && streams.IsStdoutTTY()
	if !ro.Log.NoProgress && streams.IsStderrTTY() && !toTerminal {
		cfg.Progress = streams.ErrOut
	}
	res, err := Export(ctx, cfg)
	if err != nil {
		return err
	}
	where := opts.Output
	if where == "" || where == "-" {
		where = "standard output"
	}
	if streams.JSONLogs(ro.Log.Format) {
		log.Info().Int("rows", res.Rows).Str("kind", opts.Kinds.String()).Str("output", where).Int("get_requests", res.Gets).
			Int("left_out", res.LeftOut).Strs("notes", res.Notes).Msg("exported")
		return nil
	}
	what := fmt.Sprintf("%d %s", res.Rows, opts.Kinds)
	if opts.Kinds[0] == export.Inventory {
		what = "the inventory (" + report.Plural(res.Rows, "line") + ")"
	}
	fmt.Fprintf(streams.ErrOut, "exported %s to %s (%s)\n", what, where, report.Plural(res.Gets, "GET request"))
	for _, note := range res.Notes {
		fmt.Fprintln(streams.ErrOut, note)
	}
	return nil
}
