package undo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/uipath-batch/batch/internal/atomicfile"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
)

// BaseName is the undo manifest's file name without its extension
// (undo.csv, undo.yaml).
const BaseName = "undo"

// FileName is the undo manifest's name in a run folder for a manifest of
// format f.
func FileName(f manifest.Format) string { return BaseName + f.Ext() }

// NotUndoable begins the comment line of each thing an undo manifest does
// not put back.
const NotUndoable = "not undoable: "

// Write writes the run folder dir's undo manifest (undo.csv, or undo.yaml
// when format is manifest.YAML) from the run's journal: the payloads
// recorded with the last intent (that has one) of each row the journal
// calls done with status "succeeded", across every run of the folder (a
// resumed run appends to the same journal); and of each row done
// "unchanged" after such an intent (a killed run's write landed, and the
// resumed run found nothing left to change). Undo rows of one target are
// merged into one row. It returns the number of undo rows written.
//
// It streams: the journal is read three times (each row's last intent and
// final status; the targets named more than once, found with a Bloom
// filter; the rows), and only the rows of targets named more than once
// are held, to be merged. The file is replaced whole, or not at all.
func Write(ctx context.Context, dir string, format manifest.Format) (int, error) {
	rows, payloads, err := readStates(ctx, dir)
	if err != nil {
		return 0, fmt.Errorf("write undo manifest: %w", err)
	}
	sc, err := survey(ctx, dir, rows, payloads)
	if err != nil {
		return 0, fmt.Errorf("write undo manifest: %w", err)
	}
	path := filepath.Join(dir, FileName(format))
	tmp, err := os.CreateTemp(dir, "."+FileName(format)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("write undo manifest: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	buf := bufio.NewWriterSize(tmp, 64<<10)
	n, werr := writeRows(ctx, dir, buf, format, rows, sc)
	if werr == nil {
		werr = buf.Flush()
	}
	err = errors.Join(werr, tmp.Chmod(0o640), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = atomicfile.SyncDir(dir)
	}
	if err != nil {
		return 0, fmt.Errorf("write undo manifest %s: %w", path, err)
	}
	return n, nil
}

// Row outcomes as the first pass keeps them.
const (
	notDone uint8 = iota
	doneSucceeded
	// doneUnchanged with an intent recorded: the write of a run that was
	// killed landed, and the resumed run found nothing left to change.
	doneUnchanged
	doneOther
)

// rowStates is what the first pass keeps of each row, by row number: the
// line of its last intent with a payload recorded before it was done, and
// how it ended.
// Five bytes a row.
type rowStates struct {
	last []uint32
	done []uint8
}

func (s *rowStates) grow(row int) {
	for len(s.last) <= row {
		s.last = append(s.last, 0)
		s.done = append(s.done, notDone)
	}
}

// chosen reports whether the intent line e carries the payload of a row
// that changed its target: the row's last intent with one, of a row done
// "succeeded", or done "unchanged" by a resumed run after an interrupted
// run had sent its write (which landed: there was nothing left to do).
func (s *rowStates) chosen(e *journal.Entry) bool {
	row := e.Intent.Row
	return !e.Done && len(e.Intent.Undo) > 0 && row > 0 && row < len(s.last) &&
		(s.done[row] == doneSucceeded || s.done[row] == doneUnchanged) && s.last[row] == uint32(e.Line)
}

// readStates is the first pass: each row's last intent and final status,
// and how many intents carry a payload.
func readStates(ctx context.Context, dir string) (*rowStates, int, error) {
	s := &rowStates{}
	payloads := 0
	err := journal.Each(ctx, dir, func(e *journal.Entry) error {
		row := e.Intent.Row
		if row <= 0 {
			return nil
		}
		s.grow(row)
		switch {
		case e.Done && e.Status == "succeeded":
			s.done[row] = doneSucceeded
		case e.Done && e.Status == "unchanged":
			s.done[row] = doneUnchanged
		case e.Done:
			s.done[row] = doneOther
		case s.done[row] == notDone && len(e.Intent.Undo) > 0:
			// An intent after the row is done belongs to no write the
			// journal knows of (a resumed run skips done rows). One
			// without a payload leaves the last payload recorded as it
			// is: the state read before the row's first send.
			s.last[row] = uint32(e.Line)
			payloads++
		}
		return nil
	})
	return s, payloads, err
}

// eachPayload calls fn with the payload of every row that succeeded, in
// journal order.
func eachPayload(ctx context.Context, dir string, rows *rowStates, fn func(*payload) error) error {
	return journal.Each(ctx, dir, func(e *journal.Entry) error {
		if !rows.chosen(e) {
			return nil
		}
		var p payload
		if err := json.Unmarshal(e.Intent.Undo, &p); err != nil {
			return fmt.Errorf("journal line %d: undo of row %d: %w", e.Line, e.Intent.Row, err)
		}
		return fn(&p)
	})
}

// surveyed is what the second pass learns: the targets named more than
// once (maybe: a Bloom filter's false positives are merged too, harmlessly),
// the columns the rows use, and what the header must say.
type surveyed struct {
	repeated map[string]bool
	columns  map[string]bool
	deletes  bool
	recreate bool
	notes    bool
}

// survey is the second pass.
func survey(ctx context.Context, dir string, rows *rowStates, payloads int) (*surveyed, error) {
	sc := &surveyed{repeated: map[string]bool{}, columns: map[string]bool{}}
	seen := newBloom(payloads)
	err := eachPayload(ctx, dir, rows, func(p *payload) error {
		sc.notes = sc.notes || len(p.Notes) > 0
		for i := range p.Rows {
			e := &p.Rows[i]
			key := e.key()
			if seen.addSeen(key) {
				sc.repeated[key] = true
			}
			sc.deletes = sc.deletes || e.deletes()
			sc.recreate = sc.recreate || e.creates()
			for _, c := range e.job(0).Cells() {
				sc.columns[c.Column] = true
			}
			if e.creates() && e.Op != manifest.OpEnsureGroup || len(e.Add)+len(e.Remove) > 0 {
				// A merged row may turn memberships into an exact set.
				sc.columns[manifest.ColGroups] = true
			}
		}
		return nil
	})
	return sc, err
}

// columnOrder is the order of the undo manifest's CSV columns.
var columnOrder = []string{
	manifest.ColOp, string(manifest.TargetUserID), string(manifest.TargetEmail), manifest.ColUserName,
	string(manifest.TargetRobotAccountID), string(manifest.TargetRobotName),
	string(manifest.TargetGroupID), string(manifest.TargetGroupName),
	manifest.ColName, manifest.ColSurname, manifest.ColDisplayName,
	manifest.ColIsActive, manifest.ColBypassBasicAuthRestriction, manifest.ColInvitationAccepted,
	manifest.ColGroups, manifest.ColGroupsToAdd, manifest.ColGroupsToRemove,
	string(manifest.TargetOrchestratorUserID), string(manifest.TargetFolder), manifest.ColRoles, manifest.ColRolesToRemove,
	manifest.ColRobotUsername, manifest.ColCredentialType, manifest.ColExecutionSettings, manifest.ColLimitConcurrentExecution,
}

// writeRows is the third pass: the header's comments, then each row
// (rows of a target named more than once held, merged and written last)
// and each note as a comment line.
func writeRows(ctx context.Context, dir string, out io.Writer, format manifest.Format, rows *rowStates, sc *surveyed) (int, error) {
	cols := []string{manifest.ColOp}
	for _, c := range columnOrder[1:] {
		if sc.columns[c] {
			cols = append(cols, c)
		}
	}
	w, err := manifest.NewWriter(out, format, cols)
	if err != nil {
		return 0, err
	}
	if err := header(w, dir, sc); err != nil {
		return 0, err
	}
	n := 0
	write := func(e *entry) error {
		n++
		return w.Write(e.job(n))
	}
	held := map[string][]entry{}
	err = eachPayload(ctx, dir, rows, func(p *payload) error {
		for _, note := range p.Notes {
			if err := w.Comment(NotUndoable + note); err != nil {
				return err
			}
		}
		for i := range p.Rows {
			e := p.Rows[i]
			if key := e.key(); sc.repeated[key] {
				held[key] = append(held[key], e)
				continue
			}
			if err := write(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range slices.Sorted(maps.Keys(held)) {
		es := held[k]
		merged := es[0]
		for _, later := range es[1:] {
			var lost string
			merged, lost = fold(merged, later)
			if lost != "" {
				if err := w.Comment(NotUndoable + lost); err != nil {
					return 0, err
				}
			}
		}
		if merged.empty() {
			continue
		}
		if err := write(&merged); err != nil {
			return 0, err
		}
	}
	return n, w.Close()
}

// header writes the comment lines that open the undo manifest.
func header(w *manifest.Writer, dir string, sc *surveyed) error {
	lines := []string{"Undo manifest: applied, it puts back what this run changed (check it first with batch plan)."}
	if meta, err := journal.ReadMeta(dir); err == nil && meta.RunID != "" {
		lines[0] = fmt.Sprintf("Undo manifest of run %s (%s): applied, it puts back what that run changed (check it first with batch plan).", meta.RunID, meta.Manifest)
	}
	if sc.deletes {
		lines = append(lines, "It deletes accounts or groups that the run created: apply it with --allow-deletes.")
	}
	if sc.recreate {
		lines = append(lines, "Accounts and groups it creates again get new ids; accounts get no password.")
	}
	if sc.notes {
		lines = append(lines, "Lines beginning \""+NotUndoable+"\" name rows whose change it does not put back, and why.")
	}
	for _, l := range lines {
		if err := w.Comment(l); err != nil {
			return err
		}
	}
	return nil
}

// bloom is a fixed-size Bloom filter over strings: "certainly not seen"
// or "maybe seen", in memory that does not grow with the keys added.
type bloom struct {
	bits []uint64
	mask uint64
	seed maphash.Seed
}

// bloomProbes is the number of bits each key sets.
const bloomProbes = 4

// newBloom sizes a filter for about n keys: 16 bits each, between 64 KiB
// and 32 MiB of bits.
func newBloom(n int) *bloom {
	bits := uint64(1) << 19
	for bits < uint64(n)*16 && bits < 1<<28 {
		bits <<= 1
	}
	return &bloom{bits: make([]uint64, bits/64), mask: bits - 1, seed: maphash.MakeSeed()}
}

// addSeen adds key and reports whether it may have been added before.
func (b *bloom) addSeen(key string) bool {
	h := maphash.String(b.seed, key)
	h1, h2 := h&0xffffffff, (h>>32)|1
	seen := true
	for i := uint64(0); i < bloomProbes; i++ {
		bit := (h1 + i*h2) & b.mask
		word, m := bit/64, uint64(1)<<(bit%64)
		if b.bits[word]&m == 0 {
			seen = false
			b.bits[word] |= m
		}
	}
	return seen
}
