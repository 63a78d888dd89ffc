// Package journal is a run's write-ahead log. Before a row's write is sent,
// its intent is appended and synced to disk (with any generated password
// sealed); after the row's result is in the report, its completion is
// appended. A run killed at any instant leaves a journal from which a
// resumed run knows each row's state: done, in flight, or not started.
//
// The journal lives in the run's report folder, next to run.key (the
// run's sealing key, 0600) and run.lock (held while a run works on the
// folder).
package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// File names inside a run's report folder.
const (
	FileName = "journal.jsonl"
	KeyName  = "run.key"
	LockName = "run.lock"
	MetaName = "run.json"
)

// Intent is what is about to be sent for a row.
type Intent struct {
	Row int `json:"row"`
	// Sealed holds generated or resolved passwords by field, sealed to the
	// run's key, so that a resumed run re-sends the very same value.
	Sealed map[string]string `json:"sealed,omitempty"`
	// Before is the target's last modification time read before sending,
	// so that a resumed run can tell whether the change landed.
	Before time.Time `json:"before,omitzero"`
	// NeverModified records that the target had never been modified when
	// it was read before sending (the server answered a null modification
	// time): a known state as much as a Before time is. An intent with
	// neither does not know the state before (see BeforeKnown).
	NeverModified bool `json:"never_modified,omitempty"`
	// Write names what the row sent when it was not the op's usual
	// change ("create", "delete", "members"): a resumed run settles it
	// by reading.
	Write string `json:"write,omitempty"`
	// CreatedID is the id a create sends for the account or group it
	// makes (the client chooses it): a resumed run settles the create by
	// reading that id, exactly, and sends the same id again if absent.
	CreatedID string `json:"created_id,omitempty"`
	// Undo is what puts back the row's change, computed from the target's
	// state read before the write (see package undo); empty when nothing
	// can be or needs to be put back.
	Undo json.RawMessage `json:"undo,omitempty"`
}

// BeforeKnown reports whether the intent holds the target's state before
// the send: a last modification time, or that there was none.
func (in *Intent) BeforeKnown() bool { return !in.Before.IsZero() || in.NeverModified }

// record is one journal line.
type record struct {
	Kind string `json:"k"` // "intent" or "done"
	Intent
	Status string `json:"status,omitempty"`
}

// Journal appends to a run's journal file. It is safe for concurrent use;
// concurrent Intent calls share one fsync (group commit).
type Journal struct {
	mu     sync.Mutex
	f      *os.File
	w      *bufio.Writer
	seq    uint64 // lines written
	syncMu sync.Mutex
	synced uint64 // lines known on disk
	// flushMu and flushed: lines written through to the operating system.
	flushMu sync.Mutex
	flushed uint64
	sealer  *Sealer
}

// Open opens (creating with mode 0600) the journal in dir for appending.
func Open(dir string, sealer *Sealer) (*Journal, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := dropTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	return &Journal{f: f, w: bufio.NewWriterSize(f, 16<<10), sealer: sealer}, nil
}

// dropTornLine cuts off a last line without its newline (a process killed
// while writing it; readers ignore it), so that the lines a resumed run
// appends do not run on from it.
func dropTornLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	buf := make([]byte, 64<<10)
	for pos := end; pos > 0; {
		n := min(int64(len(buf)), pos)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			if keep := pos + int64(i) + 1; keep < end {
				return f.Truncate(keep)
			}
			return nil
		}
	}
	if end > 0 {
		return f.Truncate(0) // one line, torn
	}
	return nil
}

// Sealer is the run's sealer (nil when the journal was opened without one).
func (j *Journal) Sealer() *Sealer {
	if j == nil {
		return nil
	}
	return j.sealer
}

// Intent durably records that row's write is about to be sent: it returns
// once the line is on disk.
func (j *Journal) Intent(in Intent) error {
	seq, err := j.append(record{Kind: "intent", Intent: in})
	if err != nil {
		return err
	}
	return j.syncTo(seq)
}

