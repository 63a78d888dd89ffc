package manifest

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"strings"
	"testing"
)

// The access ops' rows read as typed jobs, the same from CSV and YAML:
// folder paths trimmed name by name, roles each once in the first
// spelling, the credential type in the definitions' spelling, execution
// settings as compact JSON with sorted keys (from a JSON cell or a YAML
// mapping alike).
func TestAccessRowsAreTyped(t *testing.T) {
	csv := "op,email,robot_name,orchestrator_user_id,group_name,folder,roles,roles_to_add,roles_to_remove,robot_username,credential_type,execution_settings,limit_concurrent_execution\n" +
		"ensure_folder,,,,, Shared / Finance/AP ,,,,,,,\n" +
		"set_folder_access,Ann@Example.com,,,,Shared/Finance ,Executor; executor ;Folder Administrator,,,,,,\n" +
		"set_tenant_roles,,,,Finance Team,,,Administrator,Tenant Reader;tenant reader,,,,\n" +
		"remove_folder_access,,robot-001,,,Finance,,,,,,,\n" +
		"update_unattended_robot,,,1001,,,,,,CORP\\svc,smartCARD,\"{ \"\"TracingLevel\"\": \"\"Verbose\"\", \"\"Font\"\": {\"\"Size\"\": 1.50} }\",YES\n"
	yaml := "rows:\n" +
		"  - {op: ensure_folder, folder: ' Shared / Finance/AP '}\n" +
		"  - {op: set_folder_access, email: Ann@Example.com, folder: 'Shared/Finance ', roles: [Executor, ' executor ', Folder Administrator]}\n" +
		"  - {op: set_tenant_roles, group_name: Finance Team, roles_to_add: Administrator, roles_to_remove: [Tenant Reader, tenant reader]}\n" +
		"  - {op: remove_folder_access, robot_name: robot-001, folder: Finance}\n" +
		"  - op: update_unattended_robot\n    orchestrator_user_id: 1001\n    robot_username: CORP\\svc\n    credential_type: smartCARD\n" +
		"    execution_settings:\n      TracingLevel: Verbose\n      Font: {Size: 1.50}\n    limit_concurrent_execution: yes\n"
	want := []Job{
		{Op: OpEnsureFolder, Target: Target{TargetFolder, "Shared/Finance/AP"}},
		{Op: OpSetFolderAccess, Target: Target{TargetEmail, "Ann@Example.com"}, Folder: "Shared/Finance", Roles: []string{"Executor", "Folder Administrator"}},
		{Op: OpSetTenantRoles, Target: Target{TargetGroupName, "Finance Team"}, RolesToAdd: []string{"Administrator"}, RolesToRemove: []string{"Tenant Reader"}},
		{Op: OpRemoveFolderAccess, Target: Target{TargetRobotName, "robot-001"}, Folder: "Finance"},
		{Op: OpUpdateUnattendedRobot, Target: Target{TargetOrchestratorUserID, "1001"}, RobotUsername: ptr(`CORP\svc`), CredentialType: ptr("SmartCard"),
			ExecutionSettings: []byte(`{"Font":{"Size":1.50},"TracingLevel":"Verbose"}`), LimitConcurrentExecution: ptr(true)},
	}
	for name, text := range map[string]string{"m.csv": csv, "m.yaml": yaml} {
		t.Run(name, func(t *testing.T) {
			_, jobs, rowErrs := readAll(t, writeManifest(t, name, text), Options{})
			if len(rowErrs) != 0 || len(jobs) != len(want) {
				t.Fatalf("%d jobs, problems %v", len(jobs), rowErrs)
			}
			for i := range jobs {
				got := jobs[i]
				got.Row, got.Source = 0, Source{}
				if name == "m.yaml" && got.Op == OpUpdateUnattendedRobot {
					// A YAML number is a number: 1.50 is written as JSON would.
					if string(got.ExecutionSettings) != `{"Font":{"Size":1.5},"TracingLevel":"Verbose"}` {
						t.Errorf("YAML execution_settings = %s", got.ExecutionSettings)
					}
					got.ExecutionSettings = want[i].ExecutionSettings
				}
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got, want[i])
				}
			}
		})
	}
}

