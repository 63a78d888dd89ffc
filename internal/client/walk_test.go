package client

import (
	"context"
	"sync"
	"testing"
)

// capped is a list of n items served at most max a page, with its total
// count when withTotal, counting the pages read.
func capped(n, max int, withTotal bool, reads *int, mu *sync.Mutex) func(context.Context, listOptions) (page[int], error) {
	return func(_ context.Context, o listOptions) (page[int], error) {
		mu.Lock()
		*reads++
		mu.Unlock()
		var p page[int]
		for i := o.Skip; i < n && i < o.Skip+min(o.Top, max); i++ {
			p.Results = append(p.Results, i)
		}
		if withTotal {
			p.TotalCount = int64(n)
		}
		return p, nil
	}
}

// A server that caps its pages below what was asked still gives every
// item, once and in order, when it says the total; full pages are read a
// few at a time and handed on in order.
func TestWalkPagesReadsEveryItemOfCappedOrLongLists(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, max     int
		withTotal  bool
		want, maxR int
	}{
		{"capped at 500 with a total", 2300, 500, true, 2300, 6},
		{"full pages with a total", 4321, 1000, true, 4321, 9},
		{"no total: a short page ends it", 2300, 500, false, 500, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			reads := 0
			var got []int
			err := walkPages(context.Background(), "", capped(tc.n, tc.max, tc.withTotal, &reads, &mu), nil, nil, func(i int) error {
				got = append(got, i)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("%d items, want %d", len(got), tc.want)
			}
			for i, v := range got {
				if v != i {
					t.Fatalf("item %d is %d: not each once in order", i, v)
				}
			}
			if reads > tc.maxR {
				t.Errorf("%d pages read, want at most %d", reads, tc.maxR)
			}
		})
	}
}
