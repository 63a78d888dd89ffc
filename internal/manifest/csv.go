package manifest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gocarina/gocsv"
)

// csvSource reads a CSV manifest one record at a time through gocsv's
// decoder over an encoding/csv reader, which knows the physical line of
// every field (quoted cells may span lines).
type csvSource struct {
	file    string
	csv     *csv.Reader
	decoder gocsv.SimpleDecoder

	cols       []string // canonical names of the known input columns, in input order
	colOf      []string // per input position: canonical column, or "" when ignored
	spelled    []string // per input position: the column's name as the header gives it (normalized)
	named      []bool   // per input position: the header cell is not blank
	names      []string // per input position: the header cell as written (trimmed), for messages
	headerLine int
	header     []Problem
	done       bool
	row        rawRow // reused: a row is typed before the next is read
}

// utf8BOM is what Excel puts in front of a "CSV UTF-8" file.
const utf8BOM = "\ufeff"

func newCSVSource(file string, in io.Reader) (*csvSource, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
	}
	r := csv.NewReader(newLineLimiter(br))
	// A line whose first character is # is a comment (undo manifests list
	// what they cannot put back that way); its line still counts.
	r.Comment = commentMark
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	r.ReuseRecord = true
	s := &csvSource{file: file, csv: r, decoder: gocsv.NewSimpleDecoderFromCSVReader(r)}
	if err := s.readHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *csvSource) problem(line int, col, format string, args ...any) Problem {
	return Problem{Source: Source{File: s.file, Line: line}, Column: col, Message: fmt.Sprintf(format, args...)}
}

func (s *csvSource) readHeader() error {
	for {
		rec, err := s.decoder.GetCSVRow()
		if errors.Is(err, io.EOF) {
			s.done = true
			s.header = append(s.header, s.problem(1, "", "the manifest is empty: the first line must be a header naming the columns (op, a target such as email, and the fields)"))
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			s.header = append(s.header, s.problem(pe.StartLine, "", "header: %s", csvErrorText(pe)))
			continue
		}
		var tl *tooLongError
		if errors.As(err, &tl) {
			s.done = true
			s.header = append(s.header, s.problem(tl.line, "", "%s; nothing after it was read", tl.msg))
			return nil
		}
		if err != nil {
			return fmt.Errorf("read manifest %s: %w", s.file, err)
		}
		s.headerLine, _ = s.csv.FieldPos(0)
		if semicolonHeader(rec) {
			// Read on, every row would be one long cell: say it once.
			s.header = append(s.header, s.problem(s.headerLine, "", "this file uses ';' as separator (as spreadsheets save CSV in many locales): save it with ',' as separator; ';' separates list items inside a cell"))
			s.done = true
			return nil
		}
		s.mapHeader(rec)
		return nil
	}
}

// semicolonHeader reports a header of one cell that splits on ';' into
// known columns: a CSV saved with ';' as its separator.
func semicolonHeader(rec []string) bool {
	if len(rec) != 1 || !strings.Contains(rec[0], ";") {
		return false
	}
	for _, name := range strings.Split(strings.TrimPrefix(rec[0], utf8BOM), ";") {
		if knownColumn(normalizeColumn(name)) {
			return true
		}
	}
	return false
}

func (s *csvSource) mapHeader(rec []string) {
	s.colOf = make([]string, len(rec))
	s.spelled = make([]string, len(rec))
	s.named = make([]bool, len(rec))
	s.names = make([]string, len(rec))
	seen := make(map[string]bool, len(rec))      // spellings
	canonical := make(map[string]bool, len(rec)) // canonical columns
	for i, name := range rec {
		spelled := normalizeColumn(name)
		col := canonicalColumn(spelled)
		line, _ := s.csv.FieldPos(i)
		s.named[i] = spelled != ""
		s.names[i] = strings.TrimSpace(name)
		switch {
		case spelled == "":
			// An empty header cell (a trailing comma from a spreadsheet) is
			// harmless as long as its cells are empty too.
		case !knownColumn(spelled):
			s.header = append(s.header, s.problem(line, spelled, "unknown column %q%s", printable(strings.TrimSpace(name)), columnHint(spelled)))
		case seen[spelled]:
			s.header = append(s.header, s.problem(line, col, "column %q appears twice in the header", spelled))
		default:
			// A column and its older name may both be in the header; a row
			// filling both is a problem (see toRow).
			seen[spelled] = true
			s.colOf[i], s.spelled[i] = col, spelled
			if !canonical[col] {
				canonical[col] = true
				s.cols = append(s.cols, col)
			}
		}
	}
}

