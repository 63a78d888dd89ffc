package client

import (
	"errors"
	"net/http"
	"testing"
)

func TestCheckBulkRecognisesTheServersLimit(t *testing.T) {
	cases := []struct {
		name  string
		err   *Error
		count int
		match bool
		limit int
	}{
		{"field error naming the limit", &Error{StatusCode: 400, FieldErrors: map[string][]string{"userIds": {"A request may carry at most 100 ids; this one carries 150."}}}, 150, true, 100},
		{"message naming the limit", &Error{StatusCode: 400, Message: "You can delete at most 50 users at once"}, 51, true, 50},
		{"payload too large", &Error{StatusCode: http.StatusRequestEntityTooLarge}, 500, true, 0},
		{"a limit the request is within", &Error{StatusCode: 400, Message: "at most 100 ids"}, 100, false, 0},
		{"another refusal", &Error{StatusCode: 400, FieldErrors: map[string][]string{"userIds[3]": {"User 'x' does not exist in this organization."}}}, 150, false, 0},
		{"not a 400", &Error{StatusCode: 503, Message: "at most 10 requests"}, 150, false, 0},
	}
	for _, c := range cases {
		err := checkBulk(c.err, c.count)
		if errors.Is(err, ErrBulkTooLarge) != c.match {
			t.Errorf("%s: ErrBulkTooLarge = %v, want %v", c.name, !c.match, c.match)
		}
		limit, ok := BulkLimit(err)
		if limit != c.limit || ok != (c.limit > 0) {
			t.Errorf("%s: BulkLimit = %d, %v; want %d", c.name, limit, ok, c.limit)
		}
		if e, ok := AsError(err); !ok || e != c.err {
			t.Errorf("%s: the server's *Error is not in the chain", c.name)
		}
	}
	if err := checkBulk(nil, 3); err != nil {
		t.Fatalf("checkBulk(nil) = %v", err)
	}
}
