package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// roundTripJobs covers every column and every kind of secret reference.
func roundTripJobs(t *testing.T) []Job {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(pwFile, []byte("Pw-From-File-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []Job{
		{Op: OpUpdateUser, Target: Target{TargetEmail, "ann@example.com"},
			Name: ptr("Ann"), Surname: ptr("O'Hara, \"Jr\""), DisplayName: ptr("Ann\nTwo lines"),
			IsActive: ptr(false), BypassBasicAuthRestriction: ptr(true), InvitationAccepted: ptr(true),
			GroupsToAdd: []string{groupEveryone, groupFinance}, GroupsToRemove: []string{groupAdmins}},
		{Op: OpUpdateUser, Target: Target{TargetUserID, groupAdmins}, Name: ptr("yes"), DisplayName: ptr("123")},
		{Op: OpSetPassword, Target: Target{TargetUsername, "user00002"}, NewPassword: &SecretRef{Kind: SecretGenerate}},
		{Op: OpChangePassword, Target: Target{TargetUsername, "user00003"},
			OldPassword: &SecretRef{Kind: SecretEnv, Name: "OLD_PASSWORD"}, NewPassword: &SecretRef{Kind: SecretFile, Name: pwFile}},
		{Op: OpUpdateRobotAccount, Target: Target{TargetRobotName, "robot-001"}, DisplayName: ptr("Robot 001"), GroupsToRemove: []string{groupFinance}},
		{Op: OpUpdateRobotAccount, Target: Target{TargetRobotAccountID, groupFinance}, DisplayName: ptr("")},
		{Op: OpSetRobotCredentials, Target: Target{TargetOrchestratorUserID, "1001"}, RobotUsername: ptr(`CORP\svc-robot-001`), NewPassword: &SecretRef{Kind: SecretGenerate, Length: 32}},
		{Op: OpSetRobotCredentials, Target: Target{TargetUsername, "robot-002"}, RobotUsername: ptr(`CORP\svc-robot-002`)},
		{Op: OpEnsureGroup, Target: Target{TargetGroupName, "Finance Team"}},
		{Op: OpEnsureUser, Target: Target{TargetEmail, "bo@example.com"}, UserName: ptr("bo"),
			Name: ptr("Bo"), Surname: ptr("Lee"), DisplayName: ptr("Bo Lee"), BypassBasicAuthRestriction: ptr(false),
			GroupsToAdd: []string{"Finance Team", groupFinance}, GroupsToRemove: []string{"Sales"},
			InitialPassword: &SecretRef{Kind: SecretGenerate, Length: 24}},
		{Op: OpEnsureUser, Target: Target{TargetEmail, "cy@example.com"}, Groups: []string{"Everyone", "Finance Team"},
			InitialPassword: &SecretRef{Kind: SecretEnv, Name: "NEW_PASSWORD"}},
		{Op: OpEnsureUser, Target: Target{TargetEmail, "=cmd@example.com"}, UserName: ptr("#not-a-comment")},
		{Op: OpEnsureRobotAccount, Target: Target{TargetRobotName, "robot-003"}, DisplayName: ptr("Robot 003"), GroupsToAdd: []string{"Automation Users"}},
		{Op: OpEnsureRobotAccount, Target: Target{TargetRobotName, "robot-004"}, Groups: []string{groupEveryone}},
		{Op: OpDeleteUser, Target: Target{TargetUserID, "6f1b7c2a-0d4e-4c1a-9b7e-0000000000dd"}, ExpectEmail: "old@example.com", ExpectUserName: "old"},
		{Op: OpDeleteUser, Target: Target{TargetUsername, "gone"}},
		{Op: OpDeleteRobotAccount, Target: Target{TargetRobotAccountID, groupEveryone}},
		{Op: OpDeleteRobotAccount, Target: Target{TargetRobotName, "#robot-005"}},
		{Op: OpDeleteGroup, Target: Target{TargetGroupID, groupFinance}},
		{Op: OpDeleteGroup, Target: Target{TargetGroupName, "Old Team"}},
		{Op: OpEnsureUser, Target: Target{TargetEmail, "dee@example.com"}, IsActive: ptr(false)},
		{Op: OpEnsureFolder, Target: Target{TargetFolder, "Shared/Finance, AP"}},
		{Op: OpSetFolderAccess, Target: Target{TargetEmail, "ann@example.com"}, Folder: "Shared/Finance, AP",
			Roles: []string{"Folder Administrator", "Executor"}},
		{Op: OpSetFolderAccess, Target: Target{TargetGroupName, "Finance Team"}, Folder: "=Finance",
			RolesToAdd: []string{"Automation User"}, RolesToRemove: []string{"Executor", "Robot"}},
		{Op: OpRemoveFolderAccess, Target: Target{TargetRobotName, "robot-003"}, Folder: "Finance"},
		{Op: OpSetTenantRoles, Target: Target{TargetUsername, "bo"}, Roles: []string{"Administrator"}},
		{Op: OpSetTenantRoles, Target: Target{TargetGroupName, "Finance Team"}, RolesToRemove: []string{"Tenant Reader"}},
		{Op: OpUpdateUnattendedRobot, Target: Target{TargetOrchestratorUserID, "1003"}, RobotUsername: ptr(`CORP\svc-robot-003`),
			CredentialType: ptr("SmartCard"), ExecutionSettings: []byte(`{"LoginToConsole":true,"ResolutionWidth":1920,"TracingLevel":"Verbose, \"all\""}`),
			LimitConcurrentExecution: ptr(true)},
		{Op: OpUpdateUnattendedRobot, Target: Target{TargetRobotName, "robot-004"}, ExecutionSettings: []byte(`{}`), LimitConcurrentExecution: ptr(false)},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "SAP Login"}, Folder: "Shared/Finance, AP",
			CredentialUsername: ptr(`CORP\sap-svc`), NewPassword: &SecretRef{Kind: SecretGenerate}},
		{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "=API key"}, Folder: "Finance", ValueFor: "-robot-003",
			NewPassword: &SecretRef{Kind: SecretEnv, Name: "NEW_PASSWORD"}},
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, f := range []Format{CSV, YAML} {
		// nil is every column; the list gives them in another order, two
		// of them under their older names.
		for _, columns := range [][]string{nil, {"robot_name", "op", "email", "user_id", "username", "robot_account_id", "orchestrator_user_id",
			"group_name", "group_id", "name", "surname", "display_name", "is_active", "bypass_basic_auth_restriction", "invitation_accepted",
			"groups", "group_ids_to_add", "group_ids_to_remove", "robot_username", "initial_password", "old_password", "new_password",
			"limit_concurrent_execution", "execution_settings", "credential_type", "roles_to_remove", "roles_to_add", "roles", "folder",
			"credential_username", "value_for", "asset_name"}} {
			t.Run(f.String(), func(t *testing.T) {
				jobs := roundTripJobs(t)
				var buf bytes.Buffer
				w, err := NewWriter(&buf, f, columns)
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range jobs {
					if err := w.Write(j); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				path := writeManifest(t, "out"+f.Ext(), buf.String())
				got, rows := validateText(t, "out"+f.Ext(), buf.String(), Options{})
				if len(got) != 0 || rows != len(jobs) {
					t.Fatalf("written manifest: rows %d, problems %v\n%s", rows, got, buf.String())
				}
				_, read, rowErrs := readAll(t, path, Options{LookupEnv: testEnv})
				if len(rowErrs) != 0 || len(read) != len(jobs) {
					t.Fatalf("read back %d jobs, %v", len(read), rowErrs)
				}
				for i := range jobs {
					want := jobs[i]
					if want.DisplayName != nil && *want.DisplayName == "" {
						want.DisplayName = nil // an empty cell means "leave unchanged"
					}
					got := read[i]
					got.Row, got.Source = 0, Source{}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("row %d:\n got %+v\nwant %+v\n%s", i+1, got, want, buf.String())
					}
				}
			})
		}
	}
}