// Note records intents that a killed process must not lose but that need
// not survive the machine's crash (what a row sends besides its usual
// change, what undoes it): they are written through to the operating
// system, as Done is, without a sync of their own.
func (j *Journal) Note(ins ...Intent) error {
	seq, err := j.appendIntents(ins)
	if err != nil || seq == 0 {
		return err
	}
	return j.writeTo(seq)
}

func (j *Journal) appendIntents(ins []Intent) (uint64, error) {
	if len(ins) == 0 {
		return 0, nil
	}
	recs := make([]record, len(ins))
	for i, in := range ins {
		recs[i] = record{Kind: "intent", Intent: in}
	}
	return j.append(recs...)
}

// Done records that row's result is in the report. It is written through
// to the operating system (it survives the process being killed) but not
// synced: a row whose completion is lost is verified again on resume.
func (j *Journal) Done(row int, status string) error {
	return j.DoneAll([]Completion{{Row: row, Status: status}})
}

// Completion is a row whose result is in the report, and its status.
type Completion struct {
	Row    int
	Status string
}

// DoneAll records, in one write, rows whose results are in the report
// (see Done).
func (j *Journal) DoneAll(rows []Completion) error {
	if len(rows) == 0 {
		return nil
	}
	recs := make([]record, len(rows))
	for i, c := range rows {
		recs[i] = record{Kind: "done", Intent: Intent{Row: c.Row}, Status: c.Status}
	}
	seq, err := j.append(recs...)
	if err != nil {
		return err
	}
	return j.writeTo(seq)
}

// append writes records as lines, through to the operating system, and
// returns the sequence number of the last.
func (j *Journal) append(recs ...record) (uint64, error) {
	lines := make([][]byte, len(recs))
	for i, r := range recs {
		if line, ok := doneLine(r); ok {
			lines[i] = line
			continue
		}
		if line, ok := noteLine(r); ok {
			lines[i] = line
			continue
		}
		line, err := json.Marshal(r)
		if err != nil {
			return 0, fmt.Errorf("encode journal record: %w", err)
		}
		lines[i] = line
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return 0, errors.New("journal is closed")
	}
	for _, line := range lines {
		j.w.Write(line)
		j.w.WriteByte('\n')
	}
	j.seq += uint64(len(lines))
	return j.seq, nil
}

// writeTo writes the lines appended up to seq through to the operating
// system (a killed process keeps them). Callers appending at once share
// one write.
func (j *Journal) writeTo(seq uint64) error {
	j.flushMu.Lock()
	defer j.flushMu.Unlock()
	if j.flushed >= seq {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("journal is closed")
	}
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	j.flushed = j.seq
	return nil
}

// doneLine is the line json.Marshal writes for a completion record whose
// status is a plain word (every status the tool writes); it reports false
// for any other record.
func doneLine(r record) ([]byte, bool) {
	if r.Kind != "done" || r.Sealed != nil || r.BeforeKnown() || !plainWord(r.Status) {
		return nil, false
	}
	b := []byte(`{"k":"done","row":`)
	b = strconv.AppendInt(b, int64(r.Row), 10)
	if r.Status != "" {
		b = append(b, `,"status":"`...)
		b = append(b, r.Status...)
		b = append(b, '"')
	}
	return append(b, '}'), true
}

// noteLine is the line json.Marshal writes for an intent that holds only
// what a row sends and what undoes it (Note's, one per row of a large
// run): its undo payload, already JSON, is copied as it is instead of
// being checked and compacted again. It reports false for any other
// record.
func noteLine(r record) ([]byte, bool) {
	if r.Kind != "intent" || r.Sealed != nil || r.BeforeKnown() || r.CreatedID != "" || !plainWord(r.Write) || !json.Valid(r.Undo) && len(r.Undo) > 0 {
		return nil, false
	}
	b := make([]byte, 0, 40+len(r.Undo))
	b = append(b, `{"k":"intent","row":`...)
	b = strconv.AppendInt(b, int64(r.Row), 10)
	if r.Write != "" {
		b = append(b, `,"write":"`...)
		b = append(b, r.Write...)
		b = append(b, '"')
	}
	if len(r.Undo) > 0 {
		b = append(b, `,"undo":`...)
		b = append(b, r.Undo...)
	}
	return append(b, '}'), true
}

