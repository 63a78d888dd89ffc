package client

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// with returns base with the budgets of over replacing theirs.
func with(base budget.Limits, over budget.Limits) budget.Limits {
	out := budget.Limits{}
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}

func TestParseLimits(t *testing.T) {
	id := func(m string) string { return ThrottleKey(ServiceIdentity, m) }
	orch := func(m string) string { return ThrottleKey(ServiceOrchestrator, m) }
	b := func(n int, w time.Duration) budget.Budget { return budget.Budget{Requests: n, Window: w} }
	def, cloud := DefaultLimits(), PublishedLimits()
	for _, tc := range []struct {
		name, spec string
		want       budget.Limits
	}{
		// The keywords alone.
		{"none", "none", nil},
		{"none in capitals", " NONE ", nil},
		{"blank is the defaults", "", def},
		{"spaces are the defaults", "  ", def},
		{"default", "default", def},
		{"default in capitals", "DEFAULT", def},
		{"cloud", "cloud", cloud},

		// One method overridden: every other default is kept.
		{"PUT overrides the default PUT only", "PUT=100/5m", with(def, budget.Limits{id("PUT"): b(100, 5*time.Minute)})},
		{"GET overrides the default GET only", "identity:GET=10/1s", with(def, budget.Limits{id("GET"): b(10, time.Second)})},
		{"an Orchestrator budget is added to the defaults", "orchestrator:PATCH=100/1m", with(def, budget.Limits{orch("PATCH"): b(100, time.Minute)})},
		{"a method without a default budget is added", "HEAD=5/1s,OPTIONS=1/1h", with(def, budget.Limits{id("HEAD"): b(5, time.Second), id("OPTIONS"): b(1, time.Hour)})},
		{"default spelled out", "default,orchestrator:PATCH=100/1m", with(def, budget.Limits{orch("PATCH"): b(100, time.Minute)})},
		{"default after the budgets", "identity:PUT=5/10s,default", with(def, budget.Limits{id("PUT"): b(5, 10*time.Second)})},
		{"cloud with one budget", "PUT=1/1s,cloud", with(cloud, budget.Limits{id("PUT"): b(1, time.Second)})},
		{"every default overridden", "GET=300/5m,PUT=160/5m,PATCH=160/5m,POST=24000/5m,DELETE=160/5m", cloud},
		{"some defaults overridden", "GET=300/5m,PUT=160/5m,PATCH=160/5m,POST=24000/5m", with(cloud, budget.Limits{id("DELETE"): def[id("DELETE")]})},

		// none: only the budgets given.
		{"none with one budget", "none,PUT=1/1s", budget.Limits{id("PUT"): b(1, time.Second)}},
		{"none after the budget", "PUT=1/5m,none", budget.Limits{id("PUT"): b(1, 5*time.Minute)}},
		{"none with both services", "identity:PUT=160/5m,Orchestrator:get=100/1m,none", budget.Limits{id("PUT"): b(160, 5*time.Minute), orch("GET"): b(100, time.Minute)}},

		// Case, spaces and the forms of a window.
		{"case and spaces", " none, put = 160/5s , get=10/250ms,delete=1/h,post=5/1.5h,IDENTITY:patch=2/ 0.5s ", budget.Limits{
			id("PUT"): b(160, 5*time.Second), id("GET"): b(10, 250*time.Millisecond),
			id("DELETE"): b(1, time.Hour), id("POST"): b(5, 90*time.Minute), id("PATCH"): b(2, 500*time.Millisecond),
		}},
		{"windows", "none,GET=1/300s,PUT=1/.5m,POST=1/1.250s,PATCH=1/2.m,DELETE=1/1000000h,HEAD=1/1ms", budget.Limits{
			id("GET"): b(1, 5*time.Minute), id("PUT"): b(1, 30*time.Second), id("POST"): b(1, 1250*time.Millisecond),
			id("PATCH"): b(1, 2*time.Minute), id("DELETE"): b(1, maxWindow), id("HEAD"): b(1, time.Millisecond),
		}},
		{"counts", "none,GET=1000000000/1s,PUT=007/1s", budget.Limits{id("GET"): b(maxRequests, time.Second), id("PUT"): b(7, time.Second)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLimits(tc.spec)
			if err != nil {
				t.Fatalf("ParseLimits(%q): %v", tc.spec, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseLimits(%q) =\n  %v, want\n  %v", tc.spec, got, tc.want)
			}
		})
	}
}

// A spec ParseLimits refuses gives an error that names the wrong entry
// verbatim and what is accepted instead.
func TestParseLimitsRefuses(t *testing.T) {
	const methodList = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
	for _, tc := range []struct {
		name, spec string
		mention    []string
	}{
		// Unknown methods and services.
		{"unknown method", "orchestrator:FOO=1/1s", []string{`entry "orchestrator:FOO=1/1s"`, `method "FOO"`, methodList}},
		{"unknown method, lower case", "PUT=1/1s,foo=1/1s", []string{`entry "foo=1/1s"`, `method "foo"`, methodList}},
		{"CONNECT is no method of this client", "CONNECT=1/1s", []string{`entry "CONNECT=1/1s"`, methodList}},
		{"not a method name", "P-T=1/5m", []string{`entry "P-T=1/5m"`, `method "P-T"`, methodList}},
		{"unknown service", "orchestra:PUT=1/5m", []string{`entry "orchestra:PUT=1/5m"`, `service "orchestra"`, "identity, orchestrator"}},
		{"service in capitals, unknown", "ORCHESTRA:put=1/5m", []string{`entry "ORCHESTRA:put=1/5m"`, `service "ORCHESTRA"`, "identity, orchestrator"}},
		{"empty service", ":PUT=1/5m", []string{`entry ":PUT=1/5m"`, `service ""`, "identity, orchestrator"}},

		// Entries of the wrong shape.
		{"no budget", "PUT", []string{`entry "PUT"`, "[SERVICE:]METHOD=REQUESTS/WINDOW", "default, cloud, none"}},
		{"unknown keyword", "defaults", []string{`entry "defaults"`, "[SERVICE:]METHOD=REQUESTS/WINDOW", "default, cloud, none"}},
		{"no method", "=160/5m", []string{`entry "=160/5m"`, "[SERVICE:]METHOD=REQUESTS/WINDOW"}},
		{"no window", "PUT=160", []string{`entry "PUT=160"`, "REQUESTS/WINDOW", "160/5m"}},
		{"trailing comma", "PUT=1/5m,", []string{`entry ""`, "empty", "[SERVICE:]METHOD=REQUESTS/WINDOW"}},
		{"double comma", "PUT=1/5m,,GET=1/1s", []string{`entry ""`, "empty"}},
		{"a comma alone", ",", []string{`entry ""`, "empty"}},

		// Bad request counts.
		{"zero requests", "PUT=0/5m", []string{`entry "PUT=0/5m"`, `request count "0"`, "whole number from 1 to 1000000000"}},
		{"negative requests", "PUT=-3/5m", []string{`entry "PUT=-3/5m"`, `"-3"`, "from 1"}},
		{"signed requests", "PUT=+3/5m", []string{`entry "PUT=+3/5m"`, `"+3"`, "from 1"}},
		{"words for requests", "PUT=abc/5m", []string{`entry "PUT=abc/5m"`, `"abc"`, "from 1"}},
		{"fractional requests", "PUT=1.5/5m", []string{`"1.5"`, "whole number"}},
		{"no requests", "PUT=/5m", []string{`entry "PUT=/5m"`, `request count ""`}},
		{"too many requests", "PUT=1000000001/5m", []string{`"1000000001"`, "to 1000000000"}},
		{"requests overflow", "PUT=99999999999999999999999/5m", []string{`"99999999999999999999999"`, "to 1000000000"}},

		// Bad windows.
		{"no unit", "PUT=160/5", []string{`entry "PUT=160/5"`, `window "5"`, "ms, s, m, h"}},
		{"unknown unit", "PUT=160/5d", []string{`entry "PUT=160/5d"`, `window "5d"`, "ms, s, m, h"}},
		{"zero window", "PUT=160/0s", []string{`entry "PUT=160/0s"`, `window "0s" is zero`, "at least 1ms"}},
		{"zero window, decimal", "PUT=160/0.000m", []string{`window "0.000m" is zero`}},
		{"negative window", "PUT=160/-5m", []string{`entry "PUT=160/-5m"`, `window "-5m"`, "positive decimal number"}},
		{"empty window", "PUT=160/", []string{`entry "PUT=160/"`, `window ""`}},
		{"NaN window", "PUT=1/NaNs", []string{`window "NaNs"`, "positive decimal number"}},
		{"exponent window", "PUT=1/1e3s", []string{`window "1e3s"`, "positive decimal number"}},
		{"a point alone", "PUT=1/.s", []string{`window ".s"`, "positive decimal number"}},
		{"below a millisecond", "PUT=1/0.5ms", []string{`window "0.5ms"`, "whole number of milliseconds"}},
		{"not whole milliseconds", "PUT=1/1.0005s", []string{`window "1.0005s"`, "whole number of milliseconds"}},
		{"too long", "PUT=1/1000001h", []string{`window "1000001h"`, "longer than 1000000h"}},
		{"a window after the error", "GET=300/5m,PUT=160/5x", []string{`entry "PUT=160/5x"`, `window "5x"`}},

		// Entries given twice, and keywords.
		{"method twice", "PUT=1/5m,put=2/5m", []string{`entry "put=2/5m"`, "identity:PUT given twice"}},
		{"method twice, service named once", "PUT=1/5m,identity:PUT=2/5m", []string{`entry "identity:PUT=2/5m"`, "twice"}},
		{"keyword twice", "none,NONE", []string{`entry "NONE"`, "twice"}},
		{"none and default", "none,PUT=1/1s,default", []string{`entry "default"`, "none was given already", "one of default, cloud, none"}},
		{"default and cloud", "default,cloud", []string{`entry "cloud"`, "default was given already"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLimits(tc.spec)
			if err == nil {
				t.Fatalf("ParseLimits(%q) = %v, want an error", tc.spec, got)
			}
			if got != nil {
				t.Errorf("ParseLimits(%q) returned %v with its error", tc.spec, got)
			}
			for _, m := range append([]string{"parse limits " + strconv.Quote(tc.spec)}, tc.mention...) {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("ParseLimits(%q) error %q does not say %s", tc.spec, err, m)
				}
			}
		})
	}
}