func TestWriterEmptyAndColumns(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, CSV, []string{"OP", "email", "name"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "op,email,name\n" {
		t.Errorf("empty CSV = %q", buf.String())
	}
	buf.Reset()
	w, _ = NewWriter(&buf, CSV, []string{"op", "email"})
	if err := w.Write(Job{Op: OpUpdateUser, Target: Target{TargetEmail, "a@example.com"}, Name: ptr("A")}); err == nil || !strings.Contains(err.Error(), "no column name") {
		t.Errorf("write outside the header: %v", err)
	}
	if _, err := NewWriter(&buf, CSV, []string{"op", "colour"}); err == nil {
		t.Error("unknown column accepted")
	}
	buf.Reset()
	w, _ = NewWriter(&buf, YAML, nil)
	_ = w.Close()
	if got, rows := validateText(t, "e.yaml", buf.String(), Options{}); len(got) != 0 || rows != 0 {
		t.Errorf("empty YAML %q: %d rows, problems %v; want 0 rows and none (nothing to do)", buf.String(), rows, got)
	}
}

func TestCellsNeverHoldALiteral(t *testing.T) {
	for _, j := range []Job{
		{Op: OpSetPassword, Target: Target{TargetUsername, "u1"}, NewPassword: ptr(LiteralSecret(secretValue("Literal-Pass-99")))},
		{Op: OpEnsureUser, Target: Target{TargetEmail, "a@example.com"}, InitialPassword: ptr(LiteralSecret(secretValue("Literal-Pass-99")))},
	} {
		for _, c := range j.Cells() {
			if strings.Contains(c.Value, "Literal-Pass-99") || c.Column == ColNewPassword || c.Column == ColInitialPassword {
				t.Errorf("%s: cell %+v", j.Op, c)
			}
		}
	}
}

// The lifecycle ops' cells come in canonical column order, ensure_user's
// user name in the username column beside its email.
func TestCellsOfLifecycleOps(t *testing.T) {
	j := Job{Op: OpEnsureUser, Target: Target{TargetEmail, "a@example.com"}, UserName: ptr("ann"), Name: ptr("Ann"),
		GroupsToAdd: []string{"Finance", groupFinance}, GroupsToRemove: []string{"Sales"},
		InitialPassword: &SecretRef{Kind: SecretGenerate}}
	got := fmt.Sprint(j.Cells())
	want := "[{op ensure_user} {email a@example.com} {username ann} {name Ann} {groups_to_add Finance;" + groupFinance + "} {groups_to_remove Sales} {initial_password generate}]"
	if got != want {
		t.Errorf("cells\n got %s\nwant %s", got, want)
	}
	g := Job{Op: OpDeleteGroup, Target: Target{TargetGroupID, groupFinance}}
	if got := fmt.Sprint(g.Cells()); got != "[{op delete_group} {group_id "+groupFinance+"}]" {
		t.Errorf("delete_group cells %s", got)
	}
}

// Comments written among the rows read back as nothing: the same jobs at
// lines that count the comment lines, in CSV and YAML; a comment's text
// is made one line.
func TestWriterComments(t *testing.T) {
	jobs := []Job{
		{Op: OpEnsureGroup, Target: Target{TargetGroupName, "Finance"}},
		{Op: OpDeleteUser, Target: Target{TargetEmail, "a@example.com"}},
	}
	for _, f := range []Format{CSV, YAML} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, f, []string{"op", "email", "group_name"})
			if err != nil {
				t.Fatal(err)
			}
			steps := []func() error{
				func() error { return w.Comment("undo of run 2026-11-30: what cannot be put back") },
				func() error { return w.Write(jobs[0]) },
				func() error {
					return w.Comment("line 3: the password of a@example.com\nrows:\n  - {op: delete_group, group_name: X}\r\u2028x\x00")
				},
				func() error { return w.Write(jobs[1]) },
				func() error { return w.Comment("") },
				w.Close,
			}
			for _, step := range steps {
				if err := step(); err != nil {
					t.Fatal(err)
				}
			}
			text := buf.String()
			if !strings.HasPrefix(text, "# undo of run 2026-11-30: what cannot be put back\n") {
				t.Errorf("the first comment is not the first line:\n%s", text)
			}
			// In CSV a comment stays one cell: no comma, no double quote.
			want := map[Format]string{CSV: "{op: delete_group; group_name: X}", YAML: "{op: delete_group, group_name: X}"}[f]
			if !strings.Contains(text, "# line 3: the password of a@example.com rows:   - "+want) {
				t.Errorf("the multi-line comment is not one line:\n%s", text)
			}
			if strings.ContainsAny(text, "\r\u2028\x00") {
				t.Errorf("control characters in\n%q", text)
			}
			if err := w.Comment("after close"); err == nil {
				t.Error("a comment after Close was written")
			}
			got, rows := validateText(t, "c"+f.Ext(), text, Options{})
			if len(got) != 0 || rows != 2 {
				t.Fatalf("rows %d, problems %v\n%s", rows, got, text)
			}
			_, read, rowErrs := readAll(t, writeManifest(t, "c"+f.Ext(), text), Options{})
			if len(rowErrs) != 0 || len(read) != 2 {
				t.Fatalf("read %d jobs, %v", len(read), rowErrs)
			}
			lines := strings.Split(text, "\n")
			for i, j := range read {
				if j.Op != jobs[i].Op || j.Target != jobs[i].Target {
					t.Errorf("job %d = %+v", i+1, j)
				}
				if l := lines[j.Source.Line-1]; !strings.Contains(l, string(j.Op)) {
					t.Errorf("job %d at line %d, which is %q", i+1, j.Source.Line, l)
				}
			}
		})
	}
}

