// Package secretsout keeps the passwords a run generates, so that a
// password changed on the server can always be found again. Each password
// is written and synced to disk before the request that sets it is sent.
// The file is created readable by its owner only.
package secretsout

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"batch/internal/manifest"
	"batch/internal/secret"
)

// Header is the first line of a secrets file.
var Header = []string{"run_id", "row", "source", "op", "target", "field", "password", "recorded_at"}

// File is an open secrets output. It is safe for concurrent use.
type File struct {
	mu    sync.Mutex
	f     *os.File
	csv   *csv.Writer
	runID string
}

// Create opens path for the generated passwords of run runID. A new file is
// created with mode 0600; an existing one is appended to only if no one but
// its owner can read it.
func Create(path, runID string) (*File, error) {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("secrets output %s can be read by others (mode %04o): run chmod 600 %s, or choose a new file", path, st.Mode().Perm(), path)
	case err == nil && !st.Mode().IsRegular():
		return nil, fmt.Errorf("secrets output %s is not a regular file", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	// The mode given to OpenFile is filtered by the umask; make sure.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	out := &File{f: f, csv: csv.NewWriter(f), runID: runID}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		if err := out.writeSynced(Header); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return out, nil
}

// Record writes one generated password and syncs it to disk.
func (o *File) Record(_ context.Context, job *manifest.Job, field string, v secret.Value) error {
	return o.writeSynced([]string{
		o.runID, fmt.Sprint(job.Row), job.Source.String(), string(job.Op), job.Target.String(),
		field, v.Reveal(), time.Now().UTC().Format(time.RFC3339),
	})
}

func (o *File) writeSynced(record []string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.csv.Write(record); err != nil {
		return fmt.Errorf("write secrets output: %w", err)
	}
	o.csv.Flush()
	if err := o.csv.Error(); err != nil {
		return fmt.Errorf("write secrets output: %w", err)
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("sync secrets output: %w", err)
	}
	return nil
}

// Close closes the file.
func (o *File) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.f.Close()
}
