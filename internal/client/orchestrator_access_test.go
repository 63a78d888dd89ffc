package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// accessOrg is an organization with a three-level folder tree, a custom
// folder and tenant role, a user in a group, a robot account and folder
// assignments at each level.
func accessOrg() *emulator.SeedFile {
	return &emulator.SeedFile{
		Users:         []emulator.SeedUser{{UserName: "jdoe", Email: "jane.doe@example.com", Name: "Jane", Surname: "Doe", DisplayName: "Jane Doe"}, {UserName: "rroe", Email: "rich.roe@example.com"}},
		Groups:        []emulator.SeedGroup{{Name: "Finance Team", Members: []string{"jdoe"}}},
		RobotAccounts: []emulator.SeedRobot{{Name: "robot-night", DisplayName: "Night robot"}},
		Roles:         []emulator.SeedRole{{Name: "Finance Clerk", Type: emulator.RoleFolder}, {Name: "Auditor", Type: emulator.RoleTenant}},
		Folders:       []emulator.SeedFolder{{Path: "Shared/Finance/AP", Description: "Accounts payable"}, {Path: "Operations"}},
		FolderAssignments: []emulator.SeedAssignment{
			{Account: "Finance Team", Folder: "Shared", Roles: []string{"Automation User"}},
			{Account: "jdoe", Folder: "Shared/Finance", Roles: []string{"Finance Clerk"}},
			{Account: "robot-night", Folder: "Shared/Finance/AP", Roles: []string{"Automation User"}},
		},
		TenantRoles: []emulator.SeedTenantRoles{{Account: "jdoe", Roles: []string{"Auditor"}}},
	}
}

// accessClient is a client whose token asks for the scopes of folder
// access besides those of reading Orchestrator users.
func accessClient(t *testing.T, s *emulator.Server, opts ...Option) *Client {
	t.Helper()
	ops := append([]Operation{OpFindOrchestratorUser, OpGetOrchestratorUser}, FolderOperations...)
	return newTestClient(t, s, append([]Option{WithOperations(ops...)}, opts...)...)
}

// mustFolder returns the emulator's folder at path.
func mustFolder(t *testing.T, s *emulator.Server, path string) emulator.Folder {
	t.Helper()
	f, ok := s.FolderByPath(path)
	if !ok {
		t.Fatalf("no folder %s", path)
	}
	return f
}

// roleIDs returns the ids of the roles named, from the list.
func roleIDs(t *testing.T, roles []Role, names ...string) []int64 {
	t.Helper()
	var out []int64
	for _, n := range names {
		i := slices.IndexFunc(roles, func(r Role) bool { return r.Name == n })
		if i < 0 {
			t.Fatalf("no role %s", n)
		}
		out = append(out, roles[i].ID)
	}
	return out
}

// Folders are listed in one GET with their paths, found by path, read by
// id and created under a parent; a name its parent holds is a conflict.
func TestFoldersListFindAndCreate(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		ctx := testContext(t)
		folders, err := c.Folders().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, f := range folders {
			paths = append(paths, f.FullyQualifiedName)
		}
		if !slices.Equal(paths, []string{"Shared", "Shared/Finance", "Shared/Finance/AP", "Operations"}) || s.CountFor("GET", "/odata/Folders") != 1 {
			t.Fatalf("List = %v in %d GETs", paths, s.CountFor("GET", "/odata/Folders"))
		}
		root, finance, ap := folders[0], folders[1], folders[2]
		if root.ParentID != nil || ap.ParentID == nil || *ap.ParentID != finance.ID || ap.ParentKey != finance.Key ||
			ap.Description != "Accounts payable" || !ap.Modern() || ap.FolderType != "Standard" || ap.ProvisionType != "Automatic" {
			t.Fatalf("folders %+v", folders)
		}
		found, err := c.Folders().FindByPath(ctx, "/shared/finance/")
		if err != nil || found.ID != finance.ID {
			t.Fatalf("FindByPath = %+v, %v", found, err)
		}
		if _, err := c.Folders().FindByPath(ctx, "Shared/Nowhere"); KindOf(err) != KindNotFound {
			t.Fatalf("FindByPath of a missing folder = %v", err)
		}
		one, err := c.Folders().Get(ctx, ap.ID)
		if err != nil || one.FullyQualifiedName != "Shared/Finance/AP" {
			t.Fatalf("Get = %+v, %v", one, err)
		}
		made, err := c.Folders().Create(ctx, NewFolder{DisplayName: "AR", ParentID: &finance.ID, Description: "Receivables"})
		if err != nil || made.FullyQualifiedName != "Shared/Finance/AR" || *made.ParentID != finance.ID || made.ID == 0 || !made.Modern() {
			t.Fatalf("Create = %+v, %v", made, err)
		}
		top, err := c.Folders().Create(ctx, NewFolder{DisplayName: "Top"})
		if err != nil || top.ParentID != nil || top.FullyQualifiedName != "Top" {
			t.Fatalf("Create at the root = %+v, %v", top, err)
		}
		if _, err := c.Folders().Create(ctx, NewFolder{DisplayName: "ar", ParentID: &finance.ID}); KindOf(err) != KindConflict {
			t.Fatalf("Create of a name the parent holds = %v, want conflict", err)
		}
		if got, _ := s.FolderByPath("Shared/Finance/AR"); got.PermissionModel != "FineGrained" || got.Description != "Receivables" {
			t.Fatalf("emulator's AR %+v", got)
		}
	})
}

