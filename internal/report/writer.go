package report

import (
	"bufio"
	"encoding/csv"
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

	"github.com/uipath-batch/batch/internal/atomicfile"
	"github.com/uipath-batch/batch/internal/manifest"
)

// File names inside a run's report folder.
const (
	ResultsCSV   = "results.csv"
	ResultsJSONL = "results.jsonl"
	SummaryJSON  = "summary.json"
)

// ManifestWriter writes jobs back as manifest rows; manifest.Writer is one.
type ManifestWriter interface {
	Write(job manifest.Job) error
	// Comment writes a line readers skip: why the row below it failed.
	Comment(text string) error
	Flush() error
	Close() error
}

// Options describe a run's report folder.
type Options struct {
	// Dir is the run's folder (REPORT_DIR/RUN_ID); it is created.
	Dir string
	// FailedName is the failed-rows manifest's file name: failed.csv or
	// failed.yaml, after the input's format.
	FailedName string
	// NewFailedWriter opens the failed-rows manifest on w.
	NewFailedWriter func(w io.Writer) (ManifestWriter, error)
	// Keep, when set, continues an existing folder (a resumed run): the
	// results of rows it keeps are carried over, once each, and every other
	// line (rows to run again, a line torn by a crash) is dropped. The
	// failed-rows manifest starts afresh: the caller re-adds failed rows
	// it keeps with WriteFailedJob.
	Keep func(row int) bool
}

// Writer is the sink of a run's result stream. Every Write reaches the
// operating system before it returns, so a crash loses at most the rows in
// flight. It is safe for concurrent use.
type Writer struct {
	mu      sync.Mutex
	dir     string
	files   []*os.File
	csvBuf  *bufio.Writer
	csv     *csv.Writer
	jsonBuf *bufio.Writer
	jsonEnc *json.Encoder // on jsonBuf
	failed  ManifestWriter
	tally   Tally
	closed  bool
	// replacing holds, while a resumed run's Create writes the results it
	// carries over, the new results files and the names they replace.
	replacing map[*os.File]string
}

// Create opens (or, with Append, continues) the report folder's files.
func Create(opts Options) (*Writer, error) {
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create report folder: %w", err)
	}
	w := &Writer{dir: opts.Dir}
	var kept []jsonResult
	if opts.Keep != nil {
		var err error
		if kept, err = readKept(filepath.Join(opts.Dir, ResultsJSONL), opts.Keep); err != nil {
			return nil, err
		}
		// The results carried over are written to new files that replace
		// the old ones only once whole: truncating the old ones first would
		// lose them all to a crash before they were written again.
		w.replacing = map[*os.File]string{}
		for _, name := range []string{ResultsCSV, ResultsJSONL} {
			stale, _ := filepath.Glob(filepath.Join(opts.Dir, "."+name+".*.tmp"))
			for _, p := range stale {
				_ = os.Remove(p) // left by a crash before its replace
			}
		}
	}
	csvFile, csvNew, err := w.open(ResultsCSV)
	if err != nil {
		return nil, err
	}
	w.csvBuf = bufio.NewWriterSize(csvFile, 32<<10)
	w.csv = csv.NewWriter(w.csvBuf)
	if csvNew {
		if err := w.csv.Write(Columns); err != nil {
			return nil, w.abort(fmt.Errorf("write %s header: %w", ResultsCSV, err))
		}
	}
	jsonFile, _, err := w.open(ResultsJSONL)
	if err != nil {
		return nil, w.abort(err)
	}
	w.jsonBuf = bufio.NewWriterSize(jsonFile, 32<<10)
	w.jsonEnc = json.NewEncoder(w.jsonBuf)
	w.jsonEnc.SetEscapeHTML(false) // <, > and & as themselves, as results.jsonl always had them
	if opts.NewFailedWriter != nil && opts.FailedName != "" {
		failedFile, _, err := w.open(opts.FailedName)
		if err != nil {
			return nil, w.abort(err)
		}
		if w.failed, err = opts.NewFailedWriter(failedFile); err != nil {
			return nil, w.abort(fmt.Errorf("start %s: %w", opts.FailedName, err))
		}
	}
	for i := range kept {
		r := kept[i].Result
		r.Duration = time.Duration(kept[i].DurationMs) * time.Millisecond
		r.Finished = ParseFinished(kept[i].FinishedAt)
		if err := w.write(*r); err != nil {
			return nil, w.abort(err)
		}
	}
	if err := w.flush(); err != nil {
		return nil, w.abort(err)
	}
	if err := w.replace(); err != nil {
		return nil, w.abort(err)
	}
	return w, nil
}

