package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// shiftingUsers serves a user list sorted by id whose records shift by one
// after the first page is read (a user created before the others, in the
// server's order): the last record of each page comes back first on the
// next. It answers only pages asked with sortBy=Id.
type shiftingUsers struct {
	n int

	mu      sync.Mutex
	reads   int
	shifted bool
	unsort  int
}

func (s *shiftingUsers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("skip"))
	top, _ := strconv.Atoi(q.Get("top"))
	s.mu.Lock()
	s.reads++
	if q.Get("sortBy") != "Id" {
		s.unsort++
	}
	shift := 0
	if s.shifted {
		shift = 1
	}
	s.shifted = true
	s.mu.Unlock()
	// Position 0 holds the new user once shifted; the old ones follow.
	p := page[map[string]any]{TotalCount: int64(s.n + shift)}
	for i := skip; i < skip+top && i < s.n+shift; i++ {
		k := i - shift
		id := "new"
		if k >= 0 {
			id = fmt.Sprintf("00000000-0000-4000-8000-%012d", k)
		}
		p.Results = append(p.Results, map[string]any{"id": id, "userName": id, "type": 0, "groupIDs": nil})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(p)
}

// A list that shifts while it is read hands on every user once: the pages
// are asked sorted by id, and a record met again at a page boundary is
// skipped, whether the pages are read one after another or four at once.
func TestWalkSortsAndSkipsBoundaryDuplicates(t *testing.T) {
	for _, n := range []int{2500, 4000, 9000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			srv := &shiftingUsers{n: n}
			c := stubClient(t, canned{})
			c.endpoints.Identity = stubServer(t, srv.ServeHTTP)
			seen := map[string]int{}
			err := c.Users.All(testContext(t), func(u User) error {
				seen[u.ID]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
				if seen[id] != 1 {
					t.Fatalf("user %s handed on %d times", id, seen[id])
				}
			}
			if srv.unsort != 0 {
				t.Fatalf("%d of %d pages asked without sortBy=Id", srv.unsort, srv.reads)
			}
		})
	}
}

// The de-duplication remembers two pages of ids, never the whole list.
func TestPageIDsAreBounded(t *testing.T) {
	var ids pageIDs
	for p := range 50 {
		ids.next()
		for i := range maxPageSize {
			if !ids.add(strconv.Itoa(p*maxPageSize + i)) {
				t.Fatalf("id %d of page %d taken for a repeat", i, p)
			}
		}
		if !ids.add("") {
			t.Fatal("an empty id was skipped")
		}
		if len(ids.prev)+len(ids.cur) > 2*maxPageSize {
			t.Fatalf("%d ids kept after page %d", len(ids.prev)+len(ids.cur), p)
		}
	}
	ids.next()
	if ids.add(strconv.Itoa(49*maxPageSize+7)) || !ids.add(strconv.Itoa(48*maxPageSize+7)) {
		t.Fatal("only the previous page's ids are repeats")
	}
}

// walkPages without an id function hands on every item as served.
func TestWalkPagesWithoutIDsKeepsRepeats(t *testing.T) {
	list := func(_ context.Context, o listOptions) (page[int], error) {
		if o.Skip > 0 {
			return page[int]{TotalCount: 2}, nil
		}
		return page[int]{TotalCount: 2, Results: []int{7, 7}}, nil
	}
	var got []int
	if err := walkPages(context.Background(), "", list, nil, nil, func(i int) error { got = append(got, i); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
}