func TestConflictKeyAndFolderPath(t *testing.T) {
	access := Job{Op: OpSetFolderAccess, Target: Target{TargetEmail, "Ann@Example.com"}, Folder: "Finance/AP"}
	remove := Job{Op: OpRemoveFolderAccess, Target: Target{TargetEmail, "ann@example.com"}, Folder: "FINANCE/ap"}
	other := Job{Op: OpSetFolderAccess, Target: Target{TargetEmail, "ann@example.com"}, Folder: "Finance"}
	account := Job{Op: OpEnsureUser, Target: Target{TargetEmail, "ann@example.com"}}
	tenant := Job{Op: OpSetTenantRoles, Target: Target{TargetEmail, "ann@example.com"}}
	folder := Job{Op: OpEnsureFolder, Target: Target{TargetFolder, "Finance/AP"}}
	for _, tc := range []struct {
		job  Job
		key  string
		path string
	}{
		{access, "folder-access:10:finance/ap:email=ann@example.com", "Finance/AP"},
		{remove, "folder-access:10:finance/ap:email=ann@example.com", "FINANCE/ap"},
		{other, "folder-access:7:finance:email=ann@example.com", "Finance"},
		{account, "user:email=ann@example.com", ""},
		{tenant, "tenant-roles:email=ann@example.com", ""},
		{folder, "folder:folder=finance/ap", "Finance/AP"},
		{Job{Op: OpUpdateUnattendedRobot, Target: Target{TargetRobotName, "Robot-1"}}, "orchestrator:robot_name=Robot-1", ""},
	} {
		if got := tc.job.ConflictKey(); got != tc.key {
			t.Errorf("%s %s: key %q, want %q", tc.job.Op, tc.job.Target, got, tc.key)
		}
		if seed := maphash.MakeSeed(); conflictHash(seed, &tc.job) != maphash.String(seed, tc.key) {
			t.Errorf("%s %s: the hash is not the key's", tc.job.Op, tc.job.Target)
		}
		if got := tc.job.FolderPath(); got != tc.path {
			t.Errorf("%s %s: folder %q, want %q", tc.job.Op, tc.job.Target, got, tc.path)
		}
	}
	// The folder's length keeps a path and a target from running together.
	a := Job{Op: OpSetFolderAccess, Target: Target{TargetEmail, "x"}, Folder: "a:email=b"}
	b := Job{Op: OpSetFolderAccess, Target: Target{TargetEmail, "b:email=x"}, Folder: "a"}
	if a.ConflictKey() == b.ConflictKey() {
		t.Errorf("two keys run together: %q", a.ConflictKey())
	}
	if !OpSetTenantRoles.Access() || !OpRemoveFolderAccess.Access() || OpEnsureFolder.Access() || OpUpdateUnattendedRobot.Access() {
		t.Error("Access() is wrong")
	}
	if !OpSetFolderAccess.FolderScoped() || OpEnsureFolder.FolderScoped() || OpSetTenantRoles.FolderScoped() || OpRemoveFolderAccess.Deletes() {
		t.Error("FolderScoped() or Deletes() is wrong")
	}
}

func TestFolderParentAndSegments(t *testing.T) {
	for path, parent := range map[string]string{"Shared/Finance/AP": "Shared/Finance", "Finance": ""} {
		if got := FolderParent(path); got != parent {
			t.Errorf("FolderParent(%q) = %q, want %q", path, got, parent)
		}
	}
	if got := strings.Join(FolderSegments("Shared/Finance/AP"), "|"); got != "Shared|Finance|AP" {
		t.Errorf("FolderSegments = %q", got)
	}
}

func TestOrderColumns(t *testing.T) {
	got := OrderColumns([]string{"roles", "Folder", "email", "colour", "group_ids_to_add", "op", "execution_settings", "new_password", "email"})
	want := []string{"op", "email", "folder", "groups_to_add", "roles", "execution_settings", "new_password"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OrderColumns = %q, want %q", got, want)
	}
}

// One account's access to many folders, the folders themselves and the
// account: with a filter so small that every row is a candidate, only the
// true conflict (the same folder twice) is reported.
func TestAccessConflictsExactDespiteBloomFalsePositives(t *testing.T) {
	saved := bloomBits
	t.Cleanup(func() { bloomBits = saved })
	var b strings.Builder
	b.WriteString("op,email,folder,roles\n")
	b.WriteString("ensure_user,ann@example.com,,\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, "ensure_folder,,Shared/F%03d,\n", i)
		fmt.Fprintf(&b, "set_folder_access,ann@example.com,Shared/F%03d,Executor\n", i)
	}
	b.WriteString("remove_folder_access,ANN@example.com,shared/f042,\n") // line 403: line 86's folder
	for _, bits := range []uint{6, bloomLog2Bits} {
		bloomBits = bits
		got, rows := validateText(t, "m.csv", b.String(), Options{})
		if rows != 402 {
			t.Errorf("bits %d: rows = %d", bits, rows)
		}
		checkProblems(t, got, []want{{403, "email=ANN@example.com in folder shared/f042 is already changed by line 86 (set_folder_access): both rows change its roles in that folder"}})
	}
}
