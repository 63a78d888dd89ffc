package client

import (
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

func TestRobotAccounts(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 12, SpecShapes: spec})
		c := newTestClient(t, s)
		ctx := testContext(t)
		want := s.RobotAccounts()[4]

		got, err := c.RobotAccounts.Get(ctx, want.ID)
		if err != nil || got.Name != want.Name || got.ID != want.ID || len(got.GroupIDs) != len(want.GroupIDs) || got.CreationTime == nil {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, want)
		}
		page, err := c.RobotAccounts.list(ctx, listOptions{Top: 5})
		if err != nil || page.TotalCount != 12 || len(page.Results) != 5 {
			t.Fatalf("List = %d of %d, %v", len(page.Results), page.TotalCount, err)
		}
		n := 0
		if err := c.RobotAccounts.All(ctx, func(RobotAccount) error { n++; return nil }); err != nil || n != 12 {
			t.Fatalf("All saw %d, %v", n, err)
		}
		// "robot-001" fuzzily matches robot-001 and robot-010…; only the exact name counts.
		found, err := c.RobotAccounts.FindByName(ctx, "ROBOT-001")
		if err != nil || found.Name != "robot-001" {
			t.Fatalf("FindByName = %+v, %v", found, err)
		}
		if _, err := c.RobotAccounts.FindByName(ctx, "robot-999"); KindOf(err) != KindNotFound {
			t.Fatalf("FindByName of nothing = %v", err)
		}

		display := "Invoice bot"
		upd, err := c.RobotAccounts.Update(ctx, want.ID, UpdateRobotAccount{DisplayName: &display, GroupIDsToAdd: []string{groupFinance}})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		if upd.DisplayName != display || upd.Name != want.Name {
			t.Fatalf("Update returned %+v", upd)
		}
		for _, r := range s.RobotAccounts() {
			if r.ID == want.ID && (r.DisplayName != display || !contains(r.GroupIDs, groupFinance)) {
				t.Fatalf("server state after update: %+v", r)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
