package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

// brokenManifest writes a CSV manifest of n rows, each with a bad e-mail
// address, and returns its path.
func brokenManifest(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("op,email,name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,bad-%d,N\n", i)
	}
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckPrintsProblemsUpToTheCap(t *testing.T) {
	path := brokenManifest(t, 120)
	opts := manifest.Options{DisplayName: "m.csv"}
	for _, tc := range []struct {
		name    string
		check   func(out *strings.Builder) error
		printed int
		summary string
	}{
		{"the default", func(out *strings.Builder) error {
			_, err := Check(t.Context(), path, opts, out, false, false)
			return err
		}, DefaultMaxProblems, "m.csv: 120 rows, 120 problems: 50 printed, and 70 more problems (--max-problems 0 prints them all); nothing was sent"},
		{"119 of 120", func(out *strings.Builder) error {
			_, err := CheckManifest(t.Context(), path, opts, out, CheckOptions{MaxProblems: 119})
			return err
		}, 119, "m.csv: 120 rows, 120 problems: 119 printed, and 1 more problem (--max-problems 0 prints them all); nothing was sent"},
		{"as many as there are", func(out *strings.Builder) error {
			_, err := CheckManifest(t.Context(), path, opts, out, CheckOptions{MaxProblems: 120})
			return err
		}, 120, "m.csv: 120 rows, 120 problems; nothing was sent"},
		{"no cap", func(out *strings.Builder) error {
			_, err := CheckManifest(t.Context(), path, opts, out, CheckOptions{})
			return err
		}, 120, "m.csv: 120 rows, 120 problems; nothing was sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := tc.check(&out)
			if err == nil || err.Error() != tc.summary {
				t.Errorf("error %v\nwant %s", err, tc.summary)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != tc.printed {
				t.Fatalf("%d lines printed, want %d:\n%s", len(lines), tc.printed, out.String())
			}
			for i, line := range lines {
				if want := fmt.Sprintf("%s:%d: email \"bad-%d\"", path, i+2, i+1); !strings.HasPrefix(line, want) {
					t.Fatalf("line %d printed %q, want it to begin %q (the problems in line order)", i+1, line, want)
				}
			}
		})
	}
}

func TestCheckRefusesANegativeCap(t *testing.T) {
	var out strings.Builder
	_, err := CheckManifest(t.Context(), brokenManifest(t, 1), manifest.Options{}, &out, CheckOptions{MaxProblems: -1})
	if err == nil || !strings.Contains(err.Error(), "--max-problems -1") || out.Len() != 0 {
		t.Fatalf("error %v, printed %q", err, out.String())
	}
}

func TestCheckRefusesUnallowedDeletes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(path, []byte("op,email\ndelete_user,a@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := manifest.Options{DisplayName: "d.csv"}
	var out strings.Builder
	if _, err := CheckManifest(t.Context(), path, opts, &out, CheckOptions{Writes: true}); err == nil || !strings.Contains(err.Error(), "--allow-deletes") {
		t.Fatalf("deletes without --allow-deletes: %v", err)
	}
	census, err := CheckManifest(t.Context(), path, opts, &out, CheckOptions{Writes: true, AllowDeletes: true})
	if err != nil || census.Rows != 1 || out.Len() != 0 {
		t.Fatalf("census %+v, error %v, printed %q", census, err, out.String())
	}
	if _, err := CheckManifest(t.Context(), path, opts, &out, CheckOptions{}); err != nil {
		t.Fatalf("a plan (no writes) refused deletes: %v", err)
	}
}
