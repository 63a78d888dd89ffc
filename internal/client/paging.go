package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// pageQuery encodes searchTerm/top/skip, always with sortBy=Id: without a
// stable order the server's pages are not slices of one list, and records
// are skipped or doubled between them.
func pageQuery(o listOptions) url.Values {
	q := url.Values{"sortBy": {identitySortBy}}
	if o.SearchTerm != "" {
		q.Set("searchTerm", o.SearchTerm)
	}
	if o.Top > 0 {
		q.Set("top", strconv.Itoa(o.Top))
	}
	if o.Skip > 0 {
		q.Set("skip", strconv.Itoa(o.Skip))
	}
	return q
}

// identitySortBy is the field Identity lists are paged in the order of.
const identitySortBy = "Id"

// listOptions pages an Identity list. Top is at most 1000 (the server's
// default is 10).
type listOptions struct {
	SearchTerm string
	Top        int
	Skip       int
}

// maxPageSize is the largest page Identity serves.
const maxPageSize = 1000

// page is one page of an Identity list.
type page[T any] struct {
	TotalCount int64 `json:"totalCount"`
	Results    []T   `json:"results"`
}

// pageDone reports whether paging should stop after a page of n results
// (top asked for) with seen in all. A total the server gave decides: a
// server that caps its pages below top answers short pages before the
// end. Without one, a short page is the last.
func pageDone(n, top, seen int, total int64) bool {
	if total > 0 {
		return n == 0 || int64(seen) >= total
	}
	return n == 0 || n < top
}

// listPage reads one page of a partition's Identity list: GET on the
// Identity base joined with parts and the partition's id.
func listPage[T any](ctx context.Context, c *Client, opts listOptions, parts ...string) (page[T], error) {
	var p page[T]
	partition, err := c.PartitionID(ctx)
	if err != nil {
		return p, err
	}
	u := joinURL(c.endpoints.Identity, append(parts, url.PathEscape(partition))...)
	req, err := c.NewRequest(ctx, http.MethodGet, withQuery(u, pageQuery(opts)), nil)
	if err != nil {
		return p, err
	}
	_, err = c.Do(req, &p)
	return p, err
}

// findOne walks the server's fuzzy matches for value and returns the one
// item match accepts; a *LookupError when there is none or several.
func findOne[T any](ctx context.Context, walk func(context.Context, string, func(T) error) error, resource, by, value string, match func(T) bool) (T, error) {
	var found []T
	err := walk(ctx, value, func(it T) error {
		if match(it) {
			found = append(found, it)
		}
		return nil
	})
	if err != nil || len(found) != 1 {
		var zero T
		if err == nil {
			err = &LookupError{Resource: resource, By: by, Value: value, Matches: len(found)}
		}
		return zero, err
	}
	return found[0], nil
}

// A ListOption changes how a walk through a whole Identity list
// (UsersService.All, RobotAccountsService.All) goes.
type ListOption func(*walkOptions)

// walkOptions are what the ListOptions of one walk ask.
type walkOptions struct {
	total func(int64) error // nil: none
}

// ListTotal hands fn the list's total count, as its first page says,
// before any item: an error from fn stops the walk there, one request in,
// and is returned as is. A first page without a total never calls fn.
func ListTotal(fn func(total int64) error) ListOption {
	return func(o *walkOptions) { o.total = fn }
}

// totalOf returns the ListTotal hook of opts, or nil.
func totalOf(opts []ListOption) func(int64) error {
	var o walkOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o.total
}

