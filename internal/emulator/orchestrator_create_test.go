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

// createOrg is an organization whose Identity accounts and groups
// Orchestrator does not list yet, with a custom tenant and folder role
// and a read-only credential store.
func createOrg() *SeedFile {
	return &SeedFile{
		Users:            []SeedUser{{UserName: "ann", Email: "ann@example.com", Name: "Ann", Surname: "Lee"}, {UserName: "bob", Email: "bob@example.com"}},
		RobotAccounts:    []SeedRobot{{Name: "robot-day", DisplayName: "Day robot"}, {Name: "robot-vault"}},
		Groups:           []SeedGroup{{Name: "Sales"}},
		Roles:            []SeedRole{{Name: "Auditor", Type: RoleTenant}, {Name: "Finance Clerk", Type: RoleFolder}},
		CredentialStores: []SeedCredentialStore{{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true}},
	}
}

// createdUser is the UserDto of a create's answer, as the tests read it.
type createdUser struct {
	Context                  string `json:"@odata.context"`
	ID                       int64  `json:"Id"`
	Key, UserName, Type      string
	DirectoryIdentifier      string
	Domain, FullName         string
	EmailAddress             string
	IsActive                 bool
	RolesList                []string
	MayHaveUnattendedSession bool
	UnattendedRobot          *struct {
		UserName, CredentialType string
		Password                 *string
		ExecutionSettings        map[string]any
		LimitConcurrentExecution bool
		RobotID                  int64 `json:"RobotId"`
	}
}

// POST odata/Users makes the Orchestrator user of an Identity user,
// robot account or group, with its tenant roles and unattended robot,
// linked to it by its Identity id, and answers it with 201.
func TestCreateOrchestratorUserForDirectoryAccounts(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{SeedData: createOrg(), SpecShapes: spec})
		tok := h.token(t)
		before := len(h.srv.OrchestratorUsers())
		create := func(body string) createdUser {
			t.Helper()
			resp, out := h.do(t, http.MethodPost, h.orchestrator("/odata/Users"), tok, body)
			wantStatus(t, resp, out, http.StatusCreated)
			var u createdUser
			mustJSON(t, out, &u)
			if !strings.HasSuffix(u.Context, "/odata/$metadata#Users/$entity") || u.ID == 0 || u.Key == "" {
				t.Fatalf("answer %s", out)
			}
			return u
		}
		var ann, day User
		for _, u := range h.srv.Users() {
			if u.UserName == "ann" {
				ann = u
			}
		}
		for _, r := range h.srv.RobotAccounts() {
			if r.Name == "robot-day" {
				day = User{ID: r.ID}
			}
		}

		u := create(`{"Type":"DirectoryUser","UserName":"ann","Domain":"autogen","RolesList":["Auditor","allow to be automation user","Auditor"]}`)
		if u.Type != TypeDirectoryUser || u.DirectoryIdentifier != ann.ID || u.UserName != "ann" || u.Domain != "autogen" ||
			u.EmailAddress != "ann@example.com" || u.FullName != "Ann Lee" || !u.IsActive || u.UnattendedRobot != nil || u.MayHaveUnattendedSession ||
			!slices.Equal(u.RolesList, []string{"Auditor", "Allow to be Automation User"}) {
			t.Fatalf("user %+v", u)
		}
		// The type by its integer code, the account by its id and name.
		r := create(`{"Type":4,"DirectoryIdentifier":"` + strings.ToUpper(day.ID) + `","UserName":"robot-day","RolesList":["Robot"],` +
			`"UnattendedRobot":{"UserName":"CORP\\svc-day","CredentialType":"Default","ExecutionSettings":{"LoggingLevel":"Verbose"},"LimitConcurrentExecution":true}}`)
		if r.Type != TypeDirectoryRobot || r.DirectoryIdentifier != day.ID || r.UserName != "robot-day" || !r.MayHaveUnattendedSession ||
			r.UnattendedRobot == nil || r.UnattendedRobot.UserName != `CORP\svc-day` || r.UnattendedRobot.CredentialType != "Default" ||
			r.UnattendedRobot.Password != nil || r.UnattendedRobot.ExecutionSettings["LoggingLevel"] != "Verbose" ||
			!r.UnattendedRobot.LimitConcurrentExecution || r.UnattendedRobot.RobotID <= 5000 {
			t.Fatalf("robot %+v (%+v)", r, r.UnattendedRobot)
		}
		g := create(`{"Type":"DirectoryGroup","UserName":"sales"}`)
		if g.Type != TypeDirectoryGroup || g.UserName != "Sales" || g.DirectoryIdentifier == "" || g.RolesList == nil || len(g.RolesList) != 0 {
			t.Fatalf("group %+v", g)
		}
		if n := len(h.srv.OrchestratorUsers()); n != before+3 {
			t.Fatalf("%d users made, want 3", n-before)
		}

		// Each is listed, and found by its name.
		resp, out := h.do(t, http.MethodGet, h.orchestrator("/odata/Users?$filter="+url.QueryEscape("UserName eq 'robot-day'")), tok, "")
		wantStatus(t, resp, out, http.StatusOK)
		if !strings.Contains(string(out), fmt.Sprintf(`"Id":%d`, r.ID)) || !strings.Contains(string(out), `"UserName":"CORP\\svc-day"`) {
			t.Fatalf("list %s", out)
		}
		// Giving folder access finds the user made, not a new one.
		ops := h.srv.state.newFolderForTest(t, "Operations")
		resp, out = h.do(t, http.MethodPost, h.orchestrator("/odata/Folders/UiPath.Server.Configuration.OData.AssignDomainUser"), tok,
			fmt.Sprintf(`{"assignment":{"UserType":"DirectoryGroup","UserName":"Sales","RolesPerFolder":[{"FolderId":%d,"RoleIds":[%d]}]}}`, ops, roleID(t, h, "Automation User")))
		wantStatus(t, resp, out, http.StatusNoContent)
		if n := len(h.srv.OrchestratorUsers()); n != before+3 {
			t.Fatalf("AssignDomainUser made another user (%d)", n-before)
		}
	})
}

