package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Kinds of failure, a stable vocabulary for reports and exit codes.
const (
	KindValidation     = "validation"
	KindPasswordPolicy = "password_policy"
	KindWrongPassword  = "wrong_password"
	KindNotFound       = "not_found"
	KindForbidden      = "forbidden"
	KindUnauthorized   = "unauthorized"
	KindRateLimited    = "rate_limited"
	KindServerError    = "server_error"
	KindNetwork        = "network"
	KindOutcomeUnknown = "outcome_unknown"
	KindConflict       = "conflict"
	KindBadRequest     = "bad_request"
)

// CodeABPNotAuthorized is the Code given to Orchestrator's ABP
// "You are not authorized!" answer.
const CodeABPNotAuthorized = "AbpNotAuthorized"

// Error is every failure of a call to UiPath: an answer the server refused
// (StatusCode set) or a request that got no answer (StatusCode 0, Err set).
// It never holds a secret: request bodies and tokens are not kept, and
// server messages are scrubbed of the secrets the request carried.
type Error struct {
	// Method and Path of the request (the path carries no query string).
	Method string
	Path   string
	// StatusCode is the HTTP status, 0 when no answer arrived. A 200 whose
	// IdentityResult says "succeeded": false keeps 200.
	StatusCode int
	// Code is the server's error code: IdentityResult code, OAuth error,
	// ErrorResult errorCode or problem-details title.
	Code string
	// Codes lists every IdentityResult error code, in order (Code is the
	// first): a create refused for both DuplicateUserName and DuplicateEmail.
	Codes []string
	// Message is the server's explanation, or the status text.
	Message string
	// FieldErrors maps a field (or an IdentityResult code) to its messages.
	FieldErrors map[string][]string
	// TraceID is what UiPath support asks for.
	TraceID string
	// RetryDelay is the server's Retry-After, zero when absent.
	RetryDelay time.Duration
	// Written reports that the request was fully sent before it failed
	// (meaningful when StatusCode is 0).
	Written bool
	// Auth marks a failure of the token endpoint (bad credentials, scopes).
	Auth bool
	// Err is the underlying transport error when no answer arrived.
	Err error
}

// Error is one readable line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	if e.StatusCode == 0 {
		b.WriteString("no answer (")
		b.WriteString(e.Kind())
		b.WriteString(")")
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(transportMessage(e.Err))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d %s (%s)", e.StatusCode, http.StatusText(e.StatusCode), e.Kind())
	if e.Code != "" && e.Code != e.Message {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.FieldErrors) > 0 {
		keys := make([]string, 0, len(e.FieldErrors))
		for k := range e.FieldErrors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, strings.Join(e.FieldErrors[k], " "))
		}
	}
	if e.RetryDelay > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryDelay)
	}
	if e.TraceID != "" {
		b.WriteString("; trace id ")
		b.WriteString(e.TraceID)
	}
	return oneLine(b.String())
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Kind classifies the failure with the package's Kind* vocabulary.
func (e *Error) Kind() string {
	if e.Auth {
		if e.Code == "invalid_scope" {
			return KindForbidden
		}
		if e.StatusCode == 0 || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500 {
			return e.statusKind()
		}
		return KindUnauthorized
	}
	if e.Code == CodeABPNotAuthorized {
		return KindForbidden
	}
	return e.statusKind()
}

func (e *Error) statusKind() string {
	switch s := e.StatusCode; {
	case s == 0:
		if e.OutcomeUnknown() {
			return KindOutcomeUnknown
		}
		return KindNetwork
	case s == http.StatusUnauthorized:
		return KindUnauthorized
	case s == http.StatusForbidden:
		return KindForbidden
	case s == http.StatusNotFound:
		return KindNotFound
	case s == http.StatusConflict:
		return KindConflict
	case s == http.StatusTooManyRequests:
		return KindRateLimited
	case s >= 500:
		return KindServerError
	}
	return e.contentKind()
}

