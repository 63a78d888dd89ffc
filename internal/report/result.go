// Package report writes the per-row results of a run into its report folder
// (REPORT_DIR/RUN_ID/): results.csv and results.jsonl as rows finish, the
// failed rows as a re-runnable manifest, and summary.json at the end.
package report

import (
	"sort"
	"strings"
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
func (c Change) String() string {
	if c.Old == "" {
		return c.Field + ": " + c.New
	}
	return c.Field + ": " + c.Old + " → " + c.New
}

// FieldErrors are the server's validation errors, field → messages.
type FieldErrors map[string][]string

// String renders the errors as "field: message; field: message", fields in
// name order so that reports are stable.
func (fe FieldErrors) String() string {
	if len(fe) == 0 {
		return ""
	}
	fields := make([]string, 0, len(fe))
	for f := range fe {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	for _, f := range fields {
		for _, m := range fe[f] {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f)
			b.WriteString(": ")
			b.WriteString(m)
		}
	}
	return b.String()
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
func (r *Result) ChangesString() string {
	parts := make([]string, len(r.Changes))
	for i, c := range r.Changes {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// Columns of results.csv, in order (the report contract).
var Columns = []string{
	"row", "source", "op", "target", "status", "http_status", "attempts",
	"duration_ms", "error_code", "error_message", "validation_errors", "trace_id", "changes",
}
