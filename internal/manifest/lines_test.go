package manifest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestCSVPhysicalLines(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wants   []want
	}{
		{
			name: "quoted cells spanning lines shift the following rows",
			content: "op,email,display_name,is_active\n" +
				"update_user,a@example.com,\"Ann\nArcher\nthe third\",true\n" + // lines 2-4
				"update_user,b@example.com,Bo,nope\n" + // line 5
				"update_user,c@example.com,\"C\n\",\"x\ny\"\n", // lines 6-8, is_active cell starts on 7
			wants: []want{{5, `is_active "nope"`}, {7, `is_active "x\ny"`}},
		},
		{
			name:    "UTF-8 byte order mark from Excel",
			content: "\ufeffop,email,is_active\r\nupdate_user,a@example.com,nope\r\n",
			wants:   []want{{2, `is_active "nope"`}},
		},
		{
			name:    "byte order mark before a quoted header cell",
			content: "\ufeff\"op\",\"email\"\nupdate_user,bad-address\n",
			wants:   []want{{2, `email "bad-address"`}},
		},
		{
			name:    "CRLF line ends and a quoted CRLF",
			content: "op,email,name,is_active\r\nupdate_user,a@example.com,\"A\r\nB\",bad\r\n\r\nupdate_user,b@example.com,B,worse\r\n",
			wants:   []want{{3, `is_active "bad"`}, {5, `is_active "worse"`}},
		},
		{
			name:    "a field on a later line of its record",
			content: "op,email,name,group_ids_to_add\nupdate_user,a@example.com,\"long\nname\",Finance;;Sales\n",
			wants:   []want{{3, `groups_to_add: item 2 of 3 is empty`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := validateText(t, "m.csv", tc.content, Options{})
			checkProblems(t, got, tc.wants)
		})
	}
}

func TestYAMLRowLines(t *testing.T) {
	content := `# comment
defaults:
  op: update_user

rows:
  # first row
  - email: a@example.com
    name: Ann

  - email: b@example.com
    is_active: nope
  - email: c@example.com
    group_ids_to_add:
      - ` + groupFinance + `
      - 6f1b7c2a-0d4e-4c1a-9b7e-00000000000G
`
	got, rows := validateText(t, "m.yaml", content, Options{})
	if rows != 3 {
		t.Errorf("rows = %d, want 3", rows)
	}
	checkProblems(t, got, []want{{11, `is_active "nope"`}, {14, `"6f1b7c2a-0d4e-4c1a-9b7e-00000000000G" is not a group GUID`}})

	r, err := Open(context.Background(), writeManifest(t, "m.yaml", content), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var lines []int
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if err != nil && !errors.As(err, &rowErr) {
			t.Fatal(err)
		}
		lines = append(lines, job.Source.Line)
	}
	if got, want := lines, []int{7, 10, 12}; !equalInts(got, want) {
		t.Errorf("row lines = %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidateStdin(t *testing.T) {
	in := strings.NewReader("op,email\nupdate_user,a@example.com\nupdate_user,nope\n")
	var got []Problem
	rows, err := Validate(context.Background(), "-", Options{Stdin: in, DisplayName: "<stdin>"}, func(p Problem) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rows != 2 || len(got) != 1 || got[0].String() != `<stdin>:3: email "nope" is not an e-mail address` {
		t.Errorf("rows = %d, problems = %v", rows, got)
	}
}

func TestFormatFor(t *testing.T) {
	for path, want := range map[string]Format{"a.csv": CSV, "A.CSV": CSV, "b.yaml": YAML, "c.YML": YAML, "-": CSV} {
		if got, err := FormatFor(path); err != nil || got != want {
			t.Errorf("FormatFor(%q) = %v, %v; want %v", path, got, err, want)
		}
	}
	if _, err := FormatFor("users.xlsx"); err == nil {
		t.Error("FormatFor(users.xlsx) accepted")
	}
	if _, err := Validate(context.Background(), "users.txt", Options{}, nil); err == nil {
		t.Error("Validate(users.txt) accepted")
	}
}

func TestValidateEachHandsOverTheRowsWithoutProblems(t *testing.T) {
	path := writeManifest(t, "each.csv", "op,username,display_name\n"+
		"update_user,ann,Ann\n"+
		"update_user,,Nobody\n"+ // no target: a problem, not handed over
		"update_user,bob,Bob\n")
	var got []string
	problems := 0
	rows, err := ValidateEach(context.Background(), path, Options{}, func(Problem) { problems++ }, func(j *Job) {
		got = append(got, fmt.Sprintf("%d:%s", j.Row, j.Target.Value))
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3 || problems != 1 || strings.Join(got, ",") != "1:ann,3:bob" {
		t.Fatalf("rows %d, problems %d, jobs %v", rows, problems, got)
	}
}
