package undo

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/uipath-batch/batch/internal/manifest"
)

// The spool holds the undo rows and notes of the rows Write chose,
// decoded from the journal once, until the header they need is known: a
// temporary file in a compact form of its own, read back without JSON.
//
// A record is the journal line of the payload's intent, its notes, and
// its rows. Numbers are unsigned varints; a string is its length, then
// its bytes; a list is its length, then its strings. A row is a bit set
// of the fields it holds (see the field bits), its op, target kind,
// target value and folder, then each field it holds, in the order of
// the bits. A *bool is two bits (set, value) and no bytes.

// The bits of the fields an entry holds: a pointer or a list that is not
// nil, the value of a *bool that is.
const (
	hasUserName = 1 << iota
	hasName
	hasSurname
	hasDisplayName
	hasIsActive
	isActiveTrue
	hasBypass
	bypassTrue
	hasInvitation
	invitationTrue
	hasGroups
	hasAdd
	hasRemove
	hasRoles
	hasRolesRemove
	hasRobotUser
	hasCredentialType
	hasExecutionSettings
	hasLimit
	limitTrue
)

// spooled is one record of the spool: a chosen payload's rows and notes,
// and the journal line of its intent.
type spooled struct {
	line  int
	notes []string
	rows  []entry
}

// spoolWriter appends records to a spool.
type spoolWriter struct {
	w   *bufio.Writer
	buf []byte
}

