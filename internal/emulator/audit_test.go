package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditRecord is a record of odata/AuditLogs as the tests read it.
type auditRecord struct {
	ID               int64 `json:"Id"`
	ExecutionTime    string
	Component        string
	Action           string
	DisplayName      string
	EntityID         int64 `json:"EntityId"`
	UserName         string
	UserType         string
	ExternalClientID *string `json:"ExternalClientId"`
	Parameters       string
	OperationText    string
}

// auditLogs reads odata/AuditLogs with query (without the leading ?).
func (h *harness) auditLogs(t *testing.T, tok, query string) (records []auditRecord, count *int) {
	t.Helper()
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/AuditLogs?"+query), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page struct {
		Count *int          `json:"@odata.count"`
		Value []auditRecord `json:"value"`
	}
	mustJSON(t, body, &page)
	return page.Value, page.Count
}

// identityEvent is a record of /api/AuditQuery as the tests read it.
type identityEvent struct {
	CreatedOn       string  `json:"createdOn"`
	Category        string  `json:"category"`
	Action          string  `json:"action"`
	AuditLogDetails string  `json:"auditLogDetails"`
	UserName        string  `json:"userName"`
	Email           *string `json:"email"`
	Source          string  `json:"source"`
}

func (h *harness) identityAudit(t *testing.T, tok, query string) (events []identityEvent, total int64) {
	t.Helper()
	resp, body := h.do(t, http.MethodGet, h.identity("/api/AuditQuery/"+DefaultPartitionID+"?"+query), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page struct {
		TotalCount int64           `json:"totalCount"`
		Results    []identityEvent `json:"results"`
	}
	mustJSON(t, body, &page)
	return page.Results, page.TotalCount
}

// summary is a record as "Component/Action DisplayName #EntityId".
func (r AuditLog) summary() string {
	return fmt.Sprintf("%s/%s %s #%d", r.Component, r.Action, r.DisplayName, r.EntityID)
}

// Every Orchestrator change made through the API writes its record, by
// the External Application that made it; a refused one writes none, and
// no record or detail holds a password.
func TestOrchestratorChangesWriteAuditRecords(t *testing.T) {
	h := startServer(t, Config{Robots: 1, SeedData: orgA()})
	tok := h.token(t)
	ap, finance := folderID(t, h, "Shared/Finance/AP"), folderID(t, h, "Shared/Finance")
	user := roleID(t, h, "Automation User")
	jdoe := orchUser(t, h, "jdoe")
	const actions = "/odata/Folders/UiPath.Server.Configuration.OData."
	send := func(method, path, body string, status int) {
		t.Helper()
		resp, out := h.do(t, method, h.orchestrator(path), tok, body)
		wantStatus(t, resp, out, status)
	}
	const secret = "Audit-Secret-Pass-1"
	send(http.MethodPatch, "/odata/Users(1001)", `{"UnattendedRobot":{"UserName":"CORP\\svc-a","Password":"`+secret+`","CredentialType":"Default"}}`, 200)
	send(http.MethodPatch, "/odata/Users(999999)", `{"IsActive":false}`, 404) // refused: no record
	send(http.MethodPost, "/odata/Users", `{"Type":"DirectoryGroup","UserName":"Automation Users"}`, 201)
	group := orchUser(t, h, "Automation Users")
	send(http.MethodPost, actions+"AssignUsers", fmt.Sprintf(`{"assignments":{"UserIds":[1001,%d,1001],"RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, jdoe.ID, ap, user), 204)
	send(http.MethodPost, actions+"AssignDomainUser", fmt.Sprintf(`{"assignment":{"UserType":"DirectoryUser","UserName":"rroe","RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, ap, user), 204)
	rroe := orchUser(t, h, "rroe")
	send(http.MethodPost, actions+"AssignDomainUser", fmt.Sprintf(`{"assignment":{"UserType":"DirectoryUser","UserName":"rroe","RolesPerFolder":[{"FolderId":%d,"RoleIds":[]}]}}`, finance), 204)
	send(http.MethodPost, fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolder", ap), `{"userId":1001}`, 204)
	send(http.MethodPost, fmt.Sprintf("/odata/Folders(%d)/UiPath.Server.Configuration.OData.RemoveUserFromFolderByKey", finance), `{"userKey":"`+jdoe.Key+`"}`, 204)
	send(http.MethodPost, fmt.Sprintf("/odata/Users(%d)/UiPath.Server.Configuration.OData.AssignRoles", jdoe.ID), fmt.Sprintf(`{"roleIds":[%d]}`, roleID(t, h, "Auditor")), 200)
	send(http.MethodPost, "/odata/Folders", fmt.Sprintf(`{"DisplayName":"AR","ParentId":%d}`, finance), 201)
	ar := folderID(t, h, "Shared/Finance/AR")
	send(http.MethodPost, "/odata/Folders", fmt.Sprintf(`{"DisplayName":"AR","ParentId":%d}`, finance), 409) // refused

	logs := h.srv.AuditLogs()
	var got []string
	for _, r := range logs {
		got = append(got, r.summary())
		if r.UserName != DefaultClientName || r.UserType != "DirectoryExternalApplication" || r.ExternalClientID != DefaultClientID {
			t.Errorf("%s: actor %q %q %q, want the External Application", r.summary(), r.UserName, r.UserType, r.ExternalClientID)
		}
		for _, text := range []string{r.Parameters, r.OperationText, fmt.Sprint(r.Entities)} {
			if strings.Contains(text, secret) {
				t.Fatalf("%s holds the password: %s", r.summary(), text)
			}
		}
	}
	want := []string{
		"Users/Update robot-001 #1001",
		fmt.Sprintf("Users/Create Automation Users #%d", group.ID),
		"Users/Assign robot-001 #1001",
		fmt.Sprintf("Users/Assign jdoe #%d", jdoe.ID),
		fmt.Sprintf("Users/Create rroe #%d", rroe.ID),
		fmt.Sprintf("Users/Assign rroe #%d", rroe.ID),
		fmt.Sprintf("Users/Assign rroe #%d", rroe.ID), // the second time, no Create
		"Users/Unassign robot-001 #1001",
		fmt.Sprintf("Users/Unassign jdoe #%d", jdoe.ID),
		fmt.Sprintf("Users/Update jdoe #%d", jdoe.ID),
		fmt.Sprintf("Folders/Create AR #%d", ar),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := 1; i < len(logs); i++ {
		if logs[i].ID <= logs[i-1].ID || logs[i].ExecutionTime.Before(logs[i-1].ExecutionTime) {
			t.Fatalf("records out of order: %+v then %+v", logs[i-1], logs[i])
		}
	}
	patch := logs[0]
	if !strings.Contains(patch.Parameters, `"UnattendedRobot.Password"`) || !strings.Contains(patch.OperationText, "User batch-app updated user robot-001") {
		t.Errorf("PATCH record: %+v", patch)
	}
	var custom struct{ OldValue, NewValue map[string]any }
	mustJSON(t, []byte(patch.Entities[0].CustomData), &custom)
	oldRobot, _ := custom.OldValue["UnattendedRobot"].(map[string]any)
	newRobot, _ := custom.NewValue["UnattendedRobot"].(map[string]any)
	if oldRobot["UserName"] != `CORP\svc-robot-001` || newRobot["UserName"] != `CORP\svc-a` {
		t.Errorf("PATCH details: %s", patch.Entities[0].CustomData)
	}
	if assign := logs[2]; !strings.Contains(assign.Parameters, `"FullyQualifiedName":"Shared/Finance/AP"`) || !strings.Contains(assign.Parameters, `"Roles":["Automation User"]`) {
		t.Errorf("AssignUsers record names no folder or role: %s", assign.Parameters)
	}
	if roles := logs[9]; !strings.Contains(roles.Parameters, `"roles":["Auditor"]`) {
		t.Errorf("AssignRoles record names no role: %s", roles.Parameters)
	}
}

// Every Identity change made through the API writes its record: users,
// robot accounts and groups created, updated and deleted (one record per
// id of a bulk request), passwords set and changed; a refused one writes
// none.
func TestIdentityChangesWriteAuditRecords(t *testing.T) {
	h := startServer(t, Config{Users: 6, Robots: 3})
	tok := h.token(t)
	users, robots := h.srv.Users(), h.srv.RobotAccounts()
	part := `"partitionGlobalId":"` + DefaultPartitionID + `"`
	send := func(method, path, body string, status int) []byte {
		t.Helper()
		resp, out := h.do(t, method, h.identity(path), tok, body)
		wantStatus(t, resp, out, status)
		return out
	}
	const secret = "Audit-Identity-Pass-1"
	send(http.MethodPut, "/api/User/"+users[0].ID, `{"name":"Ann","isActive":true}`, 200)
	send(http.MethodPut, "/api/User/"+users[1].ID, `{"password":"`+secret+`"}`, 200)
	send(http.MethodPut, "/api/User/"+users[1].ID, `{"password":"weak"}`, 400) // refused
	send(http.MethodPost, "/api/User/"+users[2].ID+"/changepassword", `{"oldPassword":"`+InitialPassword(3)+`","newPassword":"`+secret+`x"}`, 200)
	send(http.MethodPost, "/api/User", `{`+part+`,"id":"`+testGUID(1)+`","userName":"newbie","email":"newbie@example.com"}`, 200)
	send(http.MethodPost, "/api/User/BulkCreate", `{`+part+`,"users":[{"email":"b1@example.com"},{"email":"b2@example.com"}]}`, 200)
	send(http.MethodDelete, "/api/User/"+users[3].ID, "", 200)
	send(http.MethodDelete, "/api/User", `{`+part+`,"userIds":["`+users[4].ID+`","`+users[5].ID+`"]}`, 200)
	send(http.MethodPut, "/api/RobotAccount/"+robots[0].ID, `{`+part+`,"displayName":"Bot"}`, 200)
	created := send(http.MethodPost, "/api/RobotAccount", `{`+part+`,"name":"bot-new"}`, 201)
	var bot struct{ ID string }
	mustJSON(t, created, &bot)
	send(http.MethodDelete, "/api/RobotAccount/"+DefaultPartitionID+"/"+robots[1].ID, "", 200)
	send(http.MethodDelete, "/api/RobotAccount/"+DefaultPartitionID, `{"robotAccountIDs":["`+robots[2].ID+`","`+bot.ID+`"]}`, 200)
	send(http.MethodPost, "/api/Group", `{`+part+`,"id":"`+testGUID(2)+`","name":"Ops","directoryUserMemberIDs":["`+users[0].ID+`"]}`, 201)
	send(http.MethodPut, "/api/Group/"+testGUID(2), `{`+part+`,"name":"Ops","directoryUserIDsToAdd":["`+users[1].ID+`"],"directoryUserIDsToRemove":["`+users[0].ID+`"]}`, 200)
	send(http.MethodDelete, "/api/Group/"+DefaultPartitionID+"/"+testGUID(2), "", 200)
	send(http.MethodDelete, "/api/Group/"+DefaultPartitionID, `{"groupIDs":["`+GroupFinance+`"]}`, 200)
	send(http.MethodDelete, "/api/Group/"+DefaultPartitionID, `{"groupIDs":["`+GroupEveryone+`"]}`, 400) // refused

	type ev struct{ category, action, target string }
	var got []ev
	for _, e := range h.srv.IdentityAudit() {
		if e.UserName != DefaultClientID || e.Email != "" || e.Source != "ExternalApplication" {
			t.Errorf("%+v: actor is not the External Application", e)
		}
		if strings.Contains(e.Details, secret) || strings.Contains(e.Message, secret) {
			t.Fatalf("record holds the password: %+v", e)
		}
		var d struct {
			ID, UserName, Name string
			Changed            []string
			MembersAdded       []string
			MembersRemoved     []string
		}
		mustJSON(t, []byte(e.Details), &d)
		target := d.ID + " " + d.UserName + d.Name
		if d.Changed != nil {
			target += " changed=" + strings.Join(d.Changed, ",")
		}
		if d.MembersAdded != nil || d.MembersRemoved != nil {
			target += fmt.Sprintf(" +%v -%v", d.MembersAdded, d.MembersRemoved)
		}
		got = append(got, ev{e.Category, e.Action, target})
	}
	u := func(i int) string { return users[i].ID + " " + users[i].UserName }
	r := func(i int) string { return robots[i].ID + " " + robots[i].Name }
	b1, b2 := h.userByEmail(t, "b1@example.com"), h.userByEmail(t, "b2@example.com")
	want := []ev{
		{"User", "Update", u(0) + " changed=name,isActive"},
		{"User", "ResetPassword", u(1)},
		{"User", "ChangePassword", u(2)},
		{"User", "Create", testGUID(1) + " newbie"},
		{"User", "Create", b1.ID + " b1@example.com"},
		{"User", "Create", b2.ID + " b2@example.com"},
		{"User", "Delete", u(3)},
		{"User", "Delete", u(4)},
		{"User", "Delete", u(5)},
		{"RobotAccount", "Update", r(0) + " changed=displayName"},
		{"RobotAccount", "Create", bot.ID + " bot-new"},
		{"RobotAccount", "Delete", r(1)},
		{"RobotAccount", "Delete", r(2)},
		{"RobotAccount", "Delete", bot.ID + " bot-new"},
		{"Group", "Create", testGUID(2) + " Ops +[" + users[0].ID + "] -[]"},
		{"Group", "Update", testGUID(2) + " Ops changed=name,directoryUserIDsToAdd,directoryUserIDsToRemove +[" + users[1].ID + "] -[" + users[0].ID + "]"},
		{"Group", "Delete", testGUID(2) + " Ops"},
		{"Group", "Delete", GroupFinance + " Finance"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("records:\n%v\nwant:\n%v", got, want)
	}
}

// userByEmail returns the live user with email.
func (h *harness) userByEmail(t *testing.T, email string) User {
	t.Helper()
	for _, u := range h.srv.Users() {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("no user %s", email)
	return User{}
}

// odata/AuditLogs filters on time, component, action and entity, orders
// by time either way, pages with $top and $skip, counts on $count, and
// serves the details of a record; AuditQuery pages newest first.
func TestAuditLogsServeFilterOrderAndPage(t *testing.T) {
	h := startServer(t, Config{Robots: 5, Users: 3})
	tok := h.token(t)
	start := time.Now().UTC()
	for key := 1001; key <= 1005; key++ {
		resp, body := h.do(t, http.MethodPatch, h.orchestrator(fmt.Sprintf("/odata/Users(%d)", key)), tok, `{"IsActive":false}`)
		wantStatus(t, resp, body, http.StatusOK)
	}
	all := h.srv.AuditLogs()
	if len(all) != 5 {
		t.Fatalf("%d records, want 5", len(all))
	}
	filter := func(f string) string { return "$filter=" + url.QueryEscape(f) }
	ids := func(rs []auditRecord) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.EntityID)
		}
		return out
	}
	got, count := h.auditLogs(t, tok, "$orderby=ExecutionTime%20desc&$top=2&$count=true&"+filter("ExecutionTime ge "+start.Format(time.RFC3339Nano)))
	if !slices.Equal(ids(got), []int64{1005, 1004}) || count == nil || *count != 5 {
		t.Fatalf("newest two: %v count %v", ids(got), count)
	}
	got, _ = h.auditLogs(t, tok, "$orderby=ExecutionTime%20desc&$top=2&$skip=4")
	if !slices.Equal(ids(got), []int64{1001}) {
		t.Fatalf("last page: %v", ids(got))
	}
	got, count = h.auditLogs(t, tok, "")
	if !slices.Equal(ids(got), []int64{1001, 1002, 1003, 1004, 1005}) || count != nil {
		t.Fatalf("default order: %v count %v", ids(got), count)
	}
	got, _ = h.auditLogs(t, tok, filter(fmt.Sprintf("ExecutionTime gt %s and Component eq 'Users' and (Action eq UiPath.Core.Enums.AuditLogAction'Update') and EntityId ne 1003",
		all[1].ExecutionTime.Format(time.RFC3339Nano))))
	if !slices.Equal(ids(got), []int64{1004, 1005}) {
		t.Fatalf("filtered: %v", ids(got))
	}
	got, _ = h.auditLogs(t, tok, filter("ExternalClientId eq '"+DefaultClientID+"' and EntityId le 1002"))
	if !slices.Equal(ids(got), []int64{1001, 1002}) {
		t.Fatalf("by client: %v", ids(got))
	}
	if got, _ = h.auditLogs(t, tok, filter("Component eq 'Folders'")); len(got) != 0 {
		t.Fatalf("no folder record expected: %v", got)
	}
	for _, bad := range []string{
		filter("ExecutionTime ge '2024-01-01T00:00:00Z'"), filter("Nope eq 1"), filter("EntityId eq 1 or EntityId eq 2"),
		"$orderby=UserName", "$top=1001", "$count=maybe", filter("Component gt 'Users'"),
	} {
		resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/AuditLogs?"+bad), tok, "")
		wantStatus(t, resp, body, http.StatusBadRequest)
	}
	req, _ := http.NewRequest(http.MethodGet, h.orchestrator("/odata/AuditLogs"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("x-UIPATH-AuditedService", "TestAutomation")
	if _, body := h.send(t, req); !strings.Contains(string(body), `"value":[]`) {
		t.Fatalf("TestAutomation audit: %s", body)
	}

	resp, body := h.do(t, http.MethodGet, h.orchestrator(fmt.Sprintf("/odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId=%d)", all[0].ID)), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var details struct {
		Value []struct {
			AuditLogID int64 `json:"AuditLogId"`
			EntityID   int64 `json:"EntityId"`
			EntityName string
			Action     string
			CustomData string
		} `json:"value"`
	}
	mustJSON(t, body, &details)
	if len(details.Value) != 1 || details.Value[0].AuditLogID != all[0].ID || details.Value[0].EntityID != 1001 ||
		!strings.Contains(details.Value[0].CustomData, `"IsActive":true`) || !strings.Contains(details.Value[0].CustomData, `"IsActive":false`) {
		t.Fatalf("details: %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId=1001)"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)

	// Identity: three updates, newest first by default, paged.
	for i, u := range h.srv.Users() {
		resp, body := h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, fmt.Sprintf(`{"name":"N%d"}`, i))
		wantStatus(t, resp, body, http.StatusOK)
	}
	names := func(es []identityEvent) []string {
		var out []string
		for _, e := range es {
			var d struct{ UserName string }
			mustJSON(t, []byte(e.AuditLogDetails), &d)
			out = append(out, d.UserName)
		}
		return out
	}
	events, total := h.identityAudit(t, tok, "top=2&sortBy=createdOn&sortOrder=desc")
	if got := names(events); total != 3 || !slices.Equal(got, []string{"user00003", "user00002"}) {
		t.Fatalf("newest first: %v of %d", got, total)
	}
	events, _ = h.identityAudit(t, tok, "top=2&skip=2")
	if got := names(events); !slices.Equal(got, []string{"user00001"}) {
		t.Fatalf("second page: %v", got)
	}
	events, _ = h.identityAudit(t, tok, "top=5&sortOrder=asc")
	if got := names(events); !slices.Equal(got, []string{"user00001", "user00002", "user00003"}) || events[0].Email != nil {
		t.Fatalf("oldest first: %v (email %v)", got, events[0].Email)
	}
	for _, bad := range []string{"sortBy=category", "sortOrder=sideways", "top=1001"} {
		resp, body := h.do(t, http.MethodGet, h.identity("/api/AuditQuery/"+DefaultPartitionID+"?"+bad), tok, "")
		wantStatus(t, resp, body, http.StatusBadRequest)
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/AuditQuery/"+testGUID(9)), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
}

// The audit endpoints need their scopes (OR.Audit or OR.Audit.Read; PM.Audit
// or PM.Audit.Read) and spend their service's budgets.
func TestAuditScopesAndBudgets(t *testing.T) {
	h := startServer(t, Config{Users: 1, Robots: 1,
		Limits:             map[string]Budget{"GET": {Requests: 4, Window: time.Minute}},
		OrchestratorLimits: map[string]Budget{"GET": {Requests: 4, Window: time.Minute}}})
	orch := h.orchestrator("/odata/AuditLogs")
	ident := h.identity("/api/AuditQuery/" + DefaultPartitionID)
	for _, c := range []struct {
		scope      string
		orch, iden int
	}{
		{"OR.Audit", 200, 403}, {"OR.Audit.Read", 200, 403}, {"PM.Audit", 403, 200}, {"PM.Audit.Read", 403, 200},
	} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, c.scope)
		if resp, body := h.do(t, http.MethodGet, orch, tok, ""); resp.StatusCode != c.orch {
			t.Errorf("AuditLogs with %s: %d %s", c.scope, resp.StatusCode, body)
		}
		if resp, body := h.do(t, http.MethodGet, ident, tok, ""); resp.StatusCode != c.iden {
			t.Errorf("AuditQuery with %s: %d %s", c.scope, resp.StatusCode, body)
		}
	}
	// Four GETs of each service so far (403s spend budget too): the next is 429.
	tok := h.token(t)
	for _, u := range []string{orch, ident} {
		if resp, body := h.do(t, http.MethodGet, u, tok, ""); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("GET %s past its budget: %d %s", u, resp.StatusCode, body)
		}
	}
}

// Config.AuditLag holds a record back from both endpoints until that
// long after its time; the inspection methods show it at once.
func TestAuditLagHidesFreshRecords(t *testing.T) {
	const lag = 400 * time.Millisecond
	h := startServer(t, Config{Users: 1, Robots: 1, AuditLag: lag})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(1001)"), tok, `{"IsActive":false}`)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPut, h.identity("/api/User/"+firstUser(t, h).ID), tok, `{"name":"Late"}`)
	wantStatus(t, resp, body, http.StatusOK)
	written := time.Now()
	if len(h.srv.AuditLogs()) != 1 || len(h.srv.IdentityAudit()) != 1 {
		t.Fatal("the inspection methods do not show the records")
	}
	id := h.srv.AuditLogs()[0].ID
	if got, _ := h.auditLogs(t, tok, ""); len(got) != 0 && time.Since(written) < lag {
		t.Fatalf("a fresh record is served: %v", got)
	}
	if got, total := h.identityAudit(t, tok, ""); (len(got) != 0 || total != 0) && time.Since(written) < lag {
		t.Fatalf("a fresh event is served: %v", got)
	}
	details := h.orchestrator(fmt.Sprintf("/odata/AuditLogs/UiPath.Server.Configuration.OData.GetAuditLogDetails(auditLogId=%d)", id))
	if resp, _ := h.do(t, http.MethodGet, details, tok, ""); resp.StatusCode != http.StatusNotFound && time.Since(written) < lag {
		t.Fatalf("the details of a fresh record are served: %d", resp.StatusCode)
	}
	time.Sleep(lag + 50*time.Millisecond)
	if got, _ := h.auditLogs(t, tok, ""); len(got) != 1 || got[0].ID != id {
		t.Fatalf("after the lag: %v", got)
	}
	if got, total := h.identityAudit(t, tok, ""); len(got) != 1 || total != 1 {
		t.Fatalf("after the lag: %v", got)
	}
	resp, body = h.do(t, http.MethodGet, details, tok, "")
	wantStatus(t, resp, body, http.StatusOK)
}

// Config.UnchangedPatchRate answers some PATCHes 200 without applying
// them or writing a record; Server.UnchangedPatches names exactly those.
func TestUnchangedPatchesAnswerSuccessWithoutChanging(t *testing.T) {
	const robots = 40
	h := startServer(t, Config{Robots: robots, UnchangedPatchRate: 0.3, FaultSeed: 7})
	tok := h.token(t)
	for key := 1001; key < 1001+robots; key++ {
		resp, body := h.do(t, http.MethodPatch, h.orchestrator(fmt.Sprintf("/odata/Users(%d)", key)), tok,
			`{"UnattendedRobot":{"UserName":"CORP\\new","Password":"Changed-Pass-1","CredentialType":"Default"}}`)
		wantStatus(t, resp, body, http.StatusOK)
	}
	unchanged := h.srv.UnchangedPatches()
	if len(unchanged) < 4 || len(unchanged) > 24 {
		t.Fatalf("%d of %d PATCHes unchanged at rate 0.3", len(unchanged), robots)
	}
	audited := map[int64]bool{}
	for _, r := range h.srv.AuditLogs() {
		if r.MethodName == "Patch" {
			audited[r.EntityID] = true
		}
	}
	for _, o := range h.srv.OrchestratorUsers() {
		hit := slices.Contains(unchanged, o.ID)
		changed := o.UnattendedRobot.UserName == `CORP\new` && h.srv.RobotPasswordOf(o.ID) == "Changed-Pass-1"
		if hit == changed || hit == audited[o.ID] {
			t.Errorf("user %d: unchanged %v, changed %v, audited %v", o.ID, hit, changed, audited[o.ID])
		}
	}
	// A PUT is never left unchanged.
	before := len(h.srv.AuditLogs())
	for range 10 {
		resp, body := h.do(t, http.MethodPut, h.orchestrator("/odata/Users(1001)"), tok, `{"UserName":"robot-001","Name":"put"}`)
		wantStatus(t, resp, body, http.StatusOK)
	}
	if n := len(h.srv.AuditLogs()) - before; n != 10 || len(h.srv.UnchangedPatches()) != len(unchanged) {
		t.Fatalf("10 PUTs wrote %d records", n)
	}

	// The same seed hits the same requests.
	h2 := startServer(t, Config{Robots: robots, UnchangedPatchRate: 0.3, FaultSeed: 7})
	tok2 := h2.token(t)
	for key := 1001; key < 1001+robots; key++ {
		h2.do(t, http.MethodPatch, h2.orchestrator(fmt.Sprintf("/odata/Users(%d)", key)), tok2, `{"IsActive":false}`)
	}
	if got := h2.srv.UnchangedPatches(); !slices.Equal(got, unchanged) {
		t.Fatalf("seed 7 again hit %v, first %v", got, unchanged)
	}
	if _, err := New(Config{UnchangedPatchRate: 1.5}); err == nil {
		t.Fatal("a rate of 1.5 was accepted")
	}
	if _, err := New(Config{AuditLag: -time.Second}); err == nil {
		t.Fatal("a negative lag was accepted")
	}
}

// The second administrator's changes are audited as a person: another
// actor than the External Application, without a client id.
func TestSecondAdministratorIsAuditedAsAnotherActor(t *testing.T) {
	h := startServer(t, Config{Users: 2, Robots: 2, MeddleAfter: 1})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/"+firstUser(t, h).ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	logs := h.srv.AuditLogs()
	if len(logs) != 2 {
		t.Fatalf("%d Orchestrator records, want one per robot", len(logs))
	}
	for _, r := range logs {
		if r.UserName != SecondAdministrator || r.UserType != TypeDirectoryUser || r.ExternalClientID != "" || r.Component != AuditUsers || r.Action != AuditUpdate {
			t.Errorf("record %+v", r)
		}
	}
	counts := map[string]int{}
	for _, e := range h.srv.IdentityAudit() {
		if e.UserName != SecondAdministrator || e.Email != SecondAdministrator || e.Source != "User" || e.Action != AuditUpdate {
			t.Errorf("event %+v", e)
		}
		counts[e.Category]++
	}
	if counts["User"] != 2 || counts["RobotAccount"] != 2 || counts["Group"] != 1 {
		t.Fatalf("events by category: %v", counts)
	}
	got, _ := h.auditLogs(t, tok, "$filter="+url.QueryEscape("UserName eq '"+SecondAdministrator+"'"))
	if len(got) != 2 || got[0].ExternalClientID != nil {
		t.Fatalf("served: %+v", got)
	}
}

// An External Application's name, when given, is the UserName of its
// records; its client id stays the ExternalClientId.
func TestAuditNamesTheExternalApplication(t *testing.T) {
	apps := []ClientApp{{ID: "reporting-id", Secret: "s1", Name: "Reporting", OrchestratorRole: true}, {ID: "nameless", Secret: "s2", OrchestratorRole: true}}
	h := startServer(t, Config{Robots: 2, Clients: apps})
	for i, app := range apps {
		tok := h.tokenFor(t, app.ID, app.Secret, "")
		resp, body := h.do(t, http.MethodPatch, h.orchestrator(fmt.Sprintf("/odata/Users(%d)", 1001+i)), tok, `{"IsActive":false}`)
		wantStatus(t, resp, body, http.StatusOK)
	}
	logs := h.srv.AuditLogs()
	if logs[0].UserName != "Reporting" || logs[0].ExternalClientID != "reporting-id" ||
		logs[1].UserName != "nameless-app" || logs[1].ExternalClientID != "nameless" {
		t.Fatalf("actors: %+v / %+v", logs[0], logs[1])
	}
}
