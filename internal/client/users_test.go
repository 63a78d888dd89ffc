package client

import (
	"errors"
	"fmt"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

const (
	groupEveryone = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	groupFinance  = "6f1b7c2a-0d4e-4c1a-9b7e-000000000005"
)

func TestUsersGetAndList(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 25, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)

		want := s.Users()[3] // user 4, modified before
		got, err := c.Users.Get(ctx, want.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.ID != want.ID || got.UserName != want.UserName || got.Email != want.Email || got.IsActive != want.IsActive {
			t.Fatalf("Get = %+v, want %+v", got, want)
		}
		if got.CreationTime == nil || got.LastModificationTime == nil || !got.LastModificationTime.Equal(want.LastModificationTime) {
			t.Fatalf("timestamps not decoded: %+v", got)
		}
		// User 3 was never modified: the server answers null.
		never, err := c.Users.Get(ctx, s.Users()[2].ID)
		if err != nil || never.LastModificationTime != nil || never.LastLoginTime != nil || never.CreationTime == nil {
			t.Fatalf("never-modified user: %+v, %v", never, err)
		}
		if got.Type != want.Type {
			t.Fatalf("type = %q, want %q", got.Type, want.Type)
		}
		if len(got.GroupIDs) != len(want.GroupIDs) {
			t.Fatalf("groups = %v, want %v", got.GroupIDs, want.GroupIDs)
		}

		page, err := c.Users.list(ctx, listOptions{Top: 10, Skip: 20})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if page.TotalCount != 25 || len(page.Results) != 5 {
			t.Fatalf("List page: total %d, %d users; want 25, 5", page.TotalCount, len(page.Results))
		}
		_, err = c.Users.Get(ctx, "6f1b7c2a-0d4e-4c1a-9b7e-0000000fffff")
		if KindOf(err) != KindNotFound {
			t.Fatalf("Get of an unknown id = %v, want not_found", err)
		}
	})
}

func TestUsersAllPagesByThousand(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 2100, SpecShapes: spec})
		c := newTestClient(t, s)
		seen := map[string]bool{}
		err := c.Users.All(testContext(t), func(u User) error {
			seen[u.ID] = true
			return nil
		})
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		if len(seen) != 2100 {
			t.Fatalf("All saw %d distinct users, want 2100", len(seen))
		}
		if n := c.Stats()["GET"]; n != 3 {
			t.Fatalf("All used %d GETs, want 3 (pages of 1000)", n)
		}
		stop := errors.New("stop")
		if err := c.Users.All(testContext(t), func(User) error { return stop }); err != stop {
			t.Fatalf("All did not return the callback's error: %v", err)
		}
	})
}

func TestUsersFind(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 25, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)
		u, err := c.Users.FindByEmail(ctx, fmt.Sprintf("USER%05d@EXAMPLE.COM", 7))
		if err != nil || u.UserName != "user00007" {
			t.Fatalf("FindByEmail = %+v, %v", u, err)
		}
		// "user0001" fuzzily matches user00010…user00019; only an exact name counts.
		if _, err := c.Users.FindByUserName(ctx, "user0001"); KindOf(err) != KindNotFound {
			t.Fatalf("FindByUserName of a prefix = %v, want not_found", err)
		}
		u, err = c.Users.FindByUserName(ctx, "user00012")
		if err != nil || u.Email != "user00012@example.com" {
			t.Fatalf("FindByUserName = %+v, %v", u, err)
		}
		var le *LookupError
		if _, err := c.Users.FindByEmail(ctx, "nobody@example.com"); !errors.As(err, &le) || le.Kind() != KindNotFound {
			t.Fatalf("FindByEmail of nobody = %v", err)
		}
	})
}

func TestUsersUpdate(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 3, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)
		target := s.Users()[0]
		name, active := "Ada", false
		err := c.Users.Update(ctx, target.ID, UpdateUser{
			Name: &name, IsActive: &active, Password: secret.New("Brand-New-Pass-42"),
			GroupIDsToAdd: []string{groupFinance}, GroupIDsToRemove: []string{groupEveryone},
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		after, _ := s.User(target.ID)
		if after.Name != "Ada" || after.IsActive || after.Surname != target.Surname || after.Email != target.Email {
			t.Fatalf("after update: %+v", after)
		}
		if len(after.GroupIDs) != len(target.GroupIDs) || after.GroupIDs[len(after.GroupIDs)-1] != groupFinance {
			t.Fatalf("groups after update: %v (before %v)", after.GroupIDs, target.GroupIDs)
		}
		if s.PasswordOf(target.ID) != "Brand-New-Pass-42" {
			t.Fatal("password not set by Update")
		}

		err = c.Users.Update(ctx, target.ID, UpdateUser{Password: secret.New("short")})
		if KindOf(err) != KindPasswordPolicy || worker.IsRetryable(err) || worker.IsOutcomeUnknown(err) {
			t.Fatalf("weak password: %v (kind %q)", err, KindOf(err))
		}
		if s.PasswordOf(target.ID) != "Brand-New-Pass-42" {
			t.Fatal("a refused update changed the password")
		}
	})
}

func TestUsersChangePassword(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3})
	c := newTestClient(t, s)
	ctx := testContext(t)
	target := s.Users()[1]
	old := secret.New(emulator.InitialPassword(2))

	err := c.Users.ChangePassword(ctx, target.ID, secret.New("Not-The-Old-One-1"), secret.New("Next-Pass-2345"))
	if KindOf(err) != KindWrongPassword {
		t.Fatalf("wrong old password: %v (kind %q)", err, KindOf(err))
	}
	if err := c.Users.ChangePassword(ctx, target.ID, old, secret.New("x")); KindOf(err) != KindPasswordPolicy {
		t.Fatalf("weak new password: %v (kind %q)", err, KindOf(err))
	}
	if err := c.Users.ChangePassword(ctx, target.ID, old, secret.New("Next-Pass-2345")); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if s.PasswordOf(target.ID) != "Next-Pass-2345" {
		t.Fatal("password not changed")
	}
	if n := s.CountFor("POST", "/api/User/{userId}/changepassword"); n != 3 {
		t.Fatalf("changepassword POSTs = %d, want 3", n)
	}
}

// A walk with ListTotal is told the list's total before any item, and
// stops after its first page when the hook refuses it.
func TestListTotalStopsAWalkAfterOnePage(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2100})
	c := newTestClient(t, s)
	tooLong := errors.New("too long")
	var told int64
	items := 0
	err := c.Users.All(testContext(t), func(User) error { items++; return nil },
		ListTotal(func(total int64) error { told = total; return tooLong }))
	if !errors.Is(err, tooLong) || told != 2100 || items != 0 {
		t.Fatalf("err %v, total %d, %d items handed on; want the hook's error, 2100, none", err, told, items)
	}
	if n := c.Stats()["GET"]; n != 1 {
		t.Fatalf("%d GETs, want 1", n)
	}
}