// Roles are listed with their types; a seed's custom ones after the
// built-in ones.
func TestRolesList(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		roles, err := c.Roles().List(testContext(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(roles) != len(s.Roles()) || s.CountFor("GET", "/odata/Roles") != 1 {
			t.Fatalf("%d roles in %d GETs", len(roles), s.CountFor("GET", "/odata/Roles"))
		}
		byName := map[string]Role{}
		for _, r := range roles {
			byName[r.Name] = r
		}
		admin, clerk, auditor := byName["Administrator"], byName["Finance Clerk"], byName["Auditor"]
		if admin.Type != RoleTypeMixed || !admin.IsStatic || !admin.ForTenant() || !admin.ForFolders() {
			t.Fatalf("Administrator %+v", admin)
		}
		if clerk.Type != RoleTypeFolder || clerk.ForTenant() || !clerk.ForFolders() || auditor.Type != RoleTypeTenant || auditor.ForFolders() {
			t.Fatalf("custom roles %+v %+v", clerk, auditor)
		}
		if want, _ := s.RoleNamed("Finance Clerk"); clerk.ID != want.ID {
			t.Fatalf("Finance Clerk id %d, want %d", clerk.ID, want.ID)
		}
	})
}

// memberSummary is "type name: role (from), …; …" for comparing.
func memberSummary(ms []FolderMember) string {
	var out []string
	for _, m := range ms {
		var roles []string
		for _, r := range m.Roles {
			from := "here"
			if r.Inherited {
				from = r.From.FullyQualifiedName
			}
			roles = append(roles, r.Name+" ("+from+")")
		}
		out = append(out, fmt.Sprintf("%s %s: %s", m.Type, m.UserName, strings.Join(roles, ", ")))
	}
	return strings.Join(out, "; ")
}

// A folder's users carry the roles they inherit from its ancestors, and
// which ancestor gave them; without inheritance only its own.
func TestFolderUsersWithInheritance(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		ctx := testContext(t)
		ap := mustFolder(t, s, "Shared/Finance/AP")
		all, err := c.Folders().Users(ctx, ap.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		want := "DirectoryGroup Finance Team: Automation User (Shared); DirectoryRobot robot-night: Automation User (here); DirectoryUser jdoe: Finance Clerk (Shared/Finance)"
		slices.SortFunc(all, func(a, b FolderMember) int { return strings.Compare(a.Type+a.UserName, b.Type+b.UserName) })
		if got := memberSummary(all); got != want {
			t.Fatalf("Users(AP, inherited):\n got %s\nwant %s", got, want)
		}
		for _, m := range all {
			if m.Inherited != (m.UserName != "robot-night") || m.UserID == 0 || (m.UserName == "jdoe" && m.FullName != "Jane Doe") {
				t.Fatalf("member %+v", m)
			}
		}
		own, err := c.Folders().Users(ctx, ap.ID, false)
		if err != nil || memberSummary(own) != "DirectoryRobot robot-night: Automation User (here)" {
			t.Fatalf("Users(AP) = %s, %v", memberSummary(own), err)
		}
		if n := s.CountFor("GET", "/odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key={key},includeInherited={includeInherited})"); n != 2 {
			t.Fatalf("%d GETs for two reads", n)
		}
		if _, err := c.Folders().Users(ctx, 1, true); KindOf(err) != KindNotFound {
			t.Fatalf("Users of a missing folder = %v", err)
		}
	})
}

