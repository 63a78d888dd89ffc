package runner

import "errors"

// The errors below say how a command ended; the command line maps them,
// in one place, to its exit codes. Any other error is met before
// anything is sent: bad settings, a bad manifest, bad usage.

// StopError is an error that stopped the run once it had begun to talk to
// UiPath (refused credentials, a report that could not be written, an
// interrupt): the report says how far it got.
type StopError struct{ Err error }

func (e *StopError) Error() string { return e.Err.Error() }
func (e *StopError) Unwrap() error { return e.Err }

// RowsError ends a run that went to its end with failures: rows that
// failed, or a cleanup that did not finish (the sealing key not removed).
type RowsError struct{ Err error }

func (e *RowsError) Error() string { return e.Err.Error() }
func (e *RowsError) Unwrap() error { return e.Err }

// ErrRowsFailed is the RowsError of a run with failed rows: its summary
// has said which.
var ErrRowsFailed error = &RowsError{errors.New("one or more rows failed")}

// ErrChanges ends a plan asked for a detailed exit code
// (RunOptions.DetailedExitCode) that went to its end, every row read,
// none failed, and found rows that would change: the plan has listed
// them. A failed row or a stopped plan is the run's outcome instead.
var ErrChanges = errors.New("the plan found changes")

// Shown marks an error a person has already been shown (printed, or
// logged as a JSON line): nothing more is printed, and the exit code is
// the wrapped error's.
type Shown struct{ Err error }

func (e *Shown) Error() string { return e.Err.Error() }
func (e *Shown) Unwrap() error { return e.Err }

// shown wraps err as Shown.
func shown(err error) error { return &Shown{err} }

// Stopped reports whether err stopped a run that had begun (StopError).
func Stopped(err error) bool {
	var se *StopError
	return errors.As(err, &se)
}
