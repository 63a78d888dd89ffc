package secret

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinMaskedInWord is the length, in bytes, from which a secret is masked
// wherever it appears, even inside a longer word (a server may write it
// against other characters: "pwd_Ab1x"). A shorter one (1 to 3 bytes,
// which no password policy accepts) is masked only where it stands as a
// word of its own: inside ordinary words it would mangle the message
// without hiding anything.
const MinMaskedInWord = 4

// Scrub returns s with every occurrence of the secrets replaced by
// Redacted, for text from elsewhere (a server's error message) that may
// quote a secret sent to it. A secret of MinMaskedInWord bytes or more is
// masked wherever it appears. A shorter one is masked unless it is part of
// a longer word: left unmasked only where a letter, digit or underscore
// continues it (on a side where the secret itself ends in one), so a
// short secret quoted, in a sentence or after "secret=" is masked. Text
// already masked counts as a word's end, so a short secret next to a
// masked one is masked too. Overlapping and adjacent occurrences are
// masked as one. Empty secrets are ignored.
func Scrub(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	masked := make([]bool, len(s))
	type span struct{ start, end int }
	var short []span // occurrences of short secrets, masked when at a word's edges
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for i := 0; i+len(sec) <= len(s); {
			k := strings.Index(s[i:], sec)
			if k < 0 {
				break
			}
			start, end := i+k, i+k+len(sec)
			if len(sec) >= MinMaskedInWord {
				markSpan(masked, start, end)
			} else {
				short = append(short, span{start, end})
			}
			// Step one byte, not past the match: overlapping occurrences
			// ("aa" in "aaa") are all found.
			i = start + 1
		}
	}
	// Masking one short occurrence may end the word of another next to
	// it: repeat until nothing changes (each round masks at least one
	// occurrence, so this ends).
	for changed := true; changed; {
		changed = false
		rest := short[:0]
		for _, o := range short {
			if wordEdge(s, masked, o.start, true) && wordEdge(s, masked, o.end, false) {
				markSpan(masked, o.start, o.end)
				changed = true
			} else {
				rest = append(rest, o)
			}
		}
		short = rest
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !masked[i] {
			j := i
			for j < len(s) && !masked[j] {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		for i < len(s) && masked[i] {
			i++
		}
		b.WriteString(Redacted)
	}
	return b.String()
}

// markSpan masks the bytes s[start:end].
func markSpan(masked []bool, start, end int) {
	for i := start; i < end; i++ {
		masked[i] = true
	}
}

// wordEdge reports whether a secret occurrence starting (start set) or
// ending at byte i of s does not continue a word there: the secret's own
// rune at that edge is no word rune, or the byte beyond it is the end of
// s, masked, or part of no word rune.
func wordEdge(s string, masked []bool, i int, start bool) bool {
	var inside, outside rune
	if start {
		if i == 0 || masked[i-1] {
			return true
		}
		inside, _ = utf8.DecodeRuneInString(s[i:])
		outside, _ = utf8.DecodeLastRuneInString(s[:i])
	} else {
		if i == len(s) || masked[i] {
			return true
		}
		inside, _ = utf8.DecodeLastRuneInString(s[:i])
		outside, _ = utf8.DecodeRuneInString(s[i:])
	}
	return !isWordRune(inside) || !isWordRune(outside)
}

// isWordRune reports whether r continues a word: a letter, a digit or an
// underscore. Invalid UTF-8 does not, so a short secret next to it is
// masked.
func isWordRune(r rune) bool {
	return r == '_' || r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
