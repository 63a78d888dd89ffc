package secret

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
)

func TestValueNeverPrints(t *testing.T) {
	const plain = "Tr0ub4dor&3-horse-battery"
	v := New(plain)
	type holder struct {
		Public  Value
		private Value
	}
	h := holder{Public: v, private: v}
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		fmt.Sprint(v), fmt.Sprintf("%v %+v %#v %s %q %x %d", v, v, v, v, v, v, v),
		fmt.Sprintf("%v %+v %#v", h, h, h), fmt.Sprintf("%v", &h), string(js),
		fmt.Sprintf("%v", []Value{v}), fmt.Sprintf("%v", map[string]Value{"k": v}),
	}
	for _, out := range outputs {
		if strings.Contains(out, plain) {
			t.Fatalf("plaintext leaked: %s", out)
		}
	}
	if v.Reveal() != plain {
		t.Fatalf("Reveal() lost the value")
	}
	if (Value{}).Reveal() != "" || !(Value{}).IsZero() {
		t.Fatal("zero Value must be empty")
	}
}

func TestGenerateHonoursPolicyAndIsUnique(t *testing.T) {
	seen := make(map[string]bool)
	for i := 0; i < 2000; i++ {
		v, err := Generate(DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		s := v.Reveal()
		if len(s) != DefaultLength {
			t.Fatalf("length %d, want %d", len(s), DefaultLength)
		}
		var lower, upper, digit, symbol bool
		for _, r := range s {
			switch {
			case unicode.IsLower(r):
				lower = true
			case unicode.IsUpper(r):
				upper = true
			case unicode.IsDigit(r):
				digit = true
			default:
				symbol = true
			}
		}
		if !lower || !upper || !digit || !symbol {
			t.Fatalf("password %d misses a character class", i)
		}
		if seen[s] {
			t.Fatalf("password %d repeated", i)
		}
		seen[s] = true
	}
}

func TestGenerateRejectsShortOrEmptyPolicy(t *testing.T) {
	if _, err := Generate(Policy{Length: MinLength - 1, Lower: true}); err == nil {
		t.Fatal("short length accepted")
	}
	if _, err := Generate(Policy{Length: 20}); err == nil {
		t.Fatal("policy without classes accepted")
	}
}
