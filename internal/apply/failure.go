package apply

import "fmt"

// Error codes of the report that apply itself decides (the client's errors
// carry their own; see client.Error.Kind).
const (
	CodeNotFound       = "not_found"
	CodeOutcomeUnknown = "outcome_unknown"
	CodeUnauthorized   = "unauthorized"
	CodeSecret         = "secret"
	CodeCancelled      = "cancelled"
	CodeJournal        = "journal"
	CodeNotRun         = "not_run"
)

// rowFailure is a failure found by apply rather than answered by the server.
type rowFailure struct {
	code   string
	msg    string
	status int
	fields map[string][]string
	trace  string
}

func failf(code, format string, args ...any) *rowFailure {
	return &rowFailure{code: code, msg: fmt.Sprintf(format, args...)}
}

func (f *rowFailure) Error() string                    { return f.msg }
func (f *rowFailure) Code() string                     { return f.code }
func (f *rowFailure) HTTPStatus() int                  { return f.status }
func (f *rowFailure) FieldErrors() map[string][]string { return f.fields }
func (f *rowFailure) TraceID() string                  { return f.trace }
