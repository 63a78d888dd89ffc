package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Who holds which roles where: folder assignments (odata/Folders/…) and
// tenant roles (odata/Users({key})/…AssignRoles).

// setFolderRoles makes roles (role ids) exactly what the Orchestrator user
// holds in the folder, assigning the user there when it was not: the
// replace of AssignUsers and AssignDomainUser. The caller holds the
// store's write lock.
func (st *store) setFolderRoles(folder, user int64, roles []int64) {
	m := st.access[folder]
	if m == nil {
		m = map[int64][]int64{}
		st.access[folder] = m
	}
	ids := slices.Clone(roles)
	slices.Sort(ids)
	m[user] = slices.Compact(ids)
}

// folderRolesDTO is FolderRolesDto: a folder and the roles given there.
type folderRolesDTO struct {
	FolderID *int64  `json:"FolderId"`
	RoleIDs  []int64 `json:"RoleIds"`
}

// parseRolesPerFolder reads a RolesPerFolder array.
func parseRolesPerFolder(raw json.RawMessage) ([]folderRolesDTO, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New("RolesPerFolder must be an array of FolderRolesDto.")
	}
	out := make([]folderRolesDTO, 0, len(items))
	for _, it := range items {
		var fr folderRolesDTO
		if err := odataProps(it, "UiPath.Server.Configuration.OData.FolderRolesDto", map[string]any{
			"FolderId": &fr.FolderID, "RoleIds": &fr.RoleIDs,
		}); err != nil {
			return nil, err
		}
		if fr.FolderID == nil {
			return nil, errors.New("Every RolesPerFolder item needs a FolderId.")
		}
		out = append(out, fr)
	}
	return out, nil
}

// checkRolesPerFolder answers 400 and reports false unless every folder
// exists and takes assignments (a classic folder, PermissionModel
// InheritFromTenant, does not) and every role exists and may be given in
// a folder (a folder or mixed role, not a tenant role). The caller holds
// the store's lock.
func (st *store) checkRolesPerFolder(c *call, rpf []folderRolesDTO) bool {
	if len(rpf) == 0 {
		c.orchestratorInvalid("RolesPerFolder must name at least one folder.", 0)
		return false
	}
	for _, fr := range rpf {
		f := st.folders[*fr.FolderID]
		if f == nil {
			c.orchestratorInvalid(fmt.Sprintf("Folder %d does not exist.", *fr.FolderID), 1002)
			return false
		}
		if f.PermissionModel != "FineGrained" {
			c.orchestratorInvalid(fmt.Sprintf("Folder %s is a classic folder: accounts cannot be assigned to it.", f.FullyQualifiedName), 0)
			return false
		}
		for _, id := range fr.RoleIDs {
			r := st.role(id)
			if r == nil {
				c.orchestratorInvalid(fmt.Sprintf("Role %d does not exist.", id), 1002)
				return false
			}
			if !r.forFolders() {
				c.orchestratorInvalid(fmt.Sprintf("Role '%s' is a tenant role: it cannot be given in a folder.", r.Name), 0)
				return false
			}
		}
	}
	return true
}

// readAction reads the parameters of an OData action from the body into
// fields (see odataProps); it answers 400 and reports false when they
// cannot be read.
func readAction(c *call, action string, fields map[string]any) bool {
	body, err := readBody(c)
	if err != nil {
		c.orchestratorInvalid("The request body could not be read.", 0)
		return false
	}
	if err := odataProps(body, action, fields); err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return false
	}
	return true
}

