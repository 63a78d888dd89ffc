package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// canned is one prepared answer of a stub server.
type canned struct {
	status int
	header map[string]string
	body   string
}

// stubClient serves the same answer to every request under a path prefix
// (so absolute-URL mistakes show) and returns a PAT client for it.
func stubClient(t *testing.T, answer canned, opts ...Option) *Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/org/", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range answer.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(answer.status)
		_, _ = w.Write([]byte(answer.body))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	st := Settings{URI: srv.URL, Organization: "org", Tenant: "tenant", PAT: secret.New("pat-value-for-tests"),
		PartitionID: "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	c, err := New(context.Background(), st, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestErrorShapes(t *testing.T) {
	const user = "6f1b7c2a-0d4e-4c1a-9b7e-0000000000aa"
	tests := []struct {
		name      string
		answer    canned
		call      func(*Client) error
		kind      string
		code      string
		field     string
		trace     string
		retryable bool
		inMessage string
	}{
		{
			name: "problem details",
			answer: canned{400, nil, `{"errors":{"bypassBasicAuthRestriction":["Unexpected character encountered."]},` +
				`"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-abc-01"}`},
			call: func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind: KindValidation, code: "One or more validation errors occurred.", field: "bypassBasicAuthRestriction", trace: "00-abc-01",
			inMessage: "Unexpected character",
		},
		{
			name:   "identity result 400",
			answer: canned{400, nil, `{"succeeded":false,"errors":[{"code":"PasswordTooShort","description":"Passwords must be at least 8 characters."}]}`},
			call: func(c *Client) error {
				return c.Users.Update(context.Background(), user, UpdateUser{Password: secret.New("short")})
			},
			kind: KindPasswordPolicy, code: "PasswordTooShort", field: "password", inMessage: "at least 8",
		},
		{
			name:   "identity result 200 succeeded false",
			answer: canned{200, map[string]string{"X-Request-Id": "req-7"}, `{"succeeded":false,"errors":[{"code":"PasswordMismatch","description":"Incorrect password."}]}`},
			call: func(c *Client) error {
				return c.Users.ChangePassword(context.Background(), user, secret.New("old-pass"), secret.New("New-Pass-1234"))
			},
			kind: KindWrongPassword, code: "PasswordMismatch", field: "oldPassword", trace: "req-7", inMessage: "Incorrect password",
		},
		{
			name:   "identity result duplicate",
			answer: canned{400, nil, `{"succeeded":false,"errors":[{"code":"DuplicateUserName","description":"User name taken."}]}`},
			call:   func(c *Client) error { return c.Users.Update(context.Background(), user, UpdateUser{}) },
			kind:   KindConflict, code: "DuplicateUserName", field: "userName",
		},
		{
			name:   "orchestrator error result camelCase",
			answer: canned{404, nil, `{"message":"User does not exist.","errorCode":1002,"traceId":"t-1"}`},
			call:   func(c *Client) error { _, err := c.OrchestratorUsers.Get(context.Background(), 7); return err },
			kind:   KindNotFound, code: "1002", trace: "t-1", inMessage: "User does not exist.",
		},
		{
			name:   "orchestrator error result PascalCase",
			answer: canned{400, nil, `{"Message":"The request is invalid.","ErrorCode":1001,"TraceId":"t-2"}`},
			call:   func(c *Client) error { _, err := c.OrchestratorUsers.Get(context.Background(), 7); return err },
			kind:   KindBadRequest, code: "1001", trace: "t-2", inMessage: "The request is invalid.",
		},
		{
			name:   "oauth error",
			answer: canned{401, nil, `{"error":"invalid_token","error_description":"The token expired."}`},
			call:   func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind:   KindUnauthorized, code: "invalid_token", inMessage: "The token expired.",
		},
		{
			name:   "bare 405",
			answer: canned{405, nil, ``},
			call:   func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind:   KindBadRequest, inMessage: "Method Not Allowed",
		},
		{
			name:   "html 502",
			answer: canned{502, map[string]string{"Content-Type": "text/html"}, `<html><body><h1>502 Bad Gateway</h1></body></html>`},
			call:   func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind:   KindServerError, retryable: true, inMessage: "Bad Gateway",
		},
		{
			name:   "503 with retry-after",
			answer: canned{503, map[string]string{"Retry-After": "7"}, ``},
			call:   func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind:   KindServerError, retryable: true,
		},
		{
			name:   "abp not authorized",
			answer: canned{403, nil, `{"__abp":true,"result":null,"success":false,"error":{"code":0,"message":"You are not authorized!","details":null},"unAuthorizedRequest":true}`},
			call:   func(c *Client) error { _, err := c.OrchestratorUsers.Get(context.Background(), 7); return err },
			kind:   KindForbidden, code: CodeABPNotAuthorized, inMessage: "Orchestrator role",
		},
		{
			name:   "429 rate limited",
			answer: canned{429, map[string]string{"Retry-After": "3"}, `Too many requests`},
			call:   func(c *Client) error { _, err := c.Users.Get(context.Background(), user); return err },
			kind:   KindRateLimited, retryable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := stubClient(t, tt.answer)
			err := tt.call(c)
			e, ok := AsError(err)
			if !ok {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if e.Kind() != tt.kind {
				t.Errorf("Kind = %q, want %q (%v)", e.Kind(), tt.kind, e)
			}
			if e.Code != tt.code {
				t.Errorf("Code = %q, want %q", e.Code, tt.code)
			}
			if tt.field != "" && len(e.FieldErrors[tt.field]) == 0 {
				t.Errorf("FieldErrors = %v, want key %q", e.FieldErrors, tt.field)
			}
			if e.TraceID != tt.trace {
				t.Errorf("TraceID = %q, want %q", e.TraceID, tt.trace)
			}
			if e.Retryable() != tt.retryable {
				t.Errorf("Retryable = %v, want %v", e.Retryable(), tt.retryable)
			}
			if e.OutcomeUnknown() {
				t.Errorf("OutcomeUnknown for an answered request")
			}
			if !strings.Contains(e.Error(), tt.inMessage) {
				t.Errorf("Error() = %q, want it to contain %q", e.Error(), tt.inMessage)
			}
			if strings.ContainsAny(e.Error(), "\n\r") || !strings.HasPrefix(e.Error(), e.Method+" /org/") {
				t.Errorf("Error() is not one line starting with method and path: %q", e.Error())
			}
			if strings.Contains(e.Error(), "<html>") {
				t.Errorf("Error() carries the HTML body: %q", e.Error())
			}
		})
	}
}

