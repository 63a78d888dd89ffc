package manifest

import (
	"hash/maphash"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// set_credential_asset rows read as the same typed jobs from CSV and
// YAML: the folder path cleaned name by name, the asset name and value_for
// trimmed, the user name as written, the new password a reference.
func TestAssetRowsAreTyped(t *testing.T) {
	csv := "op,folder,asset_name,value_for,credential_username,new_password\n" +
		"set_credential_asset, Shared / Finance ,SAP Login ,,CORP\\sap-svc,generate\n" +
		"set_credential_asset,Shared/Finance, SAP Login, robot-001 ,,generate:32\n" +
		"set_credential_asset,Finance,API Key,ann,'  spaced user,env:NEW_PASSWORD\n"
	yaml := "defaults: {op: set_credential_asset}\nrows:\n" +
		"  - {folder: ' Shared / Finance ', asset_name: 'SAP Login ', credential_username: 'CORP\\sap-svc', new_password: generate}\n" +
		"  - {folder: Shared/Finance, asset_name: ' SAP Login', value_for: ' robot-001 ', new_password: 'generate:32'}\n" +
		"  - {folder: Finance, asset_name: API Key, value_for: ann, credential_username: '  spaced user', new_password: env:NEW_PASSWORD}\n"
	// A CSV cell marked with ' is taken as written; YAML values are
	// trimmed.
	spaced := map[string]string{"m.csv": "  spaced user", "m.yaml": "spaced user"}
	want := []Job{
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "SAP Login"}, Folder: "Shared/Finance",
			CredentialUsername: ptr(`CORP\sap-svc`), NewPassword: &SecretRef{Kind: SecretGenerate}},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "SAP Login"}, Folder: "Shared/Finance", ValueFor: "robot-001",
			NewPassword: &SecretRef{Kind: SecretGenerate, Length: 32}},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "API Key"}, Folder: "Finance", ValueFor: "ann",
			NewPassword: &SecretRef{Kind: SecretEnv, Name: "NEW_PASSWORD"}},
	}
	for name, text := range map[string]string{"m.csv": csv, "m.yaml": yaml} {
		t.Run(name, func(t *testing.T) {
			_, jobs, rowErrs := readAll(t, writeManifest(t, name, text), Options{LookupEnv: testEnv})
			if len(rowErrs) != 0 || len(jobs) != len(want) {
				t.Fatalf("%d jobs, problems %v", len(jobs), rowErrs)
			}
			want := slices.Clone(want)
			want[2].CredentialUsername = ptr(spaced[name])
			for i := range jobs {
				got := jobs[i]
				got.Row, got.Source = 0, Source{}
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got, want[i])
				}
				if got.FolderPath() != want[i].Folder {
					t.Errorf("row %d: FolderPath %q", i+1, got.FolderPath())
				}
			}
		})
	}
}

// The conflict key of an asset row is its folder, its value (the asset's
// own, or one robot's or user's) and its name, each compared
// case-insensitively; the hash is the key's.
func TestAssetConflictKey(t *testing.T) {
	own := Job{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "DB Login"}, Folder: "Finance/AP"}
	robot := Job{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "db login"}, Folder: "FINANCE/ap", ValueFor: "Robot-001"}
	for _, tc := range []struct {
		job Job
		key string
	}{
		{own, "asset:10:finance/ap:asset_name=db login"},
		{robot, "asset:10:finance/ap:9:robot-001:asset_name=db login"},
	} {
		if got := tc.job.ConflictKey(); got != tc.key {
			t.Errorf("%s: key %q, want %q", tc.job.Target, got, tc.key)
		}
		if seed := maphash.MakeSeed(); conflictHash(seed, &tc.job) != maphash.String(seed, tc.key) {
			t.Errorf("%s: the hash is not the key's", tc.job.Target)
		}
	}
	// Lengths keep the folder, the value's name and the asset's name from
	// running together into another row's key.
	keys := map[string]Job{}
	for _, j := range []Job{
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "x"}, Folder: "a", ValueFor: "1:b:"},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "x"}, Folder: "a:1:b", ValueFor: ""},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "x"}, Folder: "a", ValueFor: "b"},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "b:asset_name=x"}, Folder: "a"},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "x"}, Folder: "a:1"},
	} {
		if other, dup := keys[j.ConflictKey()]; dup {
			t.Errorf("%+v and %+v share the key %q", other, j, j.ConflictKey())
		}
		keys[j.ConflictKey()] = j
	}
	if OpSetCredentialAsset.FolderScoped() || OpSetCredentialAsset.Access() || OpSetCredentialAsset.Deletes() || !OpSetCredentialAsset.NeedsFolder() ||
		!OpSetFolderAccess.NeedsFolder() || OpEnsureFolder.NeedsFolder() || OpSetTenantRoles.NeedsFolder() {
		t.Error("FolderScoped, Access, Deletes or NeedsFolder is wrong")
	}
}

// Columns written differently find their names: a common other name, or
// the column without its separators.
func TestAssetColumnSuggestions(t *testing.T) {
	for name, col := range map[string]string{"Asset": ColAssetName, "AssetName": ColAssetName, "per_robot": ColValueFor,
		"ValueFor": ColValueFor, "credential_user": ColCredentialUsername, "CredentialUserName": ColCredentialUsername} {
		if got := suggestColumn(normalizeColumn(name)); got != col {
			t.Errorf("suggestColumn(%q) = %q, want %q", name, got, col)
		}
	}
	if !strings.Contains(opList(), "set_credential_asset") {
		t.Errorf("ops %s", opList())
	}
}
