package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/uipath-batch/batch/internal/suggest"
)

// yamlSource reads a YAML manifest: `defaults:` merged under every item of
// `rows:`. The document is parsed as a node tree (line numbers come from
// the nodes) and rows are then typed one at a time.
type yamlSource struct {
	file     string
	defaults []rawCell
	rows     []*yaml.Node
	pos      int
	cols     []string
	problems []Problem
}

// Top-level keys of a YAML manifest.
const (
	keyDefaults = "defaults"
	keyRows     = "rows"
)

func newYAMLSource(file string, in io.Reader) (*yamlSource, error) {
	s := &yamlSource{file: file}
	// The document is parsed whole anyway; its text is kept to point at a
	// tab, which the parser reports on the wrong line.
	limit := newSizeLimiter(in, MaxYAMLBytes, "the YAML manifest")
	text, err := io.ReadAll(limit)
	var tl *tooLongError
	if errors.As(err, &tl) {
		s.addProblem(tl.line, "", "%s (it is parsed whole): write a larger manifest as CSV, which is read row by row", tl.msg)
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", file, err)
	}
	var doc yaml.Node
	err = yaml.NewDecoder(bytes.NewReader(text)).Decode(&doc)
	switch {
	case errors.Is(err, io.EOF):
		s.addProblem(1, "", "the manifest is empty: write a rows: list (and optionally defaults:)")
		return s, nil
	case err != nil:
		if line, msg, ok := yamlSyntaxError(err); ok {
			if tabLine, col := indentTab(text); tabLine > 0 && (strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token")) {
				s.addProblem(tabLine, "", "YAML syntax: a tab character (column %d) in the indentation: YAML indents with spaces only; replace the tab with spaces", col)
				return s, nil
			}
			s.addProblem(line, "", "YAML syntax: %s", msg)
			return s, nil
		}
		return nil, fmt.Errorf("read manifest %s: %w", file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	root = deref(root)
	if root.Kind != yaml.MappingNode {
		s.addProblem(root.Line, "", "the manifest must be a mapping with rows: (a list of rows) and optionally defaults:")
		return s, nil
	}
	s.readTop(root)
	s.collectColumns()
	return s, nil
}

// indentTab finds the first line whose indentation (list dashes
// included) holds a tab; line 0 when there is none.
func indentTab(text []byte) (line, col int) {
	for i, l := range bytes.Split(text, []byte("\n")) {
		for j, c := range l {
			if c == '\t' {
				return i + 1, j + 1
			}
			if c != ' ' && c != '-' {
				break
			}
		}
	}
	return 0, 0
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError pulls the line out of a yaml.v3 syntax error.
func yamlSyntaxError(err error) (int, string, bool) {
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		if strings.HasPrefix(err.Error(), "yaml: ") {
			return 1, strings.TrimPrefix(err.Error(), "yaml: "), true
		}
		return 0, "", false
	}
	line, _ := strconv.Atoi(m[1])
	return max(line, 1), m[2], true
}

func (s *yamlSource) addProblem(line int, col, format string, args ...any) {
	s.problems = append(s.problems, Problem{Source: Source{File: s.file, Line: max(line, 1)}, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (s *yamlSource) readTop(root *yaml.Node) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		key := normalizeColumn(k.Value)
		if seen[key] {
			s.addProblem(k.Line, key, "%s: appears twice", key)
			continue
		}
		seen[key] = true
		switch key {
		case keyDefaults:
			s.readDefaults(v)
		case keyRows:
			switch {
			case v.Kind == yaml.SequenceNode:
				s.rows = v.Content
			case v.Kind == yaml.ScalarNode && isNull(v):
			default:
				s.addProblem(v.Line, keyRows, "rows: must be a list of rows (each a mapping of column: value)")
			}
		default:
			hint := ""
			if d := suggest.Distance(key, keyDefaults); d <= 2 {
				hint = fmt.Sprintf("; did you mean %q?", keyDefaults)
			} else if d := suggest.Distance(key, keyRows); d <= 2 {
				hint = fmt.Sprintf("; did you mean %q?", keyRows)
			}
			s.addProblem(k.Line, key, "unknown top-level key %q%s (a manifest has defaults: and rows:)", printable(k.Value), hint)
		}
	}
}

func (s *yamlSource) readDefaults(v *yaml.Node) {
	if v.Kind == yaml.ScalarNode && isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		s.addProblem(v.Line, keyDefaults, "defaults: must be a mapping of column: value")
		return
	}
	cells, problems := s.cells(v, "defaults: ")
	s.problems = append(s.problems, problems...)
	s.defaults = cells
}

// cells reads a mapping of column: value into raw cells; empty values are
// kept (with an empty value) so that a row can blank out a default.
func (s *yamlSource) cells(m *yaml.Node, where string) ([]rawCell, []Problem) {
	var cells []rawCell
	var problems []Problem
	bad := func(line int, col, format string, args ...any) {
		problems = append(problems, Problem{Source: Source{File: s.file, Line: max(line, 1)}, Column: col, Message: where + fmt.Sprintf(format, args...)})
	}
	seen := map[string]string{} // canonical column → the key that gave it
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], deref(m.Content[i+1])
		spelled := normalizeColumn(k.Value)
		if !knownColumn(spelled) {
			bad(k.Line, spelled, "unknown key %q%s", printable(strings.TrimSpace(k.Value)), columnHint(spelled))
			continue
		}
		col := canonicalColumn(spelled)
		if first, ok := seen[col]; ok {
			if first == spelled {
				bad(k.Line, col, "key %q appears twice", spelled)
			} else {
				bad(k.Line, col, "%s", sameColumnTwice(col, first, spelled))
			}
			continue
		}
		seen[col] = spelled
		c := rawCell{col: col, line: v.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			if len(v.Value) > MaxCellBytes {
				bad(v.Line, col, "%s", cellTooLong(fmt.Sprintf("the %q value", printable(strings.TrimSpace(k.Value))), len(v.Value)))
				continue
			}
			if !isNull(v) {
				c.value = v.Value
			}
		case yaml.SequenceNode:
			c.isList = true
			for _, it := range v.Content {
				it = deref(it)
				if it.Kind != yaml.ScalarNode {
					bad(it.Line, col, "%s: list items must be plain values", col)
					continue
				}
				if len(it.Value) > MaxCellBytes {
					bad(it.Line, col, "%s", cellTooLong(fmt.Sprintf("an item of the %q list", printable(strings.TrimSpace(k.Value))), len(it.Value)))
					continue
				}
				// Empty items are kept: a column that takes a list
				// decides what one means.
				if isNull(it) {
					c.list = append(c.list, "")
				} else {
					c.list = append(c.list, it.Value)
				}
			}
		case yaml.MappingNode:
			if col != ColExecutionSettings {
				bad(v.Line, col, "%s must be a value or a list, not a mapping", col)
				continue
			}
			text, msg := mappingJSON(v)
			if msg != "" {
				bad(v.Line, col, "%s: %s", col, msg)
				continue
			}
			c.value = text
		default:
			bad(v.Line, col, "%s must be a value or a list, not a mapping", col)
			continue
		}
		cells = append(cells, c)
	}
	return cells, problems
}

