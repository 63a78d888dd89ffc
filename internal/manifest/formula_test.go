package manifest

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// hostileNames are names a user could give themselves that a spreadsheet
// would run (or that hide a formula behind white space), and names that
// legitimately begin with the neutralising quote.
var hostileNames = []string{
	`=HYPERLINK("http://x","click")`, "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1",
	"'quoted", "''twice", "'=already", "'", "plain", "O'Hara",
}

// formulaStart reports whether a spreadsheet would treat cell as a
// formula (or as hiding one).
func formulaStart(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

func TestNeutralizeCellIsUndoneExactly(t *testing.T) {
	for _, s := range append(hostileNames, "", "a", "=", "'", "''") {
		n := NeutralizeCell(s)
		if formulaStart(n) {
			t.Errorf("NeutralizeCell(%q) = %q: still a formula", s, n)
		}
		if back, _ := unneutralizeCell(n); back != s {
			t.Errorf("unneutralizeCell(NeutralizeCell(%q)) = %q", s, back)
		}
	}
}

// TestWriterNeutralizesFormulasAndReaderUndoesThem writes hostile names
// as a CSV manifest: no cell may start a formula, and reading it back
// gives every name exactly as it was.
func TestWriterNeutralizesFormulasAndReaderUndoesThem(t *testing.T) {
	var jobs []Job
	for i, name := range hostileNames {
		jobs = append(jobs, Job{Op: OpUpdateUser, Target: Target{TargetUsername, "u" + strings.Repeat("x", i)},
			Name: ptr(name), Surname: ptr("s" + name), DisplayName: ptr(name)})
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, CSV, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if err := w.Write(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if formulaStart(cell) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	path := writeManifest(t, "hostile.csv", buf.String())
	_, read, rowErrs := readAll(t, path, Options{LookupEnv: testEnv})
	if len(rowErrs) != 0 || len(read) != len(jobs) {
		t.Fatalf("read back %d jobs, %v\n%s", len(read), rowErrs, buf.String())
	}
	for i, j := range read {
		if *j.Name != *jobs[i].Name || *j.Surname != *jobs[i].Surname || *j.DisplayName != *jobs[i].DisplayName {
			t.Errorf("row %d read back as %q/%q/%q, want %q", i+1, *j.Name, *j.Surname, *j.DisplayName, *jobs[i].Name)
		}
	}
}

// TestReaderTakesQuotedCellsAsWritten: a hand-written cell that begins
// with ' loses exactly that quote and keeps its white space.
func TestReaderTakesQuotedCellsAsWritten(t *testing.T) {
	path := writeManifest(t, "m.csv", "op,username,name,surname\nupdate_user,bob,'  Bob ,''Lee\n")
	_, read, rowErrs := readAll(t, path, Options{LookupEnv: testEnv})
	if len(rowErrs) != 0 || len(read) != 1 {
		t.Fatalf("read %d jobs, %v", len(read), rowErrs)
	}
	if *read[0].Name != "  Bob " || *read[0].Surname != "'Lee" {
		t.Errorf("name %q surname %q", *read[0].Name, *read[0].Surname)
	}
}