// AssignUsers gives many users roles in many folders in one request,
// replacing what each held there; RemoveUser takes one out; AccessOf
// reads an account's roles, its groups' included.
func TestAssignUsersRemoveAndAccessOf(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 2, SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		ctx := testContext(t)
		roles, err := c.Roles().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		jdoe, err := c.OrchestratorUsers.FindByUserName(ctx, "jdoe")
		if err != nil {
			t.Fatal(err)
		}
		finance, ops := mustFolder(t, s, "Shared/Finance"), mustFolder(t, s, "Operations")
		err = c.Folders().AssignUsers(ctx, []int64{jdoe.ID, 1001, 1002}, []FolderRoles{
			{FolderID: finance.ID, RoleIDs: roleIDs(t, roles, "Automation Developer", "Automation User")},
			{FolderID: ops.ID},
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := s.CountFor("POST", "/odata/Folders/UiPath.Server.Configuration.OData.AssignUsers"); n != 1 {
			t.Fatalf("%d POSTs for one assignment of three users", n)
		}
		got := map[string]string{}
		for _, a := range s.FolderAssignments() {
			got[a.FolderPath+" "+a.UserName] = strings.Join(a.Roles, ",")
		}
		for key, want := range map[string]string{
			"Shared/Finance jdoe":      "Automation User,Automation Developer", // Finance Clerk replaced
			"Shared/Finance robot-002": "Automation User,Automation Developer",
			"Operations jdoe":          "",
			"Operations robot-001":     "",
		} {
			if r, ok := got[key]; !ok || r != want {
				t.Errorf("%s: %q (assigned %v), want %q", key, r, ok, want)
			}
		}
		err = c.Folders().AssignUsers(ctx, []int64{jdoe.ID}, []FolderRoles{{FolderID: finance.ID, RoleIDs: roleIDs(t, roles, "Auditor")}})
		if e, ok := AsError(err); !ok || e.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "tenant role") {
			t.Fatalf("a tenant role in a folder: %v", err)
		}

		access, err := c.Folders().AccessOf(ctx, "jdoe", AccountUser)
		if err != nil {
			t.Fatal(err)
		}
		var where []string
		for _, f := range access.Folders {
			var rs []string
			for _, r := range f.Roles {
				rs = append(rs, r.Name+" by "+r.Holders[0].UserName)
			}
			where = append(where, f.Folder.FullyQualifiedName+": "+strings.Join(rs, ", "))
		}
		if want := []string{"Operations: ", "Shared: Automation User by Finance Team", "Shared/Finance: Automation User by jdoe, Automation Developer by jdoe"}; !slices.Equal(where, want) {
			t.Fatalf("AccessOf(jdoe) folders:\n got %q\nwant %q", where, want)
		}
		if len(access.TenantRoles) != 1 || access.TenantRoles[0].Name != "Auditor" || access.TenantRoles[0].Holders[0].Type != TypeDirectoryUser {
			t.Fatalf("AccessOf(jdoe) tenant roles %+v", access.TenantRoles)
		}
		group, err := c.Folders().AccessOf(ctx, "Finance Team", AccountGroup)
		if err != nil || len(group.Folders) != 1 || group.Folders[0].Folder.FullyQualifiedName != "Shared" {
			t.Fatalf("AccessOf(Finance Team) = %+v, %v", group, err)
		}
		nobody, err := c.Folders().AccessOf(ctx, "o'brien", "")
		if err != nil || len(nobody.Folders) != 0 || len(nobody.TenantRoles) != 0 {
			t.Fatalf("AccessOf(o'brien) = %+v, %v", nobody, err)
		}

		if err := c.Folders().RemoveUser(ctx, finance.ID, jdoe.ID); err != nil {
			t.Fatal(err)
		}
		members, err := c.Folders().Users(ctx, finance.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.UserID == jdoe.ID {
				t.Fatalf("jdoe still in Shared/Finance: %+v", m)
			}
		}
		if err := c.Folders().RemoveUser(ctx, 4242, jdoe.ID); KindOf(err) != KindNotFound {
			t.Fatalf("RemoveUser from a missing folder = %v", err)
		}
	})
}

