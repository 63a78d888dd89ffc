package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// TestNoSecretLeaks sends known passwords and a known client secret through
// success, failure, retry and debug logging, and looks for them everywhere
// the client writes.
func TestNoSecretLeaks(t *testing.T) {
	const clientSecret = "leak-test-client-secret-0123"
	app := emulator.ClientApp{ID: "leak-app", Secret: clientSecret, OrchestratorRole: true}
	s := startEmulator(t, emulator.Config{Users: 3, Robots: 1, Clients: []emulator.ClientApp{app}})
	logs := &syncbuf.Buffer{}
	logger := zerolog.New(logs).Level(zerolog.DebugLevel)
	rec := &recorder{base: &spoiler{base: http.DefaultTransport}}
	c := newTestClient(t, s, WithLogger(logger), withHTTPClient(&http.Client{Transport: rec}), WithTimeout(time.Second))
	ctx := testContext(t)
	user := s.Users()[0]

	passwords := []string{"Leak-New-Pass-111", "Leak-Second-Pass-222", "Leak-Robot-Pass-333", "tiny", "Leak-Timeout-Pass-444"}
	var outputs []string
	note := func(v ...any) {
		for _, x := range v {
			outputs = append(outputs, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
			if err, ok := x.(error); ok && err != nil {
				outputs = append(outputs, err.Error())
			}
		}
	}

	// Success, after a 401 and a token refresh (the spoiler).
	upd := UpdateUser{Password: secret.New(passwords[0])}
	err := c.Users.Update(ctx, user.ID, upd)
	note(err, upd)
	// Success and a wrong old password.
	note(c.Users.ChangePassword(ctx, user.ID, secret.New(passwords[0]), secret.New(passwords[1])))
	note(c.Users.ChangePassword(ctx, user.ID, secret.New(passwords[0]), secret.New(passwords[1])))
	// Password policy failure.
	note(c.Users.Update(ctx, user.ID, UpdateUser{Password: secret.New(passwords[3])}))
	// Robot credentials.
	creds := UnattendedCredentials{UserName: `CORP\svc`, Password: secret.New(passwords[2])}
	u, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1001, creds)
	if err != nil || u.UnattendedRobot == nil {
		t.Fatalf("SetUnattendedCredentials: %v", err)
	}
	note(u, err, creds, *u.UnattendedRobot)
	// Rate limited, then a timeout on a POST.
	s.ThrottleNext(1)
	note(c.Users.ChangePassword(ctx, user.ID, secret.New(passwords[1]), secret.New(passwords[4])))
	s.SetFaults(emulator.Faults{Latency: 2500 * time.Millisecond})
	note(c.Users.ChangePassword(ctx, user.ID, secret.New(passwords[1]), secret.New(passwords[4])))
	s.SetFaults(emulator.Faults{})
	note(c, c.settings, c.Stats())

	// A server that repeats the request body and headers in its error.
	echo := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"title":   "One or more validation errors occurred.",
			"errors":  map[string][]string{"password": {"bad value in " + string(body)}},
			"traceId": r.Header.Get("Authorization"),
		})
	})
	ec, err := New(ctx, Settings{URI: echo, Organization: "o", PAT: secret.New("leak-test-pat-token-999"), PartitionID: "p"}, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	note(ec.Users.ChangePassword(ctx, "u", secret.New(passwords[0]), secret.New(passwords[1])))
	note(ec.Users.Update(ctx, "u", UpdateUser{Password: secret.New(passwords[2])}))

	// Refused client credentials.
	bad, err := New(ctx, settingsFor(t, s, "UIPATH_CLIENT_ID=leak-app", "UIPATH_CLIENT_SECRET=leak-wrong-secret-555"), WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Users.Get(ctx, user.ID)
	if !IsAuthFailure(err) {
		t.Fatalf("wrong secret: %v", err)
	}
	note(err, bad, ec)

	// The secrets: passwords, the client secret, the PAT and every bearer token sent.
	secrets := append([]string{clientSecret, "leak-test-pat-token-999", "leak-wrong-secret-555"}, passwords...)
	for _, r := range rec.all() {
		if tok, ok := strings.CutPrefix(r.header.Get("Authorization"), "Bearer "); ok && tok != "not-a-valid-token" {
			secrets = append(secrets, tok)
		}
	}
	if len(secrets) < 9 {
		t.Fatal("no bearer token was recorded")
	}
	if !strings.Contains(logs.String(), `"method":"PUT"`) {
		t.Fatal("debug logging wrote no request line")
	}
	outputs = append(outputs, logs.String())
	for _, out := range outputs {
		for _, sec := range secrets {
			if sec != "tiny" && strings.Contains(out, sec) || sec == "tiny" && strings.Contains(out, `"tiny"`) {
				t.Errorf("a secret (%d characters) appears in client output", len(sec))
			}
		}
	}
	if n := strings.Count(logs.String(), "\n"); n < 10 {
		t.Fatalf("only %d log lines", n)
	}
}

// A short client secret masks only itself, never batch's own words: with
// the secret "client", the message still says "the client credentials";
// the server's words quoting it are masked.
func TestShortClientSecretMasksOnlyItself(t *testing.T) {
	for _, tc := range []struct{ secret, keep, gone string }{
		{"client", "rejected the client credentials", "invalid secret client "},
		{"ecret", "check UIPATH_CLIENT_ID and UIPATH_CLIENT_SECRET", " ecret "},
	} {
		c := &credentialsSource{cfg: clientcredentials.Config{ClientSecret: tc.secret}, clientID: "app", idOrigin: "environment"}
		err := c.tokenError(&oauth2.RetrieveError{ErrorCode: "invalid_client", ErrorDescription: "invalid secret " + tc.secret + " given"})
		e, _ := AsError(err)
		if e == nil || !strings.Contains(e.Message, tc.keep) || strings.Contains(e.Message, tc.gone) {
			t.Errorf("secret %q: %v", tc.secret, err)
		}
	}
}
