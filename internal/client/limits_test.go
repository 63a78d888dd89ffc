package client

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLimits(t *testing.T) {
	id := func(m string) string { return ThrottleKey(ServiceIdentity, m) }
	orch := func(m string) string { return ThrottleKey(ServiceOrchestrator, m) }
	withOrch := DefaultLimits()
	withOrch[orch("PATCH")] = Budget{Requests: 100, Window: time.Minute}
	good := []struct {
		spec string
		want Limits
	}{
		{"none", nil},
		{"", nil},
		{"cloud", PublishedLimits()},
		{"DEFAULT", DefaultLimits()},
		{"GET=300/5m,PUT=160/5m,PATCH=160/5m,POST=24000/5m", Limits{
			id("GET"): {Requests: 300, Window: 5 * time.Minute}, id("PUT"): {Requests: 160, Window: 5 * time.Minute},
			id("PATCH"): {Requests: 160, Window: 5 * time.Minute}, id("POST"): {Requests: 24000, Window: 5 * time.Minute},
		}},
		{" put = 160/5s , get=10/250ms,delete=1/h,post=5/1.5h", Limits{
			id("PUT"): {Requests: 160, Window: 5 * time.Second}, id("GET"): {Requests: 10, Window: 250 * time.Millisecond},
			id("DELETE"): {Requests: 1, Window: time.Hour}, id("POST"): {Requests: 5, Window: 90 * time.Minute},
		}},
		{"PUT=3/300s", Limits{id("PUT"): {Requests: 3, Window: 300 * time.Second}}},
		{"identity:PUT=160/5m,Orchestrator:get=100/1m", Limits{id("PUT"): {Requests: 160, Window: 5 * time.Minute}, orch("GET"): {Requests: 100, Window: time.Minute}}},
		{"default,orchestrator:PATCH=100/1m", withOrch},
		{"identity:PUT=5/10s,default", func() Limits {
			l := DefaultLimits()
			l[id("PUT")] = Budget{Requests: 5, Window: 10 * time.Second}
			return l
		}()},
	}
	for _, tc := range good {
		got, err := ParseLimits(tc.spec)
		if err != nil {
			t.Errorf("ParseLimits(%q): %v", tc.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseLimits(%q) = %v, want %v", tc.spec, got, tc.want)
		}
	}

	bad := []struct{ spec, mention string }{
		{"PUT", `"PUT"`},
		{"PUT=160", "REQUESTS/WINDOW"},
		{"PUT=abc/5m", `"abc"`},
		{"PUT=0/5m", `"0"`},
		{"PUT=-3/5m", `"-3"`},
		{"PUT=160/5", `"5"`},
		{"PUT=160/5d", `"5d"`},
		{"PUT=160/0s", `"0s"`},
		{"GET=300/5m,PUT=160/5x", `"PUT=160/5x"`},
		{"=160/5m", `"=160/5m"`},
		{"P-T=1/5m", `"P-T"`},
		{"PUT=1/5m,put=2/5m", "twice"},
		{"PUT=1/5m,identity:PUT=2/5m", "twice"},
		{"PUT=1/5m,", `""`},
		{"orchestra:PUT=1/5m", `"orchestra"`},
		{"PUT=1/5m,none", "none"},
	}
	for _, tc := range bad {
		got, err := ParseLimits(tc.spec)
		if err == nil {
			t.Errorf("ParseLimits(%q) = %v, want an error", tc.spec, got)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseLimits(%q) error %q does not name %s", tc.spec, err, tc.mention)
		}
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

func TestLimitsStringRoundTrips(t *testing.T) {
	for _, spec := range []string{"none", "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m",
		"GET=10/250ms,PUT=1/1h,POST=7/90s", "orchestrator:PATCH=5/30s,PUT=1/1h"} {
		l, err := ParseLimits(spec)
		if err != nil {
			t.Fatalf("ParseLimits(%q): %v", spec, err)
		}
		again, err := ParseLimits(l.String())
		if err != nil || !reflect.DeepEqual(again, l) {
			t.Errorf("%q → %q → %v (%v)", spec, l.String(), again, err)
		}
	}
	if got := DefaultLimits().String(); got != "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m" {
		t.Errorf("DefaultLimits().String() = %q", got)
	}
}
