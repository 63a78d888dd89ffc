package manifest

import (
	"bytes"
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
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, f := range []Format{CSV, YAML} {
		for _, columns := range [][]string{nil, {"op", "email", "user_id", "username", "robot_name", "robot_account_id", "orchestrator_user_id",
			"name", "surname", "display_name", "is_active", "bypass_basic_auth_restriction", "invitation_accepted",
			"group_ids_to_add", "group_ids_to_remove", "robot_username", "old_password", "new_password"}} {
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
	if got, _ := validateText(t, "e.yaml", buf.String(), Options{}); len(got) != 1 || !strings.Contains(got[0].Message, "0 rows") {
		t.Errorf("empty YAML %q: %v, want only the 0-rows problem", buf.String(), got)
	}
}

func TestCellsNeverHoldALiteral(t *testing.T) {
	j := Job{Op: OpSetPassword, Target: Target{TargetUsername, "u1"}, NewPassword: ptr(LiteralSecret(secretValue("Literal-Pass-99")))}
	for _, c := range j.Cells() {
		if strings.Contains(c.Value, "Literal-Pass-99") || c.Column == ColNewPassword {
			t.Errorf("cell %+v", c)
		}
	}
}
