package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cmd/batch wires flags, settings, signals and streams, and nothing else:
// what grows past these bounds belongs in a package of its own.
func TestCommandPackageStaysThin(t *testing.T) {
	const maxTotal, maxFile = 900, 150
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(data), "\n")
		if n > maxFile {
			t.Errorf("%s has %d lines, more than %d: move what is not wiring to internal/", f, n, maxFile)
		}
		total += n
	}
	if total > maxTotal {
		t.Errorf("cmd/batch holds %d lines of Go, more than %d: move what is not wiring to internal/", total, maxTotal)
	}
}
