package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Who holds which roles where: folder assignments (odata/Folders/…, on
// FoldersService) and tenant roles (odata/Users({key})/…AssignRoles, on
// OrchestratorUsersService). Every account is named by its Orchestrator
// user id (OrchestratorUser.ID); an Identity account or group Orchestrator
// does not list yet is given access by AssignDirectoryUser, which makes
// its Orchestrator user.

// odataActions is the namespace of Orchestrator's OData actions and
// functions, with the dot that joins it to their names.
const odataActions = "UiPath.Server.Configuration.OData."

// FolderRef names a folder in an answer about access.
type FolderRef struct {
	ID                 int64  `json:"Id"`
	DisplayName        string `json:"DisplayName"`
	FullyQualifiedName string `json:"FullyQualifiedName"`
}

// FolderMember is an account with access to a folder (UserRolesDto), and
// its roles there.
type FolderMember struct {
	// UserID is the account's Orchestrator user id, as AssignUsers and
	// RemoveUser take it.
	UserID   int64
	UserName string
	FullName string
	// Type is a UserDto.Type name ("DirectoryUser", "DirectoryGroup",
	// "DirectoryRobot", "User", "Robot", …), read from the name or its
	// integer code.
	Type string
	// Inherited tells that the account is not assigned in the folder
	// itself: every role it holds there comes from an ancestor.
	Inherited bool
	// AssignedToFolderIDs are the folders (this one and its ancestors)
	// the account is assigned to itself.
	AssignedToFolderIDs []int64
	Roles               []FolderRole
}

// FolderRole is a role an account holds in a folder (SimpleRoleDto).
type FolderRole struct {
	ID   int64
	Name string
	// Type is "Folder", "Mixed" or "Tenant" (see Role.Type).
	Type string
	// Inherited tells a role given in an ancestor, From, rather than in
	// the folder itself (Origin Inherited rather than Assigned).
	Inherited bool
	From      *FolderRef
}

// Enums of folder access, in the published definitions' order.
var roleOrigins = enum{"Assigned", "Inherited"}

// UnmarshalJSON reads a UserRolesDto: enums as names or integer codes.
func (m *FolderMember) UnmarshalJSON(b []byte) error {
	var w struct {
		ID         int64 `json:"Id"`
		UserEntity struct {
			ID                  int64           `json:"Id"`
			UserName            string          `json:"UserName"`
			FullName            *string         `json:"FullName"`
			Type                json.RawMessage `json:"Type"`
			IsInherited         bool            `json:"IsInherited"`
			AssignedToFolderIDs []int64         `json:"AssignedToFolderIds"`
		} `json:"UserEntity"`
		Roles []struct {
			ID                  int64           `json:"Id"`
			Name                string          `json:"Name"`
			RoleType            json.RawMessage `json:"RoleType"`
			Origin              json.RawMessage `json:"Origin"`
			InheritedFromFolder *FolderRef      `json:"InheritedFromFolder"`
		} `json:"Roles"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("folder user: %w", err)
	}
	e := w.UserEntity
	*m = FolderMember{UserID: e.ID, UserName: e.UserName, Inherited: e.IsInherited, AssignedToFolderIDs: e.AssignedToFolderIDs}
	if m.UserID == 0 {
		m.UserID = w.ID
	}
	if e.FullName != nil {
		m.FullName = *e.FullName
	}
	m.Type, _ = orchestratorUserTypes.decode(e.Type)
	for _, r := range w.Roles {
		fr := FolderRole{ID: r.ID, Name: r.Name, From: r.InheritedFromFolder}
		fr.Type, _ = roleTypes.decode(r.RoleType)
		origin, _ := roleOrigins.decode(r.Origin)
		fr.Inherited = origin == "Inherited"
		m.Roles = append(m.Roles, fr)
	}
	return nil
}

// Users reads who has access to the folder with id, and their roles there
// (GET odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder
// with $top, $skip and $count, every page). With includeInherited, the
// accounts assigned in the folder's ancestors are there too, their roles
// marked Inherited, with the ancestor that gave them. A group is listed
// as itself, not as its members.
func (s *FoldersService) Users(ctx context.Context, folderID int64, includeInherited bool) ([]FolderMember, error) {
	rel := fmt.Sprintf("odata/Folders/%sGetUsersForFolder(key=%d,includeInherited=%t)?", odataActions, folderID, includeInherited)
	var out []FolderMember
	seen := map[int64]bool{}
	err := odataWalk(ctx, s.client, fmt.Sprintf("users of folder %d", folderID), rel, func(m FolderMember) error {
		if !seen[m.UserID] { // pages of a list that changed under them
			seen[m.UserID] = true
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// FolderRoles are the roles (ids) to give in a folder (id).
type FolderRoles struct {
	FolderID int64
	RoleIDs  []int64
}

// wireRolesPerFolder is RolesPerFolder as FolderRolesDto items; RoleIds is
// [] rather than null for none.
func wireRolesPerFolder(rpf []FolderRoles) []map[string]any {
	out := make([]map[string]any, 0, len(rpf))
	for _, fr := range rpf {
		ids := fr.RoleIDs
		if ids == nil {
			ids = []int64{}
		}
		out = append(out, map[string]any{"FolderId": fr.FolderID, "RoleIds": ids})
	}
	return out
}

// AssignUsers gives each user (Orchestrator user ids), in one request,
// exactly the roles rolesPerFolder lists in each of its folders (POST
// odata/Folders/UiPath.Server.Configuration.OData.AssignUsers). It
// REPLACES the roles a user held in a folder it names: to add a role,
// send the roles the user holds there (FoldersService.Users) with it; no
// roles leaves the user assigned without any. Folders it does not name
// are left as they are. The service refuses the request whole (400) for
// an unknown user, folder or role, or a tenant role. Being a replace, the
// same request sent twice leaves the same state: a lost answer can be
// settled by reading the folder's users or sending it again.
func (s *FoldersService) AssignUsers(ctx context.Context, userIDs []int64, rolesPerFolder []FolderRoles, opts ...WriteOption) error {
	body := map[string]any{"assignments": map[string]any{"UserIds": userIDs, "RolesPerFolder": wireRolesPerFolder(rolesPerFolder)}}
	req, err := s.client.orchestratorRequest(ctx, http.MethodPost, "odata/Folders/"+odataActions+"AssignUsers", body)
	if err != nil {
		return err
	}
	if _, err := s.client.Do(req, nil, opts...); err != nil {
		return fmt.Errorf("assign %d users to %d folders: %w", len(userIDs), len(rolesPerFolder), err)
	}
	return nil
}

// Orchestrator user types that stand for an Identity user, robot account
// or group (UserDto.Type, DirectoryAssignment.Type).
const (
	TypeDirectoryUser  = "DirectoryUser"
	TypeDirectoryRobot = "DirectoryRobot"
	TypeDirectoryGroup = "DirectoryGroup"
)

// DirectoryAssignment gives an Identity user (Type DirectoryUser), robot
// account (DirectoryRobot) or group (DirectoryGroup) roles in folders. It
// is named by DirectoryIdentifier, its Identity id (the surest), or else
// by UserName (a user's userName or email, a robot account's or group's
// name), with Domain when the directory needs one.
type DirectoryAssignment struct {
	Type                string
	DirectoryIdentifier string
	UserName            string
	Domain              string
	RolesPerFolder      []FolderRoles
}

// AssignDirectoryUser gives a directory account or group roles in folders
// (POST odata/Folders/UiPath.Server.Configuration.OData.AssignDomainUser):
// what gives access to an Identity account or group that Orchestrator
// does not list yet, which it then lists as an Orchestrator user of type
// a.Type (find it with OrchestratorUsersService.All by its
// DirectoryIdentifier). Roles per folder are replaced as AssignUsers
// replaces them.
func (s *FoldersService) AssignDirectoryUser(ctx context.Context, a DirectoryAssignment, opts ...WriteOption) error {
	assignment := map[string]any{"UserType": a.Type, "RolesPerFolder": wireRolesPerFolder(a.RolesPerFolder)}
	for k, v := range map[string]string{"DirectoryIdentifier": a.DirectoryIdentifier, "UserName": a.UserName, "Domain": a.Domain} {
		if v != "" {
			assignment[k] = v
		}
	}
	req, err := s.client.orchestratorRequest(ctx, http.MethodPost, "odata/Folders/"+odataActions+"AssignDomainUser", map[string]any{"assignment": assignment})
	if err != nil {
		return err
	}
	who := a.DirectoryIdentifier
	if who == "" {
		who = a.UserName
	}
	if _, err := s.client.Do(req, nil, opts...); err != nil {
		return fmt.Errorf("assign %s %s to %d folders: %w", a.Type, who, len(a.RolesPerFolder), err)
	}
	return nil
}

// RemoveUser takes the user (Orchestrator user id) out of the folder, with
// every role it held there (POST odata/Folders({key})/UiPath.Server.
// Configuration.OData.RemoveUserFromFolder). Roles it inherits from the
// folder's ancestors stay: remove it there.
func (s *FoldersService) RemoveUser(ctx context.Context, folderID, userID int64, opts ...WriteOption) error {
	req, err := s.client.orchestratorRequest(ctx, http.MethodPost, folderPath(folderID, "/"+odataActions+"RemoveUserFromFolder"), map[string]any{"userId": userID})
	if err != nil {
		return err
	}
	if _, err := s.client.Do(req, nil, opts...); err != nil {
		return fmt.Errorf("remove user %d from folder %d: %w", userID, folderID, err)
	}
	return nil
}

// AccessHolder is who holds a role on an account's behalf: the account
// itself or one of its groups (SimpleUserEntityDto).
type AccessHolder struct {
	ID       int64
	UserName string
	// Type is a UserDto.Type name (TypeDirectoryGroup for a group).
	Type string
}

// HeldRole is a role and who holds it (RoleUsersDto).
type HeldRole struct {
	ID      int64
	Name    string
	Holders []AccessHolder
}

// FolderAccess is the roles an account holds in one folder, itself or
// through its groups.
type FolderAccess struct {
	Folder FolderRef
	Roles  []HeldRole
}

// AccountAccess is what an account holds across the tenant
// (UserRoleAssignmentsDto): its tenant roles, and the folders where it or
// one of its groups is assigned, with the roles there.
type AccountAccess struct {
	TenantRoles []HeldRole
	Folders     []FolderAccess
}

// roleUsersWire is RoleUsersDto as it arrives.
type roleUsersWire struct {
	ID    int64  `json:"Id"`
	Name  string `json:"Name"`
	Users []struct {
		ID       int64           `json:"Id"`
		UserName string          `json:"UserName"`
		Type     json.RawMessage `json:"Type"`
	} `json:"Users"`
}

func (r roleUsersWire) held() HeldRole {
	h := HeldRole{ID: r.ID, Name: r.Name}
	for _, u := range r.Users {
		typ, _ := orchestratorUserTypes.decode(u.Type)
		h.Holders = append(h.Holders, AccessHolder{ID: u.ID, UserName: u.UserName, Type: typ})
	}
	return h
}

// Directory object types, the kinds of account AccessOf looks up.
const (
	AccountUser  = "User"
	AccountGroup = "Group"
	AccountRobot = "Robot"
)

// AccessOf reads what the account called userName holds across the tenant
// (GET odata/Folders/UiPath.Server.Configuration.OData.GetAllRolesForUser,
// every page): typ is AccountUser (""), AccountGroup or AccountRobot. A
// user's folders include those its groups are assigned to; the holders of
// each role say which. An account nobody gave access holds nothing (no
// error). The service cannot read a name with "/" or "\" this way.
func (s *FoldersService) AccessOf(ctx context.Context, userName, typ string) (AccountAccess, error) {
	var out AccountAccess
	name := url.PathEscape(strings.ReplaceAll(userName, "'", "''"))
	for skip := 0; ; {
		rel := "odata/Folders/" + odataActions + "GetAllRolesForUser(username='" + name + "',skip=" + strconv.Itoa(skip) + ",take=" + strconv.Itoa(orchestratorPage) + ")"
		if typ != "" {
			rel += "?type=" + url.QueryEscape(typ)
		}
		req, err := s.client.orchestratorRequest(ctx, http.MethodGet, rel, nil)
		if err != nil {
			return AccountAccess{}, err
		}
		var page struct {
			TenantRoles []roleUsersWire `json:"TenantRoles"`
			PageItems   []struct {
				Folder FolderRef       `json:"Folder"`
				Roles  []roleUsersWire `json:"Roles"`
			} `json:"PageItems"`
			Count int64 `json:"Count"`
		}
		if _, err := s.client.Do(req, &page); err != nil {
			return AccountAccess{}, fmt.Errorf("read the access of %s: %w", userName, err)
		}
		if skip == 0 {
			for _, r := range page.TenantRoles {
				out.TenantRoles = append(out.TenantRoles, r.held())
			}
		}
		for _, it := range page.PageItems {
			fa := FolderAccess{Folder: it.Folder}
			for _, r := range it.Roles {
				fa.Roles = append(fa.Roles, r.held())
			}
			out.Folders = append(out.Folders, fa)
		}
		skip += len(page.PageItems)
		if pageDone(len(page.PageItems), orchestratorPage, skip, page.Count) {
			return out, nil
		}
	}
}

// AssignTenantRoles makes roleIDs exactly the user's tenant roles (POST
// odata/Users({key})/UiPath.Server.Configuration.OData.AssignRoles). It
// REPLACES the roles the user held: to add one, send the user's roles
// (OrchestratorUser.RolesList, by id from RolesService.List) with it; an
// empty list takes them all away. A folder role is refused (400): it is
// given in a folder. Like AssignUsers it can be sent again after a lost
// answer. Needs OR.Users.Write (OpAssignTenantRoles).
func (s *OrchestratorUsersService) AssignTenantRoles(ctx context.Context, userID int64, roleIDs []int64, opts ...WriteOption) error {
	if roleIDs == nil {
		roleIDs = []int64{}
	}
	req, err := s.newRequest(ctx, http.MethodPost, userPath(userID)+"/"+odataActions+"AssignRoles", map[string]any{"roleIds": roleIDs})
	if err != nil {
		return err
	}
	if _, err := s.client.Do(req, nil, opts...); err != nil {
		return fmt.Errorf("assign tenant roles to Orchestrator user %d: %w", userID, err)
	}
	return nil
}
