package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// A cell beyond MaxCellBytes is a problem at its line; the rows around it
// are read as usual.
func TestOversizedCellIsAProblemAtItsLine(t *testing.T) {
	big := strings.Repeat("x", MaxCellBytes+1)
	csv := "op,username,name\nupdate_user,bob,Bob\nupdate_user,al," + big + "\nupdate_user,zed,Zed\n"
	got, rows := validateText(t, "m.csv", csv, Options{})
	checkProblems(t, got, []want{{3, "more than 64 KiB"}})
	if rows != 3 {
		t.Errorf("rows = %d, want 3", rows)
	}
	// Exactly the bound is fine.
	ok := "op,username,name\nupdate_user,al," + strings.Repeat("x", MaxCellBytes) + "\n"
	if got, _ := validateText(t, "ok.csv", ok, Options{}); len(got) != 0 {
		t.Errorf("a cell of exactly %d bytes: %v", MaxCellBytes, got)
	}
	yaml := "rows:\n  - op: update_user\n    username: bob\n  - op: update_user\n    username: al\n    name: " + big + "\n  - op: update_user\n    username: zed\n    group_ids_to_add: [" + big + "]\n"
	got, _ = validateText(t, "m.yaml", yaml, Options{})
	checkProblems(t, got, []want{{6, "more than 64 KiB"}, {9, "more than 64 KiB"}})
}

// The problem of a cell beyond MaxCellBytes names the cell by its column,
// as the header (or the YAML key) writes it, not by its position.
func TestOversizedCellNamesItsColumn(t *testing.T) {
	big := strings.Repeat("x", MaxCellBytes+1)
	csv := "op,username, Display_Name ,,Group_IDs_To_Add\n" +
		"update_user,al," + big + "\n" + // line 2: under display_name
		"update_user,bo,,,Everyone;" + big + "\n" + // line 3: under the older name
		"update_user,cy,,,,," + big + "\n" + // line 4: past the header
		"update_user,di,," + big + "\n" // line 5: under a blank header cell
	got, _ := validateText(t, "m.csv", csv, Options{})
	checkProblems(t, got, []want{
		{2, fmt.Sprintf(`the "Display_Name" cell holds %d bytes, more than 64 KiB`, MaxCellBytes+1)},
		{3, `the "Group_IDs_To_Add" cell holds`},
		{4, "cell 7 (past the header's 5 columns) holds"},
		{4, "the row has 7 cells but the header has 5 columns"},
		{5, "cell 4 (its column has no name in the header) holds"},
	})
	wantCols := map[int]string{2: ColDisplayName, 3: ColGroupsToAdd, 4: "", 5: ""}
	for _, p := range got {
		if p.Column != wantCols[p.Source.Line] {
			t.Errorf("line %d: problem column %q, want %q", p.Source.Line, p.Column, wantCols[p.Source.Line])
		}
		if strings.Contains(p.Message, "cell 3 ") || strings.Contains(p.Message, "cell 5 ") {
			t.Errorf("line %d names a named column by its number: %s", p.Source.Line, p.Message)
		}
	}
	yaml := "rows:\n  - op: update_user\n    username: al\n    Display_Name: " + big + "\n" +
		"  - op: update_user\n    username: bo\n    group_ids_to_add: [Everyone, " + big + "]\n"
	got, _ = validateText(t, "m.yaml", yaml, Options{})
	checkProblems(t, got, []want{{4, `the "Display_Name" value holds`}, {7, `an item of the "group_ids_to_add" list holds`}})
}

// A CSV line beyond MaxLineBytes stops reading with a problem at that
// line, before the line is held in memory.
func TestOversizedLineStopsReadingAtItsLine(t *testing.T) {
	long := "update_user,al,Al" + strings.Repeat(",", MaxLineBytes)
	csv := "op,username,name\nupdate_user,bob,Bob\n" + long + "\nupdate_user,zed,Zed\n"
	got, _ := validateText(t, "m.csv", csv, Options{})
	checkProblems(t, got, []want{{3, "longer than 1 MiB"}})
	got, _ = validateText(t, "h.csv", "op,username"+strings.Repeat(" ", MaxLineBytes)+"\nupdate_user,zed\n", Options{})
	checkProblems(t, got, []want{{1, "longer than 1 MiB"}})
	// A quoted cell spanning lines is bounded as a cell, not as one line.
	quoted := "op,username,name\nupdate_user,al,\"" + strings.Repeat("a\n", 40<<10) + "\"\n"
	got, _ = validateText(t, "q.csv", quoted, Options{})
	checkProblems(t, got, []want{{2, "more than 64 KiB"}})
}

// A YAML manifest is parsed whole, so it is bounded as a file.
func TestOversizedYAMLIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("defaults:\n  op: update_user\nrows:\n")
	for i := 0; b.Len() <= MaxYAMLBytes; i++ {
		fmt.Fprintf(&b, "  - username: user%07d\n    name: Name %d\n", i, i)
	}
	got, rows := validateText(t, "big.yaml", b.String(), Options{})
	if len(got) != 1 || !strings.Contains(got[0].Message, "larger than 8 MiB") || got[0].Source.Line < 100000 || rows != 0 {
		t.Fatalf("rows %d, problems %v", rows, got)
	}
}
