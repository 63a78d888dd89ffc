package client

import (
	"net/http"
	"sync/atomic"
	"testing"
)

// A delete, single or bulk, succeeds on 204 and on 200 with or without a
// body; a 200 whose IdentityResult says succeeded:false fails.
func TestDeleteAnswers(t *testing.T) {
	const id = "0b3c2f7e-5d1a-4c1a-9b7e-00000000a001"
	calls := []struct {
		name string
		call func(*Client) error
	}{
		{"Users.Delete", func(c *Client) error { return c.Users.Delete(t.Context(), id) }},
		{"Users.BulkDelete", func(c *Client) error { return c.Users.BulkDelete(t.Context(), []string{id}) }},
		{"RobotAccounts.Delete", func(c *Client) error { return c.RobotAccounts.Delete(t.Context(), id) }},
		{"RobotAccounts.BulkDelete", func(c *Client) error { return c.RobotAccounts.BulkDelete(t.Context(), []string{id}) }},
		{"Groups.Delete", func(c *Client) error { return c.Groups.Delete(t.Context(), id) }},
		{"Groups.BulkDelete", func(c *Client) error { return c.Groups.BulkDelete(t.Context(), []string{id}) }},
	}
	for _, a := range []struct {
		name   string
		answer canned
		ok     bool
	}{
		{"204", canned{status: http.StatusNoContent}, true},
		{"200 empty", canned{status: http.StatusOK}, true},
		{"200 IdentityResult", canned{status: http.StatusOK, body: `{"succeeded":true,"errors":[]}`}, true},
		{"200 other JSON", canned{status: http.StatusOK, body: `[1,2]`}, true},
		{"200 text", canned{status: http.StatusOK, body: `Deleted`}, true},
		{"200 refused", canned{status: http.StatusOK, body: `{"succeeded":false,"errors":[{"code":"NotAllowed","description":"no"}]}`}, false},
	} {
		for _, call := range calls {
			err := call.call(stubClient(t, a.answer))
			if (err == nil) != a.ok {
				t.Errorf("%s answered %s: err = %v", call.name, a.name, err)
			}
		}
	}
}

// A bulk delete without ids sends nothing; one naming an empty id is
// refused before it is sent.
func TestBulkDeleteNeverSendsAnEmptyList(t *testing.T) {
	var sent atomic.Int32
	c := stubClient(t, canned{status: http.StatusNoContent})
	c.endpoints.Identity = stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := t.Context()
	for _, ids := range [][]string{nil, {}} {
		if err := c.Users.BulkDelete(ctx, ids); err != nil {
			t.Errorf("Users.BulkDelete(%v) = %v", ids, err)
		}
		if err := c.RobotAccounts.BulkDelete(ctx, ids); err != nil {
			t.Errorf("RobotAccounts.BulkDelete(%v) = %v", ids, err)
		}
		if err := c.Groups.BulkDelete(ctx, ids); err != nil {
			t.Errorf("Groups.BulkDelete(%v) = %v", ids, err)
		}
	}
	bad := []string{"0b3c2f7e-5d1a-4c1a-9b7e-00000000a001", ""}
	for name, err := range map[string]error{
		"users": c.Users.BulkDelete(ctx, bad), "robot accounts": c.RobotAccounts.BulkDelete(ctx, bad), "groups": c.Groups.BulkDelete(ctx, bad),
	} {
		if KindOf(err) != KindValidation {
			t.Errorf("bulk delete of %s with an empty id: %v", name, err)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
