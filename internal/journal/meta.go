package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Meta identifies what a run works on, so that a resumed run can refuse a
// manifest that changed in between.
type Meta struct {
	RunID          string    `json:"run_id"`
	Command        string    `json:"command"`
	Manifest       string    `json:"manifest"`
	ManifestSHA256 string    `json:"manifest_sha256"`
	Started        time.Time `json:"started"`
	// Flags are the command-line flags the run was started with (none
	// carries a secret), so that --resume continues it with the same
	// settings.
	Flags map[string][]string `json:"flags,omitempty"`
}

// HashFile returns the hex SHA-256 of a file's content.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash manifest: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash manifest %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteMeta writes run.json into dir atomically: a temporary file, synced,
// renamed over it, and the folder synced, so that a crash leaves either no
// run.json or a whole one (a torn one would block --resume).
func WriteMeta(dir string, m Meta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run metadata: %w", err)
	}
	tmp, err := os.CreateTemp(dir, MetaName+".*.tmp")
	if err != nil {
		return fmt.Errorf("write run metadata: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	err = errors.Join(werr, tmp.Chmod(0o640), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, MetaName))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write run metadata: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write run metadata: %w", err)
	}
	return nil
}

// syncDir makes the folder's entries (a rename, a removal) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// ReadMeta reads run.json from dir; fs.ErrNotExist when dir holds no run.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	data, err := os.ReadFile(filepath.Join(dir, MetaName))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return m, fmt.Errorf("no run to resume in %s: %w", dir, err)
		}
		return m, fmt.Errorf("read run metadata: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("read run metadata %s: %w", dir, err)
	}
	return m, nil
}