// contentKind classifies a refusal (400, or 200 with succeeded:false) by
// what the server said.
func (e *Error) contentKind() string {
	codes := []string{e.Code}
	for k := range e.FieldErrors {
		codes = append(codes, k)
	}
	for _, c := range codes {
		if isWrongPasswordCode(c) {
			return KindWrongPassword
		}
	}
	for _, c := range codes {
		if strings.EqualFold(c, "password") || strings.EqualFold(c, "newPassword") || isPasswordPolicyCode(c) {
			return KindPasswordPolicy
		}
	}
	for _, c := range codes {
		if strings.HasPrefix(c, "Duplicate") {
			return KindConflict
		}
	}
	if len(e.FieldErrors) > 0 || e.StatusCode == http.StatusOK || e.StatusCode == http.StatusUnprocessableEntity {
		return KindValidation
	}
	return KindBadRequest
}

// Retryable reports whether the same request may simply be sent again:
// 429, 502, 503, 504, or no answer when the request was not fully written
// or was idempotent.
func (e *Error) Retryable() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case 0:
		if errors.Is(e.Err, context.Canceled) {
			return false
		}
		return !e.OutcomeUnknown()
	}
	return false
}

// OutcomeUnknown reports that a non-idempotent request was written and no
// answer came back: the change may or may not have happened.
func (e *Error) OutcomeUnknown() bool {
	return e.StatusCode == 0 && e.Written && !idempotent(e.Method)
}

// HasCode reports whether the server's answer carried code (compared
// case-insensitively), as its code or as one of its IdentityResult codes.
func (e *Error) HasCode(code string) bool {
	if strings.EqualFold(e.Code, code) {
		return true
	}
	for _, c := range e.Codes {
		if strings.EqualFold(c, code) {
			return true
		}
	}
	return false
}

// IdentityResult codes of a create refused for an existing account.
const (
	CodeDuplicateUserName = "DuplicateUserName"
	CodeDuplicateEmail    = "DuplicateEmail"
)

// IsDuplicateEmail reports a create refused because a user already has
// the email (the DuplicateEmail IdentityResult code).
func IsDuplicateEmail(err error) bool {
	e, ok := AsError(err)
	return ok && e.HasCode(CodeDuplicateEmail)
}

// IsDuplicateUserName reports a create refused because a user already has
// the userName (the DuplicateUserName IdentityResult code).
func IsDuplicateUserName(err error) bool {
	e, ok := AsError(err)
	return ok && e.HasCode(CodeDuplicateUserName)
}

// RetryAfter is the delay the server asked for (Retry-After), zero when none.
func (e *Error) RetryAfter() time.Duration { return e.RetryDelay }

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsAuthFailure reports a failure that every further request would share:
// the token endpoint refused the credentials or scopes, or the API refused
// the token (401 after a refresh). Orchestrator's "You are not authorized!"
// is not one: it concerns Orchestrator requests only (the application has
// no role there), and Identity requests still succeed.
func IsAuthFailure(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	if e.Auth {
		return e.Kind() == KindUnauthorized || e.Kind() == KindForbidden
	}
	return e.StatusCode == http.StatusUnauthorized
}

// KindOf returns the failure kind of err: "" for nil, the Kind of any error
// in the chain that has one, and "network" for errors of unknown origin.
func KindOf(err error) string {
	if err == nil {
		return ""
	}
	var k interface{ Kind() string }
	if errors.As(err, &k) {
		return k.Kind()
	}
	return KindNetwork
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// transportMessage describes a transport error without repeating the URL
// that *url.Error carries.
func transportMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	const max = 1000
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// kindError gives a failure detected before any request a Kind.
type kindError struct {
	kind string
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }
func (e *kindError) Kind() string  { return e.kind }

// LookupError is a search that did not find exactly one match.
type LookupError struct {
	// Resource is "user", "robot account" or "Orchestrator user".
	Resource string
	// By is the attribute searched ("email", "userName", "name").
	By string
	// Value is what was searched for.
	Value string
	// Matches is how many exact matches were found (0 or more than 1).
	Matches int
}

// Error is one readable line.
func (e *LookupError) Error() string {
	if e.Matches == 0 {
		return fmt.Sprintf("no %s with %s %q", e.Resource, e.By, e.Value)
	}
	return fmt.Sprintf("%d %ss with %s %q; expected one", e.Matches, e.Resource, e.By, e.Value)
}

// Kind is not_found for no match, conflict for several.
func (e *LookupError) Kind() string {
	if e.Matches == 0 {
		return KindNotFound
	}
	return KindConflict
}
