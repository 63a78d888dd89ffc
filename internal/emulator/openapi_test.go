package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// findOpenAPIDir walks up from the working directory to shared/uipath-openapi.
func findOpenAPIDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		candidate := filepath.Join(dir, "shared", "uipath-openapi")
		if info, err := os.Stat(candidate); err == nil && info.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			const why = "shared/uipath-openapi not found above the working directory"
			if os.Getenv("CI") == "true" {
				t.Fatal(why)
			}
			t.Skip(why)
		}
		dir = parent
	}
}

// specRouter loads one published definition, keeps the paths the emulator
// serves, and points its server at the emulator. With live, the
// definition is changed where the live service departs from it
// (liveDepartures).
func specRouter(t *testing.T, file, serverURL string, live bool, paths []string) routers.Router {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(file)
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	keep := map[string]bool{}
	for _, p := range paths {
		if doc.Paths.Value(p) == nil {
			t.Fatalf("%s has no path %s", filepath.Base(file), p)
		}
		keep[p] = true
	}
	for p := range doc.Paths.Map() {
		if !keep[p] {
			doc.Paths.Delete(p)
		}
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	relaxPublishedQuirks(doc)
	if live {
		liveDepartures(doc)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router for %s: %v", file, err)
	}
	return router
}

// relaxPublishedQuirks adjusts two places where orchestrator.yaml disagrees
// with what Orchestrator answers: ExecutionSettings is declared as a map of
// objects but holds strings ("LoggingLevel": "Information"), and
// UnattendedRobot.Password is not declared nullable but GET answers null.
func relaxPublishedQuirks(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	if ref := doc.Components.Schemas["UnattendedRobotDto"]; ref != nil && ref.Value != nil {
		if es := ref.Value.Properties["ExecutionSettings"]; es != nil && es.Value != nil {
			es.Value.AdditionalProperties = openapi3.AdditionalProperties{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{})}
		}
		if pw := ref.Value.Properties["Password"]; pw != nil && pw.Value != nil {
			pw.Value.Nullable = true
		}
	}
}

// liveDepartures writes into identity.yaml what the live service answers
// instead: user and group types as integer codes, and a user's integer
// category.
func liveDepartures(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	codes := func(n int) *openapi3.Schema {
		sch := openapi3.NewIntegerSchema()
		for i := range n {
			sch.Enum = append(sch.Enum, float64(i))
		}
		return sch
	}
	// In place: the loader has resolved every $ref to these values.
	for name, n := range map[string]int{"UserType": 6, "GroupType": 2} {
		if ref := doc.Components.Schemas[name]; ref != nil && ref.Value != nil {
			*ref.Value = *codes(n)
		}
	}
	if ref := doc.Components.Schemas["UserDto"]; ref != nil && ref.Value != nil {
		ref.Value.Properties["category"] = openapi3.NewSchemaRef("", codes(3))
	}
	// A root folder's parent and a folder without a description are null;
	// so is what an asset or its value lacks (UiPath's SDK types these
	// string | null, number | null), and across folders its value fields.
	for schema, names := range map[string][]string{
		"FolderDto": {"ParentId", "ParentKey", "Description"},
		"AssetDto": {"Value", "StringValue", "CredentialUsername", "ExternalName", "CredentialStoreId", "Description",
			"LastModificationTime", "LastModifierUserId", "CreatorUserId"},
		"AssetRobotValueDto": {"KeyTrail", "ExternalName", "CredentialStoreId"},
		"AssetUserValueDto":  {"MachineId", "MachineName", "ExternalName", "CredentialStoreId"},
	} {
		ref := doc.Components.Schemas[schema]
		if ref == nil || ref.Value == nil {
			continue
		}
		for _, name := range names {
			if p := ref.Value.Properties[name]; p != nil && p.Value != nil {
				p.Value.Nullable = true
			}
		}
	}
}

// specReplay sends requests to the emulator and validates every answer
// whose status the definition documents for the operation.
type specReplay struct {
	t         *testing.T
	h         *harness
	validated map[string]int // operationId → validated answers
}

func (r *specReplay) send(router routers.Router, method, rawURL, token, contentType, body string) (int, []byte) {
	r.t.Helper()
	return r.sendIn(router, method, rawURL, token, 0, contentType, body)
}

