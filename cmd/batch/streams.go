package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// streams are the terminal's three streams and what they are connected to.
// Data goes to Out; progress, status and logs go to ErrOut. Tests swap them.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
}

func systemStreams() *streams {
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// IsStdinTTY reports whether a person can answer a prompt.
func (s *streams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether data output is read by a person.
func (s *streams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether progress and logs are read by a person.
func (s *streams) IsStderrTTY() bool { return s.stderrTTY }
