package manifest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// A manifest on stdin is copied to a file only its owner can read, which
// remove deletes; a path is returned as it is.
func TestSpoolStdin(t *testing.T) {
	path, remove, err := SpoolStdin(t.Context(), "-", strings.NewReader("op,user_id\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("spooled manifest mode %v, want 0600", st.Mode().Perm())
	}
	if data, _ := os.ReadFile(path); string(data) != "op,user_id\n" {
		t.Errorf("spooled %q", data)
	}
	remove()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("remove left %s: %v", path, err)
	}
	same, remove, err := SpoolStdin(t.Context(), "users.csv", nil)
	if err != nil || same != "users.csv" {
		t.Errorf("a path is spooled: %q, %v", same, err)
	}
	remove()
}

// An interrupt stops the copy of a stdin that never ends, and leaves no
// file behind.
func TestSpoolStdinHonoursTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	in := &endless{read: func() { cancel() }}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, _, err := SpoolStdin(ctx, "-", in)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("SpoolStdin of an endless stdin after cancel: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("a stopped spool left %v behind", left)
	}
}

// endless is a stdin that never ends; read is called on every Read.
type endless struct{ read func() }

func (e *endless) Read(p []byte) (int, error) {
	e.read()
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