// newFolderForTest adds a modern folder at the root and returns its id.
func (st *store) newFolderForTest(t *testing.T, name string) int64 {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.newFolder(0, 0, name, newGUID()).ID
}

// A create is refused, whole, for what Orchestrator would not make: an
// account it lists already (409), one the directory lacks, another type,
// a folder or unknown role, a name that is not the account's (400).
func TestCreateOrchestratorUserRefusals(t *testing.T) {
	h := startServer(t, Config{Users: 2, Robots: 1, SeedData: createOrg()})
	tok := h.token(t)
	var ann User
	for _, u := range h.srv.Users() {
		if u.UserName == "ann" {
			ann = u
		}
	}
	resp, out := h.do(t, http.MethodPost, h.orchestrator("/odata/Users"), tok, `{"Type":"DirectoryUser","UserName":"ann"}`)
	wantStatus(t, resp, out, http.StatusCreated)
	before := len(h.srv.OrchestratorUsers())
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"Type":"DirectoryUser","UserName":"ann"}`, http.StatusConflict, "lists DirectoryUser 'ann' already"},
		{`{"Type":"DirectoryUser","UserName":"ANN@example.com"}`, http.StatusConflict, "already"},
		{`{"Type":"DirectoryUser","DirectoryIdentifier":"` + ann.ID + `"}`, http.StatusConflict, "already"},
		// The generated robot's Orchestrator user (type Robot) stands for it.
		{`{"Type":"DirectoryRobot","UserName":"robot-001"}`, http.StatusConflict, "as user 1001 (Robot)"},
		{`{"Type":"DirectoryUser","UserName":"nobody"}`, http.StatusBadRequest, "no DirectoryUser 'nobody'"},
		{`{"Type":"DirectoryRobot","UserName":"bob"}`, http.StatusBadRequest, "no DirectoryRobot 'bob'"},
		{`{"Type":"DirectoryGroup","DirectoryIdentifier":"` + GroupFinance + `x"}`, http.StatusBadRequest, "no DirectoryGroup"},
		{`{"Type":"User","UserName":"bob"}`, http.StatusBadRequest, "Type 'User' cannot be created"},
		{`{"UserName":"bob"}`, http.StatusBadRequest, "Type '' cannot be created"},
		{`{"Type":"DirectoryUser"}`, http.StatusBadRequest, "Give the DirectoryIdentifier or the UserName"},
		{`{"Type":"DirectoryUser","UserName":"bob","RolesList":["Finance Clerk"]}`, http.StatusBadRequest, "'Finance Clerk' is a folder role"},
		{`{"Type":"DirectoryUser","UserName":"bob","RolesList":["Nope"]}`, http.StatusBadRequest, "Role 'Nope' does not exist"},
		{`{"Type":"DirectoryUser","UserName":"bob","DirectoryIdentifier":"` + ann.ID + `"}`, http.StatusBadRequest, "'bob' is not the name of DirectoryUser"},
		{`{"Type":"DirectoryUser","UserName":"bob","MayHaveUnattendedSession":false,"UnattendedRobot":{"UserName":"x"}}`, http.StatusBadRequest, "MayHaveUnattendedSession true"},
		{`{"Type":"DirectoryRobot","UserName":"robot-vault","UnattendedRobot":{"UserName":"x","Password":"Vault-Pass-1","CredentialStoreId":3}}`, http.StatusBadRequest, "read-only"},
		{`{"Type":"DirectoryUser","UserName":"bob","userName":"bob"}`, http.StatusBadRequest, "property 'userName' does not exist"},
		{`{"Type":"DirectoryUser","UserName":"bob","RolesList":"Auditor"}`, http.StatusBadRequest, "Collection(Edm.String)"},
	} {
		resp, out := h.do(t, http.MethodPost, h.orchestrator("/odata/Users"), tok, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.body, resp.StatusCode, out, tc.status, tc.want)
		}
		if strings.Contains(string(out), "Vault-Pass-1") {
			t.Errorf("%s: the answer holds the password", tc.body)
		}
	}
	if n := len(h.srv.OrchestratorUsers()); n != before {
		t.Fatalf("refused creates made %d users", n-before)
	}
}

// A create needs OR.Users or OR.Users.Write.
func TestCreateOrchestratorUserScopes(t *testing.T) {
	h := startServer(t, Config{SeedData: createOrg()})
	bodies := []string{`{"Type":"DirectoryUser","UserName":"ann"}`, `{"Type":"DirectoryUser","UserName":"bob"}`}
	made := 0
	for _, scope := range []string{"OR.Users.Read", "OR.Folders", "OR.Folders.Write", "OR.Users.Write", "OR.Users"} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, scope)
		allowed := scope == "OR.Users" || scope == "OR.Users.Write"
		body := `{"Type":"DirectoryGroup","UserName":"Sales"}`
		if allowed {
			body = bodies[made]
			made++
		}
		resp, out := h.do(t, http.MethodPost, h.orchestrator("/odata/Users"), tok, body)
		if want := map[bool]int{false: http.StatusForbidden, true: http.StatusCreated}[allowed]; resp.StatusCode != want {
			t.Errorf("with %s: %d %s, want %d", scope, resp.StatusCode, out, want)
		}
	}
	if _, ok := h.srv.orchestratorUserNamed("Sales"); ok {
		t.Fatal("a refused create made the group's user")
	}
}

// A create spends Orchestrator's POST budget, not Identity's.
func TestCreateOrchestratorUserSpendsOrchestratorBudgets(t *testing.T) {
	h := startServer(t, Config{SeedData: createOrg(),
		OrchestratorLimits: map[string]Budget{"POST": {Requests: 2, Window: time.Minute}},
		Limits:             map[string]Budget{"POST": {Requests: 1, Window: time.Minute}}})
	tok := h.token(t)
	for i, name := range []string{"ann", "bob", "Sales"} {
		resp, out := h.do(t, http.MethodPost, h.orchestrator("/odata/Users"), tok, `{"Type":"Directory`+[]string{"User", "User", "Group"}[i]+`","UserName":"`+name+`"}`)
		if want := []int{201, 201, 429}[i]; resp.StatusCode != want {
			t.Fatalf("create %s: %d %s, want %d", name, resp.StatusCode, out, want)
		}
	}
	if n := h.srv.CountFor("POST", "/odata/Users"); n != 3 {
		t.Fatalf("POST /odata/Users counted %d times, want 3", n)
	}
	resp, out := h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{"partitionGlobalId":"`+DefaultPartitionID+`","name":"Other"}`)
	if resp.StatusCode == http.StatusTooManyRequests {
		t.Fatalf("Identity POST throttled: %s", out)
	}
}

// orchestratorUserNamed returns the Orchestrator user called name.
func (s *Server) orchestratorUserNamed(name string) (OrchestratorUser, bool) {
	for _, o := range s.OrchestratorUsers() {
		if strings.EqualFold(o.UserName, name) {
			return o, true
		}
	}
	return OrchestratorUser{}, false
}
