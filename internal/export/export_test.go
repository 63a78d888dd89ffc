package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/manifest"
)

// org is an apply.Reader over accounts in memory; only the lists are read
// by export.
type org struct {
	apply.Reader // the single reads: export never calls them
	users        []apply.User
	robots       []apply.Robot
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
	everyone = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	sales    = "6f1b7c2a-0d4e-4c1a-9b7e-000000000002"
	guidName = "6f1b7c2a-0d4e-4c1a-9b7e-000000000003"
)

// orgGroups: a built-in group, a local one, and a local one whose name
// reads as a GUID (no manifest can name it).
var orgGroups = []client.Group{
	{ID: "6F1B7C2A-0D4E-4C1A-9B7E-000000000001", Name: "Everyone", Type: "builtIn"},
	{ID: sales, Name: "Sales", Type: "custom"},
	{ID: guidName, Name: "6f1b7c2a-0d4e-4c1a-9b7e-00000000ffff", Type: "custom"},
}

// A group gets a name in the manifest only when the name can stand for it
// there: unique (in any case), not empty, without surrounding space or the
// list separator, and not in a GUID's form.
func TestGroupNamesKeepOnlyNamesAManifestCanCarry(t *testing.T) {
	names := GroupNames([]client.Group{
		{ID: "6F1B7C2A-0D4E-4C1A-9B7E-000000000001", Name: "Admins"},
		{ID: sales, Name: "Sales"},
		{ID: "g3", Name: "sales"},
		{ID: "g4", Name: ""},
		{ID: "g5", Name: " Padded"},
		{ID: "g6", Name: "a;b"},
		{ID: "g7", Name: "6f1b7c2a-0d4e-4c1a-9b7e-00000000ffff"},
		{ID: "g8", Name: "Finance"},
	})
	want := map[string]string{everyone: "Admins", "g8": "Finance"}
	if len(names) != len(want) {
		t.Errorf("names %v, want %v", names, want)
	}
	for id, name := range want {
		if names[id] != name {
			t.Errorf("%s: %q, want %q (all: %v)", id, names[id], name, names)
		}
	}
}

// Each user with an email becomes an ensure_user row by email: its user
// name, names and basic-authentication bypass, and its exact membership
// by name, built-in groups included (by lower-case id where no name can
// stand for the group), sorted and each once; is_active false for an
// inactive user, empty for an active one. No id, no password. A user
// without an email, and a directory's user (it comes with the directory),
// are left out and counted.
func TestUsersExportAsEnsureRowsByEmail(t *testing.T) {
	o := &org{users: []apply.User{
		{ID: "AAAAAAAA-0D4E-4C1A-9B7E-000000000001", UserName: "ann", Email: "Ann@Example.com", Name: "Ann", Surname: "Lee", DisplayName: "Ann Lee",
			IsActive: true, BypassBasicAuthRestriction: true, GroupIDs: []string{guidName, "6F1B7C2A-0D4E-4C1A-9B7E-000000000002", everyone, sales}},
		{ID: "b2", UserName: "directory-only", Email: " ", GroupIDs: []string{everyone}},
		{ID: "c3", UserName: "bo", Email: "bo@example.com", Name: "Bo", GroupIDs: []string{everyone}},
		{ID: "d4", UserName: "dee", Email: "dee@example.com", Type: "directoryUser", GroupIDs: []string{everyone}},
	}}
	sink := &rows{}
	tally, err := Write(context.Background(), o, Users, sink, orgGroups)
	if err != nil || !reflect.DeepEqual(tally, Tally{Rows: 2, LeftOut: 1, ByID: 1, Directory: 1}) || len(sink.jobs) != 2 {
		t.Fatalf("%+v, %d rows written, %v", tally, len(sink.jobs), err)
	}
	ann := sink.jobs[0]
	if ann.Row != 1 || ann.Op != manifest.OpEnsureUser || ann.Target != (manifest.Target{Kind: manifest.TargetEmail, Value: "Ann@Example.com"}) {
		t.Errorf("row, op or target: %d %s %s", ann.Row, ann.Op, ann.Target)
	}
	if *ann.UserName != "ann" || *ann.Name != "Ann" || *ann.Surname != "Lee" || *ann.DisplayName != "Ann Lee" || !*ann.BypassBasicAuthRestriction {
		t.Errorf("values: %q %q %q %q %v", *ann.UserName, *ann.Name, *ann.Surname, *ann.DisplayName, *ann.BypassBasicAuthRestriction)
	}
	if want := []string{guidName, "Everyone", "Sales"}; !slices.Equal(ann.Groups, want) {
		t.Errorf("groups %q, want %q", ann.Groups, want)
	}
	if ann.IsActive != nil || ann.InvitationAccepted != nil || ann.ExpectEmail != "" || ann.ExpectUserName != "" || ann.InitialPassword != nil || ann.NewPassword != nil {
		t.Errorf("an active user's ensure_user row carries activation, an id's labels or a password: %+v", ann)
	}
	if bo := sink.jobs[1]; bo.Row != 2 || bo.Target.Value != "bo@example.com" || *bo.BypassBasicAuthRestriction || !slices.Equal(bo.Groups, []string{"Everyone"}) ||
		bo.IsActive == nil || *bo.IsActive {
		t.Errorf("bo (inactive): %+v", bo)
	}
	notes := strings.Join(tally.Notes(Users), "\n")
	if !strings.Contains(notes, "left out 1 users without an email") || !strings.Contains(notes, "1 groups are named by id") ||
		!strings.Contains(notes, "left out 1 directory users") {
		t.Errorf("notes %q", notes)
	}
}

