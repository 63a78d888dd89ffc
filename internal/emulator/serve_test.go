package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveInBackground runs Serve until the returned cancel is called; wait
// gives its error.
func serveInBackground(t *testing.T, cfg Config, opts ServeOptions) (cancel func(), wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, opts) }()
	t.Cleanup(cancel)
	return cancel, func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Serve did not return after its context ended")
			return nil
		}
	}
}

// waitForFile waits until path is non-empty and returns its contents.
func waitForFile(t *testing.T, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s was never written", path)
	return nil
}

// envValue is KEY's value in export lines.
func envValue(t *testing.T, env, key string) string {
	t.Helper()
	for _, l := range strings.Split(env, "\n") {
		if v, ok := strings.CutPrefix(l, "export "+key+"="); ok {
			return strings.Trim(v, "'")
		}
	}
	t.Fatalf("no %s in %q", key, env)
	return ""
}

func TestServeWritesTheEnvFilePrivateAndRemovesItOnExit(t *testing.T) {
	dir := t.TempDir()
	envFile, stateOut := filepath.Join(dir, "emulator.env"), filepath.Join(dir, "state.json")
	var out, errOut bytes.Buffer
	cfg := Config{Org: "acme", Users: 3, Robots: 2}
	cancel, wait := serveInBackground(t, cfg, ServeOptions{Listen: "127.0.0.1:0", EnvFile: envFile, StateOut: stateOut, Out: &out, ErrOut: &errOut})

	env := string(waitForFile(t, envFile))
	st, err := os.Stat(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v, want 0600", st.Mode().Perm())
	}
	// It serves at the URL it printed.
	resp, err := http.Get(envValue(t, env, "UIPATH_URI") + "/_emulator/requests")
	if err != nil {
		t.Fatalf("the printed URL does not answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /_emulator/requests: %d", resp.StatusCode)
	}

	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if out.String() != env {
		t.Errorf("stdout %q, env file %q: want the same export lines", out.String(), env)
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("env file still there after Serve returned: %v", err)
	}
	st, err = os.Stat(stateOut)
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", st.Mode().Perm())
	}
	var state map[string]any
	if b, _ := os.ReadFile(stateOut); json.Unmarshal(b, &state) != nil || len(state) == 0 {
		t.Errorf("state file is not the state as JSON: %s", b)
	}
	secret := envValue(t, env, "UIPATH_CLIENT_SECRET")
	if secret == "" {
		t.Fatal("no client secret in the environment")
	}
	if b, _ := os.ReadFile(stateOut); bytes.Contains(b, []byte(secret)) {
		t.Error("the state file holds the client secret")
	}
	if strings.Contains(errOut.String(), secret) {
		t.Error("the status lines hold the client secret")
	}
	for _, want := range []string{"emulator: serving acme (3 users, 2 robot accounts) on http://127.0.0.1:", "with the live service's shapes; Ctrl-C to stop\n", "emulator: stopped after 0 API requests (0 throttled), 0 token requests\n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q, want %q", errOut.String(), want)
		}
	}
}

func TestServeEnvOnlyPrintsNothingButTheExportLines(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "emulator.env")
	var out, errOut bytes.Buffer
	cancel, wait := serveInBackground(t, Config{Users: 1}, ServeOptions{Listen: "127.0.0.1:0", EnvFile: envFile, EnvOnly: true, Out: &out, ErrOut: &errOut})
	waitForFile(t, envFile)
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q, want nothing with EnvOnly", errOut.String())
	}
	if !strings.HasPrefix(out.String(), "export UIPATH_URI=") {
		t.Errorf("stdout %q, want the export lines", out.String())
	}
}

func TestServeReportsWhatStopsItStartingAsAStartError(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	envFile := filepath.Join(t.TempDir(), "emulator.env")
	for name, listen := range map[string]string{"not loopback": "0.0.0.0:0", "port taken": busy.Addr().String()} {
		var out bytes.Buffer
		err := Serve(context.Background(), Config{Users: 1}, ServeOptions{Listen: listen, EnvFile: envFile, Out: &out, ErrOut: &out})
		var se *StartError
		if !errors.As(err, &se) {
			t.Errorf("%s: Serve(%s) = %v, want a StartError", name, listen, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed %q before serving", name, out.String())
		}
		if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: env file written though nothing serves", name)
		}
	}
}

func TestServeFailsWhenTheEnvFileCannotBeWritten(t *testing.T) {
	var out bytes.Buffer
	err := Serve(context.Background(), Config{Users: 1}, ServeOptions{Listen: "127.0.0.1:0", EnvFile: filepath.Join(t.TempDir(), "missing", "emulator.env"), Out: &out, ErrOut: &out})
	var se *StartError
	if err == nil || errors.As(err, &se) || !strings.HasPrefix(err.Error(), "--env-file: ") {
		t.Errorf("Serve = %v, want an --env-file error that is not a StartError", err)
	}
}

// An env file left by an emulator that was killed is removed before the
// new one starts: even when it cannot start, no script finds the old port
// and secret there.
func TestServeRemovesAnEnvFileLeftBehind(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "emulator.env")
	if err := os.WriteFile(envFile, []byte("export UIPATH_URI=http://127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := Serve(context.Background(), Config{Users: 1}, ServeOptions{Listen: "192.0.2.1:0", EnvFile: envFile, Out: &out, ErrOut: &out})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("Serve on an address not this machine's: %v, want a StartError", err)
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the env file left behind is still there: %v", err)
	}
}
