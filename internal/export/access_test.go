package export

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// tenant is an AccessReader in memory that counts its reads.
type tenant struct {
	folders []client.Folder
	members map[int64][]client.FolderMember
	roles   []client.Role
	users   []client.OrchestratorUser
	failOn  string
	failErr error // errRead when nil
	reads   map[string]int
}

var errRead = errors.New("connection reset")

func (tn *tenant) read(what string) error {
	if tn.reads == nil {
		tn.reads = map[string]int{}
	}
	tn.reads[what]++
	if what == tn.failOn && tn.failErr != nil {
		return tn.failErr
	}
	if what == tn.failOn {
		return errRead
	}
	return nil
}

func (tn *tenant) Folders(context.Context) ([]client.Folder, error) {
	return tn.folders, tn.read("folders")
}

func (tn *tenant) FolderUsers(_ context.Context, id int64) ([]client.FolderMember, error) {
	return tn.members[id], tn.read(fmt.Sprint("folder ", id))
}

func (tn *tenant) Roles(context.Context) ([]client.Role, error) { return tn.roles, tn.read("roles") }

func (tn *tenant) EachOrchestratorUser(_ context.Context, fn func(client.OrchestratorUser) error) error {
	if err := tn.read("users"); err != nil {
		return err
	}
	for _, u := range tn.users {
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

func id(n int64) *int64 { return &n }

func folder(n int64, parent *int64, path string) client.Folder {
	return client.Folder{ID: n, ParentID: parent, FullyQualifiedName: path, DisplayName: path[strings.LastIndex(path, "/")+1:],
		FolderType: "Standard", PermissionModel: "FineGrained"}
}

func member(user int64, roles ...string) client.FolderMember {
	m := client.FolderMember{UserID: user}
	for _, r := range roles {
		m.Roles = append(m.Roles, client.FolderRole{Name: r})
	}
	return m
}

// line is a row as a person reads it: op, target, folder and roles.
func line(j manifest.Job) string {
	s := string(j.Op) + " " + j.Target.String()
	if j.Folder != "" {
		s += " in " + j.Folder
	}
	if j.Roles != nil {
		s += ": " + strings.Join(j.Roles, ";")
	}
	return s
}

// Folders come parents first, siblings by path, whatever the list's
// order; personal workspaces, solution folders and paths no manifest can
// carry are left out with their subfolders, and their assignments are not
// read. Each assignment is named as another organization knows its
// account; inherited access, assignments without roles of their own,
// accounts of other types and names no manifest can carry are left out
// and counted.
func TestAccessRowsInTheOrderARunNeedsThem(t *testing.T) {
	tn := &tenant{
		folders: []client.Folder{
			folder(5, id(1), "Shared/Finance/AP"),
			folder(1, nil, "Shared"),
			folder(3, nil, "Operations"),
			folder(2, id(1), "Shared/Finance"),
			folder(4, id(1), "Shared/Audit"),
			folder(6, id(1), "Shared/Finance b"),
			{ID: 7, FullyQualifiedName: "Ann's workspace", FolderType: "Personal"},
			{ID: 8, FullyQualifiedName: "Deploy", FolderType: "Solution"},
			{ID: 9, ParentID: id(8), FullyQualifiedName: "Deploy/Inner", FolderType: "Standard"},
			{ID: 10, FullyQualifiedName: " padded", FolderType: "Standard"},
			{ID: 11, FullyQualifiedName: "Classic", FolderType: "Standard", PermissionModel: "InheritFromTenant"},
		},
		roles: []client.Role{{Name: "Administrator", IsStatic: true}, {Name: "Automation User"}, {Name: "Finance Clerk"}},
		users: []client.OrchestratorUser{
			{ID: 10, UserName: "ann", EmailAddress: "ann@example.com", Type: client.TypeDirectoryUser, RolesList: []string{"Allow to be Automation User"}},
			{ID: 11, UserName: "bo@example.com", Type: "User"},
			{ID: 12, UserName: "cy", Type: client.TypeDirectoryUser},
			{ID: 20, UserName: "robot-1", Type: client.TypeDirectoryRobot, RolesList: []string{"Robot"}},
			{ID: 30, UserName: "Finance (old name)", Type: client.TypeDirectoryGroup, DirectoryIdentifier: "G-SALES"},
			{ID: 31, UserName: "Administrators", Type: client.TypeDirectoryGroup, DirectoryIdentifier: "g-admins"},
			{ID: 32, UserName: "weird;name", Type: client.TypeDirectoryGroup},
			{ID: 40, UserName: "ext-app", Type: "DirectoryExternalApplication"},
			{ID: 41, UserName: "nine", Type: client.UnknownEnumPrefix + "9"},
		},
		members: map[int64][]client.FolderMember{
			1: {member(31, "Folder Administrator"), member(10, "Automation User", "Finance Clerk", "automation user"), member(40, "Automation User")},
			2: {
				member(12, "Automation User"),
				{UserID: 10, Inherited: true, Roles: []client.FolderRole{{Name: "Automation User", Inherited: true}}},
				{UserID: 20, Roles: []client.FolderRole{{Name: "Automation User"}, {Name: "Folder Administrator", Inherited: true}}},
				{UserID: 30, Roles: []client.FolderRole{{Name: "Automation User", Inherited: true}}},
				member(32, "Automation User"),
				member(41, "Automation User"),
			},
			5: {
				member(11, "Finance Clerk"), member(30, "Automation User"),
				// Made after the users were read: named as the folder names it.
				{UserID: 99, UserName: "new@example.com", Type: "User", Roles: []client.FolderRole{{Name: "Automation User"}}},
			},
		},
	}
	groups := []client.Group{{ID: "g-sales", Name: "Sales", Type: "custom"}, {ID: "G-ADMINS", Name: "Administrators", Type: "builtIn"}}
	sink := &rows{}
	tally, err := WriteAccess(context.Background(), tn, sink, groups)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, j := range sink.jobs {
		if j.Row != i+1 {
			t.Errorf("row %d is numbered %d", i+1, j.Row)
		}
		got = append(got, line(j))
	}
	want := []string{
		"ensure_folder folder=Classic",
		"ensure_folder folder=Operations",
		"ensure_folder folder=Shared",
		"ensure_folder folder=Shared/Audit",
		"ensure_folder folder=Shared/Finance",
		"ensure_folder folder=Shared/Finance/AP",
		"ensure_folder folder=Shared/Finance b",
		"set_folder_access email=ann@example.com in Shared: Automation User;Finance Clerk",
		"set_folder_access group_name=Administrators in Shared: Folder Administrator",
		"set_folder_access username=cy in Shared/Finance: Automation User",
		"set_folder_access robot_name=robot-1 in Shared/Finance: Automation User",
		"set_folder_access email=bo@example.com in Shared/Finance/AP: Finance Clerk",
		"set_folder_access email=new@example.com in Shared/Finance/AP: Automation User",
		"set_folder_access group_name=Sales in Shared/Finance/AP: Automation User",
		"set_tenant_roles email=ann@example.com: Allow to be Automation User",
		"set_tenant_roles robot_name=robot-1: Robot",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantReads := map[string]int{"folders": 1, "roles": 1, "users": 1, "folder 1": 1, "folder 2": 1, "folder 3": 1, "folder 4": 1, "folder 5": 1, "folder 6": 1}
	if fmt.Sprint(tn.reads) != fmt.Sprint(wantReads) {
		t.Errorf("reads %v, want %v (no folder left out, nor a classic one, is read)", tn.reads, wantReads)
	}
	if tally.Rows != len(want) || tally.LeftOut != 4+4 {
		t.Errorf("tally %+v", tally)
	}
	notes := strings.Join(tally.Notes(Access), "\n")
	for _, w := range []string{
		"left out 1 personal workspaces", "left out 2 solution folders", "left out 1 folders whose path no manifest can carry",
		"left out 1 folder assignments that hold no role of their own",
		"left out 1 access rows of DirectoryExternalApplication accounts", "left out 1 access rows of accounts of type code 9",
		"left out 1 access rows of accounts or groups no manifest can name",
		"the rows name 5 roles that are not Orchestrator's static ones (Allow to be Automation User, Automation User, Finance Clerk, Folder Administrator, Robot)",
	} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
}

// The unattended robots' settings follow the access: a user's by user
// name, a robot's by name, execution settings as compact JSON with sorted
// keys; never a password. A credential type this version does not know is
// left out of its row and counted.
func TestUnattendedRobotsSettingsAreWrittenWithoutPasswords(t *testing.T) {
	tn := &tenant{users: []client.OrchestratorUser{
		{ID: 1, UserName: "robot-1", Type: "Robot", UnattendedRobot: &client.UnattendedRobot{UserName: `CORP\svc-1`, CredentialType: "Default",
			ExecutionSettings: map[string]any{"TracingLevel": "Information", "LoginToConsole": false, "Note": "<a&b>"}, LimitConcurrentExecution: true}},
		{ID: 2, UserName: "ann", EmailAddress: "ann@example.com", Type: client.TypeDirectoryUser, UnattendedRobot: &client.UnattendedRobot{UserName: `CORP\ann`, CredentialType: "smartcard"}},
		{ID: 3, UserName: "robot-3", Type: client.TypeDirectoryRobot, UnattendedRobot: &client.UnattendedRobot{CredentialType: client.UnknownEnumPrefix + "7"}},
		{ID: 4, UserName: "bo", Type: "User"},
	}}
	sink := &rows{}
	tally, err := WriteAccess(context.Background(), tn, sink, nil)
	if err != nil || len(sink.jobs) != 3 || tally.Access.Unattended != 3 || tally.Access.UnknownCredentialType != 1 {
		t.Fatalf("%+v, %d rows, %v", tally, len(sink.jobs), err)
	}
	var buf strings.Builder
	w, err := manifest.NewWriter(&buf, manifest.CSV, Columns(Kinds{Access}))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range sink.jobs {
		if j.Op != manifest.OpUpdateUnattendedRobot || j.NewPassword != nil {
			t.Errorf("row %+v", j)
		}
		if err := w.Write(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `op,email,username,robot_name,group_name,folder,roles,robot_username,credential_type,execution_settings,limit_concurrent_execution
update_unattended_robot,,ann,,,,,CORP\ann,SmartCard,,false
update_unattended_robot,,,robot-1,,,,CORP\svc-1,Default,"{""LoginToConsole"":false,""Note"":""<a&b>"",""TracingLevel"":""Information""}",true
update_unattended_robot,,,robot-3,,,,,,,false
`
	if buf.String() != want {
		t.Errorf("manifest:\n%s\nwant:\n%s", buf.String(), want)
	}
	notes := strings.Join(tally.Notes(Access), "\n")
	if !strings.Contains(notes, "wrote the settings of 3 unattended robots, never their passwords") || !strings.Contains(notes, "1 unattended robots sign in with a credential type this version does not know") {
		t.Errorf("notes:\n%s", notes)
	}
}

// Two accounts another organization would take for one (a directory
// user and a local one of the same email) are written once; the other is
// counted.
func TestAccessRowNamingAnotherAccountsTargetIsLeftOut(t *testing.T) {
	tn := &tenant{
		folders: []client.Folder{folder(1, nil, "Shared")},
		users: []client.OrchestratorUser{
			{ID: 1, UserName: "ann", EmailAddress: "Ann@example.com", Type: client.TypeDirectoryUser},
			{ID: 2, UserName: "ann@example.com", Type: "User"},
		},
		members: map[int64][]client.FolderMember{1: {member(1, "Automation User"), member(2, "Folder Administrator")}},
	}
	sink := &rows{}
	tally, err := WriteAccess(context.Background(), tn, sink, nil)
	if err != nil || len(sink.jobs) != 2 || tally.Access.Rows[whyTwice] != 1 {
		t.Fatalf("%+v, %d rows, %v", tally, len(sink.jobs), err)
	}
}

// A failed read is the export's error, naming the read and, for the
// folders and roles, the scope it needs.
func TestAccessReadFailures(t *testing.T) {
	for what, want := range map[string]string{
		"folders":  "export access: read the folders: connection reset",
		"roles":    "export access: read the roles: connection reset",
		"users":    "export access: read the Orchestrator users: connection reset",
		"folder 1": "export access: read who is assigned in folder Shared: connection reset",
	} {
		tn := &tenant{folders: []client.Folder{folder(1, nil, "Shared")}, failOn: what}
		if _, err := WriteAccess(context.Background(), tn, &rows{}, nil); !errors.Is(err, errRead) || err.Error() != want {
			t.Errorf("%s: %v", what, err)
		}
	}
	// A refusal names the scope.
	refused := &tenant{failOn: "roles", failErr: &client.Error{Method: "GET", Path: "odata/Roles", StatusCode: 403}}
	if _, err := WriteAccess(context.Background(), refused, &rows{}, nil); err == nil ||
		!strings.Contains(err.Error(), "read the roles (the External Application needs the scope OR.Users.Read): ") {
		t.Errorf("a refused read: %v", err)
	}
	tn := &tenant{folders: []client.Folder{folder(1, nil, "Shared")}}
	sinkErr := errors.New("disk full")
	if _, err := WriteAccess(context.Background(), tn, &rows{err: sinkErr}, nil); !errors.Is(err, sinkErr) {
		t.Errorf("sink failure: %v", err)
	}
}
