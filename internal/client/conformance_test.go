package client

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

// openAPIDir finds shared/uipath-openapi above the package directory, or
// skips the test saying so; under CI (CI=true) a missing one fails it.
func openAPIDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Skip("no working directory")
	}
	for {
		p := filepath.Join(dir, "shared", "uipath-openapi")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			const why = "shared/uipath-openapi (UiPath's published definitions) not found above the working directory: the conformance test needs it"
			if os.Getenv("CI") == "true" {
				t.Fatal(why)
			}
			t.Skip(why)
		}
		dir = parent
	}
}

// specRouter finds the operation of a request in one published
// definition. (kin-openapi's gorillamux router stops at the first path
// template of the right shape, so GET /api/RobotAccount/{partitionGlobalId}
// lands on PUT /api/RobotAccount/{robotAccountId}; its legacy router
// refuses identity.yaml's "file" type. Matching templates here avoids both.)
type specRouter struct {
	doc    *openapi3.T
	base   string
	routes []specRoute
}

type specRoute struct {
	re     *regexp.Regexp
	names  []string
	path   string
	method string
	item   *openapi3.PathItem
	op     *openapi3.Operation
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

// loadRouter loads one published definition served at base.
func loadRouter(t *testing.T, path, base string, fix func(*openapi3.T)) *specRouter {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if fix != nil {
		fix(doc)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	r := &specRouter{doc: doc, base: strings.TrimSuffix(pathOf(base), "/")}
	for p, item := range doc.Paths.Map() {
		var names []string
		pattern := "^"
		last := 0
		for _, loc := range templateParam.FindAllStringIndex(p, -1) {
			pattern += regexp.QuoteMeta(p[last:loc[0]]) + "([^/]+)"
			names = append(names, p[loc[0]+1:loc[1]-1])
			last = loc[1]
		}
		pattern += regexp.QuoteMeta(p[last:]) + "$"
		re := regexp.MustCompile(pattern)
		for method, op := range item.Operations() {
			r.routes = append(r.routes, specRoute{re, names, p, method, item, op})
		}
	}
	return r
}

// FindRoute returns the operation and path parameters of req.
func (r *specRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	rel, ok := strings.CutPrefix(req.URL.Path, r.base)
	if !ok {
		return nil, nil, errors.New("outside the definition's base")
	}
	for _, rt := range r.routes {
		if rt.method != req.Method {
			continue
		}
		m := rt.re.FindStringSubmatch(rel)
		if m == nil {
			continue
		}
		params := map[string]string{}
		for i, n := range rt.names {
			params[n] = m[i+1]
		}
		return &routers.Route{Spec: r.doc, Server: r.doc.Servers[0], Path: rt.path, PathItem: rt.item, Method: rt.method, Operation: rt.op}, params, nil
	}
	return nil, nil, errors.New("no operation matches")
}

// TestRequestsConformToPublishedDefinitions sends every operation through
// a recorder and validates each request against UiPath's definitions.
func TestRequestsConformToPublishedDefinitions(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		dir := openAPIDir(t)
		s := startEmulator(t, emulator.Config{Users: 12, Robots: 3, Assets: 12, AssetFolders: 2, SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
		ctx := testContext(t)
		secrets := exerciseEveryOperation(t, ctx, c, s)
		exerciseCredentialStores(t, ctx, s, rec)
		exerciseAccess(t, ctx, s, rec)
		exerciseAudit(t, ctx, s, rec)
		secrets = append(secrets, exerciseAssets(t, ctx, s, rec)...)

		ep := c.Endpoints()
		tokenBase := strings.TrimSuffix(ep.Token, "/connect/token")
		identity := loadRouter(t, filepath.Join(dir, "identity.yaml"), ep.Identity, nil)
		token := loadRouter(t, filepath.Join(dir, "identity.token.yaml"), tokenBase, nil)
		orchestrator := loadRouter(t, filepath.Join(dir, "orchestrator.yaml"), ep.Orchestrator, func(doc *openapi3.T) {
			relaxExecutionSettings(doc)
			relaxAcrossFoldersHeader(doc)
		})

		seen := map[string]bool{}
		for _, r := range rec.all() {
			var router *specRouter
			switch {
			case r.url == ep.Token:
				router = token
			case strings.HasPrefix(r.url, ep.Orchestrator+"/"):
				router = orchestrator
			case strings.HasPrefix(r.url, ep.Identity+"/"):
				router = identity
			default:
				t.Errorf("%s %s goes to no known base", r.method, r.url)
				continue
			}
			req, err := http.NewRequest(r.method, r.url, strings.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = r.header.Clone()
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Errorf("%s %s: no such operation in the definition: %v", r.method, req.URL.Path, err)
				continue
			}
			seen[route.Operation.OperationID] = true
			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
			})
			if err != nil {
				t.Errorf("%s %s (%s) does not conform: %s", r.method, req.URL.Path, route.Operation.OperationID, scrub(err.Error(), secrets))
			}
		}
		// The check itself must be able to fail.
		bad, _ := http.NewRequest(http.MethodPut, ep.Identity+"/api/User/"+s.Users()[1].ID, strings.NewReader(`{"isActive":"yes"}`))
		bad.Header.Set("Content-Type", "application/json")
		if route, params, err := identity.FindRoute(bad); err != nil {
			t.Errorf("route of the bad request: %v", err)
		} else if openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: bad, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		}) == nil {
			t.Error("a body with isActive as a string passed validation")
		}
		for _, op := range []string{"Create", "User_GetUser", "User_Update", "User_ChangePassword", "User_GetUsers",
			"RobotAccount_GetRobotAccount", "RobotAccount_GetRobotAccounts", "RobotAccount_UpdateRobotAccount",
			"Users_GetById", "Users_Get", "Users_PatchById",
			"User_CreateUser", "User_Delete", "User_BulkDelete",
			"Group_CreateGroup", "Group_UpdateGroup", "Group_Delete", "Group_BulkDelete",
			"RobotAccount_CreateRobotAccount", "RobotAccount_Delete", "RobotAccount_BulkDelete",
			"CredentialStores_Get", "CredentialStores_GetById",
			"Folders_Get", "Folders_GetById", "Folders_Post", "Roles_Get", "Users_AssignRolesById",
			"Folders_GetUsersForFolderByKeyAndIncludeinherited", "Folders_GetAllRolesForUserByUsernameAndSkipAndTake",
			"Folders_AssignUsers", "Folders_AssignDomainUser", "Folders_RemoveUserFromFolderById", "Users_Post",
			"AuditLogs_Get", "AuditLogs_GetAuditLogDetailsByAuditlogid", "AuditQuery_GetAuditEvents",
			"Assets_Get", "Assets_GetById", "Assets_PutById", "Assets_GetAssetsAcrossFolders"} {
			if !seen[op] {
				t.Errorf("operation %s was not exercised", op)
			}
		}
	})
}

