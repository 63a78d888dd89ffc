package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
)

// RerunName is the name, in the run folder, of the manifest of the rows
// the audit does not show, in the run's manifest format.
func RerunName(f manifest.Format) string { return "not-found-in-audit" + f.Ext() }

// WriteRerun writes the rows checks finds not in the audit as a manifest
// to apply again, copied from the run's manifest (the file run.json
// names, if it still has the hash the run had): their cells as written,
// secret references and all (a literal secret is written as ***, never
// as itself). It returns the file's path and its rows; none to write is
// no file.
func WriteRerun(ctx context.Context, dir string, checks []Check) (string, int, error) {
	want := map[int]bool{}
	for _, c := range checks {
		if c.Verdict == NotFound {
			want[c.Row.Row] = true
		}
	}
	if len(want) == 0 {
		return "", 0, nil
	}
	meta, err := journal.ReadMeta(dir)
	if err != nil {
		return "", 0, err
	}
	src := meta.Manifest
	if src == "" || src == "-" {
		return "", 0, errors.New("the run read its manifest from standard input: pick the rows of verify.csv from it by hand")
	}
	if sum, err := journal.HashFile(src); err != nil || sum != meta.ManifestSHA256 {
		return "", 0, fmt.Errorf("%s is not the manifest the run read (gone or changed since): pick the rows of verify.csv from that one", src)
	}
	r, err := manifest.Open(ctx, src, manifest.Options{AllowLiteralSecrets: true, DisplayName: src})
	if err != nil {
		return "", 0, err
	}
	defer r.Close()
	path := filepath.Join(dir, RerunName(r.Format()))
	tmp, err := os.CreateTemp(dir, ".rerun-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	w, err := manifest.NewWriter(tmp, r.Format(), r.Columns())
	if err != nil {
		tmp.Close()
		return "", 0, err
	}
	n := 0
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tmp.Close()
			return "", 0, err
		}
		if want[job.Row] {
			n++
			job.Row = n
			if err := w.Write(job); err != nil {
				tmp.Close()
				return "", 0, err
			}
		}
	}
	if err := errors.Join(w.Close(), tmp.Sync(), tmp.Close()); err != nil {
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, err
	}
	return path, n, nil
}
