package demo

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// isolateEnv restores the UIPATH_ settings RunSteps changes when the test ends.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"UIPATH_URI", "UIPATH_ORGANIZATION", "UIPATH_TENANT", "UIPATH_CLIENT_ID", "UIPATH_CLIENT_SECRET", "UIPATH_PARTITION_ID", "UIPATH_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("UIPATH_PAT", "stale-token")
}

func TestRunPointsEveryStepAtALiveEmulator(t *testing.T) {
	isolateEnv(t)
	reports := t.TempDir()
	secrets := filepath.Join(reports, "demo-secrets.csv")
	if err := os.WriteFile(secrets, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var ran [][]string
	err := RunSteps(&out, repoExamples, reports, func(args []string) int {
		ran = append(ran, args)
		if _, err := os.Stat(secrets); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("step %v: an earlier demo's secrets file is still there", args)
		}
		if _, set := os.LookupEnv("UIPATH_PAT"); set {
			t.Errorf("step %v: UIPATH_PAT still set", args)
		}
		resp, err := http.Get(os.Getenv("UIPATH_URI") + "/_emulator/requests")
		if err != nil {
			t.Fatalf("step %v: UIPATH_URI does not answer: %v", args, err)
		}
		resp.Body.Close()
		return Steps(repoExamples, reports, secrets)[len(ran)-1].Want
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(ran) != len(Steps(repoExamples, reports, secrets)) {
		t.Errorf("ran %d steps, want %d", len(ran), len(Steps(repoExamples, reports, secrets)))
	}
	for _, want := range []string{"emulator listening on http://127.0.0.1:", "== 1. validate a broken manifest", "$ batch validate " + filepath.Join(repoExamples, "broken.csv"), "demo finished: reports in " + reports} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunStopsAtTheFirstStepThatEndsOtherwise(t *testing.T) {
	isolateEnv(t)
	var out bytes.Buffer
	n := 0
	err := RunSteps(&out, repoExamples, t.TempDir(), func([]string) int {
		n++
		return 0 // the first step, the broken manifest, wants 2
	})
	var se *StepError
	if !errors.As(err, &se) || se.N != 1 || se.Got != 0 || se.Want != 2 || n != 1 {
		t.Fatalf("Run = %v after %d steps, want step 1 exited 0, want 2", err, n)
	}
	if !strings.HasPrefix(err.Error(), "demo step 1 (batch validate ") || strings.Contains(out.String(), "demo finished") {
		t.Errorf("error %q, output:\n%s", err, out.String())
	}
}

func TestStepsNameExampleManifestsThatExist(t *testing.T) {
	dir, _ := os.Getwd()
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if dir == filepath.Dir(dir) {
			t.Fatal("no go.mod above the test")
		}
	}
	examples := filepath.Join(dir, "examples")
	for _, st := range Steps(examples, t.TempDir(), "s.csv") {
		if _, err := os.Stat(st.Args[1]); err != nil {
			t.Errorf("step %q: %v", st.Title, err)
		}
	}
}

// Outside the checkout the demo stops before it starts, saying where it
// looked for the examples.
func TestDemoOutsideTheCheckoutSaysWhereItLooked(t *testing.T) {
	ran := false
	err := RunSteps(io.Discard, t.TempDir(), t.TempDir(), func([]string) int { ran = true; return 0 })
	if err == nil || ran || !strings.Contains(err.Error(), "missing broken.csv") || !strings.Contains(err.Error(), "--examples") {
		t.Errorf("err %v, a step ran: %v", err, ran)
	}
}

// repoExamples is the checkout's examples folder, seen from this package.
var repoExamples = filepath.Join("..", "..", "examples")
