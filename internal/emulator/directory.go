package emulator

import (
	"slices"
	"strings"
	"time"
)

// Orchestrator user types that stand for an Identity entity (UserDto.Type).
const (
	TypeDirectoryUser  = "DirectoryUser"
	TypeDirectoryRobot = "DirectoryRobot"
	TypeDirectoryGroup = "DirectoryGroup"
)

// directoryEntity is an Identity user, robot account or local group, as
// Orchestrator refers to it: typ is its Orchestrator user type.
type directoryEntity struct {
	id, typ, name, fullName, email string
	givenName, surname             string
	active                         bool
}

// findDirectoryEntity finds the Identity entity of Orchestrator type typ
// by its id (identifier, when given) or else by name: a user by userName
// or email, a robot account or a group by name (case-insensitively). The
// caller holds the store's lock.
func (st *store) findDirectoryEntity(typ, identifier, name string) (directoryEntity, bool) {
	id, key := strings.ToLower(identifier), strings.ToLower(name)
	switch typ {
	case TypeDirectoryUser:
		if id == "" {
			if id = st.userByName[key]; id == "" {
				id = st.userByEmail[key]
			}
		}
		if u := st.users[id]; u != nil {
			full := u.DisplayName
			if full == "" {
				full = strings.TrimSpace(u.Name + " " + u.Surname)
			}
			return directoryEntity{id: u.ID, typ: typ, name: u.UserName, fullName: full, email: u.Email,
				givenName: u.Name, surname: u.Surname, active: u.IsActive}, true
		}
	case TypeDirectoryRobot:
		if id == "" {
			id = st.robotByName[key]
		}
		if r := st.robots[id]; r != nil {
			return directoryEntity{id: r.ID, typ: typ, name: r.Name, fullName: r.DisplayName, active: true}, true
		}
	case TypeDirectoryGroup:
		var g Group
		found := false
		if id != "" {
			if i := st.groupIndex(id); i >= 0 {
				g, found = st.groups[i], true
			}
		} else {
			g, found = st.groupNamed(name)
		}
		if found {
			return directoryEntity{id: g.ID, typ: typ, name: g.Name, fullName: g.Name, active: true}, true
		}
	}
	return directoryEntity{}, false
}

// sameKind reports whether an Orchestrator user of type typ may stand for
// an entity of the directory type dir: a robot user for a robot account
// (the generated organization's robots are of type Robot), a local user
// for a directory user.
func sameKind(typ, dir string) bool {
	switch dir {
	case TypeDirectoryUser:
		return typ == TypeDirectoryUser || typ == "User"
	case TypeDirectoryRobot:
		return typ == TypeDirectoryRobot || typ == "Robot"
	}
	return typ == dir
}

// orchestratorUserOf returns the Orchestrator user that stands for e: the
// one whose DirectoryIdentifier is e's id, or else one of its kind with its
// name and no DirectoryIdentifier (unlinked tells which; provision links
// it); nil when Orchestrator has none yet. The caller holds the store's
// lock.
func (st *store) orchestratorUserOf(e directoryEntity) (o *OrchestratorUser, unlinked bool) {
	var byName *OrchestratorUser
	for _, key := range st.orchOrder {
		o := st.orch[key]
		if strings.EqualFold(o.DirectoryIdentifier, e.id) {
			return o, false
		}
		if byName == nil && o.DirectoryIdentifier == "" && sameKind(o.Type, e.typ) && strings.EqualFold(o.UserName, e.name) {
			byName = o
		}
	}
	return byName, byName != nil
}

// provision returns the Orchestrator user of e, making one (with key, a
// GUID, created at now) when Orchestrator has none yet: what giving a
// directory entity access does. The caller holds the store's write lock.
func (st *store) provision(e directoryEntity, key string, now time.Time) *OrchestratorUser {
	if o, unlinked := st.orchestratorUserOf(e); o != nil {
		if unlinked {
			o.DirectoryIdentifier = e.id
		}
		return o
	}
	o := &OrchestratorUser{
		ID: max(st.lastOrch, st.orchBase) + 1, Key: key, DirectoryIdentifier: e.id, UserName: e.name,
		Name: e.givenName, Surname: e.surname, FullName: e.fullName, EmailAddress: e.email,
		IsActive: e.active, Type: e.typ, RolesList: []string{}, CreationTime: now, LastModificationTime: now,
	}
	st.addOrchestratorUser(o, "")
	return o
}

// groupsOf returns the Orchestrator users of the groups the Identity
// user or robot account id belongs to (those Orchestrator knows). The
// caller holds the store's lock.
func (st *store) groupsOf(id string) []*OrchestratorUser {
	groups, _ := st.memberGroups(strings.ToLower(id))
	if groups == nil {
		return nil
	}
	var out []*OrchestratorUser
	for _, key := range st.orchOrder {
		o := st.orch[key]
		if o.Type != TypeDirectoryGroup || o.DirectoryIdentifier == "" {
			continue
		}
		for _, g := range *groups {
			if strings.EqualFold(g, o.DirectoryIdentifier) {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// dropDirectoryUsers removes the Orchestrator users Orchestrator made for
// the Identity entities gone (their ids, lower case), with their folder
// access, as Orchestrator drops a directory account deleted in Identity.
// Users of other types (a generated robot's, of type Robot) stay. The
// caller holds the store's write lock.
func (st *store) dropDirectoryUsers(gone map[string]bool) {
	drop := map[int64]bool{}
	for _, key := range st.orchOrder {
		o := st.orch[key]
		switch o.Type {
		case TypeDirectoryUser, TypeDirectoryRobot, TypeDirectoryGroup:
			if gone[strings.ToLower(o.DirectoryIdentifier)] {
				drop[key] = true
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	for key := range drop {
		delete(st.orch, key)
		delete(st.orchPass, key)
		for _, users := range st.access {
			delete(users, key)
		}
	}
	st.orchOrder = slices.DeleteFunc(st.orchOrder, func(key int64) bool { return drop[key] })
}
