package session

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/worker"
)

// The token fetch is shared by every job waiting for the token and holds
// none of their workers. With one worker and a token endpoint that first
// answers 429 (Retry-After 1s): were the fetch to wait out the pause on
// the worker of the job that started it, the pool would lend that worker
// to the next job, which waits for the token holding it, and the fetch
// could never take a worker back. Both jobs get the token instead, from
// one fetch retried once.
func TestTokenFetchHoldsNoJobsWorker(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 1})
	emu.FailNextTokenRequests(http.StatusTooManyRequests)
	s, err := New(t.Context(), settings, Options{
		Limits: "none", Timeout: 10 * time.Second, MaxAttempts: 3, Version: "test", Log: zerolog.Nop(),
		Operations: []client.Operation{client.OpGetUser},
	})
	if err != nil {
		t.Fatal(err)
	}
	jobs := func(yield func(int) bool) {
		for j := range 2 {
			if !yield(j) {
				return
			}
		}
	}
	var errs []error
	done := make(chan error, 1)
	go func() {
		done <- worker.RunPool(t.Context(), worker.PoolConfig{Workers: 1}, jobs,
			func(ctx context.Context, _ int) error { return s.Client.Authenticate(ctx) },
			func(err error) { errs = append(errs, err) })
	}()
	select {
	case err := <-done:
		if err != nil || len(errs) != 2 || errs[0] != nil || errs[1] != nil {
			t.Fatalf("Run: %v, jobs' errors %v, want both signed in", err, errs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the pool hangs: the token fetch waited out the 429 on a job's worker and cannot take one back")
	}
	if n := s.Client.Stats()["token"]; n != 2 {
		t.Errorf("%d token requests, want 2 (the 429, then the token both jobs share)", n)
	}
}
