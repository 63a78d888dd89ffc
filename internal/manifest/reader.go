package manifest

import (
	"context"
	"fmt"
	"io"
	"os"
)

// rowSource is a format's row reader: CSV and YAML each have one.
type rowSource interface {
	// next returns the next non-empty row, or io.EOF.
	next() (*rawRow, error)
	// columns are the canonical names of the input's known columns.
	columns() []string
	// fileProblems are the problems that belong to no row (header,
	// unknown top-level keys, defaults).
	fileProblems() []Problem
}

// Reader streams the jobs of one manifest, one row at a time.
type Reader struct {
	ctx     context.Context
	format  Format
	file    string
	closer  io.Closer
	src     rowSource
	builder jobBuilder
	ordinal int
}

// Open opens a manifest for reading. path "-" reads CSV from opts.Stdin,
// once (Validate, which reads twice, copies stdin to a temporary file
// first). Problems of the file as a whole (an unknown column in the
// header, say) are in FileProblems, not in Next's errors: run Validate
// before acting on a manifest.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	return openAs(ctx, path, opts.displayName(path), opts)
}

// openAs opens path and names it display in every Source.
func openAs(ctx context.Context, path, display string, opts Options) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	format, err := FormatFor(path)
	if err != nil {
		return nil, err
	}
	var in io.Reader
	var closer io.Closer
	if path == "-" {
		in = opts.stdin()
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open manifest: %w", err)
		}
		in, closer = f, f
		if opts.OnOpen != nil {
			opts.OnOpen()
		}
		if opts.Hash != nil {
			in = io.TeeReader(f, opts.Hash)
		}
	}
	r := &Reader{ctx: ctx, format: format, file: display, closer: closer}
	r.builder = jobBuilder{file: display, opts: &opts}
	opts.Stdin = nil // not needed after this point
	switch format {
	case YAML:
		r.src, err = newYAMLSource(display, in)
	default:
		r.src, err = newCSVSource(display, in)
	}
	if err != nil {
		if closer != nil {
			_ = closer.Close()
		}
		return nil, err
	}
	return r, nil
}

// Next returns the next row's job, or io.EOF after the last row. A row
// with problems returns the job as far as it could be read together with a
// *RowError; reading may go on. Empty rows are skipped. Checks that span
// rows (the same target twice) are Validate's.
func (r *Reader) Next() (Job, error) {
	if err := r.ctx.Err(); err != nil {
		return Job{}, err
	}
	raw, err := r.src.next()
	if err != nil {
		return Job{}, err
	}
	r.ordinal++
	job, problems := r.builder.build(raw, r.ordinal)
	if len(problems) > 0 {
		return job, &RowError{Source: job.Source, Problems: problems, last: raw.last}
	}
	return job, nil
}

// Format is the manifest's format.
func (r *Reader) Format() Format { return r.format }

// File is the manifest's name as it appears in every Source.
func (r *Reader) File() string { return r.file }

// Columns are the canonical names of the input's known columns, in input
// order, for writing failed rows back in the same shape.
func (r *Reader) Columns() []string { return r.src.columns() }

// FileProblems are the problems of the file that belong to no row: the
// CSV header's unknown or repeated columns, YAML's unknown top-level keys
// or bad defaults, a syntax error before the first row.
func (r *Reader) FileProblems() []Problem { return r.src.fileProblems() }

// Close releases the file.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}
