package manifest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/secret"
)

// SecretKind says where a secret cell's value comes from.
type SecretKind string

// The kinds of secret reference.
const (
	SecretEnv      SecretKind = "env"      // env:NAME, an environment variable
	SecretFile     SecretKind = "file"     // file:PATH, a file's content
	SecretGenerate SecretKind = "generate" // generate or generate:LENGTH, a fresh random password
	SecretLiteral  SecretKind = "literal"  // the password itself, written in the manifest
)

// maxSecretFileSize bounds what file: reads; a password file is small.
const maxSecretFileSize = 64 << 10

// SecretRef is a secret cell as written: a reference that is resolved to a
// value only when the value is needed. A literal keeps its value as a
// secret.Value so that it cannot be printed.
type SecretRef struct {
	Kind   SecretKind
	Name   string // the variable for env, the path for file
	Length int    // for generate; 0 means secret.DefaultLength

	literal secret.Value
}

// LiteralSecret makes a reference holding the secret itself.
func LiteralSecret(v secret.Value) SecretRef { return SecretRef{Kind: SecretLiteral, literal: v} }

// String is the reference as written ("env:NAME", "file:PATH", "generate",
// "generate:32"); a literal prints as "***".
func (r SecretRef) String() string {
	switch r.Kind {
	case SecretEnv, SecretFile:
		return string(r.Kind) + ":" + r.Name
	case SecretGenerate:
		if r.Length > 0 {
			return "generate:" + strconv.Itoa(r.Length)
		}
		return "generate"
	}
	return secret.Redacted
}

// Equal reports whether two references are the same (literals compare by
// value).
func (r SecretRef) Equal(o SecretRef) bool {
	return r.Kind == o.Kind && r.Name == o.Name && r.Length == o.Length && r.literal.Equal(o.literal)
}

// Resolve returns the secret's value: an env: variable or a file: is read
// now, at the last moment; generate makes a fresh password; a literal is
// returned as is. lookupEnv nil means os.LookupEnv. Errors never hold the
// value.
func (r SecretRef) Resolve(ctx context.Context, lookupEnv func(string) (string, bool)) (secret.Value, error) {
	if err := ctx.Err(); err != nil {
		return secret.Value{}, err
	}
	switch r.Kind {
	case SecretEnv:
		if lookupEnv == nil {
			lookupEnv = os.LookupEnv
		}
		v, ok := lookupEnv(r.Name)
		if !ok || v == "" {
			return secret.Value{}, fmt.Errorf("secret env:%s: the environment variable is not set", r.Name)
		}
		return secret.New(v), nil
	case SecretFile:
		return readSecretFile(r.Name)
	case SecretGenerate:
		p := secret.DefaultPolicy()
		if r.Length > 0 {
			p.Length = r.Length
		}
		return secret.Generate(p)
	case SecretLiteral:
		return r.literal, nil
	}
	return secret.Value{}, fmt.Errorf("secret: unknown reference kind %q", r.Kind)
}

// readSecretFile reads a password file; one trailing line break is not
// part of the password.
func readSecretFile(path string) (secret.Value, error) {
	f, err := os.Open(path)
	if err != nil {
		return secret.Value{}, fmt.Errorf("secret file:%s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return secret.Value{}, fmt.Errorf("secret file:%s: read: %w", path, errors.Unwrap(err))
	}
	if len(data) > maxSecretFileSize {
		return secret.Value{}, fmt.Errorf("secret file:%s: larger than %d bytes; is it a password file?", path, maxSecretFileSize)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		return secret.Value{}, fmt.Errorf("secret file:%s: the file is empty", path)
	}
	return secret.New(s), nil
}

// parseSecretRef reads a secret cell. It returns a problem message (never
// holding the cell's text, which may be a password) when the reference is
// malformed; a literal is returned as such, allowed or not.
func parseSecretRef(cell string, minGenerate int) (SecretRef, string) {
	switch {
	case strings.HasPrefix(cell, "env:"):
		name := strings.TrimPrefix(cell, "env:")
		if !validEnvName(name) {
			return SecretRef{}, "env: needs a variable name of letters, digits and _ (e.g. env:NEW_PASSWORD)"
		}
		return SecretRef{Kind: SecretEnv, Name: name}, ""
	case strings.HasPrefix(cell, "file:"):
		path := strings.TrimPrefix(cell, "file:")
		if path == "" {
			return SecretRef{}, "file: needs a path (e.g. file:/run/secrets/password)"
		}
		return SecretRef{Kind: SecretFile, Name: path}, ""
	case cell == "generate":
		return SecretRef{Kind: SecretGenerate}, ""
	case strings.HasPrefix(cell, "generate:"):
		n, err := strconv.Atoi(strings.TrimPrefix(cell, "generate:"))
		if err != nil {
			return SecretRef{}, fmt.Sprintf("generate:LENGTH needs a whole number of characters, at least %d (e.g. generate:32)", minGenerate)
		}
		if n < minGenerate {
			return SecretRef{}, fmt.Sprintf("generate:%d is too short: the minimum length is %d", n, minGenerate)
		}
		if n > 256 {
			return SecretRef{}, fmt.Sprintf("generate:%d is too long: the maximum length is 256", n)
		}
		return SecretRef{Kind: SecretGenerate, Length: n}, ""
	}
	return LiteralSecret(secret.New(cell)), ""
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// checkSecretRef checks what can be checked before a run: the variable is
// set, the file exists and only its owner can read it, a literal is
// allowed. It returns a problem message or "".
func checkSecretRef(col string, r SecretRef, opts *Options) string {
	switch r.Kind {
	case SecretEnv:
		if v, ok := opts.lookupEnv()(r.Name); !ok || v == "" {
			return fmt.Sprintf("%s: environment variable %s is not set (or empty); export it before the run", col, r.Name)
		}
	case SecretFile:
		fi, err := os.Stat(r.Name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Sprintf("%s: file %s does not exist", col, r.Name)
			}
			return fmt.Sprintf("%s: file %s: %v", col, r.Name, errors.Unwrap(err))
		}
		if !fi.Mode().IsRegular() {
			return fmt.Sprintf("%s: %s is not a regular file", col, r.Name)
		}
		if fi.Mode().Perm()&0o044 != 0 {
			return fmt.Sprintf("%s: file %s is readable by group or others (mode %04o); run chmod 600 %s", col, r.Name, fi.Mode().Perm(), r.Name)
		}
	case SecretLiteral:
		if !opts.AllowLiteralSecrets {
			return fmt.Sprintf("%s: a password written in the manifest is refused; use env:NAME, file:PATH, generate or generate:LENGTH, or pass --allow-literal-secrets", col)
		}
	}
	return ""
}
