package client

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/uipath-batch/batch/internal/client/jsonread"
)

// readsJSON is an answer type read field by field (jsonread), in one pass
// over its JSON and without reflection: the accounts a list reads by the
// thousand. What it reads is what encoding/json would read into the
// type's wire form (the live_decode, nullable and fuzz tests hold it to
// that).
type readsJSON interface {
	// readJSON reads the next value of r into the receiver, replacing
	// what it held.
	readJSON(r *jsonread.Reader) error
}

// readDocument reads body, one JSON value and nothing more, into v.
func readDocument(body []byte, v readsJSON) error {
	r := jsonread.NewReader(body)
	if err := v.readJSON(r); err != nil {
		return err
	}
	return r.End()
}

// reads reports whether T is read with jsonread.
func reads[T any]() bool {
	_, ok := any((*T)(nil)).(readsJSON)
	return ok
}

// readList reads an array of T (a readsJSON type) into *list as
// encoding/json does into a []T: null is nil, [] an empty slice, each
// element read whole (null: T's zero value).
func readList[T any](r *jsonread.Reader, list *[]T) error {
	if r.Null() {
		*list = nil
		return nil
	}
	s := (*list)[:0]
	err := r.Array(func() error {
		var zero T
		s = append(s, zero)
		return any(&s[len(s)-1]).(readsJSON).readJSON(r)
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
var pageFields = jsonread.Fields{"totalCount", "results"}

// decodeBody reads a page of an Identity list: with jsonread when T is
// read so, else with encoding/json.
func (p *page[T]) decodeBody(body []byte) error {
	if !reads[T]() {
		return json.Unmarshal(body, p)
	}
	return readDocument(body, p)
}

// readJSON reads a page whose results are read with jsonread.
func (p *page[T]) readJSON(r *jsonread.Reader) error {
	if r.Null() {
		return nil
	}
	return r.Object(func(key []byte) error {
		switch pageFields.Name(key) {
		case "totalCount":
			return r.DecodeInt64(&p.TotalCount)
		case "results":
			return readList(r, &p.Results)
		}
		return r.Skip()
	})
}

// odataPage is one page of an Orchestrator OData list.
type odataPage[T any] struct {
	Count *int64 `json:"@odata.count"`
	Value []T    `json:"value"`
}

// odataPageFields are odataPage's JSON names.
var odataPageFields = jsonread.Fields{"@odata.count", "value"}

// decodeBody reads a page of an OData list: with jsonread when T is read
// so, else with encoding/json.
func (p *odataPage[T]) decodeBody(body []byte) error {
	if !reads[T]() {
		return json.Unmarshal(body, p)
	}
	return readDocument(body, p)
}

// readJSON reads an OData page whose values are read with jsonread.
func (p *odataPage[T]) readJSON(r *jsonread.Reader) error {
	if r.Null() {
		return nil
	}
	return r.Object(func(key []byte) error {
		switch odataPageFields.Name(key) {
		case "@odata.count":
			return r.DecodeInt64Ptr(&p.Count)
		case "value":
			return readList(r, &p.Value)
		}
		return r.Skip()
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
func (a *apiTime) read(r *jsonread.Reader) error {
	if r.Null() {
		*a = apiTime{}
		return nil
	}
	s, err := r.String()
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
