package manifest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
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
// Each problem goes to onProblem as it is found; rows is the number of
// non-empty rows. err is only for what stops the check (an unreadable
// file, a cancelled context).
//
// Memory stays flat whatever the number of rows: the first pass adds every
// row's target to a fixed-size Bloom filter and notes the targets it may
// have seen before; a second pass, run only when there are such
// candidates, checks them exactly. Stdin ("-") is copied to a private
// temporary file first so that it can be read twice; the file is removed
// before Validate returns. Conflicts are reported after the rows' own
// problems.
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
	// Problems are handed on in line order, whichever check found them
	// (a conflict is found after the rows' own problems, a YAML default
	// before the row that names it).
	var found []Problem
	collect := func(p Problem) { found = append(found, p) }
	defer func() {
		slices.SortStableFunc(found, func(a, b Problem) int { return cmp.Compare(a.Source.Line, b.Source.Line) })
		for _, p := range found {
			onProblem(p)
		}
	}()
	seed := maphash.MakeSeed()
	candidates, rows, err := firstPass(ctx, path, display, opts, seed, collect, onJob)
	if err != nil || len(candidates) == 0 {
		return rows, err
	}
	return rows, exactPass(ctx, path, display, opts, seed, candidates, collect)
}

// firstPass reports every row's problems and returns the conflict keys
// that may occur more than once.
func firstPass(ctx context.Context, path, display string, opts Options, seed maphash.Seed, onProblem func(Problem), onJob func(*Job)) (map[uint64]struct{}, int, error) {
	r, err := openAs(ctx, path, display, opts)
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	for _, p := range r.FileProblems() {
		onProblem(p)
	}
	// YAML defaults are merged into every row; a problem in them is
	// reported once, not once per row.
	reportedBefore := map[Problem]bool{}
	filter := newBloom(bloomBits, bloomProbes, seed)
	candidates := map[uint64]struct{}{}
	rows := 0
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return candidates, rows, nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			rows++
			for _, p := range rowErr.Problems {
				if p.Source.Line < rowErr.Source.Line {
					if reportedBefore[p] {
						continue
					}
					reportedBefore[p] = true
				}
				onProblem(p)
			}
			continue
		}
		if err != nil {
			return nil, rows, fmt.Errorf("validate %s: %w", display, err)
		}
		rows++
		if onJob != nil {
			onJob(&job)
		}
		if touches(&job) == 0 {
			continue
		}
		if h := conflictHash(seed, &job); filter.addSeenHash(h) {
			candidates[h] = struct{}{}
		}
	}
}

// exactPass reads the manifest again and checks only the candidate
// targets, exactly.
func exactPass(ctx context.Context, path, display string, opts Options, seed maphash.Seed, candidates map[uint64]struct{}, onProblem func(Problem)) error {
	r, err := openAs(ctx, path, display, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	owners := make(map[string]*fieldOwners, len(candidates))
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			continue
		}
		if err != nil {
			return fmt.Errorf("validate %s: %w", display, err)
		}
		mask := touches(&job)
		if mask == 0 {
			continue
		}
		if _, ok := candidates[conflictHash(seed, &job)]; !ok {
			continue
		}
		key := job.ConflictKey()
		o := owners[key]
		if o == nil {
			o = &fieldOwners{}
			owners[key] = o
		}
		if p, conflict := o.claim(&job, mask); conflict {
			onProblem(p)
		}
	}
}
