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

	"github.com/uipath-batch/batch/internal/atomicfile"
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

// WriteMeta writes run.json into dir atomically, so that a crash leaves
// either no run.json or a whole one (a torn one would block --resume).
func WriteMeta(dir string, m Meta) error {
	if err := atomicfile.WriteJSON(filepath.Join(dir, MetaName), m, 0o640); err != nil {
		return fmt.Errorf("run metadata: %w", err)
	}
	return nil
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
