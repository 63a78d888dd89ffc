package runner

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

// An apply leaves its undo manifest in its run folder, in the input's
// format, as a manifest that reads back; a plan, which changes nothing,
// leaves none.
func TestRunApplyWritesUndoManifest(t *testing.T) {
	for _, cmd := range []Command{Apply, Plan} {
		t.Run(cmd.String(), func(t *testing.T) {
			_, cfg := setup(t, cmd, "")
			if _, err := Execute(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(cfg.Run.Dir, "undo.csv")
			info, err := os.Stat(path)
			if !cmd.Writes() {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("a plan left %s (%v)", path, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm()&0o007 != 0 {
				t.Errorf("undo.csv mode %v: readable by others", info.Mode().Perm())
			}
			r, err := manifest.Open(t.Context(), path, manifest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if p := r.FileProblems(); len(p) > 0 {
				t.Fatalf("undo.csv: %v", p)
			}
		})
	}
}
