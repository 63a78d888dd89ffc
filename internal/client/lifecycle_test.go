package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// fieldError reports whether err is an *Error with status and a field
// error on field.
func fieldError(err error, status int, field string) bool {
	e, ok := AsError(err)
	return ok && e.StatusCode == status && len(e.FieldErrors[field]) > 0
}

func liveUser(s *emulator.Server, email string) (emulator.User, bool) {
	for _, u := range s.Users() {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return emulator.User{}, false
}

func TestUsersCreateAndDelete(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 3, BulkMax: 5, SpecShapes: spec})
		c := newTestClient(t, s, WithOperations(OpCreateUser, OpDeleteUser, OpListUsers))
		ctx := testContext(t)
		const password = "Create-Pass-Lifecycle-1"

		err := c.Users.Create(ctx, CreateUser{
			NewUser:  NewUser{Email: "ada@example.com", Name: "Ada", Surname: "Lovelace"},
			Password: secret.New(password), GroupIDs: []string{groupFinance},
		})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		u, ok := liveUser(s, "ada@example.com")
		if !ok || u.Name != "Ada" || u.UserName != "ada@example.com" || !contains(u.GroupIDs, groupFinance) || !contains(u.GroupIDs, groupEveryone) {
			t.Fatalf("server state after Create: %+v (found %v)", u, ok)
		}
		if s.PasswordOf(u.ID) != password {
			t.Fatal("the created user does not have the password sent")
		}
		found, err := c.Users.FindByEmail(ctx, "ADA@example.com")
		if err != nil || found.ID != u.ID {
			t.Fatalf("FindByEmail after Create = %+v, %v", found, err)
		}

		// The same email again, and an existing userName: one IdentityResult, both codes.
		err = c.Users.Create(ctx, CreateUser{NewUser: NewUser{Email: "ada@example.com"}})
		if e, ok := AsError(err); !ok || e.StatusCode != http.StatusBadRequest || e.Kind() != KindConflict || !IsDuplicateEmail(err) {
			t.Fatalf("duplicate email = %v", err)
		}
		taken := s.Users()[0]
		err = c.Users.Create(ctx, CreateUser{NewUser: NewUser{UserName: "someone-new", Email: taken.Email}})
		if !IsDuplicateEmail(err) || IsDuplicateUserName(err) {
			t.Fatalf("duplicate email only = %v", err)
		}
		err = c.Users.Create(ctx, CreateUser{NewUser: NewUser{UserName: taken.UserName, Email: "someone-new@example.com"}})
		if !IsDuplicateUserName(err) || IsDuplicateEmail(err) {
			t.Fatalf("duplicate userName only = %v", err)
		}
		err = c.Users.Create(ctx, CreateUser{NewUser: NewUser{UserName: taken.UserName, Email: taken.Email}})
		if e, ok := AsError(err); !ok || e.Kind() != KindConflict || !IsDuplicateUserName(err) || !IsDuplicateEmail(err) {
			t.Fatalf("duplicate userName and email = %v", err)
		}

		// Deletes: single, bulk, unknown ids, over the limit.
		for _, email := range []string{"b1@example.com", "b2@example.com"} {
			if err := c.Users.Create(ctx, CreateUser{NewUser: NewUser{Email: email}}); err != nil {
				t.Fatalf("Create %s: %v", email, err)
			}
		}
		if err := c.Users.Delete(ctx, u.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, ok := liveUser(s, "ada@example.com"); ok {
			t.Fatal("the deleted user is still listed")
		}
		if err := c.Users.Delete(ctx, u.ID); KindOf(err) != KindNotFound {
			t.Fatalf("Delete of a deleted user = %v", err)
		}
		b1, _ := liveUser(s, "b1@example.com")
		b2, _ := liveUser(s, "b2@example.com")
		if err := c.Users.BulkDelete(ctx, []string{b1.ID, b2.ID}); err != nil {
			t.Fatalf("BulkDelete: %v", err)
		}
		if _, ok := liveUser(s, "b2@example.com"); ok {
			t.Fatal("a bulk-deleted user is still listed")
		}
		err = c.Users.BulkDelete(ctx, []string{s.Users()[0].ID, b1.ID})
		if !fieldError(err, http.StatusBadRequest, "userIds[1]") || errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("BulkDelete with a deleted id = %v", err)
		}
		ids := make([]string, 6)
		for i := range ids {
			ids[i] = s.Users()[0].ID
		}
		if err := c.Users.BulkDelete(ctx, ids); !errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("BulkDelete of 6 over 5 = %v", err)
		}
		if err := c.Users.BulkDelete(ctx, nil); err != nil {
			t.Fatalf("BulkDelete of nothing = %v", err)
		}
	})
}

