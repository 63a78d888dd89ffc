package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// orgAssets is organization A with a vault and assets in its folders: a
// Global credential, a secret, a credential an external store holds, a
// text, and a PerRobot credential with a default value, a robot's value
// and a user's value on a machine.
func orgAssets() *SeedFile {
	sf := orgA()
	vault := int64(3)
	sf.CredentialStores = []SeedCredentialStore{{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true}, {ID: 4, Name: "Key Vault", Type: "AzureKeyVault"}}
	sf.OrchestratorUsers = append(sf.OrchestratorUsers, SeedOrchestrator{ID: 2002, UserName: "robot-day", Type: "Robot",
		UnattendedRobot: &SeedUnattended{UserName: `CORP\svc-day`, Password: "Day-Pass-1", RobotID: 7002}})
	sf.Assets = []SeedAsset{
		{Folder: "Shared/Finance", Name: "SAP login", CredentialUsername: "sap-bot", Password: "Sap-Pass-1", Description: "SAP", Tags: []string{"erp"}},
		{Folder: "Shared/Finance", Name: "API key", ValueType: "Secret", Password: "Key-1"},
		{Folder: "Shared", Name: "Vault login", CredentialUsername: "v", CredentialStoreID: &vault, ExternalName: "vault/v"},
		{Folder: "Shared", Name: "Mode", ValueType: "Text", Value: "batch"},
		{Folder: "Shared/Finance/AP", Name: "Per robot", CredentialUsername: "d", Password: "Default-1",
			RobotValues: []SeedAssetValue{{Robot: "robot-night", CredentialUsername: "n", Password: "Night-1"}},
			UserValues:  []SeedAssetValue{{User: "jdoe", Machine: "PC-01", CredentialUsername: "j", Password: "Jdoe-1"}}},
	}
	return sf
}