func TestRetryAfterExposed(t *testing.T) {
	c := stubClient(t, canned{429, map[string]string{"Retry-After": "3"}, ``})
	_, err := c.Users.Get(context.Background(), "x")
	e, _ := AsError(err)
	if e == nil || e.RetryAfter() != 3*time.Second || !e.Retryable() {
		t.Fatalf("err = %v; want 429 retryable with RetryAfter 3s", err)
	}
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	c = stubClient(t, canned{429, map[string]string{"Retry-After": date}, ``})
	_, err = c.Users.Get(context.Background(), "x")
	e, _ = AsError(err)
	if e == nil || e.RetryAfter() < 80*time.Second || e.RetryAfter() > 91*time.Second {
		t.Fatalf("RetryAfter from HTTP date = %v, want about 90s", e.RetryAfter())
	}
}

func TestErrorBodyIsCapped(t *testing.T) {
	huge := `{"message":"` + strings.Repeat("x", 200<<10) + `","errorCode":1}`
	c := stubClient(t, canned{400, nil, huge})
	_, err := c.OrchestratorUsers.Get(context.Background(), 1)
	e, ok := AsError(err)
	if !ok || e.StatusCode != 400 {
		t.Fatalf("err = %v", err)
	}
	// The body is cut at 64 KiB, so it no longer parses: the status text stands in.
	if e.Message != "Bad Request" || len(e.Error()) > 1100 {
		t.Fatalf("Message = %.80q (len %d), Error len %d", e.Message, len(e.Message), len(e.Error()))
	}
}

func TestKindOfAndLookupError(t *testing.T) {
	if KindOf(nil) != "" || KindOf(errors.New("x")) != KindNetwork {
		t.Fatal("KindOf of nil/plain error")
	}
	nf := &LookupError{Resource: "user", By: "email", Value: "a@b.c"}
	if KindOf(nf) != KindNotFound || worker.IsRetryable(nf) || worker.IsOutcomeUnknown(nf) {
		t.Fatalf("LookupError with no match: kind %q", KindOf(nf))
	}
	many := &LookupError{Resource: "user", By: "email", Value: "a@b.c", Matches: 2}
	if KindOf(many) != KindConflict || !strings.Contains(many.Error(), "expected one") {
		t.Fatalf("LookupError with two matches: %v / %q", many, KindOf(many))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"12":                            12 * time.Second,
		"soon":                          0,
		"Wed, 01 Jan 2025 00:00:30 GMT": 30 * time.Second,
		"Tue, 31 Dec 2024 23:59:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
