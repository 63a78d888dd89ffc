package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// binPath is the batch binary the end-to-end tests run, built once by
// TestMain with the race detector when the tests have it.
var binPath string

func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "age":
		os.Exit(ageShim()) // the documented age command, see e2e_docs_test.go
	case "age-keygen":
		os.Exit(ageKeygenShim())
	}
	dir, err := os.MkdirTemp("", "batch-e2e-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "batch")
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build batch:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// startEmulator runs an emulator on loopback for one test.
func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

// result of one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// batchCmd prepares the binary with the emulator's settings, in dir, with
// nothing of the developer's environment (no profile, no real tenant).
func batchCmd(ctx context.Context, emu *emulator.Server, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}
	if emu != nil {
		cmd.Env = append(cmd.Env, emu.Env()...)
	}
	return cmd
}

// runBatch runs the binary to its end.
func runBatch(t *testing.T, emu *emulator.Server, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := batchCmd(ctx, emu, dir, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errOut.String()}
	// The credentials the command was given never show in its output; a
	// test's failure message printing that output then cannot show them
	// either.
	for _, kv := range cmd.Env {
		name, value, _ := strings.Cut(kv, "=")
		if name != "UIPATH_CLIENT_SECRET" && name != "UIPATH_PAT" || value == "" {
			continue
		}
		if strings.Contains(res.stdout+res.stderr, value) {
			t.Errorf("the output of batch %s shows %s", args[0], name)
			res.stdout, res.stderr = strings.ReplaceAll(res.stdout, value, "***"), strings.ReplaceAll(res.stderr, value, "***")
		}
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run batch %v: %v", args, err)
	}
	return res
}

// writeFile writes a file with mode 0600 into dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readResults reads a run's results.jsonl.
func readResults(t *testing.T, runDir string) []report.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runDir, report.ResultsJSONL))
	if err != nil {
		t.Fatalf("read results of %s: %v", runDir, err)
	}
	var out []report.Result
	for line := range strings.Lines(string(data)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r report.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("read results of %s: %v", runDir, err)
		}
		out = append(out, r)
	}
	return out
}

// readResultsCSV reads a run's results.csv as records (header first).
func readResultsCSV(t *testing.T, runDir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(runDir, report.ResultsCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v", err)
	}
	return recs
}

func readSummary(t *testing.T, runDir string) report.Summary {
	t.Helper()
	s, err := report.ReadSummary(runDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// byRow indexes results by row and fails on a row reported twice.
func byRow(t *testing.T, rs []report.Result) map[int]report.Result {
	t.Helper()
	m := make(map[int]report.Result, len(rs))
	for _, r := range rs {
		if _, dup := m[r.Row]; dup {
			t.Fatalf("row %d is reported twice", r.Row)
		}
		m[r.Row] = r
	}
	return m
}

// assertNoSecrets fails if any of secrets appears in the outputs or in any
// file under dirs (reports, journals, logs).
func assertNoSecrets(t *testing.T, secrets []string, outputs []string, dirs ...string) {
	t.Helper()
	check := func(where, text string) {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("a secret appears in %s", where)
			}
		}
	}
	for i, o := range outputs {
		check(fmt.Sprintf("output %d", i), o)
	}
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(path string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			data, rerr := os.ReadFile(path)
			if rerr == nil {
				check(path, string(data))
			}
			return nil
		})
	}
}

// decodeJSON decodes data into v or fails the test.
func decodeJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
