package flaghint

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestExplain(t *testing.T) {
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	fs.Int("workers", 8, "")
	fs.String("secrets-out", "", "")
	for _, tc := range []struct{ err, want string }{
		{"unknown flag: --worker", "unknown flag: --worker; did you mean --workers?"},
		{"unknown flag: --secret-out=x", "unknown flag: --secret-out=x; did you mean --secrets-out?"},
		{"unknown flag: --client-secret", "unknown flag: --client-secret: the client secret is never a flag"},
		{"unknown flag: --frobnicate", "unknown flag: --frobnicate (see batch apply --help)"},
		{"flag needs an argument: --workers", "flag needs an argument: --workers"},
	} {
		if got := Explain(errors.New(tc.err), fs, "apply").Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("Explain(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
