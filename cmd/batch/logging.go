package main

import (
	"errors"

	"github.com/rs/zerolog"
)

// logOptions are the output flags shared by plan, apply and export.
type logOptions struct {
	Format     string // auto, json, console
	Level      string
	NoProgress bool
}

// newLogger builds the run's logger on stderr: console lines for a person
// on a terminal, JSON lines otherwise (schedulers, log shippers).
func newLogger(io *streams, o logOptions) (zerolog.Logger, error) {
	log, err := io.Logger(o.Format, o.Level)
	if err != nil {
		return log, usageErrorf("%w", err)
	}
	return log, nil
}

// jsonLogs reports whether the run's stderr carries JSON log lines.
func jsonLogs(io *streams, o logOptions) bool { return io.JSONLogs(o.Format) }

// logErrorAsJSON, deferred with a command's error, logs the error as a JSON
// line instead of letting main print it as text, when stderr carries JSON
// lines: a log shipper then reads stderr whole.
func logErrorAsJSON(io *streams, o logOptions, log zerolog.Logger, errp *error) {
	err := *errp
	if err == nil || !jsonLogs(io, o) {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return
	}
	log.Error().Msg(err.Error())
	*errp = withExit(exitCodeFor(err), nil)
}
