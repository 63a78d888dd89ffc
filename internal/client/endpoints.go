package client

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoints are the resolved base URLs, without trailing slashes.
type Endpoints struct {
	// Identity is the identity API base, e.g. https://cloud.uipath.com/org/identity_.
	Identity string
	// Token is the OAuth2 token endpoint.
	Token string
	// Orchestrator is the Orchestrator base; empty when no tenant is set.
	Orchestrator string
}

// Endpoints resolves the base URLs for the deployment the settings describe:
// cloud, public sector, dedicated and Automation Suite use
// {uri}/{org}/identity_ with the token at {uri}/identity_/connect/token;
// standalone sets UIPATH_IDENTITY_URI (https://host/identity). Explicit
// overrides win. Plain http:// is refused except to loopback.
func (s Settings) Endpoints() (Endpoints, error) {
	uri := s.URI
	if uri == "" {
		uri = DefaultURI
	}
	root, err := s.checkURL(EnvURI, uri)
	if err != nil {
		return Endpoints{}, err
	}
	var ep Endpoints
	needOrg := func(what string) error {
		if s.Organization == "" {
			return fmt.Errorf("organization missing: set %s (the organization name in %s/ORG/...) to reach the %s, or set %s", EnvOrganization, root, what, EnvIdentityURI)
		}
		return nil
	}

	identityURI, identityName := s.IdentityURI, EnvIdentityURI
	if base := strings.TrimSuffix(strings.TrimRight(s.TokenURI, "/"), "/connect/token"); identityURI == "" && s.TokenURI != "" &&
		(s.Organization == "" || strings.HasSuffix(base, "/identity")) {
		// A uipathcli profile for a standalone server names its identity
		// base in auth.uri only; an identity base ending in /identity is a
		// standalone server even when the profile names an organization
		// too (its paths have no organization segment).
		identityURI, identityName = base, settingTokenURI
	}
	standalone := false
	if identityURI != "" {
		id, err := s.checkURL(identityName, identityURI)
		if err != nil {
			return Endpoints{}, err
		}
		ep.Identity = id
		standalone = strings.HasSuffix(id, "/identity")
	} else {
		if err := needOrg("identity API"); err != nil {
			return Endpoints{}, err
		}
		ep.Identity = root + "/" + url.PathEscape(s.Organization) + "/identity_"
	}

	switch {
	case s.TokenURI != "":
		tok, err := s.checkURL(settingTokenURI, s.TokenURI)
		if err != nil {
			return Endpoints{}, err
		}
		ep.Token = tokenEndpoint(tok)
	case identityURI != "" && s.Organization != "" && strings.HasSuffix(ep.Identity, "/"+url.PathEscape(s.Organization)+"/identity_"):
		ep.Token = strings.TrimSuffix(ep.Identity, "/"+url.PathEscape(s.Organization)+"/identity_") + "/identity_/connect/token"
	case identityURI != "":
		ep.Token = ep.Identity + "/connect/token"
	default:
		ep.Token = root + "/identity_/connect/token"
	}

	switch {
	case s.OrchestratorURI != "":
		orch, err := s.checkURL(EnvOrchestratorURI, s.OrchestratorURI)
		if err != nil {
			return Endpoints{}, err
		}
		ep.Orchestrator = orch
	case standalone:
		u, _ := url.Parse(ep.Identity)
		ep.Orchestrator = u.Scheme + "://" + u.Host
	case s.Tenant != "":
		if err := needOrg("Orchestrator API"); err != nil {
			return Endpoints{}, err
		}
		ep.Orchestrator = root + "/" + url.PathEscape(s.Organization) + "/" + url.PathEscape(s.Tenant) + "/orchestrator_"
	}
	return ep, nil
}

// tokenEndpoint accepts either the token endpoint or the base it hangs under.
func tokenEndpoint(u string) string {
	if strings.HasSuffix(u, "/connect/token") {
		return u
	}
	return u + "/connect/token"
}

// checkURL validates an absolute http(s) URL and drops trailing slashes,
// naming the setting and its origin in errors.
func (s Settings) checkURL(name, raw string) (string, error) {
	where := fmt.Sprintf("%s (from %s)", name, s.origin(name))
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%s: %q is not a URL: %w", where, raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%s: %q is not an absolute https:// URL", where, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s: %q must not carry credentials, a query or a fragment", where, u.Redacted())
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%s: plain http:// to %s is refused (credentials would travel unencrypted); use https://, or http:// only to a loopback address", where, u.Host)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// isLoopback reports 127.0.0.0/8, ::1 and localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
