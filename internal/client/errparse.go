package client

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody caps how much of an error answer is read.
const maxErrorBody = 64 << 10

// abpHint explains Orchestrator's "You are not authorized!".
const abpHint = "Orchestrator refused the request; this usually means the External Application has no Orchestrator role (assign it a role with Users view/edit permissions in the tenant)"

// traceHeaders are response headers that may carry a request's trace id,
// in order of preference.
var traceHeaders = []string{"X-Uipath-Correlation-Id", "X-Correlation-Id", "X-Request-Id", "Request-Id", "Traceparent"}

// CheckResponse returns nil for a 2xx answer and an *Error for any other,
// parsed from every error shape UiPath uses. It reads at most 64 KiB of the
// body and closes nothing; the caller owns resp.Body.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{StatusCode: resp.StatusCode}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.Path
	}
	parseErrorBody(e, body)
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	if e.TraceID == "" {
		e.TraceID = traceFromHeader(resp.Header)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryDelay = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// parseErrorBody fills e from a JSON error body; anything else is ignored.
func parseErrorBody(e *Error, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return
	}
	obj := foldKeys(raw)
	e.TraceID = str(obj["traceid"])
	switch {
	case isTrue(obj["__abp"]) || isTrue(obj["unauthorizedrequest"]):
		parseABP(e, obj)
	case obj["succeeded"] != nil:
		parseIdentityErrors(e, obj["errors"])
	case isString(obj["error"]):
		e.Code = str(obj["error"])
		e.Message = str(obj["error_description"])
	case obj["errors"] != nil && obj["title"] != nil:
		parseProblem(e, obj)
	case obj["message"] != nil || obj["errorcode"] != nil:
		e.Message = str(obj["message"])
		e.Code = str(obj["errorcode"])
	case obj["error"] != nil:
		var inner map[string]json.RawMessage
		if json.Unmarshal(obj["error"], &inner) == nil {
			in := foldKeys(inner)
			e.Code = str(in["code"])
			e.Message = str(in["message"])
		}
	case obj["title"] != nil:
		parseProblem(e, obj)
	}
}

func parseABP(e *Error, obj map[string]json.RawMessage) {
	var inner map[string]json.RawMessage
	_ = json.Unmarshal(obj["error"], &inner)
	in := foldKeys(inner)
	msg := str(in["message"])
	if msg == "" {
		msg = "You are not authorized!"
	}
	if details := str(in["details"]); details != "" {
		msg += " " + details
	}
	e.Code = CodeABPNotAuthorized
	e.Message = msg + " (" + abpHint + ")"
}

// parseIdentityErrors reads an IdentityResult's errors array.
func parseIdentityErrors(e *Error, raw json.RawMessage) {
	var items []map[string]json.RawMessage
	_ = json.Unmarshal(raw, &items)
	var msgs []string
	for _, it := range items {
		in := foldKeys(it)
		code, desc := str(in["code"]), str(in["description"])
		if e.Code == "" {
			e.Code = code
		}
		if code != "" {
			e.Codes = append(e.Codes, code)
		}
		if desc == "" {
			desc = code
		}
		msgs = append(msgs, desc)
		if e.FieldErrors == nil {
			e.FieldErrors = map[string][]string{}
		}
		key := fieldForCode(code)
		e.FieldErrors[key] = append(e.FieldErrors[key], desc)
	}
	e.Message = strings.Join(msgs, " ")
	if e.Code == "" {
		e.Code = "IdentityResultFailed"
	}
}

func parseProblem(e *Error, obj map[string]json.RawMessage) {
	e.Code = str(obj["title"])
	e.Message = str(obj["detail"])
	if e.Message == "" {
		e.Message = e.Code
	}
	var fields map[string][]string
	if json.Unmarshal(obj["errors"], &fields) == nil && len(fields) > 0 {
		e.FieldErrors = fields
	}
}

// fieldForCode gives an IdentityResult code a stable field name when the
// code implies one; otherwise the code itself is the key.
func fieldForCode(code string) string {
	switch {
	case isWrongPasswordCode(code):
		return "oldPassword"
	case isPasswordPolicyCode(code):
		return "password"
	case strings.Contains(code, "Email"):
		return "email"
	case strings.Contains(code, "UserName"):
		return "userName"
	}
	if code == "" {
		return "error"
	}
	return code
}

func isWrongPasswordCode(code string) bool {
	switch strings.ToLower(code) {
	case "passwordmismatch", "incorrectpassword", "invalidpassword", "wrongpassword",
		"invalidoldpassword", "oldpasswordincorrect", "oldpassword", "oldpasswordmismatch":
		return true
	}
	return false
}

func isPasswordPolicyCode(code string) bool {
	return strings.Contains(strings.ToLower(code), "password") && !isWrongPasswordCode(code)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func traceFromHeader(h http.Header) string {
	for _, k := range traceHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// foldKeys lower-cases the keys so camelCase and PascalCase read alike.
func foldKeys(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// str renders a JSON scalar as text ("" for null, objects and arrays).
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if text, ok := plainString(raw); ok {
		return string(text)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	return string(raw)
}

func isString(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '"'
}

func isTrue(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "true" }
