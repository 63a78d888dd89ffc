package emulator

// pageOf walks items in order and returns, of those match accepts (all
// when match is nil), top after the first skip as dto shapes them, and
// how many it accepts in all (the list's total count). The caller holds
// the store's lock.
func pageOf[K comparable, T, D any](order []K, items map[K]*T, skip, top int, match func(*T) bool, dto func(*T) D) ([]D, int) {
	out := []D{}
	if match == nil {
		// Every item: the page is a slice of the order, whatever the list's length.
		for _, k := range order[min(skip, len(order)):min(skip+top, len(order))] {
			out = append(out, dto(items[k]))
		}
		return out, len(order)
	}
	count := 0
	for _, k := range order {
		it := items[k]
		if !match(it) {
			continue
		}
		if count >= skip && len(out) < top {
			out = append(out, dto(it))
		}
		count++
	}
	return out, count
}

// identityPage is the body of an Identity list (a PagedResultDto).
type identityPage[D any] struct {
	TotalCount int64 `json:"totalCount"`
	Results    []D   `json:"results"`
}

// cloneAll returns a copy of every item, in order. The caller holds the
// store's lock.
func cloneAll[K comparable, T, V any](order []K, items map[K]*T, clone func(*T) V) []V {
	out := make([]V, 0, len(order))
	for _, k := range order {
		out = append(out, clone(items[k]))
	}
	return out
}
