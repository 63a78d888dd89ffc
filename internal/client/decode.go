package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// readsJSON is an answer type read member by member from a
// jsontext.Decoder, in one pass over its JSON and without reflection:
// the accounts a list reads by the thousand. What it reads is what
// encoding/json would read into the type's wire form (the live_decode,
// nullable and fuzz tests hold it to that).
type readsJSON interface {
	// readJSON reads the next value of r into the receiver, replacing
	// what it held.
	readJSON(r *jsonReader) error
}

// decodeOptions make jsontext read a document as encoding/json does:
// an object may name a member twice (the last one counts), and a string
// may hold invalid UTF-8 or a lone surrogate escape (each read as
// U+FFFD). Its grammar and nesting limit (10,000) are encoding/json's.
var decodeOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// readDocument reads body, one JSON value and nothing more, into v.
func readDocument(body []byte, v readsJSON) error {
	r := jsonReader{dec: jsontext.NewDecoder(bytes.NewBuffer(body), decodeOptions...)}
	if err := v.readJSON(&r); err != nil {
		return err
	}
	return r.end()
}

// jsonReader reads a document's values into Go values as encoding/json
// reads them into the same Go types: a null leaves a string, bool or
// number as it was and sets a pointer or slice to nil, and a value of
// another kind is an error. The document's syntax is jsontext's to check.
type jsonReader struct {
	dec *jsontext.Decoder
	// names are where a member's name with escapes (or other than
	// ASCII) is unquoted, one buffer for each level of objects open.
	names [][]byte
	// text is where such a string value is unquoted before it is copied
	// out.
	text []byte
}

// end checks that nothing but white space follows the value read.
func (r *jsonReader) end() error {
	switch _, err := r.dec.ReadToken(); {
	case err == nil:
		return fmt.Errorf("JSON: another value after the document's, at offset %d", r.dec.InputOffset())
	case err != io.EOF:
		return err
	}
	return nil
}

// kindNames are how errors name the kinds of value.
var kindNames = map[jsontext.Kind]string{
	jsontext.KindNull: "null", jsontext.KindTrue: "a boolean", jsontext.KindFalse: "a boolean",
	jsontext.KindNumber: "a number", jsontext.KindString: "a string",
	jsontext.KindBeginObject: "an object", jsontext.KindBeginArray: "an array",
}

// mismatchError is a well-formed value of another kind than the one a
// Go value takes; the value was skipped.
type mismatchError struct {
	got, want string
	at        jsontext.Pointer
}

func (e *mismatchError) Error() string {
	return fmt.Sprintf("JSON: %s where %s belongs, at %q", e.got, e.want, e.at)
}

// mismatch is the error for the next value, not of the kind wanted: the
// value's own if it is malformed, else a *mismatchError (the value
// skipped).
func (r *jsonReader) mismatch(want string) error {
	got := r.dec.PeekKind()
	if err := r.dec.SkipValue(); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return &mismatchError{got: kindNames[got], want: want, at: r.dec.StackPointer()}
}

// null reads the next value if it is null, and says so.
func (r *jsonReader) null() bool {
	if r.dec.PeekKind() != jsontext.KindNull {
		return false
	}
	_, err := r.dec.ReadToken()
	return err == nil
}

// object reads an object, calling fn with each member's name (unquoted;
// valid only during the call) when the member's value is next: fn must
// read or skip that value, and may stop the read with an error.
func (r *jsonReader) object(fn func(name []byte) error) error {
	if r.dec.PeekKind() != jsontext.KindBeginObject {
		return r.mismatch("an object")
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return err
	}
	level := r.dec.StackDepth() - 1
	for len(r.names) <= level {
		r.names = append(r.names, nil)
	}
	for r.dec.PeekKind() != jsontext.KindEndObject {
		quoted, err := r.dec.ReadValue()
		if err != nil {
			return err
		}
		var name []byte
		name, r.names[level] = unquote(quoted, r.names[level])
		if err := fn(name); err != nil {
			return err
		}
	}
	_, err := r.dec.ReadToken()
	return err
}

