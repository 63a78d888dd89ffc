package manifest

import (
	"context"
	"fmt"
	"io"
	"os"
)

// SpoolStdin copies a manifest given as "-" on in to a temporary file only
// its owner can read (it may hold references to secrets, or literal ones),
// because a run reads the manifest more than once. A cancelled ctx stops
// the copy. Any other path is returned as it is. remove deletes the copy;
// it is never nil.
func SpoolStdin(ctx context.Context, path string, in io.Reader) (spooled string, remove func(), err error) {
	if path != "-" {
		return path, func() {}, nil
	}
	f, err := os.CreateTemp("", "batch-manifest-*.csv")
	if err != nil {
		return "", func() {}, fmt.Errorf("spool stdin: %w", err)
	}
	remove = func() { _ = os.Remove(f.Name()) }
	_, err = io.Copy(f, readerWithContext{ctx, in})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", func() {}, fmt.Errorf("spool stdin: %w", err)
	}
	return f.Name(), remove, nil
}

// readerWithContext stops a copy when ctx is cancelled.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
