// Package client is the only package that speaks HTTP to UiPath: Identity
// (users, robot accounts) and Orchestrator (unattended robot credentials).
// It authenticates, sends one attempt per call (plus one retry after a 401
// with a fresh token), parses every error shape into *Error, and says
// whether a failure may be retried or left the outcome unknown. Retrying is
// the caller's business, the token request's too (WithTokenRetry). What a
// call does besides its request is said in the call: a write's BeforeSend
// hook (WriteOption), a list walk's ListTotal (ListOption).
package client

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/secret"
)

// Client talks to one UiPath organization. It is safe for concurrent use.
type Client struct {
	settings  Settings
	endpoints Endpoints
	http      *http.Client
	// metered is http's transport (see httpFor).
	metered *meteredTransport
	tokens  tokenSource
	log     zerolog.Logger
	// userAgent is the User-Agent header's value, for every request.
	userAgent []string
	// auth is the Authorization header of the token last sent.
	auth   atomic.Pointer[authHeader]
	scopes []string
	stats  *requestStats
	// secrets are scrubbed from every server message kept in an error.
	secrets []secret.Value

	partitionMu sync.Mutex
	partition   string

	// Users reads and changes Identity users.
	Users *UsersService
	// RobotAccounts reads and changes Identity robot accounts.
	RobotAccounts *RobotAccountsService
	// OrchestratorUsers reads Orchestrator users and sets unattended robots' credentials.
	OrchestratorUsers *OrchestratorUsersService
	// Groups reads the organization's groups.
	Groups *GroupsService
	// CredentialStores reads Orchestrator's credential stores.
	CredentialStores *CredentialStoresService
}

// service is what every resource service holds.
type service struct{ client *Client }

// Option configures a Client.
type Option func(*options)

type options struct {
	tokenRetry Retrier
	throttle   Throttle
	log        zerolog.Logger
	version    string
	timeout    time.Duration
	scopes     []string
	ops        []Operation
	httpClient *http.Client
}

// WithThrottle makes every request wait for, and report to, t.
func WithThrottle(t Throttle) Option { return func(o *options) { o.throttle = t } }

// Retrier calls send until it succeeds, fails for good, or the caller's
// retry policy gives up, waiting between attempts; it returns the last error.
type Retrier func(ctx context.Context, send func(context.Context) error) error

// WithTokenRetry sends the token request through r, so that it is retried
// like every other request of the caller: a 429, 502, 503 or 504 or a
// dropped connection is retried (the *Error says which with Retryable),
// refused credentials are not. Without it the token request is sent once.
func WithTokenRetry(r Retrier) Option { return func(o *options) { o.tokenRetry = r } }

// WithLogger logs one debug line per request (never bodies or headers).
func WithLogger(l zerolog.Logger) Option { return func(o *options) { o.log = l } }

// WithUserAgentVersion sets the version in "User-Agent: batch/VERSION".
func WithUserAgentVersion(v string) Option { return func(o *options) { o.version = v } }

// WithTimeout bounds each request (and each token request), body included,
// from the moment the throttle lets it go: the wait for a budget is not
// part of it. Zero means no bound beyond the caller's context.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// withScopes sets the exact scopes the token asks for, overriding WithOperations.
func withScopes(scopes ...string) Option { return func(o *options) { o.scopes = scopes } }

// WithOperations asks for the narrow scopes of these operations only.
func WithOperations(ops ...Operation) Option { return func(o *options) { o.ops = ops } }

// withHTTPClient uses hc's transport (wrapped for throttling, counting and
// logging) instead of the shared tuned one.
func withHTTPClient(hc *http.Client) Option { return func(o *options) { o.httpClient = hc } }

// DefaultTimeout bounds a request when WithTimeout is not given.
const DefaultTimeout = 60 * time.Second

// New builds a Client from settings. It sends nothing; the first call (or
// Authenticate) fetches a token.
func New(ctx context.Context, settings Settings, opts ...Option) (*Client, error) {
	_ = ctx // reserved: New does no I/O today
	o := options{log: zerolog.Nop(), version: "dev", timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if err := settings.Validate(); err != nil {
		return nil, err
	}
	ep, err := settings.Endpoints()
	if err != nil {
		return nil, err
	}
	scopes := o.scopes
	if scopes == nil {
		scopes = ScopesFor(o.ops...)
	}
	var base http.RoundTripper = sharedTransport()
	if o.httpClient != nil && o.httpClient.Transport != nil {
		base = o.httpClient.Transport
	}
	c := &Client{
		settings:  settings,
		endpoints: ep,
		log:       o.log,
		userAgent: []string{"batch/" + o.version},
		scopes:    scopes,
		stats:     &requestStats{},
		partition: settings.PartitionID,
	}
	c.metered = newMeteredTransport(base, o.throttle, o.log, c.stats, ep, o.timeout)
	c.http = &http.Client{Transport: c.metered}
	if o.httpClient != nil {
		c.http.CheckRedirect = o.httpClient.CheckRedirect
		c.http.Jar = o.httpClient.Jar
	}
	if !settings.PAT.IsZero() {
		c.tokens = patSource{pat: settings.PAT}
		c.secrets = append(c.secrets, settings.PAT)
	} else {
		// The transport bounds each token request from the moment the
		// throttle lets it go (a bound around the whole fetch would count
		// the wait for the budget too).
		cs := newCredentialsSource(settings, ep, scopes, c.http)
		cs.retry = o.tokenRetry
		c.tokens = cs
		c.secrets = append(c.secrets, settings.ClientSecret)
	}
	c.Users = &UsersService{client: c}
	c.RobotAccounts = &RobotAccountsService{client: c}
	c.Groups = &GroupsService{client: c}
	c.OrchestratorUsers = &OrchestratorUsersService{client: c}
	c.CredentialStores = &CredentialStoresService{client: c}
	return c, nil
}

// Endpoints returns the resolved base URLs.
func (c *Client) Endpoints() Endpoints { return c.endpoints }

// Scopes returns the scopes the token asks for.
func (c *Client) Scopes() []string { return append([]string(nil), c.scopes...) }

// Stats counts the HTTP requests sent so far by method; token requests are
// counted under "token" instead of "POST".
func (c *Client) Stats() map[string]int { return c.stats.snapshot() }

// StatsByService counts the HTTP requests sent so far and the 429 answers
// they got, by service (ServiceIdentity, ServiceOrchestrator) and method;
// token requests are Identity's, counted under "token".
func (c *Client) StatsByService() map[string]map[string]RequestCount {
	return c.stats.snapshotByService()
}

// Authenticate fetches a token now, so that bad credentials or scopes stop a
// run before its first row.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.token(ctx)
	return err
}

// PartitionID returns the organization's partitionGlobalId: from the
// settings, or else from the prt_id claim of the access token.
func (c *Client) PartitionID(ctx context.Context) (string, error) {
	c.partitionMu.Lock()
	defer c.partitionMu.Unlock()
	if c.partition != "" {
		return c.partition, nil
	}
	tok, err := c.tokens.token(ctx)
	if err != nil {
		return "", err
	}
	id, err := partitionFromJWT(tok.Reveal())
	if err != nil {
		return "", fmt.Errorf("discover the partition id: %w; set %s", err, EnvPartitionID)
	}
	c.partition = id
	return id, nil
}

// secretsWith returns the client's secrets plus extra ones, as plaintext for scrubbing.
func (c *Client) secretsWith(extra []secret.Value) []string {
	out := make([]string, 0, len(c.secrets)+len(extra))
	for _, v := range append(append([]secret.Value(nil), c.secrets...), extra...) {
		out = append(out, v.Reveal())
	}
	return out
}