func TestDefaultLimitsKeepMarginAndBudgetIdentityOnly(t *testing.T) {
	cloud, def := PublishedLimits(), DefaultLimits()
	want := map[string]int{"GET": 300, "POST": 24000, "PUT": 160, "PATCH": 160, "DELETE": 160}
	for m, n := range want {
		k := ThrottleKey(ServiceIdentity, m)
		if cloud[k].Requests != n || cloud[k].Window != 5*time.Minute {
			t.Errorf("cloud %s = %v, want %d/5m", k, cloud[k], n)
		}
		if d := def[k]; d.Requests != n*9/10 || d.Window != 5*time.Minute {
			t.Errorf("default %s = %v, want %d/5m", k, d, n*9/10)
		}
	}
	if len(def) != len(want) || len(cloud) != len(want) {
		t.Errorf("budgets beyond Identity's: default %v, cloud %v", def, cloud)
	}
}

// Limits.String() reads back to the same limits when they are none or give
// every default key a budget; FormatLimits reads back to the same limits
// always.
func TestLimitsStringRoundTrips(t *testing.T) {
	for _, tc := range []struct{ spec, format string }{
		{"none", "none"},
		{"", "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m"},
		{"cloud", "identity:DELETE=160/5m,identity:GET=300/5m,identity:PATCH=160/5m,identity:POST=24000/5m,identity:PUT=160/5m"},
		{"PUT=1/1h", "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=1/1h"},
		{"none,GET=10/250ms,PUT=1/1h,POST=7/90s", "none,identity:GET=10/250ms,identity:POST=7/90s,identity:PUT=1/1h"},
		{"orchestrator:PATCH=5/30s,PUT=1/1.5h,none", "none,identity:PUT=1/90m,orchestrator:PATCH=5/30s"},
		{"default,orchestrator:GET=100/60s", "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m,orchestrator:GET=100/1m"},
	} {
		l, err := ParseLimits(tc.spec)
		if err != nil {
			t.Fatalf("ParseLimits(%q): %v", tc.spec, err)
		}
		if got := FormatLimits(l); got != tc.format {
			t.Errorf("FormatLimits(ParseLimits(%q)) = %q, want %q", tc.spec, got, tc.format)
		}
		if again, err := ParseLimits(FormatLimits(l)); err != nil || !reflect.DeepEqual(again, l) {
			t.Errorf("%q → %q → %v (%v), want %v", tc.spec, FormatLimits(l), again, err, l)
		}
		if !strings.HasPrefix(tc.format, "none,") {
			if again, err := ParseLimits(l.String()); err != nil || !reflect.DeepEqual(again, l) {
				t.Errorf("%q → String %q → %v (%v), want %v", tc.spec, l.String(), again, err, l)
			}
		}
	}
	// Without none, budgets alone keep the other defaults: String() of a
	// subset of them does not read back to itself.
	l := budget.Limits{ThrottleKey(ServiceIdentity, "PUT"): {Requests: 1, Window: time.Second}}
	if again, _ := ParseLimits(l.String()); reflect.DeepEqual(again, l) {
		t.Errorf("ParseLimits(%q) = %v: the defaults were dropped", l.String(), again)
	}
}

