package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

const partitionJSON = `"partitionGlobalId":"` + DefaultPartitionID + `"`

// testGUID is a GUID of its own for each i, for ids a test gives.
func testGUID(i int) string { return fmt.Sprintf("7e57a000-0000-4000-8000-%012d", i) }

// deletedStatus is what a delete that succeeded answers: 204 in spec
// shapes, 200 live.
func deletedStatus(spec bool) int {
	if spec {
		return http.StatusNoContent
	}
	return http.StatusOK
}

// inBothShapes runs test once with the live service's shapes and once
// with the published definitions'.
func inBothShapes(t *testing.T, test func(t *testing.T, spec bool)) {
	for _, spec := range []bool{false, true} {
		name := "live"
		if spec {
			name = "spec"
		}
		t.Run(name, func(t *testing.T) { test(t, spec) })
	}
}

// wantProblem checks a 400 ASP.NET validation problem with a message on
// field that contains want.
func wantProblem(t *testing.T, resp *http.Response, body []byte, field, want string) {
	t.Helper()
	wantStatus(t, resp, body, http.StatusBadRequest)
	var p problem
	mustJSON(t, body, &p)
	if p.Status != 400 || p.Title != "One or more validation errors occurred." || p.TraceID != resp.Header.Get("X-Request-Id") {
		t.Fatalf("not validation problem details: %s", body)
	}
	msgs := p.Errors[field]
	if len(msgs) != 1 || !strings.Contains(msgs[0], want) {
		t.Fatalf("errors %v, want %q on %q", p.Errors, want, field)
	}
}

// wantIdentityErrors checks a 400 IdentityResult with exactly these codes.
func wantIdentityErrors(t *testing.T, resp *http.Response, body []byte, codes ...string) {
	t.Helper()
	wantStatus(t, resp, body, http.StatusBadRequest)
	var r idResult
	mustJSON(t, body, &r)
	var got []string
	for _, e := range r.Errors {
		if e.Description == "" {
			t.Fatalf("error without description: %s", body)
		}
		got = append(got, e.Code)
	}
	if r.Succeeded || !slices.Equal(got, codes) {
		t.Fatalf("IdentityResult %s, want codes %v", body, codes)
	}
}

// userByEmail finds a live user through the list endpoint, as a client
// must after a create (which answers no id).
func userByEmail(t *testing.T, h *harness, tok, email string) (User, bool) {
	t.Helper()
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+"?top=1000&searchTerm="+email), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page struct {
		Results []struct{ ID, Email string } `json:"results"`
	}
	mustJSON(t, body, &page)
	for _, r := range page.Results {
		if strings.EqualFold(r.Email, email) {
			u, ok := h.srv.User(r.ID)
			if !ok {
				t.Fatalf("listed user %s has no state", r.ID)
			}
			return u, true
		}
	}
	return User{}, false
}

