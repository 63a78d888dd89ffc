package journal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/atomicfile"
	"github.com/uipath-batch/batch/internal/secret"
)

// Sealer encrypts the passwords a journal holds to the run's own age key,
// kept in run.key (mode 0600) in the run folder. The key is removed when
// the run completes, after which the sealed values cannot be opened.
type Sealer struct {
	id *age.X25519Identity
}

// NewSealer creates the run's key in dir; it refuses to replace one.
func NewSealer(dir string) (*Sealer, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generate run key: %w", err)
	}
	path := filepath.Join(dir, KeyName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create run key: %w", err)
	}
	_, werr := io.WriteString(f, id.String()+"\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return nil, fmt.Errorf("write run key: %w", err)
	}
	return &Sealer{id: id}, nil
}

// LoadSealer reads the run's key from dir. It returns nil and no error
// when the run has no key (a completed run, or one that sealed nothing).
func LoadSealer(dir string) (*Sealer, error) {
	path := filepath.Join(dir, KeyName)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read run key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("run key %s can be read by others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run key: %w", err)
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("parse run key %s: %w", path, err)
	}
	return &Sealer{id: id}, nil
}

// RemoveKey deletes the run's key from dir.
func RemoveKey(dir string) error {
	err := os.Remove(filepath.Join(dir, KeyName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = atomicfile.SyncDir(dir) // a crash must not bring the key back
	}
	if err != nil {
		return fmt.Errorf("remove run key: %w", err)
	}
	return nil
}

// Seal encrypts v to the run's key.
func (s *Sealer) Seal(v secret.Value) (string, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, s.id.Recipient())
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	if _, err := io.WriteString(w, v.Reveal()); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Open decrypts a value sealed by Seal.
func (s *Sealer) Open(sealed string) (secret.Value, error) {
	data, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return secret.Value{}, fmt.Errorf("open sealed value: %w", err)
	}
	r, err := age.Decrypt(bytes.NewReader(data), s.id)
	if err != nil {
		return secret.Value{}, fmt.Errorf("open sealed value: %w", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return secret.Value{}, fmt.Errorf("open sealed value: %w", err)
	}
	return secret.New(string(plain)), nil
}
