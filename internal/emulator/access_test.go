package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// orgA is organization A of the access tests: a three-level folder tree
// and a root folder, a custom folder and tenant role, two users (one in a
// group), a robot account with its Orchestrator user, folder assignments
// at each level and tenant roles.
func orgA() *SeedFile {
	no := false
	return &SeedFile{
		Users: []SeedUser{
			{UserName: "jdoe", Email: "jane.doe@example.com", Name: "Jane", Surname: "Doe", DisplayName: "Jane Doe"},
			{UserName: "rroe", Email: "rich.roe@example.com", IsActive: &no},
		},
		Groups:        []SeedGroup{{Name: "Finance Team", Members: []string{"jdoe"}}},
		RobotAccounts: []SeedRobot{{Name: "robot-night", DisplayName: "Night robot"}},
		OrchestratorUsers: []SeedOrchestrator{{ID: 2001, UserName: "robot-night", Type: TypeDirectoryRobot,
			UnattendedRobot: &SeedUnattended{UserName: `CORP\svc-night`, Password: "Night-Pass-1", CredentialType: "Default"}}},
		Roles:   []SeedRole{{Name: "Finance Clerk", Type: RoleFolder}, {Name: "Auditor", Type: RoleTenant}},
		Folders: []SeedFolder{{Path: "Shared/Finance/AP", Description: "Accounts payable"}, {Path: "Operations"}},
		FolderAssignments: []SeedAssignment{
			{Account: "Finance Team", Folder: "Shared", Roles: []string{"Automation User"}},
			{Account: "jdoe", Folder: "Shared/Finance", Roles: []string{"Finance Clerk", "Automation User"}},
			{Account: "robot-night", Folder: "Shared/Finance/AP", Roles: []string{"Automation User"}},
		},
		TenantRoles: []SeedTenantRoles{{Account: "jdoe", Roles: []string{"Allow to be Automation User", "Auditor"}}},
	}
}

// folderID returns the id of the folder at path.
func folderID(t *testing.T, h *harness, path string) int64 {
	t.Helper()
	f, ok := h.srv.FolderByPath(path)
	if !ok {
		t.Fatalf("no folder %s", path)
	}
	return f.ID
}

// roleID returns the id of the role called name.
func roleID(t *testing.T, h *harness, name string) int64 {
	t.Helper()
	r, ok := h.srv.RoleNamed(name)
	if !ok {
		t.Fatalf("no role %s", name)
	}
	return r.ID
}

// orchUser returns the Orchestrator user called name.
func orchUser(t *testing.T, h *harness, name string) OrchestratorUser {
	t.Helper()
	for _, o := range h.srv.OrchestratorUsers() {
		if strings.EqualFold(o.UserName, name) {
			return o
		}
	}
	t.Fatalf("no Orchestrator user %s", name)
	return OrchestratorUser{}
}

// members is GetUsersForFolder's answer, as the tests read it.
type members struct {
	Count int `json:"@odata.count"`
	Value []struct {
		UserEntity struct {
			ID                  int64 `json:"Id"`
			UserName, Type      string
			IsInherited         bool
			AssignedToFolderIDs []int64 `json:"AssignedToFolderIds"`
		}
		Roles []struct {
			ID                  int64 `json:"Id"`
			Name, Origin        string
			RoleType            string
			InheritedFromFolder *struct {
				ID                 int64 `json:"Id"`
				FullyQualifiedName string
			}
		}
	} `json:"value"`
}

// summary is "user: role (origin), …; …", for comparing.
func (m members) summary() string {
	var users []string
	for _, v := range m.Value {
		var roles []string
		for _, r := range v.Roles {
			from := ""
			if r.InheritedFromFolder != nil {
				from = " from " + r.InheritedFromFolder.FullyQualifiedName
			}
			roles = append(roles, r.Name+" ("+r.Origin+from+")")
		}
		users = append(users, fmt.Sprintf("%s %s: %s", v.UserEntity.Type, v.UserEntity.UserName, strings.Join(roles, ", ")))
	}
	return strings.Join(users, "; ")
}

