package manifest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/gocarina/gocsv"
	"gopkg.in/yaml.v3"
)

// Writer writes jobs as a manifest that Open and Validate accept: the
// failed rows of a run, or `batch export`. It streams: each Write emits
// one row.
type Writer struct {
	format  Format
	out     io.Writer
	csv     *gocsv.SafeCSVWriter
	columns []string
	pos     map[string]int
	started bool
	err     error
}

// NewWriter starts a manifest on w. For CSV, columns are the header (nil
// means every known column); a job's cell in a column not listed is an
// error, so pass the input's Columns plus what the jobs may add. For YAML,
// columns are ignored and each row holds the cells it sets, under `rows:`.
func NewWriter(w io.Writer, f Format, columns []string) (*Writer, error) {
	if columns == nil {
		columns = knownColumns
	}
	wr := &Writer{format: f, out: w, pos: make(map[string]int, len(columns))}
	for _, c := range columns {
		col := canonicalColumn(normalizeColumn(c))
		if !knownColumn(col) {
			return nil, fmt.Errorf("manifest writer: unknown column %q", c)
		}
		if _, dup := wr.pos[col]; dup {
			continue
		}
		wr.pos[col] = len(wr.columns)
		wr.columns = append(wr.columns, col)
	}
	if f == CSV {
		wr.csv = gocsv.NewSafeCSVWriter(csv.NewWriter(w))
	}
	return wr, nil
}

// Write emits one job as a row.
func (w *Writer) Write(j Job) error {
	if w.err != nil {
		return w.err
	}
	if w.format == YAML {
		w.err = w.writeYAML(j)
	} else {
		w.err = w.writeCSV(j)
	}
	return w.err
}

func (w *Writer) writeCSV(j Job) error {
	if !w.started {
		w.started = true
		if err := w.csv.Write(w.columns); err != nil {
			return fmt.Errorf("write manifest header: %w", err)
		}
	}
	rec := make([]string, len(w.columns))
	for _, c := range j.Cells() {
		i, ok := w.pos[c.Column]
		if !ok {
			return fmt.Errorf("write manifest row %d: the header has no column %s", j.Row, c.Column)
		}
		rec[i] = NeutralizeCell(c.Value)
	}
	if len(rec) > 0 && strings.HasPrefix(rec[0], string(commentMark)) {
		// A line that begins with # reads as a comment: mark the cell as
		// text taken as written, which the reader undoes.
		rec[0] = string(formulaQuote) + rec[0]
	}
	if err := w.csv.Write(rec); err != nil {
		return fmt.Errorf("write manifest row %d: %w", j.Row, err)
	}
	return nil
}

func (w *Writer) writeYAML(j Job) error {
	if !w.started {
		w.started = true
		if _, err := io.WriteString(w.out, "rows:\n"); err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
	}
	row := &yaml.Node{Kind: yaml.MappingNode}
	for _, c := range j.Cells() {
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Column}
		var val *yaml.Node
		switch {
		case groupColumns.has(c.Column) || roleColumns.has(c.Column):
			val = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, g := range strings.Split(c.Value, ";") {
				if g == "" {
					continue
				}
				val.Content = append(val.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: g})
			}
		case slices.Contains(booleanColumns, c.Column):
			val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: c.Value}
		default:
			val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Value}
		}
		row.Content = append(row.Content, key, val)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{row}}); err != nil {
		return fmt.Errorf("write manifest row %d: %w", j.Row, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write manifest row %d: %w", j.Row, err)
	}
	// Indent the row under rows:.
	text := strings.TrimSuffix(buf.String(), "\n")
	text = "  " + strings.ReplaceAll(text, "\n", "\n  ") + "\n"
	if _, err := io.WriteString(w.out, text); err != nil {
		return fmt.Errorf("write manifest row %d: %w", j.Row, err)
	}
	return nil
}

// commentMark begins a comment line in a CSV manifest, as in YAML.
const commentMark = '#'

// Comment writes a comment line, "# text", where the next row would go
// (before the CSV header when no row has been written yet). Readers skip
// it. text is made one line: line breaks and other control characters
// become spaces; in CSV, commas become ";" and double quotes "'", so that
// the line stays one cell that starts with "#". Undo manifests list what they cannot put back this way;
// a comment must never hold a secret.
func (w *Writer) Comment(text string) error {
	if w.err != nil {
		return w.err
	}
	// The CSV writer buffers: what it holds goes out first.
	if err := w.Flush(); err != nil {
		return err
	}
	text = commentText(text)
	if w.format == CSV {
		text = csvCommentSafe.Replace(text)
	}
	line := string(commentMark) + " " + text + "\n"
	if w.format == YAML && w.started {
		line = "  " + line // among the rows, at their indentation
	}
	if _, err := io.WriteString(w.out, line); err != nil {
		w.err = fmt.Errorf("write manifest comment: %w", err)
	}
	return w.err
}

// csvCommentSafe keeps a CSV comment line one cell that starts with "#",
// for a spreadsheet or a CSV reader that knows no comments: no separator
// to start a cell a formula could hide in (a comment may name accounts),
// no quote to unbalance the line.
var csvCommentSafe = strings.NewReplacer(",", ";", `"`, "'")

// commentText makes text one line of valid UTF-8 without control
// characters or Unicode line and paragraph separators.
func commentText(text string) string {
	text = strings.ToValidUTF8(text, "?")
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, text)
	return strings.TrimSpace(text)
}

// Flush writes buffered rows out.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.format == CSV {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			w.err = fmt.Errorf("write manifest: %w", err)
		}
	}
	return w.err
}

// Close finishes the manifest: a CSV without rows still gets its header,
// a YAML without rows an empty list. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		w.started = true
		var err error
		if w.format == YAML {
			_, err = io.WriteString(w.out, "rows: []\n")
		} else {
			err = w.csv.Write(w.columns)
		}
		if err != nil {
			w.err = fmt.Errorf("write manifest: %w", err)
			return w.err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	w.err = errors.New("manifest writer: closed")
	return nil
}