// walkPages calls fn for every item list returns for searchTerm, reading
// maxPageSize at a time until a short page or the total count; total, if
// not nil, is told the total count first (see ListTotal). Once the
// first page has said the total, the pages after it are read a few at a
// time (each through the budget like any request) and handed on in
// order: a long list no longer costs one round trip after another. An
// error from fn stops the walk and is returned as is.
//
// With id non-nil, an item whose id was in the page handed on just before
// (or earlier in its own page) is skipped: records added before the read
// position while the list is read shift it forward, and the last records
// of a page come back at the start of the next. (Records deleted there
// shift it back, and one record can be missed: no client sees that
// without reading again.) Only two pages of ids are kept, whatever the
// list's length; the skip of each page still counts every record read.
func walkPages[T any](ctx context.Context, searchTerm string, list func(context.Context, listOptions) (page[T], error), id func(T) string, total func(int64) error, fn func(T) error) error {
	read := func(ctx context.Context, skip int) (page[T], error) {
		return list(ctx, listOptions{SearchTerm: searchTerm, Top: maxPageSize, Skip: skip})
	}
	var seenIDs pageIDs
	deliver := func(p page[T]) error {
		seenIDs.next()
		for _, it := range p.Results {
			if id != nil && !seenIDs.add(id(it)) {
				continue
			}
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
	p, err := read(ctx, 0)
	if err != nil {
		return err
	}
	if total != nil && p.TotalCount > 0 {
		if err := total(p.TotalCount); err != nil {
			return err
		}
	}
	seen := 0
	ahead := readAhead[T]{parent: ctx, read: read}
	defer ahead.stop()
	for {
		if err := deliver(p); err != nil {
			return err
		}
		seen += len(p.Results)
		if pageDone(len(p.Results), maxPageSize, seen, p.TotalCount) {
			return nil
		}
		if p.TotalCount <= 0 || len(p.Results) < maxPageSize {
			// No total, or pages shorter than asked (the list shrank, or
			// pages are capped): what was read ahead may not be where it
			// was asked, so one page after another, each from what was
			// seen.
			ahead.stop()
			if p, err = read(ctx, seen); err != nil {
				return err
			}
			continue
		}
		if p, err = ahead.next(seen, p.TotalCount); err != nil {
			return err
		}
	}
}

// readAhead reads the pages after the one being handed on, up to
// pagesAtOnce at a time: as soon as the oldest is handed on, the read of
// the next is started, so that a long list's pages follow one another
// without a pause between batches. Pages are asked by skip, in order.
type readAhead[T any] struct {
	parent  context.Context
	read    func(context.Context, int) (page[T], error)
	cancel  context.CancelFunc
	ctx     context.Context
	pending []pendingPage[T] // oldest first
	skip    int              // of the next read to start
}

// pendingPage is a page being read.
type pendingPage[T any] struct {
	skip int
	done chan pageRead[T] // receives once
}

type pageRead[T any] struct {
	p   page[T]
	err error
}

// next returns the page at skip, after starting the reads of the pages
// that follow it in a list of total items.
func (a *readAhead[T]) next(skip int, total int64) (page[T], error) {
	if len(a.pending) == 0 || a.pending[0].skip != skip {
		a.stop()
		a.skip = skip
	}
	if a.ctx == nil {
		a.ctx, a.cancel = context.WithCancel(a.parent)
	}
	for len(a.pending) < pagesAtOnce && (len(a.pending) == 0 || int64(a.skip) < total) {
		ctx, at, done := a.ctx, a.skip, make(chan pageRead[T], 1)
		go func() {
			p, err := a.read(ctx, at)
			done <- pageRead[T]{p, err}
		}()
		a.pending = append(a.pending, pendingPage[T]{skip: at, done: done})
		a.skip += maxPageSize
	}
	r := <-a.pending[0].done
	a.pending = a.pending[1:]
	return r.p, r.err
}

// stop abandons the reads under way and waits for them to end.
func (a *readAhead[T]) stop() {
	if a.cancel == nil {
		return
	}
	a.cancel()
	for _, pp := range a.pending {
		<-pp.done
	}
	a.pending, a.ctx, a.cancel = nil, nil, nil
}

// pagesAtOnce is how many pages of a long list are read at once.
const pagesAtOnce = 4

// pageIDs remembers the ids of the page being handed on and of the one
// before it: the bounded memory of walkPages' de-duplication.
type pageIDs struct{ prev, cur map[string]struct{} }

// next starts a new page: the current one becomes the previous.
func (s *pageIDs) next() {
	s.prev, s.cur = s.cur, s.prev
	if s.cur == nil {
		s.cur = make(map[string]struct{}) // grows with the page: a search's page is short
	}
	clear(s.cur)
}

// add records id and reports whether it is new to both pages. An empty id
// is always new (nothing to match it by).
func (s *pageIDs) add(id string) bool {
	if id == "" {
		return true
	}
	if _, dup := s.prev[id]; dup {
		return false
	}
	if _, dup := s.cur[id]; dup {
		return false
	}
	s.cur[id] = struct{}{}
	return true
}
