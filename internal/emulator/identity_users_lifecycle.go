package emulator

import (
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// createUserBase is CreateUserCommandBase: one user of a create.
type createUserBase struct {
	ID                         *string        `json:"id"`
	UserName                   *string        `json:"userName"`
	Email                      *string        `json:"email"`
	Name                       *string        `json:"name"`
	Surname                    *string        `json:"surname"`
	DisplayName                *string        `json:"displayName"`
	Type                       *userTypeField `json:"type"`
	BypassBasicAuthRestriction bool           `json:"bypassBasicAuthRestriction"`
	LegacyID                   *int64         `json:"legacyId"`
	InvitationAccepted         bool           `json:"invitationAccepted"`
}

// createUserCommand is CreateUserCommand.
type createUserCommand struct {
	createUserBase
	PartitionGlobalID *string  `json:"partitionGlobalId"`
	Password          *string  `json:"password"`
	ValidatePassword  bool     `json:"validatePassword"`
	GroupIDs          []string `json:"groupIDs"`
	UserLogins        []any    `json:"userLogins"`
}

// createUsersCommand is CreateUsersCommand: many users, one partition and
// one list of groups for all of them.
type createUsersCommand struct {
	Users             []createUserBase `json:"users"`
	PartitionGlobalID *string          `json:"partitionGlobalId"`
	GroupIDs          []string         `json:"groupIDs"`
}

// bulkSoftDeleteCommand is BulkSoftDeleteCommand.
type bulkSoftDeleteCommand struct {
	PartitionGlobalID *string  `json:"partitionGlobalId"`
	UserIDs           []string `json:"userIds"`
}

// checkNewUser checks what a create says of one user before the store is
// read: the id's and type's form (a type by name or by integer code).
// field prefixes the problem's field ("users[3]." in a bulk create). It
// answers when it refuses.
func checkNewUser(c *call, field string, u *createUserBase) bool {
	if u.ID != nil && *u.ID != "" && !isGUID(*u.ID) {
		c.validationProblem(field+"id", fmt.Sprintf("Error converting value %q to type 'System.Guid'. Path '%sid'.", *u.ID, field))
		return false
	}
	if u.Type != nil && u.Type.name == "" {
		c.validationProblem(field+"type", fmt.Sprintf("Error converting value %q to type 'UserType'. Path '%stype'.", u.Type.raw, field))
		return false
	}
	return true
}

// userKeys are the userName and email a new user takes: a missing userName
// is the email, as for a user invited by address.
func userKeys(u *createUserBase) (userName, email string) {
	email = strings.TrimSpace(deref(u.Email))
	userName = strings.TrimSpace(deref(u.UserName))
	if userName == "" {
		userName = email
	}
	return userName, email
}

// newUserErrors are the IdentityResult errors of a new user, as ASP.NET
// Identity's user validator reports them (every one, not the first):
// taken holds the lower-case userNames and emails of the same request.
// The caller holds the store's lock.
func (st *store) newUserErrors(userName, email string, taken map[string]bool) []identityError {
	var errs []identityError
	name, addr := strings.ToLower(userName), strings.ToLower(email)
	switch {
	case userName == "" || strings.ContainsAny(userName, " \t\r\n"):
		errs = append(errs, identityError{"InvalidUserName", fmt.Sprintf("Username '%s' is invalid, can only contain letters or digits.", userName)})
	case st.userByName[name] != "" || taken["u:"+name]:
		errs = append(errs, identityError{"DuplicateUserName", fmt.Sprintf("Username '%s' is already taken.", userName)})
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			errs = append(errs, identityError{"InvalidEmail", fmt.Sprintf("Email '%s' is invalid.", email)})
		} else if st.userByEmail[addr] != "" || taken["e:"+addr] {
			errs = append(errs, identityError{"DuplicateEmail", fmt.Sprintf("Email '%s' is already taken.", email)})
		}
	}
	taken["u:"+name], taken["e:"+addr] = true, email != ""
	return errs
}

// idTaken reports whether a live or deleted user holds id. The caller
// holds the store's lock.
func (st *store) idTaken(id string) bool {
	if st.users[id] != nil {
		return true
	}
	return slices.ContainsFunc(st.deletedUsers, func(d DeletedUser) bool { return d.ID == id })
}

// newUser stores a new user created at now, in the Everyone group and
// groups, and returns it. The caller holds the store's lock and has
// checked the command.
func (st *store) newUser(u *createUserBase, password string, groups []string, now time.Time) *user {
	userName, email := userKeys(u)
	id := strings.ToLower(deref(u.ID))
	if id == "" {
		id = newGUID()
	}
	legacy := st.lastLegacy + 1
	if u.LegacyID != nil {
		legacy = *u.LegacyID
	}
	typ := "user"
	if u.Type != nil {
		typ = u.Type.name
	}
	nu := &user{User: User{
		ID: id, UserName: userName, Email: email,
		Name: deref(u.Name), Surname: deref(u.Surname), DisplayName: deref(u.DisplayName),
		IsActive: true, BypassBasicAuthRestriction: u.BypassBasicAuthRestriction,
		InvitationAccepted: u.InvitationAccepted, Type: typ,
		GroupIDs: changeGroups([]string{GroupEveryone}, groups, nil), LegacyID: legacy,
		CreationTime: now, // never modified: lastModificationTime is null
	}, password: password}
	st.addUser(nu)
	return nu
}

