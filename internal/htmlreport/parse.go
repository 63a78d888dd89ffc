package htmlreport

import (
	"strconv"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/report"
)

// parseRow reads a results.jsonl line as the report writes it, without
// reflection: every row of a run passes here when its page is rendered,
// and encoding/json took most of the rendering's time. It buys 70 %
// rows/s on bench scenario 8 (report.html) over json.Unmarshal alone
// (306,000 against 180,000 rows/s, medians of 5 alternating runs), and
// 248 % on the scenario's rendering alone (794,000 against 228,000,
// medians of 20), measured 2026-12-07. It answers false
// for anything it does not know (an unknown key, a float, a surrogate
// escape, invalid UTF-8, …), and the caller then decodes the line with
// encoding/json; when it answers true, r is what encoding/json would have
// decoded (a test and a fuzz target hold the two equal).
//
// Its state carries from line to line: the strings that repeat from row
// to row (ops, statuses, error codes, field names), allocated once, and a
// buffer for unescaping.
func (st *rowParser) parseRow(line []byte, r *row) bool {
	if st.names == nil {
		st.names = map[string]string{}
	}
	p := parser{b: line, names: st.names, scratch: st.scratch}
	defer func() { st.scratch = p.scratch }()
	if !p.byte('{') {
		return false
	}
	if p.peek() == '}' {
		p.i++
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		switch key {
		case "row":
			ok = p.intTo(&r.Row)
		case "http_status":
			ok = p.intTo(&r.HTTPStatus)
		case "attempts":
			ok = p.intTo(&r.Attempts)
		case "throttled":
			ok = p.intTo(&r.Throttled)
		case "duration_ms":
			var n int
			ok = p.intTo(&n)
			r.DurationMs = int64(n)
		case "source":
			r.Source, ok = p.str()
		case "op":
			r.Op, ok = p.name()
		case "target":
			r.Target, ok = p.str()
		case "status":
			r.Status, ok = p.name()
		case "error_code":
			r.ErrorCode, ok = p.name()
		case "error_message":
			r.ErrorMessage, ok = p.str()
		case "trace_id":
			r.TraceID, ok = p.str()
		case "finished_at":
			r.FinishedAt, ok = p.str()
		case "validation_errors":
			ok = p.fieldErrors(r)
		case "changes":
			ok = p.changes(r)
		default:
			return false
		}
		if !ok {
			return false
		}
		switch p.next() {
		case ',':
		case '}':
			return p.end()
		default:
			return false
		}
	}
}

// rowParser reads the lines of one results file.
type rowParser struct {
	names   map[string]string
	scratch []byte
}

type parser struct {
	b       []byte
	i       int
	names   map[string]string
	scratch []byte // an escaped string being unescaped
}

// maxNames bounds the strings a parser keeps.
const maxNames = 4096

// name reads a string that likely repeats, allocating it only once.
func (p *parser) name() (string, bool) {
	p.skipSpace()
	start := p.i
	if p.names == nil || p.i >= len(p.b) || p.b[p.i] != '"' {
		return p.str()
	}
	p.i++
	for p.i < len(p.b) && p.b[p.i] != '"' && p.b[p.i] != '\\' && p.b[p.i] >= 0x20 && p.b[p.i] < utf8.RuneSelf {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '"' {
		raw := p.b[start+1 : p.i]
		if s, ok := p.names[string(raw)]; ok {
			p.i++
			return s, true
		}
	}
	p.i = start
	s, ok := p.str()
	if ok && len(p.names) < maxNames {
		p.names[s] = s
	}
	return s, ok
}

func (p *parser) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// peek is the next byte after white space, 0 at the end.
func (p *parser) peek() byte {
	p.skipSpace()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *parser) next() byte {
	c := p.peek()
	if c != 0 {
		p.i++
	}
	return c
}

func (p *parser) byte(c byte) bool { return p.next() == c }

// end says whether only white space is left.
func (p *parser) end() bool { return p.peek() == 0 && p.i == len(p.b) }

// null consumes a JSON null.
func (p *parser) null() bool {
	if p.peek() == 'n' && len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return true
	}
	return false
}

// intTo reads an integer that fits an int (no fraction, no exponent).
func (p *parser) intTo(dst *int) bool {
	p.skipSpace()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == digits || p.i-digits > 1 && p.b[digits] == '0' || p.i-digits > 18 {
		return false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return false
	}
	n, err := strconv.Atoi(string(p.b[start:p.i]))
	if err != nil {
		return false
	}
	*dst = n
	return true
}

// str reads a string: valid UTF-8, escapes other than surrogates.
func (p *parser) str() (string, bool) {
	if p.next() != '"' {
		return "", false
	}
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// escaped finishes a string that holds an escape, from its start.
func (p *parser) escaped(start int) (string, bool) {
	out := append(p.scratch[:0], p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			p.scratch = out
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if p.i+4 > len(p.b) {
				return "", false
			}
			v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 16)
			if err != nil || v >= 0xD800 && v < 0xE000 {
				return "", false
			}
			p.i += 4
			out = utf8.AppendRune(out, rune(v))
		default:
			return "", false
		}
	}
	return "", false
}

// fieldErrors reads {"field": ["message", …] or null, …}.
func (p *parser) fieldErrors(r *row) bool {
	// null, or a second validation_errors (encoding/json merges the two):
	// left to encoding/json.
	if p.null() || r.ValidationErrors != nil || !p.byte('{') {
		return false
	}
	fe := map[string][]string{}
	r.ValidationErrors = fe
	if p.peek() == '}' {
		p.i++
		return true
	}
	for {
		field, ok := p.name()
		if !ok || !p.byte(':') {
			return false
		}
		if _, dup := fe[field]; dup {
			return false
		}
		var msgs []string
		if !p.null() {
			if !p.byte('[') {
				return false
			}
			msgs = []string{}
			if p.peek() == ']' {
				p.i++
			} else {
				for {
					m, ok := p.str()
					if !ok {
						return false
					}
					msgs = append(msgs, m)
					c := p.next()
					if c == ']' {
						break
					}
					if c != ',' {
						return false
					}
				}
			}
		}
		fe[field] = msgs
		switch p.next() {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
}

// changes reads [{"field": …, "old": …, "new": …}, …].
func (p *parser) changes(r *row) bool {
	if p.null() || !p.byte('[') {
		return false
	}
	r.Changes = []report.Change{}
	if p.peek() == ']' {
		p.i++
		return true
	}
	for {
		if !p.byte('{') {
			return false
		}
		var c report.Change
		if p.peek() == '}' {
			p.i++
		} else {
			for {
				key, ok := p.str()
				if !ok || !p.byte(':') {
					return false
				}
				var v string
				if key == "field" {
					v, ok = p.name()
				} else {
					v, ok = p.str()
				}
				if !ok {
					return false
				}
				switch key {
				case "field":
					c.Field = v
				case "old":
					c.Old = v
				case "new":
					c.New = v
				default:
					return false
				}
				d := p.next()
				if d == '}' {
					break
				}
				if d != ',' {
					return false
				}
			}
		}
		r.Changes = append(r.Changes, c)
		switch p.next() {
		case ',':
		case ']':
			return true
		default:
			return false
		}
	}
}
