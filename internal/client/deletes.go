package client

import (
	"context"
	"fmt"
	"net/http"
)

// deleteResult is the answer to a delete, single or bulk: 204 without a
// body, or 200 with none, with an IdentityResult, or with anything else.
// Every one is a success but an IdentityResult saying succeeded:false.
type deleteResult struct{ res identityResult }

// decodeBody reads an IdentityResult when the body is one and ignores any
// other body: a delete's answer is judged by its status.
func (r *deleteResult) decodeBody(body []byte) error {
	if r.res.decodeBody(body) != nil {
		r.res = identityResult{}
	}
	return nil
}

// sendDelete sends a DELETE to urlStr with body (nil: none). A 2xx answer
// is a success unless its body is an IdentityResult with succeeded:false.
func (c *Client) sendDelete(ctx context.Context, urlStr string, body any, opts ...WriteOption) error {
	req, err := c.NewRequest(ctx, http.MethodDelete, urlStr, body)
	if err != nil {
		return err
	}
	var res deleteResult
	resp, err := c.Do(req, &res, opts...)
	if err != nil {
		return err
	}
	return res.res.check(resp)
}

// checkBulkIDs refuses, before anything is sent, a bulk delete of what
// (users, robot accounts, groups) that names an empty id: a request must
// name every record it deletes. An empty list is the callers' to skip.
func checkBulkIDs(what string, ids []string) error {
	for i, id := range ids {
		if id == "" {
			return &kindError{KindValidation, fmt.Errorf("bulk delete of %d %s: id %d is empty (nothing was sent)", len(ids), what, i+1)}
		}
	}
	return nil
}
