package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// orchestratorUserTypeNames are UserDto.Type's values in the order of
// their integer codes.
var orchestratorUserTypeNames = []string{"User", "Robot", TypeDirectoryUser, TypeDirectoryGroup, TypeDirectoryRobot, "DirectoryExternalApplication"}

// readUserType reads UserDto.Type: a name (any letter case) or its
// integer code; "" for an absent or null one. An unknown value is kept
// as given, for the refusal.
func readUserType(raw json.RawMessage) string {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		if i := slices.IndexFunc(orchestratorUserTypeNames, func(t string) bool { return strings.EqualFold(t, name) }); i >= 0 {
			return orchestratorUserTypeNames[i]
		}
		return name
	}
	if code, err := strconv.Atoi(string(raw)); err == nil && code >= 0 && code < len(orchestratorUserTypeNames) {
		return orchestratorUserTypeNames[code]
	}
	return string(raw)
}

// createOrchestratorUser serves POST /odata/Users for a directory
// account: Type DirectoryUser, DirectoryRobot or DirectoryGroup, the
// Identity user, robot account or group named by DirectoryIdentifier (its
// Identity id) or else by UserName (a user's userName or email, a robot
// account's or group's name), as AssignDomainUser finds it. The user made
// stands for it (its names and email come from the directory), with
// Domain, the tenant roles of RolesList (names) and UnattendedRobot as
// given; MayHaveUnattendedSession is true when an UnattendedRobot is
// given. It answers 201 with the UserDto. Refusals, nothing made: 400
// for another Type, no name, an account the directory does not have, a
// UserName that is not the account's when DirectoryIdentifier names it,
// an unknown role or a folder role, or a robot password Orchestrator
// cannot hold; 409 when Orchestrator lists the account already (linked
// to it, or a user of that UserName).
func (s *Server) createOrchestratorUser(c *call) {
	body, err := readBody(c)
	if err != nil {
		c.orchestratorInvalid("The request body could not be read.", 0)
		return
	}
	delta, err := parseUserDelta(body)
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	var props map[string]json.RawMessage
	_ = json.Unmarshal(body, &props) // parseUserDelta read it
	typ := readUserType(props["Type"])
	var identifier string
	if raw, ok := props["DirectoryIdentifier"]; ok {
		p, err := rawString("DirectoryIdentifier", raw)
		if err != nil {
			c.orchestratorInvalid(err.Error(), 0)
			return
		}
		identifier = strings.TrimSpace(*p)
	}
	name := ""
	if delta.userName != nil {
		name = strings.TrimSpace(*delta.userName)
	}
	switch {
	case typ != TypeDirectoryUser && typ != TypeDirectoryRobot && typ != TypeDirectoryGroup:
		c.orchestratorInvalid(fmt.Sprintf("Type '%s' cannot be created here: give DirectoryUser, DirectoryRobot or DirectoryGroup (the emulator makes no local users).", typ), 0)
		return
	case identifier == "" && name == "":
		c.orchestratorInvalid("Give the DirectoryIdentifier or the UserName of the account or group.", 0)
		return
	case delta.unattended != nil && delta.mayHaveUnattended != nil && !*delta.mayHaveUnattended:
		c.orchestratorInvalid("A user with an UnattendedRobot must have MayHaveUnattendedSession true.", 0)
		return
	}

	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.findDirectoryEntity(typ, identifier, name)
	if !ok {
		who := identifier
		if who == "" {
			who = name
		}
		c.orchestratorInvalid(fmt.Sprintf("The directory has no %s '%s'.", typ, who), 1002)
		return
	}
	if identifier != "" && name != "" && !strings.EqualFold(name, e.name) && !(e.email != "" && strings.EqualFold(name, e.email)) {
		c.orchestratorInvalid(fmt.Sprintf("UserName '%s' is not the name of %s %s ('%s').", name, typ, e.id, e.name), 0)
		return
	}
	if o := st.listedAs(e); o != nil {
		c.orchestratorConflict(fmt.Sprintf("Orchestrator lists %s '%s' already, as user %d (%s).", typ, e.name, o.ID, o.Type), 0)
		return
	}
	roles, ok := st.tenantRoleNames(c, delta.rolesList)
	if !ok {
		return
	}
	if delta.unattendedPassword != "" {
		if cs, ok := st.readOnlyStore(nil, delta.unattended); ok {
			c.orchestratorInvalid(fmt.Sprintf("The credential store '%s' (Id %d) is read-only: the robot's password cannot be set from Orchestrator; set it in the store.", cs.Name, cs.ID), 0)
			return
		}
		if delta.unattended.external() {
			c.orchestratorInvalid("The robot's password is kept in an external credential store; set it in that store.", 0)
			return
		}
	}
	o := st.provision(e, newGUID(), time.Now().UTC().Truncate(time.Microsecond))
	o.RolesList = roles
	if delta.domain != nil {
		o.Domain = *delta.domain
	}
	if delta.isActive != nil {
		o.IsActive = *delta.isActive
	}
	o.MayHaveUnattended = delta.unattended != nil
	if delta.mayHaveUnattended != nil {
		o.MayHaveUnattended = *delta.mayHaveUnattended
	}
	if delta.unattended != nil {
		o.UnattendedRobot = delta.unattended
		o.UnattendedRobot.RobotID = st.nextRobotID()
		if delta.unattendedPassword != "" {
			st.orchPass[o.ID] = delta.unattendedPassword
		}
	}
	st.auditUser(s.actorOf(c), AuditCreate, "Create", o, "",
		map[string]any{"UserName": o.UserName, "Type": o.Type, "DirectoryIdentifier": o.DirectoryIdentifier,
			"RolesList": slices.Clone(o.RolesList), "properties": delta.given},
		nil, auditedUser(o))
	s.answerEntity(c, http.StatusCreated, "Users/$entity", s.toOrchestratorUserDTO(o))
}

// listedAs returns the Orchestrator user that lists the directory entity
// e already: the one that stands for it, or any user with its name
// (Orchestrator's user names are unique in a tenant); nil when none. The
// caller holds the store's lock.
func (st *store) listedAs(e directoryEntity) *OrchestratorUser {
	if o, _ := st.orchestratorUserOf(e); o != nil {
		return o
	}
	for _, key := range st.orchOrder {
		if o := st.orch[key]; strings.EqualFold(o.UserName, e.name) {
			return o
		}
	}
	return nil
}

// tenantRoleNames checks that every name of list (nil: none) is a role
// that may be given for the tenant, and returns their names as the
// tenant spells them, each once; it answers 400 and reports false
// otherwise. The caller holds the store's lock.
func (st *store) tenantRoleNames(c *call, list *[]string) ([]string, bool) {
	out := []string{}
	if list == nil {
		return out, true
	}
	for _, n := range *list {
		r := st.roleNamed(n)
		if r == nil {
			c.orchestratorInvalid(fmt.Sprintf("Role '%s' does not exist.", n), 1002)
			return nil, false
		}
		if !r.forTenant() {
			c.orchestratorInvalid(fmt.Sprintf("Role '%s' is a folder role: it is given in a folder, not for the tenant.", r.Name), 0)
			return nil, false
		}
		if !slices.Contains(out, r.Name) {
			out = append(out, r.Name)
		}
	}
	return out, true
}

// nextRobotID is the id the next provisioned unattended robot takes:
// after every robot's. The caller holds the store's lock.
func (st *store) nextRobotID() int64 {
	last := int64(5000)
	for _, o := range st.orch {
		if o.UnattendedRobot != nil {
			last = max(last, o.UnattendedRobot.RobotID)
		}
	}
	return last + 1
}
