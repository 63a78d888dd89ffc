package manifest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	groupEveryone = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	groupAdmins   = "6f1b7c2a-0d4e-4c1a-9b7e-000000000002"
	groupFinance  = "6f1b7c2a-0d4e-4c1a-9b7e-000000000005"
)

// writeManifest writes content to a file named name in a fresh folder,
// readable only by its owner, and returns its path.
func writeManifest(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testEnv is a LookupEnv with a few variables set.
func testEnv(name string) (string, bool) {
	switch name {
	case "NEW_PASSWORD", "OLD_PASSWORD":
		return "from-env-Value-1!", true
	}
	return "", false
}

// validateText runs Validate and returns the problems and the row count.
func validateText(t *testing.T, name, content string, opts Options) ([]Problem, int) {
	t.Helper()
	path := writeManifest(t, name, content)
	if opts.LookupEnv == nil {
		opts.LookupEnv = testEnv
	}
	var got []Problem
	rows, err := Validate(context.Background(), path, opts, func(p Problem) { got = append(got, p) })
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for i, p := range got {
		if i > 0 && p.Source.Line < got[i-1].Source.Line {
			t.Errorf("problem %q comes after %q: not in line order", p, got[i-1])
		}
		if p.Source.File != path {
			t.Errorf("problem %q names file %q, want %q", p, p.Source.File, path)
		}
		if p.Source.Line < 1 {
			t.Errorf("problem %q has line %d", p, p.Source.Line)
		}
	}
	return got, rows
}

// want is an expected problem: its line and a piece of its message.
type want struct {
	line int
	text string
}

// checkProblems asserts that got holds exactly the wanted problems, in any
// order.
func checkProblems(t *testing.T, got []Problem, wants []want) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, p := range got {
			if !used[i] && p.Source.Line == w.line && strings.Contains(p.Message, w.text) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing problem at line %d containing %q", w.line, w.text)
		}
	}
	for i, p := range got {
		if !used[i] {
			t.Errorf("unexpected problem: %s", p)
		}
	}
}
