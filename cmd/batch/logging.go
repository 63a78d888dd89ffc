package main

import (
	"errors"
	"fmt"
	"io"
	"time"

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
	level, err := zerolog.ParseLevel(o.Level)
	if err != nil || o.Level == "" {
		return zerolog.Nop(), usageErrorf("--log-level %q: want trace, debug, info, warn or error", o.Level)
	}
	var out = io.ErrOut
	switch o.Format {
	case "json":
	case "console":
		out = consoleWriter(io.ErrOut, io.IsStderrTTY())
	case "auto", "":
		if io.IsStderrTTY() {
			out = consoleWriter(io.ErrOut, true)
		}
	default:
		return zerolog.Nop(), usageErrorf("--log-format %q: want auto, json or console", o.Format)
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
}

func consoleWriter(w io.Writer, color bool) io.Writer {
	return zerolog.ConsoleWriter{Out: w, NoColor: !color, TimeFormat: time.TimeOnly}
}

// levelHelp lists the accepted log levels for flag help.
var levelHelp = fmt.Sprintf("log level: %s, %s, %s, %s or %s",
	zerolog.TraceLevel, zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel, zerolog.ErrorLevel)

// jsonLogs reports whether the run's stderr carries JSON log lines.
func jsonLogs(io *streams, o logOptions) bool {
	return o.Format == "json" || ((o.Format == "auto" || o.Format == "") && !io.IsStderrTTY())
}

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
