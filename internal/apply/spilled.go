package apply

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/spill"
)

// spilled is an account list read whole and kept on disk, found by
// lower-case id: the state before of an organization of millions, for
// rows by id, in memory that does not grow with it (see package spill).
type spilled[T any] struct {
	store  *spill.Store
	encode func([]byte, *T) []byte
	decode func([]byte) (T, error)
	buf    []byte
}

func newSpilled[T any](encode func([]byte, *T) []byte, decode func([]byte) (T, error)) (*spilled[T], error) {
	st, err := spill.New("")
	if err != nil {
		return nil, err
	}
	return &spilled[T]{store: st, encode: encode, decode: decode}, nil
}

// put adds an account; one goroutine at a time, before seal.
func (s *spilled[T]) put(id string, v *T) error {
	s.buf = s.encode(s.buf[:0], v)
	return s.store.Put(strings.ToLower(id), s.buf)
}

func (s *spilled[T]) seal() error { return s.store.Seal() }

// get returns the account with id (any case).
func (s *spilled[T]) get(id string) (T, bool, error) {
	var zero T
	data, ok, err := s.store.Get(strings.ToLower(id))
	if err != nil || !ok {
		return zero, false, err
	}
	v, err := s.decode(data)
	if err != nil {
		return zero, false, fmt.Errorf("account %s as the run kept it: %w", id, err)
	}
	return v, true, nil
}

// find is get for a row's target: an account not in the list read whole
// is not there (not found); a record that cannot be read fails the row
// before anything is sent. what names the kind of account.
func (s *spilled[T]) find(t manifest.Target, what string) (T, error) {
	v, ok, err := s.get(t.Value)
	switch {
	case err != nil:
		return v, failf(report.CodeJournal, "nothing was sent: %v", err)
	case !ok:
		return v, failf(report.CodeNotFound, "no %s with %s %q", what, t.Kind, t.Value)
	}
	return v, nil
}

func (s *spilled[T]) close() error {
	if s == nil {
		return nil
	}
	return s.store.Close()
}

// The records' encoding: strings and lists by length, then their bytes;
// flags in one byte; times as time.MarshalBinary writes them.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ss))+1) // 0: nil, 1: empty
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	data, err := t.MarshalBinary()
	if err != nil { // a time zone offset that is not whole minutes: kept in UTC
		data, _ = t.UTC().MarshalBinary()
	}
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

var errDamaged = errors.New("damaged record")

// recordReader reads what the append functions wrote; the first error
// sticks.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errDamaged
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = errDamaged
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *recordReader) string() string { return string(r.bytes()) }

func (r *recordReader) strings() []string {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	out := make([]string, 0, min(n-1, uint64(len(r.b))))
	for range n - 1 {
		out = append(out, r.string())
	}
	return out
}

func (r *recordReader) time() time.Time {
	var t time.Time
	if data := r.bytes(); r.err == nil {
		if err := t.UnmarshalBinary(data); err != nil {
			r.err = err
		}
	}
	return t
}

func (r *recordReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errDamaged
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

const (
	flagActive = 1 << iota
	flagBypass
	flagInvitation
)

func encodeUser(b []byte, u *User) []byte {
	for _, s := range []string{u.ID, u.UserName, u.Email, u.Name, u.Surname, u.DisplayName, u.Type, u.Category} {
		b = appendString(b, s)
	}
	var flags byte
	if u.IsActive {
		flags |= flagActive
	}
	if u.BypassBasicAuthRestriction {
		flags |= flagBypass
	}
	if u.InvitationAccepted {
		flags |= flagInvitation
	}
	b = append(b, flags)
	b = appendStrings(b, u.GroupIDs)
	return appendTime(b, u.LastModified)
}

func decodeUser(data []byte) (User, error) {
	r := recordReader{b: data}
	u := User{ID: r.string(), UserName: r.string(), Email: r.string(), Name: r.string(), Surname: r.string(), DisplayName: r.string(), Type: r.string(), Category: r.string()}
	flags := r.byte()
	u.IsActive, u.BypassBasicAuthRestriction, u.InvitationAccepted = flags&flagActive != 0, flags&flagBypass != 0, flags&flagInvitation != 0
	u.GroupIDs = r.strings()
	u.LastModified = r.time()
	return u, r.err
}

func encodeRobot(b []byte, rb *Robot) []byte {
	b = appendString(b, rb.ID)
	b = appendString(b, rb.Name)
	b = appendString(b, rb.DisplayName)
	b = appendStrings(b, rb.GroupIDs)
	return appendTime(b, rb.ReadAt)
}

func decodeRobot(data []byte) (Robot, error) {
	r := recordReader{b: data}
	rb := Robot{ID: r.string(), Name: r.string(), DisplayName: r.string(), GroupIDs: r.strings()}
	rb.ReadAt = r.time()
	return rb, r.err
}
