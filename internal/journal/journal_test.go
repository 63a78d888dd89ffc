package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/secret"
)

func TestJournalRecordsIntentsAndCompletions(t *testing.T) {
	dir := t.TempDir()
	sealer, err := NewSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	j, err := Open(dir, sealer)
	if err != nil {
		t.Fatal(err)
	}
	pw := secret.New("Rotated-Secret-0001!")
	sealed, err := sealer.Seal(pw)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var wg sync.WaitGroup
	for row := 1; row <= 50; row++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Intent(Intent{Row: row, Sealed: map[string]string{"new_password": sealed}, Before: before}); err != nil {
				t.Error(err)
			}
			if row%2 == 0 {
				if err := j.Done(row, "succeeded"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 50 {
		t.Fatalf("rows in journal = %d, want 50", len(st))
	}
	for row := 1; row <= 50; row++ {
		s := st[row]
		if row%2 == 0 {
			if !s.Done || s.Status != "succeeded" || s.Intent != nil {
				t.Fatalf("row %d = %+v, want done", row, s)
			}
			continue
		}
		if s.Done || s.Intent == nil {
			t.Fatalf("row %d = %+v, want in flight", row, s)
		}
		if !s.Intent.Before.Equal(before) {
			t.Fatalf("row %d before = %v", row, s.Intent.Before)
		}
		got, err := sealer.Open(s.Intent.Sealed["new_password"])
		if err != nil || !got.Equal(pw) {
			t.Fatalf("row %d: sealed password does not open to the original (err %v)", row, err)
		}
	}

	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), pw.Reveal()) {
		t.Fatal("journal holds a password in plaintext")
	}
	for _, name := range []string{FileName, KeyName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %04o, want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestDoneAllRecordsEveryRow(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.DoneAll(nil); err != nil {
		t.Fatal(err)
	}
	if err := j.DoneAll([]Completion{{Row: 1, Status: "succeeded"}, {Row: 2, Status: "failed"}, {Row: 3, Status: "unchanged"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	for row, want := range map[int]string{1: "succeeded", 2: "failed", 3: "unchanged"} {
		if !st[row].Done || st[row].Status != want {
			t.Errorf("row %d: %+v, want done %s", row, st[row], want)
		}
	}
}

func TestReadIgnoresTornLastLineOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	good := `{"k":"intent","row":1}` + "\n" + `{"k":"done","row":1,"status":"failed"}` + "\n"
	if err := os.WriteFile(path, []byte(good+`{"k":"intent","ro`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := st[1]; !s.Done || s.Status != "failed" || len(st) != 1 {
		t.Fatalf("state = %+v", st)
	}
	if err := os.WriteFile(path, []byte(`{"k":"intent","ro`+"\n"+good), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a torn line before the end must be an error naming its line, got %v", err)
	}
}

func TestReadOfMissingJournalIsEmpty(t *testing.T) {
	st, err := Read(t.TempDir())
	if err != nil || len(st) != 0 {
		t.Fatalf("Read = %v, %v", st, err)
	}
}

func TestLockIsExclusiveAndReleased(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire = %v, want ErrLocked", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	_ = l2.Release()
}

// The lock file records who holds the lock; a process that finds the lock
// taken reads it back and names that process.
func TestLockNamesItsHolder(t *testing.T) {
	dir := t.TempDir()
	before := time.Now().Truncate(time.Second)
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	_, err = Acquire(dir)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire = %v, want a *LockedError matching ErrLocked", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != os.Getpid() || le.Holder.Host != host || le.Holder.Started.Before(before) || le.Holder.Started.After(time.Now()) {
		t.Errorf("holder = %+v, want pid %d, host %q, started about now", le.Holder, os.Getpid(), host)
	}
	want := fmt.Sprintf("the run in %s is in use by pid %d on host %s since ", dir, os.Getpid(), host)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start %q", err, want)
	}
}

func TestLockedErrorMessages(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 10, 0, 0, time.Local)
	for _, c := range []struct {
		name string
		e    LockedError
		want []string
	}{
		{"today", LockedError{Run: "r1", Dir: "/x/r1", Holder: Holder{PID: 1234, Host: "H", Started: now.Add(-5*time.Minute - 3*time.Second)}, Now: now},
			[]string{"run r1 is in use by pid 1234 on host H since 15:04:57 (", ", 5m3s ago): wait for it to end, or, if that process is gone, try again: its lock ends with it"}},
		{"another day", LockedError{Run: "r1", Holder: Holder{PID: 7, Started: now.Add(-48 * time.Hour)}, Now: now},
			[]string{"run r1 is in use by pid 7 since 2026-03-02 15:10:00 (", ", 48h0m0s ago)"}},
		{"a clock ahead", LockedError{Run: "r1", Holder: Holder{PID: 7, Host: "H", Started: now.Add(time.Minute)}, Now: now},
			[]string{"pid 7 on host H since 15:11:00 (", "): wait"}},
		{"an older lock file", LockedError{Run: "r1", Holder: Holder{PID: 99}, Now: now},
			[]string{"run r1 is in use by pid 99: wait for it to end"}},
		{"no holder", LockedError{Dir: "/x/r1", Now: now},
			[]string{"the run in /x/r1 is in use by another batch process (its lock file /x/r1/run.lock does not say which): wait for it to end"}},
	} {
		got := c.e.Error()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q\nwant it to contain %q", c.name, got, w)
			}
		}
	}
}

// What an older batch wrote (a bare pid), an empty file (a holder that has
// not written yet) and anything else read back as well as they can; a host
// name is never printed with control characters.
func TestReadHolder(t *testing.T) {
	started := time.Date(2026, 3, 4, 14, 0, 0, 0, time.UTC)
	for content, want := range map[string]Holder{
		"1234\n":  {PID: 1234},
		"":        {},
		"garbage": {},
		"-5\n":    {},
		`{"pid":42,"host":"h1","started":"2026-03-04T14:00:00Z"}` + "\n": {PID: 42, Host: "h1", Started: started},
		`{"pid":42,"host":"h\u001b[2Jx"}`:                                {PID: 42, Host: `"h\x1b[2Jx"`},
		`{"pid":0,"host":"h1"}`:                                          {},
		`{"pid":42,`:                                                     {},
	} {
		path := filepath.Join(t.TempDir(), LockName)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got := readHolder(f)
		_ = f.Close()
		if got.PID != want.PID || got.Host != want.Host || !got.Started.Equal(want.Started) {
			t.Errorf("readHolder(%q) = %+v, want %+v", content, got, want)
		}
	}
}

func TestSealerKeyLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSealer(dir); err == nil {
		t.Fatal("NewSealer replaced an existing run key")
	}
	sealed, err := s.Seal(secret.New("x-Secret-9"))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSealer(dir)
	if err != nil || loaded == nil {
		t.Fatalf("LoadSealer = %v, %v", loaded, err)
	}
	if v, err := loaded.Open(sealed); err != nil || v.Reveal() != "x-Secret-9" {
		t.Fatalf("reloaded key does not open the sealed value: %v", err)
	}
	if err := os.Chmod(filepath.Join(dir, KeyName), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSealer(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("LoadSealer accepted a key readable by others: %v", err)
	}
	if err := RemoveKey(dir); err != nil {
		t.Fatal(err)
	}
	if s, err := LoadSealer(dir); s != nil || err != nil {
		t.Fatalf("LoadSealer after RemoveKey = %v, %v", s, err)
	}
}

func TestMetaAndHash(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(manifest, []byte("op,email\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h1, err := HashFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteMeta(dir, Meta{RunID: "r1", Manifest: manifest, ManifestSHA256: h1}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMeta(dir)
	if err != nil || m.ManifestSHA256 != h1 || m.RunID != "r1" {
		t.Fatalf("ReadMeta = %+v, %v", m, err)
	}
	if err := os.WriteFile(manifest, []byte("op,email\nupdate_user,a@b.c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if h2, _ := HashFile(manifest); h2 == h1 {
		t.Fatal("hash did not change with the content")
	}
	if _, err := ReadMeta(t.TempDir()); err == nil {
		t.Fatal("ReadMeta of an empty folder succeeded")
	}
}

func TestDoneLineIsWhatJSONWrites(t *testing.T) {
	fast := 0
	for _, r := range []record{
		{Kind: "done", Intent: Intent{Row: 2}, Status: "succeeded"},
		{Kind: "done", Intent: Intent{Row: 1_000_001}, Status: "failed"},
		{Kind: "done", Intent: Intent{Row: -3}, Status: ""},
		{Kind: "done", Intent: Intent{Row: 7}, Status: "a\"b"},
		{Kind: "done", Intent: Intent{Row: 7}, Status: "é"},
		{Kind: "done", Intent: Intent{Row: 7, Before: time.Unix(1, 0)}, Status: "succeeded"},
		{Kind: "done", Intent: Intent{Row: 7, Sealed: map[string]string{}}, Status: "succeeded"},
		{Kind: "intent", Intent: Intent{Row: 7}},
	} {
		if checkDoneLine(t, r) {
			fast++
		}
	}
	if fast != 3 {
		t.Fatalf("%d records took the short path; want the 3 plain completions", fast)
	}
}

func FuzzDoneLine(f *testing.F) {
	f.Add(2, "succeeded")
	f.Add(-1, "a\"b\\c")
	f.Add(0, "")
	f.Fuzz(func(t *testing.T, row int, status string) {
		checkDoneLine(t, record{Kind: "done", Intent: Intent{Row: row}, Status: status})
	})
}

// checkDoneLine fails t unless doneLine, where it answers, writes
// what json.Marshal writes; it reports whether it answered.
func checkDoneLine(t *testing.T, r record) bool {
	t.Helper()
	got, ok := doneLine(r)
	if !ok {
		return false
	}
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("record %+v: short path %s, encoding/json %s", r, got, want)
	}
	return true
}

// TestIntentTellsNeverModifiedFromUnknown checks that "the target had never
// been modified" survives the journal as a known state before a send,
// distinct from an intent that knows nothing of it.
func TestIntentTellsNeverModifiedFromUnknown(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, in := range []Intent{{Row: 1, NeverModified: true}, {Row: 2, Before: at}, {Row: 3, Sealed: map[string]string{"new_password": "x"}}} {
		if err := j.Intent(in); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	for row, want := range map[int]bool{1: true, 2: true, 3: false} {
		in := st[row].Intent
		if in == nil || in.BeforeKnown() != want {
			t.Fatalf("row %d: intent %+v, BeforeKnown want %v", row, in, want)
		}
	}
	if !st[1].Intent.NeverModified || !st[1].Intent.Before.IsZero() || !st[2].Intent.Before.Equal(at) || st[2].Intent.NeverModified {
		t.Fatalf("intents read back: %+v, %+v", st[1].Intent, st[2].Intent)
	}
}

// The lines written by hand for a row's notes are the lines json.Marshal
// writes for them, so that any reader reads them the same way.
func TestNoteLinesAreWhatMarshalWrites(t *testing.T) {
	for _, in := range []Intent{
		{Row: 7},
		{Row: 8, Write: "delete"},
		{Row: 9, Undo: []byte(`{"src":"m.csv:3","rows":[{"op":"update_user","name":"A \"b\""}]}`)},
		{Row: 10, Write: "create", Undo: []byte(`{"notes":["x"]}`)},
	} {
		r := record{Kind: "intent", Intent: in}
		line, ok := noteLine(r)
		want, err := json.Marshal(r)
		if !ok || err != nil || string(line) != string(want) {
			t.Errorf("noteLine %q (%v), json.Marshal %q (%v)", line, ok, want, err)
		}
	}
	if _, ok := noteLine(record{Kind: "intent", Intent: Intent{Row: 1, Sealed: map[string]string{"new_password": "x"}}}); ok {
		t.Error("an intent with a sealed password is written by hand")
	}
	if _, ok := noteLine(record{Kind: "intent", Intent: Intent{Row: 1, Undo: []byte(`{"broken`)}}); ok {
		t.Error("a payload that is not JSON is written by hand")
	}
}

// A journal reopened after a kill mid-line drops the torn line, so that
// the resumed run's lines do not run on from it and the journal still
// reads.
func TestOpenDropsATornLastLine(t *testing.T) {
	dir := t.TempDir()
	whole := `{"k":"done","row":1,"status":"succeeded"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(whole+`{"k":"intent","row":2,"undo":{"src`), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Done(2, "succeeded"); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Read(dir)
	if err != nil {
		t.Fatalf("the resumed journal does not read: %v", err)
	}
	if !st[1].Done || !st[2].Done || len(st) != 2 {
		t.Errorf("state %+v", st)
	}
}

// Intent returns only once its own line is synced, however the lines of
// callers appending at once interleave.
func TestIntentsAppendedAtOnceAreEachSynced(t *testing.T) {
	j, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var wg sync.WaitGroup
	for i := 1; i <= 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Intent(Intent{Row: i, Write: "create"}); err != nil {
				t.Error(err)
			}
			// Both only grow: read synced first, then flushed, so that
			// a sync by another caller in between cannot look like a
			// sync of lines not written through.
			j.syncMu.Lock()
			synced := j.synced
			j.syncMu.Unlock()
			j.flushMu.Lock()
			flushed := j.flushed
			j.flushMu.Unlock()
			if synced > flushed {
				t.Errorf("synced %d lines, only %d written through", synced, flushed)
			}
		}()
	}
	wg.Wait()
}

// plainLines are journal lines as Done and Note write them, and lines
// near them that they never write: the seeds of FuzzReadLine.
var plainLines = []string{
	`{"k":"done","row":1,"status":"succeeded"}`,
	`{"k":"done","row":1000001,"status":"unchanged"}`,
	`{"k":"done","row":-3}`,
	`{"k":"done","row":0,"status":"skipped"}`,
	`{"k":"intent","row":7}`,
	`{"k":"intent","row":8,"write":"delete"}`,
	`{"k":"intent","row":9,"undo":{"src":"m.csv:3","rows":[{"op":"update_user","t":"email","v":"a@b.c","name":"A \"b\""}]}}`,
	`{"k":"intent","row":10,"write":"create","undo":{"notes":["x"]}}`,
	`{"k":"intent","row":11,"undo":{}}`,
	`{"k":"intent","row":12,"undo":{"a":{"b":[1,2,{"c":"}"}]}}}`,
	// A payload's strings are copied as they are, escapes and bytes
	// that are not UTF-8 alike, by both readers.
	`{"k":"intent","row":13,"undo":{"a":"\u00e9\ud800"}}`,
	`{"k":"intent","row":14,"undo":{"a":"` + "\xff" + `"}}`,
	// Lines the fast path leaves to encoding/json.
	`{"k":"done","row":1,"status":""}`,
	`{"k":"done","row":1,"status":"a b"}`,
	`{"k":"done","row":1,"status":"é"}`,
	`{"k":"done","row":01,"status":"failed"}`,
	`{"k":"done","row":-0}`,
	`{"k":"done","row":1e3}`,
	`{"k":"done","row":1.0}`,
	`{"k":"done","row":12345678901234567890}`,
	`{"k":"done","row":1,"status":"failed"} `,
	`{"k":"done","row":1,"status":"failed"}` + "\r",
	`{"k":"done", "row":1}`,
	`{"K":"done","row":1}`,
	`{"k":"done","row":1,"write":"create"}`,
	`{"k":"done","row":1,"status":"failed","row":2}`,
	`{"k":"intent","row":2,"undo":null}`,
	`{"k":"intent","row":2,"undo":"x"}`,
	`{"k":"intent","row":2,"undo": {"a":1}}`,
	`{"k":"intent","row":2,"undo":{"a":1} }`,
	`{"k":"intent","row":2,"undo":{"a":1},"b":{}}`,
	`{"k":"intent","row":2,"undo":{"a":1}{"b":2}}`,
	`{"k":"intent","row":2,"undo":{"a":1}`,
	`{"k":"intent","row":2,"undo":{"a":}}`,
	`{"k":"intent","row":2,"write":"","undo":{}}`,
	`{"k":"intent","row":2,"undo":{},"write":"create"}`,
	`{"k":"intent","row":3,"sealed":{"new_password":"x"}}`,
	`{"k":"intent","row":3,"before":"2026-01-02T03:04:05Z"}`,
	`{"k":"other","row":3}`,
	`{"k":"done","row":`,
	``,
}

// TestReadPlainLineIsWhatJSONReads: the lines Done and Note write are
// read by their bytes, and read as encoding/json reads them; lines near
// them but not theirs are left to encoding/json.
func TestReadPlainLineIsWhatJSONReads(t *testing.T) {
	fast := 0
	for _, line := range plainLines {
		if checkReadLine(t, []byte(line)) {
			fast++
		}
	}
	if fast != 12 {
		t.Fatalf("%d lines were read by their bytes; want the first 12", fast)
	}
	// Every line Done and Note write is read by its bytes.
	for _, r := range []record{
		{Kind: "done", Intent: Intent{Row: 5}, Status: "succeeded"},
		{Kind: "done", Intent: Intent{Row: 5}},
		{Kind: "intent", Intent: Intent{Row: 6, Write: "members", Undo: []byte(`{"src":"m.csv:7"}`)}},
		{Kind: "intent", Intent: Intent{Row: 6}},
	} {
		line, ok := doneLine(r)
		if !ok {
			line, ok = noteLine(r)
		}
		if !ok || !checkReadLine(t, line) {
			t.Errorf("line %s (written by hand: %v) is not read by its bytes", line, ok)
		}
	}
}

func FuzzReadLine(f *testing.F) {
	for _, line := range plainLines {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkReadLine(t, line)
	})
}

// checkReadLine fails t unless readPlainLine, where it answers, reads
// line as encoding/json does, and only a line that doneLine or noteLine
// writes as it is; it reports whether it answered.
func checkReadLine(t *testing.T, line []byte) bool {
	t.Helper()
	var fast Entry
	if !readPlainLine(line, &fast) {
		if !reflect.DeepEqual(fast, Entry{}) {
			t.Fatalf("line %q: not read by its bytes, yet the entry is %+v", line, fast)
		}
		return false
	}
	var slow Entry
	if err := unmarshalLine(line, &slow); err != nil {
		t.Fatalf("line %q read by its bytes as %+v; encoding/json: %v", line, fast, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("line %q read by its bytes as %+v; encoding/json reads %+v", line, fast, slow)
	}
	r := record{Kind: "intent", Intent: fast.Intent}
	if fast.Done {
		r = record{Kind: "done", Intent: Intent{Row: fast.Intent.Row}, Status: fast.Status}
	}
	again, ok := doneLine(r)
	if !ok {
		again, ok = noteLine(r)
	}
	if !ok || string(again) != string(line) {
		t.Fatalf("line %q read by its bytes, but the tool writes its entry as %q (%v)", line, again, ok)
	}
	return true
}

// A line longer than the reader's buffer (an undo payload of a group of
// thousands of members) reads whole, as does the line after it.
func TestEachReadsLongLines(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	long := []byte(`{"notes":["` + strings.Repeat("x", 300<<10) + `"]}`)
	odd := Intent{Row: 2, Before: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Undo: long}
	for _, in := range []Intent{{Row: 1, Undo: long}, odd} {
		if err := j.Note(in); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Done(1, "succeeded"); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Entry
	err = Each(context.Background(), dir, func(e *Entry) error {
		got = append(got, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0].Intent.Undo) != string(long) || string(got[1].Intent.Undo) != string(long) ||
		!got[1].Intent.Before.Equal(odd.Before) || !got[2].Done || got[2].Status != "succeeded" || got[2].Line != 3 {
		t.Fatalf("read back %d entries", len(got))
	}
}
