package jsonread

import (
	"encoding/json"
	"strings"
)

// Fields are the JSON names of a Go struct's fields, in the struct's
// order, matched against an object's keys as encoding/json matches them.
type Fields []string

// Name returns the field name key stands for: the name equal to key, else
// the first equal to it regardless of letter case (as bytes.EqualFold
// sees it), else "".
func (f Fields) Name(key []byte) string {
	for _, n := range f {
		if string(key) == n {
			return n
		}
	}
	for _, n := range f {
		if strings.EqualFold(string(key), n) {
			return n
		}
	}
	return ""
}

// DecodeString reads a string into *p as encoding/json does into a Go
// string: null leaves *p as it was.
func (r *Reader) DecodeString(p *string) error {
	if r.Null() {
		return nil
	}
	s, err := r.String()
	if err == nil {
		*p = s
	}
	return err
}

// DecodeBool reads a boolean into *p; null leaves *p as it was.
func (r *Reader) DecodeBool(p *bool) error {
	if r.Null() {
		return nil
	}
	b, err := r.Bool()
	if err == nil {
		*p = b
	}
	return err
}

// DecodeInt64 reads an integer into *p; null leaves *p as it was.
func (r *Reader) DecodeInt64(p *int64) error {
	if r.Null() {
		return nil
	}
	n, err := r.Int64()
	if err == nil {
		*p = n
	}
	return err
}

// DecodeStringPtr reads a string into **p as encoding/json does into a
// *string: null sets *p to nil; a string is stored where *p points, in a
// new string when *p is nil.
func (r *Reader) DecodeStringPtr(p **string) error {
	if r.Null() {
		*p = nil
		return nil
	}
	s, err := r.String()
	if err != nil {
		return err
	}
	if *p == nil {
		*p = new(string)
	}
	**p = s
	return nil
}

// DecodeInt64Ptr reads an integer into **p as encoding/json does into an
// *int64 (see DecodeStringPtr).
func (r *Reader) DecodeInt64Ptr(p **int64) error {
	if r.Null() {
		*p = nil
		return nil
	}
	n, err := r.Int64()
	if err != nil {
		return err
	}
	if *p == nil {
		*p = new(int64)
	}
	**p = n
	return nil
}

// DecodeStrings reads an array of strings into *p as encoding/json does
// into a []string: null sets *p to nil, [] to an empty slice; elements
// are decoded into *p's own (a null element leaves the one there as it
// was), and the slice is cut to the array's length.
func (r *Reader) DecodeStrings(p *[]string) error {
	if r.Null() {
		*p = nil
		return nil
	}
	s := *p
	i := 0
	err := r.Array(func() error {
		if i >= len(s) {
			if i < cap(s) {
				s = s[:i+1]
			} else {
				s = append(s, "")
			}
		}
		i++
		return r.DecodeString(&s[i-1])
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

// Any reads any value as encoding/json's Decoder with UseNumber decodes
// into an interface{}: an object is a map[string]any (the last of two
// equal keys wins), an array a []any, a number its json.Number, null nil.
func (r *Reader) Any() (any, error) {
	switch r.Peek() {
	case Object:
		return r.anyObject()
	case Array:
		list := []any{}
		err := r.Array(func() error {
			v, err := r.Any()
			list = append(list, v)
			return err
		})
		return list, err
	case String:
		return r.String()
	case Number:
		lit, err := r.number()
		return json.Number(lit), err
	case Bool:
		return r.Bool()
	case Null:
		if r.Null() {
			return nil, nil
		}
	}
	return nil, r.syntax()
}

// DecodeObject reads an object into *p as encoding/json's Decoder with
// UseNumber does into a map[string]any: null sets *p to nil, and each
// key's value (see Any) goes into *p, made when nil.
func (r *Reader) DecodeObject(p *map[string]any) error {
	if r.Null() {
		*p = nil
		return nil
	}
	if r.Peek() != Object {
		return r.mismatch(Object)
	}
	if *p == nil {
		*p = map[string]any{}
	}
	return r.object(*p)
}

func (r *Reader) anyObject() (map[string]any, error) {
	m := map[string]any{}
	return m, r.object(m)
}

// object reads an object's keys and values into m.
func (r *Reader) object(m map[string]any) error {
	return r.Object(func(key []byte) error {
		v, err := r.Any()
		m[string(key)] = v
		return err
	})
}
