package worker

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Budget is a rolling-window allowance: at most Requests requests in any
// span of Window.
type Budget struct {
	Requests int
	Window   time.Duration
}

// String formats the budget the way ParseLimits reads it ("160/5m").
func (b Budget) String() string {
	return strconv.Itoa(b.Requests) + "/" + formatWindow(b.Window)
}

// Limits holds one budget per HTTP method (upper case). A nil or empty
// Limits leaves every method unlimited (though a Limiter may still learn
// budgets from 429 answers).
type Limits map[string]Budget

// cloudWindow is the rolling window of UiPath's Identity Server budgets.
const cloudWindow = 5 * time.Minute

// defaultMargin is the share of each published budget DefaultLimits keeps
// back, so that other clients of the same organization and clock drift do
// not push a run into 429s.
const defaultMargin = 0.10

// CloudLimits returns UiPath's published Identity Server budgets exactly:
// GET 300, POST 24000, PUT, PATCH and DELETE 160 per rolling 5 minutes.
func CloudLimits() Limits {
	return Limits{
		"GET":    {Requests: 300, Window: cloudWindow},
		"POST":   {Requests: 24000, Window: cloudWindow},
		"PUT":    {Requests: 160, Window: cloudWindow},
		"PATCH":  {Requests: 160, Window: cloudWindow},
		"DELETE": {Requests: 160, Window: cloudWindow},
	}
}

// DefaultLimits returns the published budgets (CloudLimits) less a 10 %
// safety margin: GET 270, POST 21600, PUT/PATCH/DELETE 144 per 5 minutes.
func DefaultLimits() Limits {
	return CloudLimits().withMargin(defaultMargin)
}

// withMargin returns a copy with each budget's Requests reduced by the
// fraction margin, never below one request.
func (l Limits) withMargin(margin float64) Limits {
	if l == nil {
		return nil
	}
	out := make(Limits, len(l))
	for m, b := range l {
		b.Requests = max(1, int(float64(b.Requests)*(1-margin)))
		out[m] = b
	}
	return out
}

// ParseLimits reads a limits specification:
//
//	"GET=300/5m,PUT=160/5m"  per-method budgets (window units ms, s, m, h)
//	"none" or ""             nil: no configured budget for any method
//	"default"                DefaultLimits()
//	"cloud"                  CloudLimits(), the published budgets exactly
//
// Errors name the part of the specification that is wrong.
func ParseLimits(spec string) (Limits, error) {
	spec = strings.TrimSpace(spec)
	switch strings.ToLower(spec) {
	case "", "none":
		return nil, nil
	case "default":
		return DefaultLimits(), nil
	case "cloud":
		return CloudLimits(), nil
	}
	limits := Limits{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		method, budget, err := parseLimit(part)
		if err != nil {
			return nil, fmt.Errorf("parse limits %q: %w", spec, err)
		}
		if _, dup := limits[method]; dup {
			return nil, fmt.Errorf("parse limits %q: %s given twice", spec, method)
		}
		limits[method] = budget
	}
	return limits, nil
}

// parseLimit reads one "METHOD=N/WINDOW" part.
func parseLimit(part string) (string, Budget, error) {
	method, rest, ok := strings.Cut(part, "=")
	method = strings.ToUpper(strings.TrimSpace(method))
	if !ok || method == "" {
		return "", Budget{}, fmt.Errorf("%q: want METHOD=REQUESTS/WINDOW, e.g. PUT=160/5m", part)
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
	return method, Budget{Requests: n, Window: w}, nil
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

// String formats the limits as ParseLimits reads them, methods sorted;
// nil or empty limits format as "none".
func (l Limits) String() string {
	if len(l) == 0 {
		return "none"
	}
	methods := make([]string, 0, len(l))
	for m := range l {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	var sb strings.Builder
	for i, m := range methods {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(m + "=" + l[m].String())
	}
	return sb.String()
}

// formatWindow writes a window in the largest unit that divides it.
func formatWindow(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d > 0 && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	default:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
}