func TestUserCreateOutcomeUnknown(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	c := newTestClient(t, s, WithTimeout(time.Second))
	ctx := testContext(t)
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{Latency: 2500 * time.Millisecond})
	err := c.Users.Create(ctx, CreateUser{NewUser: NewUser{Email: "late@example.com"}})
	s.SetFaults(emulator.Faults{})
	e, ok := AsError(err)
	if !ok || !e.OutcomeUnknown() || e.Retryable() || e.Kind() != KindOutcomeUnknown {
		t.Fatalf("an unanswered create = %v; want an unknown outcome, not retryable", err)
	}
	// The delete of the same request shape is idempotent: retryable.
	s.SetFaults(emulator.Faults{Latency: 2500 * time.Millisecond})
	err = c.Users.BulkDelete(ctx, []string{s.Users()[0].ID})
	s.SetFaults(emulator.Faults{})
	if e, ok := AsError(err); !ok || e.OutcomeUnknown() || !e.Retryable() {
		t.Fatalf("an unanswered bulk delete = %v; want retryable", err)
	}
}

func TestGroupsLifecycle(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 4, Robots: 2, BulkMax: 3, SpecShapes: spec})
		c := newTestClient(t, s, WithOperations(OpCreateGroup, OpUpdateGroup, OpDeleteGroup))
		ctx := testContext(t)
		users, robots := s.Users(), s.RobotAccounts()

		g, err := c.Groups.Create(ctx, NewGroup{Name: "Auditors", MemberIDs: []string{users[0].ID, robots[0].ID}})
		if err != nil || g.ID == "" || g.Name != "Auditors" || g.Type != "custom" {
			t.Fatalf("Create = %+v, %v", g, err)
		}
		if u, _ := s.User(users[0].ID); !contains(u.GroupIDs, g.ID) {
			t.Fatalf("the first member is not in the new group: %v", u.GroupIDs)
		}
		if _, err := c.Groups.Create(ctx, NewGroup{Name: "auditors"}); !fieldError(err, http.StatusBadRequest, "Name") {
			t.Fatalf("Create of a taken name = %v", err)
		}
		if _, err := c.Groups.Create(ctx, NewGroup{}); !fieldError(err, http.StatusBadRequest, "Name") {
			t.Fatalf("Create without a name = %v", err)
		}
		if _, err := c.Groups.Create(ctx, NewGroup{Name: "Big", MemberIDs: []string{users[0].ID, users[1].ID, users[2].ID, users[3].ID}}); !errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("Create with 4 members over 3 = %v", err)
		}

		// Members only, under the group's name: one PUT.
		reqs := len(s.Requests())
		upd, err := c.Groups.Update(ctx, g.ID, UpdateGroup{Name: g.Name, MemberIDsToAdd: []string{users[1].ID}, MemberIDsToRemove: []string{users[0].ID}})
		if err != nil || upd.Name != "Auditors" {
			t.Fatalf("Update of members = %+v, %v", upd, err)
		}
		if u, _ := s.User(users[1].ID); !contains(u.GroupIDs, g.ID) {
			t.Fatal("the added member is not in the group")
		}
		if u, _ := s.User(users[0].ID); contains(u.GroupIDs, g.ID) {
			t.Fatal("the removed member is still in the group")
		}
		if n := len(s.Requests()) - reqs; n != 1 {
			t.Fatalf("a change of members cost %d requests, want 1", n)
		}
		name := "Auditors EU"
		if upd, err = c.Groups.Update(ctx, g.ID, UpdateGroup{Name: name}); err != nil || upd.Name != name {
			t.Fatalf("rename = %+v, %v", upd, err)
		}
		everyone := "All of them"
		if _, err := c.Groups.Update(ctx, groupEveryone, UpdateGroup{Name: everyone}); !fieldError(err, http.StatusBadRequest, "Name") {
			t.Fatalf("renaming a built-in group = %v", err)
		}
		if _, err := c.Groups.Update(ctx, groupEveryone, UpdateGroup{Name: "Everyone", MemberIDsToAdd: []string{users[2].ID}}); err != nil {
			t.Fatalf("adding a member to a built-in group under its own name = %v", err)
		}
		if _, err := c.Groups.Update(ctx, g.ID, UpdateGroup{Name: name, MemberIDsToAdd: []string{users[0].ID, users[2].ID}, MemberIDsToRemove: []string{users[1].ID, users[3].ID}}); !errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("Update with 4 members over 3 = %v", err)
		}
		if _, err := c.Groups.Update(ctx, "00000000-0000-4000-8000-00000000abcd", UpdateGroup{Name: "Nobody"}); KindOf(err) != KindNotFound {
			t.Fatalf("Update of an unknown group = %v", err)
		}

		// Deletes.
		if err := c.Groups.Delete(ctx, groupEveryone); !fieldError(err, http.StatusBadRequest, "groupId") {
			t.Fatalf("Delete of a built-in group = %v", err)
		}
		if err := c.Groups.Delete(ctx, g.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if u, _ := s.User(users[1].ID); contains(u.GroupIDs, g.ID) {
			t.Fatal("a member still holds the deleted group")
		}
		if err := c.Groups.Delete(ctx, g.ID); KindOf(err) != KindNotFound {
			t.Fatalf("Delete of a deleted group = %v", err)
		}
		var made []string
		for _, n := range []string{"G1", "G2", "G3", "G4"} {
			g, err := c.Groups.Create(ctx, NewGroup{Name: n})
			if err != nil {
				t.Fatal(err)
			}
			made = append(made, g.ID)
		}
		if err := c.Groups.BulkDelete(ctx, made); !errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("BulkDelete of 4 over 3 = %v", err)
		}
		if err := c.Groups.BulkDelete(ctx, []string{made[0], groupEveryone}); !fieldError(err, http.StatusBadRequest, "groupIDs[1]") {
			t.Fatalf("BulkDelete with a built-in group = %v", err)
		}
		if err := c.Groups.BulkDelete(ctx, made[:3]); err != nil {
			t.Fatalf("BulkDelete: %v", err)
		}
		left := map[string]bool{}
		for _, g := range s.Groups() {
			left[g.ID] = true
		}
		if left[made[0]] || left[made[1]] || left[made[2]] || !left[made[3]] || !left[groupEveryone] {
			t.Fatalf("groups left after the bulk delete: %v", s.Groups())
		}
	})
}

