// Package shellenv writes what a POSIX shell reads back: quoted words, and
// export lines a script sources.
package shellenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Quote quotes v for a POSIX shell when it holds anything but safe
// characters.
func Quote(v string) string {
	safe := v != ""
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// Exports turns KEY=VALUE pairs into export lines, each value quoted.
func Exports(env []string) string {
	var b strings.Builder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, Quote(v))
	}
	return b.String()
}

// WriteFile writes text beside path and renames it into place, so that a
// script waiting for the file never reads half of it (or an old one). The
// file is 0600: an environment may hold a secret.
func WriteFile(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".env-*")
	if err != nil {
		return err
	}
	_, werr := tmp.WriteString(text)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
