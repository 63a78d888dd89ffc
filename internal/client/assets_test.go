package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

// assetOrg is an organization with assets of every kind: in
// Shared/Finance a Global credential (with a description and a tag) and
// a secret; in Shared one an external store holds, one in a read-only
// store and a text; in Shared/Finance/AP a PerRobot credential with a
// default value, a robot's value and a user's values on two machines.
func assetOrg() *emulator.SeedFile {
	cyberArk, vault := int64(3), int64(4)
	return &emulator.SeedFile{
		Users:            []emulator.SeedUser{{UserName: "jdoe", Email: "jdoe@example.com"}},
		CredentialStores: []emulator.SeedCredentialStore{{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true}, {ID: 4, Name: "Key Vault", Type: "AzureKeyVault"}},
		OrchestratorUsers: []emulator.SeedOrchestrator{
			{ID: 2001, UserName: "robot-night", Type: "Robot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-night`, Password: "Night-Robot-1", RobotID: 7001}},
		},
		Folders:           []emulator.SeedFolder{{Path: "Shared/Finance/AP"}},
		FolderAssignments: []emulator.SeedAssignment{{Account: "jdoe", Folder: "Shared", Roles: []string{"Automation User"}}},
		Assets: []emulator.SeedAsset{
			{Folder: "Shared/Finance", Name: "SAP login", CredentialUsername: "sap-bot", Password: "Sap-Pass-1", Description: "SAP", Tags: []string{"erp"}},
			{Folder: "Shared/Finance", Name: "API key", ValueType: "Secret", Password: "Key-1"},
			{Folder: "Shared", Name: "Vault login", CredentialUsername: "v", CredentialStoreID: &vault, ExternalName: "vault/v"},
			{Folder: "Shared", Name: "Ark login", CredentialUsername: "a", CredentialStoreID: &cyberArk},
			{Folder: "Shared", Name: "Mode", ValueType: "Text", Value: "batch"},
			{Folder: "Shared/Finance/AP", Name: "Per robot", CredentialUsername: "d", Password: "Default-1",
				RobotValues: []emulator.SeedAssetValue{{Robot: "robot-night", CredentialUsername: "n", Password: "Night-1"}},
				UserValues: []emulator.SeedAssetValue{
					{User: "jdoe", Machine: "PC-01", CredentialUsername: "j1", Password: "Jdoe-1"},
					{User: "jdoe", Machine: "PC-02", CredentialUsername: "j2", Password: "Jdoe-2"},
				}},
		},
	}
}

// assetClient is a client asking for the asset scopes, through rec when
// it is not nil.
func assetClient(t *testing.T, s *emulator.Server, rec *recorder) *Client {
	t.Helper()
	opts := []Option{WithOperations(AssetOperations...)}
	if rec != nil {
		opts = append(opts, withHTTPClient(&http.Client{Transport: rec}))
	}
	return newTestClient(t, s, opts...)
}

func folderOf(t *testing.T, s *emulator.Server, path string) int64 {
	t.Helper()
	f, ok := s.FolderByPath(path)
	if !ok {
		t.Fatalf("no folder %s", path)
	}
	return f.ID
}

// readAssetNamed lists the folder at path and returns its asset called name.
func readAssetNamed(t *testing.T, c *Client, s *emulator.Server, path, name string) Asset {
	t.Helper()
	list, err := c.Assets().List(testContext(t), folderOf(t, s, path))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(a Asset) bool { return a.Name == name })
	if i < 0 {
		t.Fatalf("no asset %s in %s: %+v", name, path, list)
	}
	return list[i]
}