func (h *harness) folderUsers(t *testing.T, tok string, folder int64, inherited bool, query string) members {
	t.Helper()
	u := h.orchestrator(fmt.Sprintf("/odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key=%d,includeInherited=%t)", folder, inherited))
	if query != "" {
		u += "?" + query
	}
	resp, body := h.do(t, http.MethodGet, u, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var m members
	mustJSON(t, body, &m)
	return m
}

// An account assigned in a folder is a user of its subfolders too, its
// roles there Inherited from the folder that gave them; without
// includeInherited a folder lists only its own.
func TestFolderUsersInheritFromAncestors(t *testing.T) {
	h := startServer(t, Config{SeedData: orgA()})
	tok := h.token(t)
	ap := folderID(t, h, "Shared/Finance/AP")

	all := h.folderUsers(t, tok, ap, true, "")
	want := "DirectoryRobot robot-night: Automation User (Assigned); " +
		"DirectoryGroup Finance Team: Automation User (Inherited from Shared); " +
		"DirectoryUser jdoe: Automation User (Inherited from Shared/Finance), Finance Clerk (Inherited from Shared/Finance)"
	if got := all.summary(); got != want || all.Count != 3 {
		t.Fatalf("users of AP with inherited (%d):\n got %s\nwant %s", all.Count, got, want)
	}
	for _, v := range all.Value {
		if inherited := v.UserEntity.UserName != "robot-night"; v.UserEntity.IsInherited != inherited {
			t.Errorf("%s IsInherited %v", v.UserEntity.UserName, v.UserEntity.IsInherited)
		}
	}
	own := h.folderUsers(t, tok, ap, false, "")
	if got := own.summary(); got != "DirectoryRobot robot-night: Automation User (Assigned)" || own.Count != 1 {
		t.Fatalf("own users of AP: %s", got)
	}
	// Paging: $top and $skip over the users, the count of them all.
	page := h.folderUsers(t, tok, ap, true, "$top=1&$skip=1")
	if page.Count != 3 || len(page.Value) != 1 || page.Value[0].UserEntity.UserName != "Finance Team" {
		t.Fatalf("page: %+v", page)
	}
	if m := h.folderUsers(t, tok, folderID(t, h, "Operations"), true, ""); m.Count != 0 || len(m.Value) != 0 {
		t.Fatalf("Operations has users: %s", m.summary())
	}
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key=999999,includeInherited=true)"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key=x,includeInherited=true)"), tok, "")
	wantStatus(t, resp, body, http.StatusBadRequest)
}

