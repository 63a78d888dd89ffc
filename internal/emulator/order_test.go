package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// listPage reads one page of the user or robot-account list.
func listPage(t *testing.T, h *harness, tok, list, query string) (ids []string, total int) {
	t.Helper()
	resp, body := h.do(t, http.MethodGet, h.identity("/api/"+list+"/"+DefaultPartitionID+"?"+query), tok, "")
	wantStatus(t, resp, body, http.StatusOK)
	var page struct {
		TotalCount int                   `json:"totalCount"`
		Results    []struct{ ID string } `json:"results"`
	}
	mustJSON(t, body, &page)
	for _, r := range page.Results {
		ids = append(ids, r.ID)
	}
	return ids, page.TotalCount
}

// walkPages reads a whole list page by page, as a client does, and
// returns every id it was handed, in order (duplicates kept).
func walkPages(t *testing.T, h *harness, tok, list, query string, top int) []string {
	t.Helper()
	var all []string
	for skip := 0; ; skip += top {
		ids, total := listPage(t, h, tok, list, fmt.Sprintf("top=%d&skip=%d%s", top, skip, query))
		all = append(all, ids...)
		if skip+top >= total {
			return all
		}
	}
}

const (
	usersList  = "User/users"
	robotsList = "RobotAccount"
)

// With sortBy=Id (any case, in name and value) a list is in id order,
// ascending or descending, and a page walk sees every item once, in
// both shapes; a filtered list too.
func TestSortByIDPagesStably(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{Users: 95, Robots: 23, SpecShapes: spec})
		tok := h.token(t)
		for _, tc := range []struct {
			list  string
			count int
			ids   func() []string
		}{
			{usersList, 95, func() (ids []string) {
				for _, u := range h.srv.Users() {
					ids = append(ids, u.ID)
				}
				return ids
			}},
			{robotsList, 23, func() (ids []string) {
				for _, r := range h.srv.RobotAccounts() {
					ids = append(ids, r.ID)
				}
				return ids
			}},
		} {
			want := tc.ids()
			slices.Sort(want)
			if slices.IsSorted(tc.ids()) {
				t.Fatal("the creation order is the id order: the test proves nothing")
			}
			for _, q := range []string{"&sortBy=Id", "&SORTBY=id&sortOrder=asc", "&sortby=ID&SortOrder=ASC"} {
				if got := walkPages(t, h, tok, tc.list, q, 7); !slices.Equal(got, want) {
					t.Fatalf("%s %s: walk %v, want %v", tc.list, q, got, want)
				}
			}
			desc := slices.Clone(want)
			slices.Reverse(desc)
			if got := walkPages(t, h, tok, tc.list, "&sortBy=Id&sortOrder=desc", 10); !slices.Equal(got, desc) {
				t.Fatalf("%s descending: walk %v, want %v", tc.list, got, desc)
			}
		}
		// Filtered: searchTerm 0002 finds user00002 and user00020..user00029.
		var want []string
		for _, u := range h.srv.Users() {
			if strings.Contains(u.UserName, "0002") {
				want = append(want, u.ID)
			}
		}
		slices.Sort(want)
		if got := walkPages(t, h, tok, usersList, "&sortBy=Id&searchTerm=0002", 3); len(want) != 11 || !slices.Equal(got, want) {
			t.Fatalf("filtered walk %v, want %v", got, want)
		}
	})
}

