package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The module path is one `go install` can fetch (its first element is a
// host name), and the README's install line names it.
func TestModulePathIsInstallable(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var path string
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			path = strings.Trim(strings.TrimSpace(p), `"`)
		}
	}
	if host, _, _ := strings.Cut(path, "/"); !strings.Contains(host, ".") {
		t.Fatalf("module path %q: its first element is no host name, so go install cannot fetch it", path)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if line := "go install " + path + "/cmd/batch@latest"; !strings.Contains(string(readme), line) {
		t.Fatalf("README.md does not say %q", line)
	}
}
