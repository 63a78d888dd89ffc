package client

import (
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Throttle is the worker's rate limiter as the client sees it; the client
// calls it around every HTTP request, the token request included. Keys are
// ThrottleKey(service, method), e.g. "identity:PUT" or
// "orchestrator:PATCH": each service's budgets and 429s are its own.
type Throttle interface {
	// Wait blocks until a request with this key may be sent.
	Wait(ctx context.Context, key string) error
	// Observe reports the answer: status 429 slows down every worker
	// sending requests of this key (retryAfter is zero when the server
	// sent no Retry-After).
	Observe(key string, status int, retryAfter time.Duration)
}

// LateThrottle is a Throttle told how long a write left after Wait let it
// go (its BeforeSend hook ran in between): the server counts a request
// when it arrives, so a throttle keeping a budget exactly must allow for
// the delay.
type LateThrottle interface {
	Throttle
	LeftLate(key string, d time.Duration)
}

// sharedTransport is one tuned connection pool for every Client in the
// process: keep-alive, many idle connections per host (the worker pool can
// be large), no cap on connections, and bounded dial/TLS/header waits.
var sharedTransport = sync.OnceValue(func() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		MaxConnsPerHost:       0,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
})

// meteredTransport throttles, times, counts and logs every request, API and
// token alike.
type meteredTransport struct {
	base     http.RoundTripper
	throttle Throttle
	log      zerolog.Logger
	stats    *requestStats
	tokenURL string
	// timeout bounds each request from the moment the throttle lets it go
	// until its body is closed; zero: no bound.
	timeout time.Duration
	// orchestrator and identity are the bases that tell Orchestrator's
	// requests from Identity's (the longer match wins, for a standalone
	// Orchestrator at the root of the identity server's host).
	orchestrator, identity base
	keys                   map[string]map[string]string // service → method → ThrottleKey
}

// base is an API base URL's host and path (with a trailing slash).
type base struct{ host, path string }

func parseBase(raw string) base {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return base{}
	}
	return base{host: u.Host, path: strings.TrimRight(u.Path, "/") + "/"}
}

// match returns the length of b's path if req's URL lies under b, else -1.
func (b base) match(u *url.URL) int {
	if b.path == "" || u.Host != b.host || !strings.HasPrefix(u.Path, b.path) {
		return -1
	}
	return len(b.path)
}

// newMeteredTransport builds the transport for the resolved endpoints.
func newMeteredTransport(base http.RoundTripper, throttle Throttle, log zerolog.Logger, stats *requestStats, ep Endpoints, timeout time.Duration) *meteredTransport {
	t := &meteredTransport{base: base, throttle: throttle, log: log, stats: stats, tokenURL: ep.Token, timeout: timeout,
		keys: map[string]map[string]string{}}
	t.orchestrator, t.identity = parseBase(ep.Orchestrator), parseBase(ep.Identity)
	for _, svc := range services {
		t.keys[svc] = map[string]string{}
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			t.keys[svc][m] = ThrottleKey(svc, m)
		}
	}
	return t
}

// serviceOf tells which service req goes to.
func (t *meteredTransport) serviceOf(req *http.Request) string {
	if o := t.orchestrator.match(req.URL); o >= 0 && o > t.identity.match(req.URL) {
		return ServiceOrchestrator
	}
	return ServiceIdentity
}

// key returns the ThrottleKey of a request of method to service.
func (t *meteredTransport) key(service, method string) string {
	if k, ok := t.keys[service][method]; ok {
		return k
	}
	return ThrottleKey(service, method)
}

// RoundTrip is roundTrip without a before-send hook: the token request's
// and those of every call without BeforeSend.
func (t *meteredTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.roundTrip(req, nil)
}

