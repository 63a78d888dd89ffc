package export

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/manifest"
)

// org is an apply.Reader over accounts in memory; only the lists and the
// groups are read by export.
type org struct {
	apply.Reader // the single reads: export never calls them
	users        []apply.User
	robots       []apply.Robot
	groups       []apply.Group
	listErr      error
	reads        int
}

func (o *org) EachUser(_ context.Context, fn func(apply.User) error) error {
	o.reads++
	for _, u := range o.users {
		if err := fn(u); err != nil {
			return err
		}
	}
	return o.listErr
}

func (o *org) EachRobot(_ context.Context, fn func(apply.Robot) error) error {
	o.reads++
	for _, r := range o.robots {
		if err := fn(r); err != nil {
			return err
		}
	}
	return o.listErr
}

func (o *org) ListGroups(context.Context) ([]apply.Group, error) {
	o.reads++
	return o.groups, o.listErr
}

// rows is a Sink in memory.
type rows struct {
	jobs []manifest.Job
	err  error
}

func (r *rows) Write(j manifest.Job) error {
	if r.err != nil {
		return r.err
	}
	r.jobs = append(r.jobs, j)
	return nil
}

const (
	admins  = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	sales   = "6f1b7c2a-0d4e-4c1a-9b7e-000000000002"
	unnamed = "6f1b7c2a-0d4e-4c1a-9b7e-000000000003"
)

// A group gets a name in the manifest only when the name can stand for it
// there: unique (in any case), not empty, without surrounding space or the
// list separator, and not in a GUID's form.
func TestGroupNamesKeepOnlyNamesAManifestCanCarry(t *testing.T) {
	o := &org{groups: []apply.Group{
		{ID: "6F1B7C2A-0D4E-4C1A-9B7E-000000000001", Name: "Admins"},
		{ID: sales, Name: "Sales"},
		{ID: "g3", Name: "sales"},
		{ID: "g4", Name: ""},
		{ID: "g5", Name: " Padded"},
		{ID: "g6", Name: "a;b"},
		{ID: "g7", Name: "6f1b7c2a-0d4e-4c1a-9b7e-00000000ffff"},
		{ID: "g8", Name: "Finance"},
	}}
	names, err := GroupNames(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{admins: "Admins", "g8": "Finance"}
	if len(names) != len(want) {
		t.Errorf("names %v, want %v", names, want)
	}
	for id, name := range want {
		if names[id] != name {
			t.Errorf("%s: %q, want %q (all: %v)", id, names[id], name, names)
		}
	}
	if o.reads != 1 {
		t.Errorf("%d reads, want 1", o.reads)
	}

	failing := &org{listErr: errors.New("503")}
	if _, err := GroupNames(context.Background(), failing); err == nil {
		t.Error("a failed group read is not an error")
	}
}

// Each user becomes an update_user row by lower-case id, its email and
// user name beside it, its current values, and its exact membership by
// name where known (by lower-case id otherwise), sorted and each once.
func TestUsersExportAsRowsThatPlanUnchanged(t *testing.T) {
	o := &org{users: []apply.User{
		{ID: "AAAAAAAA-0D4E-4C1A-9B7E-000000000001", UserName: "ann", Email: "ann@example.com", Name: "Ann", Surname: "Lee", DisplayName: "Ann Lee", IsActive: true,
			GroupIDs: []string{unnamed, "6F1B7C2A-0D4E-4C1A-9B7E-000000000002", admins, sales}},
		{ID: "b2", UserName: "bo", Name: "Bo", IsActive: false},
	}}
	names := map[string]string{admins: "Admins", sales: "Sales"}
	sink := &rows{}
	n, err := Run(context.Background(), o, Users, sink, names)
	if err != nil || n != 2 || len(sink.jobs) != 2 {
		t.Fatalf("%d rows, %v", n, err)
	}
	ann := sink.jobs[0]
	if ann.Row != 1 || ann.Op != manifest.OpUpdateUser || ann.Target != (manifest.Target{Kind: manifest.TargetUserID, Value: "aaaaaaaa-0d4e-4c1a-9b7e-000000000001"}) {
		t.Errorf("row, op or target: %d %s %s", ann.Row, ann.Op, ann.Target)
	}
	if ann.ExpectEmail != "ann@example.com" || ann.ExpectUserName != "ann" {
		t.Errorf("labels: %q %q", ann.ExpectEmail, ann.ExpectUserName)
	}
	if *ann.Name != "Ann" || *ann.Surname != "Lee" || *ann.DisplayName != "Ann Lee" || !*ann.IsActive {
		t.Errorf("values: %q %q %q %v", *ann.Name, *ann.Surname, *ann.DisplayName, *ann.IsActive)
	}
	if want := []string{unnamed, "Admins", "Sales"}; !slices.Equal(ann.Groups, want) {
		t.Errorf("groups %q, want %q", ann.Groups, want)
	}
	bo := sink.jobs[1]
	if bo.Row != 2 || *bo.IsActive || bo.Groups == nil || len(bo.Groups) != 0 {
		t.Errorf("bo: row %d active %v groups %#v (an empty membership is an exact empty set)", bo.Row, *bo.IsActive, bo.Groups)
	}
	if ann.NewPassword != nil || ann.OldPassword != nil {
		t.Error("an export carries a password reference")
	}
}

// Each robot account becomes an update_robot_account row by lower-case id
// with its display name and groups.
func TestRobotAccountsExport(t *testing.T) {
	o := &org{robots: []apply.Robot{{ID: "R-1", Name: "robot-1", DisplayName: "Invoices", GroupIDs: []string{sales}}}}
	sink := &rows{}
	n, err := Run(context.Background(), o, RobotAccounts, sink, map[string]string{sales: "Sales"})
	if err != nil || n != 1 {
		t.Fatalf("%d rows, %v", n, err)
	}
	r := sink.jobs[0]
	if r.Op != manifest.OpUpdateRobotAccount || r.Target != (manifest.Target{Kind: manifest.TargetRobotAccountID, Value: "r-1"}) || *r.DisplayName != "Invoices" || !slices.Equal(r.Groups, []string{"Sales"}) {
		t.Errorf("robot row: %s %s %q %q", r.Op, r.Target, *r.DisplayName, r.Groups)
	}
}

// A failed list read or sink write is the export's error, naming what was
// exported; an unknown kind is refused without a read.
func TestExportFailures(t *testing.T) {
	listErr := errors.New("connection reset")
	o := &org{users: []apply.User{{ID: "u1"}}, listErr: listErr}
	if _, err := Run(context.Background(), o, Users, &rows{}, nil); !errors.Is(err, listErr) || err.Error() != "export users: connection reset" {
		t.Errorf("list failure: %v", err)
	}
	sinkErr := errors.New("disk full")
	o = &org{robots: []apply.Robot{{ID: "r1"}}}
	if _, err := Run(context.Background(), o, RobotAccounts, &rows{err: sinkErr}, nil); !errors.Is(err, sinkErr) {
		t.Errorf("sink failure: %v", err)
	}
	o = &org{}
	if _, err := Run(context.Background(), o, Kind("groups"), &rows{}, nil); err == nil || o.reads != 0 {
		t.Errorf("unknown kind: %v after %d reads", err, o.reads)
	}
}
