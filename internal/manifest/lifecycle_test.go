package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func TestBuiltInGroupNames(t *testing.T) {
	for name, want := range map[string]bool{
		"Everyone": true, "everyone": true, " ADMINISTRATORS ": true, "Automation Users": true,
		"automation developers": true, "Automation  Users": false, "Finance": false, "": false, "Everyone2": false,
	} {
		if got := isBuiltInGroup(name); got != want {
			t.Errorf("isBuiltInGroup(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestTargetKeysOfGroups(t *testing.T) {
	for _, tc := range []struct {
		a, b  Target
		equal bool
	}{
		{Target{TargetGroupName, "Finance Team"}, Target{TargetGroupName, "FINANCE team"}, true},
		{Target{TargetGroupID, strings.ToUpper(groupFinance)}, Target{TargetGroupID, groupFinance}, true},
		{Target{TargetGroupName, "Finance"}, Target{TargetGroupName, "Finance "}, false},
		{Target{TargetGroupName, groupFinance}, Target{TargetGroupID, groupFinance}, false},
		{Target{TargetRobotName, "Robot"}, Target{TargetRobotName, "robot"}, false},
	} {
		if got := tc.a.Key() == tc.b.Key(); got != tc.equal {
			t.Errorf("%s and %s: same key %v, want %v (%q, %q)", tc.a, tc.b, got, tc.equal, tc.a.Key(), tc.b.Key())
		}
	}
	if got := (Target{TargetGroupID, strings.ToUpper(groupFinance)}).Key(); got != "group_id="+groupFinance {
		t.Errorf("group_id key %q", got)
	}
}

// The jobs of the lifecycle ops as the reader types them: ensure_user's
// username is its UserName (the target stays the email), group lists keep
// names as written and lower-case GUIDs, older column names read as the
// canonical ones (Columns gives those, for writing failed rows back).
func TestReaderTypesLifecycleRows(t *testing.T) {
	csv := "Op,Email,UserName,Group_IDs_To_Add,groups_to_remove,Initial_Password,group_name,group_id\n" +
		"ensure_user, Ann@Example.com , ann ,Finance Team ; " + strings.ToUpper(groupFinance) + ";finance team,Sales,generate:30,,\n" +
		"# a comment line\n" +
		"delete_group,,,,,,,6F1B7C2A-0D4E-4C1A-9B7E-0000000000BB\n" +
		"ensure_group,,,,,, Old Team ,\n"
	r, jobs, rowErrs := readAll(t, writeManifest(t, "m.csv", csv), Options{})
	if len(rowErrs) != 0 || len(jobs) != 3 {
		t.Fatalf("jobs %d, row errors %v", len(jobs), rowErrs)
	}
	if got, want := r.Columns(), []string{"op", "email", "username", "groups_to_add", "groups_to_remove", "initial_password", "group_name", "group_id"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Columns = %v, want %v", got, want)
	}
	want := Job{Row: 1, Source: Source{File: r.File(), Line: 2}, Op: OpEnsureUser,
		Target: Target{TargetEmail, "Ann@Example.com"}, UserName: ptr("ann"),
		GroupsToAdd: []string{"Finance Team", groupFinance}, GroupsToRemove: []string{"Sales"},
		InitialPassword: &SecretRef{Kind: SecretGenerate, Length: 30}}
	if !reflect.DeepEqual(jobs[0], want) {
		t.Errorf("ensure_user job\n got %+v\nwant %+v", jobs[0], want)
	}
	if j := jobs[1]; j.Op != OpDeleteGroup || j.Target != (Target{TargetGroupID, "6f1b7c2a-0d4e-4c1a-9b7e-0000000000bb"}) || j.Source.Line != 4 || j.Row != 2 {
		t.Errorf("delete_group job %+v", j)
	}
	if j := jobs[2]; j.Op != OpEnsureGroup || j.Target != (Target{TargetGroupName, "Old Team"}) || j.Source.Line != 5 {
		t.Errorf("ensure_group job %+v", j)
	}
	if !OpDeleteGroup.Deletes() || OpEnsureGroup.Deletes() {
		t.Error("Deletes")
	}

	yaml := "defaults:\n  op: ensure_robot_account\n  group_ids_to_add: [Automation Users]\n" +
		"rows:\n  - robot_name: r1\n  - {robot_name: r2, groups_to_add: [Finance, " + strings.ToUpper(groupAdmins) + "]}\n"
	yr, yjobs, rowErrs := readAll(t, writeManifest(t, "m.yaml", yaml), Options{})
	if len(rowErrs) != 0 || len(yjobs) != 2 {
		t.Fatalf("yaml jobs %d, row errors %v", len(yjobs), rowErrs)
	}
	if got := yr.Columns(); !reflect.DeepEqual(got, []string{"op", "robot_name", "groups_to_add"}) {
		t.Errorf("yaml Columns = %v", got)
	}
	if got := yjobs[0].GroupsToAdd; !reflect.DeepEqual(got, []string{"Automation Users"}) {
		t.Errorf("row 1 groups %v", got)
	}
	if got := yjobs[1].GroupsToAdd; !reflect.DeepEqual(got, []string{"Finance", groupAdmins}) {
		t.Errorf("row 2 groups (the row's own list replaces the default) %v", got)
	}
}

// A writer given a column under its older name writes the canonical one.
func TestWriterTakesOlderColumnNames(t *testing.T) {
	var buf strings.Builder
	w, err := NewWriter(&buf, CSV, []string{"op", "email", "Group_IDs_To_Add", "groups_to_add"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Job{Op: OpUpdateUser, Target: Target{TargetEmail, "a@example.com"}, GroupsToAdd: []string{"Finance"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "op,email,groups_to_add\nupdate_user,a@example.com,Finance\n" {
		t.Errorf("written %q", got)
	}
}
