package main

import (
	"errors"
	"fmt"
)

// exitCode is the process exit status; the mapping is part of the contract
// and documented in the root help text.
type exitCode int

const (
	exitOK       exitCode = 0 // every row succeeded, was unchanged or planned
	exitRowsFail exitCode = 1 // one or more rows failed
	exitInvalid  exitCode = 2 // invalid manifest, settings or usage: nothing was sent
	exitStopped  exitCode = 3 // run stopped early: the report says how far it got
)

var exitCodesHelp = helpText("exit-codes")

// exitError carries the exit code a command wants, and an optional message
// for stderr. A nil err means the command already told the user.
type exitError struct {
	code exitCode
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withExit attaches an exit code to err (which may be nil when the command
// has printed everything already).
func withExit(code exitCode, err error) error { return &exitError{code: code, err: err} }

// usageErrorf reports bad settings or usage: exit 2, nothing sent.
func usageErrorf(format string, args ...any) error {
	return withExit(exitInvalid, fmt.Errorf(format, args...))
}

// exitCodeFor maps a command's error to the process exit status. Errors
// without an explicit code are usage problems when cobra produced them
// (unknown flag, wrong argument count) and stopped runs otherwise.
func exitCodeFor(err error) exitCode {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitInvalid
}
