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