// Live, a list read page by page without sortBy hands the client one
// item twice and never shows another at every page boundary, as an
// unsorted query of the real service can; in spec shapes the creation
// order is stable.
func TestUnsortedPagesShiftLive(t *testing.T) {
	inBothShapes(t, func(t *testing.T, spec bool) {
		h := startServer(t, Config{Users: 50, Robots: 9, SpecShapes: spec})
		tok := h.token(t)
		var users, robots []string
		for _, u := range h.srv.Users() {
			users = append(users, u.ID)
		}
		for _, r := range h.srv.RobotAccounts() {
			robots = append(robots, r.ID)
		}
		for _, tc := range []struct {
			list, query string
			all         []string
			top         int
		}{
			{usersList, "", users, 10},
			{robotsList, "", robots, 4},
			{usersList, "&searchTerm=example.com", users, 20},
		} {
			got := walkPages(t, h, tok, tc.list, tc.query, tc.top)
			if spec {
				if !slices.Equal(got, tc.all) {
					t.Fatalf("%s%s: spec walk %v, want the creation order", tc.list, tc.query, got)
				}
				continue
			}
			// Each page after the first starts with the last item of the
			// one before, and the item at its boundary is never seen.
			want := []string{}
			for i, id := range tc.all {
				switch {
				case i > 0 && i%tc.top == 0:
					want = append(want, tc.all[i-1])
				default:
					want = append(want, id)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s%s: live walk %v, want %v", tc.list, tc.query, got, want)
			}
			seen := map[string]bool{}
			for _, id := range got {
				seen[id] = true
			}
			if len(got) != len(tc.all) || len(seen) >= len(tc.all) {
				t.Fatalf("%s%s: a walk without sortBy saw %d distinct of %d: the harm is not there", tc.list, tc.query, len(seen), len(tc.all))
			}
			// The same page read twice is the same: the harm is deterministic.
			a, _ := listPage(t, h, tok, tc.list, fmt.Sprintf("top=%d&skip=%d%s", tc.top, tc.top, tc.query))
			b, _ := listPage(t, h, tok, tc.list, fmt.Sprintf("top=%d&skip=%d%s", tc.top, tc.top, tc.query))
			if !slices.Equal(a, b) || a[0] != tc.all[tc.top-1] {
				t.Fatalf("%s%s: second page %v then %v", tc.list, tc.query, a, b)
			}
		}
		// The first page, and a page past the end, are as they are.
		if ids, total := listPage(t, h, tok, usersList, "top=10"); !slices.Equal(ids, users[:10]) || total != 50 {
			t.Fatalf("first page %v (%d)", ids, total)
		}
		if ids, _ := listPage(t, h, tok, usersList, "top=10&skip=50"); len(ids) != 0 {
			t.Fatalf("page past the end %v", ids)
		}
		if ids, _ := listPage(t, h, tok, usersList, "top=10&skip=45"); len(ids) != 5 {
			t.Fatalf("last page %v", ids)
		}
	})
}

// The id index follows creates and deletes after it is built.
func TestSortByIDFollowsCreatesAndDeletes(t *testing.T) {
	h := startServer(t, Config{Users: 20, Robots: 5})
	tok := h.token(t)
	sorted := func(list string) []string {
		ids, _ := listPage(t, h, tok, list, "top=1000&sortBy=Id")
		return ids
	}
	before := sorted(usersList)
	sorted(robotsList)
	for i, id := range []string{"00000000-0000-4000-8000-000000000001", "ffffffff-0000-4000-8000-000000000001", before[3][:30] + "00ab12"} {
		resp, body := h.do(t, http.MethodPost, h.identity("/api/User"), tok, fmt.Sprintf(`{%s,"id":"%s","userName":"new%d"}`, partitionJSON, id, i))
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := h.do(t, http.MethodDelete, h.identity("/api/User"), tok, `{`+partitionJSON+`,"userIds":["`+before[5]+`","`+before[6]+`"]}`)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = h.do(t, http.MethodPost, h.identity("/api/RobotAccount"), tok, `{`+partitionJSON+`,"name":"late-robot"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = h.do(t, http.MethodDelete, h.identity("/api/RobotAccount/"+DefaultPartitionID+"/"+h.srv.RobotAccounts()[0].ID), tok, "")
	wantStatus(t, resp, body, http.StatusOK)

	for _, tc := range []struct {
		list string
		ids  []string
	}{{usersList, idsOf(h.srv.Users())}, {robotsList, robotIDsOf(h.srv.RobotAccounts())}} {
		want := slices.Sorted(slices.Values(tc.ids))
		if got := sorted(tc.list); !slices.Equal(got, want) {
			t.Fatalf("%s after changes: %v, want %v", tc.list, got, want)
		}
	}
}

// Only Id is sorted by; a sortOrder is asc or desc.
func TestSortRefusals(t *testing.T) {
	h := startServer(t, Config{Users: 2, Robots: 1})
	tok := h.token(t)
	for _, tc := range []struct{ list, query, field string }{
		{usersList, "sortBy=UserName", "sortBy"},
		{robotsList, "sortBy=Name", "sortBy"},
		{usersList, "sortBy=Id&sortOrder=up", "sortOrder"},
		{robotsList, "sortOrder=sideways", "sortOrder"},
	} {
		resp, body := h.do(t, http.MethodGet, h.identity("/api/"+tc.list+"/"+DefaultPartitionID+"?"+tc.query), tok, "")
		wantStatus(t, resp, body, http.StatusBadRequest)
		var p problem
		mustJSON(t, body, &p)
		if len(p.Errors[tc.field]) != 1 {
			t.Fatalf("%s?%s: %s", tc.list, tc.query, body)
		}
	}
	// Query parameters are matched case-insensitively, as ASP.NET binds them.
	if ids, _ := listPage(t, h, tok, usersList, "TOP=1&Skip=1&SortBy=Id"); len(ids) != 1 {
		t.Fatalf("case-insensitive parameters: %v", ids)
	}
}

func idsOf(users []User) (ids []string) {
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids
}

func robotIDsOf(robots []RobotAccount) (ids []string) {
	for _, r := range robots {
		ids = append(ids, r.ID)
	}
	return ids
}
