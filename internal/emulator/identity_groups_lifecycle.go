package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// createGroupCommand is CreateGroupCommand.
type createGroupCommand struct {
	PartitionGlobalID      *string  `json:"partitionGlobalId"`
	ID                     *string  `json:"id"`
	Name                   *string  `json:"name"`
	DirectoryUserMemberIDs []string `json:"directoryUserMemberIDs"`
}

// updateGroupCommand is UpdateGroupCommand.
type updateGroupCommand struct {
	PartitionGlobalID        *string  `json:"partitionGlobalId"`
	Name                     *string  `json:"name"`
	DirectoryUserIDsToAdd    []string `json:"directoryUserIDsToAdd"`
	DirectoryUserIDsToRemove []string `json:"directoryUserIDsToRemove"`
}

// bulkGroupDeleteCommand is BulkGroupDeleteCommand.
type bulkGroupDeleteCommand struct {
	GroupIDs []string `json:"groupIDs"`
}

// groupNamed returns the group called name (case-insensitively), if any.
// The caller holds the store's lock.
func (st *store) groupNamed(name string) (Group, bool) {
	i := slices.IndexFunc(st.groups, func(g Group) bool { return strings.EqualFold(g.Name, name) })
	if i < 0 {
		return Group{}, false
	}
	return st.groups[i], true
}

// groupIndex is the position of group id in the list, or -1. The caller
// holds the store's lock.
func (st *store) groupIndex(id string) int {
	return slices.IndexFunc(st.groups, func(g Group) bool { return g.ID == id })
}

// checkMembers answers 400 on field[i] for the first id that is neither a
// live user nor a robot account. The caller holds the store's lock.
func (st *store) checkMembers(c *call, field string, ids []string) bool {
	for i, id := range ids {
		if g, _ := st.memberGroups(strings.ToLower(id)); g == nil {
			notFoundAt(c, field, i, "Directory user", id)
			return false
		}
	}
	return true
}

// changeMembers adds group to the groups of add and takes it out of those
// of remove, moving the modification time of every account it changes.
// The caller holds the store's lock and has checked the ids.
func (st *store) changeMembers(group string, add, remove []string) {
	for _, change := range []struct {
		ids  []string
		join bool
	}{{add, true}, {remove, false}} {
		for _, id := range change.ids {
			groups, modified := st.memberGroups(strings.ToLower(id))
			next := changeGroups(*groups, nil, []string{group})
			if change.join {
				next = changeGroups(*groups, []string{group}, nil)
			}
			if !slices.Equal(next, *groups) {
				*groups = next
				*modified = nextModification(*modified)
			}
		}
	}
}

