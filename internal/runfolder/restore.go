package runfolder

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/journal"
)

// RestoreRun gives the run resumed as id (none when id is empty) the
// settings it started with (see RestoreFlags) and returns what its run
// folder in reportDir records.
func RestoreRun(fs *pflag.FlagSet, reportDir, id string) (journal.Meta, error) {
	if id == "" {
		return journal.Meta{}, nil
	}
	meta, err := journal.ReadMeta(filepath.Join(reportDir, id))
	if err != nil {
		return meta, fmt.Errorf("--resume %s: %w", id, err)
	}
	return meta, RestoreFlags(fs, meta)
}
