package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
)

// Character classes used by generated passwords. Ambiguous characters
// (0/O, 1/l/I) are left out so that a password read aloud or typed from a
// printout survives.
const (
	lowerChars  = "abcdefghijkmnopqrstuvwxyz"
	upperChars  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	digitChars  = "23456789"
	symbolChars = "!#$%&*+-=?@^_~"
)

// MinLength is the shortest password Generate will produce.
const MinLength = 12

// DefaultLength is the length used by a bare "generate" reference.
const DefaultLength = 24

// Policy says what a generated password must contain. The zero Policy is
// not valid; start from DefaultPolicy.
type Policy struct {
	Length  int
	Lower   bool
	Upper   bool
	Digits  bool
	Symbols bool
}

// DefaultPolicy passes UiPath's default password policy (at least 8
// characters, one lower case letter, one upper case letter and one digit)
// with a wide margin.
func DefaultPolicy() Policy {
	return Policy{Length: DefaultLength, Lower: true, Upper: true, Digits: true, Symbols: true}
}

// Generate returns a fresh password from crypto/rand that holds at least one
// character of every class the policy asks for.
func Generate(p Policy) (Value, error) {
	if p.Length < MinLength {
		return Value{}, fmt.Errorf("generate password: length %d is under the minimum %d", p.Length, MinLength)
	}
	var classes []string
	for _, c := range []struct {
		on    bool
		chars string
	}{{p.Lower, lowerChars}, {p.Upper, upperChars}, {p.Digits, digitChars}, {p.Symbols, symbolChars}} {
		if c.on {
			classes = append(classes, c.chars)
		}
	}
	if len(classes) == 0 {
		return Value{}, errors.New("generate password: the policy allows no characters")
	}
	all := ""
	for _, c := range classes {
		all += c
	}
	out := make([]byte, p.Length)
	// One character of each class first, the rest from the union, then a
	// Fisher-Yates shuffle so the required characters sit anywhere.
	for i, c := range classes {
		ch, err := pick(c)
		if err != nil {
			return Value{}, err
		}
		out[i] = ch
	}
	for i := len(classes); i < len(out); i++ {
		ch, err := pick(all)
		if err != nil {
			return Value{}, err
		}
		out[i] = ch
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := randInt(i + 1)
		if err != nil {
			return Value{}, err
		}
		out[i], out[j] = out[j], out[i]
	}
	return New(string(out)), nil
}

func pick(chars string) (byte, error) {
	i, err := randInt(len(chars))
	if err != nil {
		return 0, err
	}
	return chars[i], nil
}

func randInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("generate password: read random: %w", err)
	}
	return int(v.Int64()), nil
}
