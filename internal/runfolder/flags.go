package runfolder

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/shellenv"
)

// notRecorded are the flags a run does not keep in run.json: the ones that
// name the run itself (a resume gives them to find it).
var notRecorded = map[string]bool{"resume": true, "run-id": true, "report-dir": true, "cpu-profile": true}

// mustMatch are the recorded flags a resume may repeat but not change: the
// passwords of one run belong in one secrets file, in one format.
var mustMatch = map[string]bool{"secrets-out": true, "age-recipient": true}

// RecordFlags lists the flags given on the command line, by name, as
// run.json keeps them. No flag carries a secret (secrets have no flags); a
// relative --secrets-out is made absolute so a resume from elsewhere finds
// the file.
func RecordFlags(fs *pflag.FlagSet) map[string][]string {
	out := map[string][]string{}
	fs.Visit(func(f *pflag.Flag) {
		if notRecorded[f.Name] {
			return
		}
		out[f.Name] = flagValues(f)
	})
	if v, ok := out["secrets-out"]; ok && len(v) == 1 {
		out["secrets-out"] = []string{absPath(v[0])}
	}
	return out
}

func flagValues(f *pflag.Flag) []string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return slices.Clone(sv.GetSlice())
	}
	return []string{f.Value.String()}
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// RestoreFlags gives a resumed run the settings its run started with: every
// recorded flag not given again is set to its recorded value; a flag given
// again overrides it, except the secrets output, which must match.
func RestoreFlags(fs *pflag.FlagSet, meta journal.Meta) error {
	for _, name := range sortedNames(meta.Flags) {
		recorded := meta.Flags[name]
		f := fs.Lookup(name)
		if f == nil {
			continue // a flag of an older version
		}
		if f.Changed {
			if mustMatch[name] && !sameValues(name, flagValues(f), recorded) {
				return fmt.Errorf("--resume %s: --%s %s differs from the run's %s (recorded in its run.json); leave --%s out to use the run's own, so that its passwords stay in one file",
					meta.RunID, name, strings.Join(flagValues(f), ","), strings.Join(recorded, ","), name)
			}
			continue
		}
		for _, v := range recorded {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("--resume %s: recorded --%s %q: %w", meta.RunID, name, v, err)
			}
		}
	}
	return nil
}

func sameValues(name string, given, recorded []string) bool {
	if name == "secrets-out" && len(given) == 1 {
		given = []string{absPath(given[0])}
	}
	a, b := slices.Clone(given), slices.Clone(recorded)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// DescribeFlags is a run.json flag set as a person reads it, each value
// quoted for a shell.
func DescribeFlags(flags map[string][]string) string {
	parts := []string{}
	for _, n := range sortedNames(flags) {
		for _, v := range flags[n] {
			parts = append(parts, fmt.Sprintf("--%s %s", n, shellenv.Quote(v)))
		}
	}
	return strings.Join(parts, " ")
}

func sortedNames(flags map[string][]string) []string {
	names := make([]string, 0, len(flags))
	for n := range flags {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