// FuzzParseLimits: ParseLimits never panics; what it accepts is a valid
// set of budgets (known services and methods, counts from 1 to
// maxRequests, windows of whole milliseconds from 1ms to maxWindow) that
// FormatLimits writes back to a spec giving the same budgets, and that
// Limits.String() writes back to them too when it covers every default
// key; what it refuses names the spec.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{
		"", "none", "NONE", "default", "cloud", "PUT=100/5m", "none,PUT=1/1s", "PUT=1/5m,none",
		"identity:PUT=160/5m,orchestrator:GET=100/1m", "default,orchestrator:PATCH=100/1m",
		" put = 160/5s , get=10/250ms,delete=1/h,post=5/1.5h", "HEAD=1/1ms,OPTIONS=1/1000000h",
		"orchestrator:FOO=1/1s", "orchestra:PUT=1/5m", "PUT=0/5m", "PUT=-3/5m", "PUT=1/0s", "PUT=1/-5m",
		"PUT=1/NaNs", "PUT=1/1e3s", "PUT=1/0.5ms", "PUT=1/1000001h", "PUT=1/5m,", ",", "none,default",
		"PUT=1/5m,put=2/5m", "PUT=99999999999999999999/5m", "PUT=1/.5m", "PUT=1/5.m", "=1/1s", ":PUT=1/1s",
		"identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m",
	} {
		f.Add(s)
	}
	def := DefaultLimits()
	f.Fuzz(func(t *testing.T, spec string) {
		l, err := ParseLimits(spec)
		if err != nil {
			if l != nil {
				t.Fatalf("ParseLimits(%q) returned %v with its error %v", spec, l, err)
			}
			if !strings.Contains(err.Error(), "parse limits "+strconv.Quote(spec)) {
				t.Fatalf("ParseLimits(%q) error %q does not name the spec", spec, err)
			}
			return
		}
		if l != nil && len(l) == 0 {
			t.Fatalf("ParseLimits(%q) = empty non-nil limits, want nil", spec)
		}
		for k, b := range l {
			service, method := SplitThrottleKey(k)
			if k != ThrottleKey(service, method) || !slices.Contains(services, service) || !slices.Contains(methods, method) {
				t.Fatalf("ParseLimits(%q): key %q", spec, k)
			}
			if b.Requests < 1 || b.Requests > maxRequests || b.Window < time.Millisecond || b.Window > maxWindow || b.Window%time.Millisecond != 0 {
				t.Fatalf("ParseLimits(%q): %s = %+v", spec, k, b)
			}
		}
		formatted := FormatLimits(l)
		again, err := ParseLimits(formatted)
		if err != nil || !reflect.DeepEqual(again, l) {
			t.Fatalf("%q → %v → FormatLimits %q → %v (%v)", spec, l, formatted, again, err)
		}
		covers := len(l) > 0
		for k := range def {
			if _, ok := l[k]; !ok {
				covers = false
			}
		}
		if len(l) == 0 || covers {
			if again, err := ParseLimits(l.String()); err != nil || !reflect.DeepEqual(again, l) {
				t.Fatalf("%q → %v → String %q → %v (%v)", spec, l, l.String(), again, err)
			}
		}
	})
}
