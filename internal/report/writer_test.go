package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
)

// captured is a ManifestWriter that keeps the rows it is given.
type captured struct{ w io.Writer }

func (c captured) Write(j manifest.Job) error {
	_, err := io.WriteString(c.w, j.Target.String()+"\n")
	return err
}
func (c captured) Comment(text string) error {
	_, err := io.WriteString(c.w, "# "+text+"\n")
	return err
}
func (c captured) Flush() error { return nil }
func (c captured) Close() error { return nil }

func newWriter(t *testing.T, dir string, keep func(int) bool) *Writer {
	t.Helper()
	w, err := Create(Options{
		Dir: dir, FailedName: "failed.csv", Keep: keep,
		NewFailedWriter: func(w io.Writer) (ManifestWriter, error) { return captured{w}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func result(row int, st Status) Result {
	r := Result{Row: row, Source: "m.csv:" + string(rune('0'+row%10)), Op: "update_user", Target: "username=u", Status: st, Attempts: 1, Duration: 12 * time.Millisecond}
	if st == StatusFailed {
		r.ErrorCode, r.HTTPStatus, r.TraceID = "validation", 400, "trace-1"
		r.ValidationErrors = FieldErrors{"surname": {"too long"}, "name": {"required", "too short"}}
	}
	if st == StatusSucceeded {
		r.Changes = []Change{{Field: "name", Old: `"A"`, New: `"B"`}, {Field: "groups", New: "+g1"}}
	}
	return r
}

func TestWriterStreamsEveryFormat(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	job := &manifest.Job{Row: 2, Target: manifest.Target{Kind: manifest.TargetUsername, Value: "bob"}}
	if err := w.Write(result(1, StatusSucceeded), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(result(2, StatusFailed), job); err != nil {
		t.Fatal(err)
	}
	// Written through before Close: a crash now loses nothing.
	data, _ := os.ReadFile(filepath.Join(dir, ResultsJSONL))
	if bytes.Count(data, []byte("\n")) != 2 {
		t.Fatalf("results.jsonl before close:\n%s", data)
	}
	s, err := w.Close(Summary{RunID: "r", Command: "apply", StartedAt: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 2 || s.ByStatus[StatusFailed] != 1 || s.ByErrorCode["validation"] != 1 || s.RowsPerSecond <= 0 {
		t.Fatalf("summary = %+v", s)
	}
	f, _ := os.Open(filepath.Join(dir, ResultsCSV))
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(Columns, ",") {
		t.Fatalf("results.csv = %v, %v", recs, err)
	}
	if got := recs[1][12]; got != `name: "A" → "B"; groups: +g1` {
		t.Errorf("changes cell = %q", got)
	}
	if got := recs[2][10]; got != "name: required; name: too short; surname: too long" {
		t.Errorf("validation_errors cell = %q", got)
	}
	if recs[2][7] != "12" || recs[2][5] != "400" || recs[2][11] != "trace-1" {
		t.Errorf("failed row = %v", recs[2])
	}
	failed, _ := os.ReadFile(filepath.Join(dir, "failed.csv"))
	if string(failed) != "# row 2 (m.csv:2) failed: validation\nusername=bob\n" { // why, then the row
		t.Errorf("failed manifest = %q", failed)
	}
	back, err := ReadSummary(dir)
	if err != nil || back.Rows != 2 {
		t.Fatalf("ReadSummary = %+v, %v", back, err)
	}
}

func TestKeepCarriesOverFinishedRowsOnceAndDropsTornLines(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	for _, r := range []Result{result(1, StatusSucceeded), result(2, StatusFailed), result(3, StatusSkipped), result(1, StatusSucceeded)} {
		if err := w.Write(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(Summary{}); err != nil {
		t.Fatal(err)
	}
	// A crash tore the last line.
	fj, _ := os.OpenFile(filepath.Join(dir, ResultsJSONL), os.O_APPEND|os.O_WRONLY, 0)
	fj.WriteString(`{"row":4,"sta`)
	fj.Close()

	done := map[int]bool{1: true, 2: true, 4: true}
	w = newWriter(t, dir, func(row int) bool { return done[row] })
	if err := w.Write(result(3, StatusSucceeded), nil); err != nil {
		t.Fatal(err)
	}
	s, err := w.Close(Summary{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 3 || s.ByStatus[StatusSucceeded] != 2 || s.ByStatus[StatusFailed] != 1 || s.ByStatus[StatusSkipped] != 0 {
		t.Fatalf("resumed summary = %d rows, %v", s.Rows, s.ByStatus)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ResultsJSONL))
	if n := bytes.Count(data, []byte(`"row":1,`)); n != 1 {
		t.Fatalf("row 1 appears %d times after resume:\n%s", n, data)
	}
	f, _ := os.Open(filepath.Join(dir, ResultsCSV))
	recs, _ := csv.NewReader(f).ReadAll()
	f.Close()
	if len(recs) != 4 {
		t.Fatalf("results.csv after resume has %d records", len(recs))
	}
	if recs[1][7] != "12" {
		t.Errorf("carried-over duration = %q, want 12", recs[1][7])
	}
}

func TestTallyPercentiles(t *testing.T) {
	var tl Tally
	for i := 1; i <= 100; i++ {
		r := Result{Status: StatusSucceeded, Duration: time.Duration(i) * time.Millisecond}
		tl.Add(&r)
	}
	p50, p95 := tl.LatencyPercentileMs(50), tl.LatencyPercentileMs(95)
	if p50 < 50 || p50 > 50*1.19 || p95 < 95 || p95 > 95*1.19 {
		t.Fatalf("p50 %.1f, p95 %.1f: want upper bounds within a bucket (19 %%) of 50 and 95", p50, p95)
	}
	var sb strings.Builder
	Summary{Command: "apply", Rows: 100, ByStatus: tl.ByStatus, Requests: map[string]int{"PUT": 100}}.Print(&sb)
	if !strings.Contains(sb.String(), "succeeded  100") || !strings.Contains(sb.String(), "PUT 100") {
		t.Fatalf("summary print:\n%s", sb.String())
	}
}

func TestAppendWaitsForFlush(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	for row := 1; row <= 3; row++ {
		if err := w.Append(result(row, StatusSucceeded), nil); err != nil {
			t.Fatal(err)
		}
	}
	lines := func() int {
		data, _ := os.ReadFile(filepath.Join(dir, ResultsJSONL))
		return bytes.Count(data, []byte("\n"))
	}
	if n := lines(); n != 0 {
		t.Fatalf("%d rows written through before Flush", n)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := lines(); n != 3 {
		t.Fatalf("%d rows written through after Flush, want 3", n)
	}
	if _, err := w.Close(Summary{RunID: "r", Command: "apply", StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush after Close: %v", err)
	}
}

// Server text (error messages, field errors) and manifest text (source,
// target) reach results.csv: no cell may run as a spreadsheet formula.
func TestResultsCSVNeutralizesFormulas(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	hostile := []string{`=HYPERLINK("http://x","click")`, "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"}
	for i, h := range hostile {
		r := result(i+1, StatusFailed)
		r.Source, r.Target, r.ErrorMessage, r.TraceID, r.ErrorCode = h+":2", h, h, h, Code(h)
		r.ValidationErrors = FieldErrors{h: {h}}
		if err := w.Write(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(Summary{}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(filepath.Join(dir, ResultsCSV))
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != len(hostile)+1 {
		t.Fatalf("results.csv = %v, %v", recs, err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("results.csv cell %q starts a formula", cell)
			}
		}
	}
	if got, want := recs[1][9], `'=HYPERLINK("http://x","click")`; got != want {
		t.Errorf("error_message cell = %q, want %q", got, want)
	}
}

// A resumed run's Create that stops before it is done (here: the failed
// rows' file cannot be opened; in life, a kill) leaves the results it was
// carrying over where they were: the old files are replaced only by whole
// new ones, never truncated first.
func TestKeepLosesNothingWhenCreateStops(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	for _, r := range []Result{result(1, StatusSucceeded), result(2, StatusFailed)} {
		if err := w.Write(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(Summary{}); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, name := range []string{ResultsCSV, ResultsJSONL} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		before[name] = string(data)
	}
	if err := os.Remove(filepath.Join(dir, "failed.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "failed.csv", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Create(Options{
		Dir: dir, FailedName: "failed.csv", Keep: func(int) bool { return true },
		NewFailedWriter: func(w io.Writer) (ManifestWriter, error) { return captured{w}, nil },
	})
	if err == nil {
		t.Fatal("Create opened a folder as the failed rows' file")
	}
	for name, want := range before {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		if string(data) != want {
			t.Errorf("%s after a stopped Create:\n%s\nwant:\n%s", name, data, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}

	// Once it goes through, the files hold the kept rows, once each.
	if err := os.RemoveAll(filepath.Join(dir, "failed.csv")); err != nil {
		t.Fatal(err)
	}
	w = newWriter(t, dir, func(row int) bool { return row == 1 })
	if _, err := w.Close(Summary{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, ResultsJSONL))
	if n := bytes.Count(data, []byte("\n")); n != 1 || !bytes.Contains(data, []byte(`"row":1,`)) {
		t.Fatalf("results.jsonl after the resume:\n%s", data)
	}
	st, err := os.Stat(filepath.Join(dir, ResultsCSV))
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("results.csv mode = %v, %v", st, err)
	}
}

// TestResultsJSONLLineKeepsItsBytes holds a results.jsonl line to the bytes
// earlier versions wrote: keys in this order, < > & as themselves, the
// line separators and control characters escaped, finished_at in UTC to
// the millisecond.
func TestResultsJSONLLineKeepsItsBytes(t *testing.T) {
	dir := t.TempDir()
	w := newWriter(t, dir, nil)
	r := Result{Row: 7, Source: "m.csv:8", Op: "update_user", Target: "username=<ann&bob>", Status: StatusFailed,
		HTTPStatus: 400, Attempts: 2, Throttled: 1, ErrorCode: "validation", ErrorMessage: "name \"A\"\tis\u2028bad\x01",
		ValidationErrors: FieldErrors{"surname": {"too long"}, "name": nil}, TraceID: "t-1",
		Changes:  []Change{{Field: "name", Old: `"A"`, New: `"B"`}, {Field: "groups", New: "+g1 −g2"}},
		Duration: 1500 * time.Microsecond, Finished: time.Date(2026, 11, 30, 14, 56, 23, 658464869, time.FixedZone("x", 3600))}
	if err := w.Write(r, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Result{Row: 8, Status: StatusSkipped, Finished: r.Finished}, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ResultsJSONL))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"row\":7,\"source\":\"m.csv:8\",\"op\":\"update_user\",\"target\":\"username=<ann&bob>\",\"status\":\"failed\",\"http_status\":400,\"attempts\":2,\"throttled\":1,\"error_code\":\"validation\",\"error_message\":\"name \\\"A\\\"\\tis\\u2028bad\\u0001\",\"validation_errors\":{\"name\":null,\"surname\":[\"too long\"]},\"trace_id\":\"t-1\",\"changes\":[{\"field\":\"name\",\"old\":\"\\\"A\\\"\",\"new\":\"\\\"B\\\"\"},{\"field\":\"groups\",\"new\":\"+g1 −g2\"}],\"duration_ms\":1,\"finished_at\":\"2026-11-30T13:56:23.658Z\"}\n" +
		"{\"row\":8,\"source\":\"\",\"op\":\"\",\"target\":\"\",\"status\":\"skipped\",\"attempts\":0,\"duration_ms\":0,\"finished_at\":\"2026-11-30T13:56:23.658Z\"}\n"
	if string(data) != want {
		t.Errorf("results.jsonl:\n got %s\nwant %s", data, want)
	}
}
