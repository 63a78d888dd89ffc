package undo

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
// resumed run found nothing left to change). An intent recorded after its
// row is done belongs to no write. Undo rows of one target are merged
// into one row, in the order of their intents. It returns the number of
// undo rows written.
//
// It streams: the journal is read once, each row's last payload held
// until its row is done (the rows in flight, and those a killed run
// left). A payload chosen is decoded then, once: what the header needs
// is noted (the columns, the targets named more than once, found with a
// Bloom filter), and its rows and notes go to a temporary file (see
// spool.go), which is read back after the header. Rows and notes come in
// the order their rows were done; only the rows of targets named more
// than once are held, to be merged, and come last. The file is replaced
// whole, or not at all.
//
// It is called with the run folder's lock held: the spool and temporary
// manifest a Write killed half way left behind (as large as the undo
// rows of a run) are removed first.
func Write(ctx context.Context, dir string, format manifest.Format) (int, error) {
	removeLeftovers(dir)
	spool, err := os.CreateTemp(dir, "."+BaseName+".*.spool")
	if err != nil {
		return 0, fmt.Errorf("write undo manifest: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	sc, err := collect(ctx, dir, spool)
	if err != nil {
		return 0, fmt.Errorf("write undo manifest: %w", err)
	}
	size, err := spool.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = spool.Seek(0, io.SeekStart)
	}
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
	n, werr := writeRows(ctx, dir, buf, format, sc, newSpoolReader(spool, size))
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

// removeLeftovers removes the files a Write killed half way left in dir:
// its spool and its temporary manifest, of either format.
func removeLeftovers(dir string) {
	for _, pattern := range []string{"." + BaseName + ".*.spool", "." + BaseName + ".*.*.tmp"} {
		stale, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range stale {
			_ = os.Remove(p) // what is left is only disk space
		}
	}
}

// How a row ended, as the journal's completion lines say.
const (
	notDone uint8 = iota
	doneSucceeded
	// doneUnchanged with an intent recorded: the write of a run that was
	// killed landed, and the resumed run found nothing left to change.
	doneUnchanged
	doneOther
)

// outcome is how a completion line says its row ended.
func outcome(e *journal.Entry) uint8 {
	switch e.Status {
	case "succeeded":
		return doneSucceeded
	case "unchanged":
		return doneUnchanged
	}
	return doneOther
}

// changed reports whether a row that ended so, with a payload, changed
// its target: it succeeded, or it was found unchanged after an
// interrupted run had sent its write (which landed: there was nothing
// left to do).
func changed(o uint8) bool { return o == doneSucceeded || o == doneUnchanged }

// heldPayload is the last payload recorded for a row not yet done, and
// the journal line of its intent.
type heldPayload struct {
	line int
	undo []byte
}

// errDoneAgain stops the pass that takes each row's first completion as
// its last on meeting a row done again, ending otherwise.
var errDoneAgain = errors.New("a row is done again")

// collector is the pass over the journal: it chooses the payloads to
// undo, notes what the header needs of them, and spools them.
type collector struct {
	// state is how each row's first completion says it ended, by row
	// number (notDone until then).
	state []uint8
	// last is how each row's last completion says it ended, when known
	// ahead; nil while each row is taken to be done once, as runs write
	// their journals.
	last []uint8
	// held are the payloads of the rows not done yet.
	held  map[int]heldPayload
	seen  *bloom
	sc    *surveyed
	spool *spoolWriter
	names interner
}

// collect reads the journal in dir once, spooling the payloads chosen to
// spool, and returns what the header needs. A row done more than once
// whose completions disagree on whether it changed its target (which no
// run writes: a resumed run skips rows done) takes a second reading: its
// last completion decides.
func collect(ctx context.Context, dir string, spool *os.File) (*surveyed, error) {
	// The payloads of a journal of this size number fewer than this.
	payloads := 0
	if info, err := os.Stat(filepath.Join(dir, journal.FileName)); err == nil {
		payloads = int(info.Size() / 128)
	}
	c := newCollector(spool, payloads, nil)
	err := journal.Each(ctx, dir, c.take)
	if errors.Is(err, errDoneAgain) {
		last, lerr := lastOutcomes(ctx, dir)
		if lerr != nil {
			return nil, lerr
		}
		if _, err := spool.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("undo spool: %w", err)
		}
		if err := spool.Truncate(0); err != nil {
			return nil, fmt.Errorf("undo spool: %w", err)
		}
		c = newCollector(spool, payloads, last)
		err = journal.Each(ctx, dir, c.take)
	}
	if err != nil {
		return nil, err
	}
	if err := c.spool.flush(); err != nil {
		return nil, fmt.Errorf("write undo spool: %w", err)
	}
	return c.sc, nil
}

// newCollector spools to spool the payloads of a journal of about
// payloads of them, with each row's last outcome known ahead or not (nil).
func newCollector(spool io.Writer, payloads int, last []uint8) *collector {
	return &collector{last: last, held: map[int]heldPayload{}, seen: newBloom(payloads), sc: newSurveyed(),
		spool: newSpoolWriter(spool), names: interner{}}
}

// grown is s with room for index i.
func grown(s []uint8, i int) []uint8 {
	if i < len(s) {
		return s
	}
	return append(s, make([]uint8, i+1-len(s))...)
}

// take reads one journal line.
func (c *collector) take(e *journal.Entry) error {
	row := e.Intent.Row
	if row <= 0 {
		return nil
	}
	c.state = grown(c.state, row)
	switch {
	case e.Done && c.state[row] != notDone:
		if c.last == nil && changed(outcome(e)) != changed(c.state[row]) {
			return errDoneAgain
		}
	case e.Done:
		o := outcome(e)
		c.state[row] = o
		if c.last != nil {
			o = c.last[row]
		}
		p, ok := c.held[row]
		delete(c.held, row)
		if ok && changed(o) {
			return c.choose(row, p)
		}
	case c.state[row] == notDone && len(e.Intent.Undo) > 0:
		// An intent after the row is done belongs to no write the
		// journal knows of (a resumed run skips done rows). One without
		// a payload leaves the last payload recorded as it is: the
		// state read before the row's first send.
		c.held[row] = heldPayload{line: e.Line, undo: e.Intent.Undo}
	}
	return nil
}

// choose decodes the payload p of row, which changed its target, notes
// what the header needs of it, and spools it.
func (c *collector) choose(row int, p heldPayload) error {
	var pl payload
	if err := decodePayload(p.undo, &pl, c.names); err != nil {
		return fmt.Errorf("journal line %d: undo of row %d: %w", p.line, row, err)
	}
	c.sc.add(&pl, c.seen)
	if err := c.spool.add(p.line, &pl); err != nil {
		return fmt.Errorf("write undo spool: %w", err)
	}
	return nil
}

// lastOutcomes reads how each row's last completion in the journal says
// it ended, by row number.
func lastOutcomes(ctx context.Context, dir string) ([]uint8, error) {
	var last []uint8
	err := journal.Each(ctx, dir, func(e *journal.Entry) error {
		row := e.Intent.Row
		if row <= 0 {
			return nil
		}
		last = grown(last, row)
		if e.Done {
			last[row] = outcome(e)
		}
		return nil
	})
	return last, err
}

// surveyed is what the header needs of the payloads chosen: the targets
// named more than once (maybe: a Bloom filter's false positives are
// merged too, harmlessly), the columns the rows use, and what the header
// must say.
type surveyed struct {
	repeated map[string]bool
	columns  map[string]bool
	deletes  bool
	recreate bool
	notes    bool
	// shapes are the shapes of the rows whose columns are in columns.
	shapes map[shape]bool
}

func newSurveyed() *surveyed {
	return &surveyed{repeated: map[string]bool{}, columns: map[string]bool{}, shapes: map[shape]bool{}}
}

// add notes what the header needs of p; seen holds the targets of the
// payloads added before.
func (sc *surveyed) add(p *payload, seen *bloom) {
	sc.notes = sc.notes || len(p.Notes) > 0
	for i := range p.Rows {
		e := &p.Rows[i]
		key := e.key()
		if seen.addSeen(key) {
			sc.repeated[key] = true
		}
		sc.deletes = sc.deletes || e.deletes()
		sc.recreate = sc.recreate || e.creates()
		sh := e.shape()
		if sc.shapes[sh] {
			continue // its columns are those of a row before
		}
		if len(sc.shapes) < 1024 {
			sc.shapes[sh] = true
		}
		for _, c := range e.job(0).Cells() {
			sc.columns[c.Column] = true
		}
		if e.creates() && e.Op != manifest.OpEnsureGroup || len(e.Add)+len(e.Remove) > 0 {
			// A merged row may turn memberships into an exact set.
			sc.columns[manifest.ColGroups] = true
		}
	}
}

// shape is what the columns of an undo row depend on: its op, its target
// kind, and which of its fields are set and which empty. Rows of one
// shape have the same cells, with other values.
type shape struct {
	op     manifest.Op
	t      manifest.TargetKind
	fields uint64
}

func (e *entry) shape() shape {
	var bits uint64
	field := 0
	mark := func(set, empty bool) {
		if set {
			bits |= 1 << field
		}
		if empty {
			bits |= 2 << field
		}
		field += 2
	}
	for _, v := range []string{e.V, e.Folder} {
		mark(true, v == "")
	}
	for _, v := range []*string{e.UserName, e.Name, e.Surname, e.DisplayName, e.RobotUser, e.CredentialType} {
		mark(v != nil, v != nil && *v == "")
	}
	for _, v := range []*bool{e.IsActive, e.Bypass, e.Invitation, e.Limit} {
		mark(v != nil, false)
	}
	for _, v := range [][]string{e.Groups, e.Add, e.Remove, e.Roles, e.RolesRemove} {
		mark(v != nil, len(v) == 0)
	}
	mark(e.ExecutionSettings != nil, len(e.ExecutionSettings) == 0)
	return shape{e.Op, e.T, bits}
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

// writeRows writes the header's comments, then each spooled row (rows
// of a target named more than once held, merged in the order of their
// intents and written last) and each note as a comment line.
func writeRows(ctx context.Context, dir string, out io.Writer, format manifest.Format, sc *surveyed, spool *spoolReader) (int, error) {
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
	// held are the rows of targets named more than once, by target, with
	// the journal lines of their intents.
	type heldRow struct {
		line int
		e    entry
	}
	held := map[string][]heldRow{}
	notes := noteTally{}
	var rec spooled
	for records := 1; ; records++ {
		if records%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		err := spool.next(&rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		for _, note := range rec.notes {
			if !notes.list(note) {
				continue
			}
			if err := w.Comment(NotUndoable + note); err != nil {
				return 0, err
			}
		}
		for i := range rec.rows {
			e := &rec.rows[i]
			if len(sc.repeated) > 0 {
				if key := e.key(); sc.repeated[key] {
					held[key] = append(held[key], heldRow{rec.line, *e})
					continue
				}
			}
			if err := write(e); err != nil {
				return 0, err
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(held)) {
		hs := held[k]
		// Rows were spooled as their rows were done: put them back in
		// the order the run wrote them (a payload's rows in its order).
		slices.SortStableFunc(hs, func(a, b heldRow) int { return cmp.Compare(a.line, b.line) })
		merged := hs[0].e
		for _, later := range hs[1:] {
			var lost string
			merged, lost = fold(merged, later.e)
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
	for _, more := range notes.rest() {
		if err := w.Comment(NotUndoable + more); err != nil {
			return 0, err
		}
	}
	return n, w.Close()
}

// NotesListed is how many rows of one op that cannot be put back for one
// reason the undo manifest names one by one; the rest are counted in one
// line, so that a million passwords set do not make a million lines.
const NotesListed = 20

// noteTally counts the notes of each op and reason.
type noteTally map[noteKind]int

type noteKind struct{ op, why string }

// kindOfNote reads a note written by payload.note ("SOURCE OP TARGET:
// WHY"): its op and its reason. SOURCE is FILE:LINE, and FILE may hold
// spaces: it ends at the first space after a colon and digits.
func kindOfNote(note string) noteKind {
	rest, ok := afterSource(note)
	if !ok {
		return noteKind{why: note}
	}
	op, rest, _ := strings.Cut(rest, " ")
	_, why, ok := strings.Cut(rest, ": ")
	if !ok {
		return noteKind{why: note}
	}
	return noteKind{op: op, why: why}
}

// afterSource is note after its FILE:LINE and the space that follows.
func afterSource(note string) (string, bool) {
	for i := 0; ; {
		sp := strings.IndexByte(note[i:], ' ')
		if sp < 0 {
			return "", false
		}
		end := i + sp
		digits := strings.TrimRightFunc(note[:end], func(c rune) bool { return '0' <= c && c <= '9' })
		if len(digits) < end && strings.HasSuffix(digits, ":") {
			return note[end+1:], true
		}
		i = end + 1
	}
}

// list counts note and reports whether it is among the first NotesListed
// of its kind.
func (t noteTally) list(note string) bool {
	k := kindOfNote(note)
	t[k]++
	return t[k] <= NotesListed
}

// rest is a line for each kind of note with more than NotesListed, in a
// stable order.
func (t noteTally) rest() []string {
	var out []string
	for k, n := range t {
		if n > NotesListed {
			out = append(out, fmt.Sprintf("%d more %s rows (%d in all; each is in results.csv): %s", n-NotesListed, k.op, n, k.why))
		}
	}
	slices.Sort(out)
	return out
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
