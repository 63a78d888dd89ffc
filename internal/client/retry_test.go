package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

func TestChangePasswordTimeoutIsOutcomeUnknown(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2})
	c := newTestClient(t, s, WithTimeout(300*time.Millisecond))
	ctx := testContext(t)
	target := s.Users()[0]
	if err := c.Authenticate(ctx); err != nil { // the token must not be the slow part
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{Latency: 1500 * time.Millisecond})

	err := c.Users.ChangePassword(ctx, target.ID, secret.New(emulator.InitialPassword(1)), secret.New("After-Timeout-77"))
	e, ok := AsError(err)
	if !ok || !e.OutcomeUnknown() || e.Retryable() || e.Kind() != KindOutcomeUnknown || !e.OutcomeUnknown() {
		t.Fatalf("timed-out changepassword: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cause is not the deadline: %v", err)
	}
	// The same timeout on a GET may simply be retried.
	_, err = c.Users.Get(ctx, target.ID)
	e, ok = AsError(err)
	if !ok || e.OutcomeUnknown() || !e.Retryable() || e.Kind() != KindNetwork {
		t.Fatalf("timed-out GET: %v", err)
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(context.Background(), Settings{URI: "http://" + addr, Organization: "o", PAT: secret.New("pat-value-1"), PartitionID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Users.ChangePassword(context.Background(), "u", secret.New("old-pass-1"), secret.New("new-pass-1"))
	e, ok := AsError(err)
	if !ok || e.Written || !e.Retryable() || e.OutcomeUnknown() || e.Kind() != KindNetwork || e.StatusCode != 0 {
		t.Fatalf("refused POST: %v (written %v)", err, e != nil && e.Written)
	}
}

// hangUpAfterRead reads the whole request, then drops the connection.
func hangUpAfterRead(t *testing.T) string {
	return stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
}

func TestResetAfterWrite(t *testing.T) {
	url := hangUpAfterRead(t)
	c, err := New(context.Background(), Settings{URI: url, Organization: "o", Tenant: "t", PAT: secret.New("pat-value-1"), PartitionID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = c.Users.ChangePassword(ctx, "u", secret.New("old-pass-1"), secret.New("new-pass-1"))
	if e, ok := AsError(err); !ok || !e.Written || !e.OutcomeUnknown() {
		t.Fatalf("reset after POST: %v", err)
	}
	name := "x"
	err = c.Users.Update(ctx, "u", UpdateUser{Name: &name})
	if e, ok := AsError(err); !ok || !e.Written || !e.Retryable() || e.Kind() != KindNetwork {
		t.Fatalf("reset after PUT: %v", err)
	}
}

func TestCallerCancelIsNotRetryable(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1, Latency: time.Second})
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	getCtx, stop := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, stop)
	_, err := c.Users.Get(getCtx, s.Users()[0].ID)
	if !errors.Is(err, context.Canceled) || worker.IsRetryable(err) {
		t.Fatalf("cancelled Get: %v (retryable %v)", err, worker.IsRetryable(err))
	}
}

func TestServerFaultClasses(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	c := newTestClient(t, s)
	ctx := testContext(t)
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{FaultRate: 1})
	seen := map[int]bool{}
	for i := 0; i < 40 && len(seen) < 3; i++ {
		_, err := c.Users.Get(ctx, s.Users()[0].ID)
		e, ok := AsError(err)
		if !ok || e.Kind() != KindServerError {
			t.Fatalf("fault: %v", err)
		}
		seen[e.StatusCode] = true
		if want := e.StatusCode != 500; e.Retryable() != want {
			t.Fatalf("%d retryable = %v", e.StatusCode, e.Retryable())
		}
	}
	if len(seen) == 0 {
		t.Fatal("no fault seen")
	}
}
