package report

import "testing"

func TestCellRenderings(t *testing.T) {
	for _, tc := range []struct {
		fe   FieldErrors
		want string
	}{
		{nil, ""},
		{FieldErrors{"a": nil}, ""},
		{FieldErrors{"name": {"required"}}, "name: required"},
		{FieldErrors{"b": {"1", "2"}, "a": {"3"}, "c": nil}, "a: 3; b: 1; b: 2"},
	} {
		if got := tc.fe.String(); got != tc.want {
			t.Errorf("%v renders %q, want %q", tc.fe, got, tc.want)
		}
		if got := string(tc.fe.Append([]byte("x"))); got != "x"+tc.want {
			t.Errorf("%v appends %q, want %q", tc.fe, got, "x"+tc.want)
		}
	}
	r := Result{Changes: []Change{{Field: "name", Old: `"A"`, New: `"B"`}, {Field: "groups", New: "+g1 −g2"}}}
	if got, want := r.ChangesString(), `name: "A" → "B"; groups: +g1 −g2`; got != want {
		t.Errorf("changes render %q, want %q", got, want)
	}
	if got, want := r.Changes[1].String(), "groups: +g1 −g2"; got != want {
		t.Errorf("a change renders %q, want %q", got, want)
	}
	if got := (&Result{}).ChangesString(); got != "" {
		t.Errorf("no changes render %q", got)
	}
}
