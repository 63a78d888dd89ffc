package session

import (
	"reflect"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
)

// DescribeLimits says the budgets a spec gives as a spec that gives the
// same ones: budgets alone keep the other defaults, none keeps none.
func TestDescribeLimits(t *testing.T) {
	const defaults = "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=144/5m"
	for _, tc := range []struct{ spec, want string }{
		{"none", "none"},
		{"default", defaults},
		{"", defaults},
		{"PUT=10/1s", "identity:DELETE=144/5m,identity:GET=270/5m,identity:PATCH=144/5m,identity:POST=21600/5m,identity:PUT=10/1s"},
		{"none,PUT=10/1s", "none,identity:PUT=10/1s"},
		{"none,orchestrator:get=100/60s", "none,orchestrator:GET=100/1m"},
		{"PUT=lots", "none"},
	} {
		got := DescribeLimits(tc.spec)
		if got != tc.want {
			t.Errorf("DescribeLimits(%q) = %q, want %q", tc.spec, got, tc.want)
		}
		if want, err := client.ParseLimits(tc.spec); err == nil {
			if again, err := client.ParseLimits(got); err != nil || !reflect.DeepEqual(again, want) {
				t.Errorf("DescribeLimits(%q) = %q gives %v (%v), want %v", tc.spec, got, again, err, want)
			}
		}
	}
}

// New refuses a spec ParseLimits refuses, naming --limits and the entry,
// before any client is built.
func TestNewRefusesBadLimits(t *testing.T) {
	for _, spec := range []string{"orchestrator:FOO=1/1s", "nowhere:PUT=1/1s", "PUT=0/5m", "PUT=1/0s"} {
		_, err := New(t.Context(), client.Settings{}, Options{Limits: spec})
		if err == nil {
			t.Fatalf("New with --limits %q: no error", spec)
		}
		if want := `--limits: parse limits "` + spec + `": entry "` + spec + `"`; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("New with --limits %q: %v, want it to begin %s", spec, err, want)
		}
	}
}
