package client

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
)

// ErrBulkTooLarge is matched (errors.Is) by a bulk request the server
// refused for carrying more ids than it allows; split it and send again.
var ErrBulkTooLarge = errors.New("bulk request carries more ids than the server allows")

// BulkTooLargeError is a bulk request refused for its size. It unwraps to
// the server's *Error, so Kind and Retryable still apply.
type BulkTooLargeError struct {
	// Count is how many ids the request carried.
	Count int
	// Limit is the most the server allows, 0 when its answer did not say.
	Limit int
	// Err is the server's answer.
	Err *Error
}

// Error is one readable line.
func (e *BulkTooLargeError) Error() string {
	if e.Limit > 0 {
		return fmt.Sprintf("bulk request of %d ids over the server's limit of %d: %v", e.Count, e.Limit, e.Err)
	}
	return fmt.Sprintf("bulk request of %d ids too large: %v", e.Count, e.Err)
}

// Unwrap returns the server's *Error.
func (e *BulkTooLargeError) Unwrap() error { return e.Err }

// Is matches ErrBulkTooLarge.
func (e *BulkTooLargeError) Is(target error) bool { return target == ErrBulkTooLarge }

// BulkLimit returns the server's bulk limit named by err, when err is a
// request refused for its size and the server said how many it allows.
func BulkLimit(err error) (int, bool) {
	var b *BulkTooLargeError
	if !errors.As(err, &b) || b.Limit == 0 {
		return 0, false
	}
	return b.Limit, true
}

// bulkLimitText finds "at most N" (the limit) in a refusal's words.
var bulkLimitText = regexp.MustCompile(`(?i)\bat most (\d+)\b`)

// checkBulk turns a 400 that names the most ids a request may carry (less
// than count), or a 413, into a *BulkTooLargeError for a request of count
// ids; other errors pass as they are.
func checkBulk(err error, count int) error {
	e, ok := AsError(err)
	if !ok {
		return err
	}
	if e.StatusCode == http.StatusRequestEntityTooLarge && count > 1 {
		return &BulkTooLargeError{Count: count, Err: e}
	}
	if e.StatusCode != http.StatusBadRequest {
		return err
	}
	texts := []string{e.Message}
	for _, msgs := range e.FieldErrors {
		texts = append(texts, msgs...)
	}
	for _, t := range texts {
		if m := bulkLimitText.FindStringSubmatch(t); m != nil {
			limit, _ := strconv.Atoi(m[1])
			if limit > 0 && limit < count {
				return &BulkTooLargeError{Count: count, Limit: limit, Err: e}
			}
		}
	}
	return err
}
