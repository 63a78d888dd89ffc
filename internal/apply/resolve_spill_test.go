package apply

import (
	"context"
	"fmt"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// A list longer than memory holds, read only for the state undo needs, is
// kept on disk: every account is found by id, in any case, with its whole
// state and without another read; nothing of it is held in the heap's
// maps; targets by email or user name are looked up one by one.
func TestResolverKeepsALongListOnDiskForUndo(t *testing.T) {
	n := HeldListLimit + 1500
	f := fakeWithUsers(n)
	*f.users[41] = User{ID: "U0042", UserName: "user0042", Email: "User0042@Example.com", Name: "Ada", Surname: "Byron",
		DisplayName: "Ada B", IsActive: true, InvitationAccepted: true, GroupIDs: []string{"g1", "g2"}, Type: "user", Category: "local"}
	rs := NewResolver(f, noWait(1))
	ctx := context.Background()
	if err := rs.Prepare(ctx, Needs{UndoUsers: n/PageSize + 1}); err != nil {
		t.Fatal(err)
	}
	if rs.usersByID != nil || rs.usersIndexed || rs.usersSpilled == nil {
		t.Fatalf("the list was held in memory (%d accounts), not on disk", len(rs.usersByID))
	}
	for _, id := range []string{"U0001", "u0042", fmt.Sprintf("U%04d", n)} {
		u, known, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetUserID, Value: id}, true)
		if err != nil || !known {
			t.Fatalf("%s: known=%v %v", id, known, err)
		}
		var want User
		for _, fu := range f.users {
			if fu.ID == u.ID {
				want = *fu
			}
		}
		if fmt.Sprint(u) != fmt.Sprint(want) {
			t.Errorf("%s read back as\n%+v\nwant\n%+v", id, u, want)
		}
	}
	if _, _, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetUserID, Value: "U9999999"}, true); codeOf(err) != report.CodeNotFound {
		t.Errorf("an id not in the list: %v", err)
	}
	if u, _, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetEmail, Value: "user0007@example.com"}, false); err != nil || u.ID != "U0007" {
		t.Errorf("by email: %+v %v", u, err)
	}
	if f.count("EachUser") != 1 || f.count("GetUser") != 0 || f.count("FindUser") != 1 {
		t.Errorf("reads: %d lists, %d gets, %d finds; want 1, 0, 1", f.count("EachUser"), f.count("GetUser"), f.count("FindUser"))
	}
}

// A list with more pages than the rows that would read it alone is not
// read: each row's account is read on its own, so that undo still has its
// state before, whatever the organization's size.
func TestResolverReadsAccountsAloneWhenTheListCostsMore(t *testing.T) {
	f := fakeWithUsers(20 * PageSize)
	rs := NewResolver(f, noWait(1))
	ctx := context.Background()
	if err := rs.Prepare(ctx, Needs{UndoUsers: IndexThreshold + 5}); err != nil {
		t.Fatal(err)
	}
	u, known, err := rs.User(ctx, manifest.Target{Kind: manifest.TargetUserID, Value: "U0300"}, true)
	if err != nil || !known || u.UserName != "user0300" {
		t.Fatalf("%+v known=%v %v", u, known, err)
	}
	if f.count("GetUser") != 1 {
		t.Errorf("%d single reads, want 1", f.count("GetUser"))
	}
}

// The disk records give back every field of a user and a robot account,
// empty and nil ones included.
func TestSpilledRecordsRoundTrip(t *testing.T) {
	for _, u := range []User{{}, {ID: "x", GroupIDs: []string{}}, {ID: "é", UserName: "n", Email: "e", Name: "a", Surname: "b", DisplayName: "c d", IsActive: true, BypassBasicAuthRestriction: true, GroupIDs: []string{"g", ""}, Type: "7", Category: "directory"}} {
		got, err := decodeUser(encodeUser(nil, &u))
		if err != nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", u) {
			t.Errorf("user %+v came back as %+v (%v)", u, got, err)
		}
	}
	rb := Robot{ID: "r", Name: "bot", DisplayName: "Bot", GroupIDs: []string{"g"}}
	if got, err := decodeRobot(encodeRobot(nil, &rb)); err != nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", rb) {
		t.Errorf("robot came back as %+v (%v)", got, err)
	}
	if _, err := decodeUser([]byte{3, 'a'}); err == nil {
		t.Error("a damaged record was read")
	}
}

// FuzzDecodeUser: a record of any bytes is read back or refused, never a
// panic; one read back is written again the same.
func FuzzDecodeUser(f *testing.F) {
	u := User{ID: "U1", UserName: "user", Email: "u@example.com", GroupIDs: []string{"g"}, IsActive: true}
	f.Add(encodeUser(nil, &u))
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 7, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeUser(data)
		if err != nil {
			return
		}
		again, err := decodeUser(encodeUser(nil, &got))
		if err != nil || fmt.Sprintf("%#v", again) != fmt.Sprintf("%#v", got) {
			t.Errorf("%+v written again came back as %+v (%v)", got, again, err)
		}
	})
}

// Rows by id that read their account's state for another reason (a plan
// shows it) go by the same bound: a long list goes to disk. A group
// deleted with its members recorded needs every account in memory, to
// find them: its list stays there however long.
func TestResolverKeepsStatesByIDOnDiskButMembersInMemory(t *testing.T) {
	n := HeldListLimit + 100
	f := fakeWithUsers(n)
	ctx := context.Background()
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(ctx, Needs{UserStates: n/PageSize + 1}); err != nil {
		t.Fatal(err)
	}
	if rs.usersSpilled == nil || rs.usersByID != nil {
		t.Errorf("states by id of a long list: spilled=%v, %d held in memory", rs.usersSpilled != nil, len(rs.usersByID))
	}
	rs = NewResolver(f, noWait(1))
	if err := rs.Prepare(ctx, Needs{Members: 1, UndoUsers: n/PageSize + 1}); err != nil {
		t.Fatal(err)
	}
	if rs.usersSpilled != nil || len(rs.usersByID) != n {
		t.Errorf("a group's members: spilled=%v, %d held in memory, want all %d", rs.usersSpilled != nil, len(rs.usersByID), n)
	}
}