// next returns the next non-empty row, or io.EOF.
func (s *csvSource) next() (*rawRow, error) {
	for !s.done {
		rec, err := s.decoder.GetCSVRow()
		if errors.Is(err, io.EOF) {
			s.done = true
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &rawRow{line: pe.StartLine, broken: true, problems: []Problem{s.problem(pe.StartLine, "", "%s", csvErrorText(pe))}}, nil
		}
		var tl *tooLongError
		if errors.As(err, &tl) {
			s.done = true
			return &rawRow{line: tl.line, broken: true, problems: []Problem{s.problem(tl.line, "", "%s; nothing after it was read", tl.msg)}}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read manifest %s: %w", s.file, err)
		}
		if row := s.toRow(rec); row != nil {
			return row, nil
		}
	}
	return nil, io.EOF
}

// toRow maps a record onto the header; nil for an empty record.
func (s *csvSource) toRow(rec []string) *rawRow {
	line, _ := s.csv.FieldPos(0)
	row := &s.row
	*row = rawRow{line: line, cells: row.cells[:0]}
	empty := true
	for i, v := range rec {
		v, exact := unneutralizeCell(v)
		if v == "" || !exact && strings.TrimSpace(v) == "" {
			continue
		}
		empty = false
		fieldLine, _ := s.csv.FieldPos(i)
		if len(v) > MaxCellBytes {
			row.problems = append(row.problems, s.problem(fieldLine, s.columnAt(i), "%s", cellTooLong(s.cellName(i), len(v))))
			continue
		}
		switch {
		case i >= len(s.colOf):
			// reported once below
		case s.colOf[i] == "":
			// an unknown column, reported at the header, or one without a name
			if !s.named[i] {
				row.problems = append(row.problems, s.problem(fieldLine, "", "cell %d has a value but its column has no name in the header", i+1))
			}
		case row.cell(s.colOf[i]) != nil:
			row.problems = append(row.problems, s.problem(fieldLine, s.colOf[i], "%s", sameColumnTwice(s.colOf[i], s.spelledAs(row.cell(s.colOf[i])), s.spelled[i])))
		default:
			row.cells = append(row.cells, rawCell{col: s.colOf[i], value: v, exact: exact, line: fieldLine})
		}
	}
	if empty {
		return nil
	}
	row.last, _ = s.csv.FieldPos(len(rec) - 1)
	if len(rec) > len(s.colOf) {
		extra := false
		for _, v := range rec[len(s.colOf):] {
			extra = extra || strings.TrimSpace(v) != ""
		}
		if extra {
			row.problems = append(row.problems, s.problem(line, "", "the row has %d cells but the header has %d columns: quote cells that contain commas", len(rec), len(s.colOf)))
		}
	}
	return row
}

// columnAt is the canonical column of input position i, or "" when the
// header gives it no known column.
func (s *csvSource) columnAt(i int) string {
	if i < len(s.colOf) {
		return s.colOf[i]
	}
	return ""
}

// cellName names the cell at input position i for a message: by its
// column's name as the header writes it, or, for a cell under no header
// name, by its position.
func (s *csvSource) cellName(i int) string {
	switch {
	case i >= len(s.names):
		return fmt.Sprintf("cell %d (past the header's %d columns)", i+1, len(s.names))
	case !s.named[i]:
		return fmt.Sprintf("cell %d (its column has no name in the header)", i+1)
	}
	return fmt.Sprintf("the %q cell", printable(s.names[i]))
}

// spelledAs is the header name of the row cell c's column (the first
// position that maps to it).
func (s *csvSource) spelledAs(c *rawCell) string {
	for i, col := range s.colOf {
		if col == c.col && i < len(s.spelled) {
			return s.spelled[i]
		}
	}
	return c.col
}

// sameColumnTwice is the problem of a row that fills a column under both
// its names.
func sameColumnTwice(col, first, second string) string {
	older := first
	if first == col {
		older = second
	}
	return fmt.Sprintf("%s and %s are the same column (%s is the older name of %s): fill only one of them", first, second, older, col)
}

// csvErrorText explains a CSV syntax error without quoting the row, which
// may hold a password.
func csvErrorText(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a \" inside an unquoted cell (line %d, column %d): quote the whole cell and double the inner quotes (\"\")", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("a quoted cell is not closed properly (line %d, column %d): a quoted cell ends with \" followed by a comma or the end of the line", pe.Line, pe.Column)
	}
	return fmt.Sprintf("malformed CSV (line %d, column %d): %v", pe.Line, pe.Column, pe.Err)
}

func (s *csvSource) columns() []string { return append([]string(nil), s.cols...) }

func (s *csvSource) fileProblems() []Problem { return s.header }