// sendIn is send in the folder with id (X-UIPATH-OrganizationUnitId; 0:
// none).
func (r *specReplay) sendIn(router routers.Router, method, rawURL, token string, folder int64, contentType, body string) (int, []byte) {
	t := r.t
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if folder != 0 {
		req.Header.Set("X-UIPATH-OrganizationUnitId", strconv.FormatInt(folder, 10))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, respBody := r.h.send(t, req)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no route in the definition: %v", method, rawURL, err)
	}
	op := route.Operation
	if op.Responses.Status(resp.StatusCode) == nil {
		return resp.StatusCode, respBody
	}
	if resp.StatusCode == http.StatusBadRequest && !bytes.Contains(respBody, []byte(`"succeeded"`)) {
		// ASP.NET's automatic problem details are not in the published
		// definitions, which document only IdentityResult for 400.
		return resp.StatusCode, respBody
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s (%s %s → %d) does not match the published schema: %v\nbody: %.600s", op.OperationID, method, req.URL.Path, resp.StatusCode, err, respBody)
	}
	r.validated[op.OperationID+" "+strconv.Itoa(resp.StatusCode)]++
	return resp.StatusCode, respBody
}

// In spec shapes every answer whose status the definitions document
// matches their schema.
func TestResponsesMatchPublishedDefinitions(t *testing.T) {
	replayAgainstDefinitions(t, true)
}

// Live, the answers match the definitions but for the departures the
// package documents (liveDepartures); the deletes' 200 is not in the
// definitions and is left unchecked.
func TestLiveResponsesMatchDefinitionsButForTheirDepartures(t *testing.T) {
	replayAgainstDefinitions(t, false)
}

