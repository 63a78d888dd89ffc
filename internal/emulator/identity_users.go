package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// userDTO is UserDto of identity.yaml. The fields it marks nullable answer
// null when the user has no value: lastModificationTime until the first
// change, lastLoginTime (nobody signs in here), and empty names. Type and
// Category follow the shapes in effect (see live.go).
type userDTO struct {
	ID                         string   `json:"id"`
	UserName                   nullable `json:"userName"`
	Email                      nullable `json:"email"`
	EmailConfirmed             bool     `json:"emailConfirmed"`
	Name                       nullable `json:"name"`
	Surname                    nullable `json:"surname"`
	DisplayName                nullable `json:"displayName"`
	CreationTime               string   `json:"creationTime"`
	LastModificationTime       nullable `json:"lastModificationTime"`
	LastLoginTime              *string  `json:"lastLoginTime"`
	GroupIDs                   []string `json:"groupIDs"`
	LegacyID                   int64    `json:"legacyId"`
	IsActive                   bool     `json:"isActive"`
	BypassBasicAuthRestriction bool     `json:"bypassBasicAuthRestriction"`
	Type                       any      `json:"type"`
	Category                   *int     `json:"category,omitempty"`
	InvitationAccepted         bool     `json:"invitationAccepted"`
}

// toUserDTO shapes a user as UserDto. The caller holds the store's lock.
func (s *Server) toUserDTO(u *User) userDTO {
	return userDTO{
		ID: u.ID, UserName: nullable(u.UserName), Email: nullable(u.Email), EmailConfirmed: u.EmailConfirmed,
		Name: nullable(u.Name), Surname: nullable(u.Surname), DisplayName: nullable(u.DisplayName),
		CreationTime:         formatWireTime(u.CreationTime),
		LastModificationTime: nullableTime(u.LastModificationTime),
		GroupIDs:             s.userGroupIDs(u.GroupIDs), LegacyID: u.LegacyID, IsActive: u.IsActive,
		BypassBasicAuthRestriction: u.BypassBasicAuthRestriction,
		Type:                       s.userTypeValue(u.Type), Category: s.userCategory(u.Type),
		InvitationAccepted: u.InvitationAccepted,
	}
}

// getUser serves GET /api/User/{userId}.
func (s *Server) getUser(c *call) {
	id, ok := pathGUID(c, "userId", c.params[0])
	if !ok {
		return
	}
	s.state.mu.RLock()
	u := s.state.users[id]
	var dto userDTO
	if u != nil {
		dto = s.toUserDTO(&u.User)
	}
	s.state.mu.RUnlock()
	if u == nil {
		c.identityNotFound()
		return
	}
	body, _ := json.Marshal(dto)
	c.json(http.StatusOK, body)
}

// updateUserCommand is UpdateUserCommand: every field optional.
type updateUserCommand struct {
	Name                                 *string           `json:"name"`
	Surname                              *string           `json:"surname"`
	DisplayName                          *string           `json:"displayName"`
	Email                                *string           `json:"email"`
	IsActive                             *bool             `json:"isActive"`
	Password                             *string           `json:"password"`
	GroupIDsToAdd                        []string          `json:"groupIDsToAdd"`
	GroupIDsToRemove                     []string          `json:"groupIDsToRemove"`
	BypassBasicAuthRestriction           *bool             `json:"bypassBasicAuthRestriction"`
	InvitationAccepted                   *bool             `json:"invitationAccepted"`
	ExtensionUserAttributesToAddOrUpdate map[string]string `json:"extensionUserAttributesToAddOrUpdate"`
	ExtensionUserAttributesToRemove      []string          `json:"extensionUserAttributesToRemove"`
}