// replace puts the results files written afresh for a resumed run in the
// place of the old ones: synced first, so that a crash leaves the old file
// or the whole new one.
func (w *Writer) replace() error {
	for f, name := range w.replacing {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", name, err)
		}
		if err := os.Rename(f.Name(), filepath.Join(w.dir, name)); err != nil {
			return fmt.Errorf("replace %s: %w", name, err)
		}
		delete(w.replacing, f)
	}
	if err := atomicfile.SyncDir(w.dir); err != nil {
		return fmt.Errorf("sync report folder: %w", err)
	}
	w.replacing = nil
	return nil
}

// readKept reads the results of an interrupted run that keep accepts,
// the first of each row only; a torn last line is dropped.
func readKept(path string, keep func(row int) bool) ([]jsonResult, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read previous results: %w", err)
	}
	defer f.Close()
	seen := make(map[int]bool)
	var kept []jsonResult
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return kept, nil // no newline: torn by a crash
		}
		if err != nil {
			return nil, fmt.Errorf("read previous results: %w", err)
		}
		var jr jsonResult
		jr.Result = new(Result)
		if json.Unmarshal(line, &jr) != nil {
			continue
		}
		if seen[jr.Row] || !keep(jr.Row) {
			continue
		}
		seen[jr.Row] = true
		kept = append(kept, jr)
	}
}

// open starts a report file; fresh reports whether it is empty (so that
// headers are written once).
func (w *Writer) open(name string) (f *os.File, fresh bool, err error) {
	if w.replacing != nil && (name == ResultsCSV || name == ResultsJSONL) {
		f, err = os.CreateTemp(w.dir, "."+name+".*.tmp")
		if err == nil {
			err = f.Chmod(0o640)
		}
		if err != nil {
			if f != nil {
				_ = f.Close()
				_ = os.Remove(f.Name())
			}
			return nil, false, fmt.Errorf("open report file: %w", err)
		}
		w.files = append(w.files, f)
		w.replacing[f] = name
		return f, true, nil
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND | os.O_TRUNC
	path := filepath.Join(w.dir, name)
	f, err = os.OpenFile(path, flags, 0o640)
	if err != nil {
		return nil, false, fmt.Errorf("open report file: %w", err)
	}
	w.files = append(w.files, f)
	st, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", path, err)
	}
	return f, st.Size() == 0, nil
}

// Dir is the run's report folder.
func (w *Writer) Dir() string { return w.dir }

// Write records one finished row. job is the row as read from the manifest;
// a failed row with a job is also written to the failed-rows manifest.
func (w *Writer) Write(r Result, job *manifest.Job) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.append(r, job); err != nil {
		return err
	}
	return w.flush()
}

// Append is Write without the flush: the row stays buffered until the
// next Flush (or Write, or Close). A sink that receives results in bursts
// appends each and flushes once per burst.
func (w *Writer) Append(r Result, job *manifest.Job) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.append(r, job)
}

// Flush writes the buffered rows through to the operating system.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	return w.flush()
}

func (w *Writer) append(r Result, job *manifest.Job) error {
	if w.closed {
		return errors.New("report: write after close")
	}
	if err := w.write(r); err != nil {
		return err
	}
	if r.Status == StatusFailed && job != nil && w.failed != nil {
		// Why it failed, on a comment line above it: readers skip it, so
		// the file is still a manifest to fix and apply again.
		why := fmt.Sprintf("row %d (%s) failed: %s", r.Row, r.Source, r.ErrorCode)
		if r.ErrorMessage != "" {
			why += ": " + r.ErrorMessage
		}
		if err := w.failed.Comment(why); err != nil {
			return fmt.Errorf("write failed row %d: %w", r.Row, err)
		}
		if err := w.failed.Write(*job); err != nil {
			return fmt.Errorf("write failed row %d: %w", r.Row, err)
		}
	}
	return nil
}