// Each robot account becomes an ensure_robot_account row by name with its
// display name and groups by name.
func TestRobotAccountsExportByName(t *testing.T) {
	o := &org{robots: []apply.Robot{{ID: "R-1", Name: "robot-1", DisplayName: "Invoices", GroupIDs: []string{sales, everyone}}}}
	sink := &rows{}
	tally, err := Write(context.Background(), o, RobotAccounts, sink, orgGroups)
	if err != nil || !reflect.DeepEqual(tally, Tally{Rows: 1}) || len(tally.Notes(RobotAccounts)) != 0 {
		t.Fatalf("%+v, %v", tally, err)
	}
	r := sink.jobs[0]
	if r.Op != manifest.OpEnsureRobotAccount || r.Target != (manifest.Target{Kind: manifest.TargetRobotName, Value: "robot-1"}) ||
		*r.DisplayName != "Invoices" || !slices.Equal(r.Groups, []string{"Everyone", "Sales"}) {
		t.Errorf("robot row: %s %s %q %q", r.Op, r.Target, *r.DisplayName, r.Groups)
	}
}

// export groups writes an ensure_group row per local group by name, in the
// list's order; built-in groups are not written, local groups no manifest
// can name are left out and counted. Accounts are not read.
func TestGroupsExportLocalGroupsByName(t *testing.T) {
	o := &org{}
	sink := &rows{}
	groups := append(slices.Clone(orgGroups), client.Group{ID: "g9", Name: "Auditors", Type: "custom"},
		client.Group{ID: "g10", Name: "Administrators", Type: "builtIn"})
	tally, err := Write(context.Background(), o, Groups, sink, groups)
	if err != nil || !reflect.DeepEqual(tally, Tally{Rows: 2, LeftOut: 1}) || o.reads != 0 {
		t.Fatalf("%+v after %d reads: %v", tally, o.reads, err)
	}
	var got []string
	for i, j := range sink.jobs {
		if j.Op != manifest.OpEnsureGroup || j.Target.Kind != manifest.TargetGroupName || j.Row != i+1 {
			t.Errorf("group row %+v", j)
		}
		got = append(got, j.Target.Value)
	}
	if want := []string{"Auditors", "Sales"}; !slices.Equal(got, want) { // sorted by name
		t.Errorf("groups %q, want %q", got, want)
	}
	if notes := tally.Notes(Groups); len(notes) != 1 || !strings.Contains(notes[0], "left out 1 local groups") {
		t.Errorf("notes %q", notes)
	}
}

// A failed list read or sink write is the export's error, naming what was
// exported; an unknown kind is refused without a read.
func TestExportFailures(t *testing.T) {
	listErr := errors.New("connection reset")
	o := &org{users: []apply.User{{ID: "u1", Email: "u1@example.com"}}, listErr: listErr}
	if _, err := Write(context.Background(), o, Users, &rows{}, nil); !errors.Is(err, listErr) || err.Error() != "export users: connection reset" {
		t.Errorf("list failure: %v", err)
	}
	sinkErr := errors.New("disk full")
	o = &org{robots: []apply.Robot{{ID: "r1", Name: "r1"}}}
	if _, err := Write(context.Background(), o, RobotAccounts, &rows{err: sinkErr}, nil); !errors.Is(err, sinkErr) || !strings.HasPrefix(err.Error(), "export robot accounts: ") {
		t.Errorf("sink failure: %v", err)
	}
	if _, err := Write(context.Background(), &org{}, Groups, &rows{err: sinkErr}, orgGroups); !errors.Is(err, sinkErr) {
		t.Errorf("sink failure of export groups: %v", err)
	}
	o = &org{}
	if _, err := Write(context.Background(), o, Kind("teams"), &rows{}, nil); err == nil || o.reads != 0 {
		t.Errorf("unknown kind: %v after %d reads", err, o.reads)
	}
}

