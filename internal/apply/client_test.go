package apply

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/secret"
)

// Every write of the ClientAdapter hands its before-send hook to the
// client: a hook that fails sends nothing and is the write's error; one
// that succeeds runs once, and the write leaves. A write that dropped its
// hook would send a generated password nobody recorded.
func TestClientAdapterWritesRunTheirHook(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 4, Robots: 4})
	c, err := client.New(context.Background(), settings)
	if err != nil {
		t.Fatal(err)
	}
	a := NewClientAdapter(c)
	ctx := t.Context()
	users, robots := emu.Users(), emu.RobotAccounts()
	var orch OrchestratorUser
	if err := a.EachOrchestratorUser(ctx, func(o OrchestratorUser) error {
		if o.HasRobot && o.ExternalStore == "" {
			orch = o
			return errProbed
		}
		return nil
	}); !errors.Is(err, errProbed) {
		t.Fatalf("no Orchestrator user with an unattended robot: %v", err)
	}
	var groupIDs []string
	for range 3 {
		g := NewGroup{ID: uuid.NewString(), Name: fmt.Sprintf("hooked-%d", len(groupIDs))}
		if err := a.CreateGroup(ctx, g, nil); err != nil {
			t.Fatal(err)
		}
		groupIDs = append(groupIDs, g.ID)
	}
	pw := secret.New("Hooked-Pass-2345")
	writes := []struct {
		name  string
		write func(before BeforeSend) error
	}{
		{"UpdateUser", func(b BeforeSend) error {
			return a.UpdateUser(ctx, users[0].ID, UserUpdate{Name: new("Hooked")}, b)
		}},
		{"ChangePassword", func(b BeforeSend) error {
			return a.ChangePassword(ctx, users[1].ID, secret.New(emu.PasswordOf(users[1].ID)), pw, b)
		}},
		{"UpdateRobot", func(b BeforeSend) error { return a.UpdateRobot(ctx, robots[0].ID, RobotUpdate{}, b) }},
		{"SetRobotCredentials", func(b BeforeSend) error { return a.SetRobotCredentials(ctx, orch, "", pw, b) }},
		{"CreateUser", func(b BeforeSend) error {
			return a.CreateUser(ctx, NewUser{ID: uuid.NewString(), Email: "hooked@example.com", Password: pw}, b)
		}},
		{"CreateRobot", func(b BeforeSend) error { return a.CreateRobot(ctx, NewRobot{Name: "hooked-robot"}, b) }},
		{"CreateGroup", func(b BeforeSend) error {
			return a.CreateGroup(ctx, NewGroup{ID: uuid.NewString(), Name: "hooked-new"}, b)
		}},
		{"UpdateGroupMembers", func(b BeforeSend) error {
			return a.UpdateGroupMembers(ctx, Group{ID: groupIDs[0], Name: "hooked-0"}, []string{users[0].ID}, nil, b)
		}},
		{"DeleteUsers (one)", func(b BeforeSend) error { return a.DeleteUsers(ctx, []string{users[2].ID}, b) }},
		{"DeleteUsers (bulk)", func(b BeforeSend) error { return a.DeleteUsers(ctx, []string{users[3].ID, users[0].ID}, b) }},
		{"DeleteRobots (one)", func(b BeforeSend) error { return a.DeleteRobots(ctx, []string{robots[1].ID}, b) }},
		{"DeleteRobots (bulk)", func(b BeforeSend) error {
			return a.DeleteRobots(ctx, []string{robots[2].ID, robots[3].ID}, b)
		}},
		{"DeleteGroups (one)", func(b BeforeSend) error { return a.DeleteGroups(ctx, groupIDs[:1], b) }},
		{"DeleteGroups (bulk)", func(b BeforeSend) error { return a.DeleteGroups(ctx, groupIDs[1:], b) }},
	}
	refused := errors.New("cannot record")
	for _, w := range writes {
		before := sent(emu)
		if err := w.write(func() error { return refused }); !errors.Is(err, refused) || sent(emu) != before {
			t.Errorf("%s with a failing hook: %v, %d writes sent; want the hook's error and none", w.name, err, sent(emu)-before)
		}
		runs := 0
		if err := w.write(func() error { runs++; return nil }); err != nil || runs != 1 || sent(emu) != before+1 {
			t.Errorf("%s: %v, hook ran %d times, %d writes sent; want success, once, one", w.name, err, runs, sent(emu)-before)
		}
	}
}

// sent counts the writes the emulator was sent: every request but a GET
// (the token requests are not counted).
func sent(emu *emulator.Server) int {
	n := 0
	for method, count := range emu.Counts() {
		if method != "GET" {
			n += count
		}
	}
	return n
}
