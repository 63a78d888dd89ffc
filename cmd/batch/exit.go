package main

import (
	"errors"

	"github.com/uipath-batch/batch/internal/demo"
	"github.com/uipath-batch/batch/internal/runner"
)

// exitCode is the process exit status; the mapping is part of the contract
// (README, "Exit codes"; help/exit-codes.txt).
type exitCode int

const (
	exitOK       exitCode = 0 // every row succeeded, was unchanged or planned
	exitRowsFail exitCode = 1 // one or more rows failed
	exitInvalid  exitCode = 2 // invalid manifest, settings or usage: nothing was sent
	exitStopped  exitCode = 3 // run stopped early: the report says how far it got
	exitChanges  exitCode = 4 // plan --detailed-exitcode: some row would change
	exitAudit    exitCode = 5 // verify, apply --verify: the audit does not confirm every row
)

// exitCodeFor maps a command's outcome to the process exit status, the
// one place that does. Errors say what happened (runner's StopError and
// RowsError, a failed demo step, a plan's ErrChanges, a verify's
// ErrUnconfirmed); every other error
// is met before anything is sent: bad usage (cobra's own included),
// settings or manifest.
func exitCodeFor(err error) exitCode {
	var (
		stop *runner.StopError
		rows *runner.RowsError
		step *demo.StepError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &stop):
		return exitStopped
	case errors.As(err, &rows), errors.As(err, &step):
		return exitRowsFail
	case errors.Is(err, runner.ErrChanges):
		return exitChanges
	case errors.Is(err, runner.ErrUnconfirmed):
		return exitAudit
	}
	return exitInvalid
}
