package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"

	"github.com/uipath-batch/batch/internal/secret"
)

// tokenSource hands out the bearer token for API requests.
type tokenSource interface {
	// token returns a valid access token, fetching one when needed.
	token(ctx context.Context) (secret.Value, error)
	// invalidate drops tok if it is still the cached token, so that the
	// next call fetches a fresh one. It reports whether a refresh is possible.
	invalidate(tok secret.Value) bool
}

// patSource serves a personal access token; it cannot be refreshed.
type patSource struct{ pat secret.Value }

func (p patSource) token(context.Context) (secret.Value, error) { return p.pat, nil }
func (p patSource) invalidate(secret.Value) bool                { return false }

// credentialsSource fetches tokens with the client credentials grant and
// caches each until shortly before it expires.
type credentialsSource struct {
	cfg      clientcredentials.Config
	http     *http.Client
	tokenURL string
	clientID string
	idOrigin string
	retry    Retrier // nil: one attempt

	fetches singleflight.Group // one token request at a time, shared by its waiters

	mu      sync.Mutex
	current secret.Value
	renewAt time.Time
}

func newCredentialsSource(s Settings, ep Endpoints, scopes []string, hc *http.Client) *credentialsSource {
	return &credentialsSource{
		cfg: clientcredentials.Config{
			ClientID:     s.ClientID,
			ClientSecret: s.ClientSecret.Reveal(),
			TokenURL:     ep.Token,
			Scopes:       scopes,
			// UiPath's token definition takes the credentials in the form
			// body; never send them as Basic authentication.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		http:     hc,
		tokenURL: ep.Token,
		clientID: s.ClientID,
		idOrigin: s.origin(EnvClientID),
	}
}

func (c *credentialsSource) token(ctx context.Context) (secret.Value, error) {
	if tok, ok := c.cached(); ok {
		return tok, nil
	}
	// Every caller that finds no valid token while a fetch is under way
	// waits for that fetch and takes its outcome, failure included: when
	// the token endpoint refuses, the workers waiting on it cost one token
	// request, not one each in turn. The fetch outlives a caller that
	// gives up (each attempt has a timeout of its own, and the retries
	// are bounded), so one caller's cancellation is not every waiter's
	// error. Nor does it carry the values of the caller that happened to
	// start it: it runs under a context of its own, so that nothing one
	// caller's context holds (a worker pool's hold on that caller's
	// worker, which a wait for the budget or a Retry-After would lend out
	// and then need back while the callers waiting for the token hold the
	// others) decides how the shared fetch waits.
	ch := c.fetches.DoChan("token", func() (any, error) {
		return c.fetch(context.Background())
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return secret.Value{}, ownCopy(r.Err) // each caller gets an error of its own
		}
		return r.Val.(secret.Value), nil
	case <-ctx.Done():
		return secret.Value{}, ctx.Err()
	}
}

// cached returns the cached token while it is not yet due for renewal.
func (c *credentialsSource) cached() (secret.Value, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current, !c.current.IsZero() && time.Now().Before(c.renewAt)
}

// fetch asks the token endpoint for a token, through the retrier when
// there is one, and caches it.
func (c *credentialsSource) fetch(ctx context.Context) (secret.Value, error) {
	if tok, ok := c.cached(); ok {
		return tok, nil // fetched by a flight that ended before this one began
	}
	if c.retry == nil {
		return c.fetchOnce(ctx)
	}
	var tok secret.Value
	var last error
	attempts := 0
	err := c.retry(ctx, func(ctx context.Context) error {
		attempts++
		tok, last = c.fetchOnce(ctx)
		return last
	})
	if err == nil {
		return tok, nil
	}
	var e *Error
	if last == nil || !errors.As(last, &e) {
		return secret.Value{}, err
	}
	if attempts > 1 {
		return secret.Value{}, &retriedError{attempts: attempts, last: e}
	}
	return secret.Value{}, e
}

// fetchOnce sends one token request and caches the token it gets.
func (c *credentialsSource) fetchOnce(ctx context.Context) (secret.Value, error) {
	fetchCtx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	fetched := time.Now()
	tok, err := c.cfg.Token(fetchCtx)
	if err != nil {
		return secret.Value{}, c.tokenError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current = secret.New(tok.AccessToken)
	c.renewAt = renewalTime(fetched, tok.Expiry)
	return c.current, nil
}

// retriedError is a token request that failed on every attempt: the last
// failure, and how many attempts were made.
type retriedError struct {
	attempts int
	last     *Error
}

func (e *retriedError) Error() string {
	return fmt.Sprintf("%s (gave up after %d attempts)", e.last.Error(), e.attempts)
}

func (e *retriedError) Unwrap() error { return e.last }

// Retryable is false: the fetch has used the run's attempts already, and a
// caller retrying it would multiply them (attempts² token requests).
func (e *retriedError) Retryable() bool { return false }

// ownCopy returns a copy of a token failure shared by several waiters.
func ownCopy(err error) error {
	switch e := err.(type) {
	case *Error:
		cp := *e
		return &cp
	case *retriedError:
		cp := *e.last
		return &retriedError{attempts: e.attempts, last: &cp}
	}
	return err
}

// renewalTime is when a token fetched at fetched and expiring at expiry
// should be replaced: a minute early, or a quarter of its life early for
// short-lived tokens.
func renewalTime(fetched, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return fetched.Add(time.Hour)
	}
	margin := time.Minute
	if life := expiry.Sub(fetched); life/4 < margin {
		margin = life / 4
	}
	return expiry.Add(-margin)
}

func (c *credentialsSource) invalidate(tok secret.Value) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current.Equal(tok) {
		c.current = secret.Value{}
	}
	return true
}

