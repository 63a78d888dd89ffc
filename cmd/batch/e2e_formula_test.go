package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// hostileNames are names users could give themselves that a spreadsheet
// would run as formulas (or that hide one behind white space), and names
// that begin with the neutralising quote themselves.
var hostileNames = []string{
	`=HYPERLINK("http://x","click")`, "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1", "'quoted", "''=x",
}

// assertNoFormulaCells fails if a cell of the CSV file at path begins
// with =, +, -, @, a tab or a carriage return.
func assertNoFormulaCells(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // a comment line (failed.csv says why a row failed) is a cell of its own, checked too
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("%s record %d: cell %q starts a formula", filepath.Base(path), i+1, cell)
			}
		}
	}
}

// TestHostileNamesAreNeutralizedInEveryCSV: accounts named like formulas
// export as neutralised cells, the export validates and plans as all
// unchanged, and results.csv and failed.csv neutralise what they carry.
func TestHostileNamesAreNeutralizedInEveryCSV(t *testing.T) {
	dir := t.TempDir()
	var seed emulator.SeedFile
	for i, h := range hostileNames {
		seed.Users = append(seed.Users, emulator.SeedUser{
			UserName: fmt.Sprintf("hostile%d", i), Email: fmt.Sprintf("hostile%d@example.com", i),
			Name: h, Surname: h + " surname", DisplayName: h,
		})
		seed.RobotAccounts = append(seed.RobotAccounts, emulator.SeedRobot{Name: fmt.Sprintf("hostile-robot-%d", i), DisplayName: h})
	}
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	emu := startEmulator(t, emulator.Config{Users: 2, SeedFile: writeFile(t, dir, "seed.json", string(data))})

	for _, tc := range []struct{ kind, file string }{{"users", "users.csv"}, {"robot-accounts", "robots.csv"}} {
		if res := runBatch(t, emu, dir, "export", tc.kind, "-o", tc.file, "--limits", "none"); res.code != 0 {
			t.Fatalf("export %s: exit %d\n%s", tc.kind, res.code, res.stderr)
		}
		assertNoFormulaCells(t, filepath.Join(dir, tc.file))
		if res := runBatch(t, emu, dir, "validate", tc.file); res.code != 0 {
			t.Fatalf("validate %s: exit %d\n%s%s", tc.file, res.code, res.stdout, res.stderr)
		}
		runID := "plan-" + tc.kind
		if res := runBatch(t, emu, dir, "plan", tc.file, "--run-id", runID, "--limits", "none"); res.code != 0 {
			t.Fatalf("plan %s: exit %d\n%s", tc.file, res.code, res.stderr)
		}
		rows := readResults(t, filepath.Join(dir, "reports", runID))
		if len(rows) == 0 {
			t.Fatalf("plan of %s: no rows", tc.file)
		}
		for _, r := range rows {
			if r.Status != report.StatusUnchanged {
				t.Errorf("%s row %d plans %s: %s", tc.file, r.Row, r.Status, r.ChangesString())
			}
		}
		assertNoFormulaCells(t, filepath.Join(dir, "reports", runID, report.ResultsCSV))
	}

	// Rows that fail carry their hostile cells into results.csv (the
	// manifest's name is in source) and failed.csv.
	var m strings.Builder
	m.WriteString("op,username,name,display_name\n")
	for i, h := range hostileNames {
		fmt.Fprintf(&m, "update_user,nobody%d,%s,%s\n", i, csvCell("'"+h), csvCell("'"+h))
	}
	writeFile(t, dir, "=evil.csv", m.String())
	res := runBatch(t, emu, dir, "apply", "=evil.csv", "--yes", "--run-id", "hostile", "--limits", "none")
	if res.code != 1 {
		t.Fatalf("apply exit %d, want 1\n%s", res.code, res.stderr)
	}
	runDir := filepath.Join(dir, "reports", "hostile")
	assertNoFormulaCells(t, filepath.Join(runDir, report.ResultsCSV))
	assertNoFormulaCells(t, filepath.Join(runDir, "failed.csv"))
	if got := len(readResults(t, runDir)); got != len(hostileNames) {
		t.Fatalf("%d results, want %d", got, len(hostileNames))
	}
	// failed.csv reads back as the very rows that failed.
	if res := runBatch(t, emu, dir, "plan", filepath.Join(runDir, "failed.csv"), "--run-id", "again", "--limits", "none"); res.code != 1 {
		t.Fatalf("plan of failed.csv: exit %d\n%s", res.code, res.stderr)
	}
	again := readResults(t, filepath.Join(dir, "reports", "again"))
	if len(again) != len(hostileNames) {
		t.Fatalf("failed.csv planned %d rows, want %d", len(again), len(hostileNames))
	}
	data, err = os.ReadFile(filepath.Join(runDir, "failed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hostileNames {
		if !strings.Contains(string(data), csvCell("'"+h)) {
			t.Errorf("failed.csv lacks the neutralised cell %q:\n%s", "'"+h, data)
		}
	}
}

// csvCell quotes s as encoding/csv would.
func csvCell(s string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{s})
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
