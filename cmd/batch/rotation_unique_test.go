package main

import (
	"errors"
	"io"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

// TestTenThousandGeneratedPasswordsAreUnique resolves every password of a
// 10,000-row rotation manifest the way apply does and finds no two alike.
func TestTenThousandGeneratedPasswordsAreUnique(t *testing.T) {
	dir := t.TempDir()
	m := writeFile(t, dir, "rotate.csv", rotationManifest(10000))
	r, err := manifest.Open(t.Context(), m, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := make(map[string]int, 10000)
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		v, err := job.NewPassword.Resolve(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[v.Reveal()]; dup {
			t.Fatalf("rows %d and %d share a generated password", prev, job.Row)
		}
		seen[v.Reveal()] = job.Row
	}
	if len(seen) != 10000 {
		t.Fatalf("%d passwords, want 10,000", len(seen))
	}
}
