package htmlreport

import (
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/secret"
)

// How the producer writes a row's changes (report.Change, and results.csv's
// "field: old → new; …"):
//
//   - values are Go-quoted strings ("Ann"), or bare (true, ?, ***);
//   - a membership change has no old side and lists the groups as
//     `+A −B`, a name that holds a space or a quote Go-quoted
//     (`+"Automation Users"`), the minus U+2212 or an ASCII "-";
//     folders written before names were quoted hold them bare
//     (`+Automation Users`), and a bare word with no sign continues the
//     name before it;
//   - a row that creates or deletes starts with a change whose new side is
//     "+ create" or "− delete", its field what is created or deleted
//     ("account", "robot account", "group"); a create's other changes are
//     the fields it sets.
//
// The page's script reads the table's changes the same way (pageScript's
// splitOutside and members). No standard package reads this format, so
// its readers here are written by hand, the quoting left to strconv; no
// bench scenario exercises them (scenario 8's rows change a display name).

// Lifecycle markers: a change's new side when its row creates or deletes.
const (
	markCreate      = "+ create"
	markDelete      = "− delete"
	markDeleteASCII = "- delete"
)

// lifecycle says whether a change's new side marks a create ("create") or
// a delete ("delete"), or neither ("").
func lifecycle(nw string) string {
	switch {
	case strings.HasPrefix(nw, markCreate):
		return "create"
	case strings.HasPrefix(nw, markDelete), strings.HasPrefix(nw, markDeleteASCII):
		return "delete"
	}
	return ""
}

// isSecretChange says whether a change sets a secret (shown as ***).
func isSecretChange(old, nw string) bool {
	return nw == secret.Redacted || old == secret.Redacted
}

// memberSign reads the sign at s[i]: +1 for "+", -1 for "−" or "-", 0 for
// none, and its length in bytes.
func memberSign(s string, i int) (sign, size int) {
	switch {
	case i >= len(s):
		return 0, 0
	case s[i] == '+':
		return 1, 1
	case s[i] == '-':
		return -1, 1
	case strings.HasPrefix(s[i:], "−"):
		return -1, len("−")
	}
	return 0, 0
}

// isMembership says whether a change is a membership change: no old side,
// a new side that starts with a sign and is no lifecycle marker.
func isMembership(old, nw string) bool {
	if old != "" || lifecycle(nw) != "" {
		return false
	}
	sign, _ := memberSign(nw, 0)
	return sign != 0
}

// quotedEnd is the index just past the Go-quoted string that starts at
// s[i] (a '"'), or len(s) when none does (not closed: a cut cell).
func quotedEnd(s string, i int) int {
	q, err := strconv.QuotedPrefix(s[i:])
	if err != nil {
		return len(s)
	}
	return i + len(q)
}

// memberToken is one group of a membership change, as written.
type memberToken struct {
	sign int    // +1 added, -1 removed, 0 a bare word continuing the last name
	raw  string // the name as written: bare, or Go-quoted
}

// nextMember reads the membership token at s[i:], returning it and the
// index after it; ok is false at the end of s.
func nextMember(s string, i int) (tok memberToken, next int, ok bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= len(s) {
		return memberToken{}, i, false
	}
	sign, size := memberSign(s, i)
	i += size
	start := i
	if i < len(s) && s[i] == '"' {
		i = quotedEnd(s, i)
	} else {
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
	}
	return memberToken{sign: sign, raw: s[start:i]}, i, true
}

// memberName is a token's name: a Go-quoted one unquoted (as written when
// it does not unquote: a cut cell's last name).
func memberName(raw string) string {
	if strings.HasPrefix(raw, `"`) {
		if s, err := strconv.Unquote(raw); err == nil {
			return s
		}
		return strings.TrimSuffix(strings.TrimPrefix(raw, `"`), `"`)
	}
	return raw
}

