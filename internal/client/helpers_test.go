package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
)

// startEmulator runs an emulated organization on loopback for one test.
func startEmulator(t testing.TB, cfg emulator.Config) *emulator.Server {
	t.Helper()
	s, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("emulator Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// envLookup turns KEY=VALUE pairs into a lookupEnv function.
func envLookup(pairs []string, extra ...string) func(string) (string, bool) {
	m := map[string]string{}
	for _, kv := range append(append([]string(nil), pairs...), extra...) {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// settingsFor loads the settings the emulator advertises.
func settingsFor(t testing.TB, s *emulator.Server, extra ...string) Settings {
	t.Helper()
	st, err := LoadSettings(envLookup(s.Env(), extra...), "")
	if err != nil {
		t.Fatalf("LoadSettings: %v", err)
	}
	return st
}

// newTestClient builds a client for the emulator.
func newTestClient(t testing.TB, s *emulator.Server, opts ...Option) *Client {
	t.Helper()
	c, err := New(context.Background(), settingsFor(t, s), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func copyAll(w io.Writer, rc io.ReadCloser) (int64, error) {
	defer rc.Close()
	return io.Copy(w, rc)
}

// stubServer serves h on loopback and returns its URL.
func stubServer(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// eachShape runs f once per answer shape of the emulator, as subtests:
// "live" (the live service's shapes, the emulator's default) and "spec"
// (the published definitions' shapes, emulator.Config.SpecShapes). The
// client must read both.
func eachShape(t *testing.T, f func(t *testing.T, spec bool)) {
	t.Helper()
	for _, sh := range []struct {
		name string
		spec bool
	}{{"live", false}, {"spec", true}} {
		t.Run(sh.name, func(t *testing.T) { f(t, sh.spec) })
	}
}
