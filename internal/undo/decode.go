package undo

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/manifest"
)

// decodePayload decodes a payload as the journal records it, its ops and
// target kinds one string each in names. The payloads json.Marshal writes
// for most rows (no escapes in their strings, no execution settings) are
// read by their bytes; any other goes through encoding/json. Both read a
// payload the same way (FuzzDecodePayload).
func decodePayload(data []byte, p *payload, names interner) error {
	s := payloadScan{b: data, names: names}
	if s.payload(p) && s.i == len(s.b) {
		return nil
	}
	*p = payload{}
	return json.Unmarshal(data, p)
}

// payloadScan reads a payload written as json.Marshal writes it: no
// space, each field once and known, each string without escapes. Each
// method reports false, at any doubt, for the whole payload to be read
// by encoding/json instead.
type payloadScan struct {
	b     []byte
	i     int
	names interner
}

func (s *payloadScan) payload(p *payload) bool {
	var seen uint
	return s.object(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "src":
			p.Source, ok = s.string()
		case "rows":
			p.Rows = []entry{}
			ok = s.list(func() bool {
				p.Rows = append(p.Rows, entry{})
				return s.entry(&p.Rows[len(p.Rows)-1])
			})
		case "notes":
			p.Notes, ok = s.strings()
		}
		return ok && once(&seen, key, "src", "rows", "notes")
	})
}

// entry reads an undo row. One with execution settings (any JSON value,
// kept as it is) is left to encoding/json.
func (s *payloadScan) entry(e *entry) bool {
	var seen uint
	return s.object(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "op":
			var v []byte
			v, ok = s.raw()
			e.Op = manifest.Op(s.names.string(v))
		case "t":
			var v []byte
			v, ok = s.raw()
			e.T = manifest.TargetKind(s.names.string(v))
		case "v":
			e.V, ok = s.string()
		case "folder":
			e.Folder, ok = s.string()
		case "username":
			e.UserName, ok = s.stringPtr()
		case "name":
			e.Name, ok = s.stringPtr()
		case "surname":
			e.Surname, ok = s.stringPtr()
		case "display_name":
			e.DisplayName, ok = s.stringPtr()
		case "robot_username":
			e.RobotUser, ok = s.stringPtr()
		case "credential_type":
			e.CredentialType, ok = s.stringPtr()
		case "is_active":
			e.IsActive, ok = s.boolPtr()
		case "bypass":
			e.Bypass, ok = s.boolPtr()
		case "invitation_accepted":
			e.Invitation, ok = s.boolPtr()
		case "limit_concurrent_execution":
			e.Limit, ok = s.boolPtr()
		case "groups":
			e.Groups, ok = s.strings()
		case "add":
			e.Add, ok = s.strings()
		case "remove":
			e.Remove, ok = s.strings()
		case "roles":
			e.Roles, ok = s.strings()
		case "roles_remove":
			e.RolesRemove, ok = s.strings()
		}
		return ok && once(&seen, key, "op", "t", "v", "folder", "username", "name", "surname", "display_name",
			"robot_username", "credential_type", "is_active", "bypass", "invitation_accepted", "limit_concurrent_execution",
			"groups", "add", "remove", "roles", "roles_remove")
	})
}

// once reports whether key, one of keys, is met for the first time,
// marking it in seen: a key twice is left to encoding/json.
func once(seen *uint, key []byte, keys ...string) bool {
	for i, k := range keys {
		if string(key) == k {
			bit := uint(1) << i
			if *seen&bit != 0 {
				return false
			}
			*seen |= bit
			return true
		}
	}
	return false
}

// object reads {"key":value,…}, calling field with each key when the
// scan is at its value.
func (s *payloadScan) object(field func(key []byte) bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		key, ok := s.raw()
		if !ok || !s.byte(':') || !field(key) {
			return false
		}
		if s.byte('}') {
			return true
		}
		if !s.byte(',') {
			return false
		}
	}
}

// list reads [value,…], calling item at each value.
func (s *payloadScan) list(item func() bool) bool {
	if !s.byte('[') {
		return false
	}
	if s.byte(']') {
		return true
	}
	for {
		if !item() {
			return false
		}
		if s.byte(']') {
			return true
		}
		if !s.byte(',') {
			return false
		}
	}
}

func (s *payloadScan) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// raw reads a string without escapes or control characters, in UTF-8,
// which encoding/json reads as its very bytes.
func (s *payloadScan) raw() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return v, ascii || utf8.Valid(v)
		case c < 0x20 || c == '\\':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (s *payloadScan) string() (string, bool) {
	v, ok := s.raw()
	return string(v), ok
}

func (s *payloadScan) stringPtr() (*string, bool) {
	v, ok := s.string()
	return &v, ok
}

// strings reads a list of strings ([] is an empty list, not nil).
func (s *payloadScan) strings() ([]string, bool) {
	out := []string{}
	ok := s.list(func() bool {
		v, ok := s.string()
		out = append(out, v)
		return ok
	})
	return out, ok
}

func (s *payloadScan) boolPtr() (*bool, bool) {
	switch rest := s.b[s.i:]; {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return ptr(true), true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return ptr(false), true
	}
	return nil, false
}

// interner holds one string for each of a few values read again and
// again (ops, target kinds), so that reading them does not allocate.
type interner map[string]string

// string is v as a string, the one held where there is one.
func (n interner) string(v []byte) string {
	if s, ok := n[string(v)]; ok {
		return s
	}
	s := string(v)
	if n != nil && len(n) < 64 {
		n[s] = s
	}
	return s
}
