package main

import (
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