func TestRobotAccountsLifecycle(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 2, BulkMax: 2, SpecShapes: spec})
		c := newTestClient(t, s, WithOperations(OpCreateRobotAccount, OpDeleteRobotAccount))
		ctx := testContext(t)

		r, err := c.RobotAccounts.Create(ctx, NewRobotAccount{Name: "invoice-bot", DisplayName: "Invoice bot", GroupIDs: []string{groupFinance}})
		if err != nil || r.ID == "" || r.Name != "invoice-bot" || r.DisplayName != "Invoice bot" || !contains(r.GroupIDs, groupFinance) || r.CreationTime == nil {
			t.Fatalf("Create = %+v, %v", r, err)
		}
		if _, err := c.RobotAccounts.Create(ctx, NewRobotAccount{Name: "INVOICE-BOT"}); !fieldError(err, http.StatusBadRequest, "Name") {
			t.Fatalf("Create of a taken name = %v", err)
		}
		if _, err := c.RobotAccounts.Create(ctx, NewRobotAccount{}); !fieldError(err, http.StatusBadRequest, "Name") {
			t.Fatalf("Create without a name = %v", err)
		}
		if err := c.RobotAccounts.Delete(ctx, r.ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := c.RobotAccounts.Delete(ctx, r.ID); KindOf(err) != KindNotFound {
			t.Fatalf("Delete of a deleted robot account = %v", err)
		}
		all := s.RobotAccounts()
		if err := c.RobotAccounts.BulkDelete(ctx, []string{all[0].ID, all[1].ID, all[0].ID}); !errors.Is(err, ErrBulkTooLarge) {
			t.Fatalf("BulkDelete of 3 over 2 = %v", err)
		}
		if err := c.RobotAccounts.BulkDelete(ctx, []string{all[0].ID, r.ID}); !fieldError(err, http.StatusBadRequest, "robotAccountIDs[1]") {
			t.Fatalf("BulkDelete with a deleted id = %v", err)
		}
		if err := c.RobotAccounts.BulkDelete(ctx, []string{all[0].ID, all[1].ID}); err != nil || len(s.RobotAccounts()) != 0 {
			t.Fatalf("BulkDelete = %v; %d left", err, len(s.RobotAccounts()))
		}
	})
}