// assignUsers serves POST /odata/Folders/UiPath.Server.Configuration.
// OData.AssignUsers: each user's roles in each folder of RolesPerFolder
// become the roles listed there (replacing those it held; none leaves it
// assigned without roles). Folders not listed are left alone. Applied
// whole or not at all; 204.
func (s *Server) assignUsers(c *call) {
	var assignments json.RawMessage
	if !readAction(c, "AssignUsers", map[string]any{"assignments": &assignments}) {
		return
	}
	var userIDs []int64
	var rolesRaw json.RawMessage
	if len(assignments) == 0 || string(assignments) == "null" {
		c.orchestratorInvalid("The assignments parameter is required.", 0)
		return
	}
	if err := odataProps(assignments, "UiPath.Server.Configuration.OData.UserAssignmentsDto", map[string]any{
		"UserIds": &userIDs, "RolesPerFolder": &rolesRaw,
	}); err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	rpf, err := parseRolesPerFolder(rolesRaw)
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	if len(userIDs) == 0 {
		c.orchestratorInvalid("UserIds must name at least one user.", 0)
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, id := range userIDs {
		if st.orch[id] == nil {
			c.orchestratorInvalid(fmt.Sprintf("User %d does not exist.", id), 1002)
			return
		}
	}
	if !st.checkRolesPerFolder(c, rpf) {
		return
	}
	a := s.actorOf(c)
	params := st.folderRolesParams(rpf)
	for _, id := range uniqueIDs(userIDs) {
		for _, fr := range rpf {
			st.setFolderRoles(*fr.FolderID, id, fr.RoleIDs)
		}
		o := st.orch[id]
		st.auditUser(a, AuditAssign, "AssignUsers", o, " to "+folderPaths(params),
			map[string]any{"userId": id, "rolesPerFolder": params}, nil, map[string]any{"RolesPerFolder": params})
	}
	c.empty(http.StatusNoContent)
}

// assignDomainUser serves POST /odata/Folders/UiPath.Server.Configuration.
// OData.AssignDomainUser: the Identity user (UserType DirectoryUser),
// robot account (DirectoryRobot) or group (DirectoryGroup) named by
// DirectoryIdentifier (its Identity id) or else by UserName (a user's
// userName or email, a robot account's or group's name) gets an
// Orchestrator user when it has none yet, then roles per folder as
// AssignUsers gives them. Domain is not read. 204.
func (s *Server) assignDomainUser(c *call) {
	var assignment json.RawMessage
	if !readAction(c, "AssignDomainUser", map[string]any{"assignment": &assignment}) {
		return
	}
	if len(assignment) == 0 || string(assignment) == "null" {
		c.orchestratorInvalid("The assignment parameter is required.", 0)
		return
	}
	var domain, userName, identifier, userType *string
	var rolesRaw json.RawMessage
	if err := odataProps(assignment, "UiPath.Server.Configuration.OData.DomainUserAssignmentDto", map[string]any{
		"Domain": &domain, "UserName": &userName, "DirectoryIdentifier": &identifier, "UserType": &userType, "RolesPerFolder": &rolesRaw,
	}); err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	rpf, err := parseRolesPerFolder(rolesRaw)
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	typ := ""
	if userType != nil {
		typ = *userType
	}
	if typ != TypeDirectoryUser && typ != TypeDirectoryRobot && typ != TypeDirectoryGroup {
		c.orchestratorInvalid(fmt.Sprintf("UserType '%s' cannot be assigned from the directory: give DirectoryUser, DirectoryRobot or DirectoryGroup.", typ), 0)
		return
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if deref(identifier) == "" && deref(userName) == "" {
		c.orchestratorInvalid("Give the DirectoryIdentifier or the UserName of the account or group.", 0)
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.findDirectoryEntity(typ, deref(identifier), deref(userName))
	if !ok {
		who := deref(identifier)
		if who == "" {
			who = deref(userName)
		}
		c.orchestratorInvalid(fmt.Sprintf("The directory has no %s '%s'.", typ, who), 1002)
		return
	}
	if !st.checkRolesPerFolder(c, rpf) {
		return
	}
	known, _ := st.orchestratorUserOf(e)
	o := st.provision(e, newGUID(), time.Now().UTC())
	a := s.actorOf(c)
	if known == nil {
		st.auditUser(a, AuditCreate, "AssignDomainUser", o, "",
			map[string]any{"UserName": o.UserName, "Type": o.Type, "DirectoryIdentifier": o.DirectoryIdentifier}, nil, auditedUser(o))
	}
	for _, fr := range rpf {
		st.setFolderRoles(*fr.FolderID, o.ID, fr.RoleIDs)
	}
	params := st.folderRolesParams(rpf)
	st.auditUser(a, AuditAssign, "AssignDomainUser", o, " to "+folderPaths(params),
		map[string]any{"userName": o.UserName, "directoryIdentifier": o.DirectoryIdentifier, "rolesPerFolder": params},
		nil, map[string]any{"RolesPerFolder": params})
	c.empty(http.StatusNoContent)
}

// removeUserFromFolder serves POST /odata/Folders({key})/UiPath.Server.
// Configuration.OData.RemoveUserFromFolder (body userId) and, with byKey,
// …RemoveUserFromFolderByKey (body userKey, the user's GUID): the user
// leaves the folder, with every role it held there; a user not assigned
// there is left as it is. 204.
func (s *Server) removeUserFromFolder(c *call, byKey bool) {
	folder, ok := orchestratorKey(c)
	if !ok {
		return
	}
	var userID *int64
	var userKey *string
	fields := map[string]any{"userId": &userID}
	action := "RemoveUserFromFolder"
	if byKey {
		fields = map[string]any{"userKey": &userKey}
		action = "RemoveUserFromFolderByKey"
	}
	if !readAction(c, action, fields) {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.folders[folder] == nil {
		c.orchestratorNotFound("Folder does not exist.", 1002)
		return
	}
	var user *OrchestratorUser
	switch {
	case userID != nil:
		user = st.orch[*userID]
	case userKey != nil:
		for _, key := range st.orchOrder {
			if strings.EqualFold(st.orch[key].Key, *userKey) {
				user = st.orch[key]
				break
			}
		}
	}
	if user == nil {
		c.orchestratorInvalid("User does not exist.", 1002)
		return
	}
	held, wasAssigned := st.access[folder][user.ID]
	delete(st.access[folder], user.ID)
	f := st.folders[folder]
	var before any
	if wasAssigned {
		before = map[string]any{"FolderId": folder, "FullyQualifiedName": f.FullyQualifiedName, "Roles": st.roleNames(held)}
	}
	st.auditUser(s.actorOf(c), AuditUnassign, action, user, " from "+f.FullyQualifiedName,
		map[string]any{"folderId": folder, "FullyQualifiedName": f.FullyQualifiedName, "userId": user.ID}, before, nil)
	c.empty(http.StatusNoContent)
}

// assignTenantRoles serves POST /odata/Users({key})/UiPath.Server.
// Configuration.OData.AssignRoles: the user's tenant roles become roleIds
// (replacing those it held; [] takes them all away). A folder role is
// refused: it is given in a folder. 200 without a body.
func (s *Server) assignTenantRoles(c *call) {
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	var roleIDs *[]int64
	if !readAction(c, "AssignRoles", map[string]any{"roleIds": &roleIDs}) {
		return
	}
	if roleIDs == nil {
		c.orchestratorInvalid("The roleIds parameter is required.", 0)
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
	ids := slices.Clone(*roleIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		r := st.role(id)
		if r == nil {
			c.orchestratorInvalid(fmt.Sprintf("Role %d does not exist.", id), 1002)
			return
		}
		if !r.forTenant() {
			c.orchestratorInvalid(fmt.Sprintf("Role '%s' is a folder role: it is given in a folder, not for the tenant.", r.Name), 0)
			return
		}
		names = append(names, r.Name)
	}
	before := auditedUser(o)
	o.RolesList = names
	o.LastModificationTime = nextModification(o.LastModificationTime)
	st.auditUser(s.actorOf(c), AuditUpdate, "AssignRoles", o, "",
		map[string]any{"key": key, "roleIds": ids, "roles": slices.Clone(names)}, before, auditedUser(o))
	c.empty(http.StatusOK)
}

// simpleFolderDTO is SimpleFolderDto.
type simpleFolderDTO struct {
	DisplayName        string `json:"DisplayName"`
	FullyQualifiedName string `json:"FullyQualifiedName"`
	ID                 int64  `json:"Id"`
}

func toSimpleFolder(f *Folder) simpleFolderDTO {
	return simpleFolderDTO{DisplayName: f.DisplayName, FullyQualifiedName: f.FullyQualifiedName, ID: f.ID}
}

// simpleRoleDTO is SimpleRoleDto: a role a user holds in a folder, and
// whether it was given there (Assigned) or in an ancestor (Inherited).
type simpleRoleDTO struct {
	Origin              string           `json:"Origin"`
	RoleType            string           `json:"RoleType"`
	InheritedFromFolder *simpleFolderDTO `json:"InheritedFromFolder,omitempty"`
	Name                string           `json:"Name"`
	ID                  int64            `json:"Id"`
}

// userEntityDTO is UserEntityDto.
type userEntityDTO struct {
	FullName            string  `json:"FullName"`
	UserName            string  `json:"UserName"`
	IsInherited         bool    `json:"IsInherited"`
	AssignedToFolderIDs []int64 `json:"AssignedToFolderIds"`
	MayHaveAttended     bool    `json:"MayHaveAttended"`
	MayHaveUnattended   bool    `json:"MayHaveUnattended"`
	Type                string  `json:"Type"`
	ID                  int64   `json:"Id"`
}

// userRolesDTO is UserRolesDto: a user with access to a folder.
type userRolesDTO struct {
	UserEntity       userEntityDTO   `json:"UserEntity"`
	Roles            []simpleRoleDTO `json:"Roles"`
	HasAlertsEnabled bool            `json:"HasAlertsEnabled"`
	ID               int64           `json:"Id"`
}

// folderMembers returns who has access to f: those assigned there, and
// with inherited those assigned in its ancestors (their roles Inherited,
// from the ancestor that gave them), in user id order. The caller holds
// the store's lock.
func (st *store) folderMembers(f *Folder, inherited bool) []userRolesDTO {
	chain := []*Folder{f}
	if inherited {
		chain = append(chain, st.ancestors(f)...)
	}
	byUser := map[int64]*userRolesDTO{}
	for i, folder := range chain {
		for uid, roleIDs := range st.access[folder.ID] {
			o := st.orch[uid]
			if o == nil {
				continue
			}
			m := byUser[uid]
			if m == nil {
				m = &userRolesDTO{ID: uid, Roles: []simpleRoleDTO{}, UserEntity: userEntityDTO{
					FullName: o.FullName, UserName: o.UserName, IsInherited: true, AssignedToFolderIDs: []int64{},
					MayHaveAttended: o.Type == "User" || o.Type == TypeDirectoryUser, MayHaveUnattended: o.MayHaveUnattended,
					Type: o.Type, ID: uid,
				}}
				byUser[uid] = m
			}
			m.UserEntity.AssignedToFolderIDs = append(m.UserEntity.AssignedToFolderIDs, folder.ID)
			origin, from := "Assigned", (*simpleFolderDTO)(nil)
			if i == 0 {
				m.UserEntity.IsInherited = false
			} else {
				sf := toSimpleFolder(folder)
				origin, from = "Inherited", &sf
			}
			for _, rid := range roleIDs {
				if r := st.role(rid); r != nil {
					m.Roles = append(m.Roles, simpleRoleDTO{Origin: origin, RoleType: r.Type, InheritedFromFolder: from, Name: r.Name, ID: r.ID})
				}
			}
		}
	}
	out := make([]userRolesDTO, 0, len(byUser))
	for _, m := range byUser {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b userRolesDTO) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// getUsersForFolder serves GET /odata/Folders/UiPath.Server.Configuration.
// OData.GetUsersForFolder(key=…,includeInherited=…) with $top and $skip.
func (s *Server) getUsersForFolder(c *call) {
	params, err := functionParams(c.params[0])
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	key, err := strconv.ParseInt(params["key"], 10, 64)
	if err != nil {
		c.orchestratorInvalid("The key parameter must be a folder id (Edm.Int64).", 0)
		return
	}
	inherited, err := strconv.ParseBool(params["includeInherited"])
	if err != nil {
		c.orchestratorInvalid("The includeInherited parameter must be true or false.", 0)
		return
	}
	if c.r.URL.Query().Get("$filter") != "" {
		c.orchestratorInvalid("The emulator does not filter the users of a folder.", 0)
		return
	}
	top, skip, ok := odataPaging(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	f := s.state.folders[key]
	var members []userRolesDTO
	if f != nil {
		members = s.state.folderMembers(f, inherited)
	}
	s.state.mu.RUnlock()
	if f == nil {
		c.orchestratorNotFound("Folder does not exist.", 1002)
		return
	}
	page := members[min(skip, len(members)):min(skip+top, len(members))]
	body, _ := json.Marshal(struct {
		Context string         `json:"@odata.context"`
		Count   int            `json:"@odata.count"`
		Value   []userRolesDTO `json:"value"`
	}{s.odataContext(c, "Collection(UiPath.Server.Configuration.OData.UserRolesDto)"), len(members), page})
	c.json(http.StatusOK, body)
}

// simpleUserEntityDTO is SimpleUserEntityDto: who holds a role.
type simpleUserEntityDTO struct {
	UserName          string `json:"UserName"`
	IsInherited       bool   `json:"IsInherited"`
	MayHaveAttended   bool   `json:"MayHaveAttended"`
	MayHaveUnattended bool   `json:"MayHaveUnattended"`
	Type              string `json:"Type"`
	ID                int64  `json:"Id"`
}

// roleUsersDTO is RoleUsersDto: a role and who holds it.
type roleUsersDTO struct {
	Name  string                `json:"Name"`
	Users []simpleUserEntityDTO `json:"Users"`
	ID    int64                 `json:"Id"`
}

// folderAssignmentsDTO is FolderAssignmentsDto: a folder and the roles
// held there.
type folderAssignmentsDTO struct {
	Folder simpleFolderDTO `json:"Folder"`
	Roles  []roleUsersDTO  `json:"Roles"`
}

// userRoleAssignmentsDTO is UserRoleAssignmentsDto.
type userRoleAssignmentsDTO struct {
	Context     string                 `json:"@odata.context"`
	TenantRoles []roleUsersDTO         `json:"TenantRoles"`
	PageItems   []folderAssignmentsDTO `json:"PageItems"`
	Count       int                    `json:"Count"`
}

// directoryObjectTypes maps GetAllRolesForUser's type parameter
// (DirectoryObjectType) to the Orchestrator user types it covers and the
// Identity entity type to look the name up as.
var directoryObjectTypes = map[string]struct {
	types []string
	dir   string
}{
	"User":                {[]string{"User", TypeDirectoryUser}, TypeDirectoryUser},
	"Group":               {[]string{TypeDirectoryGroup}, TypeDirectoryGroup},
	"Robot":               {[]string{"Robot", TypeDirectoryRobot}, TypeDirectoryRobot},
	"Machine":             {},
	"ExternalApplication": {},
}

// accessHolders returns who holds access on behalf of the account called
// name, of the DirectoryObjectType typ: its own Orchestrator user (when it
// has one) and those of the Identity groups it belongs to. The caller
// holds the store's lock.
func (st *store) accessHolders(typ, name string) []*OrchestratorUser {
	kind := directoryObjectTypes[typ]
	var out []*OrchestratorUser
	for _, key := range st.orchOrder {
		if o := st.orch[key]; slices.Contains(kind.types, o.Type) && strings.EqualFold(o.UserName, name) {
			out = append(out, o)
			break
		}
	}
	if kind.dir == "" || kind.dir == TypeDirectoryGroup {
		return out
	}
	identity := ""
	if len(out) == 1 && out[0].DirectoryIdentifier != "" {
		identity = out[0].DirectoryIdentifier
	} else if e, ok := st.findDirectoryEntity(kind.dir, "", name); ok {
		identity = e.id
	}
	if identity != "" {
		out = append(out, st.groupsOf(identity)...)
	}
	return out
}

// getAllRolesForUser serves GET /odata/Folders/UiPath.Server.Configuration.
// OData.GetAllRolesForUser(username='…',skip=…,take=…)?type=…: the tenant
// roles and, a page of take folders after skip (in path order), the
// folder roles the account holds itself or through its groups; Users of
// each role say who holds it. An account nobody gave access has none.
func (s *Server) getAllRolesForUser(c *call) {
	params, err := functionParams(c.params[0])
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	name := params["username"]
	skip, err1 := strconv.Atoi(params["skip"])
	take, err2 := strconv.Atoi(params["take"])
	if err1 != nil || err2 != nil || skip < 0 || take < 0 {
		c.orchestratorInvalid("The skip and take parameters must be non-negative integers (Edm.Int32).", 0)
		return
	}
	typ := c.r.URL.Query().Get("type")
	if typ == "" {
		typ = "User"
	}
	if _, known := directoryObjectTypes[typ]; !known {
		c.orchestratorInvalid(fmt.Sprintf("The value '%s' is not valid for type: give User, Group, Machine, Robot or ExternalApplication.", typ), 0)
		return
	}
	st := s.state
	st.mu.RLock()
	holders := st.accessHolders(typ, name)
	answer := userRoleAssignmentsDTO{
		Context:     s.odataContext(c, "UiPath.Server.Configuration.OData.UserRoleAssignmentsDto"),
		TenantRoles: st.tenantRolesOf(holders), PageItems: []folderAssignmentsDTO{},
	}
	folders := st.foldersOf(holders)
	answer.Count = len(folders)
	for _, f := range folders[min(skip, len(folders)):min(skip+take, len(folders))] {
		answer.PageItems = append(answer.PageItems, folderAssignmentsDTO{Folder: toSimpleFolder(f), Roles: st.rolesIn(f, holders)})
	}
	st.mu.RUnlock()
	body, _ := json.Marshal(answer)
	c.json(http.StatusOK, body)
}

// heldRoles groups who holds which role, in role id order.
type heldRoles map[int64][]simpleUserEntityDTO

func (h heldRoles) add(role int64, o *OrchestratorUser) {
	h[role] = append(h[role], simpleUserEntityDTO{UserName: o.UserName, MayHaveAttended: o.Type == "User" || o.Type == TypeDirectoryUser,
		MayHaveUnattended: o.MayHaveUnattended, Type: o.Type, ID: o.ID})
}

// list returns the roles and their holders. The caller holds the store's
// lock.
func (h heldRoles) list(st *store) []roleUsersDTO {
	ids := make([]int64, 0, len(h))
	for id := range h {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]roleUsersDTO, 0, len(ids))
	for _, id := range ids {
		name := ""
		if r := st.role(id); r != nil {
			name = r.Name
		}
		out = append(out, roleUsersDTO{Name: name, Users: h[id], ID: id})
	}
	return out
}

// tenantRolesOf returns the tenant roles the holders hold. The caller
// holds the store's lock.
func (st *store) tenantRolesOf(holders []*OrchestratorUser) []roleUsersDTO {
	h := heldRoles{}
	for _, o := range holders {
		for _, name := range o.RolesList {
			if r := st.roleNamed(name); r != nil {
				h.add(r.ID, o)
			}
		}
	}
	return h.list(st)
}

// foldersOf returns the folders where any of holders is assigned, in path
// order. The caller holds the store's lock.
func (st *store) foldersOf(holders []*OrchestratorUser) []*Folder {
	var out []*Folder
	for _, id := range st.folderOrder {
		for _, o := range holders {
			if _, ok := st.access[id][o.ID]; ok {
				out = append(out, st.folders[id])
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b *Folder) int { return cmp.Compare(a.FullyQualifiedName, b.FullyQualifiedName) })
	return out
}

// rolesIn returns the roles holders hold in f. The caller holds the
// store's lock.
func (st *store) rolesIn(f *Folder, holders []*OrchestratorUser) []roleUsersDTO {
	h := heldRoles{}
	for _, o := range holders {
		for _, rid := range st.access[f.ID][o.ID] {
			h.add(rid, o)
		}
	}
	return h.list(st)
}

// functionParams reads the parameters of an OData function call, the text
// between its parentheses ("key=5,includeInherited=true",
// "username='jdoe',skip=0,take=10"), by name; a quoted value is unquoted,
// a doubled quote in it read as one.
func functionParams(s string) (map[string]string, error) {
	out := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("The function parameters (%s) are not name=value pairs.", s)
		}
		var value string
		if rest = strings.TrimLeft(rest, " "); strings.HasPrefix(rest, "'") {
			var b strings.Builder
			i := 1
			for ; i < len(rest); i++ {
				if rest[i] == '\'' {
					if i+1 < len(rest) && rest[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					break
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil, fmt.Errorf("The value of parameter %s lacks its closing quote.", name)
			}
			value, rest = b.String(), strings.TrimLeft(rest[i+1:], " ")
			if rest != "" && rest[0] != ',' {
				return nil, fmt.Errorf("The value of parameter %s has text after its closing quote.", name)
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			value, rest, _ = strings.Cut(rest, ",")
			value = strings.TrimSpace(value)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("Parameter %s is given twice.", name)
		}
		out[name] = value
		s = rest
	}
	return out, nil
}
