package runfolder

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/journal"
)

func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	fs.Int("workers", 8, "")
	fs.String("limits", "default", "")
	fs.String("resume", "", "")
	fs.String("run-id", "", "")
	fs.String("report-dir", "reports", "")
	fs.String("secrets-out", "", "")
	fs.StringArray("age-recipient", nil, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// Only the flags given are recorded, not those that name the run, and a
// relative secrets file is recorded as an absolute path.
func TestRecordFlags(t *testing.T) {
	got := RecordFlags(flagSet(t, "--workers", "4", "--run-id", "r1", "--report-dir", "x", "--secrets-out", "s.csv",
		"--age-recipient", "age1a", "--age-recipient", "age1b"))
	abs, _ := filepath.Abs("s.csv")
	want := map[string][]string{"workers": {"4"}, "secrets-out": {abs}, "age-recipient": {"age1a", "age1b"}}
	if len(got) != len(want) {
		t.Fatalf("RecordFlags = %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("RecordFlags[%s] = %v, want %v", k, got[k], v)
		}
	}
}

// A resume takes every recorded flag not given again; a flag given again
// overrides, except the secrets output, which must match.
func TestRestoreFlags(t *testing.T) {
	abs, _ := filepath.Abs("s.csv")
	meta := journal.Meta{RunID: "r1", Flags: map[string][]string{
		"workers": {"4"}, "limits": {"none"}, "secrets-out": {abs}, "age-recipient": {"age1a"}, "gone": {"x"},
	}}
	fs := flagSet(t, "--limits", "PUT=1/1s", "--secrets-out", "s.csv")
	if err := RestoreFlags(fs, meta); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"workers": "4", "limits": "PUT=1/1s", "secrets-out": "s.csv", "age-recipient": "[age1a]"} {
		if got := fs.Lookup(name).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", name, got, want)
		}
	}
	for _, args := range [][]string{{"--secrets-out", "other.csv"}, {"--age-recipient", "age1z"}} {
		err := RestoreFlags(flagSet(t, args...), meta)
		if err == nil || !strings.Contains(err.Error(), "differs from the run's") {
			t.Errorf("resume with %v: %v, want a refusal", args, err)
		}
	}
	if got := DescribeFlags(map[string][]string{"workers": {"4"}, "limits": {"a b"}}); got != "--limits 'a b' --workers 4" {
		t.Errorf("DescribeFlags = %q", got)
	}
}