// TestLifecycleScopes checks that every new operation asks for the scopes
// it needs, and that a token without them is refused.
func TestLifecycleScopes(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 2, Robots: 1})
	ctx := testContext(t)
	readers := newTestClient(t, s, WithOperations(OpGetUser, OpListGroups, OpGetRobotAccount))
	if err := readers.Users.Create(ctx, CreateUser{NewUser: NewUser{Email: "x@example.com"}}); KindOf(err) != KindForbidden {
		t.Fatalf("Users.Create with read scopes = %v", err)
	}
	if err := readers.Users.BulkDelete(ctx, []string{s.Users()[0].ID}); KindOf(err) != KindForbidden {
		t.Fatalf("Users.BulkDelete with read scopes = %v", err)
	}
	if _, err := readers.Groups.Create(ctx, NewGroup{Name: "X"}); KindOf(err) != KindForbidden {
		t.Fatalf("Groups.Create with read scopes = %v", err)
	}
	if err := readers.Groups.Delete(ctx, groupFinance); KindOf(err) != KindForbidden {
		t.Fatalf("Groups.Delete with read scopes = %v", err)
	}
	if _, err := readers.RobotAccounts.Create(ctx, NewRobotAccount{Name: "x"}); KindOf(err) != KindForbidden {
		t.Fatalf("RobotAccounts.Create with read scopes = %v", err)
	}
	if err := readers.RobotAccounts.Delete(ctx, s.RobotAccounts()[0].ID); KindOf(err) != KindForbidden {
		t.Fatalf("RobotAccounts.Delete with read scopes = %v", err)
	}
	if len(s.Users()) != 2 || len(s.RobotAccounts()) != 1 {
		t.Fatal("a refused request changed the organization")
	}
	for op, want := range map[Operation]string{
		OpCreateUser: "PM.User.Write", OpDeleteUser: "PM.User.Write",
		OpCreateRobotAccount: "PM.RobotAccount.Write", OpDeleteRobotAccount: "PM.RobotAccount.Write",
		OpCreateGroup: "PM.Group.Write", OpDeleteGroup: "PM.Group.Write",
		OpUpdateGroup: "PM.Group.Write",
	} {
		if got := strings.Join(ScopesFor(op), " "); got != want {
			t.Errorf("ScopesFor(%s) = %q, want %q", op, got, want)
		}
	}
}

// TestCreatePasswordLeaksNowhere sends a create password through success,
// refusals, an unanswered request and debug logging, and looks for it in
// every error and log line.
func TestCreatePasswordLeaksNowhere(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1})
	logs := &syncbuf.Buffer{}
	c := newTestClient(t, s, WithLogger(zerolog.New(logs).Level(zerolog.DebugLevel)), WithTimeout(time.Second))
	ctx := testContext(t)
	const password = "Leak-Create-Pass-7781"
	var outputs []string
	note := func(x any) {
		outputs = append(outputs, fmt.Sprintf("%v", x), fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
	}
	cmd := CreateUser{NewUser: NewUser{Email: "leak@example.com"}, Password: secret.New(password)}
	note(cmd)
	note(c.Users.Create(ctx, cmd)) // created
	note(c.Users.Create(ctx, cmd)) // DuplicateEmail
	weak := CreateUser{NewUser: NewUser{Email: "weak@example.com"}, Password: secret.New("tiny")}
	weakErr := c.Users.Create(ctx, weak) // password policy
	if KindOf(weakErr) != KindPasswordPolicy {
		t.Fatalf("a weak create password = %v", weakErr)
	}
	note(weakErr)
	s.SetFaults(emulator.Faults{Latency: 2500 * time.Millisecond})
	lost := CreateUser{NewUser: NewUser{Email: "lost@example.com"}, Password: secret.New(password)}
	note(c.Users.Create(ctx, lost)) // no answer
	s.SetFaults(emulator.Faults{})
	// A server that repeats the request body in its refusal.
	echo := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"succeeded": false,
			"errors":    []map[string]string{{"code": "PasswordTooShort", "description": "bad " + string(body)}},
		})
	})
	ec, err := New(ctx, Settings{URI: echo, Organization: "o", PAT: secret.New("leak-create-pat-123"), PartitionID: "0c8a3e4e-1b2c-4d5e-8f90-a1b2c3d4e5f6"})
	if err != nil {
		t.Fatal(err)
	}
	echoed := ec.Users.Create(ctx, cmd)
	if e, ok := AsError(echoed); !ok || !strings.Contains(e.Message, "leak@example.com") {
		t.Fatalf("the echoing server's refusal = %v", echoed)
	}
	note(echoed)
	if !strings.Contains(logs.String(), `"method":"POST"`) {
		t.Fatal("debug logging wrote no request line")
	}
	outputs = append(outputs, logs.String())
	for _, out := range outputs {
		if strings.Contains(out, password) || strings.Contains(out, `"tiny"`) {
			t.Errorf("a create password appears in client output")
		}
	}
}
