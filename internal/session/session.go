// Package session builds what a command talks to UiPath with: a client
// that asks only for the scopes of the operations it will use, paced by a
// limiter that keeps the request budgets, and the retry policy of its
// requests (the token's included).
package session

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// Options are a session's settings, from the command's flags.
type Options struct {
	// Limits is the --limits spec of the request budgets.
	Limits string
	// Timeout bounds one request, from when its budget slot comes.
	Timeout time.Duration
	// MaxAttempts is how often a retryable request is tried.
	MaxAttempts int
	// Version is the program's, for the User-Agent.
	Version string
	Log     zerolog.Logger
	// Operations are all the client will do: its token asks for their
	// scopes only.
	Operations []client.Operation
}

// Session is a client and the limiter that paces it.
type Session struct {
	Client  *client.Client
	Limiter *worker.Limiter
}

// The limiter keeps each budget exactly, allowing for writes that leave
// late after their slot (their journal intent synced first).
var _ client.LateThrottle = (*worker.Limiter)(nil)

// New builds the limiter and the client for s. Its errors are in its
// options or settings: nothing has been sent.
func New(ctx context.Context, s client.Settings, o Options) (*Session, error) {
	limits, err := client.ParseLimits(o.Limits)
	if err != nil {
		return nil, fmt.Errorf("--limits: %w", err)
	}
	lim := worker.NewLimiter(limits)
	c, err := client.New(ctx, s,
		client.WithThrottle(lim),
		client.WithLogger(o.Log),
		client.WithTimeout(o.Timeout),
		client.WithUserAgentVersion(o.Version),
		client.WithOperations(o.Operations...),
		client.WithTokenRetry(tokenRetry(RetryPolicy(o.MaxAttempts))),
	)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return &Session{Client: c, Limiter: lim}, nil
}

// Requests returns requests sent per method, 429s seen, and both by
// service and method, for the summary.
func (s *Session) Requests() (map[string]int, int, map[string]map[string]report.RequestCount) {
	throttled := 0
	byService := map[string]map[string]report.RequestCount{}
	for svc, methods := range s.Client.StatsByService() {
		byService[svc] = map[string]report.RequestCount{}
		for m, c := range methods {
			byService[svc][m] = report.RequestCount{Requests: c.Requests, Throttled: c.Throttled}
			throttled += c.Throttled
		}
	}
	return s.Client.Stats(), throttled, byService
}

// RetryPolicy is the default policy with maxAttempts attempts.
func RetryPolicy(maxAttempts int) worker.RetryPolicy {
	p := worker.DefaultRetryPolicy()
	p.MaxAttempts = maxAttempts
	return p
}

// tokenRetry retries the token request under the run's retry policy, as
// every other request is.
func tokenRetry(p worker.RetryPolicy) client.Retrier {
	return func(ctx context.Context, send func(context.Context) error) error {
		_, err := worker.Retry(ctx, p, func(ctx context.Context, _ int) error { return send(ctx) })
		return err
	}
}

// DescribeLimits is a --limits spec as the run header and the summary say
// it: the budgets it gives, written as a spec that gives the same ones
// (client.FormatLimits), "none" when it gives none. A spec --limits refuses
// is described as "none": New refuses it before anything is described.
func DescribeLimits(spec string) string {
	l, err := client.ParseLimits(spec)
	if err != nil {
		return "none"
	}
	return client.FormatLimits(l)
}
