package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCommand(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	res := runBatch(t, nil, root, "validate", filepath.Join("examples", "broken.csv"))
	if res.code != 2 {
		t.Fatalf("broken.csv: exit %d, want 2", res.code)
	}
	for _, want := range []string{
		`examples/broken.csv:1: unknown column "dispaly_name"; did you mean "display_name"?`,
		"examples/broken.csv:3: is_active",
		"--allow-literal-secrets",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("validate output lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "Summer2024!") || strings.Contains(res.stderr, "Summer2024!") {
		t.Error("validate echoed the literal password")
	}
	if !strings.Contains(res.stderr, "rows,") || !strings.Contains(res.stderr, "problems") {
		t.Errorf("no summary line: %q", res.stderr)
	}
	if res := runBatch(t, nil, root, "validate", filepath.Join("examples", "robots.yaml")); res.code != 0 {
		t.Fatalf("robots.yaml: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	// Standard input, named "-".
	data, err := os.ReadFile(filepath.Join(root, "examples", "migrate-users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := batchCmd(t.Context(), nil, dir, "validate", "-")
	cmd.Stdin = strings.NewReader(string(data) + "update_user,bad-email,,,,,,\n")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "-:22:") {
		t.Fatalf("validate - : exit %d\n%s", cmd.ProcessState.ExitCode(), out)
	}
}

// A manifest broken on every row prints a screenful of problems, in line
// order, and counts the rest; --max-problems says how many, 0 all. Plan,
// which validates first, prints the same screenful.
func TestValidateMaxProblems(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,name\n")
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&b, "update_user,bad-%d,N\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "m.csv"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    []string
		printed int
		rest    string
	}{
		{[]string{"validate", "m.csv"}, 50, "120 rows, 120 problems: 50 printed, and 70 more problems (--max-problems 0 prints them all)"},
		{[]string{"validate", "--max-problems", "7", "m.csv"}, 7, "120 rows, 120 problems: 7 printed, and 113 more problems (--max-problems 0 prints them all)"},
		{[]string{"validate", "--max-problems", "0", "m.csv"}, 120, "120 rows, 120 problems\n"},
		{[]string{"plan", "m.csv"}, 50, "m.csv: 120 rows, 120 problems: 50 printed, and 70 more problems (--max-problems 0 prints them all); nothing was sent"},
	} {
		res := runBatch(t, nil, dir, tc.args...)
		if res.code != 2 {
			t.Fatalf("%v: exit %d, want 2\n%s%s", tc.args, res.code, res.stdout, res.stderr)
		}
		var lines []string
		for _, l := range strings.Split(res.stdout+res.stderr, "\n") {
			if strings.HasPrefix(l, "m.csv:") && !strings.Contains(l, "rows,") {
				lines = append(lines, l)
			}
		}
		if len(lines) != tc.printed {
			t.Errorf("%v: %d problems printed, want %d\n%s%s", tc.args, len(lines), tc.printed, res.stdout, res.stderr)
		}
		for i, l := range lines {
			if want := fmt.Sprintf("m.csv:%d: email \"bad-%d\"", i+2, i+1); !strings.HasPrefix(l, want) {
				t.Fatalf("%v: problem %d is %q, want %q… (line order)", tc.args, i+1, l, want)
			}
		}
		if !strings.Contains(res.stdout+res.stderr, tc.rest) {
			t.Errorf("%v: no %q in\n%s%s", tc.args, tc.rest, res.stdout, res.stderr)
		}
	}
	if res := runBatch(t, nil, dir, "validate", "--max-problems", "-1", "m.csv"); res.code != 2 || !strings.Contains(res.stderr, "--max-problems -1") {
		t.Errorf("--max-problems -1: exit %d\n%s", res.code, res.stderr)
	}
}

func TestDemoRunsEndToEnd(t *testing.T) {
	root := repoRoot(t)
	reports := t.TempDir()
	res := runBatch(t, nil, root, "demo", "--examples", filepath.Join(root, "examples"), "--report-dir", reports)
	if res.code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "demo finished") {
		t.Fatalf("demo output:\n%s", res.stdout)
	}
	fi, err := os.Stat(filepath.Join(reports, "demo-secrets.csv"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo secrets file: %v, %v", fi, err)
	}
}
