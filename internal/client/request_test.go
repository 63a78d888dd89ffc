package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/secret"
)

// An answer that ends before the length it announced is a dropped
// connection after the request was written, read whole or not at all.
func TestAnswerCutShortIsANetworkFailure(t *testing.T) {
	url := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"succeeded\":")
		_ = buf.Flush()
	})
	c, err := New(context.Background(), Settings{URI: url, Organization: "o", Tenant: "t", PAT: secret.New("pat-value-1"), PartitionID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	name := "x"
	err = c.Users.Update(ctx, "u", UpdateUser{Name: &name})
	if e, ok := AsError(err); !ok || !e.Written || !e.Retryable() || e.Kind() != KindNetwork {
		t.Fatalf("PUT answered short: %v", err)
	}
	if _, err := c.Users.Get(ctx, "u"); KindOf(err) != KindNetwork {
		t.Fatalf("GET answered short: %v", err)
	}
}

// A debug logger gets one line per request (service, method, path,
// status, duration and the trace id the answer carries), never its
// token; at info level the requests are not logged.
func TestRequestLogIsDebugs(t *testing.T) {
	url := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Correlation-Id", "trace-42")
		_, _ = w.Write(identitySucceeded)
	})
	for _, level := range []zerolog.Level{zerolog.DebugLevel, zerolog.InfoLevel} {
		var logs bytes.Buffer
		c, err := New(context.Background(), Settings{URI: url, Organization: "o", Tenant: "t", PAT: secret.New("pat-value-for-the-log-test"), PartitionID: "p"},
			WithLogger(zerolog.New(&logs).Level(level)))
		if err != nil {
			t.Fatal(err)
		}
		name := "x"
		for range 2 {
			if err := c.Users.Update(testContext(t), "u-1", UpdateUser{Name: &name}); err != nil {
				t.Fatal(err)
			}
		}
		if level != zerolog.DebugLevel {
			if logs.Len() != 0 {
				t.Errorf("at %s: %s", level, logs.String())
			}
			continue
		}
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if len(lines) != 2 || strings.Contains(logs.String(), "pat-value-for-the-log-test") {
			t.Fatalf("request log: %s", logs.String())
		}
		for _, line := range lines {
			var ev struct {
				Message, Service, Method, Path string
				TraceID                        string `json:"trace_id"`
				Status                         int
				Duration                       *float64
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Message != "request" || ev.Service != ServiceIdentity || ev.Method != http.MethodPut || ev.Path != "/o/identity_/api/User/u-1" ||
				ev.Status != http.StatusOK || ev.TraceID != "trace-42" || ev.Duration == nil {
				t.Errorf("request line %s", line)
			}
		}
	}
}

// The Authorization header is the token's, made again when the token
// changes.
func TestAuthorizationFollowsTheToken(t *testing.T) {
	c := &Client{}
	a, b := secret.New("token-a"), secret.New("token-b")
	for _, tc := range []struct {
		tok  secret.Value
		want string
	}{{a, "Bearer token-a"}, {a, "Bearer token-a"}, {b, "Bearer token-b"}, {secret.New("token-a"), "Bearer token-a"}} {
		if got := c.authorization(tc.tok); len(got) != 1 || got[0] != tc.want {
			t.Fatalf("authorization = %v, want %q", got, tc.want)
		}
	}
}

// An answer larger than any page of accounts is refused as too large, by
// the length it announces or by what it sends, once: not cut short and
// reported as broken JSON, and not read again by a retry.
func TestAnswerTooLargeSaysSo(t *testing.T) {
	defer func(was int64) { maxBody = was }(maxBody)
	maxBody = 1 << 10
	page := `{"totalCount":1,"results":[{"id":"u1","userName":"` + strings.Repeat("a", 2<<10) + `"}]}`
	for _, announced := range []bool{true, false} {
		var requests atomic.Int32
		url := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			w.Header().Set("Content-Type", "application/json")
			if !announced {
				w.Header().Set("Transfer-Encoding", "chunked")
				w.(http.Flusher).Flush()
			}
			_, _ = w.Write([]byte(page))
		})
		c, err := New(context.Background(), Settings{URI: url, Organization: "o", Tenant: "t", PAT: secret.New("pat-value-1"), PartitionID: "p"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Users.Get(testContext(t), "u1")
		if err == nil || !strings.Contains(err.Error(), "GET /o/identity_/api/User/u1 answer (status 200): the answer is larger than a page of accounts ever is: over 1024 bytes") {
			t.Errorf("length announced %v: %v, want the answer refused as too large", announced, err)
		}
		if strings.Contains(fmt.Sprint(err), "JSON") || strings.Contains(fmt.Sprint(err), "unexpected end") {
			t.Errorf("length announced %v: %v reads as broken JSON", announced, err)
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("length announced %v: %d requests, want 1 (not retried)", announced, n)
		}
		// A write answered so: the change may have been made.
		err = c.Users.ChangePassword(testContext(t), "u1", secret.New("Old-Pass-1!"), secret.New("New-Pass-2!"))
		if e, ok := AsError(err); !ok || !e.OutcomeUnknown() || !strings.Contains(err.Error(), "larger than a page of accounts ever is") {
			t.Errorf("length announced %v: a POST answered too large: %v, want its outcome unknown", announced, err)
		}
		if msg := fmt.Sprint(err); strings.Contains(msg, "Old-Pass-1!") || strings.Contains(msg, "New-Pass-2!") {
			t.Errorf("the error holds a password: %s", msg)
		}
	}
}