// roundTrip waits for the throttle, runs before (the BeforeSend hook of
// the call req belongs to; nil: none) if req is a write, sends with the
// request's own timeout, then reports, counts and logs. Waiting for the
// throttle is not part of the timeout: a request may wait for its budget
// as long as its context allows.
func (t *meteredTransport) roundTrip(req *http.Request, before *beforeSend) (*http.Response, error) {
	isToken := req.Method == http.MethodPost && req.URL.Scheme+"://"+req.URL.Host+req.URL.Path == t.tokenURL
	service := t.serviceOf(req)
	key := t.key(service, req.Method)
	if t.throttle != nil {
		if err := t.throttle.Wait(req.Context(), key); err != nil {
			return nil, err
		}
	}
	if before != nil && !isToken && req.Method != http.MethodGet && req.Method != http.MethodHead {
		granted := time.Now()
		if err := before.run(); err != nil {
			return nil, err
		}
		if late, ok := t.throttle.(LateThrottle); ok {
			late.LeftLate(key, time.Since(granted))
		}
	}
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(req.Context(), t.timeout)
		req = req.WithContext(ctx)
	}
	t.stats.add(service, req.Method, isToken)
	// The request log is debug's: a run at another level takes neither
	// the time nor the trace id of its requests.
	logging := t.debug()
	var start time.Time
	if logging {
		start = time.Now()
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		cancel()
		if logging {
			t.log.Debug().Str("service", service).Str("method", req.Method).Str("path", req.URL.Path).
				Dur("duration", time.Since(start)).Str("error", transportMessage(err)).Msg("request failed")
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	var retryAfter time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		t.stats.throttled(service, req.Method, isToken)
	}
	if t.throttle != nil {
		t.throttle.Observe(key, resp.StatusCode, retryAfter)
	}
	if logging {
		ev := t.log.Debug().Str("service", service).Str("method", req.Method).Str("path", req.URL.Path).
			Int("status", resp.StatusCode).Dur("duration", time.Since(start))
		if id := traceFromHeader(resp.Header); id != "" {
			ev = ev.Str("trace_id", id)
		}
		ev.Msg("request")
	}
	return resp, nil
}

// debug reports whether the request log is written (t.log at debug level,
// which the global level allows).
func (t *meteredTransport) debug() bool {
	return t.log.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel
}

// hookedTransport is the transport of one call with a BeforeSend hook:
// the client's, running the hook as its write leaves.
type hookedTransport struct {
	t      *meteredTransport
	before *beforeSend
}

func (h hookedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return h.t.roundTrip(req, h.before)
}

// httpFor returns what a call's requests are sent with: the client's HTTP
// client, or for a call with a BeforeSend hook the same one over a
// transport that runs the hook.
func (c *Client) httpFor(before *beforeSend) *http.Client {
	if before == nil {
		return c.http
	}
	return &http.Client{Transport: hookedTransport{t: c.metered, before: before}, CheckRedirect: c.http.CheckRedirect, Jar: c.http.Jar}
}

// cancelOnClose ends a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// requestStats counts requests and 429 answers by service and method.
type requestStats struct {
	mu        sync.Mutex
	counts    map[string]int // by method, every service
	byService map[string]map[string]RequestCount
}

// RequestCount is the traffic of one service and method.
type RequestCount struct {
	Requests  int `json:"requests"`
	Throttled int `json:"throttled_429s"`
}

// statsTokenKey counts token requests in Stats.
const statsTokenKey = "token"

func (s *requestStats) entry(service, method string, token bool) *RequestCount {
	if token {
		method = statsTokenKey
	}
	if s.byService == nil {
		s.byService = map[string]map[string]RequestCount{}
	}
	if s.byService[service] == nil {
		s.byService[service] = map[string]RequestCount{}
	}
	rc := s.byService[service][method]
	return &rc
}

func (s *requestStats) add(service, method string, token bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	rc := s.entry(service, method, token)
	rc.Requests++
	if token {
		s.byService[service][statsTokenKey] = *rc
		s.counts[statsTokenKey]++
		return
	}
	s.byService[service][method] = *rc
	s.counts[method]++
}

func (s *requestStats) throttled(service, method string, token bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := s.entry(service, method, token)
	rc.Throttled++
	if token {
		method = statsTokenKey
	}
	s.byService[service][method] = *rc
}

func (s *requestStats) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

func (s *requestStats) snapshotByService() map[string]map[string]RequestCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]RequestCount, len(s.byService))
	for svc, m := range s.byService {
		out[svc] = maps.Clone(m)
	}
	return out
}