func TestAssetsAreListedAndReadInTheirFolder(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: assetOrg(), SpecShapes: spec})
		c := assetClient(t, s, nil)
		ctx := testContext(t)
		finance := folderOf(t, s, "Shared/Finance")
		list, err := c.Assets().List(ctx, finance)
		if err != nil {
			t.Fatal(err)
		}
		if n := s.CountFor("GET", "/odata/Assets"); n != 1 || len(list) != 2 {
			t.Fatalf("List gave %d assets in %d GETs", len(list), n)
		}
		sap, key := list[0], list[1]
		if sap.Name != "SAP login" || sap.ValueType != "Credential" || sap.ValueScope != "Global" || sap.CredentialUsername != "sap-bot" ||
			sap.Description != "SAP" || !sap.HasDefaultValue || sap.FolderID != finance || sap.ID == 0 || sap.Key == "" {
			t.Fatalf("SAP login = %+v", sap)
		}
		if key.ValueType != "Secret" || key.Name != "API key" {
			t.Fatalf("API key = %+v", key)
		}
		for _, a := range list {
			for k := range a.Extra {
				if strings.EqualFold(k, "CredentialPassword") || strings.EqualFold(k, "SecretValue") {
					t.Fatalf("%s keeps %s", a.Name, k)
				}
			}
		}

		per := readAssetNamed(t, c, s, "Shared/Finance/AP", "Per robot")
		if per.ValueScope != "PerRobot" || len(per.RobotValues) != 1 || len(per.UserValues) != 2 {
			t.Fatalf("Per robot = %+v", per)
		}
		rv, uv := per.RobotValues[0], per.UserValues[1]
		if rv.RobotID != 7001 || rv.RobotName != "robot-night" || rv.CredentialUsername != "n" || rv.ValueType != "Credential" ||
			uv.UserName != "jdoe" || uv.MachineID == nil || uv.MachineName != "PC-02" || uv.CredentialUsername != "j2" {
			t.Fatalf("values = %+v, %+v", rv, uv)
		}
		one, err := c.Assets().Get(ctx, per.FolderID, per.ID)
		if err != nil || one.Name != "Per robot" || len(one.UserValues) != 2 || one.FolderID != per.FolderID {
			t.Fatalf("Get = %+v, %v", one, err)
		}
		if _, err := c.Assets().Get(ctx, finance, per.ID); KindOf(err) != KindNotFound {
			t.Fatalf("Get in another folder = %v, want not found", err)
		}
		vault := readAssetNamed(t, c, s, "Shared", "Vault login")
		if vault.ExternalName != "vault/v" || vault.CredentialStoreID == nil || *vault.CredentialStoreID != 4 {
			t.Fatalf("Vault login = %+v", vault)
		}

		all, err := c.Assets().AcrossFolders(ctx)
		if err != nil || len(all) != 6 {
			t.Fatalf("AcrossFolders = %d assets, %v", len(all), err)
		}
		for _, a := range all {
			if a.FolderID != 0 || a.CredentialUsername != "" || a.Name == "" || a.ValueType == "" {
				t.Fatalf("across folders: %+v", a)
			}
		}

		// The default scopes leave OR.Assets out: the read is refused.
		if _, err := newTestClient(t, s).Assets().List(ctx, finance); KindOf(err) != KindForbidden {
			t.Fatalf("List without OR.Assets.Read = %v, want forbidden", err)
		}
	})
}

