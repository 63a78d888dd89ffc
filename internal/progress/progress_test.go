package progress

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/syncbuf"
	"github.com/uipath-batch/batch/internal/worker"
)

func TestProgressSaysWhatTheRunWaitsFor(t *testing.T) {
	for _, tc := range []struct {
		waits []worker.Waiting
		want  string
	}{
		{nil, ""},
		{[]worker.Waiting{{Key: "identity:PUT", Callers: 8, Next: 41200 * time.Millisecond}}, "waiting for PUT budget (next slot in 42 s)"},
		{[]worker.Waiting{{Key: "identity:PUT", Callers: 1, Next: 300 * time.Millisecond}}, ""},
		{[]worker.Waiting{{Key: "orchestrator:PATCH", Callers: 3, Next: 12 * time.Second, Paused: true}}, "Orchestrator PATCH paused by the server (next try in 12 s)"},
		{[]worker.Waiting{{Key: "orchestrator:GET", Callers: 2, Next: 5 * time.Second}, {Key: "identity:PUT", Callers: 6, Next: 2 * time.Second}},
			"waiting for Orchestrator GET budget (next slot in 5 s); waiting for Identity PUT budget (next slot in 2 s)"},
	} {
		if got := describeWaits(tc.waits); got != tc.want {
			t.Errorf("describeWaits(%+v) = %q, want %q", tc.waits, got, tc.want)
		}
	}
}

// The rate is that of the rows done in the last half minute: rows an
// interrupted run had finished are not counted, and after Ctrl-C the bar
// says how many rows are still finishing and for how long at most.
func TestProgressRateAndInterrupt(t *testing.T) {
	var errOut bytes.Buffer
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	waits := []worker.Waiting{{Key: "identity:PUT", Callers: 8, Next: 42 * time.Second}}
	p := New(ctx, &errOut, 2000, "apply", func() []worker.Waiting { return waits }, 30*time.Second)
	start := time.Now()
	p.Resumed(1000)
	for range 15 {
		p.Dispatched()
	}
	for i := range 10 {
		p.Row(i == 3)
	}
	status := p.status(start.Add(2 * time.Second))
	rate := rateIn(t, status)
	if rate < 4 || rate > 5.01 {
		t.Errorf("10 rows in about 2 s after 1000 resumed rows: %q, want about 5 rows/s", status)
	}
	if !strings.Contains(status, "1 failed") || !strings.Contains(status, "waiting for PUT budget (next slot in 42 s)") {
		t.Errorf("status %q", status)
	}

	interrupt()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		at := p.interrupted
		p.mu.Unlock()
		if !at.IsZero() {
			status = p.status(at.Add(10 * time.Second))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the interrupt was never noticed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(status, "interrupted: finishing 5 rows in flight (up to 20 s)") || strings.Contains(status, "waiting for") {
		t.Errorf("after the interrupt: %q", status)
	}
	p.Done()
	if !strings.Contains(errOut.String(), "/2000)") {
		t.Errorf("the bar never showed the rows done:\n%q", errOut.String())
	}
}

// rateIn reads "N rows/s" from a status.
func rateIn(t *testing.T, status string) float64 {
	t.Helper()
	for part := range strings.SplitSeq(status, " · ") {
		if n, ok := strings.CutSuffix(part, " rows/s"); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				t.Fatalf("status %q: %v", status, err)
			}
			return f
		}
	}
	t.Fatalf("status %q shows no rate", status)
	return 0
}

// Without a terminal, progress comes as lines: rows done of the total,
// failures, the rate and the time left at it.
func TestLogLinesReportProgress(t *testing.T) {
	type line struct {
		done, total, failed int64
		status              string
	}
	lines := make(chan line, 100)
	p := NewLog(context.Background(), func(done, total, failed int64, status string) {
		lines <- line{done, total, failed, status}
	}, 20*time.Millisecond, 10, "apply", nil, 0)
	p.Dispatched()
	p.Row(false)
	p.Row(true)
	var got line
	for got.done < 2 {
		got = <-lines
	}
	p.Done()
	if got.total != 10 || got.failed != 1 || !strings.HasPrefix(got.status, "apply") {
		t.Errorf("line %+v", got)
	}
	if (&Bar{}).active() || NewLog(context.Background(), nil, time.Second, 10, "apply", nil, 0).active() {
		t.Error("a zero Bar reports")
	}
	for d, want := range map[time.Duration]string{42 * time.Second: "42 s", 90 * time.Second: "2 min", 125 * time.Minute: "2 h 5 min"} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}

// While the run reads a whole list before its rows can go on, the status
// says which and how far, with no rate; once it is read, the rate counts
// rows from then on, not from the start of the reading.
func TestProgressSaysWhatListIsRead(t *testing.T) {
	var errOut bytes.Buffer
	waits := []worker.Waiting{{Key: "identity:GET", Callers: 1, Next: 20 * time.Second}}
	p := New(context.Background(), &errOut, 100, "apply", func() []worker.Waiting { return waits }, 0)
	defer p.Done()
	start := time.Now()
	p.Reading("the user list", 0, 0)
	if got := p.status(start.Add(time.Minute)); got != "apply · reading the user list: 0 accounts · waiting for GET budget (next slot in 20 s)" {
		t.Errorf("before the first page: %q", got)
	}
	p.Reading("the user list", 12000, 2000000)
	if got := p.status(start.Add(2 * time.Minute)); got != "apply · reading the user list: 12000 of 2000000 accounts · waiting for GET budget (next slot in 20 s)" {
		t.Errorf("reading: %q", got)
	}
	p.Reading("", 0, 0)
	waits = nil
	for range 10 {
		p.Row(false)
	}
	status := p.status(time.Now().Add(2 * time.Second))
	if strings.Contains(status, "reading") || rateIn(t, status) < 4 {
		t.Errorf("10 rows in about 2 s after the list: %q, want about 5 rows/s and no reading", status)
	}
	p.Done()
	p.Done() // once, however often
}

// Without a terminal, the log lines say it too.
func TestLogLinesSayWhatListIsRead(t *testing.T) {
	lines := make(chan string, 100)
	p := NewLog(context.Background(), func(done, total, failed int64, status string) { lines <- status }, 10*time.Millisecond, 100, "plan", nil, 0)
	defer p.Done()
	p.Reading("Orchestrator's user list", 3000, 7000)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-lines:
			if s == "plan · reading Orchestrator's user list: 3000 of 7000 accounts" {
				return
			}
		case <-deadline:
			t.Fatal("no log line said which list is read")
		}
	}
}

// A command with no rows (export) shows a spinner with the list it reads.
func TestReadingBarShowsTheList(t *testing.T) {
	var out syncbuf.Buffer
	p := NewReading(context.Background(), &out, "export users", nil)
	p.Reading("the user list", 1000, 3000)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "export users · reading the user list: 1000 of 3000 accounts") {
		if time.Now().After(deadline) {
			t.Fatalf("the spinner never showed the list:\n%q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Done()
	p.Done()
	if NewReading(context.Background(), nil, "export users", nil).active() {
		t.Error("a reading bar without a terminal draws")
	}
}