func replayAgainstDefinitions(t *testing.T, spec bool) {
	dir := findOpenAPIDir(t)
	seed := writeSeed(t, `credentialStores: [{id: 3, name: CyberArk, type: CyberArk, readOnly: true}]
users: [{userName: loner, email: loner@example.com}]
`)
	h := startServer(t, Config{Users: 30, Robots: 3, SeedFile: "testdata/seed.yaml", SpecShapes: spec})
	hLoner := startServer(t, Config{SeedFile: seed, SpecShapes: spec})
	live := !spec
	identityBase := h.base + "/demo-org/identity_"
	orchBase := h.base + "/demo-org/DefaultTenant/orchestrator_"
	tokenRouter := specRouter(t, filepath.Join(dir, "identity.token.yaml"), h.base+"/identity_", live, []string{"/connect/token"})
	idRouter := specRouter(t, filepath.Join(dir, "identity.yaml"), identityBase, live, []string{
		"/api/User/{userId}", "/api/User/{userId}/changepassword", "/api/User/users/{partitionGlobalId}",
		"/api/RobotAccount/{partitionGlobalId}", "/api/RobotAccount/{partitionGlobalId}/{robotAccountId}",
		"/api/User", "/api/Group", "/api/Group/{partitionGlobalId}", "/api/Group/{partitionGlobalId}/{groupId}",
		"/api/RobotAccount", "/api/AuditQuery/{partitionGlobalId}",
	})
	// Literal and templated segments in one place (BulkCreate and
	// {userId}), and PUT /api/Group/{groupId} beside the partition's
	// group list, each get a router of their own.
	bulkCreateRouter := specRouter(t, filepath.Join(dir, "identity.yaml"), identityBase, live, []string{"/api/User/BulkCreate"})
	groupPutRouter := specRouter(t, filepath.Join(dir, "identity.yaml"), identityBase, live, []string{"/api/Group/{groupId}"})
	// GET /api/RobotAccount/{partitionGlobalId} and PUT /api/RobotAccount/{robotAccountId}
	// share a pattern, which one router cannot hold.
	robotPutRouter := specRouter(t, filepath.Join(dir, "identity.yaml"), identityBase, live, []string{"/api/RobotAccount/{robotAccountId}"})
	orchRouter := specRouter(t, filepath.Join(dir, "orchestrator.yaml"), orchBase, live, []string{
		"/odata/Users", "/odata/Users({key})", "/odata/CredentialStores", "/odata/CredentialStores({key})",
		"/odata/AuditLogs", "/odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId={auditLogId})",
	})
	r := &specReplay{t: t, h: h, validated: map[string]int{}}

	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}.Encode()
	if status, _ := r.send(tokenRouter, http.MethodPost, h.base+"/identity_/connect/token", "", "application/x-www-form-urlencoded", form); status != 200 {
		t.Fatalf("token status %d", status)
	}
	tok := h.token(t)
	users := h.srv.Users()
	u1, u2 := users[0], users[1]
	ra := h.srv.RobotAccounts()[0]
	const jsonCT = "application/json"

	r.send(idRouter, http.MethodGet, identityBase+"/api/User/"+u1.ID, tok, "", "")
	r.send(idRouter, http.MethodPut, identityBase+"/api/User/"+u1.ID, tok, jsonCT, `{"name":"Spec","groupIDsToAdd":["`+GroupFinance+`"]}`)
	r.send(idRouter, http.MethodPut, identityBase+"/api/User/"+u1.ID, tok, jsonCT, `{"password":"weak"}`)
	r.send(idRouter, http.MethodPut, identityBase+"/api/User/"+u1.ID, tok, jsonCT, `{"email":"other@example.com"}`)
	r.send(idRouter, http.MethodPost, identityBase+"/api/User/"+u2.ID+"/changepassword", tok, jsonCT, `{"oldPassword":"wrong","newPassword":"Valid-Pass-1"}`)
	r.send(idRouter, http.MethodPost, identityBase+"/api/User/"+u2.ID+"/changepassword", tok, jsonCT, `{"oldPassword":"`+InitialPassword(2)+`","newPassword":"Valid-Pass-1"}`)
	r.send(idRouter, http.MethodGet, identityBase+"/api/User/users/"+DefaultPartitionID+"?top=1000", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/User/users/"+DefaultPartitionID+"?top=10&skip=10&sortBy=Id&sortOrder=desc", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/User/users/"+DefaultPartitionID+"?searchTerm=jdoe&top=5&skip=0", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/RobotAccount/"+DefaultPartitionID+"?top=100", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/RobotAccount/"+DefaultPartitionID+"?top=2&skip=1&sortBy=Id", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/RobotAccount/"+DefaultPartitionID+"/"+ra.ID, tok, "", "")
	r.send(robotPutRouter, http.MethodPut, identityBase+"/api/RobotAccount/"+ra.ID, tok, jsonCT, `{"partitionGlobalId":"`+DefaultPartitionID+`","displayName":"Spec robot","groupIDsToAdd":["`+GroupFinance+`"]}`)

	// A user in no groups: groupIDs [] or null, both nullable in the definition.
	loner := hLoner.srv.Users()[0]
	rLoner := &specReplay{t: t, h: hLoner, validated: r.validated}
	lonerRouter := specRouter(t, filepath.Join(dir, "identity.yaml"), hLoner.base+"/demo-org/identity_", live, []string{"/api/User/{userId}"})
	rLoner.send(lonerRouter, http.MethodGet, hLoner.base+"/demo-org/identity_/api/User/"+loner.ID, hLoner.token(t), "", "")

	// The account lifecycle.
	part := `"partitionGlobalId":"` + DefaultPartitionID + `"`
	r.send(idRouter, http.MethodPost, identityBase+"/api/User", tok, jsonCT, `{`+part+`,"userName":"spec","email":"spec@example.com","password":"Spec-Pass-1","groupIDs":["`+GroupFinance+`"]}`)
	r.send(idRouter, http.MethodPost, identityBase+"/api/User", tok, jsonCT, `{`+part+`,"userName":"spec","email":"spec@example.com"}`)
	r.send(idRouter, http.MethodPost, identityBase+"/api/User", tok, jsonCT, `{`+part+`,"id":"`+testGUID(7)+`","userName":"spec-robot-user","type":1}`)
	r.send(bulkCreateRouter, http.MethodPost, identityBase+"/api/User/BulkCreate", tok, jsonCT, `{`+part+`,"groupIDs":["`+GroupFinance+`"],"users":[{"userName":"spec2","email":"spec2@example.com"},{"email":"spec3@example.com"}]}`)
	r.send(bulkCreateRouter, http.MethodPost, identityBase+"/api/User/BulkCreate", tok, jsonCT, `{`+part+`,"users":[{"userName":"spec2","email":"spec4@example.com"}]}`)
	r.send(idRouter, http.MethodDelete, identityBase+"/api/User", tok, jsonCT, `{`+part+`,"userIds":["`+users[2].ID+`","`+users[3].ID+`"]}`)
	r.send(idRouter, http.MethodDelete, identityBase+"/api/User/"+users[4].ID, tok, "", "")
	_, created := r.send(idRouter, http.MethodPost, identityBase+"/api/Group", tok, jsonCT, `{`+part+`,"id":"`+testGUID(8)+`","name":"Spec group","directoryUserMemberIDs":["`+u1.ID+`","`+ra.ID+`"]}`)
	var group struct{ ID string }
	mustJSON(t, created, &group)
	r.send(groupPutRouter, http.MethodPut, identityBase+"/api/Group/"+group.ID, tok, jsonCT, `{`+part+`,"name":"Spec group 2","directoryUserIDsToAdd":["`+u2.ID+`"],"directoryUserIDsToRemove":["`+ra.ID+`"]}`)
	r.send(idRouter, http.MethodGet, identityBase+"/api/Group/"+DefaultPartitionID, tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/Group/"+DefaultPartitionID+"/"+group.ID, tok, "", "")
	r.send(idRouter, http.MethodDelete, identityBase+"/api/Group/"+DefaultPartitionID+"/"+group.ID, tok, "", "")
	r.send(idRouter, http.MethodDelete, identityBase+"/api/Group/"+DefaultPartitionID, tok, jsonCT, `{"groupIDs":["`+GroupFinance+`"]}`)
	_, created = r.send(idRouter, http.MethodPost, identityBase+"/api/RobotAccount", tok, jsonCT, `{`+part+`,"name":"spec-robot","displayName":"Spec robot","groupIDsToAdd":["`+GroupAutomationUsers+`"]}`)
	var robot struct{ ID string }
	mustJSON(t, created, &robot)
	r.send(idRouter, http.MethodDelete, identityBase+"/api/RobotAccount/"+DefaultPartitionID+"/"+robot.ID, tok, "", "")
	robots := h.srv.RobotAccounts()
	r.send(idRouter, http.MethodDelete, identityBase+"/api/RobotAccount/"+DefaultPartitionID, tok, jsonCT, `{"robotAccountIDs":["`+robots[1].ID+`","`+robots[2].ID+`"]}`)

	r.send(orchRouter, http.MethodGet, orchBase+"/odata/Users?$top=100", tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/Users?$filter="+url.QueryEscape("UserName eq 'robot-001'"), tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/Users(1001)", tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/Users(2002)", tok, "", "")
	r.send(orchRouter, http.MethodPatch, orchBase+"/odata/Users(1001)", tok, jsonCT, `{"UnattendedRobot":{"UserName":"CORP\\svc-robot-001","Password":"Spec-Pass-1","CredentialType":"Default"}}`)
	r.send(orchRouter, http.MethodPut, orchBase+"/odata/Users(1002)", tok, jsonCT, `{"UserName":"robot-002","Name":"robot-002"}`)
	r.send(orchRouter, http.MethodPost, orchBase+"/odata/Users", tok, jsonCT, `{"Type":"DirectoryUser","DirectoryIdentifier":"`+users[6].ID+`","UserName":"`+users[6].UserName+`","Domain":"autogen",`+
		`"RolesList":["Allow to be Automation User"],"MayHaveUnattendedSession":true,"UnattendedRobot":{"UserName":"CORP\\svc-spec","CredentialType":"Default","ExecutionSettings":{"LoggingLevel":"Information"},"LimitConcurrentExecution":false}}`)
	r.send(orchRouter, http.MethodPost, orchBase+"/odata/Users", tok, jsonCT, `{"Type":"DirectoryGroup","UserName":"Automation Users"}`)
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/CredentialStores", tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/CredentialStores(1)", tok, "", "")
	lonerOrch := specRouter(t, filepath.Join(dir, "orchestrator.yaml"), hLoner.base+"/demo-org/DefaultTenant/orchestrator_", live, []string{"/odata/CredentialStores({key})"})
	rLoner.send(lonerOrch, http.MethodGet, hLoner.base+"/demo-org/DefaultTenant/orchestrator_/odata/CredentialStores(3)", hLoner.token(t), "", "")
	// The audit logs of the changes above.
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/AuditLogs?$orderby=ExecutionTime%20desc&$top=1000&$count=true&$filter="+
		url.QueryEscape("ExecutionTime ge 2024-01-01T00:00:00Z and Component eq 'Users'"), tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+"/odata/AuditLogs?$expand=Entities&$top=2&$skip=1", tok, "", "")
	r.send(orchRouter, http.MethodGet, orchBase+fmt.Sprintf("/odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId=%d)", h.srv.AuditLogs()[0].ID), tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/AuditQuery/"+DefaultPartitionID+"?top=1000&skip=0&sortBy=createdOn&sortOrder=desc", tok, "", "")
	r.send(idRouter, http.MethodGet, identityBase+"/api/AuditQuery/"+DefaultPartitionID+"?top=3&skip=2&sortOrder=asc&language=en", tok, "", "")
	replayAccess(t, dir, spec, r.validated)
	replayAssets(t, dir, spec, r.validated)

	want := []string{
		"Create 200", "User_GetUser 200", "User_Update 200", "User_Update 400", "User_ChangePassword 200",
		"User_ChangePassword 400", "User_GetUsers 200", "RobotAccount_GetRobotAccounts 200",
		"RobotAccount_GetRobotAccount 200", "RobotAccount_UpdateRobotAccount 200",
		"Users_Get 200", "Users_GetById 200", "Users_PatchById 200", "Users_PutById 200",
		"User_CreateUser 200", "User_CreateUser 400", "User_CreateUsers 200", "User_CreateUsers 400",
		"Group_GetGroups 200", "Group_CreateGroup 201", "Group_UpdateGroup 200", "Group_GetGroup 200",
		"RobotAccount_CreateRobotAccount 201", "CredentialStores_Get 200", "CredentialStores_GetById 200",
		"Folders_Get 200", "Folders_GetById 200", "Folders_Post 201", "Roles_Get 200",
		"Folders_GetUsersForFolderByKeyAndIncludeinherited 200", "Folders_GetAllRolesForUserByUsernameAndSkipAndTake 200",
		"Folders_AssignUsers 204", "Folders_AssignDomainUser 204", "Folders_RemoveUserFromFolderById 204",
		"Folders_RemoveUserFromFolderByKey 204", "Users_AssignRolesById 200", "Users_Post 201",
		"AuditLogs_Get 200", "AuditLogs_GetAuditLogDetailsByAuditlogid 200", "AuditQuery_GetAuditEvents 200",
		"Assets_Get 200", "Assets_GetById 200", "Assets_PutById 200", "Assets_GetAssetsAcrossFolders 200",
	}
	if spec {
		want = append(want, "User_BulkDelete 204", "User_Delete 204", "Group_Delete 204", "Group_BulkDelete 204",
			"RobotAccount_Delete 204", "RobotAccount_BulkDelete 204")
	}
	for _, w := range want {
		if r.validated[w] == 0 {
			t.Errorf("no validated answer for %s (validated: %v)", w, r.validated)
		}
	}
}

// replayAccess sends the folder, role and access requests to an
// organization with a folder tree and assignments (orgA), validating the
// answers into validated.
func replayAccess(t *testing.T, dir string, spec bool, validated map[string]int) {
	h := startServer(t, Config{Robots: 1, SeedData: orgA(), SpecShapes: spec})
	r := &specReplay{t: t, h: h, validated: validated}
	base := h.base + "/demo-org/DefaultTenant/orchestrator_"
	const actions = "/odata/Folders/UiPath.Server.Configuration.OData."
	router := func(paths ...string) routers.Router {
		return specRouter(t, filepath.Join(dir, "orchestrator.yaml"), base, !spec, paths)
	}
	folders := router("/odata/Folders", "/odata/Folders({key})", "/odata/Roles")
	users := router(actions + "GetUsersForFolder(key={key},includeInherited={includeInherited})")
	roles := router(actions + "GetAllRolesForUser(username='{username}',skip={skip},take={take})")
	assign := router(actions+"AssignUsers", actions+"AssignDomainUser")
	remove := router("/odata/Folders({key})/UiPath.Server.Configuration.OData.RemoveUserFromFolder")
	removeByKey := router("/odata/Folders({key})/UiPath.Server.Configuration.OData.RemoveUserFromFolderByKey")
	tenant := router("/odata/Users({key})/UiPath.Server.Configuration.OData.AssignRoles")
	tok := h.token(t)
	const jsonCT = "application/json"
	ap, finance := folderID(t, h, "Shared/Finance/AP"), folderID(t, h, "Shared/Finance")
	user := roleID(t, h, "Automation User")
	jdoe := orchUser(t, h, "jdoe")

	r.send(folders, http.MethodGet, base+"/odata/Folders", tok, "", "")
	r.send(folders, http.MethodGet, base+"/odata/Folders?$top=2&$skip=1", tok, "", "")
	r.send(folders, http.MethodGet, base+fmt.Sprintf("/odata/Folders(%d)", ap), tok, "", "")
	r.send(folders, http.MethodPost, base+"/odata/Folders", tok, jsonCT, fmt.Sprintf(`{"DisplayName":"AR","ParentId":%d,"PermissionModel":"FineGrained","ProvisionType":"Automatic"}`, finance))
	r.send(folders, http.MethodPost, base+"/odata/Folders", tok, jsonCT, `{"DisplayName":"Top","Description":"A root folder"}`)
	r.send(folders, http.MethodGet, base+"/odata/Roles", tok, "", "")
	r.send(users, http.MethodGet, base+actions+fmt.Sprintf("GetUsersForFolder(key=%d,includeInherited=true)", ap), tok, "", "")
	r.send(users, http.MethodGet, base+actions+fmt.Sprintf("GetUsersForFolder(key=%d,includeInherited=false)?$top=1", finance), tok, "", "")
	r.send(roles, http.MethodGet, base+actions+"GetAllRolesForUser(username='jdoe',skip=0,take=10)", tok, "", "")
	r.send(roles, http.MethodGet, base+actions+"GetAllRolesForUser(username='Finance%20Team',skip=0,take=10)?type=Group", tok, "", "")
	r.send(assign, http.MethodPost, base+actions+"AssignUsers", tok, jsonCT,
		fmt.Sprintf(`{"assignments":{"UserIds":[1001,%d],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, jdoe.ID, ap, user))
	r.send(assign, http.MethodPost, base+actions+"AssignDomainUser", tok, jsonCT,
		fmt.Sprintf(`{"assignment":{"UserType":"DirectoryUser","UserName":"rroe","Domain":"autogen","RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, ap, user))
	r.send(remove, http.MethodPost, base+fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolder", ap), tok, jsonCT, `{"userId":1001}`)
	r.send(removeByKey, http.MethodPost, base+fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolderByKey", ap), tok, jsonCT, `{"userKey":"`+jdoe.Key+`"}`)
	r.send(tenant, http.MethodPost, base+fmt.Sprintf("/odata/Users(%d)/UiPath.Server.Configuration.OData.AssignRoles", jdoe.ID), tok, jsonCT, fmt.Sprintf(`{"roleIds":[%d]}`, roleID(t, h, "Auditor")))
}

// replayAssets reads and replaces the assets of an organization with
// assets of every kind (orgAssets), validating the answers into
// validated.
func replayAssets(t *testing.T, dir string, spec bool, validated map[string]int) {
	h := startServer(t, Config{SeedData: orgAssets(), SpecShapes: spec})
	r := &specReplay{t: t, h: h, validated: validated}
	base := h.base + "/demo-org/DefaultTenant/orchestrator_"
	router := func(paths ...string) routers.Router {
		return specRouter(t, filepath.Join(dir, "orchestrator.yaml"), base, !spec, paths)
	}
	assets := router("/odata/Assets", "/odata/Assets({key})")
	across := router("/odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders")
	tok := h.token(t)
	per := assetNamed(t, h, "Per robot")
	finance := folderID(t, h, "Shared/Finance")

	r.sendIn(assets, http.MethodGet, base+"/odata/Assets?$expand=UserValues&$top=1000&$count=true", tok, finance, "", "")
	r.sendIn(assets, http.MethodGet, base+"/odata/Assets", tok, folderID(t, h, "Shared"), "", "")
	r.sendIn(assets, http.MethodGet, base+fmt.Sprintf("/odata/Assets(%d)?$expand=UserValues", per.ID), tok, per.FolderID, "", "")
	_, body := r.sendIn(assets, http.MethodGet, base+fmt.Sprintf("/odata/Assets(%d)?$expand=UserValues", per.ID), tok, per.FolderID, "", "")
	var m map[string]any
	mustJSON(t, body, &m)
	m["RobotValues"].([]any)[0].(map[string]any)["CredentialPassword"] = "Spec-Asset-1"
	put, _ := json.Marshal(m)
	if status, out := r.sendIn(assets, http.MethodPut, base+fmt.Sprintf("/odata/Assets(%d)", per.ID), tok, per.FolderID, "application/json", string(put)); status != 200 {
		t.Fatalf("PUT asset: %d %s", status, out)
	}
	r.sendIn(across, http.MethodGet, base+"/odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders?$top=3&$count=true", tok, 0, "", "")
}
