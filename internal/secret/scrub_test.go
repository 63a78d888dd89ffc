package secret

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrub(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		// A very short secret inside a longer word is that word, not the secret.
		{"short inside words", "wrongly, ron_secret, aron, ron2", []string{"ron"}, "wrongly, ron_secret, aron, ron2"},
		{"short inside password", "the password is not valid", []string{"ass"}, "the password is not valid"},
		// From four bytes on, masked wherever it stands, inside a word too.
		{"four bytes inside a word", "pwd_pass123 or wrongly", []string{"pass", "wrong"}, "pwd_***123 or ***ly"},
		// Standing alone it may be the secret quoted back: masked, even
		// where it reads as a word.
		{"short as a word", "unknown client or wrong client secret", []string{"wrong"}, "unknown client or *** client secret"},
		{"short quoted", `secret "pass" refused`, []string{"pass"}, `secret "***" refused`},
		{"short after =", "client_secret=pass&grant_type=x", []string{"pass"}, "client_secret=***&grant_type=x"},
		{"short at the ends", "pass or pass", []string{"pass"}, "*** or ***"},
		{"short whole string", "pass", []string{"pass"}, "***"},
		{"short before punctuation", "(pass).", []string{"pass"}, "(***)."},
		{"very short", "id 42 in 1042", []string{"42"}, "id *** in 1042"},
		{"one character", "a b ab", []string{"a"}, "*** b ab"},
		// A secret edge that is no word character needs no boundary there.
		{"short ending in punctuation", "xy!z", []string{"y!"}, "xy!z"},
		{"short starting with punctuation", "x!yz and !y", []string{"!y"}, "x!yz and ***"},
		{"short of punctuation only", "a!!b", []string{"!!"}, "a***b"},
		{"unicode letters continue words", "pé péiste", []string{"pé"}, "*** péiste"},
		{"invalid UTF-8 ends a word", "x\xffpass\xff", []string{"pass"}, "x\xff***\xff"},
		// Long secrets are masked wherever they appear.
		{"long inside a word", "xTr0ub4dor&3y and Tr0ub4dor&3", []string{"Tr0ub4dor&3"}, "x***y and ***"},
		{"four bytes", "abcd1", []string{"abcd"}, "***1"},
		{"three bytes", "abc1", []string{"abc"}, "abc1"},
		// Overlapping and adjacent occurrences are masked as one.
		{"overlapping long", "abcdefgh12345678xx", []string{"abcdefgh12", "12345678xx"}, "***"},
		{"overlapping occurrences", "s3cr3ts3cr3ts3cr3t!", []string{"s3cr3ts3cr3t"}, "***!"},
		{"short next to masked", "LONGSECRETxy end", []string{"LONGSECRET", "xy"}, "*** end"},
		{"short between masked", "LONGSECRETxyLONGSECRET", []string{"xy", "LONGSECRET"}, "***"},
		{"short inside long", "a LONGpassSECRET b", []string{"pass", "LONGpassSECRET"}, "a *** b"},
		{"empty secret ignored", "nothing here", []string{"", "x"}, "nothing here"},
		{"no secrets", "a pass", nil, "a pass"},
		{"empty text", "", []string{"pass"}, ""},
	} {
		if got := Scrub(c.in, c.secrets...); got != c.want {
			t.Errorf("%s: Scrub(%q, %q) = %q, want %q", c.name, c.in, c.secrets, got, c.want)
		}
	}
}

// The order the secrets are given in does not matter.
func TestScrubOrder(t *testing.T) {
	in := "a LONGpasSECRET pas xpas LONGSECRETpas"
	a := Scrub(in, "pas", "LONGpasSECRET", "LONGSECRET")
	b := Scrub(in, "LONGSECRET", "LONGpasSECRET", "pas")
	if a != b || a != "a *** *** xpas ***" {
		t.Errorf("Scrub by order: %q and %q", a, b)
	}
}

// FuzzScrub checks that no secret survives where the rule says it is
// masked: a long one anywhere, a short one anywhere but inside a longer
// word.
func FuzzScrub(f *testing.F) {
	f.Add("unknown client or wrong client secret", "wrong", "")
	f.Add("client_secret=Tr0ub4dor&3&x=wrong", "Tr0ub4dor&3", "wrong")
	f.Add("xyLONGSECRETxy", "xy", "LONGSECRET")
	f.Add("ababab", "ab", "bab")
	f.Fuzz(func(t *testing.T, in, s1, s2 string) {
		out := Scrub(in, s1, s2)
		if s1 == "" && s2 == "" && out != in {
			t.Fatalf("no secrets changed %q to %q", in, out)
		}
		for _, sec := range []string{s1, s2} {
			// Redacted itself may spell a secret made of asterisks.
			if sec == "" || strings.Contains(sec, "*") {
				continue
			}
			if len(sec) >= MinMaskedInWord {
				if strings.Contains(out, sec) {
					t.Fatalf("Scrub(%q, %q, %q) = %q keeps %q", in, s1, s2, out, sec)
				}
				continue
			}
			if !utf8.ValidString(in) || !utf8.ValidString(s1) || !utf8.ValidString(s2) {
				continue
			}
			for i := 0; ; i++ {
				k := strings.Index(out[i:], sec)
				if k < 0 {
					break
				}
				i += k
				if !insideWord(out, i, i+len(sec)) {
					t.Fatalf("Scrub(%q, %q, %q) = %q keeps %q as a word at %d", in, s1, s2, out, sec, i)
				}
			}
		}
	})
}

// insideWord reports whether s[start:end] continues a word on either side.
func insideWord(s string, start, end int) bool {
	first, _ := utf8.DecodeRuneInString(s[start:])
	last, _ := utf8.DecodeLastRuneInString(s[:end])
	before, _ := utf8.DecodeLastRuneInString(s[:start])
	after, _ := utf8.DecodeRuneInString(s[end:])
	return start > 0 && isWordRune(first) && isWordRune(before) ||
		end < len(s) && isWordRune(last) && isWordRune(after)
}