// relaxExecutionSettings lets ExecutionSettings values be any JSON value:
// the definition says objects, but Orchestrator itself sends and accepts
// strings, numbers and booleans ("LoggingLevel": "Information").
func relaxExecutionSettings(doc *openapi3.T) {
	robot := doc.Components.Schemas["UnattendedRobotDto"]
	if robot == nil || robot.Value == nil {
		return
	}
	if es := robot.Value.Properties["ExecutionSettings"]; es != nil && es.Value != nil {
		es.Value.AdditionalProperties = openapi3.AdditionalProperties{Schema: openapi3.NewSchemaRef("", openapi3.NewSchema())}
	}
}

// relaxAcrossFoldersHeader makes the folder header of
// GetAssetsAcrossFolders optional: the definitions mark it required, but
// the list spans every folder and UiPath's own SDK sends none.
func relaxAcrossFoldersHeader(doc *openapi3.T) {
	item := doc.Paths.Value("/odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders")
	if item == nil || item.Get == nil {
		return
	}
	for _, p := range item.Get.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && p.Value.Name == "X-UIPATH-OrganizationUnitId" {
			p.Value.Required = false
		}
	}
}

// exerciseAssets reads the generated assets in their folders and across
// folders, and sets a credential's password, a robot's value's and a
// secret, through rec, with a client that asks for the asset scopes; it
// returns the passwords it sent.
func exerciseAssets(t *testing.T, ctx context.Context, s *emulator.Server, rec *recorder) []string {
	t.Helper()
	c, err := New(ctx, settingsFor(t, s), withHTTPClient(&http.Client{Transport: rec}), WithOperations(AssetOperations...))
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	team, ok := s.FolderByPath("Assets/Team 02")
	if !ok {
		t.Fatal("no generated asset folder")
	}
	list, err := c.Assets().List(ctx, team.ID)
	must("Assets.List", err)
	_, err = c.Assets().AcrossFolders(ctx)
	must("Assets.AcrossFolders", err)
	passwords := []string{"Conformance-Asset-1", "Conformance-Asset-2", "Conformance-Asset-3"}
	var credential, perRobot, secretAsset *Asset
	for i := range list {
		switch a := &list[i]; {
		case a.ValueType == "Secret":
			secretAsset = a
		case a.ExternalName != "":
		case a.ValueScope == "PerRobot":
			perRobot = a
		default:
			credential = a
		}
	}
	if credential == nil || perRobot == nil || secretAsset == nil {
		t.Fatalf("the generated folder lacks a kind of asset: %+v", list)
	}
	fresh, err := c.Assets().Get(ctx, team.ID, credential.ID)
	must("Assets.Get", err)
	must("Assets.SetCredentialOf", c.Assets().SetCredentialOf(ctx, fresh, AssetValueTarget{}, `CORP\conformance`, secret.New(passwords[0])))
	must("Assets.SetCredentialOf a robot's value", c.Assets().SetCredentialOf(ctx, *perRobot, AssetValueTarget{RobotID: perRobot.RobotValues[0].RobotID}, "", secret.New(passwords[1])))
	must("Assets.SetCredential of a secret", c.Assets().SetCredential(ctx, team.ID, secretAsset.ID, AssetValueTarget{}, "", secret.New(passwords[2])))
	return passwords
}

