package runfolder

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/shellenv"
)

// ResumeCommand is the command that continues the stopped run runID of
// the manifest named display, as printed: the run's settings come from its
// run.json, so it names only the manifest, the run and, when fs says it was
// given, the report folder that holds it. program is the binary as it
// was invoked (os.Args[0]: "batch" from PATH, ./bin/batch, …); "" is
// "batch".
func ResumeCommand(program, display string, fs *pflag.FlagSet, runID string) string {
	if program == "" {
		program = "batch"
	}
	s := fmt.Sprintf("%s apply %s --resume %s", shellenv.Quote(program), shellenv.Quote(display), shellenv.Quote(runID))
	if f := fs.Lookup("report-dir"); f != nil && f.Changed {
		s += " --report-dir " + shellenv.Quote(f.Value.String())
	}
	return s
}
