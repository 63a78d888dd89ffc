package emulator

import (
	"net/url"
	"slices"
	"strings"
)

// How an Identity list (users, robot accounts) is ordered and paged.
//
// With sortBy=Id the list is in id order (the lower-case GUID strings),
// ascending unless sortOrder=desc, and the same on every read. Without
// sortBy the list is in creation order; in spec shapes that order is
// stable too, but live it is not, as a database's unsorted query is not:
// a page read with skip > 0 sees the items at skip-1 and skip change
// places, so that a client walking pages without sortBy is handed the
// last item of the page before again and never sees the item at skip.
// The harm is deterministic, so a test can tell such a client.

// sortedIDs is an id-ordered index of a list: built at its first use
// (seeding a large organization sorts nothing) and kept in step with
// every create and delete after that. The caller holds the store's lock.
type sortedIDs struct {
	ids   []string
	built bool
}

// add puts id in its place, once the index is built.
func (x *sortedIDs) add(id string) {
	if !x.built {
		return
	}
	i, found := slices.BinarySearch(x.ids, id)
	if !found {
		x.ids = slices.Insert(x.ids, i, id)
	}
}

// remove takes the ids gone reports out, once the index is built.
func (x *sortedIDs) remove(gone func(string) bool) {
	if x.built {
		x.ids = slices.DeleteFunc(x.ids, gone)
	}
}

// build sorts order into the index unless it is built already. The
// caller holds the store's write lock.
func (x *sortedIDs) build(order []string) {
	if x.built {
		return
	}
	x.ids = slices.Clone(order)
	slices.Sort(x.ids)
	x.built = true
}

// listOrder is how one list request wants its items.
type listOrder struct {
	byID     bool // sortBy=Id
	desc     bool // sortOrder=desc (with byID)
	unstable bool // live shapes without sortBy: pages shift at their start
}

// queryValue returns the query parameter name, matched case-insensitively
// as ASP.NET binds it.
func queryValue(q url.Values, name string) string {
	if v, ok := q[name]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// listOrdering reads sortBy and sortOrder; it answers 400 problem
// details for a sortBy the emulator does not sort by (only Id) or a
// sortOrder other than asc or desc.
func (s *Server) listOrdering(c *call) (listOrder, bool) {
	q := c.r.URL.Query()
	by, order := queryValue(q, "sortBy"), queryValue(q, "sortOrder")
	var o listOrder
	switch {
	case by == "":
		o.unstable = !s.cfg.SpecShapes
	case strings.EqualFold(by, "Id"):
		o.byID = true
	default:
		c.validationProblem("sortBy", "The emulator sorts by Id only; '"+by+"' is not emulated.")
		return o, false
	}
	switch {
	case order == "" || strings.EqualFold(order, "asc"):
	case strings.EqualFold(order, "desc"):
		o.desc = o.byID
	default:
		c.validationProblem("sortOrder", "The value '"+order+"' is not valid.")
		return o, false
	}
	return o, true
}

// listView is a list's ids in the order a request reads them.
type listView struct {
	ids  []string
	desc bool
}

func (v listView) len() int { return len(v.ids) }

func (v listView) at(i int) string {
	if v.desc {
		return v.ids[len(v.ids)-1-i]
	}
	return v.ids[i]
}

// view returns the ids of a list in the order o asks for: the id index
// (which the caller has built with store.buildIndex) or the creation
// order. The caller holds the store's lock.
func (o listOrder) view(order []string, sorted *sortedIDs) listView {
	if !o.byID {
		return listView{ids: order}
	}
	return listView{ids: sorted.ids, desc: o.desc}
}

// buildIndex builds the id index x of the list in *order unless it is
// built already, under the store's write lock; once built it stays so.
func (st *store) buildIndex(x *sortedIDs, order *[]string) {
	st.mu.RLock()
	built := x.built
	st.mu.RUnlock()
	if built {
		return
	}
	st.mu.Lock()
	x.build(*order)
	st.mu.Unlock()
}

// pageView returns the ids of the page after skip, at most top, of those
// in v that match accepts (all when match is nil), and how many it
// accepts in all. An unfiltered page costs its length, not the list's.
// With shift, a page with skip > 0 starts with the item before the
// boundary instead of the one at it (see listOrder).
func pageView[T any](v listView, items map[string]*T, skip, top int, match func(*T) bool, shift bool) ([]*T, int) {
	shift = shift && skip > 0 && top > 0
	lo := skip
	if shift {
		lo = skip - 1
	}
	var window []*T // the accepted items at positions lo .. skip+top-1
	total := 0
	if match == nil {
		total = v.len()
		for i := min(lo, total); i < min(skip+top, total); i++ {
			window = append(window, items[v.at(i)])
		}
	} else {
		for i := 0; i < v.len(); i++ {
			it := items[v.at(i)]
			if !match(it) {
				continue
			}
			if total >= lo && total < skip+top {
				window = append(window, it)
			}
			total++
		}
	}
	switch {
	case shift && skip < total:
		// Positions skip-1 and skip changed places: the page holds the
		// item at skip-1, then those after skip.
		return append(window[:1], window[2:]...), total
	case shift && len(window) > 0:
		return window[1:], total
	}
	return window, total
}
