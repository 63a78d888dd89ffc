package emulator

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fixed conventions shared with the examples and the tests.
const (
	DefaultOrg          = "demo-org"
	DefaultTenant       = "DefaultTenant"
	DefaultPartitionID  = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	DefaultClientID     = "batch-emulator"
	DefaultClientSecret = "emulator-secret-not-for-production"
	// DefaultClientName is the name of the default External Application.
	DefaultClientName = "batch-app"
	DefaultRequestLog = 200000
	// DefaultBulkMax is how many ids one bulk request may carry unless
	// Config.BulkMax says otherwise.
	DefaultBulkMax = 100
)

// Group ids that every emulated organization holds.
const (
	GroupEveryone             = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	GroupAdministrators       = "6f1b7c2a-0d4e-4c1a-9b7e-000000000002"
	GroupAutomationUsers      = "6f1b7c2a-0d4e-4c1a-9b7e-000000000003"
	GroupAutomationDevelopers = "6f1b7c2a-0d4e-4c1a-9b7e-000000000004"
	GroupFinance              = "6f1b7c2a-0d4e-4c1a-9b7e-000000000005"
)

// allScopes are the scopes the emulator knows, in the order tokens list them.
var allScopes = []string{
	"PM.User", "PM.User.Read", "PM.User.Write",
	"PM.RobotAccount", "PM.RobotAccount.Read", "PM.RobotAccount.Write",
	"OR.Users", "OR.Users.Read", "OR.Users.Write",
	"PM.Group", "PM.Group.Read", "PM.Group.Write",
	"OR.Settings", "OR.Settings.Read",
	"OR.Folders", "OR.Folders.Read", "OR.Folders.Write",
	"OR.Audit", "OR.Audit.Read", "PM.Audit", "PM.Audit.Read",
	"OR.Assets", "OR.Assets.Read", "OR.Assets.Write",
}

// Budget is a request budget: at most Requests accepted requests in any
// rolling Window.
type Budget struct {
	Requests int
	Window   time.Duration
}

// ClientApp is an External Application (confidential client).
type ClientApp struct {
	ID, Secret string
	// Name is the application's name, as an administrator gave it:
	// Orchestrator's audit log names it as the user of the changes the
	// application makes. Empty: the id followed by "-app".
	Name string
	// Scopes the application may request; empty means every known scope.
	Scopes []string
	// OrchestratorRole tells whether the application holds a role in
	// Orchestrator; without it Orchestrator answers the ABP 403.
	OrchestratorRole bool
}

// Faults are the run-time adjustable fault settings.
type Faults struct {
	Latency   time.Duration // added before every API answer
	FaultRate float64       // fraction answered 500/502/503 without applying anything
	ResetRate float64       // fraction whose connection is dropped, half before and half after applying
	// FaultStatuses narrows the injected answers to some of 500, 502 and
	// 503; empty means all three, drawn evenly.
	FaultStatuses []int
}