func TestCreateUser(t *testing.T) {
	h := startServer(t, Config{Users: 3})
	tok := h.token(t)
	const secret = "Created-Pass-77"
	resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok,
		`{`+partitionJSON+`,"email":"new.person@example.com","name":"New","surname":"Person","displayName":"New Person","password":"`+secret+`","groupIDs":["`+GroupFinance+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if string(body) != `{"succeeded":true,"errors":[]}` {
		t.Fatalf("body %s", body)
	}
	u, ok := userByEmail(t, h, tok, "new.person@example.com")
	if !ok {
		t.Fatal("created user not listed")
	}
	if u.UserName != "new.person@example.com" || u.Name != "New" || u.DisplayName != "New Person" || !u.IsActive || u.Type != "user" ||
		!slices.Equal(u.GroupIDs, []string{GroupEveryone, GroupFinance}) || u.LegacyID != 4 || !isGUID(u.ID) || u.CreationTime.IsZero() {
		t.Fatalf("created user %+v", u)
	}
	if h.srv.PasswordOf(u.ID) != secret {
		t.Fatal("password not stored")
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/User/"+u.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var dto map[string]json.RawMessage
	mustJSON(t, body, &dto)
	if string(dto["lastModificationTime"]) != "null" {
		t.Fatalf("a new user is unmodified: %s", body)
	}

	// The id a command gives is the user's.
	const chosen = "0d6c1f1e-2b3a-4c5d-8e9f-00000000c001"
	resp, body = h.do(t, http.MethodPost, h.identity("/api/User"), tok,
		`{`+partitionJSON+`,"id":"`+strings.ToUpper(chosen)+`","userName":"chosen","email":"chosen@example.com","type":"robot"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if c, ok := h.srv.User(chosen); !ok || c.UserName != "chosen" || c.Type != "robot" || h.srv.PasswordOf(chosen) != "" {
		t.Fatalf("user with a chosen id: %+v %v", c, ok)
	}

	before := len(h.srv.Users())
	for _, tc := range []struct {
		name, body string
		codes      []string
	}{
		{"email taken", `"userName":"someone","email":"USER00001@example.com"`, []string{"DuplicateEmail"}},
		{"userName taken", `"userName":"User00002","email":"fresh@example.com"`, []string{"DuplicateUserName"}},
		{"both taken", `"userName":"user00003","email":"user00003@example.com"`, []string{"DuplicateUserName", "DuplicateEmail"}},
		{"userName defaults to a taken email", `"email":"new.person@example.com"`, []string{"DuplicateUserName", "DuplicateEmail"}},
		{"no name at all", `"name":"Nobody"`, []string{"InvalidUserName"}},
		{"bad email", `"userName":"bad","email":"not an address"`, []string{"InvalidEmail"}},
		{"weak password", `"userName":"weak","email":"weak@example.com","password":"weakpw"`, []string{"PasswordTooShort", "PasswordRequiresUpper", "PasswordRequiresDigit"}},
	} {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok, `{`+partitionJSON+`,`+tc.body+`}`)
		wantIdentityErrors(t, resp, body, tc.codes...)
		if strings.Contains(string(body), "weakpw") {
			t.Fatalf("%s: the refused password is echoed: %s", tc.name, body)
		}
	}
	for _, tc := range []struct{ body, field, want string }{
		{`{"email":"p@example.com"}`, "partitionGlobalId", "required"},
		{`{"partitionGlobalId":"11111111-2222-4333-8444-555555555555","email":"p@example.com"}`, "partitionGlobalId", "partition"},
		{`{` + partitionJSON + `,"email":"p@example.com","groupIDs":["11111111-2222-4333-8444-555555555555"]}`, "groupIDs", "does not exist"},
		{`{` + partitionJSON + `,"email":"p@example.com","groupIDs":["nope"]}`, "groupIDs[0]", "System.Guid"},
		{`{` + partitionJSON + `,"id":"` + chosen + `","email":"p@example.com"}`, "id", "already exists"},
		{`{` + partitionJSON + `,"email":"p@example.com","type":"alien"}`, "type", "UserType"},
	} {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok, tc.body)
		wantProblem(t, resp, body, tc.field, tc.want)
	}
	if got := len(h.srv.Users()); got != before {
		t.Fatalf("refused creates changed the users: %d → %d", before, got)
	}
	// The password is kept, never shown.
	resp, body = h.do(t, http.MethodGet, h.base+"/_emulator/state", "", "")
	wantStatus(t, resp, body, http.StatusOK)
	logged, _ := json.Marshal(h.srv.Requests())
	for where, b := range map[string][]byte{"state": body, "request log": logged} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("the password appears in the %s", where)
		}
	}
}

func TestBulkCreateUsers(t *testing.T) {
	h := startServer(t, Config{Users: 2, BulkMax: 3})
	tok := h.token(t)
	before := len(h.srv.Users())
	resp, body := h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok,
		`{`+partitionJSON+`,"groupIDs":["`+GroupFinance+`","`+GroupAutomationDevelopers+`"],"users":[
		{"userName":"b1","email":"b1@example.com","name":"B","surname":"One"},
		{"email":"b2@example.com","invitationAccepted":true},
		{"userName":"b3","email":"b3@example.com","bypassBasicAuthRestriction":true}]}`)
	wantStatus(t, resp, body, http.StatusOK)
	users := h.srv.Users()
	if len(users) != before+3 {
		t.Fatalf("%d users, want %d", len(users), before+3)
	}
	for i, u := range users[before:] {
		if !slices.Equal(u.GroupIDs, []string{GroupEveryone, GroupFinance, GroupAutomationDevelopers}) || h.srv.PasswordOf(u.ID) != "" {
			t.Fatalf("bulk user %d: %+v", i, u)
		}
	}
	if users[before+1].UserName != "b2@example.com" || !users[before+1].InvitationAccepted || !users[before+2].BypassBasicAuthRestriction {
		t.Fatalf("bulk users %+v", users[before:])
	}

	// One duplicate refuses the whole request; every user's error is named.
	resp, body = h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok,
		`{`+partitionJSON+`,"users":[{"userName":"c1","email":"c1@example.com"},{"userName":"B1","email":"c2@example.com"},{"userName":"c3","email":"c1@example.com"}]}`)
	wantIdentityErrors(t, resp, body, "DuplicateUserName", "DuplicateEmail")
	if !bytesContains(body, "'B1'") || !bytesContains(body, "'c1@example.com'") {
		t.Fatalf("errors do not name the users: %s", body)
	}
	resp, body = h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok,
		`{`+partitionJSON+`,"users":[{"email":"d1@example.com"},{"email":"d2@example.com"},{"email":"d3@example.com"},{"email":"d4@example.com"}]}`)
	wantProblem(t, resp, body, "users", "at most 3 ids; this one carries 4")
	resp, body = h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok,
		`{`+partitionJSON+`,"users":[{"email":"e1@example.com","id":"x"}]}`)
	wantProblem(t, resp, body, "users[0].id", "System.Guid")
	if got := len(h.srv.Users()); got != before+3 {
		t.Fatalf("refused bulk creates changed the users: %d", got)
	}
}

func TestDeleteUsersSoftly(t *testing.T) { inBothShapes(t, testDeleteUsersSoftly) }

func testDeleteUsersSoftly(t *testing.T, spec bool) {
	h := startServer(t, Config{Users: 6, BulkMax: 3, SpecShapes: spec})
	tok := h.token(t)
	deleted := deletedStatus(spec)
	users := h.srv.Users()
	gone := []string{users[0].ID, strings.ToUpper(users[1].ID)}
	resp, body := h.do(t, http.MethodDelete, h.identity("/api/User"), tok,
		`{`+partitionJSON+`,"userIds":["`+gone[0]+`","`+gone[1]+`","`+gone[0]+`"]}`)
	wantStatus(t, resp, body, deleted)
	if len(body) != 0 {
		t.Fatalf("%d with a body %q", deleted, body)
	}
	for _, u := range users[:2] {
		resp, body = h.do(t, http.MethodGet, h.identity("/api/User/"+u.ID), tok, "")
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, `{"name":"x"}`)
		wantStatus(t, resp, body, http.StatusNotFound)
		if _, ok := userByEmail(t, h, tok, u.Email); ok {
			t.Fatalf("deleted user %s still listed", u.Email)
		}
		if _, ok := h.srv.User(u.ID); ok {
			t.Fatal("deleted user still in the state")
		}
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+"?top=1000"), tok, "")
	var page struct {
		TotalCount int `json:"totalCount"`
	}
	mustJSON(t, body, &page)
	if page.TotalCount != 4 {
		t.Fatalf("totalCount %d after deleting 2 of 6", page.TotalCount)
	}

	// All or nothing: an id with no live user refuses the request.
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User"), tok,
		`{`+partitionJSON+`,"userIds":["`+users[2].ID+`","`+users[0].ID+`"]}`)
	wantProblem(t, resp, body, "userIds[1]", users[0].ID)
	if _, ok := h.srv.User(users[2].ID); !ok {
		t.Fatal("a refused bulk delete deleted a user")
	}
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User"), tok,
		`{`+partitionJSON+`,"userIds":["`+users[2].ID+`","`+users[3].ID+`","`+users[4].ID+`","`+users[5].ID+`"]}`)
	wantProblem(t, resp, body, "userIds", "at most 3 ids; this one carries 4")
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User"), tok, `{"userIds":["`+users[2].ID+`"]}`)
	wantProblem(t, resp, body, "partitionGlobalId", "required")
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User"), tok, "")
	wantProblem(t, resp, body, "", "body is required")
	for _, ids := range []string{`"userIds":[]`, `"userIds":null`, `"other":1`} {
		resp, body = h.do(t, http.MethodDelete, h.identity("/api/User"), tok, `{`+partitionJSON+`,`+ids+`}`)
		wantProblem(t, resp, body, "userIds", "minimum length of '1'")
	}
	if len(h.srv.Users()) != 4 {
		t.Fatal("refused deletes deleted users")
	}

	// One at a time.
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User/"+users[2].ID), tok, "")
	wantStatus(t, resp, body, deleted)
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/User/"+users[2].ID), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)

	// The snapshot shows each deleted user once; the email is free again.
	snap := h.srv.Snapshot()
	if len(snap.DeletedUsers) != 3 || snap.DeletedUsers[0].ID != users[0].ID || snap.DeletedUsers[2].DeletionTime.IsZero() {
		t.Fatalf("deleted users %+v", snap.DeletedUsers)
	}
	resp, body = h.do(t, http.MethodPost, h.identity("/api/User"), tok, `{`+partitionJSON+`,"userName":"user00001","email":"user00001@example.com"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if again, ok := userByEmail(t, h, tok, "user00001@example.com"); !ok || again.ID == users[0].ID {
		t.Fatalf("re-created user %+v %v", again, ok)
	}
}

// groupsOf returns the group ids of a user or robot account in the state.
func groupsOf(h *harness, id string) []string {
	if u, ok := h.srv.User(id); ok {
		return u.GroupIDs
	}
	for _, r := range h.srv.RobotAccounts() {
		if r.ID == id {
			return r.GroupIDs
		}
	}
	return nil
}

type groupAnswer struct {
	ID, Name, DisplayName string
	Type                  any
	CreationTime          string  `json:"creationTime"`
	LastModificationTime  *string `json:"lastModificationTime"`
	Members               []any   `json:"members"`
}

// groupTypes are the types of a built-in and a local group as the shapes
// answer them.
func groupTypes(spec bool) (builtIn, custom any) {
	if spec {
		return "builtIn", "custom"
	}
	return float64(0), float64(1)
}

func TestGroupLifecycle(t *testing.T) { inBothShapes(t, testGroupLifecycle) }

func testGroupLifecycle(t *testing.T, spec bool) {
	h := startServer(t, Config{Users: 4, Robots: 2, BulkMax: 3, SpecShapes: spec})
	tok := h.token(t)
	deleted := deletedStatus(spec)
	builtIn, custom := groupTypes(spec)
	other := `,"id":"` + testGUID(99) + `"`
	users, robots := h.srv.Users(), h.srv.RobotAccounts()
	u1, u2, u3, r1 := users[0].ID, users[1].ID, users[2].ID, robots[0].ID

	resp, body := h.do(t, http.MethodPost, h.identity("/api/Group"), tok,
		`{`+partitionJSON+`,"id":"`+testGUID(1)+`","name":"Sales","directoryUserMemberIDs":["`+u1+`","`+r1+`"]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	var sales groupAnswer
	mustJSON(t, body, &sales)
	if sales.ID != testGUID(1) || sales.Name != "Sales" || sales.Type != custom || sales.CreationTime == "" || sales.LastModificationTime != nil {
		t.Fatalf("created group %s", body)
	}
	if !slices.Contains(groupsOf(h, u1), sales.ID) || !slices.Contains(groupsOf(h, r1), sales.ID) || slices.Contains(groupsOf(h, u2), sales.ID) {
		t.Fatal("the new group's members do not hold it")
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID+"/"+sales.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)

	for _, tc := range []struct{ body, field, want string }{
		{`{` + partitionJSON + other + `,"name":"sales"}`, "Name", "already exists"},
		{`{` + partitionJSON + other + `,"name":"  "}`, "Name", "required"},
		{`{` + partitionJSON + other + `}`, "Name", "required"},
		{`{"name":"Other"` + other + `}`, "partitionGlobalId", "required"},
		{`{` + partitionJSON + other + `,"name":"Other","directoryUserMemberIDs":["11111111-2222-4333-8444-555555555555"]}`, "directoryUserMemberIDs[0]", "does not exist"},
		{`{` + partitionJSON + other + `,"name":"Other","directoryUserMemberIDs":["` + u1 + `","` + u2 + `","` + u3 + `","` + r1 + `"]}`, "directoryUserMemberIDs", "at most 3 ids; this one carries 4"},
		{`{` + partitionJSON + `,"id":"` + strings.ToUpper(testGUID(1)) + `","name":"Other"}`, "id", "already exists"},
		{`{` + partitionJSON + `,"id":"sales","name":"Other"}`, "id", "System.Guid"},
	} {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/Group"), tok, tc.body)
		wantProblem(t, resp, body, tc.field, tc.want)
	}

	// A PUT carries the name; members move in both directions.
	put := func(id, body string) (*http.Response, []byte) {
		return h.do(t, http.MethodPut, h.identity("/api/Group/"+id), tok, body)
	}
	resp, body = put(sales.ID, `{`+partitionJSON+`,"directoryUserIDsToAdd":["`+u2+`"]}`)
	wantProblem(t, resp, body, "Name", "The Name field is required.")
	resp, body = put(sales.ID, `{`+partitionJSON+`,"name":"Sales EMEA","directoryUserIDsToAdd":["`+u2+`","`+u3+`"],"directoryUserIDsToRemove":["`+r1+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	var renamed groupAnswer
	mustJSON(t, body, &renamed)
	if renamed.Name != "Sales EMEA" || renamed.LastModificationTime == nil {
		t.Fatalf("updated group %s", body)
	}
	for id, want := range map[string]bool{u1: true, u2: true, u3: true, r1: false} {
		if slices.Contains(groupsOf(h, id), sales.ID) != want {
			t.Fatalf("%s in the group: want %v", id, want)
		}
	}
	resp, body = put(sales.ID, `{`+partitionJSON+`,"name":"Finance"}`)
	wantProblem(t, resp, body, "Name", "already exists")
	resp, body = put(sales.ID, `{`+partitionJSON+`,"name":"Sales EMEA","directoryUserIDsToAdd":["`+u1+`","`+u2+`"],"directoryUserIDsToRemove":["`+u3+`","`+r1+`"]}`)
	wantProblem(t, resp, body, "directoryUserIDsToAdd", "at most 3 ids; this one carries 4")
	resp, body = put(sales.ID, `{`+partitionJSON+`,"name":"Sales EMEA","directoryUserIDsToRemove":["11111111-2222-4333-8444-555555555555"]}`)
	wantProblem(t, resp, body, "directoryUserIDsToRemove[0]", "does not exist")
	resp, body = put("11111111-2222-4333-8444-555555555555", `{`+partitionJSON+`,"name":"Ghost"}`)
	wantStatus(t, resp, body, http.StatusNotFound)

	// Built-in groups keep their names and stay, but their members change.
	resp, body = put(GroupAdministrators, `{`+partitionJSON+`,"name":"Admins"}`)
	wantProblem(t, resp, body, "Name", "cannot be renamed")
	resp, body = put(GroupAdministrators, `{`+partitionJSON+`,"name":"Administrators","directoryUserIDsToAdd":["`+u1+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if !slices.Contains(groupsOf(h, u1), GroupAdministrators) {
		t.Fatal("built-in group member not added")
	}
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID+"/"+GroupEveryone), tok, "")
	wantProblem(t, resp, body, "groupId", "cannot be deleted")

	// Deleting groups takes them out of every account.
	resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"id":"`+testGUID(2)+`","name":"Temp","directoryUserMemberIDs":["`+u2+`"]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	var temp groupAnswer
	mustJSON(t, body, &temp)
	bulk := func(ids ...string) (*http.Response, []byte) {
		return h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID), tok, `{"groupIDs":["`+strings.Join(ids, `","`)+`"]}`)
	}
	resp, body = bulk(temp.ID, GroupAutomationUsers)
	wantProblem(t, resp, body, "groupIDs[1]", "cannot be deleted")
	resp, body = bulk(temp.ID, "11111111-2222-4333-8444-555555555555")
	wantProblem(t, resp, body, "groupIDs[1]", "does not exist")
	resp, body = bulk(temp.ID, temp.ID, temp.ID, temp.ID)
	wantProblem(t, resp, body, "groupIDs", "at most 3 ids; this one carries 4")
	if len(h.srv.Groups()) != 7 {
		t.Fatalf("refused deletes changed the groups: %v", h.srv.Groups())
	}
	resp, body = bulk(temp.ID, GroupFinance)
	wantStatus(t, resp, body, deleted)
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID+"/"+sales.ID), tok, "")
	wantStatus(t, resp, body, deleted)
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID+"/"+sales.ID), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
	if got := h.srv.Groups(); len(got) != 4 {
		t.Fatalf("groups left %v", got)
	}
	gone := []string{sales.ID, temp.ID, GroupFinance}
	for _, u := range h.srv.Users() {
		for _, g := range gone {
			if slices.Contains(u.GroupIDs, g) {
				t.Fatalf("user %s still in deleted group %s", u.UserName, g)
			}
		}
	}
	for _, r := range h.srv.RobotAccounts() {
		if slices.Contains(r.GroupIDs, GroupFinance) {
			t.Fatal("robot still in a deleted group")
		}
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID), tok, "")
	var listed []groupAnswer
	mustJSON(t, body, &listed)
	if len(listed) != 4 || listed[0].Type != builtIn {
		t.Fatalf("group list after deletes %s", body)
	}
	if snap := h.srv.Snapshot(); len(snap.DeletedGroups) != 3 || len(snap.Groups) != 4 {
		t.Fatalf("snapshot groups %v deleted %v", snap.Groups, snap.DeletedGroups)
	}
}

