package suggest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"set_pasword", "set_password", 1},
		{"emial", "email", 2},
		{"email", "email", 0},
		// Only the first 64 bytes of a count.
		{strings.Repeat("a", 64) + "tail", strings.Repeat("a", 64), 0},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"email", "name", "surname", "max-failures", "workers"}
	for _, tc := range []struct{ in, want string }{
		{"emial", "email"},              // 2 edits: the floor of the limit
		{"surnme", "surname"},           // 1 edit
		{"max-failurs", "max-failures"}, // 1 edit
		{"wrkrs", "workers"},            // 2 edits
		{"nmae", "name"},                // 2 edits; "name" comes before "surname"
		{"xyz", ""},                     // 3 edits from "name": too far
		{"completely-other", ""},        // far from everything
	} {
		if got := Nearest(tc.in, names); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// The limit grows with the name: a third of its length.
	if got := Nearest("display-nmae", []string{"display_name"}); got != "display_name" {
		t.Errorf("Nearest of a 12-byte name 3 edits away = %q, want display_name", got)
	}
	if got := Nearest("abcd", []string{"wxyz"}); got != "" {
		t.Errorf("Nearest(abcd, wxyz) = %q, want none", got)
	}
	// Equally near: the first candidate wins.
	if got := Nearest("ab", []string{"ax", "ay"}); got != "ax" {
		t.Errorf("tie = %q, want ax", got)
	}
}
