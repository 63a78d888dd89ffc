package htmlreport

import (
	"context"
	"html/template"
	"iter"
	"strconv"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/report"
)

// MaxTableRows bounds the rows the page's table holds. A run with more
// keeps its failed, skipped and invalid rows first, then the others in
// the order they finished, and says how many it left out (results.csv has
// them all).
const MaxTableRows = 100_000

// tableRows is MaxTableRows, lowered by tests.
var tableRows = MaxTableRows

// Size bounds of report.html. The table's data (rows and string table)
// stops growing at MaxTableBytes, whatever the rows hold: a run whose rows
// need more keeps the rows that fit (failed, skipped and invalid rows
// first) and the page says how many it holds. The rest of the page stays
// under MaxFixedBytes (its groups and lists are bounded by row counts and
// cut text cells). Ordinary rows (a target, a trace id, a change or two,
// or an error message) take under MaxBytesPerRow each, so a
// 100,000-row run fits whole in under 20 MB.
const (
	MaxTableBytes  = 32 << 20
	MaxFixedBytes  = 2 << 20
	MaxBytesPerRow = 200
)

// tableBytes is MaxTableBytes, lowered by tests.
var tableBytes = MaxTableBytes

// chunkRows is how many rows one piece of the embedded table holds.
const chunkRows = 1000

// maxInterned caps the string table; later strings are written in place.
const maxInterned = 20_000

// memoryBytes bounds the rows encoded while the results are first read: a
// run whose table fits is read once; a larger one is read again while the
// page is written, so that memory stays flat whatever the run's size.
var memoryBytes = 16 << 20

// table writes the rows into the page as JSON, in chunks: encoded as
// they are first read when they fit in memoryBytes, else read again and
// streamed, so that a large table is never in memory. Repeated strings (ops, statuses, error
// codes and messages, changes) are written once, in the string table that
// follows the rows.
type table struct {
	run  *run
	ctx  context.Context
	keep func(*row) bool
	// verdicts, when set, gives each succeeded row its verdict against
	// UiPath's audit logs (a column after the others).
	verdicts *verification
	// Filled while the rows are written:
	strings []string
	index   map[string]int
	written int
	bytes   int // chunks yielded and strings interned
	full    bool
	// twoSweeps reads the rows twice, failed, skipped and invalid first,
	// when they may not all fit.
	twoSweeps bool
	// mem holds the chunks encoded during the first reading (ends at
	// bounds), while memRows rows fit in memoryBytes; nil once they did not.
	mem     []byte
	bounds  []int
	memRows int
	scratch []byte
	err     error
}

// chunk is a piece of the table: rows as JSON arrays, encoded by
// appendJSString and appendRow, which write nothing but numbers and
// strings whose <, >, &, ' and line separators are \u escapes, so that a
// chunk stands as it is inside the script element (a test and a fuzz
// target hold this). Handing the chunks to html/template's own JSON
// escaper instead re-parsed the whole table and cost a fifth of the
// rendering, against a bound of 5 % of a run's time.
func chunk(b []byte) template.JS { return template.JS(b) }

// newTable starts a table that encodes the rows as the first reading
// passes them (see remember).
func newTable(ctx context.Context, r *run) *table {
	// The page holds a row in about half the room of the results file.
	return &table{run: r, ctx: ctx, mem: make([]byte, 0, min(max(r.rowsSize/2, 64<<10), int64(memoryBytes)))}
}

// remember encodes a row of the first reading, until the rows outgrow
// memoryBytes or the table's row bound; then it lets go of them all.
func (t *table) remember(r *row) {
	if t.mem == nil {
		return
	}
	if t.memRows%chunkRows == 0 {
		if t.memRows > 0 {
			t.mem = append(t.mem, ']')
			t.bounds = append(t.bounds, len(t.mem))
		}
		t.mem = append(t.mem, '[')
	} else {
		t.mem = append(t.mem, ',')
	}
	t.mem = t.appendRow(t.mem, r)
	t.memRows++
	if len(t.mem)+t.bytes > min(memoryBytes, tableBytes) || t.memRows > tableRows {
		t.mem, t.bounds, t.memRows = nil, nil, 0
		t.strings, t.index, t.bytes = nil, nil, 0
		t.internVerdicts()
	}
}

// setVerdicts gives the succeeded rows their verdicts against UiPath's
// audit logs (column 14).
func (t *table) setVerdicts(v *verification) {
	t.verdicts = v
	t.internVerdicts()
}

// internVerdicts puts the verdicts first in the string table, so that a
// row's verdict costs it two bytes, whatever strings come before.
func (t *table) internVerdicts() {
	if t.verdicts == nil {
		return
	}
	for _, name := range t.verdicts.names {
		if name != "" {
			t.appendInterned(nil, name)
		}
	}
}