// AssignDirectoryUser gives an Identity user or group Orchestrator does
// not list yet access; it is listed after, linked by its Identity id.
func TestAssignDirectoryUserListsTheAccount(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 2, SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		ctx := testContext(t)
		roles, err := c.Roles().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ops := mustFolder(t, s, "Operations")
		user := s.Users()[0]
		if _, err := c.OrchestratorUsers.FindByUserName(ctx, user.UserName); KindOf(err) != KindNotFound {
			t.Fatalf("%s is an Orchestrator user before access: %v", user.UserName, err)
		}
		rpf := []FolderRoles{{FolderID: ops.ID, RoleIDs: roleIDs(t, roles, "Automation User")}}
		if err := c.Folders().AssignDirectoryUser(ctx, DirectoryAssignment{Type: TypeDirectoryUser, DirectoryIdentifier: user.ID, RolesPerFolder: rpf}); err != nil {
			t.Fatal(err)
		}
		if err := c.Folders().AssignDirectoryUser(ctx, DirectoryAssignment{Type: TypeDirectoryGroup, UserName: "Finance", RolesPerFolder: rpf}); err != nil {
			t.Fatal(err)
		}
		var listed []OrchestratorUser
		if err := c.OrchestratorUsers.All(ctx, func(u OrchestratorUser) error { listed = append(listed, u); return nil }); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(listed, func(u OrchestratorUser) bool { return u.DirectoryIdentifier == user.ID })
		j := slices.IndexFunc(listed, func(u OrchestratorUser) bool { return u.DirectoryIdentifier == emulator.GroupFinance })
		if i < 0 || listed[i].Type != TypeDirectoryUser || listed[i].UserName != user.UserName || j < 0 || listed[j].Type != TypeDirectoryGroup {
			t.Fatalf("listed after access: %+v", listed)
		}
		members, err := c.Folders().Users(ctx, ops.ID, false)
		if err != nil || len(members) != 2 {
			t.Fatalf("Users(Operations) = %s, %v", memberSummary(members), err)
		}
		err = c.Folders().AssignDirectoryUser(ctx, DirectoryAssignment{Type: TypeDirectoryUser, UserName: "nobody@example.com", RolesPerFolder: rpf})
		if KindOf(err) != KindBadRequest {
			t.Fatalf("an account the directory lacks: %v", err)
		}
	})
}

// AssignTenantRoles replaces the user's tenant roles, read back in
// RolesList with its other fields; a folder role is refused.
func TestAssignTenantRolesReplaces(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 1, SeedData: accessOrg(), SpecShapes: spec})
		c := accessClient(t, s)
		ctx := testContext(t)
		roles, err := c.Roles().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		jdoe, err := c.OrchestratorUsers.FindByUserName(ctx, "jdoe")
		if err != nil || !slices.Equal(jdoe.RolesList, []string{"Auditor"}) || jdoe.Type != TypeDirectoryUser || jdoe.DirectoryIdentifier == "" || !jdoe.IsActive {
			t.Fatalf("jdoe = %+v, %v", jdoe, err)
		}
		if err := c.OrchestratorUsers.AssignTenantRoles(ctx, jdoe.ID, roleIDs(t, roles, "Allow to be Automation User", "Robot")); err != nil {
			t.Fatal(err)
		}
		after, err := c.OrchestratorUsers.Get(ctx, jdoe.ID)
		if err != nil || !slices.Equal(after.RolesList, []string{"Robot", "Allow to be Automation User"}) {
			t.Fatalf("after AssignTenantRoles: %+v, %v", after.RolesList, err)
		}
		err = c.OrchestratorUsers.AssignTenantRoles(ctx, jdoe.ID, roleIDs(t, roles, "Folder Administrator"))
		if KindOf(err) != KindBadRequest || !strings.Contains(err.Error(), "folder role") {
			t.Fatalf("a folder role for the tenant: %v", err)
		}
		if err := c.OrchestratorUsers.AssignTenantRoles(ctx, 1001, nil); err != nil {
			t.Fatal(err)
		}
		if r, _ := c.OrchestratorUsers.Get(ctx, 1001); len(r.RolesList) != 0 {
			t.Fatalf("roles after none: %v", r.RolesList)
		}
		if err := c.OrchestratorUsers.AssignTenantRoles(ctx, 4242, nil); KindOf(err) != KindNotFound {
			t.Fatalf("an unknown user: %v", err)
		}
	})
}

