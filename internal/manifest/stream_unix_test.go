//go:build unix

package manifest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestValidateHandsOnProblemsAsItReads validates a manifest written
// through a pipe: the first problem must reach onProblem while the rest
// of the manifest is not yet written.
func TestValidateHandsOnProblemsAsItReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipe: %v", err)
	}
	first := make(chan struct{})    // the first problem came
	finished := make(chan struct{}) // the whole manifest is written
	wrote := make(chan error, 1)
	go func() {
		defer close(finished)
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			wrote <- err
			return
		}
		defer f.Close()
		if _, err := f.WriteString("op,email\nupdate_user,bad\n"); err != nil {
			wrote <- err
			return
		}
		select {
		case <-first:
		case <-time.After(30 * time.Second): // only so that a failing test ends
		}
		_, err = f.WriteString("update_user,worse\n")
		wrote <- err
	}()
	var lines []int
	rows, err := Validate(context.Background(), path, Options{}, func(p Problem) {
		if len(lines) == 0 {
			select {
			case <-finished:
				t.Error("the first problem came only after the whole manifest was written")
			default:
			}
			close(first)
		}
		lines = append(lines, p.Source.Line)
	})
	if err != nil {
		t.Fatal(err)
	}
	if werr := <-wrote; werr != nil {
		t.Fatal(werr)
	}
	if rows != 2 || !equalInts(lines, []int{2, 3}) {
		t.Errorf("rows %d, problems at lines %v; want 2 rows, lines [2 3]", rows, lines)
	}
}
