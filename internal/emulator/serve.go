package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/uipath-batch/batch/internal/shellenv"
)

// ServeOptions say where Serve listens and what it writes: the export
// lines on Out, status lines on ErrOut (none with EnvOnly), the export
// lines also to EnvFile and the final state to StateOut when given.
type ServeOptions struct {
	Listen   string
	EnvFile  string
	StateOut string
	EnvOnly  bool
	Out      io.Writer
	ErrOut   io.Writer
}

// StartError is a Serve failure before anything was served: a bad
// configuration or an address it cannot listen on.
type StartError struct{ Err error }

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Serve runs an emulator of cfg until ctx is cancelled: it prints the
// environment that points batch at it, writes EnvFile (0600, removed when
// it returns), then on cancellation shuts down, writes StateOut and says
// how many requests it answered. Unless EnvOnly, the emulator's notes
// (cfg.Log, when nil) go to ErrOut.
func Serve(ctx context.Context, cfg Config, opts ServeOptions) error {
	if cfg.Log == nil && !opts.EnvOnly {
		cfg.Log = opts.ErrOut
	}
	srv, err := New(cfg)
	if err != nil {
		return &StartError{err}
	}
	if opts.EnvFile != "" {
		// One left by an emulator that was killed holds its port and
		// secret: a script waiting for the file must not read it.
		if err := os.Remove(opts.EnvFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--env-file: remove the old one: %w", err)
		}
	}
	if err := srv.Start(opts.Listen); err != nil {
		return &StartError{err}
	}
	// One write, so that a script waiting for the file to be non-empty
	// reads it whole.
	env := shellenv.Exports(srv.Env())
	if _, err := io.WriteString(opts.Out, env); err != nil {
		_ = srv.Close()
		return fmt.Errorf("print the environment: %w", err)
	}
	if opts.EnvFile != "" {
		// Whole, once serving, so that a script waiting for it never
		// reads half of it (or an old one's port); it holds the client
		// secret: 0600.
		if err := shellenv.WriteFile(opts.EnvFile, env); err != nil {
			_ = srv.Close()
			return fmt.Errorf("--env-file: %w", err)
		}
		defer os.Remove(opts.EnvFile)
	}
	if !opts.EnvOnly {
		shapes := "the live service's shapes"
		if cfg.SpecShapes {
			shapes = "the published definitions' shapes"
		}
		fmt.Fprintf(opts.ErrOut, "emulator: serving %s (%d users, %d robot accounts) on %s with %s; Ctrl-C to stop\n",
			cfg.Org, cfg.Users, cfg.Robots, srv.URL(), shapes)
	}

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	if opts.StateOut != "" {
		if err := srv.WriteState(opts.StateOut); err != nil {
			return err
		}
	}
	if !opts.EnvOnly {
		s := srv.RequestSummary()
		fmt.Fprintf(opts.ErrOut, "emulator: stopped after %d API requests (%d throttled), %d token requests\n",
			s.Total, s.Throttled, s.TokenRequests)
	}
	return shutdownErr
}
