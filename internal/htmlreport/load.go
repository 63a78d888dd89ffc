package htmlreport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/report"
)

// row is one line of a run's results, as read back from results.jsonl (or,
// for a folder without it, results.csv, whose field errors and changes are
// text only).
type row struct {
	Row              int                 `json:"row"`
	Source           string              `json:"source"`
	Op               string              `json:"op"`
	Target           string              `json:"target"`
	Status           string              `json:"status"`
	HTTPStatus       int                 `json:"http_status"`
	Attempts         int                 `json:"attempts"`
	Throttled        int                 `json:"throttled"`
	ErrorCode        string              `json:"error_code"`
	ErrorMessage     string              `json:"error_message"`
	ValidationErrors map[string][]string `json:"validation_errors"`
	TraceID          string              `json:"trace_id"`
	Changes          []report.Change     `json:"changes"`
	DurationMs       int64               `json:"duration_ms"`
	FinishedAt       string              `json:"finished_at"`

	// From results.csv: the rendered forms only.
	fieldErrorsText, changesText string
	// size is the row's length in the results file.
	size int
}

// finished is the row's finish time (zero for rows written before the
// report carried it).
func (r *row) finished() time.Time { return report.ParseFinished(r.FinishedAt) }

// run is what the folder says about the run as a whole.
type run struct {
	dir        string
	meta       journal.Meta
	hasMeta    bool
	summary    report.Summary
	hasSummary bool
	// extra holds summary.json's fields this package does not know, shown
	// as they are.
	extra map[string]json.RawMessage
	// sessions are the sittings of a run resumed with --resume, when
	// summary.json lists them.
	sessions []session
	// rowsFile is the file the rows are read from, of rowsSize bytes.
	rowsFile string
	rowsSize int64
}

// summaryFields are summary.json's fields shown in their own places.
var summaryFields = map[string]bool{
	"run_id": true, "command": true, "manifest": true, "manifest_sha256": true, "started_at": true,
	"finished_at": true, "seconds": true, "rows_per_second": true, "stopped": true, "rows": true,
	"by_status": true, "by_error_code": true, "latency_p50_ms": true, "latency_p95_ms": true,
	"requests_by_method": true, "requests_by_service": true, "throttled_429s": true, "settings": true, "report_dir": true,
	"undo_manifest": true, "undo_rows": true,
}

// openRun reads a run folder's metadata: summary.json and run.json, either
// of which may be missing (a killed run has no summary; a folder written by
// an older version may lack run.json), and finds its rows.
func openRun(dir string) (*run, error) {
	r := &run{dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, report.SummaryJSON))
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &r.summary); err != nil {
			return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, report.SummaryJSON), err)
		}
		r.hasSummary = true
		var all map[string]json.RawMessage
		if json.Unmarshal(data, &all) == nil {
			for k, v := range all {
				if !summaryFields[k] {
					if r.extra == nil {
						r.extra = map[string]json.RawMessage{}
					}
					r.extra[k] = v
				}
			}
		}
		r.readSessions()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read summary: %w", err)
	}
	if m, err := journal.ReadMeta(dir); err == nil {
		r.meta, r.hasMeta = m, true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, name := range []string{report.ResultsJSONL, report.ResultsCSV} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil {
			r.rowsFile, r.rowsSize = name, st.Size()
			break
		}
	}
	if r.rowsFile == "" && !r.hasSummary && !r.hasMeta {
		return nil, fmt.Errorf("%s holds no run (no %s, %s or %s)", dir, report.ResultsJSONL, report.ResultsCSV, report.SummaryJSON)
	}
	return r, nil
}