// Against the emulator, through the client: one group read names every
// membership, built-in groups included; the user without an email and the
// groups no manifest can name are counted, not guessed.
func TestExportReadsTheOrganization(t *testing.T) {
	seed := emulator.SeedFile{
		Groups: []emulator.SeedGroup{
			{Name: "Sales", Members: []string{"user00001", "robot-001"}},
			{Name: "6f1b7c2a-0d4e-4c1a-9b7e-00000000abcd", Members: []string{"user00002"}},
			{Name: "a;b"},
		},
		Users: []emulator.SeedUser{{UserName: "no-email", Name: "No", Surname: "Mail"}, {UserName: "gone", Email: "gone@example.com", IsActive: new(bool)}},
	}
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 3, Robots: 2, SeedFile: path})
	c, err := client.New(t.Context(), settings, client.WithOperations(client.OpListUsers, client.OpListRobotAccounts, client.OpListGroups))
	if err != nil {
		t.Fatal(err)
	}
	export := func(k Kind) ([]manifest.Job, Tally) {
		t.Helper()
		groups, err := c.Groups.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		sink := &rows{}
		tally, err := Write(t.Context(), apply.NewClientAdapter(c), k, sink, groups)
		if err != nil {
			t.Fatal(err)
		}
		return sink.jobs, tally
	}

	users, tally := export(Users)
	if !reflect.DeepEqual(tally, Tally{Rows: 4, LeftOut: 1, ByID: 1}) {
		t.Errorf("users: %+v", tally)
	}
	got := map[string]string{}
	for _, j := range users {
		got[j.Target.Value] = *j.UserName + ": " + strings.Join(j.Groups, ";")
		if j.IsActive != nil {
			got[j.Target.Value] += fmt.Sprintf(" (is_active %v)", *j.IsActive)
		}
	}
	guidGroup := ""
	for _, g := range emu.Groups() {
		if g.Name == "6f1b7c2a-0d4e-4c1a-9b7e-00000000abcd" {
			guidGroup = g.ID
		}
	}
	want := map[string]string{
		"user00001@example.com": "user00001: Automation Users;Everyone;Sales",
		"user00002@example.com": "user00002: " + guidGroup + ";Everyone",
		"user00003@example.com": "user00003: Automation Users;Everyone",
		"gone@example.com":      "gone:  (is_active false)",
	}
	if len(got) != len(want) {
		t.Errorf("users %v, want %v", got, want)
	}
	for email, w := range want {
		if got[email] != w {
			t.Errorf("%s: %q, want %q", email, got[email], w)
		}
	}

	robots, tally := export(RobotAccounts)
	if !reflect.DeepEqual(tally, Tally{Rows: 2}) || robots[0].Target.Value != "robot-001" || strings.Join(robots[0].Groups, ";") != "Automation Users;Everyone;Sales" {
		t.Errorf("robots: %+v %+v", tally, robots)
	}

	before := emu.Counts()["GET"]
	groups, tally := export(Groups)
	var names []string
	for _, j := range groups {
		names = append(names, j.Target.Value)
	}
	if !reflect.DeepEqual(tally, Tally{Rows: 2, LeftOut: 2}) || !slices.Equal(names, []string{"Finance", "Sales"}) {
		t.Errorf("groups: %+v %q", tally, names)
	}
	if gets := emu.Counts()["GET"] - before; gets != 1 {
		t.Errorf("export groups sent %d GETs, want 1 (the group list)", gets)
	}
}

// Users the live service sends with a type or category code this version
// does not know are left out and counted by code, never written as local
// users; a category of directory leaves a user out, linkedLocal keeps it.
func TestUsersOfUnknownCodesAreLeftOutAndCounted(t *testing.T) {
	o := &org{users: []apply.User{
		{ID: "u1", UserName: "ann", Email: "ann@example.com", Type: "user", Category: "local"},
		{ID: "u2", UserName: "nine", Email: "nine@example.com", Type: client.UnknownEnumPrefix + "9"},
		{ID: "u3", UserName: "cat", Email: "cat@example.com", Type: "user", Category: client.UnknownEnumPrefix + "7"},
		{ID: "u4", UserName: "dir", Email: "dir@example.com", Type: "user", Category: "directory"},
		{ID: "u5", UserName: "linked", Email: "linked@example.com", Type: "user", Category: "linkedLocal"},
	}}
	sink := &rows{}
	tally, err := Write(context.Background(), o, Users, sink, orgGroups)
	if err != nil || tally.Rows != 2 || tally.Directory != 1 || tally.Unknown["type 9"] != 1 || tally.Unknown["category 7"] != 1 {
		t.Fatalf("%+v, %v", tally, err)
	}
	notes := strings.Join(tally.Notes(Users), "\n")
	if !strings.Contains(notes, "left out 1 users of type 9") || !strings.Contains(notes, "left out 1 users of category 7") {
		t.Errorf("notes:\n%s", notes)
	}
}