// plainWord reports whether s holds only letters, digits and underscores,
// which JSON writes as they are.
func plainWord[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// syncTo returns once line seq is on disk; one fsync covers every line
// written before it.
func (j *Journal) syncTo(seq uint64) error {
	if err := j.writeTo(seq); err != nil {
		return err
	}
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= seq {
		return nil
	}
	// Only lines written through are in the file to sync: lines appended
	// since (still in the buffer) are another caller's to write and sync.
	j.flushMu.Lock()
	upTo := j.flushed
	j.flushMu.Unlock()
	j.mu.Lock()
	f := j.f
	j.mu.Unlock()
	if f == nil {
		return errors.New("journal is closed")
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	j.synced = upTo
	return nil
}

// Close syncs and closes the journal.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := errors.Join(j.w.Flush(), j.f.Sync(), j.f.Close())
	j.f = nil
	if err != nil {
		return fmt.Errorf("close journal: %w", err)
	}
	return nil
}

// RowState is what a journal says of one row.
type RowState struct {
	// Done: the row's result is in the report; a resumed run skips it.
	Done   bool
	Status string
	// Intent is the last intent recorded for a row that is not done: its
	// write may or may not have reached the server.
	Intent *Intent
}

// State is a journal read back: rows by number. Rows absent were never
// started.
type State map[int]RowState

// Read reads the journal in dir. A torn last line (the process killed
// while writing it) is ignored; a torn line elsewhere is an error.
func Read(dir string) (State, error) {
	st := State{}
	err := Each(context.Background(), dir, func(e *Entry) error {
		s := st[e.Intent.Row]
		if e.Done {
			s.Done, s.Status, s.Intent = true, e.Status, nil
		} else if !s.Done {
			in := e.Intent
			s.Intent = &in
		}
		st[e.Intent.Row] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Entry is one line of a journal as Each reads it.
type Entry struct {
	// Line is the line's number in the file, from 1.
	Line int
	// Done: the line is a completion with its Status; otherwise an intent.
	Done   bool
	Status string
	// Intent is the intent of an intent line; of a completion, only Row.
	Intent Intent
}

// Each calls fn with each line of the journal in dir, in the order they
// were written, holding one line at a time: a journal of millions of rows
// is read in constant memory. The Entry is reused for the next line: fn
// may keep what it holds (an Intent copied, its Undo), not the Entry.
// A journal that does not exist has no lines; a torn last line (the
// process killed while writing it) is skipped; a torn line elsewhere, or
// an error from fn, stops the walk and is returned.
//
// The lines Done and Note write (nearly all of a large run's) are read by
// their bytes (see readLine); any other goes through encoding/json.
func Each(ctx context.Context, dir string, fn func(*Entry) error) error {
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var long []byte // a line longer than r's buffer, pieced together
	var e Entry
	for line := 1; ; line++ {
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		data, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], data...)
			for errors.Is(err, bufio.ErrBufferFull) {
				data, err = r.ReadSlice('\n')
				long = append(long, data...)
			}
			data = long
		}
		if errors.Is(err, io.EOF) {
			return nil // a last line without newline is torn: ignored
		}
		if err != nil {
			return fmt.Errorf("read journal: %w", err)
		}
		e = Entry{Line: line}
		if err := readLine(data[:len(data)-1], &e); err != nil {
			return fmt.Errorf("journal %s line %d: %w", path, line, err)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
}

// readLine reads one journal line (without its newline) into e: by its
// bytes when it is a line doneLine or noteLine writes, else with
// encoding/json. Both read the same line the same way (FuzzReadLine).
func readLine(data []byte, e *Entry) error {
	if readPlainLine(data, e) {
		return nil
	}
	return unmarshalLine(data, e)
}

// unmarshalLine reads any journal line into e with encoding/json.
func unmarshalLine(data []byte, e *Entry) error {
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return err
	}
	e.Intent = rec.Intent
	switch rec.Kind {
	case "intent":
	case "done":
		e.Done, e.Status = true, rec.Status
	default:
		return fmt.Errorf("unknown record kind %q", rec.Kind)
	}
	return nil
}

// The openings of the lines doneLine and noteLine write.
var (
	doneOpening   = []byte(`{"k":"done","row":`)
	intentOpening = []byte(`{"k":"intent","row":`)
)

// readPlainLine reads, by its bytes, a line exactly as doneLine or
// noteLine writes it: {"k":"done","row":N,"status":"WORD"} or
// {"k":"intent","row":N,"write":"WORD","undo":{…}} (write and undo
// optional, the payload an object). It reports false, leaving e as it
// was, for any other line, and for any doubt.
func readPlainLine(data []byte, e *Entry) bool {
	var done bool
	switch {
	case bytes.HasPrefix(data, doneOpening):
		done, data = true, data[len(doneOpening):]
	case bytes.HasPrefix(data, intentOpening):
		data = data[len(intentOpening):]
	default:
		return false
	}
	row, data, ok := cutInt(data)
	if !ok {
		return false
	}
	var word string
	if done {
		word, data, ok = cutWord(data, `,"status":"`)
	} else {
		word, data, ok = cutWord(data, `,"write":"`)
	}
	if !ok || len(data) == 0 || data[len(data)-1] != '}' {
		return false
	}
	data = data[:len(data)-1]
	var undo []byte
	if !done {
		if raw, found := bytes.CutPrefix(data, []byte(`,"undo":`)); found {
			// An object, alone: it starts and ends with a brace and is
			// valid JSON, so nothing runs on after it.
			if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' || !json.Valid(raw) {
				return false
			}
			undo, data = bytes.Clone(raw), nil
		}
	}
	if len(data) != 0 {
		return false
	}
	e.Done, e.Intent.Row = done, row
	if done {
		e.Status = word
	} else {
		e.Intent.Write, e.Intent.Undo = word, undo
	}
	return true
}

// cutInt cuts off the start of data an integer as strconv writes it (a
// JSON number without fraction or exponent, short enough for an int).
func cutInt(data []byte) (int, []byte, bool) {
	i := 0
	if i < len(data) && data[i] == '-' {
		i++
	}
	digits := i
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	n := i - digits
	if n == 0 || n > 18 || n > 1 && data[digits] == '0' {
		return 0, nil, false
	}
	v := 0
	for _, c := range data[digits:i] {
		v = v*10 + int(c-'0')
	}
	if digits == 1 {
		if v == 0 {
			return 0, nil, false // "-0": strconv writes "0"
		}
		v = -v
	}
	return v, data[i:], true
}

// cutWord cuts off the start of data a field written as key, then a
// plain word (see plainWord) and its closing quote; a data without key
// has the empty word. Only a word that is not empty is written so: a
// field whose key is there with an empty word reports false.
func cutWord(data []byte, key string) (string, []byte, bool) {
	rest, found := bytes.CutPrefix(data, []byte(key))
	if !found {
		return "", data, true
	}
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || !plainWord(rest[:end]) {
		return "", nil, false
	}
	return wordString(rest[:end]), rest[end+1:], true
}

// wordString is word as a string, without a copy for the words the tool
// writes on most lines.
func wordString(word []byte) string {
	switch string(word) {
	case "succeeded":
		return "succeeded"
	case "failed":
		return "failed"
	case "unchanged":
		return "unchanged"
	case "skipped":
		return "skipped"
	}
	return string(word)
}