// exerciseCredentialStores lists and reads the credential stores through
// rec, with a client that asks for their optional scope.
func exerciseCredentialStores(t *testing.T, ctx context.Context, s *emulator.Server, rec *recorder) {
	t.Helper()
	c, err := New(ctx, settingsFor(t, s), withHTTPClient(&http.Client{Transport: rec}), WithOperations(OpListCredentialStores, OpGetCredentialStore))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CredentialStores.List(ctx); err != nil {
		t.Fatalf("CredentialStores.List: %v", err)
	}
	if _, err := c.CredentialStores.Get(ctx, 1); err != nil {
		t.Fatalf("CredentialStores.Get: %v", err)
	}
}

// exerciseAccess creates folders, reads roles and gives, reads and takes
// away access through rec, with a client that asks for the scopes of
// folder access.
func exerciseAccess(t *testing.T, ctx context.Context, s *emulator.Server, rec *recorder) {
	t.Helper()
	c, err := New(ctx, settingsFor(t, s), withHTTPClient(&http.Client{Transport: rec}), WithOperations(FolderOperations...))
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shared, err := c.Folders().Create(ctx, NewFolder{DisplayName: "Shared"})
	must("Folders.Create", err)
	finance, err := c.Folders().Create(ctx, NewFolder{DisplayName: "Finance", ParentID: &shared.ID, Description: "Money"})
	must("Folders.Create under a parent", err)
	_, err = c.Folders().List(ctx)
	must("Folders.List", err)
	_, err = c.Folders().FindByPath(ctx, "Shared/Finance")
	must("Folders.FindByPath", err)
	_, err = c.Folders().Get(ctx, finance.ID)
	must("Folders.Get", err)
	roles, err := c.Roles().List(ctx)
	must("Roles.List", err)
	user := roleIDs(t, roles, "Automation User")
	must("Folders.AssignUsers", c.Folders().AssignUsers(ctx, []int64{1001, 1002}, []FolderRoles{{FolderID: shared.ID, RoleIDs: user}, {FolderID: finance.ID}}))
	member := s.Users()[3]
	must("Folders.AssignDirectoryUser", c.Folders().AssignDirectoryUser(ctx, DirectoryAssignment{
		Type: TypeDirectoryUser, DirectoryIdentifier: member.ID, UserName: member.UserName, RolesPerFolder: []FolderRoles{{FolderID: finance.ID, RoleIDs: user}},
	}))
	_, err = c.Folders().Users(ctx, finance.ID, true)
	must("Folders.Users", err)
	_, err = c.Folders().AccessOf(ctx, member.UserName, AccountUser)
	must("Folders.AccessOf", err)
	must("Folders.RemoveUser", c.Folders().RemoveUser(ctx, finance.ID, 1002))
	must("OrchestratorUsers.AssignTenantRoles", c.OrchestratorUsers.AssignTenantRoles(ctx, 1001, roleIDs(t, roles, "Robot", "Allow to be Automation User")))
	newcomer := s.Users()[5]
	_, err = c.OrchestratorUsers.CreateDirectoryUser(ctx, NewOrchestratorUser{
		Type: TypeDirectoryUser, DirectoryIdentifier: newcomer.ID, UserName: newcomer.UserName, Domain: "autogen",
		RolesList: []string{"Allow to be Automation User"},
		UnattendedRobot: &UnattendedRobot{UserName: `CORP\svc-new`, CredentialType: "NoCredential",
			ExecutionSettings: map[string]any{"LoggingLevel": "Information"}, LimitConcurrentExecution: true},
	})
	must("OrchestratorUsers.CreateDirectoryUser", err)
	_, err = c.OrchestratorUsers.CreateDirectoryUser(ctx, NewOrchestratorUser{Type: TypeDirectoryGroup, UserName: "Finance"})
	must("OrchestratorUsers.CreateDirectoryUser of a group", err)
}

