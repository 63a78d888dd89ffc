package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// scopeSet is a set of known scopes as bits, so a scope check is one AND.
type scopeSet uint32

func scopeBit(name string) scopeSet {
	for i, s := range allScopes {
		if s == name {
			return 1 << i
		}
	}
	return 0
}

func scopesOf(names []string) scopeSet {
	var set scopeSet
	for _, n := range names {
		set |= scopeBit(n)
	}
	return set
}

func (set scopeSet) names() []string {
	var out []string
	for i, s := range allScopes {
		if set&(1<<i) != 0 {
			out = append(out, s)
		}
	}
	return out
}

// Scope requirements of the endpoint families: any one bit suffices.
var (
	scopeUserRead     = scopesOf([]string{"PM.User", "PM.User.Read"})
	scopeUserWrite    = scopesOf([]string{"PM.User", "PM.User.Write"})
	scopeRobotRead    = scopesOf([]string{"PM.RobotAccount", "PM.RobotAccount.Read"})
	scopeRobotWrite   = scopesOf([]string{"PM.RobotAccount", "PM.RobotAccount.Write"})
	scopeOrchRead     = scopesOf([]string{"OR.Users", "OR.Users.Read"})
	scopeOrchWrite    = scopesOf([]string{"OR.Users", "OR.Users.Write"})
	scopeGroupRead    = scopesOf([]string{"PM.Group", "PM.Group.Read"})
	scopeGroupWrite   = scopesOf([]string{"PM.Group", "PM.Group.Write"})
	scopeSettingsRead = scopesOf([]string{"OR.Settings", "OR.Settings.Read"})
	scopeFoldersRead  = scopesOf([]string{"OR.Folders", "OR.Folders.Read"})
	scopeFoldersWrite = scopesOf([]string{"OR.Folders", "OR.Folders.Write"})
	scopeOrchAudit    = scopesOf([]string{"OR.Audit", "OR.Audit.Read"})
	scopeIdentAudit   = scopesOf([]string{"PM.Audit", "PM.Audit.Read"})
	scopeAssetsRead   = scopesOf([]string{"OR.Assets", "OR.Assets.Read"})
	scopeAssetsWrite  = scopesOf([]string{"OR.Assets", "OR.Assets.Write"})
)

// grant is what an issued access token stands for.
type grant struct {
	clientID         string
	scopes           scopeSet
	orchestratorRole bool
	expires          time.Time
}

// tokenIssuer signs JWTs and remembers the ones it issued, so validating a
// bearer token is a map lookup.
type tokenIssuer struct {
	key       []byte
	issuer    string
	partition string
	lifetime  time.Duration
	clients   map[string]ClientApp

	mu     sync.RWMutex
	issued map[string]grant
	serial atomic.Int64
}

func newTokenIssuer(issuer, partition string, lifetime time.Duration, clients []ClientApp) *tokenIssuer {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	byID := make(map[string]ClientApp, len(clients))
	for _, c := range clients {
		byID[c.ID] = c
	}
	return &tokenIssuer{key: key, issuer: issuer, partition: partition, lifetime: lifetime, clients: byID, issued: map[string]grant{}}
}

// lookup returns the grant of a bearer token; ok is false for an unknown or
// expired token.
func (t *tokenIssuer) lookup(token string, now time.Time) (grant, bool) {
	t.mu.RLock()
	g, ok := t.issued[token]
	t.mu.RUnlock()
	if !ok || !now.Before(g.expires) {
		return grant{}, false
	}
	return g, true
}

type tokenClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	ClientID  string   `json:"client_id"`
	Partition string   `json:"prt_id"`
	Scope     []string `json:"scope"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	Expires   int64    `json:"exp"`
	ID        string   `json:"jti"`
}

// issue signs a token for app with the given scopes.
func (t *tokenIssuer) issue(app ClientApp, scopes scopeSet, now time.Time) string {
	exp := now.Add(t.lifetime)
	claims := tokenClaims{
		Issuer: t.issuer, Subject: app.ID, ClientID: app.ID, Partition: t.partition,
		Scope: scopes.names(), IssuedAt: now.Unix(), NotBefore: now.Unix(), Expires: exp.Unix(),
		ID: base64.RawURLEncoding.EncodeToString(randomBytes(12)),
	}
	body, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(signing))
	token := signing + "." + enc.EncodeToString(mac.Sum(nil))

	t.mu.Lock()
	if t.serial.Add(1)%1024 == 0 {
		for k, g := range t.issued {
			if !now.Before(g.expires) {
				delete(t.issued, k)
			}
		}
	}
	t.issued[token] = grant{clientID: app.ID, scopes: scopes, orchestratorRole: app.OrchestratorRole, expires: exp}
	t.mu.Unlock()
	return token
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// handleToken serves POST …/connect/token (client credentials only).
// Credentials are read from the form body alone: an HTTP Basic header without
// form credentials is invalid_client.
func (s *Server) handleToken(c *call) {
	s.log.tokenRequest()
	c.template = "POST /connect/token"
	c.trace = s.traces.next()
	w, r := c.w, c.r
	w.Header()["X-Request-Id"] = []string{c.trace}
	if status, ok := s.faults.takeTokenFault(); ok {
		s.tokenFault(c, status)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		c.empty(http.StatusMethodNotAllowed)
		return
	}
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		c.oauthError("invalid_request", "the request body must be application/x-www-form-urlencoded")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.oauthError("invalid_request", "the form body could not be read")
		return
	}
	form := r.PostForm
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if id == "" || secret == "" {
		desc := "client_id and client_secret are required in the form body"
		if _, _, basic := r.BasicAuth(); basic {
			desc = "client credentials must be sent in the form body, not in an Authorization header"
		}
		c.oauthError("invalid_client", desc)
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "":
		c.oauthError("invalid_request", "grant_type is required")
		return
	case "client_credentials":
	default:
		c.oauthError("unsupported_grant_type", "only client_credentials is supported")
		return
	}
	app, known := s.tokens.clients[id]
	if !known || !hmac.Equal([]byte(app.Secret), []byte(secret)) {
		c.oauthError("invalid_client", "unknown client or wrong client secret")
		return
	}
	allowed := scopesOf(app.Scopes)
	if len(app.Scopes) == 0 {
		allowed = scopesOf(allScopes)
	}
	granted := allowed
	if requested := strings.Fields(form.Get("scope")); len(requested) > 0 {
		granted = 0
		var refused []string
		for _, name := range requested {
			bit := scopeBit(name)
			if bit == 0 || allowed&bit == 0 {
				refused = append(refused, name)
				continue
			}
			granted |= bit
		}
		if len(refused) > 0 {
			c.oauthError("invalid_scope", "scopes not allowed for this client: "+strings.Join(refused, " "))
			return
		}
	}
	token := s.tokens.issue(app, granted, time.Now())
	body, _ := json.Marshal(map[string]any{
		"access_token": token,
		"expires_in":   int(s.tokens.lifetime / time.Second),
		"token_type":   "Bearer",
		"scope":        strings.Join(granted.names(), " "),
	})
	w.Header().Set("Cache-Control", "no-store")
	c.clientID = app.ID
	c.json(http.StatusOK, body)
}

// tokenFault answers a token request with a queued fault.
func (s *Server) tokenFault(c *call, status int) {
	switch status {
	case 0:
		c.drop()
	case http.StatusTooManyRequests:
		s.tooManyRequests(c, time.Second)
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable:
		c.serverFault(faultFor(status))
	default:
		c.empty(status)
	}
}
