package client

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// allNull is a JSON object holding every property of a published schema
// with the value null, and extra properties merged in.
func allNull(t *testing.T, doc *openapi3.T, schema string, extra map[string]string) string {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil || ref.Value == nil || len(ref.Value.Properties) == 0 {
		t.Fatalf("no schema %s with properties", schema)
	}
	var keys []string
	for k := range ref.Value.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := "null"
		if e, ok := extra[k]; ok {
			v = e
		}
		parts = append(parts, `"`+k+`":`+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestAnswersWithEveryFieldNullAreRead decodes every answer the client
// reads from bodies whose every property, as the published definitions
// list them, is null: UiPath answers null for what an account lacks
// (lastModificationTime until the first change, lastLoginTime, names),
// and Orchestrator does the same for fields its definition does not even
// mark nullable.
func TestAnswersWithEveryFieldNullAreRead(t *testing.T) {
	dir := openAPIDir(t)
	load := func(name string) *openapi3.T {
		doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		return doc
	}
	identity, orchestrator := load("identity.yaml"), load("orchestrator.yaml")
	user := allNull(t, identity, "UserDto", map[string]string{"id": `"0b3c2f7e-5d1a-4c1a-9b7e-00000000a001"`})
	robot := allNull(t, identity, "RobotAccountDto", map[string]string{"id": `"0b3c2f7e-5d1a-4c1a-9b7e-00000000b001"`})
	unattended := allNull(t, orchestrator, "UnattendedRobotDto", nil)
	orchUser := allNull(t, orchestrator, "UserDto", map[string]string{"Id": "7", "UnattendedRobot": unattended})

	var u User
	if err := json.Unmarshal([]byte(user), &u); err != nil || u.ID == "" || u.LastModificationTime != nil || u.LastLoginTime != nil || u.CreationTime != nil || u.GroupIDs != nil {
		t.Errorf("UserDto with null fields: %+v, %v", u, err)
	}
	for _, body := range []string{allNull(t, identity, "UserDtoPagedResultDto", nil), `{"totalCount":1,"results":[` + user + `]}`} {
		var p page[User]
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Errorf("user page %s: %v", body, err)
		}
	}
	var r RobotAccount
	if err := json.Unmarshal([]byte(robot), &r); err != nil || r.ID == "" || r.LastLoginTime != nil || r.GroupIDs != nil {
		t.Errorf("RobotAccountDto with null fields: %+v, %v", r, err)
	}
	for _, body := range []string{allNull(t, identity, "RobotAccountDtoPagedResultDto", nil), `{"totalCount":1,"results":[` + robot + `]}`} {
		var p page[RobotAccount]
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Errorf("robot account page %s: %v", body, err)
		}
	}
	var o OrchestratorUser
	if err := json.Unmarshal([]byte(orchUser), &o); err != nil || o.ID != 7 || o.UnattendedRobot == nil || o.UnattendedRobot.ExecutionSettings != nil {
		t.Errorf("Orchestrator UserDto with null fields: %+v, %v", o, err)
	}
	// A PATCH sends back what it read: null fields must not come back as
	// anything else than absent or null.
	if out, err := json.Marshal(o.UnattendedRobot); err != nil || strings.Contains(string(out), "Password") {
		t.Errorf("UnattendedRobot written back: %s, %v", out, err)
	}
	var list struct {
		Value []OrchestratorUser `json:"value"`
	}
	if err := json.Unmarshal([]byte(`{"value":[`+allNull(t, orchestrator, "UserDto", nil)+`]}`), &list); err != nil || len(list.Value) != 1 {
		t.Errorf("Orchestrator user list with null fields: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"value":null}`), &list); err != nil {
		t.Errorf("Orchestrator user list null: %v", err)
	}
	resp := &http.Response{StatusCode: http.StatusOK, Request: &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/api/User/1/changepassword"}}, Header: http.Header{}}
	for body, wantErr := range map[string]bool{
		allNull(t, identity, "IdentityResult", nil):                                         false,
		`{"succeeded":true,"errors":null}`:                                                  false,
		`{"succeeded":false,"errors":null}`:                                                 true,
		`{"succeeded":false,"errors":[` + allNull(t, identity, "IdentityError", nil) + `]}`: true,
	} {
		var res identityResult
		if err := res.decodeBody([]byte(body)); err != nil {
			t.Errorf("IdentityResult %s: %v", body, err)
			continue
		}
		if err := res.check(resp); (err != nil) != wantErr {
			t.Errorf("IdentityResult %s: check = %v, want an error %v", body, err, wantErr)
		}
	}
}
