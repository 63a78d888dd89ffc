package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Live, types are integer codes, users have a category, a user in no
// groups has groupIDs null and groups' members are empty; in spec shapes
// the definitions' names, no category, [] and null.
func TestUserAndGroupShapes(t *testing.T) {
	seed := `users:
  - {userName: person, email: person@example.com, groupIDs: [6f1b7c2a-0d4e-4c1a-9b7e-000000000001]}
  - {userName: loner, email: loner@example.com}
  - {userName: dir.user, email: dir@example.com, type: directoryUser}
  - {userName: dir.group, type: DirectoryGroup}
  - {userName: svc, type: robotAccount}
  - {userName: app, type: application}
  - {userName: bot, type: robot}
groups: [{id: 7a0c0d3e-1111-4c1a-9b7e-000000000010, name: Sales}]
`
	for _, tc := range []struct {
		spec       bool
		types      []any
		categories []any
		noGroups   string
		builtIn    any
		custom     any
		members    string
	}{
		{spec: false, types: []any{0.0, 0.0, 2.0, 3.0, 4.0, 5.0, 1.0}, categories: []any{0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0},
			noGroups: "null", builtIn: 0.0, custom: 1.0, members: "[]"},
		{spec: true, types: []any{"user", "user", "directoryUser", "directoryGroup", "robotAccount", "application", "robot"},
			categories: []any{nil, nil, nil, nil, nil, nil, nil}, noGroups: "[]", builtIn: "builtIn", custom: "custom", members: "null"},
	} {
		h := startServer(t, Config{SeedFile: writeSeed(t, seed), SpecShapes: tc.spec})
		tok := h.token(t)
		resp, body := h.do(t, http.MethodGet, h.identity("/api/User/users/"+DefaultPartitionID+"?top=100&sortBy=Id"), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		var page struct {
			Results []map[string]json.RawMessage `json:"results"`
		}
		mustJSON(t, body, &page)
		byName := map[string]map[string]json.RawMessage{}
		for _, u := range page.Results {
			var name string
			mustJSON(t, u["userName"], &name)
			byName[name] = u
		}
		for i, name := range []string{"person", "loner", "dir.user", "dir.group", "svc", "app", "bot"} {
			u := byName[name]
			var typ, category any
			mustJSON(t, u["type"], &typ)
			raw, has := u["category"]
			if has {
				mustJSON(t, raw, &category)
			}
			if typ != tc.types[i] || has == tc.spec || category != tc.categories[i] {
				t.Fatalf("spec %v: %s answers type %s, category %s", tc.spec, name, u["type"], raw)
			}
		}
		if got := string(byName["loner"]["groupIDs"]); got != tc.noGroups {
			t.Fatalf("spec %v: a user in no groups has groupIDs %s, want %s", tc.spec, got, tc.noGroups)
		}
		loner := h.srv.Users()[1]
		resp, body = h.do(t, http.MethodGet, h.identity("/api/User/"+loner.ID), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"groupIDs":`+tc.noGroups) {
			t.Fatalf("spec %v: GET of a user in no groups: %s", tc.spec, body)
		}

		var groups []map[string]json.RawMessage
		resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		mustJSON(t, body, &groups)
		for _, g := range groups {
			var id string
			var typ any
			mustJSON(t, g["id"], &id)
			mustJSON(t, g["type"], &typ)
			want := tc.custom
			if builtInGroups[id] {
				want = tc.builtIn
			}
			if typ != want || string(g["members"]) != tc.members {
				t.Fatalf("spec %v: group %s answers type %s members %s", tc.spec, id, g["type"], g["members"])
			}
		}
		resp, body = h.do(t, http.MethodGet, h.identity("/api/Group/"+DefaultPartitionID+"/7a0c0d3e-1111-4c1a-9b7e-000000000010"), tok, "")
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(string(body), `"members":`+tc.members) {
			t.Fatalf("spec %v: GET of a group: %s", tc.spec, body)
		}
	}
}

// A create takes a user's type by name (any case) or by integer code, in
// both shapes; other values are refused on the field.
func TestCreateUserTypeByNameOrCode(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{SpecShapes: spec})
		tok := h.token(t)
		for i, typ := range []string{`1`, `"robotAccount"`, `"DIRECTORYUSER"`, `0`, `null`} {
			id := testGUID(i + 1)
			resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok,
				fmt.Sprintf(`{%s,"id":"%s","userName":"u%d","type":%s}`, partitionJSON, id, i, typ))
			wantStatus(t, resp, body, http.StatusOK)
			want := []string{"robot", "robotAccount", "directoryUser", "user", "user"}[i]
			if u, ok := h.srv.User(id); !ok || u.Type != want {
				t.Fatalf("type %s made %+v, want %s", typ, u, want)
			}
		}
		resp, body := h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok,
			`{`+partitionJSON+`,"users":[{"userName":"b1","type":5},{"userName":"b2","type":"application"}]}`)
		wantStatus(t, resp, body, http.StatusOK)
		for _, u := range h.srv.Users()[5:] {
			if u.Type != "application" {
				t.Fatalf("bulk created %+v", u)
			}
		}
		for _, typ := range []string{`6`, `-1`, `"alien"`, `""`} {
			resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok, `{`+partitionJSON+`,"userName":"bad","type":`+typ+`}`)
			wantProblem(t, resp, body, "type", "UserType")
		}
		for _, typ := range []string{`true`, `{"a":1}`, `[1]`} {
			resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok, `{`+partitionJSON+`,"userName":"bad","type":`+typ+`}`)
			wantStatus(t, resp, body, http.StatusBadRequest)
			var p problem
			mustJSON(t, body, &p)
			if len(p.Errors["type"]) != 1 {
				t.Fatalf("type %s: %s", typ, body)
			}
		}
		resp, body = h.do(t, http.MethodPost, h.identity("/api/User/BulkCreate"), tok, `{`+partitionJSON+`,"users":[{"userName":"b3","type":9}]}`)
		wantProblem(t, resp, body, "users[0].type", "UserType")
		if n := len(h.srv.Users()); n != 7 {
			t.Fatalf("%d users after the refusals", n)
		}
	})
}

// Live, POST /api/Group needs the client's id; in spec shapes one is made
// up. The id given is the group's; an id in use is refused.
func TestCreateGroupID(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{SpecShapes: spec})
		tok := h.token(t)
		for i, id := range []string{``, `,"id":null`, `,"id":""`} {
			resp, body := h.do(t, http.MethodPost, h.identity("/api/Group"), tok, fmt.Sprintf(`{%s%s,"name":"G%d"}`, partitionJSON, id, i))
			if !spec {
				wantProblem(t, resp, body, "id", "The Id field is required.")
				continue
			}
			wantStatus(t, resp, body, http.StatusCreated)
			var g groupAnswer
			mustJSON(t, body, &g)
			if !isGUID(g.ID) {
				t.Fatalf("made-up id %s", body)
			}
		}
		resp, body := h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"id":"`+strings.ToUpper(testGUID(1))+`","name":"Mine"}`)
		wantStatus(t, resp, body, http.StatusCreated)
		var g groupAnswer
		mustJSON(t, body, &g)
		if g.ID != testGUID(1) || g.Name != "Mine" {
			t.Fatalf("created %s", body)
		}
		resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"id":"`+testGUID(1)+`","name":"Other"}`)
		wantProblem(t, resp, body, "id", "already exists")
		resp, body = h.do(t, http.MethodPost, h.identity("/api/Group"), tok, `{`+partitionJSON+`,"id":"`+GroupEveryone+`","name":"Other"}`)
		wantProblem(t, resp, body, "id", "already exists")
		want := 5
		if spec {
			want = 8
		}
		if n := len(h.srv.Groups()); n != want {
			t.Fatalf("%d groups, want %d", n, want)
		}
	})
}

// Live, a bulk group delete without ids deletes every local group, as
// one UiPath page describes; in spec shapes it is refused.
func TestBulkGroupDeleteWithoutIDs(t *testing.T) {
	for _, body := range []string{"", `{}`, `{"groupIDs":[]}`, `{"groupIDs":null}`} {
		inBothShapes(t, func(t *testing.T, spec bool) {
			h := startServer(t, Config{Users: 3, Robots: 1, SeedFile: "testdata/seed.yaml", SpecShapes: spec})
			tok := h.token(t)
			resp, answer := h.do(t, http.MethodDelete, h.identity("/api/Group/"+DefaultPartitionID), tok, body)
			if spec {
				wantStatus(t, resp, answer, http.StatusBadRequest)
				if len(h.srv.Groups()) != 6 {
					t.Fatalf("body %q: a refused delete changed the groups: %v", body, h.srv.Groups())
				}
				return
			}
			wantStatus(t, resp, answer, http.StatusOK)
			var names []string
			for _, g := range h.srv.Groups() {
				names = append(names, g.Name)
			}
			if !slices.Equal(names, []string{"Everyone", "Administrators", "Automation Users", "Automation Developers"}) {
				t.Fatalf("body %q: groups left %v", body, names)
			}
			if snap := h.srv.Snapshot(); len(snap.DeletedGroups) != 2 {
				t.Fatalf("body %q: deleted %v", body, snap.DeletedGroups)
			}
			for _, u := range h.srv.Users() {
				if slices.Contains(u.GroupIDs, GroupFinance) || slices.Contains(u.GroupIDs, "7a0c0d3e-1111-4c1a-9b7e-000000000010") {
					t.Fatalf("body %q: %s still in a deleted group", body, u.UserName)
				}
			}
		})
	}
}
