package client

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// directoryOrg is an organization whose Identity accounts and group
// Orchestrator does not list yet, with a custom tenant and folder role.
func directoryOrg() *emulator.SeedFile {
	return &emulator.SeedFile{
		Users:         []emulator.SeedUser{{UserName: "ann", Email: "ann@example.com", Name: "Ann", Surname: "Lee"}, {UserName: "bob", Email: "bob@example.com"}},
		RobotAccounts: []emulator.SeedRobot{{Name: "robot-day", DisplayName: "Day robot"}, {Name: "robot-night"}},
		Groups:        []emulator.SeedGroup{{Name: "Sales"}},
		Roles:         []emulator.SeedRole{{Name: "Auditor", Type: emulator.RoleTenant}, {Name: "Finance Clerk", Type: emulator.RoleFolder}},
	}
}

// identityIDs returns the Identity ids of the organization's users and
// robot accounts, by name.
func identityIDs(s *emulator.Server) map[string]string {
	ids := map[string]string{}
	for _, u := range s.Users() {
		ids[u.UserName] = u.ID
	}
	for _, r := range s.RobotAccounts() {
		ids[r.Name] = r.ID
	}
	for _, g := range s.Groups() {
		ids[g.Name] = g.ID
	}
	return ids
}

// A user with tenant roles, a robot account with an unattended robot and
// a group are made Orchestrator users, each listed after with its link,
// roles and robot, in one POST each and no password.
func TestCreateDirectoryUser(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedData: directoryOrg(), SpecShapes: spec})
		c := newTestClient(t, s, WithOperations(OpCreateOrchestratorUser, OpFindOrchestratorUser))
		ctx := testContext(t)
		ids := identityIDs(s)
		robot := &UnattendedRobot{UserName: `CORP\svc-day`, CredentialType: "Default",
			ExecutionSettings: map[string]any{"LoggingLevel": "Verbose"}, LimitConcurrentExecution: true}
		made := map[string]OrchestratorUser{}
		for _, nu := range []NewOrchestratorUser{
			{Type: TypeDirectoryUser, DirectoryIdentifier: ids["ann"], UserName: "ann", Domain: "autogen", RolesList: []string{"Auditor", "Allow to be Automation User"}},
			{Type: TypeDirectoryRobot, UserName: "robot-day", RolesList: []string{"Robot"}, UnattendedRobot: robot},
			{Type: TypeDirectoryGroup, UserName: "Sales"},
		} {
			u, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, nu)
			if err != nil {
				t.Fatalf("CreateDirectoryUser(%s %s): %v", nu.Type, nu.UserName, err)
			}
			if u.ID == 0 || u.Type != nu.Type || u.UserName != nu.UserName {
				t.Fatalf("answer for %s: %+v", nu.UserName, u)
			}
			made[nu.UserName] = u
		}
		if n := s.CountFor("POST", "/odata/Users"); n != 3 {
			t.Fatalf("%d POSTs of odata/Users, want 3", n)
		}
		listed := map[string]OrchestratorUser{}
		if err := c.OrchestratorUsers.All(ctx, func(u OrchestratorUser) error { listed[u.DirectoryIdentifier] = u; return nil }); err != nil {
			t.Fatal(err)
		}
		ann, day, sales := listed[ids["ann"]], listed[ids["robot-day"]], listed[ids["Sales"]]
		if ann.ID != made["ann"].ID || ann.Type != TypeDirectoryUser || ann.Domain != "autogen" || ann.EmailAddress != "ann@example.com" ||
			!slices.Equal(ann.RolesList, []string{"Auditor", "Allow to be Automation User"}) || ann.UnattendedRobot != nil || ann.MayHaveUnattendedSession {
			t.Fatalf("ann listed as %+v", ann)
		}
		r := day.UnattendedRobot
		if day.ID != made["robot-day"].ID || day.Type != TypeDirectoryRobot || !slices.Equal(day.RolesList, []string{"Robot"}) || !day.MayHaveUnattendedSession ||
			r == nil || r.UserName != `CORP\svc-day` || r.CredentialType != "Default" || r.ExecutionSettings["LoggingLevel"] != "Verbose" ||
			!r.LimitConcurrentExecution || r.RobotID == 0 {
			t.Fatalf("robot-day listed as %+v (%+v)", day, r)
		}
		if sales.ID != made["Sales"].ID || sales.Type != TypeDirectoryGroup || len(sales.RolesList) != 0 {
			t.Fatalf("Sales listed as %+v", sales)
		}
		if pw := s.RobotPasswordOf(day.ID); pw != "" {
			t.Fatal("the create set a robot password")
		}
	})
}

