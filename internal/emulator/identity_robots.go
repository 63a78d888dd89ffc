package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// robotAccountDTO is RobotAccountDto of identity.yaml; nullable fields
// answer null when empty (lastLoginTime always: nobody signs in here).
type robotAccountDTO struct {
	ID            string   `json:"id"`
	Name          nullable `json:"name"`
	DisplayName   nullable `json:"displayName"`
	CreationTime  string   `json:"creationTime"`
	LastLoginTime *string  `json:"lastLoginTime"`
	GroupIDs      []string `json:"groupIds"`
}

func toRobotAccountDTO(r *RobotAccount) robotAccountDTO {
	return robotAccountDTO{
		ID: r.ID, Name: nullable(r.Name), DisplayName: nullable(r.DisplayName),
		CreationTime: formatWireTime(r.CreationTime), GroupIDs: slices.Clone(r.GroupIDs),
	}
}

// listRobotAccounts serves GET /api/RobotAccount/{partitionGlobalId}, in
// listOrdering's order.
func (s *Server) listRobotAccounts(c *call) {
	st := s.state
	serveIdentityList(s, c, &st.robotOrder, &st.robotIDs, st.robots,
		func(r *RobotAccount, term string) bool { return matchesAny(term, r.Name, r.DisplayName) }, toRobotAccountDTO)
}

// getRobotAccount serves GET /api/RobotAccount/{partitionGlobalId}/{robotAccountId}.
func (s *Server) getRobotAccount(c *call) {
	partition, ok := pathGUID(c, "partitionGlobalId", c.params[0])
	if !ok {
		return
	}
	id, ok := pathGUID(c, "robotAccountId", c.params[1])
	if !ok {
		return
	}
	s.state.mu.RLock()
	r := s.state.robots[id]
	var dto robotAccountDTO
	if r != nil {
		dto = toRobotAccountDTO(r)
	}
	s.state.mu.RUnlock()
	if r == nil || !strings.EqualFold(partition, s.cfg.PartitionID) {
		c.identityNotFound()
		return
	}
	body, _ := json.Marshal(dto)
	c.json(http.StatusOK, body)
}

// updateRobotAccountCommand is UpdateRobotAccountCommand.
type updateRobotAccountCommand struct {
	PartitionGlobalID *string  `json:"partitionGlobalId"`
	DisplayName       *string  `json:"displayName"`
	GroupIDsToAdd     []string `json:"groupIDsToAdd"`
	GroupIDsToRemove  []string `json:"groupIDsToRemove"`
}

// updateRobotAccount serves PUT /api/RobotAccount/{robotAccountId}: only the
// display name and groups change; the name is read-only; a PUT without a
// display name blanks it.
func (s *Server) updateRobotAccount(c *call) {
	id, ok := pathGUID(c, "robotAccountId", c.params[0])
	if !ok {
		return
	}
	var cmd updateRobotAccountCommand
	if !decodeIdentityBody(c, &cmd) ||
		!checkGUIDs(c, "groupIDsToAdd", cmd.GroupIDsToAdd) ||
		!checkGUIDs(c, "groupIDsToRemove", cmd.GroupIDsToRemove) {
		return
	}
	if cmd.PartitionGlobalID == nil || !strings.EqualFold(*cmd.PartitionGlobalID, s.cfg.PartitionID) {
		c.validationProblem("partitionGlobalId", "The partitionGlobalId field is required and must be the robot account's partition.")
		return
	}
	if cmd.DisplayName != nil && strings.TrimSpace(*cmd.DisplayName) == "" {
		c.validationProblem("displayName", "The DisplayName field is required.")
		return
	}
	st := s.state
	st.mu.Lock()
	r := st.robots[id]
	if r == nil {
		st.mu.Unlock()
		c.identityNotFound()
		return
	}
	if g, ok := st.missingGroup(cmd.GroupIDsToAdd); !ok {
		st.mu.Unlock()
		c.groupMissing(g)
		return
	}
	// The PUT's treatment of a missing display name is undocumented: the
	// emulator takes the harsher reading and blanks it, so that a client
	// that leaves it out is caught.
	r.DisplayName = ""
	if cmd.DisplayName != nil {
		r.DisplayName = *cmd.DisplayName
	}
	r.GroupIDs = changeGroups(r.GroupIDs, cmd.GroupIDsToAdd, cmd.GroupIDsToRemove)
	r.LastModificationTime = nextModification(r.LastModificationTime)
	changed := []string{"displayName"}
	if len(cmd.GroupIDsToAdd) > 0 {
		changed = append(changed, "groupIDsToAdd")
	}
	if len(cmd.GroupIDsToRemove) > 0 {
		changed = append(changed, "groupIDsToRemove")
	}
	st.auditRobotEvent(s.actorOf(c), AuditUpdate, r, changed)
	dto := toRobotAccountDTO(r)
	st.mu.Unlock()
	body, _ := json.Marshal(dto)
	c.json(http.StatusOK, body)
}

