// Package flaghint explains a mistyped flag: it adds to "unknown flag" the
// flag that was probably meant, or, for a flag people try for a secret,
// where the secret goes instead (secrets are never flags: they would show
// in ps and shell history).
package flaghint

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/suggest"
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
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if best := suggest.Nearest(name, names); best != "" {
		return fmt.Errorf("%s; did you mean --%s?", msg, best)
	}
	return fmt.Errorf("%s (see batch %s --help)", msg, command)
}
