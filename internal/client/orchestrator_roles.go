package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// RolesService reads Orchestrator's roles (odata/Roles). Its reads need
// the scope OR.Users.Read (or OR.Users), as the published definitions say:
// ask for it with OpListRoles.
type RolesService service

// Roles returns the client's role service.
func (c *Client) Roles() *RolesService { return &RolesService{client: c} }

// Role is an Orchestrator role (RoleDto), the parts we use. Role ids
// differ between organizations: name roles by name.
type Role struct {
	ID          int64
	Name        string
	DisplayName string
	// Type is "Tenant" (given for the whole tenant, AssignTenantRoles),
	// "Folder" (given in a folder, AssignUsers) or "Mixed" (either), read
	// from the name or its integer code (see UnknownEnum).
	Type string
	// IsStatic tells a role the service defines (it cannot be deleted);
	// IsEditable whether its permissions can be changed.
	IsStatic, IsEditable bool
}

// Role types, as RoleDto.Type names them.
const (
	RoleTypeTenant = "Tenant"
	RoleTypeFolder = "Folder"
	RoleTypeMixed  = "Mixed"
)

// roleTypes is RoleDto.Type, in the published definitions' order.
var roleTypes = enum{RoleTypeMixed, RoleTypeTenant, RoleTypeFolder}

// ForTenant reports whether the role may be given for the whole tenant.
func (r Role) ForTenant() bool { return r.Type == RoleTypeTenant || r.Type == RoleTypeMixed }

// ForFolders reports whether the role may be given in a folder.
func (r Role) ForFolders() bool { return r.Type == RoleTypeFolder || r.Type == RoleTypeMixed }

// UnmarshalJSON reads a RoleDto, Type as a name or an integer code.
func (r *Role) UnmarshalJSON(b []byte) error {
	var w struct {
		ID          int64           `json:"Id"`
		Name        string          `json:"Name"`
		DisplayName string          `json:"DisplayName"`
		Type        json.RawMessage `json:"Type"`
		IsStatic    bool            `json:"IsStatic"`
		IsEditable  bool            `json:"IsEditable"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("role: %w", err)
	}
	*r = Role{ID: w.ID, Name: w.Name, DisplayName: w.DisplayName, IsStatic: w.IsStatic, IsEditable: w.IsEditable}
	r.Type, _ = roleTypes.decode(w.Type)
	return nil
}

// List reads every role of the tenant, tenant, folder and mixed, built-in
// and custom (GET odata/Roles with $top, $skip and $count, in id order).
func (s *RolesService) List(ctx context.Context) ([]Role, error) {
	var out []Role
	err := odataWalk(ctx, s.client, "roles", "odata/Roles?$orderby=Id%20asc&", func(r Role) error {
		out = append(out, r)
		return nil
	})
	return out, err
}
