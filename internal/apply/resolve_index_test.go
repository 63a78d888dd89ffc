package apply

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// fakeWithUsers is an organization of n users: id U0001, user name
// user0001, email User0001@Example.com.
func fakeWithUsers(n int) *fake {
	f := newFake()
	for i := 1; i <= n; i++ {
		f.addUser(User{ID: fmt.Sprintf("U%04d", i), UserName: fmt.Sprintf("user%04d", i), Email: fmt.Sprintf("User%04d@Example.com", i)}, "")
	}
	return f
}

func codeOf(err error) report.Code {
	if f := asFailure(err); f != nil {
		return f.Code()
	}
	return ""
}

// More targets than IndexThreshold: the list is read once, and every
// target — by id, email or user name, in any case — is found in it
// without another read; a target not in it is not found, without a read.
func TestResolverIndexesTheListWhenThatIsCheaper(t *testing.T) {
	f := fakeWithUsers(20)
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{UserLookups: IndexThreshold + 1}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, target := range []manifest.Target{
		{Kind: manifest.TargetUserID, Value: "u0003"},
		{Kind: manifest.TargetEmail, Value: "USER0003@example.COM"},
		{Kind: manifest.TargetUsername, Value: "USER0003"},
	} {
		u, known, err := rs.User(ctx, target, false)
		if err != nil || !known || u.ID != "U0003" {
			t.Errorf("%s: %+v known=%v %v", target, u, known, err)
		}
	}
	if _, _, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetEmail, Value: "nobody@example.com"}, true); codeOf(err) != report.CodeNotFound {
		t.Errorf("unknown target: %v", err)
	}
	if f.count("EachUser") != 1 || f.count("GetUser")+f.count("FindUser") != 0 {
		t.Errorf("%d list reads and %d single reads, want 1 and 0", f.count("EachUser"), f.count("GetUser")+f.count("FindUser"))
	}
}

// At IndexThreshold targets or fewer, each target is looked up on its own,
// once however many rows name it; a user_id target is read only when its
// state is needed.
func TestResolverLooksUpFewTargetsOneByOne(t *testing.T) {
	f := fakeWithUsers(20)
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{UserLookups: IndexThreshold}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if u, _, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetEmail, Value: "user0007@example.com"}, false); err != nil || u.ID != "U0007" {
			t.Fatalf("%+v %v", u, err)
		}
	}
	if u, known, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetUserID, Value: "U0008"}, false); err != nil || known || u.ID != "U0008" {
		t.Errorf("user_id without state: %+v known=%v %v", u, known, err)
	}
	if u, known, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetUserID, Value: "U0008"}, true); err != nil || !known || u.UserName != "user0008" {
		t.Errorf("user_id with state: %+v known=%v %v", u, known, err)
	}
	if f.count("EachUser") != 0 || f.count("FindUser") != 1 || f.count("GetUser") != 1 {
		t.Errorf("reads: %d lists, %d finds, %d gets; want 0, 1, 1", f.count("EachUser"), f.count("FindUser"), f.count("GetUser"))
	}
}

// A list longer than the lookups it would save is abandoned half way, and
// targets are then looked up one by one.
func TestResolverAbandonsAListLongerThanItsLookups(t *testing.T) {
	lookups := IndexThreshold + 1
	f := fakeWithUsers(lookups*PageSize + 1)
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{UserLookups: lookups}); err != nil {
		t.Fatalf("an abandoned list is not an error: %v", err)
	}
	if _, _, err := rs.User(context.Background(), manifest.Target{Kind: manifest.TargetUsername, Value: "user0002"}, true); err != nil {
		t.Fatal(err)
	}
	if f.count("FindUser") != 1 {
		t.Errorf("%d finds after the abandoned list, want 1", f.count("FindUser"))
	}
}

// A list read that fails for good is Prepare's error; robots are indexed
// the same way as users.
func TestResolverRobotsAndListFailures(t *testing.T) {
	f := newFake()
	for i := 1; i <= 8; i++ {
		f.robots = append(f.robots, &Robot{ID: fmt.Sprintf("R%d", i), Name: fmt.Sprintf("Robot-%d", i)})
	}
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{RobotLookups: 3, RobotStates: 3}); err != nil {
		t.Fatal(err)
	}
	r, known, err := rs.Robot(context.Background(), manifest.Target{Kind: manifest.TargetRobotName, Value: "robot-4"}, false)
	if err != nil || !known || r.ID != "R4" || f.count("EachRobot") != 1 || f.count("FindRobot") != 0 {
		t.Errorf("%+v %v; %d lists, %d finds", r, err, f.count("EachRobot"), f.count("FindRobot"))
	}

	g := newFake()
	g.then("EachUser", step{err: errFakeNotFound})
	if err := NewResolver(g, noWait(1)).Prepare(context.Background(), Needs{UserStates: 10}); codeOf(err) != report.CodeNotFound {
		t.Errorf("a failed list read: %v", err)
	}
}