// WriteFailedJob adds a failed row carried over from an interrupted run
// to the failed-rows manifest.
func (w *Writer) WriteFailedJob(job *manifest.Job) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed == nil {
		return nil
	}
	if err := w.failed.Write(*job); err != nil {
		return fmt.Errorf("write failed row %d: %w", job.Row, err)
	}
	return w.flush()
}

// write adds r to results.csv and results.jsonl (buffered) and the tally.
func (w *Writer) write(r Result) error {
	if r.Finished.IsZero() {
		r.Finished = time.Now()
	}
	w.tally.Add(&r)
	record := []string{
		strconv.Itoa(r.Row), r.Source, r.Op, r.Target, string(r.Status),
		intOrEmpty(r.HTTPStatus), strconv.Itoa(r.Attempts),
		strconv.FormatInt(r.Duration.Milliseconds(), 10),
		string(r.ErrorCode), r.ErrorMessage, r.ValidationErrors.String(), r.TraceID, r.ChangesString(),
	}
	for i := range record {
		record[i] = manifest.NeutralizeCell(record[i]) // server text must not run in a spreadsheet
	}
	if err := w.csv.Write(record); err != nil {
		return fmt.Errorf("write %s: %w", ResultsCSV, err)
	}
	line := jsonResult{Result: &r, DurationMs: r.Duration.Milliseconds(), FinishedAt: r.Finished.UTC().Format(FinishedLayout)}
	if err := w.jsonEnc.Encode(line); err != nil {
		return fmt.Errorf("write %s: %w", ResultsJSONL, err)
	}
	return nil
}

// jsonResult adds the derived duration_ms and finished_at to a Result's
// JSON form.
type jsonResult struct {
	*Result
	DurationMs int64  `json:"duration_ms"`
	FinishedAt string `json:"finished_at,omitempty"`
}

// FinishedLayout is how results.jsonl writes finished_at: UTC, to the
// millisecond.
const FinishedLayout = "2006-01-02T15:04:05.000Z07:00"

// ParseFinished reads a finished_at; rows written before it existed, or
// with a value that does not parse, have none.
func ParseFinished(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (w *Writer) flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("flush %s: %w", ResultsCSV, err)
	}
	if err := w.csvBuf.Flush(); err != nil {
		return fmt.Errorf("flush %s: %w", ResultsCSV, err)
	}
	if err := w.jsonBuf.Flush(); err != nil {
		return fmt.Errorf("flush %s: %w", ResultsJSONL, err)
	}
	if w.failed != nil {
		if err := w.failed.Flush(); err != nil {
			return fmt.Errorf("flush failed rows: %w", err)
		}
	}
	return nil
}

// Tally returns the counts so far.
func (w *Writer) Tally() Tally {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tally.clone()
}

// Close finishes the files and writes summary.json from s, filled in with
// the tally of every row written.
func (w *Writer) Close(s Summary) (Summary, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return s, errors.New("report: closed twice")
	}
	w.closed = true
	err := w.flush()
	if w.failed != nil {
		err = errors.Join(err, w.failed.Close())
	}
	for _, f := range w.files {
		err = errors.Join(err, f.Sync(), f.Close())
	}
	s.fill(w.tally)
	err = errors.Join(err, atomicfile.WriteJSON(filepath.Join(w.dir, SummaryJSON), s, 0o640))
	if err != nil {
		return s, fmt.Errorf("finish report in %s: %w", w.dir, err)
	}
	return s, nil
}

func (w *Writer) abort(err error) error {
	for _, f := range w.files {
		_ = f.Close()
	}
	for f := range w.replacing {
		_ = os.Remove(f.Name()) // the old file stays
	}
	return err
}

func intOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// ReadSummary reads a run's summary.json.
func ReadSummary(dir string) (Summary, error) {
	var s Summary
	data, err := os.ReadFile(filepath.Join(dir, SummaryJSON))
	if err != nil {
		return s, fmt.Errorf("read summary: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("read summary %s: %w", dir, err)
	}
	return s, nil
}