// eachMember calls fn with every group of a membership change's new side,
// in order: added or removed, and its name (unquoted; bare words after a
// name continue it, the form older folders hold).
func eachMember(s string, fn func(added bool, name string)) {
	var (
		pending bool
		added   bool
		name    string
	)
	for i := 0; ; {
		tok, next, ok := nextMember(s, i)
		if !ok {
			break
		}
		i = next
		if tok.sign == 0 {
			if pending {
				name += " " + memberName(tok.raw)
			}
			continue
		}
		if pending {
			fn(added, name)
		}
		pending, added, name = true, tok.sign > 0, memberName(tok.raw)
	}
	if pending {
		fn(added, name)
	}
}

// countMembers counts the groups a membership change adds and removes,
// without unquoting their names.
func countMembers(s string) (added, removed int) {
	for i := 0; ; {
		tok, next, ok := nextMember(s, i)
		if !ok {
			return added, removed
		}
		i = next
		switch {
		case tok.sign > 0:
			added++
		case tok.sign < 0:
			removed++
		}
	}
}

// opensQuote says whether the '"' at s[i] opens a Go-quoted value: at the
// start, or after a space or a membership sign (a quote inside a bare
// word is text).
func opensQuote(s string, i int) bool {
	if i == 0 {
		return true
	}
	switch s[i-1] {
	case ' ', '+', '-':
		return true
	}
	return strings.HasSuffix(s[:i], "−")
}

// indexOutside is the index of sep in s outside Go-quoted values, or -1.
func indexOutside(s, sep string) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"' && opensQuote(s, i):
			i = quotedEnd(s, i) - 1
		case strings.HasPrefix(s[i:], sep):
			return i
		}
	}
	return -1
}

// eachChangeText calls fn with every change of results.csv's rendering of
// a row's changes ("field: old → new; field: new; …"), reading Go-quoted
// values whole: a "; " or " → " inside one is text.
func eachChangeText(s string, fn func(field, old, nw string)) {
	for s != "" {
		part := s
		if i := indexOutside(s, "; "); i >= 0 {
			part, s = s[:i], s[i+len("; "):]
		} else {
			s = ""
		}
		field, rest, _ := strings.Cut(part, ": ")
		old, nw := "", rest
		if i := indexOutside(rest, " → "); i >= 0 {
			old, nw = rest[:i], rest[i+len(" → "):]
		}
		fn(field, old, nw)
	}
}

// eachChange calls fn with every change of a row, from results.jsonl's
// changes or results.csv's text.
func (r *row) eachChange(fn func(field, old, nw string)) {
	if r.Changes != nil {
		for _, c := range r.Changes {
			fn(c.Field, c.Old, c.New)
		}
		return
	}
	if r.changesText != "" {
		eachChangeText(r.changesText, fn)
	}
}

// retryPrefixes are what the retry loop puts before a row's error; the
// page shows the error without them (and whole in a tooltip).
var retryPrefixes = []struct{ head, tail string }{
	{"attempt ", ", not retryable: "},
	{"attempt ", ", outcome unknown, not retried: "},
	{"gave up after ", " attempts: "},
}

// displayError is an error message without the retry loop's prefixes
// ("attempt 1, not retryable: ", "gave up after 5 attempts: "), however
// many are nested; the message as it is when nothing would be left.
func displayError(msg string) string {
	s := msg
	for {
		rest, ok := trimRetryPrefix(s)
		if !ok {
			break
		}
		s = rest
	}
	if strings.TrimSpace(s) == "" {
		return msg
	}
	return s
}

// trimRetryPrefix removes one retry prefix ("head N tail") from s.
func trimRetryPrefix(s string) (string, bool) {
	for _, p := range retryPrefixes {
		if !strings.HasPrefix(s, p.head) {
			continue
		}
		i := len(p.head)
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i && strings.HasPrefix(s[j:], p.tail) {
			return s[j+len(p.tail):], true
		}
	}
	return s, false
}
