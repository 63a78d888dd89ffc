package manifest

import (
	"bytes"
	"fmt"
	"io"
)

// Input bounds: a manifest is read a row at a time, and these keep one row
// (and a YAML manifest, which is parsed whole) from taking the memory of a
// whole file. A cell or line beyond them is a problem at its line.
const (
	// MaxCellBytes is the most one cell (or YAML value) may hold.
	MaxCellBytes = 64 << 10
	// MaxLineBytes is the most one line of a CSV manifest may hold.
	MaxLineBytes = 1 << 20
	// MaxYAMLBytes is the most a YAML manifest may hold: it is parsed as a
	// whole (about 20 bytes of memory per byte of YAML), so larger
	// manifests are written as CSV, which is read row by row.
	MaxYAMLBytes = 8 << 20
)

// sizeText writes a byte count the way the limits are documented.
func sizeText(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// tooLongError stops reading at a line beyond a bound.
type tooLongError struct {
	line int
	msg  string
}

func (e *tooLongError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// lineLimiter passes a reader through, counting lines, and fails at the
// first line longer than max bytes (or, with total set, once more than
// total bytes have been read), before the bytes of that line reach the
// parser.
type lineLimiter struct {
	r     io.Reader
	max   int // bytes per line; 0: no bound
	total int // bytes in all; 0: no bound
	what  string
	line  int // the line being read, from 1
	n     int // bytes of that line so far
	read  int
	err   error
}

func newLineLimiter(r io.Reader) *lineLimiter {
	return &lineLimiter{r: r, max: MaxLineBytes, line: 1}
}

func newSizeLimiter(r io.Reader, total int, what string) *lineLimiter {
	return &lineLimiter{r: r, total: total, what: what, line: 1}
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.read += n
	if l.total > 0 && l.read > l.total {
		l.line += bytes.Count(p[:n-(l.read-l.total)], []byte{'\n'})
		l.err = &tooLongError{line: l.line, msg: fmt.Sprintf("%s is larger than %s", l.what, sizeText(l.total))}
		return 0, l.err
	}
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.n += len(b)
			break
		}
		l.n += i
		if l.max > 0 && l.n > l.max {
			break
		}
		l.line++
		l.n = 0
		b = b[i+1:]
	}
	if l.max > 0 && l.n > l.max {
		l.err = &tooLongError{line: l.line, msg: fmt.Sprintf("the line is longer than %s, the most a manifest line may hold", sizeText(l.max))}
		return 0, l.err
	}
	return n, err
}

// cellTooLong is the problem text of a cell beyond MaxCellBytes.
func cellTooLong(what string, n int) string {
	return fmt.Sprintf("%s holds %d bytes, more than %s, the most a manifest cell may hold", what, n, sizeText(MaxCellBytes))
}
