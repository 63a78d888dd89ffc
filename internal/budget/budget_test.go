package budget

import (
	"testing"
	"time"
)

// A budget is written in the largest unit that divides its window, and
// limits as their budgets sorted by key; no limits are "none".
func TestString(t *testing.T) {
	for _, tc := range []struct {
		l    Limits
		want string
	}{
		{nil, "none"},
		{Limits{}, "none"},
		{Limits{"identity:PUT": {Requests: 160, Window: 5 * time.Minute}}, "identity:PUT=160/5m"},
		{Limits{
			"b": {Requests: 1, Window: 2 * time.Hour},
			"a": {Requests: 2, Window: 90 * time.Second},
			"c": {Requests: 3, Window: 1500 * time.Millisecond},
		}, "a=2/90s,b=1/2h,c=3/1500ms"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.l, got, tc.want)
		}
	}
	if got := (Budget{Requests: 7, Window: time.Minute}).String(); got != "7/1m" {
		t.Errorf("Budget.String() = %q, want 7/1m", got)
	}
}
