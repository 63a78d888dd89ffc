package client

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/worker"
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

// Budget is a rolling-window allowance (at most Requests requests in any
// span of Window), the worker's: the client says what UiPath allows, the
// worker's limiter keeps to it. String formats it the way ParseLimits
// reads it ("160/5m").
type Budget = worker.Budget

// Limits holds budgets by ThrottleKey ("identity:PUT"). A key without a
// budget is unlimited, though a limiter may still learn its budget from
// 429 answers. String formats them the way ParseLimits reads them, sorted
// by key; nil or empty limits format as "none".
type Limits = worker.Limits

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
func PublishedLimits() Limits {
	l := Limits{}
	for m, n := range map[string]int{"GET": 300, "POST": 24000, "PUT": 160, "PATCH": 160, "DELETE": 160} {
		l[ThrottleKey(ServiceIdentity, m)] = Budget{Requests: n, Window: identityWindow}
	}
	return l
}

// DefaultLimits returns PublishedLimits less a 10 % safety margin: Identity
// GET 270, POST 21600, PUT/PATCH/DELETE 144 per 5 minutes.
func DefaultLimits() Limits {
	out := PublishedLimits()
	for k, b := range out {
		b.Requests = max(1, int(float64(b.Requests)*(1-defaultMargin)))
		out[k] = b
	}
	return out
}

// ParseLimits reads a limits specification, a comma-separated list of:
//
//	[SERVICE:]METHOD=N/WINDOW  a budget (SERVICE identity or orchestrator,
//	                           identity when left out; WINDOW in ms, s, m, h)
//	default                    DefaultLimits()
//	cloud                      PublishedLimits(), exactly
//
// "none" or "" alone means no budget for any service. Budgets given after
// default or cloud replace theirs. Errors name the part that is wrong.
func ParseLimits(spec string) (Limits, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "none") {
		return nil, nil
	}
	limits := Limits{}
	given := map[string]bool{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		switch strings.ToLower(part) {
		case "default":
			for k, b := range DefaultLimits() {
				if !given[k] {
					limits[k] = b
				}
			}
			continue
		case "cloud":
			for k, b := range PublishedLimits() {
				if !given[k] {
					limits[k] = b
				}
			}
			continue
		case "none":
			return nil, fmt.Errorf("parse limits %q: none turns every budget off and goes alone", spec)
		}
		key, budget, err := parseLimit(part)
		if err != nil {
			return nil, fmt.Errorf("parse limits %q: %w", spec, err)
		}
		if given[key] {
			return nil, fmt.Errorf("parse limits %q: %s given twice", spec, key)
		}
		given[key] = true
		limits[key] = budget
	}
	return limits, nil
}

// parseLimit reads one "[SERVICE:]METHOD=N/WINDOW" part.
func parseLimit(part string) (string, Budget, error) {
	name, rest, ok := strings.Cut(part, "=")
	service, method, named := strings.Cut(strings.TrimSpace(name), ":")
	if !named {
		service, method = ServiceIdentity, service
	}
	service = strings.ToLower(strings.TrimSpace(service))
	method = strings.ToUpper(strings.TrimSpace(method))
	if !ok || method == "" {
		return "", Budget{}, fmt.Errorf("%q: want [SERVICE:]METHOD=REQUESTS/WINDOW, e.g. PUT=160/5m or orchestrator:PATCH=100/1m", part)
	}
	if !slices.Contains(services, service) {
		return "", Budget{}, fmt.Errorf("%q: service %q is not one of %s", part, service, strings.Join(services, ", "))
	}
	for _, r := range method {
		if r < 'A' || r > 'Z' {
			return "", Budget{}, fmt.Errorf("%q: method %q is not an HTTP method name", part, method)
		}
	}
	count, window, ok := strings.Cut(rest, "/")
	if !ok {
		return "", Budget{}, fmt.Errorf("%q: want REQUESTS/WINDOW after %s=, e.g. 160/5m", part, method)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n <= 0 {
		return "", Budget{}, fmt.Errorf("%q: request count %q is not a positive whole number", part, count)
	}
	w, err := parseWindow(strings.TrimSpace(window))
	if err != nil {
		return "", Budget{}, fmt.Errorf("%q: %w", part, err)
	}
	return ThrottleKey(service, method), Budget{Requests: n, Window: w}, nil
}

var errWindowUnit = errors.New("window needs a positive number and a unit ms, s, m or h (e.g. 5m)")

// parseWindow reads "5m", "300s", "250ms", "1h" (or a bare unit: "m" is 1m).
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
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f <= 0 || f > 1e6 {
			return 0, fmt.Errorf("window %q: %w", s, errWindowUnit)
		}
		return time.Duration(f * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("window %q: %w", s, errWindowUnit)
}