// updateUser serves PUT /api/User/{userId}. The change is applied whole or
// not at all.
func (s *Server) updateUser(c *call) {
	id, ok := pathGUID(c, "userId", c.params[0])
	if !ok {
		return
	}
	var cmd updateUserCommand
	if !decodeIdentityBody(c, &cmd) ||
		!checkGUIDs(c, "groupIDsToAdd", cmd.GroupIDsToAdd) ||
		!checkGUIDs(c, "groupIDsToRemove", cmd.GroupIDsToRemove) {
		return
	}
	var policy []identityError
	if cmd.Password != nil && *cmd.Password != "" {
		policy = passwordPolicy(*cmd.Password)
	}

	st := s.state
	st.mu.Lock()
	u := st.users[id]
	if u == nil {
		st.mu.Unlock()
		c.identityNotFound()
		return
	}
	if cmd.Email != nil && !strings.EqualFold(strings.TrimSpace(*cmd.Email), u.Email) {
		st.mu.Unlock()
		c.validationProblem("email", "Changing a user's email address is not supported. Invite the new address as a new user, then delete the old account.")
		return
	}
	if g, ok := st.missingGroup(cmd.GroupIDsToAdd); !ok {
		st.mu.Unlock()
		c.groupMissing(g)
		return
	}
	if len(policy) > 0 {
		st.mu.Unlock()
		c.identityFailure(policy)
		return
	}
	applyUserUpdate(u, &cmd)
	u.LastModificationTime = nextModification(u.LastModificationTime)
	a := s.actorOf(c)
	setsPassword := cmd.Password != nil && *cmd.Password != ""
	if changed := cmd.changed(); len(changed) > 0 || !setsPassword {
		st.auditUserEvent(a, AuditUpdate, &u.User, changed)
	}
	if setsPassword {
		st.auditUserEvent(a, AuditResetPassword, &u.User, nil)
	}
	st.mu.Unlock()
	c.json(http.StatusOK, identitySucceeded)
}

// changed lists the fields the command gives besides the password, by
// their JSON names, for the audit record of the update.
func (cmd *updateUserCommand) changed() []string {
	out := []string{}
	for _, f := range []struct {
		name  string
		given bool
	}{
		{"name", cmd.Name != nil}, {"surname", cmd.Surname != nil}, {"displayName", cmd.DisplayName != nil},
		{"email", cmd.Email != nil}, {"isActive", cmd.IsActive != nil},
		{"groupIDsToAdd", len(cmd.GroupIDsToAdd) > 0}, {"groupIDsToRemove", len(cmd.GroupIDsToRemove) > 0},
		{"bypassBasicAuthRestriction", cmd.BypassBasicAuthRestriction != nil},
		{"invitationAccepted", cmd.InvitationAccepted != nil},
		{"extensionUserAttributesToAddOrUpdate", len(cmd.ExtensionUserAttributesToAddOrUpdate) > 0},
		{"extensionUserAttributesToRemove", len(cmd.ExtensionUserAttributesToRemove) > 0},
	} {
		if f.given {
			out = append(out, f.name)
		}
	}
	return out
}

func applyUserUpdate(u *user, cmd *updateUserCommand) {
	if cmd.Name != nil {
		u.Name = *cmd.Name
	}
	if cmd.Surname != nil {
		u.Surname = *cmd.Surname
	}
	if cmd.DisplayName != nil {
		u.DisplayName = *cmd.DisplayName
	}
	if cmd.IsActive != nil {
		u.IsActive = *cmd.IsActive
	}
	if cmd.BypassBasicAuthRestriction != nil {
		u.BypassBasicAuthRestriction = *cmd.BypassBasicAuthRestriction
	}
	if cmd.InvitationAccepted != nil {
		u.InvitationAccepted = *cmd.InvitationAccepted
	}
	if cmd.Password != nil && *cmd.Password != "" {
		u.password = *cmd.Password
	}
	if len(cmd.GroupIDsToAdd) > 0 || len(cmd.GroupIDsToRemove) > 0 {
		u.GroupIDs = changeGroups(u.GroupIDs, cmd.GroupIDsToAdd, cmd.GroupIDsToRemove)
	}
	if len(cmd.ExtensionUserAttributesToAddOrUpdate) > 0 || len(cmd.ExtensionUserAttributesToRemove) > 0 {
		attrs := map[string]string{}
		for k, v := range u.ExtensionAttributes {
			attrs[k] = v
		}
		for k, v := range cmd.ExtensionUserAttributesToAddOrUpdate {
			attrs[k] = v
		}
		for _, k := range cmd.ExtensionUserAttributesToRemove {
			delete(attrs, k)
		}
		u.ExtensionAttributes = attrs
	}
}