// array reads an array, calling fn when each element is next: fn must
// read or skip it, and may stop the read with an error.
func (r *jsonReader) array(fn func() error) error {
	if r.dec.PeekKind() != jsontext.KindBeginArray {
		return r.mismatch("an array")
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return err
	}
	for r.dec.PeekKind() != jsontext.KindEndArray {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err := r.dec.ReadToken()
	return err
}

// skip reads the next value, whatever its kind.
func (r *jsonReader) skip() error { return r.dec.SkipValue() }

// raw reads the next value, whatever its kind, and returns its JSON as
// sent (valid until the next read).
func (r *jsonReader) raw() (json.RawMessage, error) {
	v, err := r.dec.ReadValue()
	return json.RawMessage(v), err
}

// stringValue reads a string.
func (r *jsonReader) stringValue() (string, error) {
	if r.dec.PeekKind() != jsontext.KindString {
		return "", r.mismatch("a string")
	}
	quoted, err := r.dec.ReadValue()
	if err != nil {
		return "", err
	}
	var text []byte
	text, r.text = unquote(quoted, r.text)
	return string(text), nil
}

// unquote returns the text of quoted, a JSON string read whole: its own
// bytes when it holds no escape and only ASCII (most strings), else its text unquoted into buf, grown as needed and returned to be
// used again (invalid UTF-8 replaced by U+FFFD, as encoding/json does).
func unquote(quoted jsontext.Value, buf []byte) (text, grown []byte) {
	if text, ok := plainString(quoted); ok {
		return text, buf
	}
	buf, _ = jsontext.AppendUnquote(buf[:0], quoted) // an error is invalid UTF-8, replaced
	return buf, buf
}

// int64Value reads a number that is an integer in int64's range.
func (r *jsonReader) int64Value() (int64, error) {
	if r.dec.PeekKind() != jsontext.KindNumber {
		return 0, r.mismatch("a number")
	}
	tok, err := r.dec.ReadToken()
	if err != nil {
		return 0, err
	}
	n, err := tok.Int()
	if err != nil {
		return 0, fmt.Errorf("JSON: number %s is not an int64, at %q", tok.String(), r.dec.StackPointer())
	}
	return n, nil
}

// boolValue reads true or false.
func (r *jsonReader) boolValue() (bool, error) {
	switch r.dec.PeekKind() {
	case jsontext.KindTrue, jsontext.KindFalse:
		tok, err := r.dec.ReadToken()
		return err == nil && tok.Bool(), err
	}
	return false, r.mismatch("a boolean")
}

// readInto reads a value with read into *p as encoding/json does into a
// Go value: null leaves *p as it was.
func readInto[T any](r *jsonReader, p *T, read func() (T, error)) error {
	if r.null() {
		return nil
	}
	v, err := read()
	if err == nil {
		*p = v
	}
	return err
}

// readIntoPtr reads a value with read into **p as encoding/json does
// into a pointer: null sets *p to nil; a value is stored where *p
// points, in a new one when *p is nil.
func readIntoPtr[T any](r *jsonReader, p **T, read func() (T, error)) error {
	if r.null() {
		*p = nil
		return nil
	}
	v, err := read()
	if err != nil {
		return err
	}
	if *p == nil {
		*p = new(T)
	}
	**p = v
	return nil
}

// readString reads a string into *p; null leaves *p as it was.
func (r *jsonReader) readString(p *string) error { return readInto(r, p, r.stringValue) }

// readBool reads a boolean into *p; null leaves *p as it was.
func (r *jsonReader) readBool(p *bool) error { return readInto(r, p, r.boolValue) }

// readInt64 reads an integer into *p; null leaves *p as it was.
func (r *jsonReader) readInt64(p *int64) error { return readInto(r, p, r.int64Value) }

// readStringPtr reads a string into **p as encoding/json does into a
// *string (see readIntoPtr).
func (r *jsonReader) readStringPtr(p **string) error { return readIntoPtr(r, p, r.stringValue) }

// readInt64Ptr reads an integer into **p as encoding/json does into an
// *int64 (see readIntoPtr).
func (r *jsonReader) readInt64Ptr(p **int64) error { return readIntoPtr(r, p, r.int64Value) }

// readStrings reads an array of strings into *p as encoding/json does
// into a []string: null sets *p to nil, [] to an empty slice; elements
// are read into *p's own (a null element leaves the one there as it
// was), and the slice is cut to the array's length.
func (r *jsonReader) readStrings(p *[]string) error {
	if r.null() {
		*p = nil
		return nil
	}
	s := *p
	i := 0
	err := r.array(func() error {
		if i >= len(s) {
			if i < cap(s) {
				s = s[:i+1]
			} else {
				s = append(s, "")
			}
		}
		i++
		return r.readString(&s[i-1])
	})
	if err != nil {
		return err
	}
	if i == 0 {
		s = []string{}
	}
	*p = s[:i]
	return nil
}

// anyValue reads any value as encoding/json's Decoder with UseNumber
// reads it into an interface{}: an object is a map[string]any (the last
// of two equal names wins), an array a []any, a number its json.Number,
// null nil.
func (r *jsonReader) anyValue() (any, error) {
	switch r.dec.PeekKind() {
	case jsontext.KindBeginObject:
		m := map[string]any{}
		return m, r.members(m)
	case jsontext.KindBeginArray:
		list := []any{}
		err := r.array(func() error {
			v, err := r.anyValue()
			list = append(list, v)
			return err
		})
		return list, err
	case jsontext.KindString:
		return r.stringValue()
	case jsontext.KindNumber:
		tok, err := r.dec.ReadToken()
		if err != nil {
			return nil, err
		}
		return json.Number(tok.String()), nil
	case jsontext.KindTrue, jsontext.KindFalse:
		return r.boolValue()
	case jsontext.KindNull:
		_, err := r.dec.ReadToken()
		return nil, err
	}
	return nil, r.mismatch("a value")
}

// readAnyObject reads an object into *p as encoding/json's Decoder with
// UseNumber does into a map[string]any: null sets *p to nil, and each
// member's value (see anyValue) goes into *p, made when nil.
func (r *jsonReader) readAnyObject(p *map[string]any) error {
	if r.null() {
		*p = nil
		return nil
	}
	if r.dec.PeekKind() != jsontext.KindBeginObject {
		return r.mismatch("an object")
	}
	if *p == nil {
		*p = map[string]any{}
	}
	return r.members(*p)
}

// members reads an object's members into m (see anyValue).
func (r *jsonReader) members(m map[string]any) error {
	return r.object(func(name []byte) error {
		key := string(name) // before the value, which may reuse name
		v, err := r.anyValue()
		m[key] = v
		return err
	})
}

// jsonFields are the JSON names of a Go struct's fields, in the struct's
// order, matched against an object's member names as encoding/json
// matches them.
type jsonFields []string

// field returns the field name stands for: the name equal to name, else
// the first equal to it regardless of letter case (as strings.EqualFold
// sees it), else "".
func (f jsonFields) field(name []byte) string {
	for _, n := range f {
		if string(name) == n {
			return n
		}
	}
	for _, n := range f {
		if strings.EqualFold(string(name), n) {
			return n
		}
	}
	return ""
}

// reads reports whether T is read with a jsonReader.
func reads[T any]() bool {
	_, ok := any((*T)(nil)).(readsJSON)
	return ok
}

// readList reads an array of T (a readsJSON type) into *list as
// encoding/json does into a []T: null is nil, [] an empty slice, each
// element read whole (null: T's zero value).
func readList[T any](r *jsonReader, list *[]T) error {
	if r.null() {
		*list = nil
		return nil
	}
	s := (*list)[:0]
	err := r.array(func() error {
		var zero T
		s = append(s, zero)
		elem, ok := any(&s[len(s)-1]).(readsJSON)
		if !ok { // decodeBody checks reads[T] first
			return fmt.Errorf("decode a list of %T: it does not read itself", zero)
		}
		return elem.readJSON(r)
	})
	if err != nil {
		return err
	}
	if len(s) == 0 {
		s = []T{}
	}
	*list = s
	return nil
}

// pageFields are page's JSON names.
var pageFields = jsonFields{"totalCount", "results"}

// decodeBody reads a page of an Identity list: with a jsonReader when T
// is read so, else with encoding/json.
func (p *page[T]) decodeBody(body []byte) error {
	if !reads[T]() {
		return json.Unmarshal(body, p)
	}
	return readDocument(body, p)
}

// readJSON reads a page whose results are read with a jsonReader.
func (p *page[T]) readJSON(r *jsonReader) error {
	if r.null() {
		return nil
	}
	return r.object(func(name []byte) error {
		switch pageFields.field(name) {
		case "totalCount":
			return r.readInt64(&p.TotalCount)
		case "results":
			return readList(r, &p.Results)
		}
		return r.skip()
	})
}

// odataPage is one page of an Orchestrator OData list.
type odataPage[T any] struct {
	Count *int64 `json:"@odata.count"`
	Value []T    `json:"value"`
}

// odataPageFields are odataPage's JSON names.
var odataPageFields = jsonFields{"@odata.count", "value"}

// decodeBody reads a page of an OData list: with a jsonReader when T is
// read so, else with encoding/json.
func (p *odataPage[T]) decodeBody(body []byte) error {
	if !reads[T]() {
		return json.Unmarshal(body, p)
	}
	return readDocument(body, p)
}

// readJSON reads an OData page whose values are read with a jsonReader.
func (p *odataPage[T]) readJSON(r *jsonReader) error {
	if r.null() {
		return nil
	}
	return r.object(func(name []byte) error {
		switch odataPageFields.field(name) {
		case "@odata.count":
			return r.readInt64Ptr(&p.Count)
		case "value":
			return readList(r, &p.Value)
		}
		return r.skip()
	})
}

// apiTime is a timestamp field as UiPath sends it: RFC 3339, with or
// without a zone (a missing zone is UTC), any number of fractional
// digits, or null.
type apiTime struct {
	t   time.Time
	set bool
}

// timeLayouts are the forms apiTime accepts, tried in this order; zoned
// are those that end in a zone, which parse only a text ending in one
// (see hasZone).
var timeLayouts = []struct {
	layout string
	zoned  bool
}{{time.RFC3339Nano, true}, {"2006-01-02T15:04:05.999999999", false}, {"2006-01-02 15:04:05.999999999Z07:00", true}, {"2006-01-02", false}}

// read reads the field: null clears it, "" leaves it as it was, and
// anything else but a string in one of timeLayouts is an error.
func (a *apiTime) read(r *jsonReader) error {
	if r.null() {
		*a = apiTime{}
		return nil
	}
	s, err := r.stringValue()
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		return nil
	}
	t, err := parseAPITime(s)
	if err != nil {
		return err
	}
	*a = apiTime{t: t, set: true}
	return nil
}

// parseAPITime parses s in the first of timeLayouts that fits it.
func parseAPITime(s string) (time.Time, error) {
	zoned := hasZone(s)
	for _, l := range timeLayouts {
		if l.zoned && !zoned {
			continue // would fail: not worth its error
		}
		if t, err := time.Parse(l.layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q: unknown format", s)
}

// hasZone reports whether s could end in a zone as the layouts write it,
// "Z07:00": Z, or a sign, two characters, a colon and two more. A text
// without one parses in none of the zoned layouts.
func hasZone(s string) bool {
	n := len(s)
	return n > 0 && s[n-1] == 'Z' || n >= 6 && (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':'
}

// timePointers sets each of into to the timestamp of the same position in
// ts, or nil where none was read; the timestamps share one allocation.
func timePointers(ts []apiTime, into ...**time.Time) {
	n := 0
	for _, t := range ts {
		if t.set {
			n++
		}
	}
	var block []time.Time
	if n > 0 {
		block = make([]time.Time, 0, n)
	}
	for i, t := range ts {
		*into[i] = nil
		if t.set {
			block = append(block, t.t)
			*into[i] = &block[len(block)-1]
		}
	}
}