func TestRobotAccountLifecycle(t *testing.T) { inBothShapes(t, testRobotAccountLifecycle) }

func testRobotAccountLifecycle(t *testing.T, spec bool) {
	h := startServer(t, Config{Robots: 4, BulkMax: 2, SpecShapes: spec})
	tok := h.token(t)
	deleted := deletedStatus(spec)
	resp, body := h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok,
		`{`+partitionJSON+`,"name":"robot-new","displayName":"New robot","groupIDsToAdd":["`+GroupFinance+`"]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	var dto struct {
		ID, Name    string
		DisplayName *string
		GroupIDs    []string `json:"groupIds"`
	}
	mustJSON(t, body, &dto)
	if !isGUID(dto.ID) || dto.Name != "robot-new" || *dto.DisplayName != "New robot" || !slices.Equal(dto.GroupIDs, []string{GroupEveryone, GroupFinance}) {
		t.Fatalf("created robot %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+dto.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok, `{`+partitionJSON+`,"name":"robot-bare"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	mustJSON(t, body, &dto)
	if dto.DisplayName != nil {
		t.Fatalf("a robot created without displayName has one: %s", body)
	}
	for _, tc := range []struct{ body, field, want string }{
		{`{` + partitionJSON + `,"name":"ROBOT-001"}`, "Name", "already exists"},
		{`{` + partitionJSON + `,"displayName":"x"}`, "Name", "required"},
		{`{"name":"robot-x"}`, "partitionGlobalId", "required"},
		{`{` + partitionJSON + `,"name":"robot-x","groupIDsToAdd":["11111111-2222-4333-8444-555555555555"]}`, "groupIDsToAdd", "does not exist"},
	} {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok, tc.body)
		wantProblem(t, resp, body, tc.field, tc.want)
	}
	if n := len(h.srv.RobotAccounts()); n != 6 {
		t.Fatalf("%d robot accounts", n)
	}

	robots := h.srv.RobotAccounts()
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+robots[0].ID), tok, "")
	wantStatus(t, resp, body, deleted)
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+robots[0].ID), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+robots[0].ID), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)

	bulk := func(ids ...string) (*http.Response, []byte) {
		return h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/"+DefaultPartitionID), tok, `{"robotAccountIDs":["`+strings.Join(ids, `","`)+`"]}`)
	}
	for _, b := range []string{`{"robotAccountIDs":[]}`, `{}`} {
		resp, body = h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/"+DefaultPartitionID), tok, b)
		wantProblem(t, resp, body, "robotAccountIDs", "minimum length of '1'")
	}
	resp, body = bulk(robots[1].ID, robots[2].ID, robots[3].ID)
	wantProblem(t, resp, body, "robotAccountIDs", "at most 2 ids; this one carries 3")
	resp, body = bulk(robots[1].ID, robots[0].ID)
	wantProblem(t, resp, body, "robotAccountIDs[1]", "does not exist")
	resp, body = bulk(robots[1].ID, robots[2].ID)
	wantStatus(t, resp, body, deleted)
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"?top=100"), tok, "")
	var page struct {
		TotalCount int `json:"totalCount"`
	}
	mustJSON(t, body, &page)
	if page.TotalCount != 3 {
		t.Fatalf("robots listed after deletes: %s", body)
	}
	// The name is free again once its robot account is deleted.
	resp, body = h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok, `{`+partitionJSON+`,"name":"robot-001","displayName":"Robot 001"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	if snap := h.srv.Snapshot(); len(snap.DeletedRobotAccounts) != 3 {
		t.Fatalf("deleted robots %+v", snap.DeletedRobotAccounts)
	}
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/11111111-2222-4333-8444-555555555555/"+robots[3].ID), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
}

// Each new endpoint wants its write scope; read scopes are refused.
func TestLifecycleScopes(t *testing.T) {
	h := startServer(t, Config{Users: 2, Robots: 1})
	users := h.srv.Users()
	for _, tc := range []struct {
		scope, method, path, body string
	}{
		{"PM.User.Read", http.MethodPost, "/api/User", `{` + partitionJSON + `,"email":"s@example.com"}`},
		{"PM.User.Read", http.MethodPost, "/api/User/BulkCreate", `{` + partitionJSON + `,"users":[]}`},
		{"PM.User.Read", http.MethodDelete, "/api/User", `{` + partitionJSON + `,"userIds":[]}`},
		{"PM.User.Read", http.MethodDelete, "/api/User/" + users[0].ID, ""},
		{"PM.Group.Read", http.MethodPost, "/api/Group", `{` + partitionJSON + `,"name":"S"}`},
		{"PM.Group.Read", http.MethodPut, "/api/Group/" + GroupFinance, `{` + partitionJSON + `,"name":"Finance"}`},
		{"PM.Group.Read", http.MethodDelete, "/api/Group/" + DefaultPartitionID, `{"groupIDs":[]}`},
		{"PM.Group.Read", http.MethodDelete, "/api/Group/" + DefaultPartitionID + "/" + GroupFinance, ""},
		{"PM.RobotAccount.Read", http.MethodPost, "/api/RobotAccount", `{` + partitionJSON + `,"name":"r"}`},
		{"PM.RobotAccount.Read", http.MethodDelete, "/api/RobotAccount/" + DefaultPartitionID, `{"robotAccountIDs":[]}`},
		{"PM.User.Write PM.RobotAccount.Write", http.MethodPost, "/api/Group", `{` + partitionJSON + `,"name":"S"}`},
	} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, tc.scope)
		resp, body := h.do(t, tc.method, h.identity(tc.path), tok, tc.body)
		wantStatus(t, resp, body, http.StatusForbidden)
	}
	for _, tc := range []struct {
		scope, method, path, body string
		want                      int
	}{
		{"PM.User.Write", http.MethodPost, "/api/User", `{` + partitionJSON + `,"email":"s@example.com"}`, http.StatusOK},
		{"PM.User.Write", http.MethodDelete, "/api/User", `{` + partitionJSON + `,"userIds":["` + users[1].ID + `"]}`, http.StatusOK},
		{"PM.Group.Write", http.MethodPost, "/api/Group", `{` + partitionJSON + `,"id":"` + testGUID(1) + `","name":"S"}`, http.StatusCreated},
		{"PM.Group", http.MethodPut, "/api/Group/" + GroupFinance, `{` + partitionJSON + `,"name":"Finance"}`, http.StatusOK},
		{"PM.RobotAccount.Write", http.MethodPost, "/api/RobotAccount", `{` + partitionJSON + `,"name":"r"}`, http.StatusCreated},
	} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, tc.scope)
		resp, body := h.do(t, tc.method, h.identity(tc.path), tok, tc.body)
		wantStatus(t, resp, body, tc.want)
	}
}

// The new endpoints draw on their method's budget and are counted by
// template in the request log; a bulk DELETE's body must be JSON.
func TestLifecycleBudgetsAndRequestLog(t *testing.T) {
	h := startServer(t, Config{Users: 5, Limits: map[string]Budget{"DELETE": {Requests: 2, Window: 60e9}, "POST": {Requests: 3, Window: 60e9}}})
	tok := h.token(t)
	users := h.srv.Users()
	for i := 0; i < 2; i++ {
		resp, body := h.do(t, http.MethodDelete, h.identity("/api/User"), tok, `{`+partitionJSON+`,"userIds":["`+users[i].ID+`"]}`)
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID+"/"+GroupFinance), tok, "")
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	for i := 0; i < 3; i++ {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/Group"), tok, fmt.Sprintf(`{%s,"id":"%s","name":"G%d"}`, partitionJSON, testGUID(i), i))
		wantStatus(t, resp, body, http.StatusCreated)
	}
	resp, body = h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok, `{`+partitionJSON+`,"name":"r"}`)
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	resp, body = h.do(t, http.MethodPut, h.identity("/api/Group/"+GroupFinance), tok, `{`+partitionJSON+`,"name":"Finance"}`)
	wantStatus(t, resp, body, http.StatusOK)
	for _, tc := range []struct {
		method, template string
		want             int
	}{
		{"DELETE", "/api/User", 2},
		{"DELETE", "/api/Group/{partitionGlobalId}/{groupId}", 1},
		{"POST", "/api/Group", 3},
		{"POST", "/api/RobotAccount", 1},
		{"PUT", "/api/Group/{groupId}", 1},
	} {
		if got := h.srv.CountFor(tc.method, tc.template); got != tc.want {
			t.Errorf("CountFor(%s %s) = %d, want %d", tc.method, tc.template, got, tc.want)
		}
	}
	if got := h.srv.CountFor("DELETE", "/demo-org/identity_/api/User"); got != 2 {
		t.Errorf("CountFor by path = %d", got)
	}

	h2 := startServer(t, Config{Users: 1})
	req, err := http.NewRequest(http.MethodDelete, h2.identity("/api/User"), strings.NewReader(`{`+partitionJSON+`,"userIds":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h2.token(t))
	req.Header.Set("Content-Type", "text/plain")
	resp, body = h2.send(t, req)
	wantStatus(t, resp, body, http.StatusUnsupportedMediaType)
}

