package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

const maxBody = 1 << 20

// readBody reads a request body of at most 1 MiB.
func readBody(c *call) ([]byte, error) {
	if n := c.r.ContentLength; n >= 0 && n <= maxBody {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
}

// decodeIdentityBody decodes a JSON command into dst. On failure it answers
// with ASP.NET problem details whose message follows the Newtonsoft form
// ("Unexpected character encountered while parsing value: y. Path
// 'isActive', line 1, position 14.") and returns false.
func decodeIdentityBody(c *call, dst any) bool {
	body, err := readBody(c)
	if err != nil {
		c.validationProblem("", "The request body could not be read.")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		c.validationProblem("", "A non-empty request body is required.")
		return false
	}
	err = json.Unmarshal(body, dst)
	if err == nil {
		return true
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		path, off := bodyPath(body, typeErr.Field)
		if off < 0 {
			off = int(typeErr.Offset)
		}
		c.validationProblem(path, newtonsoftMessage(body, off, path))
	case errors.As(err, &syntaxErr):
		off := int(syntaxErr.Offset) - 1
		path := lastKeyBefore(body, off)
		c.validationProblem(path, newtonsoftMessage(body, off, path))
	default:
		c.validationProblem("", "The request body is not valid JSON.")
	}
	return false
}

func newtonsoftMessage(body []byte, off int, path string) string {
	if off < 0 {
		off = 0
	}
	if off >= len(body) {
		off = len(body) - 1
	}
	if body[off] == '"' && off+1 < len(body) {
		off++
	}
	line, col := 1, 0
	for i := 0; i <= off; i++ {
		col++
		if body[i] == '\n' && i < off {
			line, col = line+1, 0
		}
	}
	return fmt.Sprintf("Unexpected character encountered while parsing value: %c. Path '%s', line %d, position %d.", body[off], path, line, col)
}

// jsonFrame is one open object or array while scanning tokens.
type jsonFrame struct {
	object    bool
	expectKey bool
	key       string
}

// scanKeys walks the JSON tokens of body and calls visit with the dotted
// path of every object key and the offset just after it; visit returns true
// to stop.
func scanKeys(body []byte, visit func(path string, after int) bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []jsonFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.expectKey = true
				}
				stack = append(stack, jsonFrame{object: d == '{', expectKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top != nil && top.object && top.expectKey {
			top.key, top.expectKey = tok.(string), false
			var keys []string
			for _, f := range stack {
				if f.object {
					keys = append(keys, f.key)
				}
			}
			if visit(strings.Join(keys, "."), int(dec.InputOffset())) {
				return
			}
			continue
		}
		if top != nil && top.object {
			top.expectKey = true
		}
	}
}

// bodyPath is the path of the body's key that a decoding error's field
// names, and where its value starts (-1 when the body has no such key).
// The field may start with the Go names of embedded structs
// ("createUserBase.type"), which the body does not hold: the longest
// tail of it that the body holds is the path.
func bodyPath(body []byte, field string) (string, int) {
	for tail := field; ; {
		if off := valueOffset(body, tail); off >= 0 {
			return tail, off
		}
		_, rest, ok := strings.Cut(tail, ".")
		if !ok {
			return field, -1
		}
		tail = rest
	}
}

// valueOffset finds where the value of the key at path starts, or -1.
func valueOffset(body []byte, path string) int {
	found := -1
	scanKeys(body, func(p string, after int) bool {
		if !strings.EqualFold(p, path) {
			return false
		}
		i := after
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n' || body[i] == ':') {
			i++
		}
		found = i
		return true
	})
	return found
}

// lastKeyBefore is the path of the last key that starts before off.
func lastKeyBefore(body []byte, off int) string {
	last := ""
	scanKeys(body, func(p string, after int) bool {
		if after > off {
			return true
		}
		last = p
		return false
	})
	return last
}

// checkGUIDs validates a list of GUIDs from a command; it answers problem
// details for the first malformed one.
func checkGUIDs(c *call, field string, ids []string) bool {
	for i, id := range ids {
		if !isGUID(id) {
			c.validationProblem(fmt.Sprintf("%s[%d]", field, i),
				fmt.Sprintf("Error converting value %q to type 'System.Guid'. Path '%s[%d]'.", id, field, i))
			return false
		}
	}
	return true
}

// pathGUID reads a GUID route parameter; it answers problem details when
// the value is not one.
func pathGUID(c *call, name, value string) (string, bool) {
	if !isGUID(value) {
		c.validationProblem(name, fmt.Sprintf("The value '%s' is not valid.", value))
		return "", false
	}
	return strings.ToLower(value), true
}
