package main

import (
	"context"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"batch/internal/client"
	"batch/internal/report"
	"batch/internal/worker"
)

// settings resolves the connection settings: flags over environment over
// the uipathcli profile. Problems are usage errors (exit 2): nothing was
// sent.
func (c *connectionFlags) settings() (client.Settings, error) {
	lookup := os.LookupEnv
	if c.Profile != "" {
		lookup = func(name string) (string, bool) {
			if name == "UIPATH_PROFILE" {
				return c.Profile, true
			}
			return os.LookupEnv(name)
		}
	}
	s, err := client.LoadSettings(lookup, client.DefaultConfigPath())
	if err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	override := func(dst *string, v, env, flag string) {
		if v != "" {
			*dst = v
			s.SetOrigin(env, flag+" flag")
		}
	}
	override(&s.URI, c.URI, "UIPATH_URI", "--uri")
	override(&s.Organization, c.Organization, "UIPATH_ORGANIZATION", "--organization")
	override(&s.Tenant, c.Tenant, "UIPATH_TENANT", "--tenant")
	override(&s.ClientID, c.ClientID, "UIPATH_CLIENT_ID", "--client-id")
	override(&s.IdentityURI, c.IdentityURI, "UIPATH_IDENTITY_URI", "--identity-uri")
	override(&s.OrchestratorURI, c.OrchestratorURI, "UIPATH_ORCHESTRATOR_URI", "--orchestrator-uri")
	override(&s.PartitionID, c.PartitionID, "UIPATH_PARTITION_ID", "--partition-id")
	override(&s.FolderID, c.FolderID, "UIPATH_FOLDER_ID", "--folder-id")
	if err := s.Validate(); err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	if _, err := s.Endpoints(); err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	return s, nil
}

// session is what a run talks to UiPath with.
type session struct {
	client  *client.Client
	limiter *worker.Limiter
}

// newSession builds the limiter and the client for the operations a run
// needs (their scopes are all the token asks for).
func newSession(ctx context.Context, s client.Settings, rf *runFlags, log zerolog.Logger, ops []client.Operation) (*session, error) {
	limits, err := client.ParseLimits(rf.Limits)
	if err != nil {
		return nil, usageErrorf("--limits: %w", err)
	}
	lim := worker.NewLimiter(workerLimits(limits))
	c, err := client.New(ctx, s,
		client.WithThrottle(lim),
		client.WithLogger(log),
		client.WithTimeout(rf.Timeout),
		client.WithUserAgentVersion(version),
		client.WithOperations(ops...),
		client.WithTokenRetry(tokenRetry(rf)),
	)
	if err != nil {
		return nil, usageErrorf("client: %w", err)
	}
	return &session{client: c, limiter: lim}, nil
}

// workerLimits hands the client's budgets (by service and method) to the
// worker's limiter, which keeps one budget per key.
func workerLimits(l client.Limits) worker.Limits {
	if len(l) == 0 {
		return nil
	}
	out := make(worker.Limits, len(l))
	for k, b := range l {
		out[k] = worker.Budget{Requests: b.Requests, Window: b.Window}
	}
	return out
}

// requests returns requests sent per method, 429s seen, and both by
// service and method, for the summary.
func (s *session) requests() (map[string]int, int, map[string]map[string]report.RequestCount) {
	throttled := 0
	byService := map[string]map[string]report.RequestCount{}
	for svc, methods := range s.client.StatsByService() {
		byService[svc] = map[string]report.RequestCount{}
		for m, c := range methods {
			byService[svc][m] = report.RequestCount{Requests: c.Requests, Throttled: c.Throttled}
			throttled += c.Throttled
		}
	}
	return s.client.Stats(), throttled, byService
}

func retryPolicy(rf *runFlags) worker.RetryPolicy {
	p := worker.DefaultRetryPolicy()
	p.MaxAttempts = rf.MaxAttempts
	return p
}

// tokenRetry retries the token request under the run's retry policy, as
// every other request is.
func tokenRetry(rf *runFlags) client.Retrier {
	p := retryPolicy(rf)
	return func(ctx context.Context, send func(context.Context) error) error {
		_, err := worker.Retry(ctx, p, func(ctx context.Context, _ int) error { return send(ctx) })
		return err
	}
}

// describeLimits is the limits line of the run header.
func describeLimits(spec string) string {
	l, err := client.ParseLimits(spec)
	if err != nil || len(l) == 0 {
		return "none"
	}
	return fmt.Sprint(l)
}