type changePasswordCommand struct {
	OldPassword *string `json:"oldPassword"`
	NewPassword *string `json:"newPassword"`
}

// changePassword serves POST /api/User/{userId}/changepassword.
func (s *Server) changePassword(c *call) {
	id, ok := pathGUID(c, "userId", c.params[0])
	if !ok {
		return
	}
	var cmd changePasswordCommand
	if !decodeIdentityBody(c, &cmd) {
		return
	}
	oldPass, newPass := deref(cmd.OldPassword), deref(cmd.NewPassword)
	st := s.state
	st.mu.Lock()
	u := st.users[id]
	if u == nil {
		st.mu.Unlock()
		c.identityNotFound()
		return
	}
	if u.password == "" || oldPass != u.password {
		st.mu.Unlock()
		c.identityFailure([]identityError{{"PasswordMismatch", "Incorrect password."}})
		return
	}
	if errs := passwordPolicy(newPass); len(errs) > 0 {
		st.mu.Unlock()
		c.identityFailure(errs)
		return
	}
	u.password = newPass
	u.LastModificationTime = nextModification(u.LastModificationTime)
	st.auditUserEvent(s.actorOf(c), AuditChangePassword, &u.User, nil)
	st.mu.Unlock()
	c.json(http.StatusOK, identitySucceeded)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// paging reads top (default 10, 0..1000) and skip (>= 0) and checks the
// partition; it answers when they are not acceptable.
func (s *Server) paging(c *call) (top, skip int, ok bool) {
	if _, ok := pathGUID(c, "partitionGlobalId", c.params[0]); !ok {
		return 0, 0, false
	}
	if !strings.EqualFold(c.params[0], s.cfg.PartitionID) {
		c.identityNotFound()
		return 0, 0, false
	}
	q := c.r.URL.Query()
	top, skip = 10, 0
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"top", &top, 1000}, {"skip", &skip, 2147483647}} {
		raw := queryValue(q, p.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			c.validationProblem(p.name, "The value '"+raw+"' is not valid.")
			return 0, 0, false
		}
		if n < 0 || n > p.max {
			c.validationProblem(p.name, "The field "+p.name+" must be between 0 and "+strconv.Itoa(p.max)+".")
			return 0, 0, false
		}
		*p.dst = n
	}
	return top, skip, true
}

// listUsers serves GET /api/User/users/{partitionGlobalId}. searchTerm is a
// case-insensitive substring match over several fields, like the real
// service's fuzzy search: callers must filter the results exactly. The
// order is listOrdering's.
func (s *Server) listUsers(c *call) {
	st := s.state
	serveIdentityList(s, c, &st.userOrder, &st.userIDs, st.users,
		func(u *user, term string) bool {
			return matchesAny(term, u.UserName, u.Email, u.Name, u.Surname, u.DisplayName)
		},
		func(u *user) userDTO { return s.toUserDTO(&u.User) })
}

// serveIdentityList answers a page of an Identity list (users, robot
// accounts): top and skip, searchTerm (lower-cased) as matches tests it, in listOrdering's order (the items'
// order, or the id index built on first use), each item as dto shapes it.
func serveIdentityList[T, D any](s *Server, c *call, order *[]string, ids *sortedIDs, items map[string]*T, matches func(it *T, term string) bool, dto func(*T) D) {
	top, skip, ok := s.paging(c)
	if !ok {
		return
	}
	ordering, ok := s.listOrdering(c)
	if !ok {
		return
	}
	term := strings.ToLower(queryValue(c.r.URL.Query(), "searchTerm"))
	var match func(*T) bool
	if term != "" {
		match = func(it *T) bool { return matches(it, term) }
	}
	st := s.state
	if ordering.byID {
		st.buildIndex(ids, order)
	}
	st.mu.RLock()
	page, total := pageView(ordering.view(*order, ids), items, skip, top, match, ordering.unstable)
	results := make([]D, len(page))
	for i, it := range page {
		results[i] = dto(it)
	}
	st.mu.RUnlock()
	body, _ := json.Marshal(identityPage[D]{TotalCount: int64(total), Results: results})
	c.json(http.StatusOK, body)
}

func matchesAny(lowerTerm string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), lowerTerm) {
			return true
		}
	}
	return false
}
