package client

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// UnknownEnumPrefix begins the value an enum field holds when the server
// sent an integer code this package does not know: code 9 is kept as
// UnknownEnumPrefix + "9". Such a value can be shown and counted; it is
// never an error.
const UnknownEnumPrefix = "code:"

// UnknownEnum reports whether s, the value of an enum field, stands for an
// integer code this package does not know, and returns that code as text
// ("9" for UnknownEnumPrefix + "9").
func UnknownEnum(s string) (code string, ok bool) {
	return strings.CutPrefix(s, UnknownEnumPrefix)
}

// enum lists an enum's names by integer code: the live services send some
// enums as integers where the published definitions declare names.
type enum []string

// Enums the client reads, in the published definitions' order (the code of
// a name is its position).
var (
	// userTypes is Identity's UserType.
	userTypes = enum{"user", "robot", "directoryUser", "directoryGroup", "robotAccount", "application"}
	// userCategories is Identity's user category (not in the definition).
	userCategories = enum{"local", "linkedLocal", "directory"}
	// groupTypes is Identity's GroupType.
	groupTypes = enum{"builtIn", "custom"}
	// orchestratorUserTypes is Orchestrator's UserDto.Type.
	orchestratorUserTypes = enum{"User", "Robot", "DirectoryUser", "DirectoryGroup", "DirectoryRobot", "DirectoryExternalApplication"}
	// credentialTypes is Orchestrator's UnattendedRobotDto.CredentialType.
	credentialTypes = enum{"Default", "SmartCard", "NCipher", "SafeNet", "NoCredential"}
)

// decode reads one enum value, never failing: null or nothing is "", a
// known name (in any letter case) its canonical spelling, another string
// itself, a known integer code its name, and anything else
// UnknownEnumPrefix and its JSON text. numeric tells whether the value came
// as a number.
func (e enum) decode(raw json.RawMessage) (name string, numeric bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if s, ok := plainString(raw); ok {
		return e.named(s), false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return e.named([]byte(s)), false
		}
	}
	numeric = raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')
	if n, err := strconv.Atoi(string(raw)); err == nil && n >= 0 && n < len(e) {
		return e[n], true
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		raw = compact.Bytes()
	}
	return UnknownEnumPrefix + string(raw), numeric
}

// named returns the canonical spelling of a known name (in any letter
// case), else s itself.
func (e enum) named(s []byte) string {
	for _, n := range e {
		if strings.EqualFold(n, string(s)) {
			return n
		}
	}
	return string(s)
}

// plainString returns the text of raw, a JSON string token, when it needs
// no unescaping (no backslash, only valid UTF-8): what encoding/json
// would decode it to, without it.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	text := raw[1 : len(raw)-1]
	for _, c := range text {
		if c == '\\' || c == '"' || c < ' ' || c >= utf8.RuneSelf {
			return nil, false // escapes, or maybe invalid UTF-8: the long way
		}
	}
	return text, true
}

// code returns the integer code of name, a known name or an unknown code
// kept by decode; false when name has none.
func (e enum) code(name string) (int, bool) {
	for i, n := range e {
		if n == name {
			return i, true
		}
	}
	if c, ok := UnknownEnum(name); ok {
		if n, err := strconv.Atoi(c); err == nil {
			return n, true
		}
	}
	return 0, false
}

// enumValue is an enum field as read: its name, and its JSON exactly as it
// came, so that it can be sent back in the same spelling.
type enumValue struct {
	name string
	raw  json.RawMessage
}

// read decodes raw with e.
func (e enum) read(raw json.RawMessage) enumValue {
	name, _ := e.decode(raw)
	if name == "" {
		return enumValue{}
	}
	return enumValue{name: name, raw: append(json.RawMessage(nil), bytes.TrimSpace(raw)...)}
}

// wire is the JSON to send for name, a value that was read as v: v's own
// JSON while name is unchanged; otherwise the integer code when v came as
// a number (or name is an unknown code), else the name.
func (e enum) wire(name string, v enumValue) json.RawMessage {
	if name == v.name && v.raw != nil {
		return v.raw
	}
	_, unknown := UnknownEnum(name)
	if _, wasNumber := e.decode(v.raw); wasNumber || unknown {
		if c, ok := e.code(name); ok {
			return json.RawMessage(strconv.Itoa(c))
		}
	}
	b, _ := json.Marshal(name)
	return b
}
