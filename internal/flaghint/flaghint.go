// Package flaghint explains a mistyped flag: it adds to "unknown flag" the
// flag that was probably meant, or, for a flag people try for a secret,
// where the secret goes instead (secrets are never flags: they would show
// in ps and shell history).
package flaghint

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// secretFlags are flags people try for secrets, and where those go.
var secretFlags = map[string]string{
	"client-secret":      "the client secret is never a flag (it would show in ps and shell history): set UIPATH_CLIENT_SECRET, or UIPATH_CLIENT_SECRET_FILE naming a file only you can read",
	"client-secret-file": "set UIPATH_CLIENT_SECRET_FILE instead (a file only you can read)",
	"pat":                "a personal access token is never a flag (it would show in ps and shell history): set UIPATH_PAT",
}

// Explain adds a hint to an "unknown flag" error of command's flags fs;
// other errors are returned as they are.
func Explain(err error, fs *pflag.FlagSet, command string) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(name, "=")
	if hint, ok := secretFlags[name]; ok {
		return fmt.Errorf("%s: %s", msg, hint)
	}
	best, bestDist := "", 1<<30
	fs.VisitAll(func(f *pflag.Flag) {
		if d := levenshtein(name, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best != "" && bestDist <= max(2, len(name)/3) {
		return fmt.Errorf("%s; did you mean --%s?", msg, best)
	}
	return fmt.Errorf("%s (see batch %s --help)", msg, command)
}

// levenshtein is the edit distance between two flag names.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
