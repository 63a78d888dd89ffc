package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/session"
)

// exportSetup starts an emulator of cfg and returns an export of kinds to
// a file in a folder of its own.
func exportSetup(t *testing.T, cfg emulator.Config, kinds ...export.Kind) (*emulator.Server, ExportConfig) {
	t.Helper()
	emu, settings := emulatortest.Start(t, cfg)
	return emu, ExportConfig{Kinds: kinds, Format: manifest.CSV, Output: filepath.Join(t.TempDir(), "org.csv"), Settings: settings,
		Session: session.Options{Limits: "none", MaxAttempts: 1}, Log: zerolog.Nop()}
}

// Several kinds go into one manifest, with one read of the groups and
// one page of each list; what cannot be named portably is counted and
// said; the file appears under its name whole.
func TestExportWritesSeveralKindsIntoOneFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{"users": [{"userName": "no-email"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	emu, cfg := exportSetup(t, emulator.Config{Users: 3, Robots: 2, SeedFile: seed}, export.Groups, export.Users, export.RobotAccounts)
	res, err := Export(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 6 || res.LeftOut != 1 || res.Gets != 3 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "left out 1 users without an email") {
		t.Errorf("result %+v", res)
	}
	if got := emu.Counts()["GET"]; got != 3 {
		t.Errorf("%d GETs, want 3: the groups, one page of users, one of robot accounts", got)
	}
	data, err := os.ReadFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	slices.Sort(lines[2:min(5, len(lines))]) // the users, in the list's order (by id)
	want := []string{"op,email,username,robot_name,group_name,name,surname,display_name,is_active,bypass_basic_auth_restriction,groups", "ensure_group,,,,Finance,,,,,,"}
	if len(lines) != 7 || !slices.Equal(lines[:2], want) || !strings.HasPrefix(lines[2], "ensure_user,user00001@example.com,user00001,,,") ||
		!strings.HasPrefix(lines[6], "ensure_robot_account,,,robot-002,,,,Robot 002,,") {
		t.Errorf("the export:\n%s", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(cfg.Output)); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the export alone", len(entries))
	}
}

// Without the groups' names the file would not be portable: a failed
// group read stops the export before any account is read, and leaves no
// file.
func TestExportStopsWithoutTheGroupNames(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 3, FaultRate: 1, FaultStatuses: []int{503}}, export.Users)
	_, err := Export(t.Context(), cfg)
	var stop *StopError
	if !errors.As(err, &stop) || !strings.Contains(err.Error(), "read the organization's groups") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("err %v, want a stop naming the group read", err)
	}
	if got := emu.Counts()["GET"]; got != 1 {
		t.Errorf("%d GETs, want the group read alone", got)
	}
	if _, err := os.Stat(cfg.Output); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s (%v)", cfg.Output, err)
	}
}

// A rotation writes no groups: it does not read them (one GET: the page
// of users).
func TestRotationExportReadsNoGroups(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 3}, export.Users)
	cfg.Rotation, cfg.Output, cfg.Out = &export.Rotation{}, "", &bytes.Buffer{}
	res, err := Export(t.Context(), cfg)
	if err != nil || res.Rows != 3 || res.Gets != 1 || emu.Counts()["GET"] != 1 {
		t.Errorf("%+v, %v; %d GETs", res, err, emu.Counts()["GET"])
	}
}

// jobs is a sink in memory.
type jobs []manifest.Job

func (j *jobs) Write(job manifest.Job) error { *j = append(*j, job); return nil }

// The rows of several kinds are numbered on through the one manifest.
func TestExportKindsNumberRowsThroughTheManifest(t *testing.T) {
	_, cfg := exportSetup(t, emulator.Config{Users: 2, Robots: 1})
	c, err := client.New(t.Context(), cfg.Settings, client.WithOperations(client.OpListUsers, client.OpListRobotAccounts, client.OpListGroups))
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.Groups.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var sink jobs
	var res ExportResult
	if err := exportKinds(t.Context(), readers{apply.NewClientAdapter(c), export.ClientAccess(c)}, export.Kinds{export.Groups, export.Users, export.RobotAccounts}, &sink, groups, &res); err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || len(sink) != 4 {
		t.Fatalf("%+v, %d rows", res, len(sink))
	}
	for i, j := range sink {
		if j.Row != i+1 {
			t.Errorf("row %d (%s %s) is numbered %d", i+1, j.Op, j.Target, j.Row)
		}
	}
}