// Config describes an emulated organization. The zero Config is valid: an
// empty organization with the default names, client and no limits.
type Config struct {
	Org, Tenant, PartitionID string

	// Users and Robots generate that many users and robot accounts (each
	// robot account with its Orchestrator user), deterministically from Seed.
	Users, Robots int
	Seed          int64
	// Assets generates that many credential assets (some secrets, some
	// per-robot, some in an external store) over AssetFolders folders
	// under "Assets" (0: one per 100 assets), deterministically from
	// Seed; see generateAssets. They take credential store 2 (Generated
	// Vault), which a seed then cannot use.
	Assets, AssetFolders int
	// SeedFile adds the entities of a JSON or YAML file; see LoadSeedFile.
	SeedFile string
	// SeedData adds the entities of a seed given as a value, after
	// SeedFile's: what a test builds in Go. See SeedFile for the format.
	// Folder, role and the ids of Orchestrator users made for directory
	// entities start at numbers derived from Seed, so two organizations
	// of different seeds (modulo 1,000) have different ones.
	SeedData *SeedFile

	Clients       []ClientApp
	TokenLifetime time.Duration
	// Limits are Identity's budgets per HTTP method for the whole
	// organization (its API; the token endpoint is not limited).
	Limits map[string]Budget
	// OrchestratorLimits are Orchestrator's budgets per HTTP method for
	// the tenant, apart from Identity's: a request of one service never
	// spends the other's budget.
	OrchestratorLimits map[string]Budget
	NoRetryAfter       bool

	Latency   time.Duration
	FaultRate float64
	ResetRate float64
	// FaultStatuses: see Faults.
	FaultStatuses []int
	FaultSeed     int64

	RequestLogLimit int

	// BulkMax is the most ids (users, robot accounts, groups, members)
	// one bulk request may carry; more are refused with a 400 naming the
	// count. Zero means DefaultBulkMax.
	BulkMax int

	// SpecShapes answers as the published definitions say instead of as
	// the live service does: string enums for user and group types, no
	// user category, groupIDs [] for a user in no groups, group members
	// null, a group created without an id, a stable list order without
	// sortBy, 204 for deletes, and 400 for a bulk group delete without
	// ids. The default (false) answers the live service's shapes; see
	// the package documentation.
	SpecShapes bool

	// MeddleAfter makes a second administrator change the organization
	// once, as the N-th API request is handled; zero never does. Every
	// request under the Identity or Orchestrator base counts, whatever
	// its answer (429s and injected faults too); token requests and
	// /_emulator do not. See meddle.go and Server.Meddled.
	MeddleAfter int

	// AuditLag is how long a change's audit records stay out of the audit
	// logs (odata/AuditLogs, /api/AuditQuery): a record is served once
	// that long has passed since its time, as UiPath's logs fill in
	// behind the changes. Zero serves them at once.
	AuditLag time.Duration

	// UnchangedPatchRate is the fraction of PATCH odata/Users({key})
	// requests that would succeed which are answered 200 as usual but
	// change nothing and write no audit record, as a forum thread reports
	// of robot passwords ("200 OK but the password is not updating"). The
	// draw is seeded by FaultSeed; Server.UnchangedPatches says which
	// users it hit.
	UnchangedPatchRate float64

	// Log receives the emulator's notes, one line each (when the second
	// administrator meddles); nil discards them.
	Log io.Writer
}

// DefaultClient is the External Application every emulator accepts unless
// Config.Clients says otherwise.
func DefaultClient() ClientApp {
	return ClientApp{ID: DefaultClientID, Secret: DefaultClientSecret, Name: DefaultClientName, Scopes: append([]string(nil), allScopes...), OrchestratorRole: true}
}

// DisplayName is the application's name as Orchestrator's audit log
// shows it: Name, or the id followed by "-app".
func (a ClientApp) DisplayName() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID + "-app"
}

func (c *Config) applyDefaults() {
	if c.Org == "" {
		c.Org = DefaultOrg
	}
	if c.Tenant == "" {
		c.Tenant = DefaultTenant
	}
	if c.PartitionID == "" {
		c.PartitionID = DefaultPartitionID
	}
	if len(c.Clients) == 0 {
		c.Clients = []ClientApp{DefaultClient()}
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = time.Hour
	}
	if c.RequestLogLimit <= 0 {
		c.RequestLogLimit = DefaultRequestLog
	}
	if c.BulkMax == 0 {
		c.BulkMax = DefaultBulkMax
	}
}

