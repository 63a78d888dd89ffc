package emulator

import (
	"encoding/json"
	"net/http"
)

// The error shapes of UIPATH_API.md, as the real services send them.

type problemDetails struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	TraceID string              `json:"traceId"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// problem answers ASP.NET problem details: status, the RFC 7231 section
// its type points at, a title, and for a validation problem the errors by
// field.
func (c *call) problem(status int, section, title string, errors map[string][]string) {
	body, _ := json.Marshal(problemDetails{
		Type:    "https://tools.ietf.org/html/rfc7231#section-" + section,
		Title:   title,
		Status:  status,
		TraceID: c.trace,
		Errors:  errors,
	})
	c.json(status, body)
}

// validationProblem answers 400 ASP.NET validation problem details.
func (c *call) validationProblem(field, message string) {
	c.problem(http.StatusBadRequest, "6.5.1", "One or more validation errors occurred.", map[string][]string{field: {message}})
}

// unsupportedMediaType answers 415 problem details, as ASP.NET does to a
// body that is not declared as JSON.
func (c *call) unsupportedMediaType() {
	c.problem(http.StatusUnsupportedMediaType, "6.5.13", "Unsupported Media Type", nil)
}

// identityNotFound answers 404 problem details (the emulator's choice for
// unknown identity ids).
func (c *call) identityNotFound() {
	c.problem(http.StatusNotFound, "6.5.4", "Not Found", nil)
}

type identityError struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

type identityResult struct {
	Succeeded bool            `json:"succeeded"`
	Errors    []identityError `json:"errors"`
}

var identitySucceeded = []byte(`{"succeeded":true,"errors":[]}`)

// identityFailure answers 400 with an IdentityResult that did not succeed.
func (c *call) identityFailure(errs []identityError) {
	body, _ := json.Marshal(identityResult{Succeeded: false, Errors: errs})
	c.json(http.StatusBadRequest, body)
}

// orchestratorNotFound answers an Orchestrator ErrorResult in camelCase, as
// its 404s arrive.
func (c *call) orchestratorNotFound(message string, code int) {
	body, _ := json.Marshal(map[string]any{"message": message, "errorCode": code, "traceId": c.trace})
	c.json(http.StatusNotFound, body)
}

// orchestratorConflict answers 409 with an Orchestrator ErrorResult, in
// the camelCase of its 404s.
func (c *call) orchestratorConflict(message string, code int) {
	body, _ := json.Marshal(map[string]any{"message": message, "errorCode": code, "traceId": c.trace})
	c.json(http.StatusConflict, body)
}

// orchestratorInvalid answers an Orchestrator ErrorResult in PascalCase, as
// its validation 400s arrive.
func (c *call) orchestratorInvalid(message string, code int) {
	body, _ := json.Marshal(map[string]any{"Message": message, "ErrorCode": code, "TraceId": c.trace})
	c.json(http.StatusBadRequest, body)
}

var abpUnauthorized = []byte(`{"__abp":true,"result":null,"targetUrl":null,"success":false,"error":{"code":0,"message":"You are not authorized!","details":null,"validationErrors":null},"unAuthorizedRequest":true}`)

// abpForbidden answers the ABP body Orchestrator sends to an application
// without a role.
func (c *call) abpForbidden() { c.json(http.StatusForbidden, abpUnauthorized) }

// unauthorized answers 401 for a missing, unknown or expired token.
func (c *call) unauthorized(desc string) {
	c.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+desc+`"`)
	c.empty(http.StatusUnauthorized)
}

// oauthError answers a token endpoint error in OAuth form.
func (c *call) oauthError(code, desc string) {
	body, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	c.w.Header().Set("Cache-Control", "no-store")
	c.json(http.StatusBadRequest, body)
}

var badGatewayHTML = []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")

// serverFault answers an injected 500, 502 or 503 without applying anything.
func (c *call) serverFault(kind faultKind) {
	switch kind {
	case fault500:
		c.problem(http.StatusInternalServerError, "6.6.1", "An error occurred while processing your request.", nil)
	case fault502:
		c.write(http.StatusBadGateway, contentHTML, badGatewayHTML)
	default:
		c.empty(http.StatusServiceUnavailable)
	}
}
