package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

func TestScopesFor(t *testing.T) {
	if got := strings.Join(ScopesFor(OpGetUser, OpListUsers), " "); got != "PM.User.Read" {
		t.Fatalf("read-only user scopes = %q", got)
	}
	if got := strings.Join(ScopesFor(OpChangePassword, OpSetUnattendedCredentials), " "); got != "OR.Users.Read OR.Users.Write PM.User.Write" {
		t.Fatalf("scopes = %q", got)
	}
	for _, op := range append(append([]Operation(nil), allOperations...), optionalOperations...) {
		if len(ScopesFor(op)) == 0 {
			t.Errorf("operation %s has no scope", op)
		}
	}
	if got := strings.Join(ScopesFor(OpListCredentialStores, OpGetCredentialStore), " "); got != "OR.Settings.Read" {
		t.Fatalf("credential store scopes = %q", got)
	}
	for _, s := range ScopesFor() {
		if strings.HasPrefix(s, "OR.Settings") {
			t.Fatalf("the default scopes ask for the optional %s", s)
		}
	}
}

func TestTokenRequestAsksNarrowScopesInTheBody(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2})
	rec := &recorder{base: http.DefaultTransport}
	c := newTestClient(t, s, WithOperations(OpGetUser, OpListUsers), withHTTPClient(&http.Client{Transport: rec}), WithUserAgentVersion("1.2.3"))
	if _, err := c.Users.list(testContext(t), listOptions{Top: 1}); err != nil {
		t.Fatal(err)
	}
	var tokenReqs []recorded
	for _, r := range rec.all() {
		if strings.HasSuffix(r.url, "/identity_/connect/token") {
			tokenReqs = append(tokenReqs, r)
		}
	}
	if len(tokenReqs) != 1 {
		t.Fatalf("%d token requests, want 1", len(tokenReqs))
	}
	form, err := url.ParseQuery(tokenReqs[0].body)
	if err != nil {
		t.Fatal("token body is not a form")
	}
	if form.Get("scope") != "PM.User.Read" || form.Get("grant_type") != "client_credentials" || form.Get("client_id") != "batch-emulator" || form.Get("client_secret") == "" {
		t.Fatalf("token form: scope %q grant %q client %q, secret present %v", form.Get("scope"), form.Get("grant_type"), form.Get("client_id"), form.Get("client_secret") != "")
	}
	if strings.HasPrefix(tokenReqs[0].header.Get("Authorization"), "Basic") {
		t.Fatal("client credentials sent as Basic authentication")
	}
	if ua := rec.find("GET").header.Get("User-Agent"); ua != "batch/1.2.3" {
		t.Fatalf("User-Agent = %q", ua)
	}
}

func TestInvalidScopeIsClearAuthFailure(t *testing.T) {
	app := emulator.ClientApp{ID: "reader-app", Secret: "reader-secret-value-123", Scopes: []string{"PM.User.Read"}, OrchestratorRole: true}
	s := startEmulator(t, emulator.Config{Users: 1, Clients: []emulator.ClientApp{app}})
	c := newTestClient(t, s, WithOperations(OpUpdateUser))
	err := c.Authenticate(testContext(t))
	e, ok := AsError(err)
	if !ok || e.Code != "invalid_scope" || !IsAuthFailure(err) || e.Kind() != KindForbidden || e.Retryable() {
		t.Fatalf("err = %v", err)
	}
	msg := e.Error()
	if !strings.Contains(msg, "PM.User.Write") || !strings.Contains(msg, "External Application") || strings.Contains(msg, app.Secret) {
		t.Fatalf("message = %s", msg)
	}
	// The same app may read.
	c = newTestClient(t, s, WithOperations(OpGetUser))
	if err := c.Authenticate(testContext(t)); err != nil {
		t.Fatalf("read scopes refused: %v", err)
	}
}

