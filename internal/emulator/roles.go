package emulator

import (
	"slices"
	"strings"
)

// Role is an Orchestrator role (RoleDto). Type is Tenant (given to a user
// for the whole tenant, odata/Users({key})/…AssignRoles), Folder (given
// in a folder, odata/Folders/…AssignUsers) or Mixed (either).
type Role struct {
	ID          int64  `json:"Id"`
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	Type        string `json:"Type"`
	IsStatic    bool   `json:"IsStatic"`
	IsEditable  bool   `json:"IsEditable"`
}

// Role types, as RoleDto.Type names them.
const (
	RoleTenant = "Tenant"
	RoleFolder = "Folder"
	RoleMixed  = "Mixed"
)

// roleTypes are RoleDto.Type's values.
var roleTypes = []string{RoleMixed, RoleTenant, RoleFolder}

// forTenant reports whether the role may be given for the whole tenant.
func (r *Role) forTenant() bool { return r.Type == RoleTenant || r.Type == RoleMixed }

// forFolders reports whether the role may be given in a folder.
func (r *Role) forFolders() bool { return r.Type == RoleFolder || r.Type == RoleMixed }

// builtInRoles are the roles every tenant holds, in id order: the static
// ones UiPath defines (Administrator and Robot mixed, Personal Workspace
// Administrator a folder role) and the standard roles of modern folders
// (UiPath's "Default roles" page).
var builtInRoles = []Role{
	{Name: "Administrator", Type: RoleMixed, IsStatic: true},
	{Name: "Robot", Type: RoleMixed, IsStatic: true, IsEditable: true},
	{Name: "Personal Workspace Administrator", Type: RoleFolder, IsStatic: true},
	{Name: "Tenant Administrator", Type: RoleTenant, IsEditable: true},
	{Name: "Allow to be Automation User", Type: RoleTenant, IsEditable: true},
	{Name: "Allow to be Automation Developer", Type: RoleTenant, IsEditable: true},
	{Name: "Allow to be Automation Publisher", Type: RoleTenant, IsEditable: true},
	{Name: "Allow to be Folder Administrator", Type: RoleTenant, IsEditable: true},
	{Name: "Automation User", Type: RoleFolder, IsEditable: true},
	{Name: "Automation Developer", Type: RoleFolder, IsEditable: true},
	{Name: "Automation Publisher", Type: RoleFolder, IsEditable: true},
	{Name: "Folder Administrator", Type: RoleFolder, IsEditable: true},
}

// roleIDBase is where the role ids of an organization generated from seed
// start: role ids differ between organizations of different seeds, as they
// do between UiPath tenants.
func roleIDBase(seed int64) int64 { return 100 + 100*seedSlot(seed) }

// addRole appends a role with the next id and returns that id. The caller
// holds the store's write lock.
func (st *store) addRole(r Role) int64 {
	st.lastRole++
	r.ID = st.lastRole
	if r.DisplayName == "" {
		r.DisplayName = r.Name
	}
	st.roles = append(st.roles, r)
	return r.ID
}

// role returns the role with id; nil when none. The caller holds the
// store's lock.
func (st *store) role(id int64) *Role {
	i, found := slices.BinarySearchFunc(st.roles, id, func(r Role, id int64) int {
		switch {
		case r.ID < id:
			return -1
		case r.ID > id:
			return 1
		}
		return 0
	})
	if !found {
		return nil
	}
	return &st.roles[i]
}

// roleNamed returns the role called name (case-insensitively); nil when
// none. The caller holds the store's lock.
func (st *store) roleNamed(name string) *Role {
	i := slices.IndexFunc(st.roles, func(r Role) bool { return strings.EqualFold(r.Name, name) })
	if i < 0 {
		return nil
	}
	return &st.roles[i]
}

// roleDTO is RoleDto as GET answers it (without Permissions, which only
// $expand brings).
type roleDTO struct {
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	Type        string `json:"Type"`
	IsStatic    bool   `json:"IsStatic"`
	IsEditable  bool   `json:"IsEditable"`
	ID          int64  `json:"Id"`
}

// roleFields are the RoleDto properties a $filter compares.
var roleFields = odataFields[Role]{
	typeName: "UiPath.Server.Configuration.OData.RoleDto",
	id:       func(r *Role) int64 { return r.ID },
	text: map[string]func(*Role) string{
		"Name":        func(r *Role) string { return r.Name },
		"DisplayName": func(r *Role) string { return r.DisplayName },
		"Type":        func(r *Role) string { return r.Type },
	},
}

// listRoles serves GET /odata/Roles with $filter, $top and $skip, in id
// order: tenant, folder and mixed roles, built-in and custom.
func (s *Server) listRoles(c *call) {
	serveODataList(s, c, "Roles", roleFields, func(st *store, skip, top int, match func(*Role) bool) ([]roleDTO, int) {
		out := []roleDTO{}
		count := 0
		for i := range st.roles {
			r := &st.roles[i]
			if !match(r) {
				continue
			}
			if count >= skip && len(out) < top {
				out = append(out, roleDTO{Name: r.Name, DisplayName: r.DisplayName, Type: r.Type, IsStatic: r.IsStatic, IsEditable: r.IsEditable, ID: r.ID})
			}
			count++
		}
		return out, count
	})
}