// createUser serves POST /api/User: a user with a unique userName and
// email (DuplicateUserName / DuplicateEmail otherwise), in Everyone and
// groupIDs. It answers an IdentityResult; the new user's id is the one
// the command gave, or read back by email.
func (s *Server) createUser(c *call) {
	var cmd createUserCommand
	if !decodeIdentityBody(c, &cmd) || !checkNewUser(c, "", &cmd.createUserBase) ||
		!checkGUIDs(c, "groupIDs", cmd.GroupIDs) || !s.bodyPartition(c, cmd.PartitionGlobalID) {
		return
	}
	password := deref(cmd.Password)
	var policy []identityError
	if password != "" {
		policy = passwordPolicy(password)
	}
	userName, email := userKeys(&cmd.createUserBase)
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if id := strings.ToLower(deref(cmd.ID)); id != "" && st.idTaken(id) {
		c.validationProblem("id", fmt.Sprintf("A user with id '%s' already exists.", id))
		return
	}
	if g, ok := st.missingGroup(cmd.GroupIDs); !ok {
		c.validationProblem("groupIDs", "Group '"+g+"' does not exist in this organization.")
		return
	}
	if errs := append(st.newUserErrors(userName, email, map[string]bool{}), policy...); len(errs) > 0 {
		c.identityFailure(errs)
		return
	}
	nu := st.newUser(&cmd.createUserBase, password, cmd.GroupIDs, nextModification(time.Time{}))
	st.auditUserEvent(s.actorOf(c), AuditCreate, &nu.User, nil)
	c.json(http.StatusOK, identitySucceeded)
}

// bulkCreateUsers serves POST /api/User/BulkCreate: every user of the
// command, or none (an IdentityResult with every user's errors).
func (s *Server) bulkCreateUsers(c *call) {
	var cmd createUsersCommand
	if !decodeIdentityBody(c, &cmd) || !checkGUIDs(c, "groupIDs", cmd.GroupIDs) ||
		!s.bodyPartition(c, cmd.PartitionGlobalID) || !s.withinBulkMax(c, "users", len(cmd.Users)) {
		return
	}
	for i := range cmd.Users {
		if !checkNewUser(c, fmt.Sprintf("users[%d].", i), &cmd.Users[i]) {
			return
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if g, ok := st.missingGroup(cmd.GroupIDs); !ok {
		c.validationProblem("groupIDs", "Group '"+g+"' does not exist in this organization.")
		return
	}
	taken := map[string]bool{}
	var errs []identityError
	for i := range cmd.Users {
		if id := strings.ToLower(deref(cmd.Users[i].ID)); id != "" && (st.idTaken(id) || taken["i:"+id]) {
			c.validationProblem(fmt.Sprintf("users[%d].id", i), fmt.Sprintf("A user with id '%s' already exists.", id))
			return
		} else if id != "" {
			taken["i:"+id] = true
		}
		userName, email := userKeys(&cmd.Users[i])
		errs = append(errs, st.newUserErrors(userName, email, taken)...)
	}
	if len(errs) > 0 {
		c.identityFailure(errs)
		return
	}
	now := nextModification(time.Time{})
	a := s.actorOf(c)
	for i := range cmd.Users {
		nu := st.newUser(&cmd.Users[i], "", cmd.GroupIDs, now)
		st.auditUserEvent(a, AuditCreate, &nu.User, nil)
	}
	c.json(http.StatusOK, identitySucceeded)
}

// bulkDeleteUsers serves DELETE /api/User: the users of the command are
// soft-deleted, all or none (an id the organization has no live user for
// refuses the whole request; without ids, 400), answerDeleted.
func (s *Server) bulkDeleteUsers(c *call) {
	var cmd bulkSoftDeleteCommand
	if !decodeIdentityBody(c, &cmd) || !s.bodyPartition(c, cmd.PartitionGlobalID) {
		return
	}
	st := s.state
	a := s.actorOf(c)
	s.deleteAllOrNone(c, "userIds", "User", cmd.UserIDs, func(id string) bool { return st.users[id] != nil }, nil,
		recordingDeletes(func(id string) { st.auditDeletedUser(a, id) }, st.deleteUsers))
}

// deleteUser serves DELETE /api/User/{userId}: a soft delete
// (answerDeleted); 404 for a user that is not (or no longer) there.
func (s *Server) deleteUser(c *call) {
	id, ok := pathGUID(c, "userId", c.params[0])
	if !ok {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users[id] == nil {
		c.identityNotFound()
		return
	}
	st.auditDeletedUser(s.actorOf(c), id)
	st.deleteUsers([]string{id}, time.Now().UTC())
	s.answerDeleted(c)
}
