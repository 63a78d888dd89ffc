package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// harness is a started emulator and a plain HTTP client talking to it.
type harness struct {
	srv    *Server
	base   string
	client *http.Client
}

func startServer(t *testing.T, cfg Config) *harness {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	h := &harness{srv: srv, base: srv.URL(), client: &http.Client{Transport: tr}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close()
	})
	return h
}

func (h *harness) identity(path string) string { return h.base + "/demo-org/identity_" + path }

func (h *harness) orchestrator(path string) string {
	return h.base + "/demo-org/DefaultTenant/orchestrator_" + path
}

// tokenFor asks for a token with the given client and scopes; it fails the
// test unless the answer is 200.
func (h *harness) tokenFor(t *testing.T, id, secret, scope string) string {
	t.Helper()
	resp, body := h.postForm(t, h.base+"/identity_/connect/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: status %d", resp.StatusCode)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	mustJSON(t, body, &tok)
	return tok.AccessToken
}

func (h *harness) token(t *testing.T) string {
	t.Helper()
	return h.tokenFor(t, DefaultClientID, DefaultClientSecret, "")
}

func (h *harness) postForm(t *testing.T, u string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send(t, req)
}

// do sends a request with a bearer token (none when empty) and a JSON body
// (none when empty).
func (h *harness) do(t *testing.T, method, u, token, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.send(t, req)
}

func (h *harness) send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, body
}

func mustJSON(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// firstUser returns the first generated user.
func firstUser(t *testing.T, h *harness) User {
	t.Helper()
	users := h.srv.Users()
	if len(users) == 0 {
		t.Fatal("no users")
	}
	return users[0]
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }
