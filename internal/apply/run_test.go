package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// memSink is a Sink in memory.
type memSink struct {
	mu         sync.Mutex
	results    []report.Result
	failedJobs []int
	unflushed  []int
	flushed    map[int]bool // rows written through
}

func (s *memSink) Write(r report.Result, job *manifest.Job) error {
	if err := s.Append(r, job); err != nil {
		return err
	}
	return s.Flush()
}

func (s *memSink) Append(r report.Result, _ *manifest.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, r)
	s.unflushed = append(s.unflushed, r.Row)
	return nil
}

func (s *memSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flushed == nil {
		s.flushed = map[int]bool{}
	}
	for _, row := range s.unflushed {
		s.flushed[row] = true
	}
	s.unflushed = s.unflushed[:0]
	return nil
}

func (s *memSink) WriteFailedJob(job *manifest.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failedJobs = append(s.failedJobs, job.Row)
	return nil
}

// byRow returns each row's result, failing on a row recorded twice.
func (s *memSink) byRow(t *testing.T) map[int]report.Result {
	t.Helper()
	out := map[int]report.Result{}
	for _, r := range s.results {
		if _, dup := out[r.Row]; dup {
			t.Errorf("row %d recorded twice", r.Row)
		}
		out[r.Row] = r
	}
	return out
}

func guid(i int) string { return fmt.Sprintf("6f1b7c2a-0d4e-4c1a-9b7e-%012d", i) }

// runFixture is an organization of users 1..n and a manifest renaming
// users ids[0], ids[1]… in that order (an id not in the organization
// fails its row as not found).
func runFixture(t *testing.T, n int, ids ...int) (*fake, *manifest.Reader) {
	t.Helper()
	f := newFake()
	for i := 1; i <= n; i++ {
		f.addUser(User{ID: guid(i), Name: "Old"}, "")
	}
	var b strings.Builder
	b.WriteString("op,user_id,name\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "update_user,%s,New\n", guid(id))
	}
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := manifest.Open(context.Background(), path, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return f, src
}

func openJournal(t *testing.T) (*journal.Journal, string) {
	t.Helper()
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j, dir
}

func journalled(t *testing.T, j *journal.Journal, dir string) journal.State {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := journal.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, `"k":"done"`) {
			if seen[line] {
				t.Errorf("journalled twice: %s", line)
			}
			seen[line] = true
		}
	}
	return st
}