// next returns the next row. A row is at the lines where it is written:
// an item that aliases an anchor (- *base) is at the alias's line, and a
// problem in what it takes from the anchor at the anchor's.
func (s *yamlSource) next() (*rawRow, error) {
	for s.pos < len(s.rows) {
		written := s.rows[s.pos]
		item := deref(written)
		s.pos++
		if item.Kind == yaml.ScalarNode && isNull(item) {
			continue
		}
		line := max(written.Line, 1)
		if item.Kind != yaml.MappingNode {
			return &rawRow{line: line, broken: true, problems: []Problem{{
				Source:  Source{File: s.file, Line: line},
				Message: "a row must be a mapping of column: value (e.g. - op: update_user)",
			}}}, nil
		}
		cells, problems := s.cells(item, "")
		if len(problems) == 0 && blank(cells) {
			continue
		}
		return &rawRow{line: line, last: lastLine(written), cells: s.merge(cells), problems: problems}, nil
	}
	return nil, io.EOF
}

// lastLine is the last line on which a node of n's text starts (aliases
// are not followed: their anchors are written elsewhere).
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// merge lays a row's cells over the defaults and drops empty cells.
func (s *yamlSource) merge(row []rawCell) []rawCell {
	out := make([]rawCell, 0, len(row)+len(s.defaults))
	for _, d := range s.defaults {
		overridden := false
		for _, c := range row {
			overridden = overridden || c.col == d.col
		}
		if !overridden && !d.empty() {
			out = append(out, d)
		}
	}
	for _, c := range row {
		if !c.empty() {
			out = append(out, c)
		}
	}
	return out
}

func (c rawCell) empty() bool {
	if c.isList {
		for _, it := range c.list {
			if strings.TrimSpace(it) != "" {
				return false
			}
		}
		return true
	}
	return strings.TrimSpace(c.value) == ""
}

func blank(cells []rawCell) bool {
	for _, c := range cells {
		if !c.empty() {
			return false
		}
	}
	return true
}

// collectColumns lists the known keys used by defaults and rows, in
// canonical order.
func (s *yamlSource) collectColumns() {
	used := make([]bool, len(knownColumns))
	for _, d := range s.defaults {
		used[colIndex[d.col]] = true
	}
	for _, r := range s.rows {
		r = deref(r)
		if r.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i < len(r.Content); i += 2 {
			if i, ok := colIndex[canonicalColumn(normalizeColumn(r.Content[i].Value))]; ok {
				used[i] = true
			}
		}
	}
	for i, u := range used {
		if u {
			s.cols = append(s.cols, knownColumns[i])
		}
	}
}

func (s *yamlSource) columns() []string { return append([]string(nil), s.cols...) }

func (s *yamlSource) fileProblems() []Problem { return s.problems }

// mappingJSON is a YAML mapping (execution_settings may be one) as JSON
// text, or a message saying why it cannot be one.
func mappingJSON(m *yaml.Node) (string, string) {
	var v any
	if err := m.Decode(&v); err != nil {
		return "", "cannot be read: " + err.Error()
	}
	text, err := json.Marshal(v)
	if err != nil {
		return "", "a mapping whose keys are all text and whose values JSON can hold (no .nan or .inf) is needed here"
	}
	if len(text) > MaxCellBytes {
		return "", cellTooLong("the mapping, written as JSON,", len(text))
	}
	return string(text), ""
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Tag == "!!null" || (n.Style == 0 && (n.Value == "" || n.Value == "~" || n.Value == "null"))
}