// doIn sends a request in the folder with id (0: no folder header).
func (h *harness) doIn(t *testing.T, method, u, token string, folder int64, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if folder != 0 {
		req.Header.Set("X-UIPATH-OrganizationUnitId", fmt.Sprint(folder))
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.send(t, req)
}

// assetNamed returns the emulator's copy of the asset called name.
func assetNamed(t *testing.T, h *harness, name string) Asset {
	t.Helper()
	i := slices.IndexFunc(h.srv.Assets(), func(a Asset) bool { return a.Name == name })
	if i < 0 {
		t.Fatalf("no asset %s", name)
	}
	return h.srv.Assets()[i]
}

// readAsset GETs one asset with its users' values, as a raw object.
func readAsset(t *testing.T, h *harness, tok string, a Asset) map[string]any {
	t.Helper()
	resp, body := h.doIn(t, http.MethodGet, h.orchestrator(fmt.Sprintf("/odata/Assets(%d)?$expand=UserValues", a.ID)), tok, a.FolderID, "")
	wantStatus(t, resp, body, http.StatusOK)
	var m map[string]any
	mustJSON(t, body, &m)
	delete(m, "@odata.context")
	return m
}

func TestAssetsAreReadInTheirFolder(t *testing.T) {
	for _, spec := range []bool{false, true} {
		t.Run(fmt.Sprintf("spec=%t", spec), func(t *testing.T) {
			h := startServer(t, Config{SeedData: orgAssets(), SpecShapes: spec})
			tok := h.token(t)
			finance := folderID(t, h, "Shared/Finance")
			resp, body := h.doIn(t, http.MethodGet, h.orchestrator("/odata/Assets?$expand=UserValues&$orderby=Id%20asc&$top=1000&$count=true"), tok, finance, "")
			wantStatus(t, resp, body, http.StatusOK)
			var page struct {
				Count int              `json:"@odata.count"`
				Value []map[string]any `json:"value"`
			}
			mustJSON(t, body, &page)
			if page.Count != 2 || len(page.Value) != 2 || page.Value[0]["Name"] != "SAP login" || page.Value[1]["Name"] != "API key" {
				t.Fatalf("Finance's assets = %s", body)
			}
			sap := page.Value[0]
			if sap["ValueType"] != "Credential" || sap["ValueScope"] != "Global" || sap["CredentialUsername"] != "sap-bot" || sap["Description"] != "SAP" {
				t.Fatalf("SAP login = %v", sap)
			}
			if pw, ok := sap["CredentialPassword"]; spec == ok || (ok && pw != "") {
				t.Fatalf("CredentialPassword = %v (present %t), want \"\" live, absent in spec shapes", pw, ok)
			}
			for _, secret := range []string{"Sap-Pass-1", "Key-1"} {
				if strings.Contains(string(body), secret) {
					t.Fatalf("the list carries the secret %s", secret)
				}
			}

			ap := folderID(t, h, "Shared/Finance/AP")
			per := assetNamed(t, h, "Per robot")
			got := readAsset(t, h, tok, per)
			robots, _ := got["RobotValues"].([]any)
			users, _ := got["UserValues"].([]any)
			if len(robots) != 1 || len(users) != 1 {
				t.Fatalf("Per robot's values = %v", got)
			}
			robot, user := robots[0].(map[string]any), users[0].(map[string]any)
			if robot["RobotId"] != float64(2001) || robot["RobotName"] != "robot-night" || robot["CredentialUsername"] != "n" ||
				user["UserName"] != "jdoe" || user["MachineName"] != "PC-01" || user["CredentialUsername"] != "j" {
				t.Fatalf("values = %v, %v", robot, user)
			}
			// UserValues is a navigation property: there when expanded only.
			resp, body = h.doIn(t, http.MethodGet, h.orchestrator(fmt.Sprintf("/odata/Assets(%d)", per.ID)), tok, ap, "")
			wantStatus(t, resp, body, http.StatusOK)
			if bytesContains(body, "UserValues") || !bytesContains(body, "RobotValues") {
				t.Fatalf("unexpanded asset = %s", body)
			}

			for _, c := range []struct {
				what, path string
				folder     int64
				status     int
				says       string
			}{
				{"no folder", "/odata/Assets", 0, 400, "1101"},
				{"an unknown folder", "/odata/Assets", 999999, 404, "Folder does not exist"},
				{"an asset of another folder", fmt.Sprintf("/odata/Assets(%d)", per.ID), finance, 404, "Asset does not exist"},
				{"an unknown $expand", "/odata/Assets?$expand=Robots", finance, 400, "Robots"},
			} {
				resp, body := h.doIn(t, http.MethodGet, h.orchestrator(c.path), tok, c.folder, "")
				if resp.StatusCode != c.status || !bytesContains(body, c.says) {
					t.Errorf("%s: %d %s, want %d saying %s", c.what, resp.StatusCode, body, c.status, c.says)
				}
			}
			usersOnly := h.tokenFor(t, DefaultClientID, DefaultClientSecret, "OR.Users OR.Assets.Write")
			if resp, body := h.doIn(t, http.MethodGet, h.orchestrator("/odata/Assets"), usersOnly, finance, ""); resp.StatusCode != http.StatusForbidden {
				t.Errorf("a list without OR.Assets.Read: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// putAsset sends body as the PUT of asset a.
func putAsset(t *testing.T, h *harness, tok string, a Asset, body any) (*http.Response, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return h.doIn(t, http.MethodPut, h.orchestrator(fmt.Sprintf("/odata/Assets(%d)", a.ID)), tok, a.FolderID, string(b))
}

// A PUT replaces the asset whole, but the passwords of values sent
// without one: those stay.
func TestAssetPutReplacesTheAssetAndKeepsPasswordsNotSent(t *testing.T) {
	h := startServer(t, Config{SeedData: orgAssets()})
	tok := h.token(t)
	per := assetNamed(t, h, "Per robot")
	body := readAsset(t, h, tok, per)
	robot := body["RobotValues"].([]any)[0].(map[string]any)
	robot["CredentialPassword"] = "Night-2"
	robot["CredentialUsername"] = "n2"
	delete(body, "Description")
	resp, out := putAsset(t, h, tok, per, body)
	wantStatus(t, resp, out, http.StatusOK)
	for who, want := range map[string]string{"robot-night": "Night-2", "jdoe": "Jdoe-1", "": "Default-1"} {
		if got := h.srv.AssetPasswordOf("Shared/Finance/AP", "Per robot", who); got != want {
			t.Errorf("password of %q = %q, want %q", who, got, want)
		}
	}
	after := assetNamed(t, h, "Per robot")
	if after.RobotValues[0].CredentialUsername != "n2" || after.UserValues[0].CredentialUsername != "j" || after.CredentialUsername != "d" {
		t.Fatalf("after the PUT: %+v", after)
	}
	logs := h.srv.AuditLogs()
	last := logs[len(logs)-1]
	if last.Component != AuditAssets || last.Action != AuditUpdate || last.DisplayName != "Per robot" || last.EntityID != per.ID ||
		!strings.Contains(last.Parameters, "robot robot-night's value") || strings.Contains(last.Parameters, "Night-2") {
		t.Fatalf("audit record = %+v", last)
	}
	for _, e := range last.Entities {
		if strings.Contains(e.CustomData, "Night") {
			t.Fatalf("the audit record holds a password: %s", e.CustomData)
		}
	}

	// Fields a PUT leaves out are cleared: the user's value (and its
	// password) go with UserValues.
	body = readAsset(t, h, tok, per)
	delete(body, "UserValues")
	resp, out = putAsset(t, h, tok, per, body)
	wantStatus(t, resp, out, http.StatusOK)
	if after := assetNamed(t, h, "Per robot"); len(after.UserValues) != 0 || len(after.RobotValues) != 1 {
		t.Fatalf("a PUT without UserValues kept %+v", after.UserValues)
	}
	if got := h.srv.AssetPasswordOf("Shared/Finance/AP", "Per robot", "jdoe"); got != "" {
		t.Fatalf("the dropped value's password is still there")
	}
}

func TestAssetPutRefusesWhatTheServiceRefuses(t *testing.T) {
	h := startServer(t, Config{SeedData: orgAssets()})
	tok := h.token(t)
	per, sap, vault := assetNamed(t, h, "Per robot"), assetNamed(t, h, "SAP login"), assetNamed(t, h, "Vault login")
	store := func(id int64) *int64 { return &id }
	var machine int64
	if per.UserValues[0].MachineID != nil {
		machine = *per.UserValues[0].MachineID
	}
	cases := []struct {
		what   string
		asset  Asset
		change func(m map[string]any)
		status int
		says   string
	}{
		{"a blank password", sap, func(m map[string]any) { m["CredentialPassword"] = "   " }, 400, "blank"},
		{"a password for a value an external store holds", vault, func(m map[string]any) { m["CredentialPassword"] = "New-1" }, 400, "external"},
		{"a password for a value of a read-only store", sap, func(m map[string]any) { m["CredentialPassword"] = "New-1"; m["CredentialStoreId"] = 3 }, 400, "read-only"},
		{"an unknown robot", per, func(m map[string]any) {
			m["RobotValues"] = append(m["RobotValues"].([]any), map[string]any{"RobotId": 424242, "CredentialUsername": "x", "CredentialPassword": "X-1"})
		}, 400, "robot 424242"},
		{"an unknown user", per, func(m map[string]any) {
			m["UserValues"] = append(m["UserValues"].([]any), map[string]any{"UserId": 424242, "CredentialUsername": "x", "CredentialPassword": "X-1"})
		}, 400, "user 424242"},
		{"an unknown machine", per, func(m map[string]any) {
			m["UserValues"].([]any)[0].(map[string]any)["MachineId"] = machine + 100
		}, 400, "machine"},
		{"a new value without a password", per, func(m map[string]any) {
			m["RobotValues"] = append(m["RobotValues"].([]any), map[string]any{"RobotId": 7002, "CredentialUsername": "day"})
		}, 400, "required"},
		{"a value given twice", per, func(m map[string]any) {
			m["RobotValues"] = append(m["RobotValues"].([]any), m["RobotValues"].([]any)[0])
		}, 400, "already"},
		{"a changed type", sap, func(m map[string]any) { m["ValueType"] = "Text" }, 400, "cannot be changed"},
		{"values on a Global asset", sap, func(m map[string]any) {
			m["RobotValues"] = []any{map[string]any{"RobotId": 7002, "CredentialPassword": "X-1"}}
		}, 400, "Global"},
		{"no name", sap, func(m map[string]any) { delete(m, "Name") }, 400, "Name field is required"},
		{"no scope", sap, func(m map[string]any) { delete(m, "ValueScope") }, 400, "ValueScope"},
		{"an unknown property", sap, func(m map[string]any) { m["Password"] = "X-1" }, 400, "does not exist on type"},
		{"a name another asset holds", sap, func(m map[string]any) { m["Name"] = "api KEY" }, 409, "already exists"},
		{"a moved store for a kept password, read-only", sap, func(m map[string]any) { m["CredentialStoreId"] = store(3) }, 200, ""},
	}
	before := len(h.srv.AuditLogs())
	for _, c := range cases {
		body := readAsset(t, h, tok, c.asset)
		c.change(body)
		resp, out := putAsset(t, h, tok, c.asset, body)
		if resp.StatusCode != c.status || !bytesContains(out, c.says) {
			t.Errorf("%s: %d %s, want %d saying %q", c.what, resp.StatusCode, out, c.status, c.says)
		}
		if bytesContains(out, "New-1") || bytesContains(out, "X-1") {
			t.Errorf("%s: the answer repeats the password: %s", c.what, out)
		}
	}
	if n := len(h.srv.AuditLogs()) - before; n != 1 {
		t.Errorf("%d audit records, want 1 (the one PUT that passed)", n)
	}
	for _, c := range []struct{ folder, asset, who, want string }{
		{"Shared/Finance", "SAP login", "", "Sap-Pass-1"},
		{"Shared/Finance/AP", "Per robot", "robot-night", "Night-1"},
		{"Shared/Finance/AP", "Per robot", "jdoe", "Jdoe-1"},
	} {
		if got := h.srv.AssetPasswordOf(c.folder, c.asset, c.who); got != c.want {
			t.Errorf("%s %s: password %q after the refusals, want %q", c.asset, c.who, got, c.want)
		}
	}
	readOnly := h.tokenFor(t, DefaultClientID, DefaultClientSecret, "OR.Assets.Read")
	body := readAsset(t, h, tok, sap)
	if resp, out := putAsset(t, h, readOnly, sap, body); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a PUT without OR.Assets.Write: %d %s", resp.StatusCode, out)
	}
	// A Secret takes its value in SecretValue.
	key := assetNamed(t, h, "API key")
	body = readAsset(t, h, tok, key)
	body["SecretValue"] = "Key-2"
	resp, out := putAsset(t, h, tok, key, body)
	wantStatus(t, resp, out, http.StatusOK)
	if got := h.srv.AssetPasswordOf("Shared/Finance", "API key", ""); got != "Key-2" {
		t.Fatalf("secret = %q", got)
	}
}

// Across folders: every folder's assets, metadata only, without a folder
// header.
func TestAssetsAcrossFoldersGiveMetadataOnly(t *testing.T) {
	h := startServer(t, Config{SeedData: orgAssets()})
	tok := h.token(t)
	path := "/odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders"
	resp, body := h.doIn(t, http.MethodGet, h.orchestrator(path+"?$top=2&$count=true"), tok, 0, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page struct {
		Count int              `json:"@odata.count"`
		Value []map[string]any `json:"value"`
	}
	mustJSON(t, body, &page)
	if page.Count != 5 || len(page.Value) != 2 || page.Value[0]["CredentialUsername"] != nil || page.Value[0]["RobotValues"] != nil {
		t.Fatalf("across folders = %s", body)
	}
	resp, body = h.doIn(t, http.MethodGet, h.orchestrator(fmt.Sprintf("%s?excludeFolderId=%d", path, folderID(t, h, "Shared"))), tok, 0, "")
	wantStatus(t, resp, body, http.StatusOK)
	mustJSON(t, body, &page)
	if page.Count != 3 {
		t.Fatalf("without Shared's: %s", body)
	}
}

func TestGeneratedAssetsAreDeterministic(t *testing.T) {
	cfg := Config{Robots: 3, Assets: 40, AssetFolders: 3, Seed: 7}
	a, b := startServer(t, cfg), startServer(t, cfg)
	got := a.srv.Assets()
	same := func(x, y Asset) bool {
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		return string(jx) == string(jy)
	}
	if len(got) != 40 || !slices.EqualFunc(got, b.srv.Assets(), same) {
		t.Fatalf("generated %d assets, or two servers of one seed differ", len(got))
	}
	kinds := map[string]int{}
	folders := map[string]bool{}
	for _, as := range got {
		folders[as.FolderPath] = true
		switch {
		case as.ValueType == "Secret":
			kinds["secret"]++
		case as.ExternalName != "":
			kinds["external"]++
		case as.ValueScope == "PerRobot":
			kinds["per-robot"]++
			if len(as.RobotValues) != 2 {
				t.Errorf("%s has %d robot values", as.Name, len(as.RobotValues))
			}
		default:
			kinds["credential"]++
		}
	}
	if kinds["secret"] != 4 || kinds["external"] != 5 || kinds["per-robot"] != 7 || len(folders) != 3 || !folders["Assets/Team 01"] {
		t.Fatalf("kinds %v, folders %v", kinds, folders)
	}
	if pw := a.srv.AssetPasswordOf("Assets/Team 01", "cred-00001", ""); pw != InitialAssetPassword(1) {
		t.Fatalf("cred-00001's password = %q", pw)
	}
	per := got[3] // cred-00004
	if pw := a.srv.AssetPasswordOf(per.FolderPath, per.Name, per.RobotValues[0].RobotName); pw == "" || !strings.HasPrefix(pw, "Initial-Asset-00004-R") {
		t.Fatalf("robot value's password = %q", pw)
	}
}

func TestSeedAssetsAreChecked(t *testing.T) {
	for _, c := range []struct {
		what  string
		asset SeedAsset
		says  string
	}{
		{"an unknown folder", SeedAsset{Folder: "Nowhere", Name: "x", Password: "p"}, "no folder"},
		{"a credential without a password", SeedAsset{Folder: "Shared", Name: "x", CredentialUsername: "u"}, "needs a password"},
		{"a password and an external name", SeedAsset{Folder: "Shared", Name: "x", Password: "p", ExternalName: "e"}, "external store holds"},
		{"an unknown robot", SeedAsset{Folder: "Shared", Name: "x", Password: "p", RobotValues: []SeedAssetValue{{Robot: "nobody", Password: "p"}}}, "unattended robot"},
		{"an unknown type", SeedAsset{Folder: "Shared", Name: "x", ValueType: "Blob"}, "valueType"},
		{"a name used twice", SeedAsset{Folder: "Shared", Name: "Mode", ValueType: "Text"}, "has an asset of that name"},
	} {
		sf := orgAssets()
		sf.Assets = append(sf.Assets, c.asset)
		if _, err := New(Config{SeedData: sf}); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", c.what, err, c.says)
		}
	}
}
