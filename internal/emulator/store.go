package emulator

import (
	"encoding/json"
	"sync"
	"time"
)

// store is the organization's state. One RWMutex guards it all: critical
// sections are a map lookup and a few field writes, far shorter than the
// HTTP work around them.
type store struct {
	mu sync.RWMutex

	groups     []Group
	groupByID  map[string]bool
	users      map[string]*user
	userOrder  []string
	robots     map[string]*RobotAccount
	robotOrder []string
	orch       map[int64]*OrchestratorUser
	orchPass   map[int64]string
	orchOrder  []int64
}

func newStore() *store {
	s := &store{
		groupByID: map[string]bool{},
		users:     map[string]*user{},
		robots:    map[string]*RobotAccount{},
		orch:      map[int64]*OrchestratorUser{},
		orchPass:  map[int64]string{},
	}
	for _, g := range fixedGroups() {
		s.groups = append(s.groups, g)
		s.groupByID[g.ID] = true
	}
	return s
}

// nextModification returns a modification time strictly after prev, so that
// clients can tell whether a change they are unsure about happened.
func nextModification(prev time.Time) time.Time {
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !now.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return now
}

// wireTime is the .NET round-trip format the services answer with.
const wireTime = "2006-01-02T15:04:05.0000000Z"

func formatWireTime(t time.Time) string { return t.UTC().Format(wireTime) }

// nullable is a value the definitions mark nullable: empty answers null.
type nullable string

// MarshalJSON writes null for the empty value.
func (n nullable) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(n))
}

// nullableTime is t in the wire format, or null for the zero time.
func nullableTime(t time.Time) nullable {
	if t.IsZero() {
		return ""
	}
	return nullable(formatWireTime(t))
}
