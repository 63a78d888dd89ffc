package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const credentialSeed = `credentialStores:
  - {id: 5, name: Key Vault, type: AzureKeyVault}
  - {id: 3, name: CyberArk, type: CyberArk, readOnly: true}
orchestratorUsers:
  - {id: 3001, userName: card, type: Robot, unattendedRobot: {userName: 'CORP\svc-card', credentialType: SmartCard}}
  - {id: 3002, userName: ncipher, type: Robot, unattendedRobot: {userName: 'CORP\svc-nc', credentialType: NCipher}}
  - {id: 3003, userName: safenet, type: Robot, unattendedRobot: {userName: 'CORP\svc-sn', credentialType: SafeNet}}
  - {id: 3004, userName: none, type: Robot, unattendedRobot: {userName: 'CORP\svc-none', credentialType: NoCredential}}
  - {id: 3005, userName: ark-named, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-ark', credentialType: Default, credentialStoreId: 3, credentialExternalName: robots/ark}}
  - {id: 3006, userName: ark-plain, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-ark2', credentialStoreId: 3, password: Ark-Pass-1}}
  - {id: 3007, userName: vault, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-vault', credentialStoreId: 5, password: Vault-Pass-1}}
`

// Every tenant has the Orchestrator Database; a seed file adds stores.
// Reading them needs OR.Settings or OR.Settings.Read.
func TestCredentialStores(t *testing.T) {
	h := startServer(t, Config{SeedFile: writeSeed(t, credentialSeed)})
	tok := h.token(t)
	resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/CredentialStores"), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var list struct {
		Context string `json:"@odata.context"`
		Count   int    `json:"@odata.count"`
		Value   []struct {
			ID      int64 `json:"Id"`
			Name    string
			Type    string
			Details struct{ IsReadOnly bool }
		} `json:"value"`
	}
	mustJSON(t, body, &list)
	if list.Count != 3 || len(list.Value) != 3 || !strings.HasSuffix(list.Context, "#CredentialStores") {
		t.Fatalf("list %s", body)
	}
	for i, want := range []struct {
		id        int64
		name, typ string
		readOnly  bool
	}{{1, "Orchestrator Database", "Database", false}, {3, "CyberArk", "CyberArk", true}, {5, "Key Vault", "AzureKeyVault", false}} {
		got := list.Value[i]
		if got.ID != want.id || got.Name != want.name || got.Type != want.typ || got.Details.IsReadOnly != want.readOnly {
			t.Fatalf("store %d: %+v, want %+v", i, got, want)
		}
	}
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/CredentialStores?$filter="+url.QueryEscape("Name eq 'cyberark'")), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &list)
	if list.Count != 1 || list.Value[0].ID != 3 {
		t.Fatalf("filtered %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/CredentialStores(3)"), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"Details":{"IsReadOnly":true}`) || !strings.Contains(string(body), `"Id":3`) {
		t.Fatalf("store 3: %s", body)
	}
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/CredentialStores(4)"), tok, "")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = h.do(t, http.MethodGet, h.orchestrator("/odata/CredentialStores(x)"), tok, "")
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = h.do(t, http.MethodPost, h.orchestrator("/odata/CredentialStores"), tok, `{}`)
	wantStatus(t, resp, body, http.StatusMethodNotAllowed)
	if got := h.srv.CredentialStores(); len(got) != 3 || got[0] != orchestratorDatabase || !got[1].ReadOnly {
		t.Fatalf("CredentialStores() %+v", got)
	}

	for scope, want := range map[string]int{
		"OR.Settings.Read": http.StatusOK, "OR.Settings": http.StatusOK,
		"OR.Users": http.StatusForbidden, "PM.User OR.Users.Read": http.StatusForbidden,
	} {
		tok := h.tokenFor(t, DefaultClientID, DefaultClientSecret, scope)
		for _, path := range []string{"/odata/CredentialStores", "/odata/CredentialStores(1)"} {
			resp, body := h.do(t, http.MethodGet, h.orchestrator(path), tok, "")
			wantStatus(t, resp, body, want)
		}
	}
	if !slices.Contains(DefaultClient().Scopes, "OR.Settings.Read") || !slices.Contains(DefaultClient().Scopes, "OR.Settings") {
		t.Fatal("the default client may not ask for the settings scopes")
	}
}

// Robots that sign in without a password, and robots in a read-only
// store (with or without an external name), can be seeded; Orchestrator
// refuses a password for a robot in a read-only store, and takes every
// other change.
func TestReadOnlyStoreRefusesPassword(t *testing.T) {
	h := startServer(t, Config{SeedFile: writeSeed(t, credentialSeed)})
	tok := h.token(t)
	byID := map[int64]OrchestratorUser{}
	for _, o := range h.srv.OrchestratorUsers() {
		byID[o.ID] = o
	}
	for id, typ := range map[int64]string{3001: "SmartCard", 3002: "NCipher", 3003: "SafeNet", 3004: "NoCredential", 3005: "Default"} {
		if ur := byID[id].UnattendedRobot; ur == nil || ur.CredentialType != typ {
			t.Fatalf("robot %d: %+v, want %s", id, ur, typ)
		}
		resp, body := h.do(t, http.MethodGet, h.orchestrator("/odata/Users("+itoa(int(id))+")"), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"CredentialType":"`+typ+`"`) {
			t.Fatalf("robot %d answers %s", id, body)
		}
	}
	for id, user := range map[string]string{"3005": `CORP\\svc-ark`, "3006": `CORP\\svc-ark2`} {
		body := `{"UnattendedRobot":{"UserName":"` + user + `","Password":"New-Pass-9","CredentialStoreId":3}}`
		resp, answer := h.do(t, http.MethodPatch, h.orchestrator("/odata/Users("+id+")"), tok, body)
		wantStatus(t, resp, answer, http.StatusBadRequest)
		var e struct{ Message string }
		mustJSON(t, answer, &e)
		if !strings.Contains(e.Message, "read-only") || !strings.Contains(e.Message, "CyberArk") {
			t.Fatalf("robot %s: refusal %s", id, answer)
		}
	}
	// Moving a robot out of the read-only store with a password is
	// refused too (the store it is in cannot take it either).
	resp, body := h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(3006)"), tok, `{"UnattendedRobot":{"UserName":"CORP\\svc-ark2","Password":"New-Pass-9","CredentialStoreId":1}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	// A writable robot cannot move into it with a password.
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(3007)"), tok, `{"UnattendedRobot":{"UserName":"CORP\\svc-vault","Password":"New-Pass-9","CredentialStoreId":3}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if h.srv.RobotPasswordOf(3006) != "Ark-Pass-1" || h.srv.RobotPasswordOf(3007) != "Vault-Pass-1" {
		t.Fatal("a refused PATCH changed a password")
	}
	// Changes without a password are taken; a writable store takes one.
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(3006)"), tok, `{"UnattendedRobot":{"UserName":"CORP\\svc-ark2","CredentialStoreId":3,"ExecutionSettings":{"LoggingLevel":"Warning"}}}`)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(3007)"), tok, `{"UnattendedRobot":{"UserName":"CORP\\svc-vault","Password":"New-Pass-9","CredentialStoreId":5}}`)
	wantStatus(t, resp, body, http.StatusOK)
	if h.srv.RobotPasswordOf(3007) != "New-Pass-9" {
		t.Fatal("a writable store did not take the password")
	}
}

