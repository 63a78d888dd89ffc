package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// orchestratorUserDTO is UserDto of orchestrator.yaml as GET answers it.
type orchestratorUserDTO struct {
	Name                     string              `json:"Name"`
	Surname                  string              `json:"Surname"`
	UserName                 string              `json:"UserName"`
	Domain                   string              `json:"Domain,omitempty"`
	FullName                 string              `json:"FullName"`
	EmailAddress             string              `json:"EmailAddress,omitempty"`
	IsActive                 bool                `json:"IsActive"`
	CreationTime             string              `json:"CreationTime"`
	RolesList                []string            `json:"RolesList"`
	TenantID                 int                 `json:"TenantId"`
	TenancyName              string              `json:"TenancyName"`
	Type                     string              `json:"Type"`
	UnattendedRobot          *unattendedRobotDTO `json:"UnattendedRobot,omitempty"`
	Key                      string              `json:"Key"`
	DirectoryIdentifier      string              `json:"DirectoryIdentifier,omitempty"`
	MayHaveUnattendedSession bool                `json:"MayHaveUnattendedSession"`
	LastModificationTime     string              `json:"LastModificationTime"`
	ID                       int64               `json:"Id"`
}

// unattendedRobotDTO never carries the password: it is always null.
type unattendedRobotDTO struct {
	UserName                 string         `json:"UserName"`
	Password                 *string        `json:"Password"`
	CredentialStoreID        *int64         `json:"CredentialStoreId,omitempty"`
	CredentialType           string         `json:"CredentialType,omitempty"`
	CredentialExternalName   string         `json:"CredentialExternalName,omitempty"`
	ExecutionSettings        map[string]any `json:"ExecutionSettings"`
	LimitConcurrentExecution bool           `json:"LimitConcurrentExecution"`
	RobotID                  int64          `json:"RobotId"`
}

func (s *Server) toOrchestratorUserDTO(o *OrchestratorUser) orchestratorUserDTO {
	dto := orchestratorUserDTO{
		Name: o.Name, Surname: o.Surname, UserName: o.UserName, Domain: o.Domain, FullName: o.FullName,
		EmailAddress: o.EmailAddress, IsActive: o.IsActive, CreationTime: formatWireTime(o.CreationTime),
		RolesList: append([]string{}, o.RolesList...), TenantID: 1, TenancyName: s.cfg.Tenant, Type: o.Type,
		Key: o.Key, DirectoryIdentifier: o.DirectoryIdentifier, MayHaveUnattendedSession: o.MayHaveUnattended,
		LastModificationTime: formatWireTime(o.LastModificationTime), ID: o.ID,
	}
	if ur := o.UnattendedRobot; ur != nil {
		c := ur.clone()
		if c.ExecutionSettings == nil {
			c.ExecutionSettings = map[string]any{}
		}
		dto.UnattendedRobot = &unattendedRobotDTO{
			UserName: c.UserName, CredentialStoreID: c.CredentialStoreID, CredentialType: c.CredentialType,
			CredentialExternalName: c.CredentialExternalName, ExecutionSettings: c.ExecutionSettings,
			LimitConcurrentExecution: c.LimitConcurrentExecution, RobotID: c.RobotID,
		}
	}
	return dto
}

// odataContext is the @odata.context of an answer about entitySet
// ("Users", "Users/$entity").
func (s *Server) odataContext(c *call, entitySet string) string {
	return "http://" + c.r.Host + "/" + s.cfg.Org + "/" + s.cfg.Tenant + "/orchestrator_/odata/$metadata#" + entitySet
}

// orchestratorKey parses the {key} of Users({key}); it answers when the key
// is not an integer.
func orchestratorKey(c *call) (int64, bool) {
	key, err := strconv.ParseInt(c.params[0], 10, 64)
	if err != nil {
		c.orchestratorInvalid("The key '"+c.params[0]+"' is not a valid Edm.Int64 value.", 0)
		return 0, false
	}
	return key, true
}

// getOrchestratorUser serves GET /odata/Users({key}).
func (s *Server) getOrchestratorUser(c *call) {
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	o := s.state.orch[key]
	var dto orchestratorUserDTO
	if o != nil {
		dto = s.toOrchestratorUserDTO(o)
	}
	s.state.mu.RUnlock()
	if o == nil {
		c.orchestratorNotFound("User does not exist.", 1002)
		return
	}
	body, _ := json.Marshal(struct {
		Context string `json:"@odata.context"`
		orchestratorUserDTO
	}{s.odataContext(c, "Users/$entity"), dto})
	c.json(http.StatusOK, body)
}

// listOrchestratorUsers serves GET /odata/Users with $filter, $top and $skip.
func (s *Server) listOrchestratorUsers(c *call) {
	serveODataList(s, c, "Users", orchestratorUserFields, func(st *store, skip, top int, match func(*OrchestratorUser) bool) ([]orchestratorUserDTO, int) {
		return pageOf(st.orchOrder, st.orch, skip, top, match, s.toOrchestratorUserDTO)
	})
}