func TestInvalidClientNamesTheSettings(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	st := settingsFor(t, s, "UIPATH_CLIENT_SECRET=wrong-secret-value-999")
	c, err := New(testContext(t), st)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.list(testContext(t), listOptions{})
	e, ok := AsError(err)
	if !ok || e.Code != "invalid_client" || !IsAuthFailure(err) || e.Kind() != KindUnauthorized {
		t.Fatalf("err = %v", err)
	}
	msg := e.Error()
	for _, w := range []string{"batch-emulator", "UIPATH_CLIENT_ID", "UIPATH_CLIENT_SECRET", "environment"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
	if strings.Contains(msg, "wrong-secret-value-999") {
		t.Fatal("message shows the secret")
	}
}

func TestTokenCachedAndRefreshedBeforeExpiry(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3, TokenLifetime: 4 * time.Second})
	c := newTestClient(t, s)
	ctx := testContext(t)
	id := s.Users()[0].ID
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Users.Get(ctx, id); err != nil {
				t.Errorf("Get: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := s.TokenRequests(); n != 1 {
		t.Fatalf("%d token requests for 16 concurrent calls, want 1", n)
	}
	time.Sleep(3200 * time.Millisecond) // past the renewal point (4s - 1s)
	if _, err := c.Users.Get(ctx, id); err != nil {
		t.Fatalf("Get after renewal point: %v", err)
	}
	if n := s.TokenRequests(); n != 2 {
		t.Fatalf("%d token requests, want 2 (one renewal)", n)
	}
	if c.Stats()["token"] != 2 || c.Stats()["GET"] != 17 {
		t.Fatalf("Stats = %v", c.Stats())
	}
}

// spoiler replaces the bearer token of the first API request.
type spoiler struct {
	base http.RoundTripper
	mu   sync.Mutex
	done bool
}

func (s *spoiler) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	spoil := !s.done && !strings.HasSuffix(req.URL.Path, "/connect/token")
	s.done = s.done || spoil
	s.mu.Unlock()
	if spoil {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer not-a-valid-token")
	}
	return s.base.RoundTrip(req)
}

func TestUnauthorizedRefreshesTokenOnce(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3})
	c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: &spoiler{base: http.DefaultTransport}}))
	target := s.Users()[0]
	name := "Refreshed"
	if err := c.Users.Update(testContext(t), target.ID, UpdateUser{Name: &name}); err != nil {
		t.Fatalf("Update after a 401: %v", err)
	}
	if s.TokenRequests() != 2 || c.Stats()["PUT"] != 2 {
		t.Fatalf("token requests %d, stats %v; want 2 tokens and 2 PUTs", s.TokenRequests(), c.Stats())
	}
	if u, _ := s.User(target.ID); u.Name != "Refreshed" {
		t.Fatal("update not applied after retry")
	}
}

func TestPATIsBearerAndUnrefreshable(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	srv := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
	})
	st := Settings{URI: srv, Organization: "org", PAT: secret.New("pat-abc-123"), PartitionID: "p"}
	c, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Users.Get(context.Background(), "u")
	if !IsAuthFailure(err) || KindOf(err) != KindUnauthorized {
		t.Fatalf("err = %v", err)
	}
	if len(auths) != 1 || auths[0] != "Bearer pat-abc-123" {
		t.Fatalf("%d requests; want 1 with the PAT as bearer", len(auths))
	}
}

func TestPartitionFromToken(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3})
	st := settingsFor(t, s)
	st.PartitionID = ""
	c, err := New(testContext(t), st)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.PartitionID(testContext(t))
	if err != nil || p != "3fa85f64-5717-4562-b3fc-2c963f66afa6" {
		t.Fatalf("PartitionID = %q, %v", p, err)
	}
	if _, err := partitionFromJWT("opaque-token"); err == nil {
		t.Fatal("an opaque token yielded a partition")
	}
}

// fakeThrottle records what the client tells it.
type fakeThrottle struct {
	mu       sync.Mutex
	waits    []string
	observed []string
	after    []time.Duration
}

func (f *fakeThrottle) Wait(_ context.Context, method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, method)
	return nil
}

func (f *fakeThrottle) Observe(method string, status int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.observed = append(f.observed, method+" "+http.StatusText(status))
	f.after = append(f.after, retryAfter)
}

