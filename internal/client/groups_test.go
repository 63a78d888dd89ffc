package client

import (
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

func TestGroupsListInOneRequest(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 3})
	c := newTestClient(t, s)
	ctx := testContext(t)
	before := s.Counts()["GET"]
	groups, err := c.Groups.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Counts()["GET"] - before; n != 1 {
		t.Fatalf("the group list cost %d GETs, want 1", n)
	}
	want := s.Groups()
	if len(groups) != len(want) {
		t.Fatalf("List = %d groups, want %d", len(groups), len(want))
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	for _, g := range want {
		if names[g.ID] != g.Name {
			t.Fatalf("group %s: name %q, want %q", g.ID, names[g.ID], g.Name)
		}
	}
}