// serveODataList answers an OData list of entity: the entities $filter
// (over fields) accepts, $top after the first $skip as page lays them
// out under the store's read lock, with their count.
func serveODataList[T, D any](s *Server, c *call, entity string, fields odataFields[T], page func(st *store, skip, top int, match func(*T) bool) ([]D, int)) {
	match, err := parseODataFilter(c.r.URL.Query().Get("$filter"), fields)
	if err != nil {
		c.orchestratorInvalid("The query specified in the URI is not valid. "+err.Error(), 0)
		return
	}
	top, skip, ok := odataPaging(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	values, count := page(s.state, skip, top, match)
	s.state.mu.RUnlock()
	body, _ := json.Marshal(struct {
		Context string `json:"@odata.context"`
		Count   int    `json:"@odata.count"`
		Value   []D    `json:"value"`
	}{s.odataContext(c, entity), count, values})
	c.json(http.StatusOK, body)
}

// odataPaging reads $top (default and at most 1000) and $skip; it
// answers an ErrorResult when either is not acceptable.
func odataPaging(c *call) (top, skip int, ok bool) {
	q := c.r.URL.Query()
	top, skip = 1000, 0
	for _, p := range []struct {
		name string
		dst  *int
	}{{"$top", &top}, {"$skip", &skip}} {
		raw := q.Get(p.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			c.orchestratorInvalid("The query specified in the URI is not valid. Invalid value '"+raw+"' for "+p.name+" query option found.", 0)
			return 0, 0, false
		}
		if p.name == "$top" && n > 1000 {
			c.orchestratorInvalid("The query specified in the URI is not valid. The limit of '1000' for Top query has been exceeded. The value from the incoming request is '"+raw+"'.", 0)
			return 0, 0, false
		}
		*p.dst = n
	}
	return top, skip, true
}

// patchOrchestratorUser serves PATCH /odata/Users({key}): top-level
// properties merge; a complex property (UnattendedRobot) replaces the stored
// object whole, so fields omitted inside it are reset.
func (s *Server) patchOrchestratorUser(c *call) { s.writeOrchestratorUser(c, false) }

// putOrchestratorUser serves PUT /odata/Users({key}): the entity is
// replaced and omitted fields are reset.
func (s *Server) putOrchestratorUser(c *call) { s.writeOrchestratorUser(c, true) }

func (s *Server) writeOrchestratorUser(c *call, replace bool) {
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
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
	if !replace && delta.serverComputed {
		s.serverComputed.Add(1)
	}
	if replace && delta.userName == nil {
		c.orchestratorInvalid("The UserName field is required.", 0)
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	o := st.orch[key]
	if o == nil {
		c.orchestratorNotFound("User does not exist.", 1002)
		return
	}
	if delta.unattendedPassword != "" {
		if cs, ok := st.readOnlyStore(o.UnattendedRobot, delta.unattended); ok {
			c.orchestratorInvalid(fmt.Sprintf("The credential store '%s' (Id %d) is read-only: the robot's password cannot be set from Orchestrator; change it in the store.", cs.Name, cs.ID), 0)
			return
		}
		if o.UnattendedRobot.external() || delta.unattended.external() {
			c.orchestratorInvalid("The robot's password is kept in an external credential store; set it in that store.", 0)
			return
		}
	}
	if !replace && s.faults.unchangedPatch() {
		// Config.UnchangedPatchRate: a success that changed nothing.
		st.audit.unchanged = append(st.audit.unchanged, key)
		c.empty(http.StatusOK)
		return
	}
	before := auditedUser(o)
	var robotID int64 // server-computed: kept whatever the body says
	if o.UnattendedRobot != nil {
		robotID = o.UnattendedRobot.RobotID
	}
	if replace {
		*o = OrchestratorUser{ID: o.ID, Key: o.Key, DirectoryIdentifier: o.DirectoryIdentifier, Type: o.Type,
			CreationTime: o.CreationTime, LastModificationTime: o.LastModificationTime}
		delete(st.orchPass, key)
	}
	delta.apply(o, st.orchPass)
	if o.UnattendedRobot != nil {
		o.UnattendedRobot.RobotID = robotID
	}
	o.LastModificationTime = nextModification(o.LastModificationTime)
	method := "Patch"
	if replace {
		method = "Put"
	}
	st.auditUser(s.actorOf(c), AuditUpdate, method, o, "",
		map[string]any{"key": key, "properties": delta.given}, before, auditedUser(o))
	c.empty(http.StatusOK)
}

// external reports whether the robot's password lives in an external
// credential store, which Orchestrator only refers to by its name there (a
// store id alone may be the built-in Orchestrator Database store).
func (r *UnattendedRobot) external() bool {
	return r != nil && r.CredentialExternalName != ""
}

// ServerComputedSent returns how many PATCHes of odata/Users({key})
// carried the server-computed RobotId or MachineMappingsCount in their
// UnattendedRobot. They are accepted and ignored, as the service does;
// a careful client sends neither.
func (s *Server) ServerComputedSent() int { return int(s.serverComputed.Load()) }
