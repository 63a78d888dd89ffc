package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// vault is an AssetReader in memory that counts its reads.
type vault struct {
	tenant
	assets map[int64][]client.Asset
	stores []client.CredentialStore
}

func (v *vault) Assets(_ context.Context, folderID int64) ([]client.Asset, error) {
	return v.assets[folderID], v.read(fmt.Sprint("assets ", folderID))
}

func (v *vault) CredentialStores(context.Context) ([]client.CredentialStore, error) {
	return v.stores, v.read("stores")
}

// assetLine is an asset row as a person reads it.
func assetLine(j manifest.Job) string {
	s := fmt.Sprintf("%s %s/%s", j.Op, j.Folder, j.Target.Value)
	if j.ValueFor != "" {
		s += " for " + j.ValueFor
	}
	if j.CredentialUsername != nil {
		s += " as " + *j.CredentialUsername
	}
	if j.NewPassword != nil {
		s += " " + j.NewPassword.String()
	}
	return s
}

func robotValue(name string, store *int64, external string) client.AssetRobotValue {
	return client.AssetRobotValue{RobotName: name, CredentialStoreID: store, ExternalName: external}
}

// sampleVault is a tenant with assets of every kind batch meets: global
// and per-robot credentials and secrets, values in Orchestrator, in a
// writable store, in an external one and in a read-only one, assets of
// other types, one linked into two folders, a user with values on two
// machines.
func sampleVault() *vault {
	shared := client.Asset{ID: 9, Name: "Shared Login", ValueType: "Credential", ValueScope: "Global"}
	return &vault{
		tenant: tenant{folders: []client.Folder{
			folder(3, id(1), "Finance/AP"), folder(1, nil, "Finance"), folder(2, nil, "Operations"),
		}},
		stores: []client.CredentialStore{{ID: 1, Name: "Orchestrator Database", Type: "Database"},
			{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true}, {ID: 4, Name: "Key Vault", Type: "AzureKeyVault"}},
		assets: map[int64][]client.Asset{
			1: {
				{ID: 1, Name: "SAP Login", ValueType: "Credential", ValueScope: "Global", CredentialUsername: "svc-sap"},
				{ID: 2, Name: "API Token", ValueType: "Secret", ValueScope: "Global", CredentialStoreID: id(4)},
				{ID: 3, Name: "Vault Login", ValueType: "Credential", ValueScope: "Global", CredentialStoreID: id(4), ExternalName: "sap/vault"},
				{ID: 4, Name: "Mail Server", ValueType: "Text", ValueScope: "Global"},
				shared,
			},
			2: {
				{ID: 5, Name: "Desktop Login", ValueType: "WindowsCredential", ValueScope: "PerRobot", HasDefaultValue: false,
					RobotValues: []client.AssetRobotValue{robotValue("robot-b", nil, ""), robotValue("robot-a", id(1), ""), robotValue("robot-c", id(3), "")},
					UserValues:  []client.AssetUserValue{{UserName: "jdoe"}, {UserName: "ann", MachineID: id(1)}, {UserName: "ann", MachineID: id(2)}}},
				{ID: 6, Name: "Warehouse DB", ValueType: "DBConnectionString", ValueScope: "Global"},
				{ID: 7, Name: "Badge", ValueType: "code:42", ValueScope: "Global"},
			},
			3: {
				{ID: 8, Name: "Bank Key", ValueType: "Secret", ValueScope: "PerRobot", HasDefaultValue: true,
					RobotValues: []client.AssetRobotValue{robotValue("robot-a", id(3), "bank/robot-a")}},
				shared,
			},
		},
	}
}