func (c *Config) validate() error {
	if !isGUID(c.PartitionID) {
		return fmt.Errorf("partition id %q is not a GUID", c.PartitionID)
	}
	if c.Users < 0 || c.Robots < 0 {
		return fmt.Errorf("negative user or robot count")
	}
	if c.BulkMax < 0 {
		return fmt.Errorf("bulk maximum must be positive, got %d", c.BulkMax)
	}
	if c.MeddleAfter < 0 {
		return fmt.Errorf("meddle-after must be zero (never) or a positive request count, got %d", c.MeddleAfter)
	}
	if c.Assets < 0 || c.AssetFolders < 0 || c.Assets > 100_000 {
		return fmt.Errorf("generated assets and their folders: 0 to 100,000 assets, a folder count not negative; got %d and %d", c.Assets, c.AssetFolders)
	}
	if c.Robots > 999 {
		return fmt.Errorf("at most 999 generated robot accounts, got %d", c.Robots)
	}
	for _, r := range []float64{c.FaultRate, c.ResetRate, c.UnchangedPatchRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("fault, reset and unchanged-patch rates must lie in [0,1], got %v", r)
		}
	}
	if c.AuditLag < 0 {
		return fmt.Errorf("audit lag must not be negative, got %v", c.AuditLag)
	}
	if c.FaultRate+c.ResetRate > 1 {
		return fmt.Errorf("fault rate plus reset rate exceeds 1")
	}
	for _, st := range c.FaultStatuses {
		if !slices.Contains(injectedStatuses, st) {
			return fmt.Errorf("injected fault status %d: only 500, 502 and 503 are injected", st)
		}
	}
	for _, limits := range []map[string]Budget{c.Limits, c.OrchestratorLimits} {
		for m, b := range limits {
			if b.Requests <= 0 || b.Window <= 0 {
				return fmt.Errorf("budget for %s needs a positive count and window", m)
			}
		}
	}
	seen := map[string]bool{}
	for _, app := range c.Clients {
		if app.ID == "" || app.Secret == "" {
			return fmt.Errorf("client application needs an id and a secret")
		}
		if seen[app.ID] {
			return fmt.Errorf("client application %q listed twice", app.ID)
		}
		seen[app.ID] = true
		for _, s := range app.Scopes {
			if scopeBit(s) == 0 {
				return fmt.Errorf("client application %q: unknown scope %q", app.ID, s)
			}
		}
	}
	return nil
}

// CloudLimits are the published Identity Server budgets of Automation Cloud,
// per organization and rolling 5 minutes. Orchestrator publishes limits for
// a few list endpoints only (GET odata/Jobs, odata/QueueItems), none of
// which the emulator serves: it has no cloud preset.
func CloudLimits() map[string]Budget {
	w := 5 * time.Minute
	return map[string]Budget{
		"GET": {300, w}, "POST": {24000, w}, "PUT": {160, w}, "PATCH": {160, w}, "DELETE": {160, w},
	}
}

// ParseLimits reads a budget spec: "none" (or empty) for no limits, "cloud"
// for CloudLimits, "cloud:K" for the cloud budgets with windows divided by K
// (cloud:60 allows PUT 160 per 5s), or a list such as
// "GET=300/5m,PUT=160/5m,PATCH=160/5m,POST=24000/5m".
func ParseLimits(spec string) (map[string]Budget, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "" || strings.EqualFold(spec, "none"):
		return nil, nil
	case strings.EqualFold(spec, "cloud"):
		return CloudLimits(), nil
	case strings.HasPrefix(strings.ToLower(spec), "cloud:"):
		k, err := strconv.Atoi(spec[len("cloud:"):])
		if err != nil || k <= 0 {
			return nil, fmt.Errorf("limits %q: the divisor after cloud: must be a positive integer", spec)
		}
		out := CloudLimits()
		for m, b := range out {
			b.Window /= time.Duration(k)
			out[m] = b
		}
		return out, nil
	}
	out := map[string]Budget{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		method, rest, ok := strings.Cut(part, "=")
		count, window, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 {
			return nil, fmt.Errorf("limits %q: %q is not METHOD=COUNT/WINDOW", spec, part)
		}
		method = strings.ToUpper(strings.TrimSpace(method))
		if !knownMethod(method) {
			return nil, fmt.Errorf("limits %q: unknown HTTP method %q", spec, method)
		}
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("limits %q: count %q is not a positive integer", spec, count)
		}
		d, err := time.ParseDuration(strings.TrimSpace(window))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("limits %q: window %q is not a positive duration", spec, window)
		}
		if _, dup := out[method]; dup {
			return nil, fmt.Errorf("limits %q: %s given twice", spec, method)
		}
		out[method] = Budget{Requests: n, Window: d}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("limits %q: no budgets", spec)
	}
	return out, nil
}

// ParseOrchestratorLimits reads Orchestrator's budget spec: "none" (or
// empty), or a list as ParseLimits reads it. Orchestrator publishes no
// budget for the endpoints the emulator serves, so there is no "cloud".
func ParseOrchestratorLimits(spec string) (map[string]Budget, error) {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(spec)), "cloud") {
		return nil, fmt.Errorf("limits %q: Orchestrator publishes no budget for odata/Users; give METHOD=COUNT/WINDOW budgets or none", spec)
	}
	return ParseLimits(spec)
}

func knownMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}
