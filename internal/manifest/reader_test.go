package manifest

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
)

// readAll opens path and returns its valid jobs and its row errors.
func readAll(t *testing.T, path string, opts Options) (*Reader, []Job, []*RowError) {
	t.Helper()
	r, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	var jobs []Job
	var rowErrs []*RowError
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, jobs, rowErrs
		}
		var rowErr *RowError
		switch {
		case errors.As(err, &rowErr):
			rowErrs = append(rowErrs, rowErr)
		case err != nil:
			t.Fatal(err)
		default:
			jobs = append(jobs, job)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestReaderTypesRows(t *testing.T) {
	csv := "Op,Email,Name,Is_Active,Group_IDs_To_Add,New_Password\n" +
		"update_user, Ann@Example.com ,  Ann  ,no," + "6F1B7C2A-0D4E-4C1A-9B7E-000000000005; " + groupEveryone + " ; finance;FINANCE,\n" +
		"\n" +
		"set_password,b@example.com,,,,generate:30\n" +
		"update_user,bad,,,,\n"
	r, jobs, rowErrs := readAll(t, writeManifest(t, "m.csv", csv), Options{})
	if r.Format() != CSV {
		t.Errorf("Format = %v", r.Format())
	}
	if got, want := r.Columns(), []string{"op", "email", "name", "is_active", "groups_to_add", "new_password"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Columns = %v, want %v", got, want)
	}
	if len(jobs) != 2 || len(rowErrs) != 1 {
		t.Fatalf("jobs = %d, row errors = %d", len(jobs), len(rowErrs))
	}
	want0 := Job{
		Row: 1, Source: Source{File: r.File(), Line: 2}, Op: OpUpdateUser,
		Target:      Target{Kind: TargetEmail, Value: "Ann@Example.com"},
		Name:        ptr("Ann"),
		IsActive:    ptr(false),
		GroupsToAdd: []string{groupFinance, groupEveryone, "finance"},
	}
	if !reflect.DeepEqual(jobs[0], want0) {
		t.Errorf("job 1 = %+v\nwant    %+v", jobs[0], want0)
	}
	if got := jobs[0].Target.Key(); got != "email=ann@example.com" {
		t.Errorf("Key = %q", got)
	}
	if jobs[1].Row != 2 || jobs[1].Source.Line != 4 || jobs[1].NewPassword == nil || jobs[1].NewPassword.String() != "generate:30" {
		t.Errorf("job 2 = %+v", jobs[1])
	}
	if e := rowErrs[0]; e.Source.Line != 5 || len(e.Problems) != 1 {
		t.Errorf("row error = %+v", e)
	}
}

func TestReaderYAMLDefaultsAndLists(t *testing.T) {
	yaml := "defaults:\n  op: update_robot_account\n  group_ids_to_add: [" + groupFinance + "]\n" +
		"rows:\n" +
		"  - robot_name: robot-001\n" +
		"  - robot_name: robot-002\n    group_ids_to_add: " + groupAdmins + ";" + groupEveryone + "\n" +
		"  - robot_name: robot-003\n    group_ids_to_add: ~\n    display_name: Three\n" +
		"  - op: set_robot_credentials\n    orchestrator_user_id: 1003\n    group_ids_to_add: []\n    robot_username: CORP\\svc-robot-003\n    new_password: env:NEW_PASSWORD\n"
	r, jobs, rowErrs := readAll(t, writeManifest(t, "m.yaml", yaml), Options{LookupEnv: testEnv})
	if len(rowErrs) != 0 || len(jobs) != 4 {
		t.Fatalf("jobs = %d, row errors = %v", len(jobs), rowErrs)
	}
	if r.Format() != YAML {
		t.Errorf("Format = %v", r.Format())
	}
	if got := jobs[0].GroupsToAdd; !reflect.DeepEqual(got, []string{groupFinance}) {
		t.Errorf("row 1 groups = %v", got)
	}
	if got := jobs[1].GroupsToAdd; !reflect.DeepEqual(got, []string{groupAdmins, groupEveryone}) {
		t.Errorf("row 2 groups = %v", got)
	}
	if jobs[2].GroupsToAdd != nil || *jobs[2].DisplayName != "Three" {
		t.Errorf("row 3 = %+v", jobs[2])
	}
	j := jobs[3]
	if j.Op != OpSetRobotCredentials || j.Target != (Target{TargetOrchestratorUserID, "1003"}) || *j.RobotUsername != `CORP\svc-robot-003` || j.NewPassword.String() != "env:NEW_PASSWORD" || j.Source.Line != 11 {
		t.Errorf("row 4 = %+v", j)
	}
}

func TestReaderHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Open(ctx, writeManifest(t, "m.csv", "op,email\nupdate_user,a@example.com\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	if _, err := r.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel = %v", err)
	}
}