// One row per secret value Orchestrator can set, folder by folder
// (parents first), asset by asset: the asset's own value when it has
// one, then the robots' and the users' by name, new_password generate,
// the user name kept. External and read-only stores, a user's values on
// several machines and assets of types this version does not know are
// counted; other types are not rows; a linked asset is written once. The
// stores are read once, the folders once, each folder's assets once.
func TestAssetRowsWriteEverySecretValueOrchestratorHolds(t *testing.T) {
	v := sampleVault()
	var sink rows
	rot := &Rotation{}
	n, notes, err := AssetRows(t.Context(), v, &sink, rot)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range sink.jobs {
		got = append(got, assetLine(j))
	}
	want := []string{
		"set_credential_asset Finance/API Token generate",
		"set_credential_asset Finance/SAP Login generate",
		"set_credential_asset Finance/Shared Login generate",
		"set_credential_asset Finance/AP/Bank Key generate",
		"set_credential_asset Operations/Desktop Login for robot-a generate",
		"set_credential_asset Operations/Desktop Login for robot-b generate",
		"set_credential_asset Operations/Desktop Login for jdoe generate",
	}
	if n != len(want) || !slices.Equal(got, want) {
		t.Errorf("%d rows:\n%s\nwant:\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, j := range sink.jobs {
		if j.Row != i+1 {
			t.Errorf("row %d numbered %d", i+1, j.Row)
		}
	}
	wantSkipped := map[string]int{skipExternal: 2, skipReadOnly: 1, skipTwice: 2}
	if rot.Skipped != 5 || fmt.Sprint(rot.SkippedBy) != fmt.Sprint(wantSkipped) {
		t.Errorf("skipped %d %v, want 5 %v", rot.Skipped, rot.SkippedBy, wantSkipped)
	}
	if msg := rot.LeftOut(Assets); !strings.Contains(msg, "left out 5 credential and secret values") || !strings.Contains(msg, "2 in an external credential store") ||
		!strings.Contains(msg, "1 in a read-only credential store") {
		t.Errorf("left out: %q", msg)
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "left out 1 assets of type code 42") || !strings.Contains(notes[1], "1 assets are linked into more than one folder") {
		t.Errorf("notes %q", notes)
	}
	wantReads := map[string]int{"folders": 1, "assets 1": 1, "assets 2": 1, "assets 3": 1, "stores": 1}
	if fmt.Sprint(v.reads) != fmt.Sprint(wantReads) {
		t.Errorf("reads %v, want %v", v.reads, wantReads)
	}
	var buf strings.Builder
	w, err := manifest.NewWriter(&buf, manifest.CSV, AssetColumns)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range sink.jobs {
		if err := w.Write(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "assets.csv")
	if err := os.WriteFile(path, []byte(buf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var problems []manifest.Problem
	valid, err := manifest.Validate(t.Context(), path, manifest.Options{}, func(p manifest.Problem) { problems = append(problems, p) })
	if err != nil || valid != n || len(problems) != 0 {
		t.Errorf("%d rows valid, %v, problems %v:\n%s", valid, err, problems, buf.String())
	}
	if lines := strings.Split(buf.String(), "\n"); lines[0] != "op,folder,asset_name,value_for,credential_username,new_password" ||
		lines[5] != "set_credential_asset,Operations,Desktop Login,robot-a,,generate" {
		t.Errorf("the manifest:\n%s", buf.String())
	}
}

// --folder reads only the folders it keeps; --name narrows the assets.
func TestAssetRowsNarrowedByFolderAndName(t *testing.T) {
	for _, tc := range []struct {
		f     Filter
		want  []string
		reads []string
	}{
		{Filter{Folder: "finance/**"}, []string{"Finance/API Token", "Finance/SAP Login", "Finance/Shared Login", "Finance/AP/Bank Key"},
			[]string{"assets 1", "assets 3"}},
		{Filter{Folder: "*/ap"}, []string{"Finance/AP/Bank Key", "Finance/AP/Shared Login"}, []string{"assets 3"}},
		{Filter{Name: "*login"}, []string{"Finance/SAP Login", "Finance/Shared Login", "Operations/Desktop Login", "Operations/Desktop Login", "Operations/Desktop Login"},
			[]string{"assets 1", "assets 2", "assets 3"}},
		{Filter{Folder: "Finance", Name: "s*"}, []string{"Finance/SAP Login", "Finance/Shared Login"}, []string{"assets 1"}},
		{Filter{Folder: "Nowhere"}, nil, nil},
	} {
		v := sampleVault()
		var sink rows
		if _, _, err := AssetRows(t.Context(), v, &sink, &Rotation{Filter: tc.f}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, j := range sink.jobs {
			got = append(got, j.Folder+"/"+j.Target.Value)
		}
		var reads []string
		for what := range v.reads {
			if strings.HasPrefix(what, "assets ") {
				reads = append(reads, what)
			}
		}
		slices.Sort(reads)
		if !slices.Equal(got, tc.want) || !slices.Equal(reads, tc.reads) {
			t.Errorf("%+v: rows %q (want %q), reads %q (want %q)", tc.f, got, tc.want, reads, tc.reads)
		}
	}
}

// A failed read stops the export, naming what was read and, for a
// refusal, the scope; the stores are not read when no value names one.
func TestAssetReadFailures(t *testing.T) {
	for _, tc := range []struct {
		failOn, want string
	}{
		{"folders", "read the folders"},
		{"assets 2", "read the assets of folder Operations"},
		{"stores", "read the credential stores"},
	} {
		v := sampleVault()
		v.failOn = tc.failOn
		_, _, err := AssetRows(t.Context(), v, &rows{}, &Rotation{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.failOn, err, tc.want)
		}
	}
	v := sampleVault()
	v.failOn, v.failErr = "assets 1", &client.Error{StatusCode: 403}
	if _, _, err := AssetRows(t.Context(), v, &rows{}, &Rotation{}); err == nil || !strings.Contains(err.Error(), "OR.Assets.Read") {
		t.Errorf("refused: %v", err)
	}
	v = &vault{tenant: tenant{folders: []client.Folder{folder(1, nil, "Finance")}},
		assets: map[int64][]client.Asset{1: {{ID: 1, Name: "SAP Login", ValueType: "Credential", ValueScope: "Global"}}}}
	v.failOn = "stores"
	if n, _, err := AssetRows(t.Context(), v, &rows{}, &Rotation{}); err != nil || n != 1 || v.reads["stores"] != 0 {
		t.Errorf("no store named: %d rows, %v, %d store reads", n, err, v.reads["stores"])
	}
}