// accessSeed is an organization with Orchestrator access: a three-level
// folder tree and two more folders; users (ann with an email, cy without
// one, dee assigned without a role, bo inactive), a robot account, the
// two generated robots (Orchestrator users of type Robot) and a group
// holding roles, built-in and custom, in several folders; ann's roles in
// Shared reach its subfolders by inheritance; tenant roles; an external
// application holding a role; two unattended robots besides the
// generated ones.
func accessSeed() *emulator.SeedFile {
	return &emulator.SeedFile{
		Groups: []emulator.SeedGroup{{Name: "Sales"}},
		Users: []emulator.SeedUser{
			{UserName: "ann", Email: "ann@example.com", Name: "Ann"},
			{UserName: "bo", Email: "bo@example.com", Name: "Bo", IsActive: new(bool)},
			{UserName: "cy", Name: "Cy"},
			{UserName: "dee", Email: "dee@example.com", Name: "Dee"},
		},
		RobotAccounts: []emulator.SeedRobot{{Name: "robot-night", DisplayName: "Night robot"}},
		OrchestratorUsers: []emulator.SeedOrchestrator{
			{ID: 2001, UserName: "robot-night", Type: "DirectoryRobot", UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\svc-night`,
				Password: "Night-Pass-1", CredentialType: "Default", ExecutionSettings: map[string]any{"TracingLevel": "Verbose"}, LimitConcurrentExecution: true}},
			{ID: 2002, UserName: "ann", Type: "DirectoryUser", EmailAddress: "ann@example.com",
				UnattendedRobot: &emulator.SeedUnattended{UserName: `CORP\ann`, CredentialType: "SmartCard"}},
			{ID: 2003, UserName: "ext-app", Type: "DirectoryExternalApplication"},
		},
		Roles:   []emulator.SeedRole{{Name: "Finance Clerk", Type: "Folder"}, {Name: "Auditor", Type: "Tenant"}},
		Folders: []emulator.SeedFolder{{Path: "Shared/Finance/AP"}, {Path: "Operations"}, {Path: "Shared/HR"}},
		FolderAssignments: []emulator.SeedAssignment{
			{Account: "ann", Folder: "Shared", Roles: []string{"Folder Administrator"}},
			{Account: "Administrators", Type: "DirectoryGroup", Folder: "Shared", Roles: []string{"Folder Administrator"}},
			{Account: "Sales", Type: "DirectoryGroup", Folder: "Shared/Finance", Roles: []string{"Automation User"}},
			{Account: "ann", Folder: "Shared/Finance/AP", Roles: []string{"Finance Clerk", "Automation User"}},
			{Account: "robot-001", Folder: "Shared/Finance/AP", Roles: []string{"Automation User"}},
			{Account: "robot-night", Folder: "Operations", Roles: []string{"Automation User"}},
			{Account: "ext-app", Folder: "Operations", Roles: []string{"Automation User"}},
			{Account: "cy", Folder: "Shared/HR", Roles: []string{"Automation Developer"}},
			{Account: "dee", Folder: "Shared/HR", Roles: []string{}},
		},
		TenantRoles: []emulator.SeedTenantRoles{
			{Account: "ann", Roles: []string{"Auditor", "Allow to be Automation User"}},
			{Account: "Sales", Type: "DirectoryGroup", Roles: []string{"Allow to be Automation User"}},
		},
	}
}

// describe is a row as the tests compare it: the op, its target, and the
// cells it sets.
func describe(j *manifest.Job) string {
	s := string(j.Op) + " " + j.Target.String()
	if j.Folder != "" {
		s += " in " + j.Folder
	}
	if j.Roles != nil {
		s += ": " + strings.Join(j.Roles, ";")
	}
	if j.IsActive != nil {
		s += fmt.Sprintf(" is_active=%v", *j.IsActive)
	}
	if j.Op == manifest.OpUpdateUnattendedRobot {
		str := func(p *string) string {
			if p == nil {
				return "-"
			}
			return *p
		}
		s += fmt.Sprintf(": %s %s %s %v", str(j.RobotUsername), str(j.CredentialType), j.ExecutionSettings, *j.LimitConcurrentExecution)
	}
	return s
}

// exportedRows validates the manifest at path (no problem allowed) and
// describes its rows.
func exportedRows(t *testing.T, path string) []string {
	t.Helper()
	var got []string
	_, err := manifest.ValidateEach(t.Context(), path, manifest.Options{}, func(p manifest.Problem) {
		t.Errorf("the export does not validate: %s", p)
	}, func(j *manifest.Job) { got = append(got, describe(j)) })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// wantAccessRows are the access rows of accessSeed's organization, in
// order: folders parents first, each folder's assignments (by target),
// tenant roles, unattended robots.
var wantAccessRows = []string{
	"ensure_folder folder=Operations",
	"ensure_folder folder=Shared",
	"ensure_folder folder=Shared/Finance",
	"ensure_folder folder=Shared/Finance/AP",
	"ensure_folder folder=Shared/HR",
	"set_folder_access robot_name=robot-night in Operations: Automation User",
	"set_folder_access email=ann@example.com in Shared: Folder Administrator",
	"set_folder_access group_name=Administrators in Shared: Folder Administrator",
	"set_folder_access group_name=Sales in Shared/Finance: Automation User",
	"set_folder_access email=ann@example.com in Shared/Finance/AP: Automation User;Finance Clerk",
	"set_folder_access robot_name=robot-001 in Shared/Finance/AP: Automation User",
	"set_folder_access username=cy in Shared/HR: Automation Developer",
	"set_tenant_roles email=ann@example.com: Allow to be Automation User;Auditor",
	"set_tenant_roles robot_name=robot-001: Robot",
	"set_tenant_roles robot_name=robot-002: Robot",
	"set_tenant_roles group_name=Sales: Allow to be Automation User",
	`update_unattended_robot username=ann: CORP\ann SmartCard  false`,
	`update_unattended_robot robot_name=robot-001: CORP\svc-robot-001 Default {"LoggingLevel":"Information"} false`,
	`update_unattended_robot robot_name=robot-002: CORP\svc-robot-002 Default {"LoggingLevel":"Information"} false`,
	`update_unattended_robot robot_name=robot-night: CORP\svc-night Default {"TracingLevel":"Verbose"} true`,
}

// export groups users robot-accounts access writes a whole organization
// into one manifest that validates: the accounts (an inactive user with
// is_active false), then the folder tree parents first, each folder's own
// assignments by account name, path and role name (inherited access and
// what no manifest can name left out, and said), tenant roles and
// unattended settings without a password. It reads each list once and
// each folder's assignments once.
func TestExportAccessWritesTheTenantsAccess(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Robots: 2, SeedData: accessSeed()}, export.Groups, export.Users, export.RobotAccounts, export.Access)
	res, err := Export(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := exportedRows(t, cfg.Output)
	want := append([]string{
		"ensure_group group_name=Finance", "ensure_group group_name=Sales",
		"ensure_user email=ann@example.com", "ensure_user email=bo@example.com is_active=false", "ensure_user email=dee@example.com",
		"ensure_robot_account robot_name=robot-001", "ensure_robot_account robot_name=robot-002", "ensure_robot_account robot_name=robot-night",
	}, wantAccessRows...)
	if !slices.Equal(got, want) {
		t.Errorf("the export's rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	made := map[string]bool{}
	for _, row := range got {
		if path, ok := strings.CutPrefix(row, "ensure_folder folder="); ok {
			if parent := manifest.FolderParent(path); parent != "" && !made[parent] {
				t.Errorf("folder %s comes before its parent", path)
			}
			made[path] = true
		}
		if _, rest, ok := strings.Cut(row, " in "); ok && strings.HasPrefix(row, "set_folder_access") {
			if path, _, _ := strings.Cut(rest, ":"); !made[path] {
				t.Errorf("%q comes before its folder's ensure_folder row", row)
			}
		}
	}
	data, err := os.ReadFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Night-Pass-1", emulator.InitialRobotPassword(1), "new_password", "ext-app"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the export holds %q", secret)
		}
	}
	notes := strings.Join(res.Notes, "\n")
	for _, w := range []string{
		"left out 1 users without an email",
		"left out 1 folder assignments that hold no role of their own",
		"left out 1 access rows of DirectoryExternalApplication accounts",
		"the rows name 6 roles that are not Orchestrator's static ones (Allow to be Automation User, Auditor, Automation Developer, Automation User, Finance Clerk, Folder Administrator)",
		"wrote the settings of 4 unattended robots, never their passwords",
	} {
		if !strings.Contains(notes, w) {
			t.Errorf("the notes lack %q:\n%s", w, notes)
		}
	}
	if res.Rows != len(want) || res.LeftOut != 3 {
		t.Errorf("result %+v", res)
	}
	// Identity: the groups, one page of users, one of robot accounts.
	// Orchestrator: one page of folders, one of roles, one of users, and
	// one read of each folder's own assignments.
	folders := len(emu.Folders())
	if bound := 3 + 1 + 1 + 1 + folders; res.Gets != emu.Counts()["GET"] || res.Gets > bound {
		t.Errorf("%d GETs (%d by the export's count), want at most %d", emu.Counts()["GET"], res.Gets, bound)
	}
	t.Logf("%d rows, %d GETs for %d folders", res.Rows, res.Gets, folders)
}

// An export of the whole organization, applied to an empty one that holds
// the same custom roles, gives it the same folders and folder access, and
// keeps the inactive user inactive: exporting the copy writes no row the
// original lacks, and every row of the original it lacks is a row the run
// reported failed, with why (cy, a user without an email, is not made by
// any manifest, so neither is its access).
func TestExportedAccessCopiesToAnEmptyOrganization(t *testing.T) {
	kinds := []export.Kind{export.Groups, export.Users, export.RobotAccounts, export.Access}
	_, cfgA := exportSetup(t, emulator.Config{Robots: 2, SeedData: accessSeed()}, kinds...)
	cfgA.Format, cfgA.Output = manifest.YAML, strings.TrimSuffix(cfgA.Output, ".csv")+".yaml"
	if _, err := Export(t.Context(), cfgA); err != nil {
		t.Fatal(err)
	}
	b, cfgB := exportSetup(t, emulator.Config{Seed: 2, SeedData: &emulator.SeedFile{Roles: accessSeed().Roles}}, kinds...)
	path, mopts := cfgA.Output, manifest.Options{}
	var problems bytes.Buffer
	census, err := Check(t.Context(), path, mopts, &problems, true, false)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, problems.String())
	}
	run, err := runfolder.Open(runfolder.Options{ReportDir: filepath.Join(t.TempDir(), "reports"), ID: "copy", Command: Apply.String(),
		Writes: true, Manifest: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = run.Close() })
	res, err := Execute(t.Context(), Config{Command: Apply, Path: path, Manifest: mopts, Census: census, Run: run, Settings: cfgB.Settings,
		Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 3, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(res.Summary.ReportDir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{} // "op target": why
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r report.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Status == report.StatusFailed {
			failed[r.Op+" "+r.Target] = r.ErrorMessage
		}
	}
	for _, u := range b.Users() {
		if u.UserName == "bo" && u.IsActive {
			t.Errorf("bo is active in the copy")
		}
	}
	if _, err := Export(t.Context(), cfgB); err != nil {
		t.Fatal(err)
	}
	original, copied := exportedRows(t, cfgA.Output), exportedRows(t, cfgB.Output)
	for _, row := range copied {
		if !slices.Contains(original, row) {
			t.Errorf("the copy holds %q, which the original does not", row)
		}
	}
	for _, row := range original {
		if slices.Contains(copied, row) {
			continue
		}
		opTarget, _, _ := strings.Cut(row, ":")
		opTarget, _, _ = strings.Cut(opTarget, " in ")
		opTarget, _, _ = strings.Cut(opTarget, " is_active")
		why, ok := failed[opTarget]
		switch {
		case !ok:
			t.Errorf("the copy lacks %q, and the run reported no failure of it", row)
		case strings.HasPrefix(row, "ensure_folder") || (strings.HasPrefix(row, "set_folder_access") && !strings.Contains(row, "username=cy ")):
			t.Errorf("the copy lacks %q: %s", row, why)
		default:
			t.Logf("not copied: %s: %s", row, why)
		}
	}
}

// A tenant that is not there answers the first Orchestrator list with
// 404: the export says which setting to check, and writes no file.
func TestExportAccessOfAMissingTenant(t *testing.T) {
	_, cfg := exportSetup(t, emulator.Config{Users: 1}, export.Groups, export.Access)
	cfg.Settings.Tenant = "Nowhere"
	_, err := Export(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), `tenant "Nowhere"`) {
		t.Errorf("err %v, want the missing tenant named", err)
	}
	if _, err := os.Stat(cfg.Output); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s (%v)", cfg.Output, err)
	}
}
