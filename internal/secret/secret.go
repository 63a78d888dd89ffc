// Package secret holds passwords, client secrets and tokens in a type that
// cannot be printed, logged or serialized by accident: every formatting and
// marshalling path yields "***". The value is reachable only through Reveal,
// so each place that needs the plaintext is explicit and easy to audit.
package secret

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a secret prints as, everywhere.
const Redacted = "***"

// box keeps the plaintext behind a pointer: when a Value sits in an
// unexported struct field, fmt cannot call its methods and prints the raw
// field instead, and for a pointer that is only an address.
type box struct{ s string }

// Value is a secret string. The zero Value is valid and empty.
type Value struct{ b *box }

// New wraps a plaintext secret.
func New(plaintext string) Value { return Value{b: &box{s: plaintext}} }

// Reveal returns the plaintext. Call it only where the secret leaves the
// process on purpose (a request body, a sealed secrets file).
func (v Value) Reveal() string {
	if v.b == nil {
		return ""
	}
	return v.b.s
}

// IsZero reports whether the secret is unset or empty.
func (v Value) IsZero() bool { return v.b == nil || v.b.s == "" }

// Equal reports whether two secrets hold the same plaintext.
func (v Value) Equal(o Value) bool { return v.Reveal() == o.Reveal() }

// String implements fmt.Stringer.
func (v Value) String() string { return Redacted }

// GoString implements fmt.GoStringer (%#v).
func (v Value) GoString() string { return "secret.Value(" + Redacted + ")" }

// Format implements fmt.Formatter, covering every verb.
func (v Value) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (CSV, YAML keys, zerolog).
func (v Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// MarshalYAML implements yaml.Marshaler.
func (v Value) MarshalYAML() (any, error) { return Redacted, nil }

// LogValue implements slog.LogValuer.
func (v Value) LogValue() slog.Value { return slog.StringValue(Redacted) }