// createRobotAccountCommand is CreateRobotAccountCommand.
type createRobotAccountCommand struct {
	PartitionGlobalID *string  `json:"partitionGlobalId"`
	Name              *string  `json:"name"`
	DisplayName       *string  `json:"displayName"`
	GroupIDsToAdd     []string `json:"groupIDsToAdd"`
}

// bulkRobotAccountDeleteCommand is BulkRobotAccountDeleteCommand.
type bulkRobotAccountDeleteCommand struct {
	RobotAccountIDs []string `json:"robotAccountIDs"`
}

// createRobotAccount serves POST /api/RobotAccount: a robot account with a
// unique name, in Everyone and groupIDsToAdd, 201 RobotAccountDto. Without
// a displayName it has none, as a PUT without one leaves it.
func (s *Server) createRobotAccount(c *call) {
	var cmd createRobotAccountCommand
	if !decodeIdentityBody(c, &cmd) || !s.bodyPartition(c, cmd.PartitionGlobalID) {
		return
	}
	name, ok := requiredName(c, cmd.Name)
	if !ok || !checkGUIDs(c, "groupIDsToAdd", cmd.GroupIDsToAdd) {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.robotByName[strings.ToLower(name)] != "" {
		c.validationProblem("Name", fmt.Sprintf("A robot account named '%s' already exists.", name))
		return
	}
	if g, ok := st.missingGroup(cmd.GroupIDsToAdd); !ok {
		c.groupMissing(g)
		return
	}
	now := nextModification(time.Time{})
	r := &RobotAccount{
		ID: newGUID(), Name: name, DisplayName: deref(cmd.DisplayName),
		GroupIDs:     changeGroups([]string{GroupEveryone}, cmd.GroupIDsToAdd, nil),
		CreationTime: now, LastModificationTime: now,
	}
	st.addRobot(r)
	st.auditRobotEvent(s.actorOf(c), AuditCreate, r, nil)
	body, _ := json.Marshal(toRobotAccountDTO(r))
	c.json(http.StatusCreated, body)
}

// deleteRobotAccount serves DELETE
// /api/RobotAccount/{partitionGlobalId}/{robotAccountId} (answerDeleted),
// or 404 for a robot account that is not (or no longer) there.
func (s *Server) deleteRobotAccount(c *call) {
	if !s.pathPartition(c, c.params[0]) {
		return
	}
	id, ok := pathGUID(c, "robotAccountId", c.params[1])
	if !ok {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.robots[id] == nil {
		c.identityNotFound()
		return
	}
	st.auditDeletedRobot(s.actorOf(c), id)
	st.deleteRobots([]string{id}, time.Now().UTC())
	s.answerDeleted(c)
}

// bulkDeleteRobotAccounts serves DELETE /api/RobotAccount/{partitionGlobalId}:
// every robot account of the command or none (an unknown id refuses the
// whole request); without ids, 400.
func (s *Server) bulkDeleteRobotAccounts(c *call) {
	var cmd bulkRobotAccountDeleteCommand
	if !s.pathPartition(c, c.params[0]) || !decodeIdentityBody(c, &cmd) {
		return
	}
	st := s.state
	a := s.actorOf(c)
	s.deleteAllOrNone(c, "robotAccountIDs", "Robot account", cmd.RobotAccountIDs,
		func(id string) bool { return st.robots[id] != nil }, nil,
		recordingDeletes(func(id string) { st.auditDeletedRobot(a, id) }, st.deleteRobots))
}