// createGroup serves POST /api/Group: a local group with a unique name and
// its first members (users or robot accounts), 201 GroupDto. Live, the
// command must carry the group's id (400 on id otherwise); in spec shapes
// a command without one has it made up. An id a live group holds is
// refused with 400 on id.
func (s *Server) createGroup(c *call) {
	var cmd createGroupCommand
	if !decodeIdentityBody(c, &cmd) || !s.bodyPartition(c, cmd.PartitionGlobalID) {
		return
	}
	name, ok := requiredName(c, cmd.Name)
	if !ok || !checkGUIDs(c, "directoryUserMemberIDs", cmd.DirectoryUserMemberIDs) ||
		!s.withinBulkMax(c, "directoryUserMemberIDs", len(cmd.DirectoryUserMemberIDs)) {
		return
	}
	id := strings.ToLower(deref(cmd.ID))
	if id != "" && !isGUID(id) {
		c.validationProblem("id", fmt.Sprintf("Error converting value %q to type 'System.Guid'. Path 'id'.", id))
		return
	}
	if id == "" && !s.cfg.SpecShapes {
		// The live service wants the client's id for the new group.
		c.validationProblem("id", "The Id field is required.")
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, dup := st.groupNamed(name); dup {
		c.validationProblem("Name", fmt.Sprintf("A group named '%s' already exists.", name))
		return
	}
	if id != "" && st.hasGroup(id) {
		c.validationProblem("id", fmt.Sprintf("A group with id '%s' already exists.", id))
		return
	}
	if !st.checkMembers(c, "directoryUserMemberIDs", cmd.DirectoryUserMemberIDs) {
		return
	}
	if id == "" {
		id = newGUID()
	}
	g := Group{ID: id, Name: name}
	st.addGroup(g, nextModification(time.Time{}))
	st.changeMembers(id, cmd.DirectoryUserMemberIDs, nil)
	st.auditGroupEvent(s.actorOf(c), AuditCreate, g, nil, cmd.DirectoryUserMemberIDs, nil)
	body, _ := json.Marshal(s.toGroupDTO(g))
	c.json(http.StatusCreated, body)
}

// updateGroup serves PUT /api/Group/{groupId}: the name (which the command
// must carry; a built-in group keeps its own) and members to add and
// remove, 200 GroupDto.
func (s *Server) updateGroup(c *call) {
	id, ok := pathGUID(c, "groupId", c.params[0])
	if !ok {
		return
	}
	var cmd updateGroupCommand
	if !decodeIdentityBody(c, &cmd) || !s.bodyPartition(c, cmd.PartitionGlobalID) {
		return
	}
	name, ok := requiredName(c, cmd.Name)
	if !ok || !checkGUIDs(c, "directoryUserIDsToAdd", cmd.DirectoryUserIDsToAdd) ||
		!checkGUIDs(c, "directoryUserIDsToRemove", cmd.DirectoryUserIDsToRemove) ||
		!s.withinBulkMax(c, "directoryUserIDsToAdd", len(cmd.DirectoryUserIDsToAdd)+len(cmd.DirectoryUserIDsToRemove)) {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	i := st.groupIndex(id)
	if i < 0 {
		c.identityNotFound()
		return
	}
	g := &st.groups[i]
	if builtInGroups[id] && name != g.Name {
		c.validationProblem("Name", fmt.Sprintf("The built-in group '%s' cannot be renamed.", g.Name))
		return
	}
	if other, dup := st.groupNamed(name); dup && other.ID != id {
		c.validationProblem("Name", fmt.Sprintf("A group named '%s' already exists.", name))
		return
	}
	if !st.checkMembers(c, "directoryUserIDsToAdd", cmd.DirectoryUserIDsToAdd) ||
		!st.checkMembers(c, "directoryUserIDsToRemove", cmd.DirectoryUserIDsToRemove) {
		return
	}
	g.Name = name
	st.changeMembers(id, cmd.DirectoryUserIDsToAdd, cmd.DirectoryUserIDsToRemove)
	t := st.groupTimes[id]
	t.modified = nextModification(t.modified)
	changed := []string{"name"}
	if len(cmd.DirectoryUserIDsToAdd) > 0 {
		changed = append(changed, "directoryUserIDsToAdd")
	}
	if len(cmd.DirectoryUserIDsToRemove) > 0 {
		changed = append(changed, "directoryUserIDsToRemove")
	}
	st.auditGroupEvent(s.actorOf(c), AuditUpdate, *g, changed, cmd.DirectoryUserIDsToAdd, cmd.DirectoryUserIDsToRemove)
	body, _ := json.Marshal(s.toGroupDTO(*g))
	c.json(http.StatusOK, body)
}

// getGroup serves GET /api/Group/{partitionGlobalId}/{groupId}.
func (s *Server) getGroup(c *call) {
	if !s.pathPartition(c, c.params[0]) {
		return
	}
	id, ok := pathGUID(c, "groupId", c.params[1])
	if !ok {
		return
	}
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	i := st.groupIndex(id)
	if i < 0 {
		c.identityNotFound()
		return
	}
	body, _ := json.Marshal(s.toGroupDTO(st.groups[i]))
	c.json(http.StatusOK, body)
}

// deleteGroup serves DELETE /api/Group/{partitionGlobalId}/{groupId}: a
// local group goes, and leaves every account's groups (answerDeleted). A
// built-in group is refused with 400.
func (s *Server) deleteGroup(c *call) {
	if !s.pathPartition(c, c.params[0]) {
		return
	}
	id, ok := pathGUID(c, "groupId", c.params[1])
	if !ok {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	i := st.groupIndex(id)
	if i < 0 {
		c.identityNotFound()
		return
	}
	if builtInGroups[id] {
		c.validationProblem("groupId", fmt.Sprintf("The built-in group '%s' cannot be deleted.", st.groups[i].Name))
		return
	}
	st.auditDeletedGroup(s.actorOf(c), id)
	st.deleteGroups([]string{id}, time.Now().UTC())
	s.answerDeleted(c)
}

// bulkDeleteGroups serves DELETE /api/Group/{partitionGlobalId}: every
// group of the command or none (an unknown or built-in group refuses the
// whole request). Without ids (groupIDs absent or empty, or no body at
// all) the live service deletes every local group, as one UiPath page
// describes it; in spec shapes it is refused with 400.
func (s *Server) bulkDeleteGroups(c *call) {
	if !s.pathPartition(c, c.params[0]) {
		return
	}
	var cmd bulkGroupDeleteCommand
	if c.r.ContentLength != 0 || s.cfg.SpecShapes {
		if !decodeIdentityBody(c, &cmd) {
			return
		}
	}
	st := s.state
	if len(cmd.GroupIDs) == 0 && !s.cfg.SpecShapes {
		st.mu.Lock()
		defer st.mu.Unlock()
		var local []string
		a := s.actorOf(c)
		for _, g := range st.groups {
			if !builtInGroups[g.ID] {
				local = append(local, g.ID)
				st.auditGroupEvent(a, AuditDelete, g, nil, nil, nil)
			}
		}
		st.deleteGroups(local, time.Now().UTC())
		s.answerDeleted(c)
		return
	}
	a := s.actorOf(c)
	s.deleteAllOrNone(c, "groupIDs", "Group", cmd.GroupIDs, st.hasGroup,
		func(i int, id string) bool {
			if !builtInGroups[id] {
				return false
			}
			c.validationProblem(fmt.Sprintf("groupIDs[%d]", i), fmt.Sprintf("The built-in group '%s' cannot be deleted.", st.groups[st.groupIndex(id)].Name))
			return true
		}, recordingDeletes(func(id string) { st.auditDeletedGroup(a, id) }, st.deleteGroups))
}