// A set_credential_asset row's cells, and the columns an export of such
// rows orders, come as a person reads them: the folder, the asset in it,
// whose value, then what the value becomes.
func TestCellsOfAssetRows(t *testing.T) {
	j := Job{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "SAP Login"}, Folder: "Finance/AP", ValueFor: "robot-001",
		CredentialUsername: ptr(`CORP\sap`), NewPassword: &SecretRef{Kind: SecretGenerate}}
	got := fmt.Sprint(j.Cells())
	want := `[{op set_credential_asset} {folder Finance/AP} {asset_name SAP Login} {value_for robot-001} {credential_username CORP\sap} {new_password generate}]`
	if got != want {
		t.Errorf("cells\n got %s\nwant %s", got, want)
	}
	cols := OrderColumns([]string{"new_password", "credential_username", "value_for", "asset_name", "folder", "op"})
	if got := strings.Join(cols, ","); got != "op,folder,asset_name,value_for,credential_username,new_password" {
		t.Errorf("OrderColumns = %s", got)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, CSV, cols)
	if err != nil {
		t.Fatal(err)
	}
	own := Job{Op: OpSetCredentialAsset, Target: Target{TargetAssetName, "API Key"}, Folder: "Finance", NewPassword: &SecretRef{Kind: SecretGenerate, Length: 40}}
	for _, j := range []Job{j, own} {
		if err := w.Write(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	wantCSV := "op,folder,asset_name,value_for,credential_username,new_password\n" +
		"set_credential_asset,Finance/AP,SAP Login,robot-001,CORP\\sap,generate\n" +
		"set_credential_asset,Finance,API Key,,,generate:40\n"
	if buf.String() != wantCSV {
		t.Errorf("CSV\n got %q\nwant %q", buf.String(), wantCSV)
	}
}
