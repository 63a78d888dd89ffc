package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Server is an emulated UiPath organization served over HTTP.
type Server struct {
	cfg     Config
	state   *store
	tokens  *tokenIssuer
	limiter *windowLimiter // Identity's budgets
	orchLim *windowLimiter // Orchestrator's budgets
	faults  *faultInjector
	log     *requestLog
	traces  *traceSource
	meddler *meddler

	// serverComputed counts PATCHes that sent RobotId or
	// MachineMappingsCount (ServerComputedSent).
	serverComputed atomic.Int64

	mu       sync.Mutex
	listener net.Listener
	httpSrv  *http.Server
	url      string
}

// New builds a server from cfg (defaults filled in) and seeds its state.
func New(cfg Config) (*Server, error) {
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	st := newStore()
	st.seedOrchestrator(cfg.Seed)
	st.generate(cfg.Seed, cfg.Users, cfg.Robots)
	st.generateAssets(cfg.Seed, cfg.Assets, cfg.AssetFolders, cfg.Robots)
	if cfg.SeedFile != "" {
		sf, err := LoadSeedFile(cfg.SeedFile)
		if err != nil {
			return nil, fmt.Errorf("emulator config: %w", err)
		}
		if err := st.addSeed(cfg.Seed, "seed", sf); err != nil {
			return nil, fmt.Errorf("emulator config: seed file %s: %w", cfg.SeedFile, err)
		}
	}
	if cfg.SeedData != nil {
		if err := st.addSeed(cfg.Seed, "seed-data", cfg.SeedData); err != nil {
			return nil, fmt.Errorf("emulator config: seed data: %w", err)
		}
	}
	s := &Server{
		cfg:     cfg,
		state:   st,
		tokens:  newTokenIssuer("https://emulator.local/identity_", cfg.PartitionID, cfg.TokenLifetime, cfg.Clients),
		limiter: newWindowLimiter(cfg.Limits),
		orchLim: newWindowLimiter(cfg.OrchestratorLimits),
		faults: newFaultInjector(cfg.FaultSeed, Faults{Latency: cfg.Latency, FaultRate: cfg.FaultRate, ResetRate: cfg.ResetRate, FaultStatuses: cfg.FaultStatuses},
			cfg.UnchangedPatchRate),
		log:     newRequestLog(cfg.RequestLogLimit),
		traces:  newTraceSource(),
		meddler: &meddler{after: int64(cfg.MeddleAfter)},
	}
	return s, nil
}

// Config returns the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and serves in the background until Close.
func (s *Server) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator listen address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("emulator listen address %q: only loopback addresses are allowed", addr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return errors.New("emulator already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator listen on %s: %w", addr, err)
	}
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	srv := s.httpSrv
	go func() { _ = srv.Serve(ln) }()
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL is the base URL of a started server, e.g. "http://127.0.0.1:8765".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// detach takes the running HTTP server off s; nil when none runs.
func (s *Server) detach() *http.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	srv := s.httpSrv
	s.httpSrv, s.listener = nil, nil
	return srv
}

// Close stops serving and drops open connections.
func (s *Server) Close() error {
	srv := s.detach()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close emulator: %w", err)
	}
	return nil
}

// Shutdown stops serving after in-flight requests finish or ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	srv := s.detach()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shut down emulator: %w", err)
	}
	return nil
}

// Env returns the settings that point batch (and uipathcli) at this server,
// as KEY=VALUE, using the first configured client application.
func (s *Server) Env() []string {
	app := s.cfg.Clients[0]
	return []string{
		"UIPATH_URI=" + s.URL(),
		"UIPATH_ORGANIZATION=" + s.cfg.Org,
		"UIPATH_TENANT=" + s.cfg.Tenant,
		"UIPATH_CLIENT_ID=" + app.ID,
		"UIPATH_CLIENT_SECRET=" + app.Secret,
		"UIPATH_PARTITION_ID=" + s.cfg.PartitionID,
	}
}

// SetFaults changes latency, fault and reset rates while serving.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// ThrottleNext answers the next n API requests with 429.
func (s *Server) ThrottleNext(n int) { s.faults.throttleNext.Add(int64(n)) }

// FailNextTokenRequests answers the next token requests, one each and in
// order, with these statuses instead of a token: 429 (with Retry-After),
// 500, 502, 503 or 504; 0 drops the connection without an answer. It is how
// tests meet a token endpoint that fails for a while.
func (s *Server) FailNextTokenRequests(statuses ...int) { s.faults.failTokens(statuses) }

// ThrottleFor answers every API request 429 for the next d, with a
// Retry-After of the time left (a burst of throttling, as a gateway under
// load or somebody else's traffic on the organization's budget causes).
func (s *Server) ThrottleFor(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	s.faults.throttleUntil.Store(until)
	s.faults.orchThrottleUntil.Store(until)
}

// ThrottleOrchestratorFor answers every Orchestrator API request 429 for
// the next d, as ThrottleFor does, while Identity keeps answering.
func (s *Server) ThrottleOrchestratorFor(d time.Duration) {
	s.faults.orchThrottleUntil.Store(time.Now().Add(d).UnixNano())
}

// ThrottleIdentityFor answers every Identity API request 429 for the next
// d, as ThrottleFor does, while Orchestrator keeps answering.
func (s *Server) ThrottleIdentityFor(d time.Duration) {
	s.faults.throttleUntil.Store(time.Now().Add(d).UnixNano())
}

func itoa(n int) string { return strconv.Itoa(n) }
