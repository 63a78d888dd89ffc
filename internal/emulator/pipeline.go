package emulator

import (
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP routes a request: the debug endpoints, the token endpoint, or an
// API request through the pipeline of serveAPI.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{s: s, w: w, r: r, start: time.Now()}
	defer c.done()
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		c.recorded = true // inspection is not traffic
		s.serveDebug(c)
		return
	}
	fam, rel := s.splitBase(r.URL.Path)
	c.relPath = rel
	switch fam {
	case familyToken:
		s.handleToken(c)
	case familyIdentity, familyOrchestrator:
		s.serveAPI(c, fam)
	default:
		c.trace = s.traces.next()
		w.Header()["X-Request-Id"] = []string{c.trace}
		c.empty(http.StatusNotFound)
	}
}

// serveAPI takes an API request through latency, forced and budgeted 429s,
// injected faults, authentication, scopes and roles, then its handler.
//
// The second administrator (Config.MeddleAfter) meddles once the request
// it waits for has been handled, whatever its answer, before the answer
// is finished.
func (s *Server) serveAPI(c *call, fam family) {
	c.api = true
	if s.meddler.countRequest() {
		defer s.meddle()
	}
	c.trace = s.traces.next()
	h := c.w.Header()
	traceValue := []string{c.trace}
	h["X-Request-Id"] = traceValue
	h["Traceparent"] = traceValue

	var ep endpoint
	var allow string
	if fam == familyIdentity {
		ep, c.params, allow = s.resolveIdentity(c.r.Method, c.relPath)
	} else {
		ep, c.params, allow = s.resolveOrchestrator(c.r.Method, c.relPath)
	}
	c.template = ep.template
	if ep.handle == nil {
		if allow != "" {
			h.Set("Allow", allow)
			c.empty(http.StatusMethodNotAllowed)
			return
		}
		if fam == familyOrchestrator {
			c.orchestratorNotFound("The resource you are looking for does not exist.", 0)
			return
		}
		c.empty(http.StatusNotFound)
		return
	}

	fault, f := s.faults.draw()
	if f.Latency > 0 && !sleepCtx(c, f.Latency) {
		c.status = 0
		return
	}
	if s.faults.takeThrottle() {
		s.tooManyRequests(c, time.Second)
		return
	}
	now := time.Now() // after the added latency
	if left, ok := s.faults.throttledUntil(now, fam == familyOrchestrator); ok {
		s.tooManyRequests(c, left)
		return
	}
	budgets := s.limiter
	if fam == familyOrchestrator {
		budgets = s.orchLim
	}
	if ok, retryAfter := budgets.admit(c.r.Method, now); !ok {
		s.tooManyRequests(c, retryAfter)
		return
	}
	switch fault {
	case fault500, fault502, fault503:
		c.serverFault(fault)
		return
	case resetBefore:
		c.drop()
		return
	}

	if !s.authorize(c, ep) || !jsonBody(c) {
		return
	}
	if fault == resetAfter {
		real := c.w
		c.w = &discardWriter{h: http.Header{}}
		ep.handle(c)
		c.w = real
		c.drop()
		return
	}
	ep.handle(c)
}

// authorize checks the bearer token, its scopes and, for Orchestrator, the
// application's role and the folder header; it answers when it refuses.
func (s *Server) authorize(c *call, ep endpoint) bool {
	auth := c.r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		c.unauthorized("no bearer token")
		return false
	}
	g, ok := s.tokens.lookup(token, time.Now())
	if !ok {
		c.unauthorized("the token is unknown or expired")
		return false
	}
	c.grant, c.clientID = g, g.clientID
	if g.scopes&ep.need == 0 {
		c.empty(http.StatusForbidden)
		return false
	}
	if !ep.orchestrator {
		return true
	}
	if !g.orchestratorRole {
		c.abpForbidden()
		return false
	}
	if ou := c.r.Header.Get("X-UIPATH-OrganizationUnitId"); ou != "" {
		if n, err := strconv.ParseInt(ou, 10, 64); err != nil || n <= 0 {
			c.orchestratorInvalid("The X-UIPATH-OrganizationUnitId header must be a positive folder id.", 1100)
			return false
		}
	}
	return true
}

// tooManyRequests answers 429, with Retry-After in whole seconds (rounded up)
// unless the server was configured without it.
func (s *Server) tooManyRequests(c *call, retryAfter time.Duration) {
	if !s.cfg.NoRetryAfter {
		secs := int(math.Ceil(retryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		c.w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	c.empty(http.StatusTooManyRequests)
}

// sleepCtx waits d, or less when the client goes away; it reports whether
// the full time passed.
func sleepCtx(c *call, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		return false
	}
}

// jsonBody answers 415, as ASP.NET does, to a request whose body is not
// declared as JSON (application/json, or a +json type); it reports
// whether the request may go on. A bulk DELETE carries a JSON body too.
func jsonBody(c *call) bool {
	if c.r.ContentLength == 0 || c.r.Method == http.MethodGet {
		return true
	}
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return true
	}
	c.unsupportedMediaType()
	return false
}
