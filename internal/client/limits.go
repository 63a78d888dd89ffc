package client

import (
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// The services a request belongs to. Each keeps budgets of its own:
// Identity's published budgets are Identity's (its token endpoint
// included), and Orchestrator's limits are Orchestrator's.
const (
	ServiceIdentity     = "identity"
	ServiceOrchestrator = "orchestrator"
)

// services lists the services a limit may name, in the order errors list them.
var services = []string{ServiceIdentity, ServiceOrchestrator}

// ThrottleKey is the key the client gives its Throttle for a request of
// method to service, e.g. "identity:PUT": one budget per service and method.
func ThrottleKey(service, method string) string { return service + ":" + method }

// SplitThrottleKey returns the service and method of a ThrottleKey.
func SplitThrottleKey(key string) (service, method string) {
	service, method, ok := strings.Cut(key, ":")
	if !ok {
		return ServiceIdentity, key
	}
	return service, method
}

// identityWindow is the rolling window of Identity Server's budgets.
const identityWindow = 5 * time.Minute

// defaultMargin is the share of each published budget DefaultLimits keeps
// back, so that other clients of the same organization and clock drift do
// not push a run into 429s.
const defaultMargin = 0.10

// PublishedLimits returns UiPath's published budgets for the requests this
// client sends, exactly: Identity Server's GET 300, POST 24000, PUT, PATCH
// and DELETE 160 per organization and rolling 5 minutes. Orchestrator
// publishes limits for a few list endpoints only (GET odata/Jobs and
// odata/QueueItems); the odata/Users requests sent here are not among
// them, so Orchestrator has no preset budget: a limiter learns it from its
// 429s.
func PublishedLimits() budget.Limits {
	l := budget.Limits{}
	for m, n := range map[string]int{"GET": 300, "POST": 24000, "PUT": 160, "PATCH": 160, "DELETE": 160} {
		l[ThrottleKey(ServiceIdentity, m)] = budget.Budget{Requests: n, Window: identityWindow}
	}
	return l
}

// DefaultLimits returns PublishedLimits less a 10 % safety margin: Identity
// GET 270, POST 21600, PUT/PATCH/DELETE 144 per 5 minutes.
func DefaultLimits() budget.Limits {
	out := PublishedLimits()
	for k, b := range out {
		b.Requests = max(1, int(float64(b.Requests)*(1-defaultMargin)))
		out[k] = b
	}
	return out
}

// The keywords of a limits specification that choose the budgets its
// entries change.
const (
	limitsDefault = "default" // DefaultLimits()
	limitsCloud   = "cloud"   // PublishedLimits()
	limitsNone    = "none"    // no budget at all
)

// methods lists the HTTP methods a budget may name, in the order errors
// list them.
var methods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// The bounds of one budget: a request count of 1 to maxRequests, and a
// window of 1ms to maxWindow, a whole number of milliseconds (the finest
// unit Limits.String writes).
const (
	maxRequests = 1_000_000_000
	maxWindow   = 1_000_000 * time.Hour
)

// entryForm is what every entry of a limits specification may be, for
// errors.
const entryForm = "want [SERVICE:]METHOD=REQUESTS/WINDOW (e.g. PUT=160/5m or orchestrator:PATCH=100/1m) or one of default, cloud, none"

// ParseLimits reads a limits specification, a comma-separated list of
// entries:
//
//	[SERVICE:]METHOD=N/WINDOW  a budget: at most N requests of METHOD to
//	                           SERVICE in any WINDOW
//	default                    start from DefaultLimits() (what an empty
//	                           list, or one with budgets only, starts from)
//	cloud                      start from PublishedLimits(), exactly
//	none                       start from no budget at all
//
// SERVICE is identity or orchestrator (identity when left out), METHOD one
// of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, both in any case. N is a
// whole number from 1 to 1000000000; WINDOW a positive decimal number and
// a unit ms, s, m or h ("5m", "1.5h", "250ms"; a bare unit is one of it),
// a whole number of milliseconds and at most 1000000h.
//
// Each budget replaces the one of its service and method in the set the
// keyword chose, one by one, and leaves the others as they are: "PUT=100/5m"
// is DefaultLimits() with Identity PUT at 100 per 5 minutes; "none" alone is
// no budget (nil); "none,PUT=1/1s" is that one budget only. The order of the
// entries does not matter. At most one keyword may be given, each service
// and method at most once. Errors name the entry that is wrong, verbatim
// (spaces around it trimmed), and what is accepted instead.
func ParseLimits(spec string) (budget.Limits, error) {
	base, baseWord := DefaultLimits(), ""
	given := budget.Limits{}
	if strings.TrimSpace(spec) != "" {
		for part := range strings.SplitSeq(spec, ",") {
			entry := strings.TrimSpace(part)
			switch word := strings.ToLower(entry); word {
			case limitsDefault, limitsCloud, limitsNone:
				switch {
				case baseWord == word:
					return nil, fmt.Errorf("parse limits %q: entry %q given twice: give one of default, cloud, none at most once", spec, entry)
				case baseWord != "":
					return nil, fmt.Errorf("parse limits %q: entry %q: %s was given already, and only one of default, cloud, none may choose the budgets the other entries change", spec, entry, baseWord)
				}
				baseWord = word
				base = baseLimits(word)
				continue
			}
			key, b, err := parseLimit(entry)
			if err != nil {
				return nil, fmt.Errorf("parse limits %q: %w", spec, err)
			}
			if _, dup := given[key]; dup {
				return nil, fmt.Errorf("parse limits %q: entry %q: %s given twice: give each service and method one budget", spec, entry, key)
			}
			given[key] = b
		}
	}
	limits := budget.Limits{}
	maps.Copy(limits, base)
	maps.Copy(limits, given)
	if len(limits) == 0 {
		return nil, nil
	}
	return limits, nil
}

// baseLimits returns the budgets a keyword of ParseLimits starts from.
func baseLimits(word string) budget.Limits {
	switch word {
	case limitsCloud:
		return PublishedLimits()
	case limitsNone:
		return nil
	default:
		return DefaultLimits()
	}
}

// FormatLimits writes limits as a specification ParseLimits reads back to
// the same limits, for every limits ParseLimits returns: "none" for no
// budget, Limits.String() when the limits give every key DefaultLimits has
// a budget (the entries then replace all of the defaults), and "none,"
// followed by it otherwise (entries alone would keep the other defaults).
func FormatLimits(l budget.Limits) string {
	if len(l) == 0 {
		return limitsNone
	}
	for k := range DefaultLimits() {
		if _, ok := l[k]; !ok {
			return limitsNone + "," + l.String()
		}
	}
	return l.String()
}

// parseLimit reads one "[SERVICE:]METHOD=N/WINDOW" entry.
func parseLimit(entry string) (string, budget.Budget, error) {
	if entry == "" {
		return "", budget.Budget{}, fmt.Errorf("entry %q is empty (two commas, or one at an end): %s", entry, entryForm)
	}
	name, rest, ok := strings.Cut(entry, "=")
	service, method, named := strings.Cut(name, ":")
	if !named {
		service, method = ServiceIdentity, service
	}
	service, method = strings.TrimSpace(service), strings.TrimSpace(method)
	if !ok || method == "" {
		return "", budget.Budget{}, fmt.Errorf("entry %q: %s", entry, entryForm)
	}
	if !slices.Contains(services, strings.ToLower(service)) {
		return "", budget.Budget{}, fmt.Errorf("entry %q: service %q is not one of %s", entry, service, strings.Join(services, ", "))
	}
	if !slices.Contains(methods, strings.ToUpper(method)) {
		return "", budget.Budget{}, fmt.Errorf("entry %q: method %q is not one of %s", entry, method, strings.Join(methods, ", "))
	}
	count, window, ok := strings.Cut(rest, "/")
	if !ok {
		return "", budget.Budget{}, fmt.Errorf("entry %q: want REQUESTS/WINDOW after the =, e.g. %s=160/5m", entry, name)
	}
	n, err := parseRequests(strings.TrimSpace(count))
	if err != nil {
		return "", budget.Budget{}, fmt.Errorf("entry %q: %w", entry, err)
	}
	w, err := parseWindow(strings.TrimSpace(window))
	if err != nil {
		return "", budget.Budget{}, fmt.Errorf("entry %q: %w", entry, err)
	}
	return ThrottleKey(strings.ToLower(service), strings.ToUpper(method)), budget.Budget{Requests: n, Window: w}, nil
}

// parseRequests reads a budget's request count: a whole number from 1 to
// maxRequests, digits only.
func parseRequests(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || !isDigits(s) || n < 1 || n > maxRequests {
		return 0, fmt.Errorf("request count %q is not a whole number from 1 to %d", s, maxRequests)
	}
	return n, nil
}

// parseWindow reads "5m", "300s", "250ms", "1.5h" (or a bare unit: "m" is
// 1m), exactly: a window that is not a whole number of milliseconds is
// refused, not rounded.
func parseWindow(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		if num == "" {
			return u.unit, nil
		}
		whole, frac, _ := strings.Cut(num, ".")
		if whole+frac == "" || !isDigits(whole+frac) {
			return 0, fmt.Errorf("window %q: %q is not a positive decimal number: want e.g. 5m, 1.5h, 300s, 250ms", s, num)
		}
		r, ok := new(big.Rat).SetString(num)
		if !ok {
			return 0, fmt.Errorf("window %q: %q is not a positive decimal number: want e.g. 5m, 1.5h, 300s, 250ms", s, num)
		}
		ms := r.Mul(r, new(big.Rat).SetInt64(int64(u.unit/time.Millisecond)))
		switch {
		case ms.Sign() == 0:
			return 0, fmt.Errorf("window %q is zero: want at least 1ms", s)
		case !ms.IsInt():
			return 0, fmt.Errorf("window %q is not a whole number of milliseconds: want e.g. 1500ms, 1.5s, 2ms", s)
		case ms.Num().Cmp(big.NewInt(int64(maxWindow/time.Millisecond))) > 0:
			return 0, fmt.Errorf("window %q is longer than %dh", s, maxWindow/time.Hour)
		}
		return time.Duration(ms.Num().Int64()) * time.Millisecond, nil
	}
	return 0, fmt.Errorf("window %q does not end in a unit ms, s, m, h: want a positive number and one of them, e.g. 5m, 300s, 250ms", s)
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