// Chunks yields the table's rows in chunks: those the first reading
// encoded, or else read again.
// When the rows may not all fit (twoSweeps), failed, skipped and invalid
// rows are read first and the others in a second reading, so that the
// size bound leaves out ordinary rows first.
func (t *table) Chunks() iter.Seq[template.JS] {
	return func(yield func(template.JS) bool) {
		if t.mem != nil {
			t.written = t.memRows
			if t.memRows == 0 {
				return
			}
			t.mem = append(t.mem, ']')
			t.bounds = append(t.bounds, len(t.mem))
			from := 0
			for _, to := range t.bounds {
				if !yield(chunk(t.mem[from:to])) {
					return
				}
				from = to
			}
			return
		}
		buf := make([]byte, 0, 256<<10)
		buf = append(buf, '[')
		n := 0
		stop := false
		sweep := func(want func(*row) bool) error {
			_, err := t.run.eachRow(t.ctx, func(r *row) error {
				if !want(r) || !t.keep(r) {
					return nil
				}
				mark := len(buf)
				if n > 0 {
					buf = append(buf, ',')
				}
				buf = t.appendRow(buf, r)
				if t.bytes+len(buf) > tableBytes {
					buf = buf[:mark]
					t.full = true
					return errStop
				}
				n++
				t.written++
				if n == chunkRows {
					buf = append(buf, ']')
					t.bytes += len(buf)
					if !yield(chunk(buf)) {
						stop = true
						return errStop
					}
					buf = append(buf[:0], '[')
					n = 0
				}
				return nil
			})
			return err
		}
		var err error
		if t.twoSweeps {
			err = sweep(func(r *row) bool { return isInteresting(r.Status) })
			if err == nil {
				err = sweep(func(r *row) bool { return !isInteresting(r.Status) })
			}
		} else {
			err = sweep(func(*row) bool { return true })
		}
		if err != nil && err != errStop {
			t.err = err
			return
		}
		if !stop && n > 0 {
			buf = append(buf, ']')
			yield(chunk(buf))
		}
	}
}

type stopError struct{}

func (stopError) Error() string { return "stopped" }

var errStop error = stopError{}

// Strings is the string table as JSON, complete once Chunks has run
// (encoded as the chunks are).
func (t *table) Strings() template.JS {
	n := 2
	for _, s := range t.strings {
		n += len(s) + 3
	}
	b := make([]byte, 0, n+n/8)
	b = append(b, '[')
	for i, s := range t.strings {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSString(b, s)
	}
	return chunk(append(b, ']'))
}

// Meta tells the page's script, once Chunks has run, how many rows the
// table holds and whether the size bound cut it.
func (t *table) Meta() map[string]any {
	return map[string]any{"written": t.written, "full": t.full, "limit_mb": tableBytes >> 20}
}

// The columns of an encoded row, in order (the page's script reads them
// by these positions).
//
//	0 row, 1 source, 2 op*, 3 target, 4 status*, 5 http status, 6 attempts,
//	7 429s, 8 duration ms, 9 error code*, 10 message*, 11 field errors*,
//	12 trace id, 13 changes*, 14 verdict* (when the run was verified)
//
// Columns marked * hold an index into the string table or a string.
func (t *table) appendRow(b []byte, r *row) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(r.Row), 10)
	b = append(b, ',')
	b = appendJSString(b, cut(r.Source, cellLimit))
	b = append(b, ',')
	b = t.appendInterned(b, r.Op)
	b = append(b, ',')
	b = appendJSString(b, cut(r.Target, cellLimit))
	b = append(b, ',')
	b = t.appendInterned(b, r.Status)
	for _, n := range []int{r.HTTPStatus, r.Attempts, r.Throttled, int(r.DurationMs)} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, ',')
	b = t.appendInterned(b, r.ErrorCode)
	b = append(b, ',')
	b = t.appendInterned(b, cut(r.ErrorMessage, cellLimit))
	b = append(b, ',')
	if r.ValidationErrors != nil {
		t.scratch = report.FieldErrors(r.ValidationErrors).Append(t.scratch[:0])
		b = t.appendInternedBytes(b, cutBytes(t.scratch, cellLimit))
	} else {
		b = t.appendInterned(b, cut(r.fieldErrorsText, cellLimit))
	}
	b = append(b, ',')
	b = appendJSString(b, cut(r.TraceID, cellLimit))
	b = append(b, ',')
	if r.Changes != nil {
		t.scratch = report.AppendChanges(t.scratch[:0], r.Changes)
		b = t.appendInternedBytes(b, cutBytes(t.scratch, cellLimit))
	} else {
		b = t.appendInterned(b, cut(r.changesText, cellLimit))
	}
	if t.verdicts != nil {
		b = append(b, ',')
		if r.Status == "succeeded" {
			b = t.appendInterned(b, t.verdicts.verdictOf(r.Row))
		} else {
			b = append(b, `""`...)
		}
	}
	return append(b, ']')
}

// cutBytes is cut for bytes.
func cutBytes(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	i := n
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	return append(b[:i], "…"...)
}

// appendInternedBytes is appendInterned for bytes, allocating only for a
// string new to the table.
func (t *table) appendInternedBytes(b, s []byte) []byte {
	if len(s) == 0 {
		return append(b, `""`...)
	}
	if i, ok := t.index[string(s)]; ok {
		return strconv.AppendInt(b, int64(i), 10)
	}
	if len(t.strings) >= maxInterned {
		return appendJSString(b, string(s))
	}
	return t.appendInterned(b, string(s))
}

// appendInterned writes s as its index in the string table, adding it
// while the table has room, or else as a string.
func (t *table) appendInterned(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	i, ok := t.index[s]
	if !ok {
		if len(t.strings) >= maxInterned {
			return appendJSString(b, s)
		}
		if t.index == nil {
			t.index = map[string]int{}
		}
		i = len(t.strings)
		t.strings = append(t.strings, s)
		t.index[s] = i
		t.bytes += len(s) + 3
	}
	return strconv.AppendInt(b, int64(i), 10)
}

const hexDigits = "0123456789abcdef"

// appendJSString quotes s as a JSON string that is also safe anywhere in
// HTML: besides what JSON requires, <, >, &, ' and the line separators
// U+2028 and U+2029 are written as \u escapes, and invalid UTF-8 as
// U+FFFD. Every row of the table passes here three or four times: it buys
// 8 % rows/s on bench scenario 8 (report.html) over a reused json.Encoder,
// whose escaping would do (418,000 against 389,000 rows/s, medians of 8
// alternating runs), and 15 % on the scenario's rendering alone (794,000
// against 689,000, medians of 20), measured 2026-12-07.
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c != '\'' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
