package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/uipath-batch/batch/internal/suggest"
)

// CredentialTypes are the credential types of an unattended robot, as
// Orchestrator's definitions spell them (UnattendedRobotDto.CredentialType).
// A credential_type cell may write them in any letter case.
var CredentialTypes = []string{"Default", "SmartCard", "NCipher", "SafeNet", "NoCredential"}

// credentialType reads a credential_type cell: one of CredentialTypes in
// any letter case, kept in the definitions' spelling.
func (b *jobBuilder) credentialType(c *rawCell) *string {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single value, one of %s", c.col, strings.Join(CredentialTypes, ", "))
		return nil
	}
	v := strings.TrimSpace(c.value)
	for _, t := range CredentialTypes {
		if strings.EqualFold(v, t) {
			return &t
		}
	}
	hint := ""
	if s := suggestFold(v, CredentialTypes); s != "" {
		hint = fmt.Sprintf("; did you mean %q?", s)
	}
	b.problemAt(c.line, c.col, "%s %q is not a credential type%s (Orchestrator's are %s)", c.col, printable(v), hint, strings.Join(CredentialTypes, ", "))
	return nil
}

// suggestFold is suggest.Nearest comparing in lower case, spaces and
// separators left out ("smart card" finds SmartCard); the candidate is
// returned as spelled.
func suggestFold(name string, candidates []string) string {
	squashed := make([]string, len(candidates))
	for i, c := range candidates {
		squashed[i] = squashColumn(c)
	}
	s := suggest.Nearest(squashColumn(name), squashed)
	for i, sq := range squashed {
		if s != "" && sq == s {
			return candidates[i]
		}
	}
	return ""
}

// executionSettings reads an execution_settings cell: the text of a JSON
// object (a YAML mapping arrives here as that text too). It returns the
// object as compact JSON, keys sorted, numbers as written.
func (b *jobBuilder) executionSettings(c *rawCell) json.RawMessage {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a JSON object ({\"Name\": value, ...}), not a list", c.col)
		return nil
	}
	out, msg := jsonObject(c.value)
	if msg != "" {
		b.problemAt(c.line, c.col, "%s: %s", c.col, msg)
		return nil
	}
	return out
}

// jsonObject checks that text is one JSON object, no key twice in any
// object of it, and returns it compact with its keys sorted; or a message
// saying what is wrong.
func jsonObject(text string) (json.RawMessage, string) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "not valid JSON: " + jsonErrorText(err) + ` (write a JSON object such as {"TracingLevel": "Information"}; in CSV, quote the cell and double its quotes)`
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "more than one JSON value: write one JSON object"
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Sprintf("a JSON %s, not an object: write a JSON object such as {\"TracingLevel\": \"Information\"}", jsonKind(v))
	}
	if key := duplicateKey(text); key != "" {
		return nil, fmt.Sprintf("the key %q appears twice in one object: keep one", printable(key))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, "cannot be written back as JSON: " + err.Error()
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), ""
}

// jsonErrorText says where a JSON syntax error is, without quoting the text.
func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (at character %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends before the object does"
	}
	return err.Error()
}

// jsonKind names the kind of a decoded JSON value for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// duplicateKey returns the first key that appears twice in one object of
// a valid JSON text, or "".
func duplicateKey(text string) string {
	dec := json.NewDecoder(strings.NewReader(text))
	type frame struct {
		object    bool
		keys      map[string]bool
		expectKey bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{object: true, keys: map[string]bool{}, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
				if top > 0 && stack[top-1].object {
					stack[top-1].expectKey = true
				}
			}
			continue
		}
		if top < 0 || !stack[top].object {
			continue
		}
		if stack[top].expectKey {
			key, _ := tok.(string)
			if stack[top].keys[key] {
				return key
			}
			stack[top].keys[key] = true
			stack[top].expectKey = false
			continue
		}
		stack[top].expectKey = true // a plain value after its key
	}
}
