package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
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

// The read of a page starts as soon as the oldest page read ahead is
// handed on, not after a whole batch: here the page at 4,000 is answered
// only once the page at 5,000 has been asked for, which batches of four
// (1,000 to 4,000, then 5,000 on) never do.
func TestWalkPagesKeepsReadingAheadWhileItHandsPagesOn(t *testing.T) {
	const n = 8000
	asked5000 := make(chan struct{})
	var once sync.Once
	list := func(ctx context.Context, o listOptions) (page[int], error) {
		switch o.Skip {
		case 5000:
			once.Do(func() { close(asked5000) })
		case 4000:
			select {
			case <-asked5000:
			case <-time.After(5 * time.Second):
				return page[int]{}, errors.New("the page at 5,000 was not asked for while the one at 4,000 was read")
			case <-ctx.Done():
				return page[int]{}, ctx.Err()
			}
		}
		p := page[int]{TotalCount: n}
		for i := o.Skip; i < n && i < o.Skip+o.Top; i++ {
			p.Results = append(p.Results, i)
		}
		return p, nil
	}
	got := 0
	err := walkPages(context.Background(), "", list, nil, nil, func(i int) error {
		if i != got {
			return fmt.Errorf("item %d handed on as %d", got, i)
		}
		got++
		return nil
	})
	if err != nil || got != n {
		t.Fatalf("walk: %v after %d of %d items", err, got, n)
	}
}

// A walk that stops (fn's error) returns only once the pages it read
// ahead are done with: nothing is read after it returns.
func TestWalkPagesStoppedLeavesNoReadBehind(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	list := func(ctx context.Context, o listOptions) (page[int], error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		time.Sleep(5 * time.Millisecond)
		p := page[int]{TotalCount: 100000}
		for i := o.Skip; i < o.Skip+o.Top; i++ {
			p.Results = append(p.Results, i)
		}
		return p, nil
	}
	stop := errors.New("enough")
	err := walkPages(context.Background(), "", list, nil, nil, func(i int) error {
		if i == 2500 {
			return stop
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if !errors.Is(err, stop) || inFlight != 0 {
		t.Fatalf("walk returned %v with %d reads still under way", err, inFlight)
	}
	if most > pagesAtOnce {
		t.Errorf("%d pages read at once, want at most %d", most, pagesAtOnce)
	}
}
