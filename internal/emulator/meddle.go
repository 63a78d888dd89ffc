package emulator

import (
	"fmt"
	"strconv"
	"sync/atomic"
)

// The second administrator: with Config.MeddleAfter N, somebody else
// changes the organization once, while the N-th API request is handled,
// as another administrator working in the portal would. The N-th request
// is answered from the state before; the change is made after its
// handler ran and before the server finishes the answer (net/http ends
// an answer when the handler returns), so every request sent after the
// N-th's answer arrived sees it. Requests in flight beside it may see
// either state, never half of it: the change is made under the store's
// lock, at once.
//
// What changes, moving lastModificationTime where the entity has one:
//   - every Orchestrator user's UnattendedRobot: ExecutionSettings gains
//     LoggingLevel=Verbose and MeddledBy=other-admin, and
//     LimitConcurrentExecution flips;
//   - every local group's name gains " (renamed)";
//   - every robot account's displayName gains " (edited)" ("Edited" when
//     it has none);
//   - every Identity user's name gains " (edited)" ("Edited" when empty).
//
// Each change writes its audit record (audit.go) as SecondAdministrator,
// a person: Users/Update in Orchestrator's log for each user; Group,
// RobotAccount and User Update in Identity's.

// Meddle is one change the second administrator made.
type Meddle struct {
	// Kind is what was changed: "orchestratorUser", "group",
	// "robotAccount" or "user".
	Kind string `json:"kind"`
	// ID is the entity's id: a GUID, or an Orchestrator user's OData key
	// in decimal.
	ID string `json:"id"`
	// Field is the property set, as the API names it
	// ("UnattendedRobot.ExecutionSettings.LoggingLevel", "name").
	Field string `json:"field"`
	// Value is the value set: a string, or a bool for
	// LimitConcurrentExecution.
	Value any `json:"value"`
}

// meddler counts API requests and makes the second administrator's
// change once, at the configured one.
type meddler struct {
	after    int64 // 0: never
	requests atomic.Int64
	done     []Meddle // guarded by the store's lock
}

// Values the second administrator sets.
const (
	meddledLoggingLevel = "Verbose"
	meddledBy           = "other-admin"
	renamedSuffix       = " (renamed)"
	editedSuffix        = " (edited)"
)

// countRequest counts one API request and reports whether it is the one
// after whose handling the second administrator meddles.
func (m *meddler) countRequest() bool {
	return m.after > 0 && m.requests.Add(1) == m.after
}

// meddle makes the second administrator's change, keeps what it set and
// says so in one line on the log.
func (s *Server) meddle() {
	st := s.state
	st.mu.Lock()
	changes := st.meddle()
	s.meddler.done = changes
	st.mu.Unlock()
	if s.cfg.Log == nil {
		return
	}
	counts := map[string]int{}
	for _, m := range changes {
		counts[m.Kind]++
	}
	fmt.Fprintf(s.cfg.Log, "emulator: after API request %d a second administrator changed %d unattended robots' settings, %d local group names, %d robot account display names and %d user names\n",
		s.meddler.after, counts["orchestratorUser"]/3, counts["group"], counts["robotAccount"], counts["user"])
}

// meddle changes every entity as the package documentation says, records
// what it set and writes the audit records. The caller holds the store's
// write lock.
func (st *store) meddle() []Meddle {
	a := secondAdministrator
	var out []Meddle
	note := func(kind, id, field string, v any) { out = append(out, Meddle{kind, id, field, v}) }
	for _, key := range st.orchOrder {
		o := st.orch[key]
		ur := o.UnattendedRobot
		if ur == nil {
			continue
		}
		before := auditedUser(o)
		if ur.ExecutionSettings == nil {
			ur.ExecutionSettings = map[string]any{}
		}
		ur.ExecutionSettings["LoggingLevel"] = meddledLoggingLevel
		ur.ExecutionSettings["MeddledBy"] = meddledBy
		ur.LimitConcurrentExecution = !ur.LimitConcurrentExecution
		o.LastModificationTime = nextModification(o.LastModificationTime)
		id := strconv.FormatInt(key, 10)
		note("orchestratorUser", id, "UnattendedRobot.ExecutionSettings.LoggingLevel", meddledLoggingLevel)
		note("orchestratorUser", id, "UnattendedRobot.ExecutionSettings.MeddledBy", meddledBy)
		note("orchestratorUser", id, "UnattendedRobot.LimitConcurrentExecution", ur.LimitConcurrentExecution)
		st.auditUser(a, AuditUpdate, "Patch", o, "", map[string]any{"key": key, "properties": []string{
			"UnattendedRobot", "UnattendedRobot.ExecutionSettings", "UnattendedRobot.LimitConcurrentExecution"}},
			before, auditedUser(o))
	}
	for i := range st.groups {
		g := &st.groups[i]
		if builtInGroups[g.ID] {
			continue
		}
		g.Name += renamedSuffix
		t := st.groupTimes[g.ID]
		t.modified = nextModification(t.modified)
		note("group", g.ID, "name", g.Name)
		st.auditGroupEvent(a, AuditUpdate, *g, []string{"name"}, nil, nil)
	}
	for _, id := range st.robotOrder {
		r := st.robots[id]
		r.DisplayName = edited(r.DisplayName)
		r.LastModificationTime = nextModification(r.LastModificationTime)
		note("robotAccount", id, "displayName", r.DisplayName)
		st.auditRobotEvent(a, AuditUpdate, r, []string{"displayName"})
	}
	for _, id := range st.userOrder {
		u := st.users[id]
		u.Name = edited(u.Name)
		u.LastModificationTime = nextModification(u.LastModificationTime)
		note("user", id, "name", u.Name)
		st.auditUserEvent(a, AuditUpdate, &u.User, []string{"name"})
	}
	return out
}

// edited is a name as the second administrator leaves it.
func edited(name string) string {
	if name == "" {
		return "Edited"
	}
	return name + editedSuffix
}

// Meddled returns what the second administrator changed, in the order it
// changed it; nil until it has (or when Config.MeddleAfter is zero). It
// holds no secrets: no password is changed.
func (s *Server) Meddled() []Meddle {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return append([]Meddle(nil), s.meddler.done...)
}
