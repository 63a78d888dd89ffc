package client

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

func TestGroupsListInOneRequest(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 3, SpecShapes: spec})
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
			if want := map[bool]string{true: "custom", false: "builtIn"}[g.ID == groupFinance]; g.Type != want {
				t.Errorf("group %s (%s): type %q, want %q", g.Name, g.ID, g.Type, want)
			}
		}
		for _, g := range want {
			if names[g.ID] != g.Name {
				t.Fatalf("group %s: name %q, want %q", g.ID, names[g.ID], g.Name)
			}
		}
	})
}

// A group created without an id is sent with one the client generated
// (the live service refuses a create without), and comes back with it.
func TestGroupCreateGeneratesAnID(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 1, SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
		g, err := c.Groups.Create(testContext(t), NewGroup{Name: "Night shift"})
		if err != nil {
			t.Fatal(err)
		}
		if !guidText.MatchString(g.ID) || g.Name != "Night shift" || g.Type != "custom" {
			t.Fatalf("created %+v", g)
		}
		post := rec.find(http.MethodPost)
		if post == nil || !strings.Contains(post.body, `"id":"`+g.ID+`"`) {
			t.Fatalf("POST body without the id %s: %+v", g.ID, post)
		}
	})
}

// guidText is a version 4 GUID in its usual text form.
var guidText = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