// eachRow calls fn with every row of the run's results, in the order they
// were written (finishing order). The row is reused between calls. Lines
// that cannot be read (a line torn by a crash) are counted, not fatal.
func (r *run) eachRow(ctx context.Context, fn func(*row) error) (unreadable int, err error) {
	if r.rowsFile == "" {
		return 0, nil
	}
	path := filepath.Join(r.dir, r.rowsFile)
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read results: %w", err)
	}
	defer f.Close()
	if r.rowsFile == report.ResultsCSV {
		return eachCSVRow(ctx, f, fn)
	}
	// One goroutine reads and parses the lines, the caller's fn takes the
	// rows: a run's page is rendered in about half the time on two cores.
	batches := make(chan *rowBatch, 4)
	free := make(chan *rowBatch, 6)
	stop := make(chan struct{})
	go readRows(bufio.NewReaderSize(f, 64<<10), path, batches, free, stop)
	defer func() {
		close(stop)
		for range batches {
		}
	}()
	n := 0
	for b := range batches {
		unreadable += b.unreadable
		for i := range b.rows {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return unreadable, ctx.Err()
			}
			if err := fn(&b.rows[i]); err != nil {
				return unreadable, err
			}
		}
		if b.err != nil {
			return unreadable, b.err
		}
		select {
		case free <- b:
		default:
		}
	}
	return unreadable, nil
}

// rowBatch is rows read in a row, handed from the reading goroutine to the
// caller of eachRow.
type rowBatch struct {
	rows       []row
	unreadable int
	err        error // a read error: the last batch
}

const batchRows = 512

// readRows reads results.jsonl into batches of rows sent on out (closed at
// the end), reusing the batches that come back on free, until stop closes.
func readRows(br *bufio.Reader, path string, out chan<- *rowBatch, free chan *rowBatch, stop <-chan struct{}) {
	defer close(out)
	next := func() *rowBatch {
		select {
		case b := <-free:
			b.rows, b.unreadable = b.rows[:0], 0
			return b
		default:
			return &rowBatch{rows: make([]row, 0, batchRows)}
		}
	}
	b := next()
	send := func() bool {
		select {
		case out <- b:
			b = next()
			return true
		case <-stop:
			return false
		}
	}
	var rp rowParser
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: read the rest of it.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(bytes.TrimSpace(line)) > 0 {
			b.rows = append(b.rows, row{size: len(line)})
			rw := &b.rows[len(b.rows)-1]
			if !rp.parseRow(line, rw) {
				*rw = row{size: len(line)}
				if json.Unmarshal(line, rw) != nil {
					*rw = row{}
				}
			}
			if rw.Row == 0 && rw.Status == "" {
				b.rows = b.rows[:len(b.rows)-1]
				b.unreadable++
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			send()
			return
		case err != nil:
			b.err = fmt.Errorf("read %s: %w", path, err)
			send()
			return
		case len(b.rows) == batchRows:
			if !send() {
				return
			}
		}
	}
}

// eachCSVRow reads results.csv by its header's column names.
func eachCSVRow(ctx context.Context, f io.Reader, fn func(*row) error) (unreadable int, err error) {
	cr := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s header: %w", report.ResultsCSV, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	num := func(rec []string, name string) int {
		n, _ := strconv.Atoi(get(rec, name))
		return n
	}
	var rw row
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return unreadable, ctx.Err()
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return unreadable, nil
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			unreadable++ // a malformed line: counted, the rest still read
			continue
		}
		if err != nil {
			return unreadable, err
		}
		rw = row{
			Row: num(rec, "row"), Source: get(rec, "source"), Op: get(rec, "op"), Target: get(rec, "target"),
			Status: get(rec, "status"), HTTPStatus: num(rec, "http_status"), Attempts: num(rec, "attempts"),
			Throttled: num(rec, "throttled"), ErrorCode: get(rec, "error_code"), ErrorMessage: get(rec, "error_message"),
			TraceID: get(rec, "trace_id"), DurationMs: int64(num(rec, "duration_ms")), FinishedAt: get(rec, "finished_at"),
			fieldErrorsText: get(rec, "validation_errors"), changesText: get(rec, "changes"),
		}
		for _, f := range rec {
			rw.size += len(f) + 1
		}
		if err := fn(&rw); err != nil {
			return unreadable, err
		}
	}
}