// With nothing to generate the organization is empty: the built-in groups
// and no account, no local group.
func TestEmptyOrganization(t *testing.T) {
	h := startServer(t, Config{})
	if len(h.srv.Users()) != 0 || len(h.srv.RobotAccounts()) != 0 || len(h.srv.OrchestratorUsers()) != 0 {
		t.Fatal("accounts in an empty organization")
	}
	var names []string
	for _, g := range h.srv.Groups() {
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{"Everyone", "Administrators", "Automation Users", "Automation Developers"}) {
		t.Fatalf("groups of an empty organization: %v", names)
	}
	if h.srv.Config().BulkMax != DefaultBulkMax {
		t.Fatalf("default bulk max %d", h.srv.Config().BulkMax)
	}
	if _, err := New(Config{BulkMax: -1}); err == nil {
		t.Fatal("a negative bulk maximum was accepted")
	}
}

// A seed file's local groups take members by name, generated or seeded,
// so that an organization can start with accounts in custom groups.
func TestSeedGroupsWithMembers(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := write("seed.yaml", `groups:
  - {name: Sales, members: [user00001, USER00002@example.com, robot-001, ops.lead]}
  - {id: 7a0c0d3e-1111-4c1a-9b7e-000000000020, name: Ops}
users:
  - {userName: ops.lead, email: ops@example.com, groupIDs: [7a0c0d3e-1111-4c1a-9b7e-000000000020]}
`)
	srv, err := New(Config{Users: 3, Robots: 1, SeedFile: path})
	if err != nil {
		t.Fatal(err)
	}
	groups := srv.Groups()
	if len(groups) != 7 || groups[5].Name != "Sales" || !isGUID(groups[5].ID) || groups[6].ID != "7a0c0d3e-1111-4c1a-9b7e-000000000020" {
		t.Fatalf("groups %v", groups)
	}
	sales := groups[5].ID
	users := srv.Users()
	for i, want := range []bool{true, true, false, true} {
		if slices.Contains(users[i].GroupIDs, sales) != want {
			t.Fatalf("user %s in Sales: want %v (%v)", users[i].UserName, want, users[i].GroupIDs)
		}
	}
	if !slices.Contains(srv.RobotAccounts()[0].GroupIDs, sales) {
		t.Fatal("robot-001 not in Sales")
	}
	for text, want := range map[string]string{
		`groups: [{name: Sales, members: [nobody]}]`: "nobody",
		`groups: [{name: finance}]`:                  "of that name",
	} {
		if _, err := New(Config{Users: 1, SeedFile: write("bad.yaml", text)}); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: error %v, want %q", text, err, want)
		}
	}
}

// Creates racing for one email make one user: the others are refused as
// duplicates, so a client that retries a create cannot make two.
func TestConcurrentCreatesMakeOneUser(t *testing.T) {
	h := startServer(t, Config{})
	tok := h.token(t)
	const n = 16
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, h.identity("/api/User"), strings.NewReader(
				fmt.Sprintf(`{%s,"userName":"racer%d","email":"racer@example.com"}`, partitionJSON, i)))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := h.client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}(i)
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusBadRequest] != n-1 {
		t.Fatalf("statuses %v: want one 200 and %d 400s", count, n-1)
	}
	if users := h.srv.Users(); len(users) != 1 || users[0].Email != "racer@example.com" {
		t.Fatalf("users %+v", users)
	}
	resp, body := h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID+"/11111111-2222-4333-8444-555555555555"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
}