func TestThrottleSeesEveryRequest(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3})
	th := &fakeThrottle{}
	c := newTestClient(t, s, WithThrottle(th))
	ctx := testContext(t)
	if _, err := c.Users.Get(ctx, s.Users()[0].ID); err != nil {
		t.Fatal(err)
	}
	s.ThrottleNext(1)
	_, err := c.Users.Get(ctx, s.Users()[0].ID)
	e, ok := AsError(err)
	if !ok || e.Kind() != KindRateLimited || !e.Retryable() || e.RetryAfter() <= 0 {
		t.Fatalf("throttled Get: %v", err)
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if strings.Join(th.waits, ",") != "identity:POST,identity:GET,identity:GET" {
		t.Fatalf("waits = %v", th.waits)
	}
	if strings.Join(th.observed, ",") != "identity:POST OK,identity:GET OK,identity:GET Too Many Requests" || th.after[2] != e.RetryAfter() {
		t.Fatalf("observed = %v, retry after %v", th.observed, th.after)
	}
}

func TestRateLimitWithoutRetryAfter(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3, NoRetryAfter: true})
	c := newTestClient(t, s)
	s.ThrottleNext(1)
	_, err := c.Users.Get(testContext(t), s.Users()[0].ID)
	e, ok := AsError(err)
	if !ok || e.StatusCode != 429 || e.RetryAfter() != 0 || !e.Retryable() {
		t.Fatalf("err = %v", err)
	}
}

func TestWithScopesOverrides(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	rec := &recorder{base: http.DefaultTransport}
	c := newTestClient(t, s, withScopes("PM.User", "OR.Users"), WithOperations(OpGetUser), withHTTPClient(&http.Client{Transport: rec}))
	if err := c.Authenticate(testContext(t)); err != nil {
		t.Fatal(err)
	}
	form, _ := url.ParseQuery(rec.all()[0].body)
	if form.Get("scope") != "PM.User OR.Users" || strings.Join(c.Scopes(), " ") != "PM.User OR.Users" {
		t.Fatalf("scope = %q", form.Get("scope"))
	}
}

// Workers that find no token while one is being fetched share that fetch,
// and its failure: a refusing token endpoint costs one request per wave of
// waiters, not one per worker in turn.
func TestConcurrentTokenFetchesShareOneRequest(t *testing.T) {
	const clientSecret = "s3cret-shared-fetch-77"
	var mu sync.Mutex
	tokenRequests, refuse := 0, true
	srv := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/connect/token") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"u1","userName":"ada"}`))
			return
		}
		mu.Lock()
		tokenRequests++
		refusing := refuse
		mu.Unlock()
		time.Sleep(200 * time.Millisecond) // every worker arrives while this one is out
		w.Header().Set("Content-Type", "application/json")
		if refusing {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"temporarily_unavailable"}`))
			return
		}
		w.Write([]byte(`{"access_token":"tok-shared","token_type":"Bearer","expires_in":3600}`))
	})
	st := Settings{URI: srv, Organization: "org", ClientID: "app", ClientSecret: secret.New(clientSecret), PartitionID: "p"}
	c, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	wave := func() []error {
		errs := make([]error, 16)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Users.Get(testContext(t), "u1")
			}()
		}
		wg.Wait()
		return errs
	}
	for i, err := range wave() {
		if err == nil {
			t.Fatalf("worker %d got a user while the token endpoint refused", i)
		}
		if strings.Contains(err.Error(), clientSecret) || strings.Contains(sprintf("%+v", err), clientSecret) {
			t.Fatal("a token error shows the client secret")
		}
	}
	mu.Lock()
	refused := tokenRequests
	refuse = false
	mu.Unlock()
	if refused != 1 {
		t.Fatalf("16 waiting workers sent %d token requests to a refusing endpoint; want 1", refused)
	}
	for i, err := range wave() {
		if err != nil {
			t.Fatalf("worker %d after recovery: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if tokenRequests != 2 {
		t.Fatalf("%d token requests in all; want 1 refused and 1 served to 16 workers", tokenRequests)
	}
}