// Every page of a large folder is read, each asset once.
func TestAssetsListPagesThroughAFolder(t *testing.T) {
	s := startEmulator(t, emulator.Config{Assets: 1500, AssetFolders: 1})
	c := assetClient(t, s, nil)
	list, err := c.Assets().List(testContext(t), folderOf(t, s, "Assets/Team 01"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, a := range list {
		seen[a.ID] = true
	}
	if len(list) != 1500 || len(seen) != 1500 || s.CountFor("GET", "/odata/Assets") != 2 {
		t.Fatalf("%d assets (%d distinct) in %d GETs", len(list), len(seen), s.CountFor("GET", "/odata/Assets"))
	}
}

func TestSetCredentialOfChangesOneValueOnly(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: assetOrg(), SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := assetClient(t, s, rec)
		ctx := testContext(t)
		const ap = "Shared/Finance/AP"
		passwords := func() map[string]string {
			out := map[string]string{}
			for _, who := range []string{"", "robot-night"} {
				out[who] = s.AssetPasswordOf(ap, "Per robot", who)
			}
			return out
		}
		per := readAssetNamed(t, c, s, ap, "Per robot")
		jdoe := per.UserValues[0].UserID
		pc2 := *per.UserValues[1].MachineID
		steps := []struct {
			target   AssetValueTarget
			user     string
			password string
			who      string
		}{
			{AssetValueTarget{}, "", "Default-2", ""},
			{AssetValueTarget{RobotID: 7001}, `CORP\night-2`, "Night-2", "robot-night"},
			{AssetValueTarget{UserID: jdoe, MachineID: pc2}, "", "Jdoe-22", ""},
		}
		for _, st := range steps {
			a, err := c.Assets().Get(ctx, per.FolderID, per.ID) // fresh state before the whole-object write
			if err != nil {
				t.Fatal(err)
			}
			sent := false
			if err := c.Assets().SetCredentialOf(ctx, a, st.target, st.user, secret.New(st.password), BeforeSend(func() error { sent = true; return nil })); err != nil {
				t.Fatalf("set %s: %v", st.target, err)
			}
			if !sent {
				t.Fatalf("set %s: the BeforeSend hook did not run", st.target)
			}
			if st.who != "" || st.target == (AssetValueTarget{}) {
				if got := passwords()[st.who]; got != st.password {
					t.Fatalf("set %s: password %q", st.target, got)
				}
			}
		}
		want := map[string]string{"": "Default-2", "robot-night": "Night-2"}
		if got := passwords(); got[""] != want[""] || got["robot-night"] != want["robot-night"] {
			t.Fatalf("passwords after = %v", got)
		}
		if pc1, pc2 := s.AssetUserPasswordOf(ap, "Per robot", "jdoe", "PC-01"), s.AssetUserPasswordOf(ap, "Per robot", "jdoe", "PC-02"); pc1 != "Jdoe-1" || pc2 != "Jdoe-22" {
			t.Fatalf("jdoe's passwords after = %q on PC-01, %q on PC-02", pc1, pc2)
		}
		after := emulatorAsset(t, s, "Per robot")
		if after.CredentialUsername != "d" || after.RobotValues[0].CredentialUsername != `CORP\night-2` ||
			after.UserValues[0].CredentialUsername != "j1" || after.UserValues[1].CredentialUsername != "j2" || len(after.UserValues) != 2 {
			t.Fatalf("after the writes: %+v", after)
		}
		// The PUT went to the asset's folder, with the one password.
		var puts int
		for _, r := range rec.all() {
			if r.method != http.MethodPut {
				continue
			}
			puts++
			if r.header.Get("X-UIPATH-OrganizationUnitId") == "" || strings.Count(r.body, "Password") != 1 {
				t.Fatalf("PUT %s with header %v, body %s", r.url, r.header, r.body)
			}
		}
		if puts != 3 {
			t.Fatalf("%d PUTs, want 3", puts)
		}

		// What the client does not model is sent back as read: the
		// description and the tags survive the PUT.
		sap := readAssetNamed(t, c, s, "Shared/Finance", "SAP login")
		if err := c.Assets().SetCredentialOf(ctx, sap, AssetValueTarget{}, "sap-bot-2", secret.New("Sap-Pass-2")); err != nil {
			t.Fatal(err)
		}
		got := emulatorAsset(t, s, "SAP login")
		if got.Description != "SAP" || len(got.Tags) != 1 || got.Tags[0].Name != "erp" || got.CredentialUsername != "sap-bot-2" ||
			s.AssetPasswordOf("Shared/Finance", "SAP login", "") != "Sap-Pass-2" {
			t.Fatalf("SAP login after = %+v", got)
		}
		// A Secret takes its value in SecretValue.
		if err := c.Assets().SetCredential(ctx, folderOf(t, s, "Shared/Finance"), emulatorAsset(t, s, "API key").ID, AssetValueTarget{}, "", secret.New("Key-2")); err != nil {
			t.Fatal(err)
		}
		if got := s.AssetPasswordOf("Shared/Finance", "API key", ""); got != "Key-2" {
			t.Fatalf("secret = %q", got)
		}
		// The audit says which asset changed.
		logs := s.AuditLogs()
		if last := logs[len(logs)-1]; last.Component != "Assets" || last.Action != "Update" || last.DisplayName != "API key" {
			t.Fatalf("last audit record = %+v", last)
		}
	})
}

