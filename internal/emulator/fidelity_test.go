package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A JSON body must be declared as JSON: anything else is 415, before the
// handler runs.
func TestJSONBodyWithoutJSONContentTypeIs415(t *testing.T) {
	h := startServer(t, Config{Users: 1, Robots: 1})
	tok := h.token(t)
	u := firstUser(t, h)
	for _, tc := range []struct{ method, url, body string }{
		{http.MethodPut, h.identity("/api/User/" + u.ID), `{"name":"Changed"}`},
		{http.MethodPost, h.identity("/api/User/" + u.ID + "/changepassword"), `{"oldPassword":"a","newPassword":"b"}`},
		{http.MethodPatch, h.orchestrator("/odata/Users(1001)"), `{"Name":"Changed"}`},
	} {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
			req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, body := h.send(t, req)
			wantStatus(t, resp, body, http.StatusUnsupportedMediaType)
		}
	}
	if got, _ := h.srv.User(u.ID); got.Name != u.Name {
		t.Fatalf("a refused body changed the user: %+v", got)
	}
	// application/json with parameters is JSON.
	req, _ := http.NewRequest(http.MethodPut, h.identity("/api/User/"+u.ID), strings.NewReader(`{"name":"Changed"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, body := h.send(t, req)
	wantStatus(t, resp, body, http.StatusOK)
}

// CredentialType "" is not in the enum; null leaves it to the server.
func TestUnattendedCredentialTypeEmptyIsRefused(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	u := h.orchestrator("/odata/Users(1001)")
	resp, body := h.do(t, http.MethodPatch, u, tok, `{"UnattendedRobot":{"UserName":"CORP\\svc","Password":"Pass-1","CredentialType":""}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if h.srv.RobotPasswordOf(1001) == "Pass-1" {
		t.Fatal("refused PATCH set the password")
	}
	resp, body = h.do(t, http.MethodPatch, u, tok, `{"UnattendedRobot":{"UserName":"CORP\\svc","Password":"Pass-2","CredentialType":null}}`)
	wantStatus(t, resp, body, http.StatusOK)
}

// A robot whose password lives in an external credential store (seeded)
// has it refused through Orchestrator.
func TestExternalCredentialStoreRefusesPassword(t *testing.T) {
	seed := writeSeed(t, `orchestratorUsers:
  - {id: 2002, userName: robot-vault, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-vault', credentialStoreId: 3, credentialExternalName: svc-vault, credentialType: Default}}
`)
	h := startServer(t, Config{SeedFile: seed})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Users(2002)"), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"CredentialStoreId":3`) || !strings.Contains(string(body), `"CredentialExternalName":"svc-vault"`) {
		t.Fatalf("GET does not show the store: %s", body)
	}
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(2002)"), tok,
		`{"UnattendedRobot":{"UserName":"CORP\\svc-vault","Password":"Vault-Pass-1","CredentialType":"Default"}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(string(body), "external credential store") {
		t.Fatalf("refusal does not say why: %s", body)
	}
}

// The PUT's treatment of a missing display name is undocumented: the
// emulator blanks it, so a client that leaves it out is caught.
func TestRobotAccountPutWithoutDisplayNameBlanksIt(t *testing.T) {
	h := startServer(t, Config{Robots: 1})
	tok := h.token(t)
	ra := h.srv.RobotAccounts()[0]
	resp, body := h.do(t, http.MethodPut, h.identity("/api/RobotAccount/"+ra.ID), tok,
		`{"partitionGlobalId":"`+DefaultPartitionID+`","groupIDsToAdd":["`+GroupFinance+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if after := h.srv.RobotAccounts()[0]; after.DisplayName != "" {
		t.Fatalf("display name after a PUT without one: %q", after.DisplayName)
	}
}

// writeSeed writes a YAML seed file and returns its path.
func writeSeed(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