// tokenError turns a token endpoint failure into an *Error that names what
// to check, never the secret.
func (c *credentialsSource) tokenError(err error) error {
	e := &Error{Method: http.MethodPost, Path: pathOf(c.tokenURL), Auth: true}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// No answer. A token request changes nothing on the server, so it
		// is always safe to send again: Written stays false.
		e.Err = err
		return e
	}
	if re.Response != nil {
		e.StatusCode = re.Response.StatusCode
		e.TraceID = traceFromHeader(re.Response.Header)
		e.RetryDelay = parseRetryAfter(re.Response.Header.Get("Retry-After"), time.Now())
	}
	if e.StatusCode == 0 {
		e.StatusCode = http.StatusBadRequest
	}
	e.Code = re.ErrorCode
	// Only what can hold a secret is scrubbed, not batch's own words: a
	// short secret such as "client" must not mask "the client credentials".
	desc := scrub(strings.TrimSpace(re.ErrorDescription), []string{c.cfg.ClientSecret})
	who := scrub(fmt.Sprintf("client id %q from %s", c.clientID, c.idOrigin), []string{c.cfg.ClientSecret})
	switch re.ErrorCode {
	case "invalid_client":
		e.Message = fmt.Sprintf("the token endpoint rejected the client credentials (%s); check %s and %s (or %s)", who, EnvClientID, EnvClientSecret, EnvClientSecretFile)
	case "invalid_scope":
		e.Message = fmt.Sprintf("the token endpoint refused the scopes requested (%s) for %s; add them to the External Application's application scopes", strings.Join(c.cfg.Scopes, " "), who)
	case "unauthorized_client":
		e.Message = fmt.Sprintf("the External Application (%s) may not use the client credentials grant; it must be a confidential application", who)
	case "":
		e.Message = http.StatusText(e.StatusCode)
		if re.Response == nil || e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests {
			e.Message = "the token endpoint refused the request (" + who + ")"
		}
	default:
		e.Message = "the token endpoint refused the request (" + who + ")"
	}
	if desc != "" {
		e.Message += ": " + desc
	}
	return e
}

// partitionFromJWT reads the prt_id claim of a JWT access token, without
// checking its signature (the server that issued it is the one we talk to).
func partitionFromJWT(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", errors.New("the access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", errors.New("the access token's payload is not base64url")
	}
	var claims struct {
		PartitionID string `json:"prt_id"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", errors.New("the access token's payload is not JSON")
	}
	if claims.PartitionID == "" {
		return "", errors.New("the access token carries no prt_id claim")
	}
	return claims.PartitionID, nil
}

// pathOf returns the path of an absolute URL.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// scrub replaces the secrets in s as secret.Scrub does: a secret of
// secret.MinMaskedInWord bytes or more wherever it appears, a shorter one
// wherever it stands as a word of its own.
func scrub(s string, secrets []string) string { return secret.Scrub(s, secrets...) }
