package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Where the live service departs from the published definitions (the
// default; Config.SpecShapes answers the definitions' shapes instead).
// Evidence: UiPath's TypeScript SDK and PowerShell module, summed up in
// UIPATH_API.md.

// userTypes are the user types in the order of their integer codes.
var userTypes = []string{"user", "robot", "directoryUser", "directoryGroup", "robotAccount", "application"}

// Categories of a user, as the live service's integer codes.
const (
	categoryLocal       = 0
	categoryLinkedLocal = 1 // never set here: the emulator links no directory
	categoryDirectory   = 2
)

// userTypeValue is a user's type as an answer carries it: the name in
// spec shapes, the integer code in live ones.
func (s *Server) userTypeValue(typ string) any {
	if s.cfg.SpecShapes {
		return typ
	}
	return slices.Index(userTypes, typ)
}

// userCategory is the live service's category of a user: directory for
// directory users and groups, local for every other.
func (s *Server) userCategory(typ string) *int {
	if s.cfg.SpecShapes {
		return nil
	}
	c := categoryLocal
	if typ == "directoryUser" || typ == "directoryGroup" {
		c = categoryDirectory
	}
	return &c
}

// userGroupIDs is a user's groups as an answer carries them: a user in
// no groups answers null live, [] in spec shapes.
func (s *Server) userGroupIDs(groups []string) []string {
	if len(groups) == 0 {
		if s.cfg.SpecShapes {
			return []string{}
		}
		return nil
	}
	return slices.Clone(groups)
}

// groupTypeValue is a group's type: builtIn or custom in spec shapes, 0
// or 1 live.
func (s *Server) groupTypeValue(builtIn bool) any {
	switch {
	case s.cfg.SpecShapes && builtIn:
		return "builtIn"
	case s.cfg.SpecShapes:
		return "custom"
	case builtIn:
		return 0
	}
	return 1
}

// groupMembers is a group's members as an answer carries them: null in
// spec shapes, always empty live (membership is read from the accounts'
// groupIDs).
func (s *Server) groupMembers() []any {
	if s.cfg.SpecShapes {
		return nil
	}
	return []any{}
}

// answerDeleted answers a delete that succeeded: 200 without a body live
// (UiPath's pages), 204 in spec shapes (the definitions).
func (s *Server) answerDeleted(c *call) {
	if s.cfg.SpecShapes {
		c.empty(http.StatusNoContent)
		return
	}
	c.empty(http.StatusOK)
}

// userTypeField is the type a create gives a user: its name ("robot",
// any case) or its integer code (1), since the live service answers the
// code and clients send back what they read.
type userTypeField struct {
	name string // the canonical name; "" when raw names no type
	raw  string // as given, for the refusal
}

// UnmarshalJSON reads a string or an integer; any other JSON value is a
// type error on the field.
func (f *userTypeField) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		f.raw = name
		if i := slices.IndexFunc(userTypes, func(t string) bool { return strings.EqualFold(t, name) }); i >= 0 {
			f.name = userTypes[i]
		}
		return nil
	}
	var code int
	if err := json.Unmarshal(b, &code); err == nil {
		f.raw = strconv.Itoa(code)
		if code >= 0 && code < len(userTypes) {
			f.name = userTypes[code]
		}
		return nil
	}
	return &json.UnmarshalTypeError{Value: "value " + string(b), Type: reflect.TypeFor[string]()}
}
