package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// apiTime decodes the timestamps UiPath sends: RFC 3339, with or without
// a zone (a missing zone is UTC), any number of fractional digits, or null.
type apiTime struct{ t *time.Time }

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02"}

// UnmarshalJSON accepts the forms listed on apiTime.
func (a *apiTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || len(b) == 0 {
		a.t = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			a.t = &t
			return nil
		}
	}
	return fmt.Errorf("timestamp %q: unknown format", s)
}

// identityResult is the body of PUT /api/User and POST changepassword.
type identityResult struct {
	Succeeded *bool           `json:"succeeded"`
	Errors    json.RawMessage `json:"errors"`
}

// identitySucceeded is the body ASP.NET Identity answers for a success.
var identitySucceeded = []byte(`{"succeeded":true,"errors":[]}`)

// decodeBody decodes an IdentityResult, without encoding/json for the
// canonical success (the answer to nearly every request of a run).
func (r *identityResult) decodeBody(body []byte) error {
	if bytes.Equal(bytes.TrimSpace(body), identitySucceeded) {
		ok := true
		*r = identityResult{Succeeded: &ok, Errors: json.RawMessage("[]")}
		return nil
	}
	type plain identityResult
	return json.Unmarshal(body, (*plain)(r))
}

// check turns a 2xx IdentityResult with succeeded:false into an *Error.
func (r identityResult) check(resp *http.Response) error {
	if r.Succeeded == nil || *r.Succeeded {
		return nil
	}
	e := &Error{StatusCode: resp.StatusCode, Method: resp.Request.Method, Path: resp.Request.URL.Path}
	parseIdentityErrors(e, r.Errors)
	e.TraceID = traceFromHeader(resp.Header)
	return e
}

// pageQuery encodes searchTerm/top/skip.
func pageQuery(o listOptions) url.Values {
	q := url.Values{}
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

// joinURL appends path segments (already escaped where needed) to base.
func joinURL(base string, parts ...string) string {
	return strings.TrimRight(base, "/") + "/" + strings.Join(parts, "/")
}

// withQuery adds q to u.
func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
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

type listTotalKey struct{}

// WithListTotal returns a context under which a walk through a whole
// Identity list (UsersService.All, RobotAccountsService.All) hands fn the
// list's total count, as its first page says, before any item: an error
// from fn stops the walk there, one request in, and is returned as is.
func WithListTotal(ctx context.Context, fn func(total int64) error) context.Context {
	return context.WithValue(ctx, listTotalKey{}, fn)
}

// walkPages calls fn for every item list returns for searchTerm, reading
// maxPageSize at a time until a short page or the total count. Once the
// first page has said the total, the pages after it are read a few at a
// time (each through the budget like any request) and handed on in
// order: a long list no longer costs one round trip after another. An
// error from fn stops the walk and is returned as is.
func walkPages[T any](ctx context.Context, searchTerm string, list func(context.Context, listOptions) (page[T], error), fn func(T) error) error {
	total, _ := ctx.Value(listTotalKey{}).(func(int64) error)
	read := func(ctx context.Context, skip int) (page[T], error) {
		return list(ctx, listOptions{SearchTerm: searchTerm, Top: maxPageSize, Skip: skip})
	}
	deliver := func(p page[T]) error {
		for _, it := range p.Results {
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
	for {
		if err := deliver(p); err != nil {
			return err
		}
		seen += len(p.Results)
		if pageDone(len(p.Results), maxPageSize, seen, p.TotalCount) {
			return nil
		}
		if p.TotalCount <= 0 || len(p.Results) < maxPageSize {
			// No total, or pages shorter than asked: one after another,
			// each from what was seen.
			if p, err = read(ctx, seen); err != nil {
				return err
			}
			continue
		}
		// The next pages at once, up to pagesAtOnce, then in order.
		n := min(pagesAtOnce, int((p.TotalCount-int64(seen)+maxPageSize-1)/maxPageSize))
		pages := make([]page[T], n)
		g, gctx := errgroup.WithContext(ctx)
		for k := range n {
			g.Go(func() (err error) {
				pages[k], err = read(gctx, seen+k*maxPageSize)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		p = pages[n-1]
		for _, q := range pages[:n-1] {
			if len(q.Results) < maxPageSize {
				// Short before the end (the list shrank, or pages are
				// capped): what follows it may not be where it was asked.
				p = q
				break
			}
			if err := deliver(q); err != nil {
				return err
			}
			seen += len(q.Results)
		}
	}
}

// pagesAtOnce is how many pages of a long list are read at once.
const pagesAtOnce = 4
