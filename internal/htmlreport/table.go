package htmlreport

import (
	"context"
	"iter"
	"strconv"
	"unicode/utf8"
)

// MaxTableRows bounds the rows the page's table holds. A run with more
// keeps its failed, skipped and invalid rows first, then the others in
// the order they finished, and says how many it left out (results.csv has
// them all). With text cells cut at cellLimit and repeated strings stored
// once, this keeps report.html within MaxBytesPerRow per row.
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
	MaxFixedBytes  = 512 << 10
	MaxBytesPerRow = 200
)

// tableBytes is MaxTableBytes, lowered by tests.
var tableBytes = MaxTableBytes

// chunkRows is how many rows one piece of the embedded table holds.
const chunkRows = 1000

// maxInterned caps the string table; later strings are written in place.
const maxInterned = 20_000

// table streams the rows into the page as JSON, in chunks, so that the
// whole table is never in memory. Repeated strings (ops, statuses, error
// codes and messages, changes) are written once, in the string table that
// follows the rows.
type table struct {
	run  *run
	ctx  context.Context
	keep func(*row) bool
	// Filled while the rows are written:
	strings []string
	index   map[string]int
	written int
	bytes   int // chunks yielded and strings interned
	full    bool
	// twoSweeps reads the rows twice, failed, skipped and invalid first,
	// when they may not all fit.
	twoSweeps bool
	err       error
}

// chunk is a piece of the table: rows as JSON arrays, already encoded.
// Its MarshalJSON hands the bytes to html/template, whose JavaScript
// escaper checks and escapes them once more for the script element.
type chunk []byte

// MarshalJSON returns the chunk's encoded rows.
func (c chunk) MarshalJSON() ([]byte, error) { return c, nil }

// Chunks yields the table's rows in chunks, reading the results again.
// When the rows may not all fit (twoSweeps), failed, skipped and invalid
// rows are read first and the others in a second reading, so that the
// size bound leaves out ordinary rows first.
func (t *table) Chunks() iter.Seq[chunk] {
	return func(yield func(chunk) bool) {
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

// Strings is the string table, complete once Chunks has run.
func (t *table) Strings() []string {
	if t.strings == nil {
		return []string{}
	}
	return t.strings
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
//	12 trace id, 13 changes*
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
	b = t.appendInterned(b, cut(r.fieldErrors(), cellLimit))
	b = append(b, ',')
	b = appendJSString(b, cut(r.TraceID, cellLimit))
	b = append(b, ',')
	b = t.appendInterned(b, cut(r.changes(), cellLimit))
	return append(b, ']')
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
// U+FFFD.
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