// exerciseAudit reads both audit logs, from a time and whole, and the
// details of a record, through rec, with a client that asks for the audit
// scopes.
func exerciseAudit(t *testing.T, ctx context.Context, s *emulator.Server, rec *recorder) {
	t.Helper()
	c, err := New(ctx, settingsFor(t, s), withHTTPClient(&http.Client{Transport: rec}), WithOperations(AuditOperations...))
	if err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Hour)
	var last OrchestratorAuditRecord
	for _, from := range []time.Time{since, {}} {
		if err := c.Audit().Orchestrator(ctx, from, func(r OrchestratorAuditRecord) error { last = r; return nil }); err != nil {
			t.Fatalf("Audit().Orchestrator: %v", err)
		}
		if err := c.Audit().Identity(ctx, from, func(IdentityAuditRecord) error { return nil }); err != nil {
			t.Fatalf("Audit().Identity: %v", err)
		}
	}
	if last.ID == 0 {
		t.Fatal("the Orchestrator changes above left no audit record")
	}
	if _, err := c.Audit().OrchestratorDetails(ctx, last.ID); err != nil {
		t.Fatalf("Audit().OrchestratorDetails: %v", err)
	}
}

// exerciseEveryOperation calls every operation once (or more) and returns
// the secrets it sent.
func exerciseEveryOperation(t *testing.T, ctx context.Context, c *Client, s *emulator.Server) []string {
	t.Helper()
	user := s.Users()[0]
	name, active, bypass := "Grace", true, false
	newPass, robotPass := "Conformance-Pass-1", "Conformance-Robot-2"
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.Users.Get(ctx, user.ID)
	must("Users.Get", err)
	must("Users.Update", c.Users.Update(ctx, user.ID, UpdateUser{
		Name: &name, IsActive: &active, BypassBasicAuthRestriction: &bypass, Password: secret.New(newPass),
		GroupIDsToAdd: []string{groupFinance}, GroupIDsToRemove: []string{groupEveryone},
		ExtensionAttributesToSet: map[string]string{"costCenter": "42"}, ExtensionAttributesToDrop: []string{"legacy"},
	}))
	must("Users.ChangePassword", c.Users.ChangePassword(ctx, user.ID, secret.New(newPass), secret.New(newPass+"x")))
	_, err = c.Users.list(ctx, listOptions{SearchTerm: "user", Top: 5, Skip: 5})
	must("Users.List", err)
	_, err = c.Users.FindByEmail(ctx, "user00003@example.com")
	must("Users.FindByEmail", err)
	robot := s.RobotAccounts()[0]
	_, err = c.RobotAccounts.Get(ctx, robot.ID)
	must("RobotAccounts.Get", err)
	_, err = c.RobotAccounts.FindByName(ctx, robot.Name)
	must("RobotAccounts.FindByName", err)
	display := "Conformance bot"
	_, err = c.RobotAccounts.Update(ctx, robot.ID, UpdateRobotAccount{DisplayName: &display, GroupIDsToAdd: []string{groupFinance}})
	must("RobotAccounts.Update", err)
	_, err = c.OrchestratorUsers.FindByUserName(ctx, "robot-001")
	must("OrchestratorUsers.FindByUserName", err)
	_, err = c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1001, UnattendedCredentials{UserName: `CORP\svc-x`, Password: secret.New(robotPass)})
	must("OrchestratorUsers.SetUnattendedCredentials", err)
	createPass := exerciseLifecycle(t, ctx, c, s)
	return []string{newPass, newPass + "x", robotPass, createPass, emulator.DefaultClient().Secret}
}