// AssignUsers replaces each user's roles in each folder it names, for many
// users in one request, and leaves other folders alone; a folder role is
// the only kind it gives. RemoveUserFromFolder takes the user out.
func TestAssignUsersReplacesRolesPerFolder(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{Robots: 2, SeedData: orgA(), SpecShapes: spec})
		tok := h.token(t)
		finance, ops := folderID(t, h, "Shared/Finance"), folderID(t, h, "Operations")
		jdoe := orchUser(t, h, "jdoe")
		clerk, user, dev := roleID(t, h, "Finance Clerk"), roleID(t, h, "Automation User"), roleID(t, h, "Automation Developer")
		assign := func(body string) (*http.Response, []byte) {
			return h.do(t, http.MethodPost, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.AssignUsers"), tok, body)
		}
		body := fmt.Sprintf(`{"assignments":{"UserIds":[%d,1001,1002],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]},{"FolderId":%d,"RoleIds":[]}]}}`,
			jdoe.ID, finance, dev, ops)
		resp, out := assign(body)
		wantStatus(t, resp, out, http.StatusNoContent)
		got := map[string][]string{}
		for _, a := range h.srv.FolderAssignments() {
			got[a.FolderPath+" "+a.UserName] = a.Roles
		}
		want := map[string][]string{
			"Shared Finance Team":           {"Automation User"},
			"Shared/Finance jdoe":           {"Automation Developer"}, // Finance Clerk and Automation User replaced
			"Shared/Finance robot-001":      {"Automation Developer"},
			"Shared/Finance robot-002":      {"Automation Developer"},
			"Operations jdoe":               {}, // assigned without roles
			"Operations robot-001":          {},
			"Operations robot-002":          {},
			"Shared/Finance/AP robot-night": {"Automation User"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("assignments after AssignUsers:\n got %v\nwant %v", got, want)
		}
		// The same request again changes nothing.
		resp, out = assign(body)
		wantStatus(t, resp, out, http.StatusNoContent)
		if n := len(h.srv.FolderAssignments()); n != len(want) {
			t.Fatalf("%d assignments after the same request again", n)
		}

		// Refused whole: nothing changes.
		for _, tc := range []struct{ body, want string }{
			{fmt.Sprintf(`{"assignments":{"UserIds":[%d],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, jdoe.ID, finance, roleID(t, h, "Auditor")), "tenant role"},
			{fmt.Sprintf(`{"assignments":{"UserIds":[%d],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[99999]}]}}`, jdoe.ID, finance), "Role 99999"},
			{fmt.Sprintf(`{"assignments":{"UserIds":[%d],"RolesPerFolder":[{"FolderId":424242,"RoleIds":[%d]}]}}`, jdoe.ID, user), "Folder 424242"},
			{fmt.Sprintf(`{"assignments":{"UserIds":[%d,77],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, jdoe.ID, finance, clerk), "User 77"},
			{fmt.Sprintf(`{"assignments":{"UserIds":[],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, finance, clerk), "UserIds"},
			{fmt.Sprintf(`{"assignments":{"UserIds":[%d],"RolesPerFolder":[]}}`, jdoe.ID), "RolesPerFolder"},
			{fmt.Sprintf(`{"Assignments":{"UserIds":[%d]}}`, jdoe.ID), "Assignments"},
			{`{}`, "assignments"},
		} {
			resp, out := assign(tc.body)
			wantStatus(t, resp, out, http.StatusBadRequest)
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), `"TraceId"`) {
				t.Errorf("%s: %s", tc.body, out)
			}
		}
		if a := h.srv.FolderAssignments(); len(a) != len(want) {
			t.Fatalf("a refused request changed the assignments: %v", a)
		}

		// Removal, by id and by key; a user not assigned there is no error.
		remove := func(folder int64, action, body string) {
			t.Helper()
			resp, out := h.do(t, http.MethodPost, h.orchestrator(fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.%s", folder, action)), tok, body)
			wantStatus(t, resp, out, http.StatusNoContent)
		}
		remove(finance, "RemoveUserFromFolder", fmt.Sprintf(`{"userId":%d}`, jdoe.ID))
		remove(ops, "RemoveUserFromFolderByKey", `{"userKey":"`+jdoe.Key+`"}`)
		remove(ops, "RemoveUserFromFolderByKey", `{"userKey":"`+jdoe.Key+`"}`)
		for _, a := range h.srv.FolderAssignments() {
			if a.UserName == "jdoe" {
				t.Fatalf("jdoe still assigned: %+v", a)
			}
		}
		resp, out = h.do(t, http.MethodPost, h.orchestrator("/odata/Folders(424242)/UiPath.Server.Configuration.OData.RemoveUserFromFolder"), tok, `{"userId":1001}`)
		wantStatus(t, resp, out, http.StatusNotFound)
		resp, out = h.do(t, http.MethodPost, h.orchestrator(fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolder", ops)), tok, `{"userId":5}`)
		wantStatus(t, resp, out, http.StatusBadRequest)
	})
}

// A classic folder (PermissionModel InheritFromTenant) takes no
// assignments.
func TestClassicFolderTakesNoAssignments(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodPost, h.orchestrator("/odata/Folders"), tok, `{"DisplayName":"Old","PermissionModel":"InheritFromTenant","ProvisionType":"Manual"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	var f struct{ Id int64 }
	mustJSON(t, body, &f)
	resp, body = h.do(t, http.MethodPost, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.AssignUsers"), tok,
		fmt.Sprintf(`{"assignments":{"UserIds":[1001],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[]}]}}`, f.Id))
	wantStatus(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(string(body), "classic") {
		t.Fatalf("refusal: %s", body)
	}
}

// AssignDomainUser gives an Identity user, robot account or group an
// Orchestrator user the first time (DirectoryUser, DirectoryRobot,
// DirectoryGroup, linked by DirectoryIdentifier) and the same one after;
// it replaces roles per folder as AssignUsers does.
func TestAssignDomainUserMakesTheOrchestratorUserOnce(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{Users: 3, Robots: 1, SeedData: orgA(), SpecShapes: spec})
		tok := h.token(t)
		ops, user, dev := folderID(t, h, "Operations"), roleID(t, h, "Automation User"), roleID(t, h, "Automation Developer")
		before := len(h.srv.OrchestratorUsers())
		assign := func(typ, field, value string, roles ...int64) (*http.Response, []byte) {
			ids, _ := json.Marshal(roles)
			return h.do(t, http.MethodPost, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.AssignDomainUser"), tok,
				fmt.Sprintf(`{"assignment":{"UserType":%q,%q:%q,"RolesPerFolder":[{"FolderId":%d,"RoleIds":%s}]}}`, typ, field, value, ops, ids))
		}
		u2 := h.srv.Users()[1]
		for _, tc := range []struct{ typ, field, value string }{
			{TypeDirectoryUser, "UserName", "user00001@example.com"}, // by email
			{TypeDirectoryUser, "DirectoryIdentifier", u2.ID},
			{TypeDirectoryGroup, "UserName", "Finance"},
			{TypeDirectoryRobot, "UserName", "robot-001"},    // the generated robot's Orchestrator user
			{TypeDirectoryGroup, "UserName", "finance team"}, // known already, from the seed
		} {
			resp, body := assign(tc.typ, tc.field, tc.value, user)
			wantStatus(t, resp, body, http.StatusNoContent)
		}
		// Again, with another role: the same users, the role replaced.
		resp, body := assign(TypeDirectoryUser, "UserName", "user00001", dev)
		wantStatus(t, resp, body, http.StatusNoContent)
		if n := len(h.srv.OrchestratorUsers()); n != before+3 {
			t.Fatalf("%d Orchestrator users made, want 3 (user00001, user00002, Finance)", n-before)
		}
		u1, fin, robot := orchUser(t, h, "user00001"), orchUser(t, h, "Finance"), orchUser(t, h, "robot-001")
		if u1.Type != TypeDirectoryUser || u1.DirectoryIdentifier != h.srv.Users()[0].ID || u1.EmailAddress != "user00001@example.com" ||
			fin.Type != TypeDirectoryGroup || fin.DirectoryIdentifier != GroupFinance || robot.ID != 1001 || robot.Type != "Robot" {
			t.Fatalf("made: %+v / %+v / %+v", u1, fin, robot)
		}
		if u1.ID <= orchestratorUserBase(0) {
			t.Fatalf("user id %d below the base", u1.ID)
		}
		got := h.folderUsers(t, tok, ops, false, "").summary()
		want := "Robot robot-001: Automation User (Assigned); " +
			"DirectoryGroup Finance Team: Automation User (Assigned); " +
			"DirectoryUser user00001: Automation Developer (Assigned); DirectoryUser user00002: Automation User (Assigned); " +
			"DirectoryGroup Finance: Automation User (Assigned)"
		if got != want {
			t.Fatalf("users of Operations:\n got %s\nwant %s", got, want)
		}
		// The user's Orchestrator user is served with its link.
		resp, body = h.do(t, http.MethodGet, h.orchestrator(fmt.Sprintf("/odata/Users(%d)", u1.ID)), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"DirectoryIdentifier":"`+u1.DirectoryIdentifier+`"`) || !strings.Contains(string(body), `"Type":"DirectoryUser"`) {
			t.Fatalf("user %s", body)
		}

		for _, tc := range []struct {
			typ, field, value, want string
		}{
			{TypeDirectoryUser, "UserName", "nobody", "no DirectoryUser 'nobody'"},
			{TypeDirectoryRobot, "UserName", "user00001", "no DirectoryRobot"},
			{"User", "UserName", "user00001", "UserType 'User'"},
			{TypeDirectoryGroup, "DirectoryIdentifier", GroupFinance + "x", "no DirectoryGroup"},
		} {
			resp, body := assign(tc.typ, tc.field, tc.value, user)
			wantStatus(t, resp, body, http.StatusBadRequest)
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("%+v: %s", tc, body)
			}
		}
		resp, body = assign(TypeDirectoryUser, "UserName", "user00003", roleID(t, h, "Tenant Administrator"))
		wantStatus(t, resp, body, http.StatusBadRequest)
		if n := len(h.srv.OrchestratorUsers()); n != before+3 {
			t.Fatal("a refused assignment made an Orchestrator user")
		}
	})
}

// GetAllRolesForUser answers an account's tenant roles and, a page at a
// time, the folders where it or one of its groups holds roles, saying who
// holds each.
func TestAllRolesForUserThroughGroups(t *testing.T) {
	h := startServer(t, Config{SeedData: orgA()})
	tok := h.token(t)
	type holder struct {
		UserName, Type string
	}
	type roleUsers struct {
		Name  string
		Users []holder
	}
	var answer struct {
		TenantRoles []roleUsers
		PageItems   []struct {
			Folder struct{ FullyQualifiedName string }
			Roles  []roleUsers
		}
		Count int
	}
	get := func(name string, skip, take int, typ string) {
		t.Helper()
		u := h.orchestrator(fmt.Sprintf("/odata/Folders/UiPath.Server.Configuration.OData.GetAllRolesForUser(username='%s',skip=%d,take=%d)", url.PathEscape(strings.ReplaceAll(name, "'", "''")), skip, take))
		if typ != "" {
			u += "?type=" + typ
		}
		resp, body := h.do(t, http.MethodGet, u, tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		answer.TenantRoles, answer.PageItems = nil, nil
		mustJSON(t, body, &answer)
	}
	get("jdoe", 0, 10, "")
	if answer.Count != 2 || len(answer.PageItems) != 2 || answer.PageItems[0].Folder.FullyQualifiedName != "Shared" || answer.PageItems[1].Folder.FullyQualifiedName != "Shared/Finance" {
		t.Fatalf("jdoe's folders: %+v", answer)
	}
	if r := answer.PageItems[0].Roles; len(r) != 1 || r[0].Name != "Automation User" || r[0].Users[0] != (holder{"Finance Team", TypeDirectoryGroup}) {
		t.Fatalf("jdoe in Shared (through the group): %+v", r)
	}
	if r := answer.PageItems[1].Roles; len(r) != 2 || r[0].Users[0] != (holder{"jdoe", TypeDirectoryUser}) {
		t.Fatalf("jdoe in Shared/Finance: %+v", r)
	}
	var tenant []string
	for _, r := range answer.TenantRoles {
		tenant = append(tenant, r.Name)
	}
	if !slices.Equal(tenant, []string{"Allow to be Automation User", "Auditor"}) {
		t.Fatalf("tenant roles %v", tenant)
	}
	get("jdoe", 1, 1, "User")
	if answer.Count != 2 || len(answer.PageItems) != 1 || answer.PageItems[0].Folder.FullyQualifiedName != "Shared/Finance" {
		t.Fatalf("second page: %+v", answer)
	}
	get("Finance Team", 0, 10, "Group")
	if answer.Count != 1 || len(answer.TenantRoles) != 0 {
		t.Fatalf("group: %+v", answer)
	}
	get("rroe", 0, 10, "")
	if answer.Count != 0 || len(answer.PageItems) != 0 || len(answer.TenantRoles) != 0 {
		t.Fatalf("an account without access: %+v", answer)
	}
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.GetAllRolesForUser(username='jdoe',skip=0,take=10)?type=Printer"), tok, "")
	wantStatus(t, resp, body, http.StatusBadRequest)
}

// AssignRoles replaces a user's tenant roles; a folder role, an unknown
// role or user is refused.
func TestAssignTenantRolesReplaces(t *testing.T) {
	h := startServer(t, Config{Robots: 1, SeedData: orgA()})
	tok := h.token(t)
	jdoe := orchUser(t, h, "jdoe")
	post := func(key int64, body string) (*http.Response, []byte) {
		return h.do(t, http.MethodPost, h.orchestrator(fmt.Sprintf("/odata/Users(%d)/UiPath.Server.Configuration.OData.AssignRoles", key)), tok, body)
	}
	resp, body := post(jdoe.ID, fmt.Sprintf(`{"roleIds":[%d,%d]}`, roleID(t, h, "Administrator"), roleID(t, h, "Allow to be Folder Administrator")))
	wantStatus(t, resp, body, http.StatusOK)
	after := orchUser(t, h, "jdoe")
	if !slices.Equal(after.RolesList, []string{"Administrator", "Allow to be Folder Administrator"}) || !after.LastModificationTime.After(jdoe.LastModificationTime) {
		t.Fatalf("roles after AssignRoles: %v", after.RolesList)
	}
	for _, tc := range []struct {
		key    int64
		body   string
		status int
	}{
		{jdoe.ID, fmt.Sprintf(`{"roleIds":[%d]}`, roleID(t, h, "Folder Administrator")), http.StatusBadRequest},
		{jdoe.ID, `{"roleIds":[4]}`, http.StatusBadRequest},
		{jdoe.ID, `{}`, http.StatusBadRequest},
		{jdoe.ID, `{"roleIds":[1],"extra":1}`, http.StatusBadRequest},
		{4242, `{"roleIds":[]}`, http.StatusNotFound},
	} {
		resp, body := post(tc.key, tc.body)
		wantStatus(t, resp, body, tc.status)
	}
	if got := orchUser(t, h, "jdoe").RolesList; len(got) != 2 {
		t.Fatalf("a refused request changed the roles: %v", got)
	}
	resp, body = post(1001, `{"roleIds":[]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if got := orchUser(t, h, "robot-001").RolesList; len(got) != 0 {
		t.Fatalf("roles after [] %v", got)
	}
}

// Folders: the seed's tree, listed in id order; a create under a parent
// (by id or key) answers 201 with its path; a name used under the same
// parent, an unknown parent or a bad name are refused.
func TestFoldersListAndCreate(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{SeedData: orgA(), Seed: 3, SpecShapes: spec})
		tok := h.token(t)
		type folder struct {
			ID                 int64 `json:"Id"`
			Key                string
			DisplayName        string
			FullyQualifiedName string
			ParentID           *int64 `json:"ParentId"`
			ParentKey          *string
			Description        *string
			PermissionModel    string
			ProvisionType      string
		}
		var list struct {
			Count int      `json:"@odata.count"`
			Value []folder `json:"value"`
		}
		resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Folders"), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		mustJSON(t, body, &list)
		var paths []string
		for _, f := range list.Value {
			paths = append(paths, f.FullyQualifiedName)
		}
		if !slices.Equal(paths, []string{"Shared", "Shared/Finance", "Shared/Finance/AP", "Operations"}) || list.Count != 4 {
			t.Fatalf("folders %v", paths)
		}
		root, ap := list.Value[0], list.Value[2]
		if root.ID != folderIDBase(3)+1 || root.ParentID != nil || ap.ParentID == nil || *ap.ParentID != list.Value[1].ID ||
			*ap.ParentKey != list.Value[1].Key || *ap.Description != "Accounts payable" || ap.PermissionModel != "FineGrained" {
			t.Fatalf("folders %+v", list.Value)
		}
		// Live a root folder's parent and an empty description are null;
		// the definitions leave them out.
		if live := strings.Contains(string(body), `"ParentId":null`); live == spec {
			t.Fatalf("root folder ParentId null: %v in spec shapes %v", live, spec)
		}
		resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Folders?$filter="+url.QueryEscape("FullyQualifiedName eq 'shared/finance'")), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		mustJSON(t, body, &list)
		if list.Count != 1 || list.Value[0].DisplayName != "Finance" {
			t.Fatalf("filter by path: %s", body)
		}

		create := func(body string) (*http.Response, []byte) {
			return h.do(t, http.MethodPost, h.orchestrator("/odata/Folders"), tok, body)
		}
		resp, body = create(fmt.Sprintf(`{"DisplayName":"AR","ParentId":%d,"ProvisionType":"Automatic","PermissionModel":"FineGrained"}`, list.Value[0].ID))
		wantStatus(t, resp, body, http.StatusCreated)
		var made folder
		mustJSON(t, body, &made)
		if made.FullyQualifiedName != "Shared/Finance/AR" || made.ID <= ap.ID || made.Key == "" {
			t.Fatalf("created %s", body)
		}
		resp, body = create(fmt.Sprintf(`{"DisplayName":"Q1","ParentKey":%q}`, made.Key))
		wantStatus(t, resp, body, http.StatusCreated)
		if got, _ := h.srv.FolderByPath("Shared/Finance/AR/Q1"); got.ParentID != made.ID {
			t.Fatalf("created by parent key: %+v", got)
		}
		resp, body = create(`{"DisplayName":"Top"}`)
		wantStatus(t, resp, body, http.StatusCreated)

		for _, tc := range []struct {
			body   string
			status int
			want   string
		}{
			{fmt.Sprintf(`{"DisplayName":"ap","ParentId":%d}`, list.Value[0].ID), http.StatusConflict, "already exists"},
			{`{"DisplayName":"shared"}`, http.StatusConflict, "already exists"},
			{`{"DisplayName":"X","ParentId":1}`, http.StatusBadRequest, "parent folder 1"},
			{`{"DisplayName":"a/b"}`, http.StatusBadRequest, "cannot contain"},
			{`{"DisplayName":" "}`, http.StatusBadRequest, "DisplayName"},
			{`{"DisplayName":"` + strings.Repeat("x", 116) + `"}`, http.StatusBadRequest, "115"},
			{`{"DisplayName":"X","PermissionModel":"Loose"}`, http.StatusBadRequest, "PermissionModel"},
			{`{"DisplayName":"X","FolderType":"Personal"}`, http.StatusBadRequest, "FolderType"},
			{`{"displayName":"X"}`, http.StatusBadRequest, "displayName"},
		} {
			resp, body := create(tc.body)
			wantStatus(t, resp, body, tc.status)
			if !strings.Contains(string(body), tc.want) {
				t.Errorf("%s: %s", tc.body, body)
			}
		}
		if n := len(h.srv.Folders()); n != 7 {
			t.Fatalf("%d folders after the refusals, want 7", n)
		}
		resp, body = h.do(t, http.MethodGet, h.orchestrator(fmt.Sprintf("/odata/Folders(%d)", made.ID)), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"FullyQualifiedName":"Shared/Finance/AR"`) || !strings.Contains(string(body), `"@odata.context"`) {
			t.Fatalf("one folder: %s", body)
		}
		resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/Folders(1)"), tok, "")
		wantStatus(t, resp, body, http.StatusNotFound)
	})
}

// Roles: the built-in ones in every tenant, a seed's custom ones after
// them; ids differ between organizations of different seeds.
func TestRolesBuiltInAndCustom(t *testing.T) {
	a := startServer(t, Config{Seed: 1, SeedData: orgA()})
	b := startServer(t, Config{Seed: 2})
	var list struct {
		Count int `json:"@odata.count"`
		Value []struct {
			ID                   int64 `json:"Id"`
			Name, Type           string
			IsStatic, IsEditable bool
		} `json:"value"`
	}
	resp, body := a.do(t, http.MethodGet, a.orchestrator("/odata/Roles"), a.token(t), "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &list)
	if list.Count != len(builtInRoles)+2 || list.Value[0].Name != "Administrator" || list.Value[0].Type != RoleMixed || !list.Value[0].IsStatic ||
		list.Value[len(list.Value)-1].Name != "Auditor" || list.Value[len(list.Value)-1].Type != RoleTenant {
		t.Fatalf("roles of A: %s", body)
	}
	resp, body = b.do(t, http.MethodGet, b.orchestrator("/odata/Roles?$filter="+url.QueryEscape("Type eq 'Folder'")), b.token(t), "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &list)
	for _, r := range list.Value {
		if r.Type != RoleFolder {
			t.Fatalf("filtered roles %s", body)
		}
	}
	if list.Count != 5 {
		t.Fatalf("%d folder roles in B, want 5", list.Count)
	}
	ra, _ := a.srv.RoleNamed("Automation User")
	rb, _ := b.srv.RoleNamed("Automation User")
	if ra.ID == rb.ID {
		t.Fatal("two organizations of different seeds have the same role id")
	}
	// Organization B: built-in roles, nothing else.
	if len(b.srv.Folders()) != 0 || len(b.srv.FolderAssignments()) != 0 || len(b.srv.Roles()) != len(builtInRoles) {
		t.Fatal("an empty organization holds more than the built-in roles")
	}
}

// The folder endpoints need OR.Folders (or .Read / .Write); roles and
// tenant roles need OR.Users, as the definitions say.
func TestAccessScopes(t *testing.T) {
	h := startServer(t, Config{SeedData: orgA()})
	finance := folderID(t, h, "Shared/Finance")
	jdoe := orchUser(t, h, "jdoe")
	calls := []struct {
		method, path, body string
		read               bool
		folder             bool
	}{
		{http.MethodGet, "/odata/Folders", "", true, true},
		{http.MethodGet, fmt.Sprintf("/odata/Folders(%d)", finance), "", true, true},
		{http.MethodGet, fmt.Sprintf("/odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key=%d,includeInherited=false)", finance), "", true, true},
		{http.MethodGet, "/odata/Folders/UiPath.Server.Configuration.OData.GetAllRolesForUser(username='jdoe',skip=0,take=5)", "", true, true},
		{http.MethodPost, "/odata/Folders", `{"DisplayName":"S%d"}`, false, true},
		{http.MethodPost, "/odata/Folders/UiPath.Server.Configuration.OData.AssignUsers",
			fmt.Sprintf(`{"assignments":{"UserIds":[%d],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[]}]}}`, jdoe.ID, finance), false, true},
		{http.MethodPost, "/odata/Folders/UiPath.Server.Configuration.OData.AssignDomainUser",
			fmt.Sprintf(`{"assignment":{"UserType":"DirectoryUser","UserName":"rroe","RolesPerFolder":[{"FolderId":%d,"RoleIds":[]}]}}`, finance), false, true},
		{http.MethodPost, fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolder", finance), fmt.Sprintf(`{"userId":%d}`, jdoe.ID), false, true},
		{http.MethodGet, "/odata/Roles", "", true, false},
		{http.MethodPost, fmt.Sprintf("/odata/Users(%d)/UiPath.Server.Configuration.OData.AssignRoles", jdoe.ID), `{"roleIds":[]}`, false, false},
	}
	n := 0
	for _, scope := range []string{"OR.Folders", "OR.Folders.Read", "OR.Folders.Write", "OR.Users", "OR.Users.Read", "OR.Users.Write", "OR.Settings"} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, scope)
		for _, c := range calls {
			family, suffix := "OR.Users", ".Write"
			if c.folder {
				family = "OR.Folders"
			}
			if c.read {
				suffix = ".Read"
			}
			body := c.body
			if strings.Contains(body, "%d") {
				n++
				body = fmt.Sprintf(body, n)
			}
			resp, out := h.do(t, c.method, h.orchestrator(c.path), tok, body)
			allowed := scope == family || scope == family+suffix
			if (resp.StatusCode == http.StatusForbidden) == allowed || resp.StatusCode >= 400 && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s with %s: %d %s", c.method, c.path, scope, resp.StatusCode, out)
			}
		}
	}
}

// Folder and access requests spend Orchestrator's budgets, not Identity's,
// and are counted by their templates.
func TestAccessRequestsSpendOrchestratorBudgets(t *testing.T) {
	h := startServer(t, Config{SeedData: orgA(),
		OrchestratorLimits: map[string]Budget{"GET": {Requests: 2, Window: time.Minute}},
		Limits:             map[string]Budget{"GET": {Requests: 1, Window: time.Minute}}})
	tok := h.token(t)
	for i, path := range []string{"/odata/Folders", "/odata/Roles", "/odata/Roles"} {
		resp, _ := h.do(t, http.MethodGet, h.orchestrator(path), tok, "")
		if want := []int{200, 200, 429}[i]; resp.StatusCode != want {
			t.Fatalf("GET %s (%d): %d, want %d", path, i, resp.StatusCode, want)
		}
	}
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/"+h.srv.Users()[0].ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if n := h.srv.CountFor("GET", "/odata/Folders"); n != 1 {
		t.Fatalf("GET /odata/Folders counted %d times", n)
	}
	if n := h.srv.CountFor("GET", "/odata/Roles"); n != 2 {
		t.Fatalf("GET /odata/Roles counted %d times", n)
	}
}

// The seed's access is what the seed says, its refusals name the entry.
func TestSeedAccessAndRefusals(t *testing.T) {
	h := startServer(t, Config{Seed: 5, SeedData: orgA()})
	jdoe := orchUser(t, h, "jdoe")
	if jdoe.Type != TypeDirectoryUser || jdoe.FullName != "Jane Doe" || !slices.Equal(jdoe.RolesList, []string{"Allow to be Automation User", "Auditor"}) {
		t.Fatalf("jdoe %+v", jdoe)
	}
	night := orchUser(t, h, "robot-night")
	if night.ID != 2001 || night.DirectoryIdentifier != h.srv.RobotAccounts()[0].ID || night.UnattendedRobot == nil || h.srv.RobotPasswordOf(2001) != "Night-Pass-1" {
		t.Fatalf("robot-night %+v", night)
	}
	if f, _ := h.srv.FolderByPath("shared/finance/ap"); f.ID != folderIDBase(5)+3 || f.Description != "Accounts payable" {
		t.Fatalf("AP %+v", f)
	}
	snap := h.srv.Snapshot()
	if len(snap.Folders) != 4 || len(snap.FolderAssignments) != 3 || len(snap.Roles) != len(builtInRoles)+2 {
		t.Fatalf("snapshot: %d folders, %d assignments, %d roles", len(snap.Folders), len(snap.FolderAssignments), len(snap.Roles))
	}
	// An id given to a folder, and the ancestors the seed does not list.
	h2 := startServer(t, Config{SeedData: &SeedFile{Folders: []SeedFolder{{Path: "A/B", ID: 77}, {Path: "A", Description: "later"}, {Path: "C"}}}})
	if a, _ := h2.srv.FolderByPath("A"); a.Description != "later" {
		t.Fatalf("A %+v", a)
	}
	if b, _ := h2.srv.FolderByPath("A/B"); b.ID != 77 {
		t.Fatalf("A/B %+v", b)
	}
	if c, _ := h2.srv.FolderByPath("C"); c.ID != folderIDBase(0)+2 {
		t.Fatalf("C %+v", c)
	}

	for _, tc := range []struct {
		seed SeedFile
		want string
	}{
		{SeedFile{Roles: []SeedRole{{Name: "Robot", Type: RoleTenant}}}, "role of that name"},
		{SeedFile{Roles: []SeedRole{{Name: "X", Type: "Global"}}}, "type"},
		{SeedFile{Folders: []SeedFolder{{Path: "A"}, {Path: "a"}}}, "listed twice"},
		{SeedFile{Folders: []SeedFolder{{Path: "A//B"}}}, "required"},
		{SeedFile{FolderAssignments: []SeedAssignment{{Account: "jdoe", Folder: "Nowhere"}}}, `no folder "Nowhere"`},
		{SeedFile{Folders: []SeedFolder{{Path: "A"}}, FolderAssignments: []SeedAssignment{{Account: "nobody", Folder: "A"}}}, `"nobody"`},
		{SeedFile{Folders: []SeedFolder{{Path: "A"}}, FolderAssignments: []SeedAssignment{{Account: "robot-001", Folder: "A", Roles: []string{"Tenant Administrator"}}}}, "tenant role"},
		{SeedFile{TenantRoles: []SeedTenantRoles{{Account: "robot-001", Roles: []string{"Folder Administrator"}}}}, "folder role"},
		{SeedFile{TenantRoles: []SeedTenantRoles{{Account: "robot-001", Type: "Machine"}}}, "account type"},
		{SeedFile{OrchestratorUsers: []SeedOrchestrator{{ID: 9, UserName: "x", RolesList: []string{"Nope"}}}}, `no role "Nope"`},
	} {
		seed := tc.seed
		_, err := New(Config{Robots: 1, SeedData: &seed})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("seed %+v: %v, want %q", tc.seed, err, tc.want)
		}
	}
}

// The seed file takes the same access as SeedData.
func TestSeedFileAccess(t *testing.T) {
	path := writeSeed(t, `users: [{userName: jdoe, email: jane.doe@example.com}]
roles: [{name: Finance Clerk, type: Folder}]
folders: [{path: Shared/Finance}]
folderAssignments: [{account: jane.doe@example.com, folder: Shared/Finance, roles: [Finance Clerk]}]
tenantRoles: [{account: jdoe, type: DirectoryUser, roles: [Allow to be Automation User]}]
`)
	h := startServer(t, Config{SeedFile: path})
	a := h.srv.FolderAssignments()
	if len(a) != 1 || a[0].UserName != "jdoe" || a[0].UserType != TypeDirectoryUser || !slices.Equal(a[0].Roles, []string{"Finance Clerk"}) {
		t.Fatalf("assignments %+v", a)
	}
	if o := orchUser(t, h, "jdoe"); !slices.Equal(o.RolesList, []string{"Allow to be Automation User"}) {
		t.Fatalf("jdoe %+v", o)
	}
}

func TestFunctionParams(t *testing.T) {
	for in, want := range map[string]map[string]string{
		"key=5,includeInherited=true":            {"key": "5", "includeInherited": "true"},
		"username='o''brien, jr',skip=0,take=10": {"username": "o'brien, jr", "skip": "0", "take": "10"},
		"username=''":                            {"username": ""},
		"":                                       {},
	} {
		got, err := functionParams(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("functionParams(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"key", "username='x", "username='x'y", "key=1,key=2"} {
		if _, err := functionParams(bad); err == nil {
			t.Errorf("functionParams(%q) passed", bad)
		}
	}
}

// Deleting an Identity user or group drops the Orchestrator user made
// for it, with its folder access; a generated robot's Orchestrator user
// (type Robot) stays with its robot account gone.
func TestIdentityDeleteDropsTheDirectoryUser(t *testing.T) {
	h := startServer(t, Config{Robots: 1, SeedData: orgA()})
	tok := h.token(t)
	jdoe := h.srv.Users()[0]
	var group Group
	for _, g := range h.srv.Groups() {
		if g.Name == "Finance Team" {
			group = g
		}
	}
	robot := h.srv.RobotAccounts()[0]
	if robot.Name != "robot-001" {
		t.Fatalf("robot %+v", robot)
	}
	for _, path := range []string{"/api/User/" + jdoe.ID, "/api/Group/" + DefaultPartitionID + "/" + group.ID, "/api/RobotAccount/" + DefaultPartitionID + "/" + robot.ID} {
		resp, body := h.do(t, http.MethodDelete, h.identity(path), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
	}
	for _, o := range h.srv.OrchestratorUsers() {
		if o.UserName == "jdoe" || o.UserName == "Finance Team" {
			t.Fatalf("Orchestrator user %s outlives its Identity entity", o.UserName)
		}
	}
	orchUser(t, h, "robot-001")
	for _, a := range h.srv.FolderAssignments() {
		if a.UserName != "robot-night" {
			t.Fatalf("assignment left %+v", a)
		}
	}
}
