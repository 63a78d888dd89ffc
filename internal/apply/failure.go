package apply

import (
	"fmt"

	"github.com/uipath-batch/batch/internal/report"
)

// rowFailure is a failure found by apply rather than answered by the server.
type rowFailure struct {
	code   report.Code
	msg    string
	status int
	fields map[string][]string
	trace  string
}

func failf(code report.Code, format string, args ...any) *rowFailure {
	return &rowFailure{code: code, msg: fmt.Sprintf(format, args...)}
}

func (f *rowFailure) Error() string                    { return f.msg }
func (f *rowFailure) Code() report.Code                { return f.code }
func (f *rowFailure) HTTPStatus() int                  { return f.status }
func (f *rowFailure) FieldErrors() map[string][]string { return f.fields }
func (f *rowFailure) TraceID() string                  { return f.trace }