// exerciseLifecycle creates and deletes a user, users in bulk, groups and
// robot accounts, and returns the password it sent.
func exerciseLifecycle(t *testing.T, ctx context.Context, c *Client, s *emulator.Server) string {
	t.Helper()
	const createPass = "Conformance-Create-3"
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("Users.Create", c.Users.Create(ctx, CreateUser{
		NewUser: NewUser{
			ID: "0c8a3e4e-1b2c-4d5e-8f90-a1b2c3d4e5f6", UserName: "conf.user", Email: "conf.user@example.com",
			Name: "Conf", Surname: "User", DisplayName: "Conf User", Type: "user", BypassBasicAuthRestriction: true,
		},
		Password: secret.New(createPass), ValidatePassword: true, GroupIDs: []string{groupFinance},
	}))
	for _, nu := range []NewUser{{Email: "conf.b1@example.com"}, {Email: "conf.b2@example.com", Name: "B"}} {
		must("Users.Create", c.Users.Create(ctx, CreateUser{NewUser: nu, GroupIDs: []string{groupFinance}}))
	}
	must("Users.Delete", c.Users.Delete(ctx, "0c8a3e4e-1b2c-4d5e-8f90-a1b2c3d4e5f6"))
	b1, err := c.Users.FindByEmail(ctx, "conf.b1@example.com")
	must("Users.FindByEmail", err)
	b2, err := c.Users.FindByEmail(ctx, "conf.b2@example.com")
	must("Users.FindByEmail", err)
	must("Users.BulkDelete", c.Users.BulkDelete(ctx, []string{b1.ID, b2.ID}))

	member := s.Users()[1].ID
	g, err := c.Groups.Create(ctx, NewGroup{Name: "Conformance", MemberIDs: []string{member}})
	must("Groups.Create", err)
	_, err = c.Groups.Update(ctx, g.ID, UpdateGroup{Name: g.Name, MemberIDsToAdd: []string{s.Users()[2].ID}, MemberIDsToRemove: []string{member}})
	must("Groups.Update", err)
	g2, err := c.Groups.Create(ctx, NewGroup{ID: "1d9b4f5f-2c3d-4e6f-9a01-b2c3d4e5f6a7", Name: "Conformance 2"})
	must("Groups.Create with an id", err)
	must("Groups.Delete", c.Groups.Delete(ctx, g.ID))
	must("Groups.BulkDelete", c.Groups.BulkDelete(ctx, []string{g2.ID}))

	r1, err := c.RobotAccounts.Create(ctx, NewRobotAccount{Name: "conf-bot-1", DisplayName: "Conf bot", GroupIDs: []string{groupFinance}})
	must("RobotAccounts.Create", err)
	r2, err := c.RobotAccounts.Create(ctx, NewRobotAccount{Name: "conf-bot-2"})
	must("RobotAccounts.Create", err)
	must("RobotAccounts.Delete", c.RobotAccounts.Delete(ctx, r1.ID))
	must("RobotAccounts.BulkDelete", c.RobotAccounts.BulkDelete(ctx, []string{r2.ID}))
	return createPass
}
