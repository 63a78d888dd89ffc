package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

type problem struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors"`
}

type idResult struct {
	Succeeded bool `json:"succeeded"`
	Errors    []struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"errors"`
}

func TestGetUserAnswersUserDto(t *testing.T) {
	for _, tc := range []struct {
		spec           bool
		typ, category  any
		hasCategoryKey bool
	}{{spec: true, typ: "user"}, {spec: false, typ: float64(0), category: float64(0), hasCategoryKey: true}} {
		h := startServer(t, Config{Users: 3, SpecShapes: tc.spec})
		tok := h.token(t)
		u := firstUser(t, h)
		for _, base := range []string{"/demo-org/identity_", "/identity_", "/identity"} {
			resp, body := h.do(t, http.MethodGet, h.base+base+"/api/User/"+strings.ToUpper(u.ID), tok, "")
			wantStatus(t, resp, body, http.StatusOK)
			var dto map[string]any
			mustJSON(t, body, &dto)
			category, hasCategory := dto["category"]
			if dto["id"] != u.ID || dto["userName"] != "user00001" || dto["email"] != "user00001@example.com" || dto["type"] != tc.typ ||
				hasCategory != tc.hasCategoryKey || category != tc.category {
				t.Fatalf("spec %v, %s: dto %s", tc.spec, base, body)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Fatal("no trace id header")
			}
		}
		resp, body := h.do(t, http.MethodGet, h.base+"/other-org/identity_/api/User/"+u.ID, tok, "")
		wantStatus(t, resp, body, http.StatusNotFound)
	}
}

func TestUnknownAndMalformedIdentityIDs(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	tok := h.token(t)
	missing := "00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/User/" + missing, ""},
		{http.MethodPut, "/api/User/" + missing, `{"name":"a"}`},
		{http.MethodPost, "/api/User/" + missing + "/changepassword", `{"oldPassword":"a","newPassword":"Bbbbbbb1"}`},
		{http.MethodGet, "/api/RobotAccount/" + DefaultPartitionID + "/" + missing, ""},
		{http.MethodPut, "/api/RobotAccount/" + missing, `{"partitionGlobalId":"` + DefaultPartitionID + `"}`},
		{http.MethodGet, "/api/User/users/" + missing, ""},
	} {
		resp, body := h.do(t, tc.method, h.identity(tc.path), tok, tc.body)
		wantStatus(t, resp, body, http.StatusNotFound)
		var p problem
		mustJSON(t, body, &p)
		if p.Status != 404 || p.TraceID != resp.Header.Get("X-Request-Id") {
			t.Fatalf("%s %s: %s", tc.method, tc.path, body)
		}
	}
	resp, body := h.do(t, http.MethodGet, h.identity("/api/User/not-a-guid"), tok, "")
	wantStatus(t, resp, body, http.StatusBadRequest)
	var p problem
	mustJSON(t, body, &p)
	if len(p.Errors["userId"]) != 1 {
		t.Fatalf("body %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/Nothing/here"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestWrongMethodAnswers405WithAllow(t *testing.T) {
	h := startServer(t, Config{Users: 1, Robots: 1})
	tok := h.token(t)
	u := firstUser(t, h)
	for _, tc := range []struct{ method, url, allow string }{
		{http.MethodPost, h.identity("/api/User/" + u.ID), "GET, PUT, DELETE"},
		{http.MethodGet, h.identity("/api/User"), "POST, DELETE"},
		{http.MethodGet, h.identity("/api/User/BulkCreate"), "POST"},
		{http.MethodGet, h.identity("/api/Group"), "POST"},
		{http.MethodPost, h.identity("/api/Group/" + DefaultPartitionID + "/" + GroupFinance), "GET, DELETE"},
		{http.MethodPatch, h.identity("/api/RobotAccount/" + DefaultPartitionID), "GET, PUT, DELETE"},
		{http.MethodGet, h.identity("/api/User/" + u.ID + "/changepassword"), "POST"},
		{http.MethodPost, h.identity("/api/User/users/" + DefaultPartitionID), "GET"},
		{http.MethodDelete, h.orchestrator("/odata/Users"), "GET, POST"},
		{http.MethodDelete, h.orchestrator("/odata/Users(1001)"), "GET, PUT, PATCH"},
	} {
		resp, body := h.do(t, tc.method, tc.url, tok, "")
		wantStatus(t, resp, body, http.StatusMethodNotAllowed)
		if resp.Header.Get("Allow") != tc.allow {
			t.Fatalf("%s %s: Allow %q, want %q", tc.method, tc.url, resp.Header.Get("Allow"), tc.allow)
		}
	}
}

func TestUpdateUserChangesOnlyGivenFields(t *testing.T) {
	h := startServer(t, Config{Users: 2})
	tok := h.token(t)
	before := firstUser(t, h)
	resp, body := h.do(t, http.MethodPut, h.identity("/api/User/"+before.ID), tok,
		`{"name":"Alice","isActive":false,"groupIDsToAdd":["`+GroupFinance+`"],"groupIDsToRemove":["`+GroupAutomationUsers+`"],"password":"Brand-New-1"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if string(body) != `{"succeeded":true,"errors":[]}` {
		t.Fatalf("body %s", body)
	}
	after, _ := h.srv.User(before.ID)
	if after.Name != "Alice" || after.IsActive || after.Surname != before.Surname || after.DisplayName != before.DisplayName {
		t.Fatalf("after %+v", after)
	}
	if !slices.Equal(after.GroupIDs, []string{GroupEveryone, GroupFinance}) {
		t.Fatalf("groups %v", after.GroupIDs)
	}
	if h.srv.PasswordOf(before.ID) != "Brand-New-1" {
		t.Fatal("admin password not set")
	}
	if !after.LastModificationTime.After(before.LastModificationTime) {
		t.Fatal("lastModificationTime did not move")
	}
	// Every change moves lastModificationTime, strictly.
	prev := after.LastModificationTime
	for i := 0; i < 5; i++ {
		resp, body = h.do(t, http.MethodPut, h.identity("/api/User/"+before.ID), tok, `{"surname":"S`+fmt.Sprint(i)+`"}`)
		wantStatus(t, resp, body, http.StatusOK)
		cur, _ := h.srv.User(before.ID)
		if !cur.LastModificationTime.After(prev) {
			t.Fatalf("change %d: %v not after %v", i, cur.LastModificationTime, prev)
		}
		prev = cur.LastModificationTime
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/User/"+before.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var dto struct {
		LastModificationTime time.Time `json:"lastModificationTime"`
	}
	mustJSON(t, body, &dto)
	if !dto.LastModificationTime.Equal(prev) {
		t.Fatalf("GET lastModificationTime %v, state %v", dto.LastModificationTime, prev)
	}
}

func TestUpdateUserRefusals(t *testing.T) {
	h := startServer(t, Config{Users: 1})
	tok := h.token(t)
	u := firstUser(t, h)
	put := func(body string) ([]byte, int) {
		resp, b := h.do(t, http.MethodPut, h.identity("/api/User/"+u.ID), tok, body)
		return b, resp.StatusCode
	}

	body, status := put(`{"isActive":"yes"}`)
	var p problem
	mustJSON(t, body, &p)
	want := "Unexpected character encountered while parsing value: y. Path 'isActive', line 1, position 14."
	if status != 400 || p.Title != "One or more validation errors occurred." || len(p.Errors["isActive"]) != 1 || p.Errors["isActive"][0] != want || !strings.HasPrefix(p.TraceID, "00-") {
		t.Fatalf("wrong type: %d %s", status, body)
	}

	body, status = put(`{"name": "x",`)
	p = problem{}
	mustJSON(t, body, &p)
	if status != 400 || p.Status != 400 || len(p.Errors) != 1 {
		t.Fatalf("malformed: %d %s", status, body)
	}

	body, status = put(`{"email":"new@example.com","name":"Changed"}`)
	p = problem{}
	mustJSON(t, body, &p)
	if status != 400 || len(p.Errors["email"]) != 1 || !strings.Contains(p.Errors["email"][0], "Invite") {
		t.Fatalf("email change: %d %s", status, body)
	}
	body, status = put(`{"email":"USER00001@example.com"}`)
	if status != 200 {
		t.Fatalf("same email refused: %d %s", status, body)
	}

	body, status = put(`{"groupIDsToAdd":["11111111-2222-4333-8444-555555555555"]}`)
	p = problem{}
	mustJSON(t, body, &p)
	if status != 400 || len(p.Errors["groupIDsToAdd"]) != 1 {
		t.Fatalf("unknown group: %d %s", status, body)
	}
	body, status = put(`{"groupIDsToAdd":["finance"]}`)
	p = problem{}
	mustJSON(t, body, &p)
	if status != 400 || len(p.Errors["groupIDsToAdd[0]"]) != 1 {
		t.Fatalf("malformed group id: %d %s", status, body)
	}

	body, status = put(`{"password":"short","name":"Changed"}`)
	var r idResult
	mustJSON(t, body, &r)
	var codes []string
	for _, e := range r.Errors {
		codes = append(codes, e.Code)
		if e.Description == "" {
			t.Fatalf("error %s without description", e.Code)
		}
	}
	if status != 400 || r.Succeeded || !slices.Equal(codes, []string{"PasswordTooShort", "PasswordRequiresUpper", "PasswordRequiresDigit"}) {
		t.Fatalf("policy: %d %s", status, body)
	}
	if got, _ := h.srv.User(u.ID); got.Name == "Changed" {
		t.Fatal("a refused update was partly applied")
	}
	if h.srv.PasswordOf(u.ID) != InitialPassword(1) {
		t.Fatal("a refused password was stored")
	}
}

func TestChangePassword(t *testing.T) {
	h := startServer(t, Config{Users: 2})
	tok := h.token(t)
	u := firstUser(t, h)
	url := h.identity("/api/User/" + u.ID + "/changepassword")

	resp, body := h.do(t, http.MethodPost, url, tok, `{"oldPassword":"wrong","newPassword":"Another-Pass-1"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	var r idResult
	mustJSON(t, body, &r)
	if r.Succeeded || len(r.Errors) != 1 || r.Errors[0].Code != "PasswordMismatch" || r.Errors[0].Description != "Incorrect password." {
		t.Fatalf("mismatch: %s", body)
	}
	resp, body = h.do(t, http.MethodPost, url, tok, `{"oldPassword":"Initial-Pass-00001!","newPassword":"alllowercase1"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	mustJSON(t, body, &r)
	if len(r.Errors) != 1 || r.Errors[0].Code != "PasswordRequiresUpper" {
		t.Fatalf("policy: %s", body)
	}
	resp, body = h.do(t, http.MethodPost, url, tok, `{"oldPassword":"Initial-Pass-00001!","newPassword":"Another-Pass-1"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if h.srv.PasswordOf(u.ID) != "Another-Pass-1" {
		t.Fatal("password not changed")
	}
	if n := h.srv.CountFor(http.MethodPost, "/api/User/"+u.ID+"/changepassword"); n != 3 {
		t.Fatalf("CountFor = %d, want 3", n)
	}
	if n := h.srv.CountFor(http.MethodPost, url); n != 3 {
		t.Fatalf("CountFor with full URL = %d, want 3", n)
	}
	if n := h.srv.CountFor(http.MethodPost, "/api/User/{userId}/changepassword"); n != 3 {
		t.Fatalf("CountFor template = %d, want 3", n)
	}
}

// In spec shapes the list is in creation order, stable without sortBy.
func TestListUsersPagingAndSearch(t *testing.T) {
	h := startServer(t, Config{Users: 1500, SpecShapes: true})
	tok := h.token(t)
	list := func(query string) (int, identityPage[userDTO], []byte) {
		resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+query), tok, "")
		var page identityPage[userDTO]
		if resp.StatusCode == 200 {
			mustJSON(t, body, &page)
		}
		return resp.StatusCode, page, body
	}
	status, page, _ := list("")
	if status != 200 || page.TotalCount != 1500 || len(page.Results) != 10 || page.Results[0].UserName != "user00001" {
		t.Fatalf("default page: %d total %d len %d", status, page.TotalCount, len(page.Results))
	}
	seen := map[string]bool{}
	for skip := 0; skip < 1500; skip += 1000 {
		status, page, _ = list(fmt.Sprintf("?top=1000&skip=%d", skip))
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		for _, u := range page.Results {
			seen[u.ID] = true
		}
	}
	if len(seen) != 1500 {
		t.Fatalf("paging saw %d users", len(seen))
	}
	status, _, body := list("?top=1001")
	var p problem
	mustJSON(t, body, &p)
	if status != 400 || len(p.Errors["top"]) != 1 {
		t.Fatalf("top=1001: %d %s", status, body)
	}
	status, _, _ = list("?skip=-1")
	if status != 400 {
		t.Fatalf("skip=-1: %d", status)
	}
	// searchTerm is a fuzzy substring match: 0012 finds user00012 and also
	// user00120..user00129.
	status, page, _ = list("?searchTerm=0012&top=1000")
	if status != 200 || page.TotalCount != 11 || page.Results[0].UserName != "user00012" {
		t.Fatalf("search: total %d", page.TotalCount)
	}
	_, page, _ = list("?searchTerm=USER00012@example.COM")
	if page.TotalCount != 1 {
		t.Fatalf("email search: total %d", page.TotalCount)
	}
}

func TestRobotAccounts(t *testing.T) {
	h := startServer(t, Config{Robots: 12, SpecShapes: true})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"?top=5&skip=10"), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page identityPage[robotAccountDTO]
	mustJSON(t, body, &page)
	if page.TotalCount != 12 || len(page.Results) != 2 || page.Results[0].Name != "robot-011" {
		t.Fatalf("page %s", body)
	}
	ra := h.srv.RobotAccounts()[0]
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+ra.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var dto robotAccountDTO
	mustJSON(t, body, &dto)
	if dto.Name != "robot-001" || dto.DisplayName != "Robot 001" || !slices.Equal(dto.GroupIDs, []string{GroupEveryone, GroupAutomationUsers}) {
		t.Fatalf("dto %s", body)
	}

	resp, body = h.do(t, http.MethodPut, h.identity("/api/RobotAccount/"+ra.ID), tok,
		`{"partitionGlobalId":"`+DefaultPartitionID+`","displayName":"Night shift","name":"renamed","groupIDsToAdd":["`+GroupFinance+`"],"groupIDsToRemove":["`+GroupEveryone+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &dto)
	if dto.DisplayName != "Night shift" || dto.Name != "robot-001" || !slices.Equal(dto.GroupIDs, []string{GroupAutomationUsers, GroupFinance}) {
		t.Fatalf("updated %s", body)
	}
	after := h.srv.RobotAccounts()[0]
	if !after.LastModificationTime.After(ra.LastModificationTime) {
		t.Fatal("robot account lastModificationTime did not move")
	}

	resp, body = h.do(t, http.MethodPut, h.identity("/api/RobotAccount/"+ra.ID), tok, `{"displayName":"x"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	var p problem
	mustJSON(t, body, &p)
	if len(p.Errors["partitionGlobalId"]) != 1 {
		t.Fatalf("missing partition: %s", body)
	}
}

// TestNullableFieldsAnswerNull checks the nullable fields of UserDto and
// RobotAccountDto: a user never modified answers lastModificationTime null
// until its first change; nobody has a last login; a user without names
// answers them null.
func TestNullableFieldsAnswerNull(t *testing.T) {
	h := startServer(t, Config{Users: 4, Robots: 1, SeedFile: "testdata/seed.yaml"})
	tok := h.token(t)
	get := func(id string) map[string]json.RawMessage {
		resp, body := h.do(t, http.MethodGet, h.identity("/api/User/"+id), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		var m map[string]json.RawMessage
		mustJSON(t, body, &m)
		return m
	}
	users := h.srv.Users()
	modified, never := users[0], users[1] // generated users 1 and 2
	if m := get(modified.ID); string(m["lastModificationTime"]) == "null" || string(m["lastLoginTime"]) != "null" {
		t.Fatalf("user 1 (modified before): lastModificationTime %s, lastLoginTime %s", m["lastModificationTime"], m["lastLoginTime"])
	}
	if m := get(never.ID); string(m["lastModificationTime"]) != "null" {
		t.Fatalf("user 2 (never modified): lastModificationTime %s, want null", m["lastModificationTime"])
	}
	resp, body := h.do(t, http.MethodPut, h.identity("/api/User/"+never.ID), tok, `{"name":"Now"}`)
	wantStatus(t, resp, body, http.StatusOK)
	var after struct {
		LastModificationTime *time.Time `json:"lastModificationTime"`
	}
	resp, body = h.do(t, http.MethodGet, h.identity("/api/User/"+never.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &after)
	if after.LastModificationTime == nil || after.LastModificationTime.IsZero() {
		t.Fatalf("after a change lastModificationTime is %s", body)
	}
	var bare User
	for _, u := range users {
		if u.UserName == "inactive.user" {
			bare = u
		}
	}
	m := get(bare.ID)
	for _, f := range []string{"name", "surname", "displayName", "lastModificationTime", "lastLoginTime"} {
		if string(m[f]) != "null" {
			t.Errorf("seed user without %s answers %s, want null", f, m[f])
		}
	}
	ra := h.srv.RobotAccounts()[0]
	resp, body = h.do(t, http.MethodGet, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+ra.ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &m)
	if string(m["lastLoginTime"]) != "null" || string(m["name"]) == "null" {
		t.Fatalf("robot account: lastLoginTime %s, name %s", m["lastLoginTime"], m["name"])
	}
}

// The group list answers every built-in and local group, with the ids
// users and robot accounts hold, and wants a group scope.
func TestGroupListMatchesTheMembershipIDs(t *testing.T) {
	h := startServer(t, Config{Users: 5, Robots: 2, SpecShapes: true})
	resp, body := h.do(t, http.MethodGet, h.identity("/api/Group/"+h.srv.cfg.PartitionID), h.token(t), "")
	wantStatus(t, resp, body, http.StatusOK)
	var groups []struct{ ID, Name, Type string }
	mustJSON(t, body, &groups)
	byID := map[string]string{}
	for _, g := range groups {
		byID[g.ID] = g.Type
	}
	if byID[GroupEveryone] != "builtIn" || byID[GroupFinance] != "custom" {
		t.Fatalf("groups %+v", groups)
	}
	for _, u := range h.srv.Users() {
		for _, g := range u.GroupIDs {
			if _, ok := byID[g]; !ok {
				t.Fatalf("user %s is in group %s, which the list does not hold", u.UserName, g)
			}
		}
	}
	for _, r := range h.srv.RobotAccounts() {
		for _, g := range r.GroupIDs {
			if _, ok := byID[g]; !ok {
				t.Fatalf("robot %s is in group %s, which the list does not hold", r.Name, g)
			}
		}
	}
	userOnly := h.tokenFor(t, DefaultClientID, DefaultClientSecret, "PM.User.Read")
	resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+h.srv.cfg.PartitionID), userOnly, "")
	wantStatus(t, resp, body, http.StatusForbidden)
}