// emulatorAsset is the emulator's copy of the asset called name.
func emulatorAsset(t *testing.T, s *emulator.Server, name string) emulator.Asset {
	t.Helper()
	for _, a := range s.Assets() {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no asset %s", name)
	return emulator.Asset{}
}

func TestSetCredentialOfRefusesBeforeSending(t *testing.T) {
	s := startEmulator(t, emulator.Config{SeedData: assetOrg()})
	c := assetClient(t, s, nil)
	ctx := testContext(t)
	per := readAssetNamed(t, c, s, "Shared/Finance/AP", "Per robot")
	sap := readAssetNamed(t, c, s, "Shared/Finance", "SAP login")
	key := readAssetNamed(t, c, s, "Shared/Finance", "API key")
	vault := readAssetNamed(t, c, s, "Shared", "Vault login")
	mode := readAssetNamed(t, c, s, "Shared", "Mode")
	across, err := c.Assets().AcrossFolders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	noDefault := per
	noDefault.HasDefaultValue = false
	const pw = "Never-Sent-7"
	for _, tc := range []struct {
		what     string
		asset    Asset
		target   AssetValueTarget
		user     string
		password string
		want     error
	}{
		{"an empty password", sap, AssetValueTarget{}, "", "", ErrBlankPassword},
		{"a blank password", sap, AssetValueTarget{}, "", "   ", ErrBlankPassword},
		{"a value in an external store", vault, AssetValueTarget{}, "", pw, ErrExternalAssetValue},
		{"a robot without a value", per, AssetValueTarget{RobotID: 9999}, "", pw, ErrNoAssetValue},
		{"a user with values on two machines", per, AssetValueTarget{UserID: per.UserValues[0].UserID}, "", pw, ErrNoAssetValue},
		{"a robot and a user", per, AssetValueTarget{RobotID: 7001, UserID: per.UserValues[0].UserID}, "", pw, ErrNoAssetValue},
		{"a per-robot asset without a default value", noDefault, AssetValueTarget{}, "", pw, ErrNoAssetValue},
		{"a text", mode, AssetValueTarget{}, "", pw, ErrAssetHoldsNoSecret},
		{"a user name for a secret", key, AssetValueTarget{}, "someone", pw, ErrAssetHoldsNoSecret},
		{"an asset read across folders", across[0], AssetValueTarget{}, "", pw, ErrAssetNotInFolder},
	} {
		err := c.Assets().SetCredentialOf(ctx, tc.asset, tc.target, tc.user, secret.New(tc.password))
		if !errors.Is(err, tc.want) || KindOf(err) != KindValidation || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("%s: %v, want %v (validation)", tc.what, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Errorf("%s: the error holds the password", tc.what)
		}
	}
	if n := s.CountFor("PUT", "/odata/Assets({key})"); n != 0 {
		t.Fatalf("%d PUTs were sent", n)
	}

	// The service refuses a password for a value a read-only store
	// holds; its answer never carries the password.
	ark := readAssetNamed(t, c, s, "Shared", "Ark login")
	err = c.Assets().SetCredentialOf(ctx, ark, AssetValueTarget{}, "", secret.New(pw))
	if err == nil || KindOf(err) == KindValidation || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a value of a read-only store: %v", err)
	}
}

// Enums read as integer codes go back as the same codes; fields the
// client does not model go back as read, nulls left out; a password the
// service would send is dropped.
func TestAssetWireKeepsWhatWasRead(t *testing.T) {
	var a Asset
	in := `{"Id":7,"Key":"k","Name":"n","ValueType":5,"ValueScope":1,"CredentialUsername":"u","CredentialPassword":"leak",
		"secretvalue":"leak","HasDefaultValue":true,"Description":null,"AllowDirectApiAccess":false,"Tags":[{"Name":"t"}],
		"RobotValues":[{"RobotId":3,"ValueType":9,"CredentialPassword":"leak","Id":11,"KeyTrail":null}],"FoldersCount":2}`
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if a.ValueType != "Credential" || a.ValueScope != "PerRobot" || a.RobotValues[0].ValueType != UnknownEnumPrefix+"9" {
		t.Fatalf("read %+v", a)
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	rv := m["RobotValues"].([]any)[0].(map[string]any)
	if strings.Contains(string(out), "leak") || m["ValueType"] != float64(5) || m["ValueScope"] != float64(1) || rv["ValueType"] != float64(9) ||
		rv["Id"] != float64(11) || m["AllowDirectApiAccess"] != false || m["FoldersCount"] != float64(2) || m["Tags"] == nil {
		t.Fatalf("wire = %s", out)
	}
	for _, k := range []string{"Description", "KeyTrail", "UserValues"} {
		if strings.Contains(string(out), k) {
			t.Fatalf("wire carries %s: %s", k, out)
		}
	}
	// Robot values' passwords are never sent but the target's.
	if _, ok := rv["CredentialPassword"]; ok {
		t.Fatalf("wire = %s", out)
	}
}
