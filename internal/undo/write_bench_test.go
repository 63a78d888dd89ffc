package undo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/undo"
)

// renameJournal writes to dir the journal of a run of n update_user rows
// that each renamed a user, as the runner writes it: the intents of a
// burst of rows, then their completions.
func renameJournal(tb testing.TB, dir string, n int) {
	tb.Helper()
	j, err := journal.Open(dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	const burst = 64
	for start := 1; start <= n; start += burst {
		var ins []journal.Intent
		var done []journal.Completion
		for r := start; r < start+burst && r <= n; r++ {
			job := row(r, manifest.OpUpdateUser, manifest.TargetUserID, fmt.Sprintf("u-%d", r))
			job.DisplayName = sp(fmt.Sprintf("Renamed %d", r))
			p, err := undo.Compute(job, undo.Before{Kind: undo.KindUser, Exists: true, ID: fmt.Sprintf("u-%d", r),
				Email: fmt.Sprintf("user%05d@example.com", r), DisplayName: fmt.Sprintf("User %d", r), IsActive: true})
			if err != nil {
				tb.Fatal(err)
			}
			ins = append(ins, journal.Intent{Row: r, Undo: p})
			done = append(done, journal.Completion{Row: r, Status: "succeeded"})
		}
		if err := j.Note(ins...); err != nil {
			tb.Fatal(err)
		}
		if err := j.DoneAll(done); err != nil {
			tb.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkWrite writes the undo manifest of a run of 50,000 update_user
// rows (a journal of 100,000 lines).
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	renameJournal(b, dir, 50_000)
	b.ReportAllocs()
	for b.Loop() {
		n, err := undo.Write(context.Background(), dir, manifest.CSV)
		if err != nil || n != 50_000 {
			b.Fatalf("Write = %d, %v", n, err)
		}
	}
}
