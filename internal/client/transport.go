package client

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Throttle is the worker's rate limiter as the client sees it; the client
// calls it around every HTTP request, the token request included ("POST").
type Throttle interface {
	// Wait blocks until a request with this HTTP method may be sent.
	Wait(ctx context.Context, method string) error
	// Observe reports the answer: status 429 slows every worker down
	// (retryAfter is zero when the server sent no Retry-After).
	Observe(method string, status int, retryAfter time.Duration)
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

// meteredTransport throttles, counts and logs every request, API and token alike.
type meteredTransport struct {
	base     http.RoundTripper
	throttle Throttle
	log      zerolog.Logger
	stats    *requestStats
	tokenURL string
}

// RoundTrip waits for the throttle, sends, then reports, counts and logs.
func (t *meteredTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.throttle != nil {
		if err := t.throttle.Wait(req.Context(), req.Method); err != nil {
			return nil, err
		}
	}
	isToken := req.Method == http.MethodPost && req.URL.Scheme+"://"+req.URL.Host+req.URL.Path == t.tokenURL
	t.stats.add(req.Method, isToken)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	elapsed := time.Since(start)
	if err != nil {
		t.log.Debug().Str("method", req.Method).Str("path", req.URL.Path).
			Dur("duration", elapsed).Str("error", transportMessage(err)).Msg("request failed")
		return nil, err
	}
	var retryAfter time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	if t.throttle != nil {
		t.throttle.Observe(req.Method, resp.StatusCode, retryAfter)
	}
	ev := t.log.Debug().Str("method", req.Method).Str("path", req.URL.Path).
		Int("status", resp.StatusCode).Dur("duration", elapsed)
	if id := traceFromHeader(resp.Header); id != "" {
		ev = ev.Str("trace_id", id)
	}
	ev.Msg("request")
	return resp, nil
}

// requestStats counts requests by method.
type requestStats struct {
	mu     sync.Mutex
	counts map[string]int
}

// statsTokenKey counts token requests in Stats.
const statsTokenKey = "token"

func (s *requestStats) add(method string, token bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	if token {
		s.counts[statsTokenKey]++
		return
	}
	s.counts[method]++
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