// A run stopped by --max-failures records every row it did not run as
// skipped (not_run, with the reason), each row exactly once, and journals
// as done only the rows that ran: those are the first rows of the
// manifest (one worker takes them in order), the rest were never sent.
func TestRunRecordsTheRowsItDidNotRun(t *testing.T) {
	ids := []int{1, 99}
	for i := 2; i <= 40; i++ {
		ids = append(ids, i)
	}
	f, src := runFixture(t, 40, ids...)
	j, dir := openJournal(t)
	exec := NewApplier(f, NewResolver(f, noWait(1)), false, Options{Retry: noWait(1)})
	sink := &memSink{}
	out, err := RunRows(context.Background(), src, exec, sink, RunConfig{Workers: 1, MaxFailures: 1, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(out.Stopped, ErrMaxFailures) {
		t.Errorf("stopped: %v", out.Stopped)
	}
	rows := sink.byRow(t)
	if len(rows) != len(ids) {
		t.Fatalf("%d rows recorded, want %d", len(rows), len(ids))
	}
	if rows[1].Status != report.StatusSucceeded || rows[2].ErrorCode != report.CodeNotFound {
		t.Errorf("rows 1, 2: %+v, %+v", rows[1], rows[2])
	}
	st := journalled(t, j, dir)
	ran, notRun := 0, 0
	for row := 1; row <= len(ids); row++ {
		r := rows[row]
		switch {
		case r.Status == report.StatusSkipped:
			notRun++
			if r.ErrorCode != report.CodeNotRun || !strings.Contains(r.ErrorMessage, ErrMaxFailures.Error()) {
				t.Errorf("row %d: %q %q, want not_run with the reason", row, r.ErrorCode, r.ErrorMessage)
			}
			if st[row].Done {
				t.Errorf("row %d not run but journalled done", row)
			}
		case notRun > 0:
			t.Errorf("row %d ran (%s) after a row that did not", row, r.Status)
		default:
			ran++
			if !st[row].Done {
				t.Errorf("row %d ran but is not journalled done", row)
			}
			if !sink.flushed[row] {
				t.Errorf("row %d journalled done but not written through to the report", row)
			}
		}
	}
	if notRun == 0 || out.NotRun != notRun || out.Dispatched < ran {
		t.Errorf("outcome %+v: %d rows ran, %d not run", out, ran, notRun)
	}
	if n := f.count("UpdateUser"); n != ran {
		t.Errorf("%d writes for %d rows run (apply writes a row by id without reading it)", n, ran)
	}
}

// A row stopped while its write waited for its budget slot was not sent:
// it is skipped (not_run), not a failure, and not journalled done, so a
// resumed run sends it. A row stopped after its write left is different:
// its outcome is unknown, and it is done.
func TestRunRowStoppedWhileWaitingToSendIsNotRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second step
		status report.Status
		code   report.Code
		done   bool
	}{
		{"waiting for its slot", step{wait: true}, report.StatusSkipped, report.CodeNotRun, false},
		{"after it left", step{hang: true}, report.StatusFailed, report.CodeOutcomeUnknown, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, src := runFixture(t, 3, 1, 2, 3)
			f.then("UpdateUser", step{}, tc.second)
			j, dir := openJournal(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Stop once row 2 waits (or hangs) and row 3 was handed to
			// the pool behind it: row 3 is then pending, never started.
			f.waiting = make(chan string, 1)
			sent := make(chan string, 2)
			f.onSend = func(m string) { sent <- m }
			third := make(chan struct{})
			dispatched := 0
			go func() {
				if tc.second.wait {
					<-f.waiting
				} else {
					<-sent // row 1's
					<-sent // row 2's
				}
				<-third
				cancel()
			}()
			exec := NewApplier(f, NewResolver(f, noWait(1)), false, Options{Retry: noWait(1)})
			sink := &memSink{}
			out, err := RunRows(ctx, src, exec, sink, RunConfig{Workers: 1, Drain: time.Millisecond, Journal: j, OnDispatch: func() {
				if dispatched++; dispatched == 3 {
					close(third)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			if out.Stopped == nil || out.Dispatched != 3 {
				t.Errorf("outcome %+v, want stopped with 3 rows dispatched", out)
			}
			rows := sink.byRow(t)
			if len(rows) != 3 {
				t.Fatalf("%d rows recorded, want 3", len(rows))
			}
			if r := rows[2]; r.Status != tc.status || r.ErrorCode != tc.code {
				t.Errorf("row 2: %s %q (%s), want %s %q", r.Status, r.ErrorCode, r.ErrorMessage, tc.status, tc.code)
			}
			if r := rows[3]; r.Status != report.StatusSkipped || r.ErrorCode != report.CodeNotRun {
				t.Errorf("row 3: %s %q", r.Status, r.ErrorCode)
			}
			st := journalled(t, j, dir)
			if !st[1].Done || st[2].Done != tc.done || st[3].Done {
				t.Errorf("journalled done: row 1 %v, row 2 %v (want %v), row 3 %v", st[1].Done, st[2].Done, tc.done, st[3].Done)
			}
		})
	}
}

// A resumed run skips the rows its interrupted run finished (a failed one
// goes back into the failed-rows manifest) and runs the others.
func TestRunSkipsResumedRows(t *testing.T) {
	f, src := runFixture(t, 3, 1, 2, 3)
	exec := NewApplier(f, NewResolver(f, noWait(1)), false, Options{Retry: noWait(1)})
	sink := &memSink{}
	resume := journal.State{1: {Done: true, Status: string(report.StatusSucceeded)}, 2: {Done: true, Status: string(report.StatusFailed)}}
	out, err := RunRows(context.Background(), src, exec, sink, RunConfig{Workers: 2, Resume: resume})
	if err != nil || out.Stopped != nil {
		t.Fatal(out, err)
	}
	rows := sink.byRow(t)
	if len(rows) != 1 || rows[3].Status != report.StatusSucceeded || !sink.flushed[3] {
		t.Errorf("rows recorded: %+v, written through: %v", rows, sink.flushed)
	}
	if out.Resumed != 2 || out.Dispatched != 1 || len(sink.failedJobs) != 1 || sink.failedJobs[0] != 2 {
		t.Errorf("outcome %+v, failed jobs re-added %v", out, sink.failedJobs)
	}
	if f.count("UpdateUser") != 1 {
		t.Errorf("%d writes, want 1", f.count("UpdateUser"))
	}
}
