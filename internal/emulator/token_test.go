package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenIssuesJWTWithPartitionAndScopes(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	for _, base := range []string{"/identity_", "/demo-org/identity_", "/identity"} {
		resp, body := h.postForm(t, h.base+base+"/connect/token", url.Values{
			"grant_type": {"client_credentials"}, "client_id": {DefaultClientID},
			"client_secret": {DefaultClientSecret}, "scope": {"PM.User.Read OR.Users"},
		})
		wantStatus(t, resp, body, http.StatusOK)
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
			TokenType   string `json:"token_type"`
			Scope       string `json:"scope"`
		}
		mustJSON(t, body, &tok)
		if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != "PM.User.Read OR.Users" {
			t.Fatalf("%s: token answer %+v", base, tok)
		}
		parts := strings.Split(tok.AccessToken, ".")
		if len(parts) != 3 {
			t.Fatalf("token is not a JWT")
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["prt_id"] != DefaultPartitionID || claims["client_id"] != DefaultClientID || claims["sub"] != DefaultClientID {
			t.Fatalf("claims %v", claims)
		}
		if sc, _ := claims["scope"].([]any); len(sc) != 2 {
			t.Fatalf("scope claim %v", claims["scope"])
		}
		if claims["exp"].(float64)-claims["iat"].(float64) != 3600 {
			t.Fatalf("exp-iat %v", claims)
		}
	}
	if got := h.srv.TokenRequests(); got != 3 {
		t.Fatalf("TokenRequests = %d, want 3", got)
	}
}

func TestTokenErrors(t *testing.T) {
	h := startServer(t, Config{Clients: []ClientApp{
		{ID: "reader", Secret: "reader-secret", Scopes: []string{"PM.User.Read"}},
	}})
	tokenURL := h.base + "/identity_/connect/token"
	cases := []struct {
		name string
		form url.Values
		want string
		in   string
	}{
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"reader"}, "client_secret": {"nope"}}, "invalid_client", ""},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"who"}, "client_secret": {"x"}}, "invalid_client", ""},
		{"scope not allowed", url.Values{"grant_type": {"client_credentials"}, "client_id": {"reader"}, "client_secret": {"reader-secret"}, "scope": {"PM.User.Read PM.User.Write Bogus"}}, "invalid_scope", "PM.User.Write Bogus"},
		{"grant type", url.Values{"grant_type": {"password"}, "client_id": {"reader"}, "client_secret": {"reader-secret"}}, "unsupported_grant_type", ""},
		{"no grant type", url.Values{"client_id": {"reader"}, "client_secret": {"reader-secret"}}, "invalid_request", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.postForm(t, tokenURL, tc.form)
			wantStatus(t, resp, body, http.StatusBadRequest)
			var e struct{ Error, ErrorDescription string }
			mustJSON(t, body, &e)
			var raw map[string]string
			mustJSON(t, body, &raw)
			if raw["error"] != tc.want || !strings.Contains(raw["error_description"], tc.in) {
				t.Fatalf("got %s, want error %s mentioning %q", body, tc.want, tc.in)
			}
			if strings.Contains(string(body), "reader-secret") {
				t.Fatal("error body echoes the secret")
			}
		})
	}

	t.Run("basic auth only", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("reader", "reader-secret")
		resp, body := h.send(t, req)
		wantStatus(t, resp, body, http.StatusBadRequest)
		if !strings.Contains(string(body), `"invalid_client"`) {
			t.Fatalf("body %s", body)
		}
	})
	t.Run("json body", func(t *testing.T) {
		resp, body := h.do(t, http.MethodPost, tokenURL, "", `{"grant_type":"client_credentials"}`)
		wantStatus(t, resp, body, http.StatusBadRequest)
		if !strings.Contains(string(body), `"invalid_request"`) {
			t.Fatalf("body %s", body)
		}
	})
	t.Run("get", func(t *testing.T) {
		resp, body := h.do(t, http.MethodGet, tokenURL, "", "")
		wantStatus(t, resp, body, http.StatusMethodNotAllowed)
		if resp.Header.Get("Allow") != "POST" {
			t.Fatalf("Allow %q", resp.Header.Get("Allow"))
		}
	})
	t.Run("empty scope grants all allowed", func(t *testing.T) {
		resp, body := h.postForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {"reader"}, "client_secret": {"reader-secret"}})
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"scope":"PM.User.Read"`) {
			t.Fatalf("body %s", body)
		}
	})
}

func TestTokenRequiredAndExpires(t *testing.T) {
	h := startServer(t, Config{Users: 1, TokenLifetime: 1200 * time.Millisecond})
	u := firstUser(t, h)
	userURL := h.identity("/api/User/" + u.ID)

	for _, tok := range []string{"", "not-a-token"} {
		resp, body := h.do(t, http.MethodGet, userURL, tok, "")
		wantStatus(t, resp, body, http.StatusUnauthorized)
		if len(body) != 0 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("401 answer: header %q body %q", resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, userURL, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	time.Sleep(1300 * time.Millisecond)
	resp, body = h.do(t, http.MethodGet, userURL, tok, "")
	wantStatus(t, resp, body, http.StatusUnauthorized)
}

func TestScopesAndOrchestratorRole(t *testing.T) {
	h := startServer(t, Config{Users: 1, Robots: 1, Clients: []ClientApp{
		{ID: "reader", Secret: "s1", Scopes: []string{"PM.User.Read", "OR.Users.Read"}, OrchestratorRole: true},
		{ID: "norole", Secret: "s2"},
	}})
	u := firstUser(t, h)
	reader := h.tokenFor(t, "reader", "s1", "")

	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/"+u.ID), reader, "")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), reader, `{"name":"X"}`)
	wantStatus(t, resp, body, http.StatusForbidden)
	if len(body) != 0 {
		t.Fatalf("403 for a missing scope has a body: %s", body)
	}
	if got, _ := h.srv.User(u.ID); got.Name == "X" {
		t.Fatal("a refused PUT changed the user")
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID), reader, "")
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(1001)"), reader, `{"Name":"n"}`)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Users(1001)"), reader, "")
	wantStatus(t, resp, body, http.StatusOK)

	norole := h.tokenFor(t, "norole", "s2", "OR.Users")
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Users(1001)"), norole, "")
	wantStatus(t, resp, body, http.StatusForbidden)
	var abp struct {
		ABP   bool `json:"__abp"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		UnAuthorizedRequest bool `json:"unAuthorizedRequest"`
	}
	mustJSON(t, body, &abp)
	if !abp.ABP || !abp.UnAuthorizedRequest || abp.Error.Message != "You are not authorized!" {
		t.Fatalf("ABP body %s", body)
	}
}

func TestFailNextTokenRequestsAnswersQueuedFaultsInOrder(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	h.srv.FailNextTokenRequests(503, 429, 502, 0)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	for _, want := range []int{503, 429, 502} {
		resp, body := h.postForm(t, h.base+"/identity_/connect/token", form)
		wantStatus(t, resp, body, want)
		if want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.base+"/identity_/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := h.client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the fourth token request was answered %d, want a dropped connection", resp.StatusCode)
	}
	// The queue is spent: the next request gets its token.
	if tok := h.token(t); tok == "" {
		t.Fatal("no token after the queued faults")
	}
	if got := h.srv.TokenRequests(); got != 5 {
		t.Fatalf("TokenRequests = %d, want 5", got)
	}
}
