package runner

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/session"
)

func storeID(n int64) *int64 { return &n }

// vaultSeed is a tenant whose assets hold secrets every way batch meets:
// global credentials and secrets, a per-robot asset with its own value, a
// robot's and a user's, values in a writable store, an external one and a
// read-only one, a user's values on two machines, and assets of other
// types; beside them local and directory users, robot accounts and
// unattended robots of several credential types and stores.
func vaultSeed() *emulator.SeedFile {
	return &emulator.SeedFile{
		Users: []emulator.SeedUser{
			{UserName: "jdoe", Email: "jdoe@example.com", Password: "Jdoe-Pass-1"},
			{UserName: "ann", Email: "ann@example.com"},
			{UserName: "dana", Email: "dana@corp.example.com", Type: "directoryUser"},
		},
		RobotAccounts: []emulator.SeedRobot{{Name: "robot-night"}},
		CredentialStores: []emulator.SeedCredentialStore{
			{ID: 3, Name: "CyberArk", Type: "CyberArk", ReadOnly: true},
			{ID: 4, Name: "Key Vault", Type: "AzureKeyVault"},
		},
		OrchestratorUsers: []emulator.SeedOrchestrator{
			{ID: 2001, UserName: "robot-night", Type: "Robot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-night`, Password: "Night-Pass-1", CredentialType: "Default"}},
			{ID: 2002, UserName: "robot-vault", Type: "Robot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-vault`, CredentialStoreID: storeID(3), CredentialExternalName: "svc-vault"}},
			{ID: 2003, UserName: "robot-card", Type: "Robot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-card`, CredentialType: "SmartCard"}},
			{ID: 2004, UserName: "robot-kv", Type: "Robot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-kv`, Password: "Kv-Pass-1", CredentialStoreID: storeID(4)}},
			{ID: 2005, UserName: "jdoe", Type: "DirectoryUser"},
		},
		Folders: []emulator.SeedFolder{{Path: "Shared/Finance/AP"}, {Path: "Operations"}},
		Assets: []emulator.SeedAsset{
			{Folder: "Shared/Finance", Name: "SAP login", CredentialUsername: "sap-bot", Password: "Sap-Pass-1"},
			{Folder: "Shared/Finance", Name: "API key", ValueType: "Secret", Password: "Key-123"},
			{Folder: "Shared/Finance", Name: "Per robot", CredentialUsername: "d", Password: "Default-1",
				RobotValues: []emulator.SeedAssetValue{{Robot: "robot-night", CredentialUsername: "n", Password: "Night-1"}},
				UserValues:  []emulator.SeedAssetValue{{User: "jdoe", Machine: "PC-01", CredentialUsername: "j", Password: "Jdoe-1"}}},
			{Folder: "Shared/Finance", Name: "Two machines", ValueType: "WindowsCredential",
				UserValues: []emulator.SeedAssetValue{{User: "jdoe", Machine: "PC-01", CredentialUsername: "j", Password: "Pc1-Pass"},
					{User: "jdoe", Machine: "PC-02", CredentialUsername: "j", Password: "Pc2-Pass"}}},
			{Folder: "Shared/Finance/AP", Name: "KV login", CredentialUsername: "kv", Password: "Kv-Asset-1", CredentialStoreID: storeID(4)},
			{Folder: "Shared", Name: "Vault login", CredentialUsername: "v", CredentialStoreID: storeID(3), ExternalName: "vault/v"},
			{Folder: "Shared", Name: "Read-only login", CredentialUsername: "r", CredentialStoreID: storeID(3)},
			{Folder: "Shared", Name: "Mode", ValueType: "Text", Value: "batch"},
			{Folder: "Operations", Name: "Warehouse DB", ValueType: "DBConnectionString", Value: "Server=db;User Id=wh;Password=Wh-1"},
		},
	}
}

// export assets writes exactly one set_credential_asset row per secret
// value Orchestrator can set, folder by folder, with generate and the
// user name kept; the file validates; values in an external or read-only
// store and a user's values on two machines are left out and counted;
// applied, it changes exactly those values' passwords and no other.
func TestExportAssetsWritesARotationThatApplies(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{SeedData: vaultSeed()}, export.Assets)
	res, err := Export(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"op,folder,asset_name,value_for,credential_username,new_password",
		"set_credential_asset,Shared/Finance,API key,,,generate",
		"set_credential_asset,Shared/Finance,Per robot,,,generate",
		"set_credential_asset,Shared/Finance,Per robot,robot-night,,generate",
		"set_credential_asset,Shared/Finance,Per robot,jdoe,,generate",
		"set_credential_asset,Shared/Finance,SAP login,,,generate",
		"set_credential_asset,Shared/Finance/AP,KV login,,,generate",
	}, "\n") + "\n"
	if string(data) != want {
		t.Errorf("the export:\n%s\nwant:\n%s", data, want)
	}
	if res.Rows != 6 || res.LeftOut != 4 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "left out 4 credential and secret values") ||
		!strings.Contains(res.Notes[0], "1 in an external credential store") || !strings.Contains(res.Notes[0], "1 in a read-only credential store") ||
		!strings.Contains(res.Notes[0], "2 of a robot or user named by more than one value") {
		t.Errorf("result %+v", res)
	}
	var problems []manifest.Problem
	rows, err := manifest.Validate(t.Context(), cfg.Output, manifest.Options{}, func(p manifest.Problem) { problems = append(problems, p) })
	if err != nil || rows != 6 || len(problems) != 0 {
		t.Fatalf("validate: %d rows, %v, problems %v", rows, err, problems)
	}
	// Orchestrator: the folders, each folder's assets (one page each),
	// the credential stores once.
	if folders := len(emu.Folders()); res.Gets != folders+2 {
		t.Errorf("%d GETs, want %d: the folders, %d folders' assets, the stores", res.Gets, folders+2, folders)
	}

	type value struct{ folder, asset, valueFor string }
	rotated := []value{{"Shared/Finance", "API key", ""}, {"Shared/Finance", "Per robot", ""}, {"Shared/Finance", "Per robot", "robot-night"},
		{"Shared/Finance", "Per robot", "jdoe"}, {"Shared/Finance", "SAP login", ""}, {"Shared/Finance/AP", "KV login", ""}}
	kept := []value{{"Shared/Finance", "Two machines", "jdoe"}}
	before := map[value]string{}
	for _, v := range append(rotated, kept...) {
		before[v] = emu.AssetPasswordOf(v.folder, v.asset, v.valueFor)
		if before[v] == "" {
			t.Fatalf("%+v holds no password in the emulator", v)
		}
	}
	census, err := Check(t.Context(), cfg.Output, manifest.Options{}, &bytes.Buffer{}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	run, err := runfolder.Open(runfolder.Options{ReportDir: filepath.Join(t.TempDir(), "reports"), ID: "assets", Command: Apply.String(),
		Writes: true, Manifest: cfg.Output})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	secretsPath := filepath.Join(t.TempDir(), "secrets.csv")
	secrets, err := OpenSecretsOut(secretsPath, nil, census, "assets")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = secrets.Close() })
	applied, err := Execute(t.Context(), Config{Command: Apply, Path: cfg.Output, Census: census, Run: run, Settings: cfg.Settings,
		Secrets: secrets, SecretsPath: secretsPath,
		Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 2, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if applied.Summary.ByStatus[report.StatusSucceeded] != 6 || applied.Summary.ByStatus[report.StatusFailed] != 0 {
		t.Errorf("apply: %+v", applied.Summary)
	}
	for _, v := range rotated {
		if now := emu.AssetPasswordOf(v.folder, v.asset, v.valueFor); now == before[v] || now == "" {
			t.Errorf("%+v: the password did not change", v)
		}
	}
	for _, v := range kept {
		if emu.AssetPasswordOf(v.folder, v.asset, v.valueFor) != before[v] {
			t.Errorf("%+v: a value left out changed", v)
		}
	}
}

// --folder and --name narrow the rows; a folder the glob leaves out is
// not read.
func TestExportAssetsNarrowedByGlobs(t *testing.T) {
	for _, tc := range []struct {
		f    export.Filter
		want []string
	}{
		{export.Filter{Folder: "shared/finance/**", Name: "p*"}, []string{"Per robot:", "Per robot:robot-night", "Per robot:jdoe"}},
		{export.Filter{Folder: "*/*/ap"}, []string{"KV login:"}},
		{export.Filter{Folder: "**", Name: "*LOGIN"}, []string{"SAP login:", "KV login:"}},
		{export.Filter{Folder: "Operations"}, nil},
	} {
		emu, cfg := exportSetup(t, emulator.Config{SeedData: vaultSeed()}, export.Assets)
		cfg.Rotation = &export.Rotation{Filter: tc.f}
		res, err := Export(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range readCSV(t, cfg.Output)[1:] {
			got = append(got, row[2]+":"+row[3])
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || res.Rows != len(tc.want) {
			t.Errorf("%+v: rows %q, want %q", tc.f, got, tc.want)
		}
		read := 0
		for _, r := range emu.Requests() {
			if strings.Contains(r.Path, "odata/Assets") {
				read++
			}
		}
		if kept := countMatching(emu.Folders(), tc.f); read != kept {
			t.Errorf("%+v: %d reads of assets, want one per folder kept (%d)", tc.f, read, kept)
		}
	}
}

func countMatching(folders []emulator.Folder, f export.Filter) int {
	n := 0
	for _, fo := range folders {
		if f.MatchesFolder(fo.FullyQualifiedName) {
			n++
		}
	}
	return n
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// The inventory's counts are the emulator's: its local and directory
// users, robot accounts, unattended robots (those batch rotates: a
// password Orchestrator holds in a writable store) and credential and
// secret asset values (the same, less a user's values on two machines).
func TestExportInventoryCountsTheOrganization(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 5, Robots: 3, SeedData: vaultSeed()}, export.Inventory)
	res, err := Export(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	records := readCSV(t, cfg.Output)
	if strings.Join(records[0], ",") != "kind,where,name,detail,store,rotated_by_batch,command,count" || res.Rows != len(records)-1 {
		t.Fatalf("header %q, %d rows for %d records", records[0], res.Rows, len(records)-1)
	}
	total, yes := map[string]int{}, map[string]int{}
	for _, r := range records[1:] {
		n, err := strconv.Atoi(r[7])
		if err != nil {
			t.Fatalf("count %q: %v", r[7], err)
		}
		total[r[0]] += n
		if r[5] == export.RotatedYes {
			yes[r[0]] += n
			if r[6] == "" {
				t.Errorf("%q: rotated by batch, yet no command", r)
			}
		}
	}
	want, wantYes := map[string]int{}, map[string]int{}
	for _, u := range emu.Users() {
		switch u.Type {
		case "user":
			want[export.HolderLocalUsers]++
			wantYes[export.HolderLocalUsers]++
		case "directoryUser":
			want[export.HolderDirectoryUsers]++
		}
	}
	want[export.HolderRobotAccounts] = len(emu.RobotAccounts())
	readOnly := map[int64]bool{}
	for _, s := range emu.CredentialStores() {
		readOnly[s.ID] = s.ReadOnly
	}
	settable := func(store *int64, external string) bool {
		return external == "" && (store == nil || !readOnly[*store])
	}
	for _, o := range emu.OrchestratorUsers() {
		if ur := o.UnattendedRobot; ur != nil {
			want[export.HolderRobotCredentials]++
			if (ur.CredentialType == "" || ur.CredentialType == "Default") && settable(ur.CredentialStoreID, ur.CredentialExternalName) {
				wantYes[export.HolderRobotCredentials]++
			}
		}
	}
	for _, a := range emu.Assets() {
		switch a.ValueType {
		case "Credential", "WindowsCredential", "Secret":
		case "DBConnectionString", "HttpConnectionString":
			want[export.HolderConnections]++
			continue
		default:
			continue
		}
		if a.HasDefaultValue {
			want[export.HolderAssets]++
			if settable(a.CredentialStoreID, a.ExternalName) {
				wantYes[export.HolderAssets]++
			}
		}
		for _, v := range a.RobotValues {
			want[export.HolderAssets]++
			if settable(v.CredentialStoreID, v.ExternalName) {
				wantYes[export.HolderAssets]++
			}
		}
		users := map[string]int{}
		for _, v := range a.UserValues {
			users[strings.ToLower(v.UserName)]++
		}
		for _, v := range a.UserValues {
			want[export.HolderAssets]++
			if settable(v.CredentialStoreID, v.ExternalName) && users[strings.ToLower(v.UserName)] == 1 {
				wantYes[export.HolderAssets]++
			}
		}
	}
	for _, kind := range []string{export.HolderLocalUsers, export.HolderDirectoryUsers, export.HolderRobotAccounts,
		export.HolderRobotCredentials, export.HolderAssets, export.HolderConnections} {
		if total[kind] != want[kind] || yes[kind] != wantYes[kind] {
			t.Errorf("%s: %d counted (%d rotated by batch), the emulator holds %d (%d)", kind, total[kind], yes[kind], want[kind], wantYes[kind])
		}
	}
	if want[export.HolderLocalUsers] < 5 || want[export.HolderAssets] < 8 || want[export.HolderDirectoryUsers] != 1 ||
		want[export.HolderRobotCredentials]-wantYes[export.HolderRobotCredentials] != 2 || want[export.HolderAssets]-wantYes[export.HolderAssets] != 4 {
		t.Errorf("the seed did not give the organization what the test counts: %v %v", want, wantYes)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "batch rotates") {
		t.Errorf("notes %q", res.Notes)
	}
	for _, r := range records {
		for _, cell := range r {
			for _, pw := range []string{"Jdoe-Pass-1", "Night-Pass-1", "Sap-Pass-1", "Key-123", "Wh-1"} {
				if strings.Contains(cell, pw) {
					t.Errorf("the inventory holds a password: %q", r)
				}
			}
		}
	}
}

// The inventory is CSV: asked for YAML, the export says so before it
// signs in.
func TestExportInventoryIsCSV(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 1}, export.Inventory)
	cfg.Format = manifest.YAML
	if _, err := Export(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "writes CSV") {
		t.Errorf("err %v", err)
	}
	if n := emu.TokenRequests(); n != 0 {
		t.Errorf("%d token requests", n)
	}
}
