package manifest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"
)

// Bloom filter size for the cross-row check: 2^25 bits (4 MiB) and 6
// probes keep false candidates to a few dozen in a million distinct rows;
// false candidates cost only a little work in the exact pass, never a
// wrong problem.
const (
	bloomLog2Bits = 25
	bloomProbes   = 6
)

// bloomBits is the filter size in use; tests shrink it to force false
// candidates.
var bloomBits uint = bloomLog2Bits

// Validate checks a whole manifest: every row rule, the file's own
// problems, and the rules that span rows (the same target changed twice).
// Each problem goes to onProblem once, in line order (the problems of one
// line in the order they were found); rows is the number of non-empty
// rows. err is only for what stops the check (an unreadable file, a
// cancelled context).
//
// Memory stays flat whatever the number of rows and of problems: no
// problem of a row is held past its row. The first read adds every row's
// target to a fixed-size Bloom filter and notes the targets it may have
// seen before; a second read, run only when there are such candidates,
// checks them exactly. The first read hands on each row's problems as it
// reads the row, up to the first candidate row; from there on, where a
// conflict (found by the second read) may fall between them, the second
// read hands on the rows' problems and the conflicts together. A YAML
// manifest, parsed whole and at most MaxYAMLBytes, has all its problems
// handed on by a second read: a value it takes from defaults: or from an
// anchor lies at a line before the rows that use it, and its problem is
// reported once, at that line. Stdin ("-") is copied to a private
// temporary file first so that it can be read twice; the file is removed
// before Validate returns.
func Validate(ctx context.Context, path string, opts Options, onProblem func(Problem)) (rows int, err error) {
	return ValidateEach(ctx, path, opts, onProblem, nil)
}

// ValidateEach is Validate that also hands each row without problems of
// its own to onJob (if not nil) as the first pass reads it, so that a
// caller can take counts without reading the manifest once more. onJob
// must not keep the job.
func ValidateEach(ctx context.Context, path string, opts Options, onProblem func(Problem), onJob func(*Job)) (rows int, err error) {
	display := opts.displayName(path)
	path, remove, err := SpoolStdin(ctx, path, opts.stdin())
	if err != nil {
		return 0, err
	}
	defer remove()
	if onProblem == nil {
		onProblem = func(Problem) {}
	}
	v := &validation{ctx: ctx, path: path, display: display, opts: opts, seed: maphash.MakeSeed(), out: onProblem, shared: map[Problem]bool{}}
	rows, err = v.firstPass(onJob)
	if err != nil {
		return rows, err
	}
	if len(v.candidates) > 0 || v.heldBack {
		if err := v.secondPass(); err != nil {
			return rows, err
		}
	}
	v.flush(math.MaxInt)
	return rows, nil
}

// validation is one Validate: what its two reads share.
type validation struct {
	ctx           context.Context
	path, display string
	opts          Options
	seed          maphash.Seed
	out           func(Problem)

	// pending are problems found ahead of their turn, in line order,
	// waiting for the rows' problems to reach their line: the file's own
	// (YAML's top-level keys may follow the rows) and the problems rows
	// share (a YAML default, an anchor), each once.
	pending []Problem
	// shared are the problems of rows at lines outside the row: each is
	// in pending once, and skipped wherever a row repeats it.
	shared map[Problem]bool
	// from is the ordinal of the first row whose problems the first read
	// holds back for the second (0: none held back so far).
	from int
	// heldBack: a row from `from` on has problems of its own, which the
	// second read hands on.
	heldBack bool
	// candidates are the conflict hashes the Bloom filter may have seen
	// before: the targets the second read checks exactly.
	candidates map[uint64]struct{}
}

// firstPass counts the rows, hands on the problems of the rows before the
// first candidate row, and collects the candidates.
func (v *validation) firstPass(onJob func(*Job)) (int, error) {
	r, err := openAs(v.ctx, v.path, v.display, v.opts)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	v.pending = slices.Clone(r.FileProblems())
	slices.SortStableFunc(v.pending, byLine)
	if r.Format() == YAML {
		// Its shared problems are known only once every row is read.
		v.from = 1
	}
	filter := newBloom(bloomBits, bloomProbes, v.seed)
	v.candidates = map[uint64]struct{}{}
	rows := 0
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			rows++
			own := v.ownProblems(rowErr)
			switch {
			case v.from == 0:
				v.emitAll(own)
			case len(own) > 0:
				v.heldBack = true
			}
			continue
		}
		if err != nil {
			return rows, fmt.Errorf("validate %s: %w", v.display, err)
		}
		rows++
		if onJob != nil {
			onJob(&job)
		}
		if touches(&job) == 0 {
			continue
		}
		if h := conflictHash(v.seed, &job); filter.addSeenHash(h) {
			v.candidates[h] = struct{}{}
			if v.from == 0 {
				// A conflict is reported at a row whose target the
				// filter has seen before: none falls before this one.
				v.from = job.Row
			}
		}
	}
}

// secondPass reads the manifest again: it checks the candidate targets
// exactly and hands on, in line order, the conflicts and the problems of
// the rows from the first candidate row on.
func (v *validation) secondPass() error {
	r, err := openAs(v.ctx, v.path, v.display, v.opts.withoutHash())
	if err != nil {
		return err
	}
	defer r.Close()
	owners := make(map[string]*fieldOwners, len(v.candidates))
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			if own := v.ownProblems(rowErr); job.Row >= v.from {
				v.emitAll(own)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("validate %s: %w", v.display, err)
		}
		mask := touches(&job)
		if mask == 0 {
			continue
		}
		if _, ok := v.candidates[conflictHash(v.seed, &job)]; !ok {
			continue
		}
		key := job.ConflictKey()
		o := owners[key]
		if o == nil {
			o = &fieldOwners{}
			owners[key] = o
		}
		if p, conflict := o.claim(&job, mask); conflict {
			v.emit(p)
		}
	}
}

// ownProblems returns the problems of a row that lie at its own lines. A
// problem elsewhere (in a YAML default, or in an anchor a value of the
// row aliases) belongs to the rows that share it: it is kept in pending,
// once, to be handed on at its own line.
func (v *validation) ownProblems(e *RowError) []Problem {
	own := e.Problems[:0] // filtered in place
	for _, p := range e.Problems {
		switch {
		case v.shared[p]:
		case e.owns(p.Source.Line):
			own = append(own, p)
		default:
			v.shared[p] = true
			i, _ := slices.BinarySearchFunc(v.pending, p.Source.Line, func(q Problem, line int) int {
				if q.Source.Line <= line {
					return -1
				}
				return 1
			})
			v.pending = slices.Insert(v.pending, i, p)
		}
	}
	return own
}

// emitAll hands on the problems of one row, in line order.
func (v *validation) emitAll(problems []Problem) {
	slices.SortStableFunc(problems, byLine)
	for _, p := range problems {
		v.emit(p)
	}
}

// emit hands on p after the pending problems at or before its line.
func (v *validation) emit(p Problem) {
	v.flush(p.Source.Line)
	v.out(p)
}

// flush hands on the pending problems at or before line.
func (v *validation) flush(line int) {
	n := 0
	for n < len(v.pending) && v.pending[n].Source.Line <= line {
		v.out(v.pending[n])
		n++
	}
	v.pending = v.pending[n:]
}

func byLine(a, b Problem) int { return cmp.Compare(a.Source.Line, b.Source.Line) }