// A seed file's stores and credential types are checked.
func TestSeedCredentialStoreRefusals(t *testing.T) {
	for text, want := range map[string]string{
		`credentialStores: [{id: 1, name: Mine, type: Database}]`:                                          "above 1",
		`credentialStores: [{id: 2, type: CyberArk}]`:                                                      "name",
		`credentialStores: [{id: 2, name: A}]`:                                                             "type",
		`credentialStores: [{id: 2, name: A, type: X}, {id: 2, name: B, type: X}]`:                         "twice",
		`credentialStores: [{id: 2, name: A, type: X}, {id: 3, name: a, type: X}]`:                         "twice",
		`credentialStores: [{id: 2, name: A, type: X, readonly: maybe}]`:                                   "parse",
		`orchestratorUsers: [{id: 9, userName: r, unattendedRobot: {userName: u, credentialType: Magic}}]`: "Magic",
		`users: [{userName: x, type: alien}]`:                                                              "alien",
	} {
		if _, err := New(Config{SeedFile: writeSeed(t, text)}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", text, err, want)
		}
	}
}

// PATCHes that send the server-computed RobotId or MachineMappingsCount
// are counted (and taken); the robot keeps its RobotId.
func TestServerComputedSentIsCounted(t *testing.T) {
	h := startServer(t, Config{Robots: 2})
	tok := h.token(t)
	for _, tc := range []struct {
		method, body string
		counted      bool
	}{
		{http.MethodPatch, `{"UnattendedRobot":{"UserName":"CORP\\a","CredentialType":"Default"}}`, false},
		{http.MethodPatch, `{"UnattendedRobot":{"UserName":"CORP\\a","RobotId":1}}`, true},
		{http.MethodPatch, `{"UnattendedRobot":{"UserName":"CORP\\a","MachineMappingsCount":0}}`, true},
		{http.MethodPatch, `{"UnattendedRobot":{"UserName":"CORP\\a","RobotId":null,"MachineMappingsCount":null}}`, true},
		{http.MethodPatch, `{"Name":"x","RobotId":1}`, false}, // not in UnattendedRobot: refused, not counted
		{http.MethodPut, `{"UserName":"robot-001","UnattendedRobot":{"UserName":"CORP\\a","RobotId":1}}`, false},
	} {
		before := h.srv.ServerComputedSent()
		resp, body := h.do(t, tc.method, h.orchestrator("/odata/Users(1001)"), tok, tc.body)
		if tc.body == `{"Name":"x","RobotId":1}` {
			wantStatus(t, resp, body, http.StatusBadRequest)
		} else {
			wantStatus(t, resp, body, http.StatusOK)
		}
		if counted := h.srv.ServerComputedSent() > before; counted != tc.counted {
			t.Fatalf("%s %s: counted %v", tc.method, tc.body, counted)
		}
	}
	if n := h.srv.ServerComputedSent(); n != 3 {
		t.Fatalf("ServerComputedSent = %d, want 3", n)
	}
	if ur := h.srv.OrchestratorUsers()[0].UnattendedRobot; ur == nil || ur.RobotID != 5001 {
		t.Fatalf("robot after PATCHes and a PUT: %+v", ur)
	}
	resp, body := h.do(t, http.MethodPatch, h.orchestrator("/odata/Users(1001)"), tok, `{"UnattendedRobot":{"UserName":"CORP\\a","RobotId":"five"}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
}
