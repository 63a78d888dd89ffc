// Package report writes the per-row results of a run into its report folder
// (REPORT_DIR/RUN_ID/): results.csv and results.jsonl as rows finish, the
// failed rows as a re-runnable manifest, and summary.json at the end.
package report

import (
	"slices"
	"time"
)

// Status is a row's outcome; the set is part of the report contract.
type Status string

// The statuses a row can end in.
const (
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusUnchanged Status = "unchanged"
	StatusPlanned   Status = "planned"
	StatusSkipped   Status = "skipped"
	StatusInvalid   Status = "invalid"
)

// Change is one field's difference, as a reviewer reads it. Secret values
// are never put here: callers write "***" for both sides.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new"`
}

// String renders the change as "field: old → new", or "field: new" for a
// change with no old side (group membership: "groups: +id −id").
func (c Change) String() string { return string(AppendChanges(nil, []Change{c})) }

// AppendChanges appends changes as results.csv's changes cell holds them,
// "field: old → new; field: new; …", to b (report.html's table renders
// every row's cell with it into a buffer it reuses).
func AppendChanges(b []byte, cs []Change) []byte {
	for i, c := range cs {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, c.Field...)
		b = append(b, ": "...)
		if c.Old != "" {
			b = append(b, c.Old...)
			b = append(b, " → "...)
		}
		b = append(b, c.New...)
	}
	return b
}

// FieldErrors are the server's validation errors, field → messages.
type FieldErrors map[string][]string

// String renders the errors as "field: message; field: message", fields in
// name order so that reports are stable.
func (fe FieldErrors) String() string { return string(fe.Append(nil)) }

// Append appends the errors as String renders them to b (report.html's
// table renders every row's cell with it into a buffer it reuses).
func (fe FieldErrors) Append(b []byte) []byte {
	var one [1]string
	fields := one[:0]
	if len(fe) > 1 {
		fields = make([]string, 0, len(fe))
	}
	for f := range fe {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	first := true
	for _, f := range fields {
		for _, m := range fe[f] {
			if !first {
				b = append(b, "; "...)
			}
			first = false
			b = append(b, f...)
			b = append(b, ": "...)
			b = append(b, m...)
		}
	}
	return b
}

// Result is what became of one manifest row.
type Result struct {
	Row              int           `json:"row"`
	Source           string        `json:"source"`
	Op               string        `json:"op"`
	Target           string        `json:"target"`
	Status           Status        `json:"status"`
	HTTPStatus       int           `json:"http_status,omitempty"`
	Attempts         int           `json:"attempts"`
	Throttled        int           `json:"throttled,omitempty"` // 429 answers to the row's own requests
	Duration         time.Duration `json:"-"`
	ErrorCode        Code          `json:"error_code,omitempty"`
	ErrorMessage     string        `json:"error_message,omitempty"`
	ValidationErrors FieldErrors   `json:"validation_errors,omitempty"`
	TraceID          string        `json:"trace_id,omitempty"`
	Changes          []Change      `json:"changes,omitempty"`
	Finished         time.Time     `json:"-"` // when the result reached the report (set by the writer when zero; finished_at in results.jsonl)
}

// ChangesString renders the changes as "field: old → new; …".
func (r *Result) ChangesString() string { return string(AppendChanges(nil, r.Changes)) }

// Columns of results.csv, in order (the report contract).
var Columns = []string{
	"row", "source", "op", "target", "status", "http_status", "attempts",
	"duration_ms", "error_code", "error_message", "validation_errors", "trace_id", "changes",
}