// Groups are named by id or by name, in any case; an unknown one is not
// found, a name two groups share is a conflict.
func TestResolverGroups(t *testing.T) {
	f := newFake()
	f.groups = []Group{
		{ID: "6F1B7C2A-0D4E-4C1A-9B7E-000000000001", Name: "Admins"},
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000002", Name: "Sales"},
		{ID: "6f1b7c2a-0d4e-4c1a-9b7e-000000000003", Name: "sales"},
	}
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"ADMINS":                               "6f1b7c2a-0d4e-4c1a-9b7e-000000000001",
		"6f1b7c2a-0d4e-4c1a-9b7e-000000000001": "6f1b7c2a-0d4e-4c1a-9b7e-000000000001",
	} {
		if id, err := rs.GroupID(ref); err != nil || id != want {
			t.Errorf("%s: %q %v", ref, id, err)
		}
	}
	for ref, code := range map[string]report.Code{
		"Finance":                              report.CodeNotFound,
		"6f1b7c2a-0d4e-4c1a-9b7e-000000000009": report.CodeNotFound,
		"SALES":                                report.CodeConflict,
	} {
		if _, err := rs.GroupID(ref); codeOf(err) != code {
			t.Errorf("%s: %v, want %s", ref, err, code)
		}
	}
	if name := rs.GroupName("6f1b7c2a-0d4e-4c1a-9b7e-000000000001"); name != "Admins" {
		t.Errorf("group name %q", name)
	}
	var f2 *rowFailure
	_, err := NewResolver(f, noWait(1)).GroupID("Admins")
	if !errors.As(err, &f2) || f2.Code() != report.CodeNotFound {
		t.Errorf("a name without the group list: %v", err)
	}
}

// Many set_robot_credentials rows: the Orchestrator users are read once
// into an index, in which targets by key or user name (any case) are found
// without another read; a user name two users share is a conflict, a
// target not in the list is not found.
func TestResolverIndexesOrchestratorUsers(t *testing.T) {
	f := newFake()
	for i := 1; i <= 20; i++ {
		f.orch = append(f.orch, &OrchestratorUser{Key: int64(100 + i), UserName: fmt.Sprintf("robot-%d", i), RobotUserName: fmt.Sprintf(`CORP\svc-%d`, i), HasRobot: true})
	}
	f.orch = append(f.orch, &OrchestratorUser{Key: 200, UserName: "ROBOT-1"})
	rs := NewResolver(f, noWait(1))
	ctx := context.Background()
	if err := rs.Prepare(ctx, Needs{OrchestratorLookups: IndexThreshold + 1}); err != nil {
		t.Fatal(err)
	}
	for _, target := range []manifest.Target{
		{Kind: manifest.TargetOrchestratorUserID, Value: "107"},
		{Kind: manifest.TargetUsername, Value: "Robot-7"},
	} {
		o, err := rs.OrchestratorUser(ctx, target)
		if err != nil || o.Key != 107 || o.RobotUserName != `CORP\svc-7` {
			t.Errorf("%s: %+v %v", target, o, err)
		}
	}
	if _, err := rs.OrchestratorUser(ctx, manifest.Target{Kind: manifest.TargetUsername, Value: "robot-1"}); codeOf(err) != report.CodeConflict {
		t.Errorf("a shared user name: %v", err)
	}
	if _, err := rs.OrchestratorUser(ctx, manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "999"}); codeOf(err) != report.CodeNotFound {
		t.Errorf("an unknown key: %v", err)
	}
	if f.count("EachOrchestratorUser") != 1 || f.count("GetOrchestratorUser")+f.count("FindOrchestratorUser") != 0 {
		t.Errorf("%d list reads and %d single reads, want 1 and 0", f.count("EachOrchestratorUser"), f.count("GetOrchestratorUser")+f.count("FindOrchestratorUser"))
	}
}
