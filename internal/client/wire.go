package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/uipath-batch/batch/internal/secret"
)

// identityResult is the answer to POST and PUT /api/User and POST
// changepassword.
type identityResult struct {
	Succeeded *bool           `json:"succeeded"`
	Errors    json.RawMessage `json:"errors"`
}

// identitySucceeded is the body ASP.NET Identity answers for a success;
// succeeded and noErrors are its fields, shared by every answer decoded
// from it (nothing changes them).
var (
	identitySucceeded = []byte(`{"succeeded":true,"errors":[]}`)
	succeeded         = true
	noErrors          = json.RawMessage("[]")
)

// decodeBody decodes an IdentityResult, without encoding/json and
// without allocating for the canonical success (the answer to nearly
// every request of a run).
func (r *identityResult) decodeBody(body []byte) error {
	if bytes.Equal(bytes.TrimSpace(body), identitySucceeded) {
		*r = identityResult{Succeeded: &succeeded, Errors: noErrors}
		return nil
	}
	type plain identityResult
	return json.Unmarshal(body, (*plain)(r))
}

// sendIdentity sends a request of method to urlStr with body, whose
// answer is an IdentityResult: secrets are what the body carries (scrubbed
// from any server message kept in an error), and a 2xx answer saying
// succeeded:false is an *Error.
func (c *Client) sendIdentity(ctx context.Context, method, urlStr string, body any, secrets []secret.Value, opts ...WriteOption) error {
	req, err := c.NewRequest(ctx, method, urlStr, body)
	if err != nil {
		return err
	}
	var res identityResult
	resp, err := c.do(req, &res, secrets, opts...)
	if err != nil {
		return err
	}
	return res.check(resp)
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

// joinURL appends path segments (already escaped where needed) to base,
// in one allocation.
func joinURL(base string, parts ...string) string {
	base = strings.TrimRight(base, "/")
	n := len(base) + max(len(parts), 1)
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(base)
	if len(parts) == 0 {
		b.WriteByte('/')
	}
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(p)
	}
	return b.String()
}

// withQuery adds q to u.
func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}
