package planview

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/report"
)

// writeResults writes rows as a run folder's results.jsonl.
func writeResults(t *testing.T, rows []report.Result) string {
	t.Helper()
	dir := t.TempDir()
	var b bytes.Buffer
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, report.ResultsJSONL), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A plan prints counts per op, then the rows to change with their
// differences and the failing rows with their codes, in row order; the
// unchanged rows only count. Colours only when asked.
func TestPrint(t *testing.T) {
	dir := writeResults(t, []report.Result{
		{Row: 3, Op: "update_user", Target: "bob", Source: "u.csv:4", Status: report.StatusFailed, ErrorCode: "not_found", ErrorMessage: "no such user"},
		{Row: 1, Op: "update_user", Target: "ann", Source: "u.csv:2", Status: report.StatusPlanned, Changes: []report.Change{{Field: "name", Old: `"Ann"`, New: `"Anna"`}}},
		{Row: 2, Op: "update_user", Target: "cy", Source: "u.csv:3", Status: report.StatusUnchanged},
	})
	s := report.Summary{Rows: 3, ByStatus: map[report.Status]int{report.StatusPlanned: 1, report.StatusUnchanged: 1, report.StatusFailed: 1}}
	var plain bytes.Buffer
	if err := Print(&plain, false, dir, s); err != nil {
		t.Fatal(err)
	}
	want := "Plan: 3 rows — 1 to change, 1 unchanged, 1 failing\n\n" +
		"update_user: 1 to change, 1 unchanged, 1 failing\n" +
		"  ~ ann (u.csv:2)\n" +
		"      name: \"Ann\" → \"Anna\"\n" +
		"  ! bob (u.csv:4): not_found: no such user\n\n"
	if plain.String() != want {
		t.Errorf("plain plan:\n%s\nwant:\n%s", plain.String(), want)
	}
	var coloured bytes.Buffer
	if err := Print(&coloured, true, dir, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\x1b[1mupdate_user\x1b[0m", "\x1b[33m~\x1b[0m ann", "\x1b[31m!\x1b[0m bob"} {
		if !strings.Contains(coloured.String(), want) {
			t.Errorf("coloured plan lacks %q:\n%q", want, coloured.String())
		}
	}
	if err := Print(&plain, false, t.TempDir(), s); err == nil {
		t.Error("a folder without results printed a plan")
	}
}

// Past planRowLimit rows of an op, the rest are counted with where to
// find them.
func TestPrintBoundsRowsPerOp(t *testing.T) {
	var rows []report.Result
	for i := range planRowLimit + 5 {
		rows = append(rows, report.Result{Row: i + 1, Op: "set_password", Target: "u", Status: report.StatusPlanned})
	}
	dir := writeResults(t, rows)
	var out bytes.Buffer
	if err := Print(&out, false, dir, report.Summary{Rows: len(rows)}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "  ~ u"); n != planRowLimit {
		t.Errorf("%d rows printed, want %d", n, planRowLimit)
	}
	if !strings.Contains(out.String(), "… 5 more in "+filepath.Join(dir, report.ResultsCSV)) {
		t.Errorf("the rows left out are not counted:\n%s", out.String()[len(out.String())-200:])
	}
}

// Unchanged rows do not take the places of rows to change.
func TestPrintUnchangedRowsTakeNoPlace(t *testing.T) {
	var rows []report.Result
	for i := range planRowLimit {
		rows = append(rows, report.Result{Row: i + 1, Op: "update_user", Target: "same", Status: report.StatusUnchanged})
	}
	rows = append(rows, report.Result{Row: planRowLimit + 1, Op: "update_user", Target: "changes", Status: report.StatusPlanned})
	var out bytes.Buffer
	if err := Print(&out, false, writeResults(t, rows), report.Summary{Rows: len(rows)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "  ~ changes") || strings.Contains(out.String(), "more in") {
		t.Errorf("the row to change is not printed:\n%s", out.String())
	}
}

// Creates and deletes are marked as such, with what a create sets below.
func TestPrintMarksCreatesAndDeletes(t *testing.T) {
	rows := []report.Result{
		{Row: 1, Op: "ensure_user", Target: "email=ann@example.com", Source: "m.csv:2", Status: report.StatusPlanned,
			Changes: []report.Change{{Field: "account", New: "+ create"}, {Field: "name", New: `"Ann"`}}},
		{Row: 2, Op: "delete_user", Target: "email=bob@example.com", Source: "m.csv:3", Status: report.StatusPlanned,
			Changes: []report.Change{{Field: "account", New: "− delete"}}},
	}
	dir := writeResults(t, rows)
	var out strings.Builder
	if err := Print(&out, false, dir, report.Summary{Rows: 2}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  + create email=ann@example.com (m.csv:2)\n      name: \"Ann\"\n", "  − delete email=bob@example.com (m.csv:3)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "account:") {
		t.Errorf("the marker is repeated as a change:\n%s", out.String())
	}
}