// Without the access operations a token lacks OR.Folders: the folder
// endpoints refuse it; with only the reads, the writes are refused.
func TestFolderAccessScopes(t *testing.T) {
	s := startEmulator(t, emulator.Config{Robots: 1, SeedData: accessOrg()})
	ctx := testContext(t)
	if _, err := newTestClient(t, s).Folders().List(ctx); KindOf(err) != KindForbidden {
		t.Fatalf("List with the default scopes = %v, want forbidden", err)
	}
	reader := newTestClient(t, s, WithOperations(OpListFolders, OpListFolderUsers, OpListRoles))
	folders, err := reader.Folders().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Roles().List(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Folders().Create(ctx, NewFolder{DisplayName: "X"}); KindOf(err) != KindForbidden {
		t.Fatalf("Create with read scopes = %v, want forbidden", err)
	}
	if err := reader.Folders().AssignUsers(ctx, []int64{1001}, []FolderRoles{{FolderID: folders[0].ID}}); KindOf(err) != KindForbidden {
		t.Fatalf("AssignUsers with read scopes = %v, want forbidden", err)
	}
	if got := strings.Join(ScopesFor(FolderOperations...), " "); got != "OR.Folders.Read OR.Folders.Write OR.Users.Read OR.Users.Write" {
		t.Fatalf("scopes of FolderOperations: %s", got)
	}
	for _, sc := range ScopesFor() {
		if strings.HasPrefix(sc, "OR.Folders") {
			t.Fatalf("the default scopes ask for the optional %s", sc)
		}
	}
}

// Folder and access reads page through long lists: 1,500 folders in two
// GETs, the last page known by the count.
func TestFoldersListPages(t *testing.T) {
	seed := &emulator.SeedFile{}
	for i := range 1500 {
		seed.Folders = append(seed.Folders, emulator.SeedFolder{Path: fmt.Sprintf("F%04d", i)})
	}
	s := startEmulator(t, emulator.Config{SeedData: seed})
	c := accessClient(t, s)
	folders, err := c.Folders().List(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(folders) != 1500 || folders[1499].DisplayName != "F1499" || s.CountFor("GET", "/odata/Folders") != 2 {
		t.Fatalf("%d folders in %d GETs", len(folders), s.CountFor("GET", "/odata/Folders"))
	}
}

// The live service may send the enums of folders, roles and folder users
// as integer codes; they read as their names, an unknown code as such.
func TestFolderAccessDecodesIntegerCodes(t *testing.T) {
	var f Folder
	if err := json.Unmarshal([]byte(`{"Id":7,"Key":"k","DisplayName":"AP","FullyQualifiedName":"Shared/AP","ParentId":3,"FolderType":0,"ProvisionType":1,"PermissionModel":1,"FeedType":9}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.FolderType != "Standard" || f.ProvisionType != "Automatic" || !f.Modern() || f.FeedType != UnknownEnumPrefix+"9" || *f.ParentID != 3 {
		t.Fatalf("folder %+v", f)
	}
	var r Role
	if err := json.Unmarshal([]byte(`{"Id":5,"Name":"Clerk","Type":2,"IsStatic":false}`), &r); err != nil || r.Type != RoleTypeFolder || !r.ForFolders() {
		t.Fatalf("role %+v, %v", r, err)
	}
	var m FolderMember
	if err := json.Unmarshal([]byte(`{"UserEntity":{"Id":9,"UserName":"g","FullName":null,"Type":3,"IsInherited":true},"Roles":[{"Id":5,"Name":"Clerk","RoleType":2,"Origin":1,"InheritedFromFolder":{"Id":3,"DisplayName":"Shared","FullyQualifiedName":"Shared"}}],"Id":9}`), &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != TypeDirectoryGroup || !m.Inherited || len(m.Roles) != 1 || !m.Roles[0].Inherited || m.Roles[0].Type != RoleTypeFolder || m.Roles[0].From.ID != 3 {
		t.Fatalf("member %+v", m)
	}
}

// The requests carry what the definitions ask: RoleIds [] rather than
// null, the folder's id in RemoveUserFromFolder's path and userId in its
// body, the account's name quoted in GetAllRolesForUser.
func TestFolderAccessRequests(t *testing.T) {
	s := startEmulator(t, emulator.Config{Robots: 1, SeedData: accessOrg()})
	rec := &recorder{base: http.DefaultTransport}
	c := accessClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
	ctx := testContext(t)
	ops := mustFolder(t, s, "Operations")
	if err := c.Folders().AssignUsers(ctx, []int64{1001}, []FolderRoles{{FolderID: ops.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Folders().RemoveUser(ctx, ops.ID, 1001); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Folders().AccessOf(ctx, "o'brien jr", AccountUser); err != nil {
		t.Fatal(err)
	}
	var bodies, paths []string
	for _, r := range rec.all() {
		if !strings.HasSuffix(r.url, "/connect/token") {
			bodies = append(bodies, r.body)
			paths = append(paths, r.url)
		}
	}
	want := fmt.Sprintf(`{"assignments":{"RolesPerFolder":[{"FolderId":%d,"RoleIds":[]}],"UserIds":[1001]}}`, ops.ID)
	if len(bodies) != 3 || bodies[0] != want || bodies[1] != `{"userId":1001}` {
		t.Fatalf("bodies %q", bodies)
	}
	if !strings.HasSuffix(paths[1], fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolder", ops.ID)) ||
		!strings.Contains(paths[2], "GetAllRolesForUser(username='o%27%27brien%20jr',skip=0,take=1000)?type=User") {
		t.Fatalf("paths %q", paths)
	}
}