func newSpoolWriter(w io.Writer) *spoolWriter {
	return &spoolWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// add appends the rows and notes of p, the payload of the intent on the
// journal's line.
func (s *spoolWriter) add(line int, p *payload) error {
	b := binary.AppendUvarint(s.buf[:0], uint64(line))
	b = appendList(b, p.Notes)
	b = binary.AppendUvarint(b, uint64(len(p.Rows)))
	for i := range p.Rows {
		b = appendEntry(b, &p.Rows[i])
	}
	s.buf = b
	_, err := s.w.Write(b)
	return err
}

// flush writes what add buffered through to the file.
func (s *spoolWriter) flush() error { return s.w.Flush() }

func appendEntry(b []byte, e *entry) []byte {
	var bits uint64
	str := func(bit uint64, v *string) {
		if v != nil {
			bits |= bit
		}
	}
	flag := func(bit, trueBit uint64, v *bool) {
		if v != nil {
			bits |= bit
			if *v {
				bits |= trueBit
			}
		}
	}
	list := func(bit uint64, v []string) {
		if v != nil {
			bits |= bit
		}
	}
	str(hasUserName, e.UserName)
	str(hasName, e.Name)
	str(hasSurname, e.Surname)
	str(hasDisplayName, e.DisplayName)
	flag(hasIsActive, isActiveTrue, e.IsActive)
	flag(hasBypass, bypassTrue, e.Bypass)
	flag(hasInvitation, invitationTrue, e.Invitation)
	list(hasGroups, e.Groups)
	list(hasAdd, e.Add)
	list(hasRemove, e.Remove)
	list(hasRoles, e.Roles)
	list(hasRolesRemove, e.RolesRemove)
	str(hasRobotUser, e.RobotUser)
	str(hasCredentialType, e.CredentialType)
	if e.ExecutionSettings != nil {
		bits |= hasExecutionSettings
	}
	flag(hasLimit, limitTrue, e.Limit)

	b = binary.AppendUvarint(b, bits)
	b = appendString(b, string(e.Op))
	b = appendString(b, string(e.T))
	b = appendString(b, e.V)
	b = appendString(b, e.Folder)
	for _, v := range []*string{e.UserName, e.Name, e.Surname, e.DisplayName} {
		if v != nil {
			b = appendString(b, *v)
		}
	}
	for _, v := range [][]string{e.Groups, e.Add, e.Remove, e.Roles, e.RolesRemove} {
		if v != nil {
			b = appendList(b, v)
		}
	}
	for _, v := range []*string{e.RobotUser, e.CredentialType} {
		if v != nil {
			b = appendString(b, *v)
		}
	}
	if e.ExecutionSettings != nil {
		b = appendString(b, string(e.ExecutionSettings))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

// spoolReader reads a spool's records back, in the order they were
// added.
type spoolReader struct {
	r *bufio.Reader
	// left is what is left of the spool to read: no length read from it
	// claims more (a damaged spool is an error, not a huge allocation).
	left int64
	// names holds the ops and target kinds read, one string each.
	names interner
}

// newSpoolReader reads the size bytes of a spool from r.
func newSpoolReader(r io.Reader, size int64) *spoolReader {
	return &spoolReader{r: bufio.NewReaderSize(r, 64<<10), left: size, names: interner{}}
}

// errSpoolDamaged is a spool that does not read as one that was written.
var errSpoolDamaged = errors.New("undo spool damaged")

// next reads the next record into rec, reusing its lists; it returns
// io.EOF after the last.
func (s *spoolReader) next(rec *spooled) error {
	if s.left == 0 {
		return io.EOF
	}
	line, err := s.uvarint()
	if err != nil {
		return err
	}
	rec.line = int(line)
	if rec.notes, err = s.list(rec.notes[:0]); err != nil {
		return err
	}
	n, err := s.count()
	if err != nil {
		return err
	}
	rec.rows = rec.rows[:0]
	for range n {
		var e entry
		if err := s.entry(&e); err != nil {
			return err
		}
		rec.rows = append(rec.rows, e)
	}
	return nil
}

func (s *spoolReader) entry(e *entry) error {
	bits, err := s.uvarint()
	if err != nil {
		return err
	}
	op, err := s.name()
	if err != nil {
		return err
	}
	kind, err := s.name()
	if err != nil {
		return err
	}
	e.Op, e.T = manifest.Op(op), manifest.TargetKind(kind)
	for _, dst := range []*string{&e.V, &e.Folder} {
		if *dst, err = s.string(); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		bit uint64
		dst **string
	}{{hasUserName, &e.UserName}, {hasName, &e.Name}, {hasSurname, &e.Surname}, {hasDisplayName, &e.DisplayName}} {
		if bits&f.bit != 0 {
			if *f.dst, err = s.stringPtr(); err != nil {
				return err
			}
		}
	}
	e.IsActive = flagOf(bits, hasIsActive, isActiveTrue)
	e.Bypass = flagOf(bits, hasBypass, bypassTrue)
	e.Invitation = flagOf(bits, hasInvitation, invitationTrue)
	for _, f := range []struct {
		bit uint64
		dst *[]string
	}{{hasGroups, &e.Groups}, {hasAdd, &e.Add}, {hasRemove, &e.Remove}, {hasRoles, &e.Roles}, {hasRolesRemove, &e.RolesRemove}} {
		if bits&f.bit != 0 {
			if *f.dst, err = s.list([]string{}); err != nil {
				return err
			}
		}
	}
	for _, f := range []struct {
		bit uint64
		dst **string
	}{{hasRobotUser, &e.RobotUser}, {hasCredentialType, &e.CredentialType}} {
		if bits&f.bit != 0 {
			if *f.dst, err = s.stringPtr(); err != nil {
				return err
			}
		}
	}
	if bits&hasExecutionSettings != 0 {
		v, err := s.string()
		if err != nil {
			return err
		}
		e.ExecutionSettings = json.RawMessage(v)
	}
	e.Limit = flagOf(bits, hasLimit, limitTrue)
	return nil
}

// flagOf is the *bool that bits hold at bit (set) and trueBit (value).
func flagOf(bits, bit, trueBit uint64) *bool {
	if bits&bit == 0 {
		return nil
	}
	return ptr(bits&trueBit != 0)
}

// name reads an op or a target kind, one string for all its records.
func (s *spoolReader) name() (string, error) {
	b, err := s.bytes()
	return s.names.string(b), err
}

func (s *spoolReader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(s)
	if err != nil {
		return 0, s.damaged(err)
	}
	return v, nil
}

// count reads a number of things that each take a byte or more.
func (s *spoolReader) count() (int, error) {
	n, err := s.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(s.left) {
		return 0, errSpoolDamaged
	}
	return int(n), nil
}

func (s *spoolReader) string() (string, error) {
	b, err := s.bytes()
	return string(b), err
}

// bytes reads a string's bytes, valid until the next read.
func (s *spoolReader) bytes() ([]byte, error) {
	n, err := s.count()
	if err != nil || n == 0 {
		return nil, err
	}
	s.left -= int64(n)
	if n > s.r.Size() {
		long := make([]byte, n)
		if _, err := io.ReadFull(s.r, long); err != nil {
			return nil, s.damaged(err)
		}
		return long, nil
	}
	b, err := s.r.Peek(n)
	if err != nil {
		return nil, s.damaged(err)
	}
	_, err = s.r.Discard(n)
	return b, err
}

func (s *spoolReader) stringPtr() (*string, error) {
	v, err := s.string()
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// list reads a list of strings, appended to into (nil for none read when
// into is nil).
func (s *spoolReader) list(into []string) ([]string, error) {
	n, err := s.count()
	if err != nil {
		return nil, err
	}
	for range n {
		v, err := s.string()
		if err != nil {
			return nil, err
		}
		into = append(into, v)
	}
	return into, nil
}

// ReadByte reads one byte of the spool (for binary.ReadUvarint).
func (s *spoolReader) ReadByte() (byte, error) {
	if s.left == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	c, err := s.r.ReadByte()
	if err == nil {
		s.left--
	}
	return c, err
}

func (s *spoolReader) damaged(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: it ends mid-record", errSpoolDamaged)
	}
	return fmt.Errorf("read undo spool: %w", err)
}
