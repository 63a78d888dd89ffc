// Package iostreams holds a command's three streams and what they are
// connected to: data goes to Out; progress, status and logs go to ErrOut,
// as console lines for a person on a terminal and JSON lines otherwise.
// Tests swap the streams and say whether each is a terminal.
package iostreams

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// IOStreams are the terminal's three streams and whether each is a
// terminal.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	StdinTTY, StdoutTTY, StderrTTY bool
	// Forced is closed by a second interrupt: a run stopping after the
	// first ends at once (see package interrupt); nil never is.
	Forced <-chan struct{}
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// IsStdinTTY reports whether a person can answer a prompt.
func (s *IOStreams) IsStdinTTY() bool { return s.StdinTTY }

// IsStdoutTTY reports whether data output is read by a person.
func (s *IOStreams) IsStdoutTTY() bool { return s.StdoutTTY }

// IsStderrTTY reports whether progress and logs are read by a person.
func (s *IOStreams) IsStderrTTY() bool { return s.StderrTTY }

// Logger builds a logger on ErrOut: format auto (console lines on a
// terminal, JSON lines otherwise, for schedulers and log shippers), json or
// console, at level. Its errors name the flag to fix.
func (s *IOStreams) Logger(format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: want trace, debug, info, warn or error", level)
	}
	var out = s.ErrOut
	switch format {
	case "json":
	case "console":
		out = consoleWriter(s.ErrOut, s.StderrTTY)
	case "auto", "":
		if s.StderrTTY {
			out = consoleWriter(s.ErrOut, true)
		}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: want auto, json or console", format)
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
}

func consoleWriter(w io.Writer, color bool) io.Writer {
	return zerolog.ConsoleWriter{Out: w, NoColor: !color, TimeFormat: time.TimeOnly}
}

// JSONLogs reports whether ErrOut carries JSON log lines in format.
func (s *IOStreams) JSONLogs(format string) bool {
	return format == "json" || ((format == "auto" || format == "") && !s.StderrTTY)
}

// LevelHelp lists the accepted log levels for flag help.
func LevelHelp() string {
	return fmt.Sprintf("log level: %s, %s, %s, %s or %s",
		zerolog.TraceLevel, zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel, zerolog.ErrorLevel)
}