// A credential type read as an integer code is sent by its name, as the
// definitions declare it; the robot's unknown fields go with it.
func TestCreateDirectoryUserSendsCredentialTypeByName(t *testing.T) {
	s := startEmulator(t, emulator.Config{SeedData: directoryOrg()})
	c := newTestClient(t, s, WithOperations(OpCreateOrchestratorUser))
	ctx := testContext(t)
	var robot UnattendedRobot
	if err := json.Unmarshal([]byte(`{"UserName":"CORP\\svc-night","CredentialType":1,"RobotId":77,"Password":null}`), &robot); err != nil {
		t.Fatal(err)
	}
	body := newUserBody(NewOrchestratorUser{Type: TypeDirectoryRobot, UserName: "robot-night", UnattendedRobot: &robot})
	wire, _ := json.Marshal(body)
	if want := `{"MayHaveUnattendedSession":true,"RolesList":[],"Type":"DirectoryRobot","UnattendedRobot":{"CredentialType":"SmartCard","LimitConcurrentExecution":false,"UserName":"CORP\\svc-night"},"UserName":"robot-night"}`; string(wire) != want {
		t.Fatalf("body\n got %s\nwant %s", wire, want)
	}
	u, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, NewOrchestratorUser{Type: TypeDirectoryRobot, UserName: "robot-night", UnattendedRobot: &robot})
	if err != nil || u.UnattendedRobot == nil || u.UnattendedRobot.CredentialType != "SmartCard" || u.UnattendedRobot.RobotID == 77 {
		t.Fatalf("CreateDirectoryUser = %+v, %v", u, err)
	}
}

// The service's refusals arrive as their kinds, nothing made; what the
// client can tell wrong is refused before anything is sent.
func TestCreateDirectoryUserRefusals(t *testing.T) {
	s := startEmulator(t, emulator.Config{Robots: 1, SeedData: directoryOrg()})
	c := newTestClient(t, s, WithOperations(OpCreateOrchestratorUser, OpFindOrchestratorUser))
	ctx := testContext(t)
	if _, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "ann"}); err != nil {
		t.Fatal(err)
	}
	before := len(s.OrchestratorUsers())
	for _, tc := range []struct {
		nu   NewOrchestratorUser
		kind string
	}{
		{NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "ann"}, KindConflict},
		{NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "ann@example.com"}, KindConflict},
		{NewOrchestratorUser{Type: TypeDirectoryRobot, UserName: "robot-001"}, KindConflict}, // its Orchestrator user is of type Robot
		{NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "nobody"}, KindBadRequest},
		{NewOrchestratorUser{Type: TypeDirectoryGroup, UserName: "bob"}, KindBadRequest},
		{NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "bob", RolesList: []string{"Finance Clerk"}}, KindBadRequest},
		{NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "bob", RolesList: []string{"No such role"}}, KindBadRequest},
	} {
		_, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, tc.nu)
		if KindOf(err) != tc.kind {
			t.Errorf("%+v: %v (%s), want %s", tc.nu, err, KindOf(err), tc.kind)
		}
	}
	posts := s.CountFor("POST", "/odata/Users")
	for _, nu := range []NewOrchestratorUser{
		{Type: "User", UserName: "bob"},
		{Type: "", UserName: "bob"},
		{Type: TypeDirectoryUser},
	} {
		if _, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, nu); KindOf(err) != KindValidation {
			t.Errorf("%+v: %v, want a validation error", nu, err)
		}
	}
	if n := s.CountFor("POST", "/odata/Users"); n != posts {
		t.Fatalf("a create refused by the client sent %d requests", n-posts)
	}
	if n := len(s.OrchestratorUsers()); n != before {
		t.Fatalf("refused creates made %d users", n-before)
	}

	// Without OR.Users.Write the service refuses it.
	reader := newTestClient(t, s, WithOperations(OpFindOrchestratorUser))
	if _, err := reader.OrchestratorUsers.CreateDirectoryUser(ctx, NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "bob"}); KindOf(err) != KindForbidden {
		t.Fatalf("without OR.Users.Write: %v, want forbidden", err)
	}
}

// A create whose answer is lost is settled by finding the user by name
// before sending it again: the account gets one Orchestrator user.
func TestCreateDirectoryUserLostAnswerSettledByName(t *testing.T) {
	s := startEmulator(t, emulator.Config{SeedData: directoryOrg()})
	c := newTestClient(t, s, WithOperations(OpCreateOrchestratorUser, OpFindOrchestratorUser))
	ctx := testContext(t)
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	nu := NewOrchestratorUser{Type: TypeDirectoryUser, UserName: "bob", RolesList: []string{"Auditor"}}
	for attempt := 1; ; attempt++ {
		if attempt > 20 {
			t.Fatal("no dropped answer after the create was applied in 20 tries")
		}
		s.SetFaults(emulator.Faults{ResetRate: 1})
		_, err := c.OrchestratorUsers.CreateDirectoryUser(ctx, nu)
		s.SetFaults(emulator.Faults{})
		if KindOf(err) != KindOutcomeUnknown {
			t.Fatalf("create with its connection dropped: %v, want outcome unknown", err)
		}
		found, err := c.OrchestratorUsers.FindByUserName(ctx, "bob")
		var le *LookupError
		if errors.As(err, &le) && le.Matches == 0 {
			continue // dropped before it was applied: send again
		}
		if err != nil || found.Type != TypeDirectoryUser || !slices.Equal(found.RolesList, []string{"Auditor"}) {
			t.Fatalf("FindByUserName after the lost answer = %+v, %v", found, err)
		}
		break
	}
	n := 0
	for _, o := range s.OrchestratorUsers() {
		if o.UserName == "bob" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d Orchestrator users for bob", n)
	}
}
