package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"

	"github.com/uipath-batch/batch/internal/secret"
)

// maxBody caps an answer (a page of 1,000 users is well under it); a
// variable so that tests can lower it.
var maxBody int64 = 64 << 20

// byteSize is n bytes as a reader reads it: in MiB when whole.
func byteSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// errAnswerTooLarge is an answer over maxBody: not read, not retried.
var errAnswerTooLarge = errors.New("the answer is larger than a page of accounts ever is")

// NewRequest builds a request for an absolute URL with body encoded as
// JSON (nil for none). The Authorization header is added by Do.
func (c *Client) NewRequest(ctx context.Context, method, urlStr string, body any) (*http.Request, error) {
	var buf []byte
	if body != nil {
		var err error
		if buf, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", method, pathOf(urlStr), err)
		}
	}
	var rd io.Reader
	if buf != nil {
		rd = bytes.NewReader(buf)
	}
	// Per-row URLs take a short parse (simpleURL) and the headers are set
	// in canonical form without Header.Set's checks: both are the same
	// request http.NewRequestWithContext(ctx, method, urlStr, rd) builds,
	// at a fraction of its cost on the path every row takes.
	u, simple := simpleURL(urlStr)
	if simple {
		urlStr = ""
	}
	req, err := http.NewRequestWithContext(ctx, method, urlStr, rd)
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", method, err)
	}
	if simple {
		*req.URL, req.Host = u, u.Host
	}
	if buf != nil {
		req.Header["Content-Type"] = headerJSON
	}
	req.Header["Accept"] = headerJSON
	req.Header["User-Agent"] = c.userAgent
	return req, nil
}

// headerJSON is the value of the Content-Type and Accept headers of every
// request: one slice for all of them, which nothing changes in place (a
// header set anew gets a slice of its own).
var headerJSON = []string{"application/json"}

// Do sends req with a bearer token, judges the answer with CheckResponse
// and decodes a successful JSON body into v (unless v is nil). A 401 drops
// the cached token and sends the request once more with a fresh one. Every
// failure is an *Error, but a BeforeSend hook's own; the returned
// response's body is already read.
func (c *Client) Do(req *http.Request, v any, opts ...WriteOption) (*http.Response, error) {
	return c.do(req, v, nil, opts...)
}

// send builds a request of method to urlStr with body (nil: none) and
// sends it, decoding a successful answer into v (nil: discarded).
func (c *Client) send(ctx context.Context, method, urlStr string, body, v any, opts ...WriteOption) error {
	req, err := c.NewRequest(ctx, method, urlStr, body)
	if err != nil {
		return err
	}
	_, err = c.Do(req, v, opts...)
	return err
}

// do is Do with the secrets the request carries, scrubbed from any server
// message kept in an error.
func (c *Client) do(req *http.Request, v any, secrets []secret.Value, opts ...WriteOption) (*http.Response, error) {
	ctx := req.Context()
	tok, err := c.tokens.token(ctx)
	if err != nil {
		return nil, err
	}
	before := beforeSendOf(opts)
	resp, body, err := c.attempt(req, tok, before)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && rewindable(req) && c.tokens.invalidate(tok) {
		if tok, err = c.tokens.token(ctx); err != nil {
			return nil, err
		}
		retry := req.Clone(ctx)
		if req.GetBody != nil {
			if retry.Body, err = req.GetBody(); err != nil {
				return nil, fmt.Errorf("rewind %s %s body: %w", req.Method, req.URL.Path, err)
			}
		}
		resp, body, err = c.attempt(retry, tok, before)
	}
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body)) // read by CheckResponse for a failure only
	if cerr := CheckResponse(resp); cerr != nil {
		e := cerr.(*Error)
		c.scrubError(e, append(secrets, tok))
		return resp, e
	}
	if v != nil && len(bytes.TrimSpace(body)) > 0 {
		if err := decodeAnswer(body, v); err != nil {
			return resp, fmt.Errorf("decode %s %s answer (status %d): %w", req.Method, req.URL.Path, resp.StatusCode, err)
		}
	}
	return resp, nil
}

// decodeAnswer decodes a successful answer's body into v: with v's own
// decoder where it has one, with a jsonReader (jsontext) for a type read
// so, else with encoding/json.
func decodeAnswer(body []byte, v any) error {
	switch d := v.(type) {
	case bodyDecoder:
		return d.decodeBody(body)
	case readsJSON:
		return readDocument(body, d)
	}
	return json.Unmarshal(body, v)
}

// attempt sends req once and reads the whole body, running before (nil:
// none) once the throttle lets a write go (see meteredTransport.roundTrip).
// The client's timeout bounds the request from the moment the throttle
// lets it go: waiting for the budget is not part of it. A failure without
// an answer records whether the request had been fully written, which
// decides its retry class.
func (c *Client) attempt(req *http.Request, tok secret.Value, before *beforeSend) (*http.Response, []byte, error) {
	ctx := req.Context()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	// A shallow copy with a header map of its own: the caller's request
	// never carries the token.
	r := req.WithContext(ctx)
	r.Header = make(http.Header, len(req.Header)+1)
	maps.Copy(r.Header, req.Header)
	r.Header["Authorization"] = c.authorization(tok)
	resp, err := c.httpFor(before).Do(r)
	if err != nil {
		var ns *notSentError
		if errors.As(err, &ns) {
			return nil, nil, ns.err // the caller's own failure, nothing was sent
		}
		return nil, nil, &Error{Method: req.Method, Path: req.URL.Path, Err: err, Written: wrote.Load()}
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if errors.Is(err, errAnswerTooLarge) {
		err = fmt.Errorf("%w: over %s", err, byteSize(maxBody))
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			// A write whose answer cannot be read is one whose answer
			// was lost: the change may have been made (see
			// Error.OutcomeUnknown).
			return nil, nil, &Error{Method: req.Method, Path: req.URL.Path, Err: err, Written: true}
		}
		return nil, nil, fmt.Errorf("read %s %s answer (status %d): %w", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	if err != nil {
		return nil, nil, &Error{Method: req.Method, Path: req.URL.Path, Err: err, Written: true}
	}
	return resp, body, nil
}

// readBody reads an answer's body, in one buffer of the right size when
// the answer says its length; errAnswerTooLarge past maxBody.
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n > maxBody {
		return nil, errAnswerTooLarge
	}
	if n >= 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && int64(len(body)) > maxBody {
		return nil, errAnswerTooLarge
	}
	return body, err
}

// authorization is the Authorization header's value for tok, made once
// per token rather than per request.
func (c *Client) authorization(tok secret.Value) []string {
	if a := c.auth.Load(); a != nil && a.token.Equal(tok) {
		return a.value
	}
	a := &authHeader{token: tok, value: []string{"Bearer " + tok.Reveal()}}
	c.auth.Store(a)
	return a.value
}

// authHeader is the Authorization header of a token (see authorization).
type authHeader struct {
	token secret.Value
	value []string
}

// scrubError removes secrets from the server's words kept in e.
func (c *Client) scrubError(e *Error, extra []secret.Value) {
	secrets := c.secretsWith(extra)
	e.Code = scrub(e.Code, secrets)
	e.Message = scrub(e.Message, secrets)
	e.TraceID = scrub(e.TraceID, secrets)
	for k, msgs := range e.FieldErrors {
		for i, m := range msgs {
			msgs[i] = scrub(m, secrets)
		}
		e.FieldErrors[k] = msgs
	}
}

// bodyDecoder is an answer type that decodes its own body, faster than
// encoding/json where it can.
type bodyDecoder interface{ decodeBody([]byte) error }

// rewindable reports whether req can be sent a second time.
func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// A WriteOption changes how one call that writes sends its request.
type WriteOption func(*writeOptions)

// writeOptions are what the WriteOptions of one call ask.
type writeOptions struct {
	beforeSend func() error // nil: none
}

// BeforeSend runs fn once, right before the call's write (a request other
// than GET or HEAD, never a token request) is sent: after the throttle
// granted that request its slot (however long that took). The reads a call
// makes before its write (a read-merge-write) do not run it. A caller that
// must record something durably before a change leaves (a generated
// password, a journal intent) does it there, so that nothing is recorded
// for a request that was never sent. If fn fails, the request is not sent
// and the call returns fn's error as it is. fn is not run again for the
// call's later requests (the resend after a 401). A nil fn is no hook.
func BeforeSend(fn func() error) WriteOption {
	return func(o *writeOptions) { o.beforeSend = fn }
}

// beforeSendOf returns the state of the BeforeSend hook of opts, or nil.
func beforeSendOf(opts []WriteOption) *beforeSend {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.beforeSend == nil {
		return nil
	}
	return &beforeSend{fn: o.beforeSend}
}

// beforeSend is the state of one call's BeforeSend hook.
type beforeSend struct {
	once sync.Once
	fn   func() error
	err  error
}

// run runs the hook (once) and returns its error, wrapped so that attempt
// can tell it from a transport failure. A nil hook does nothing.
func (h *beforeSend) run() error {
	if h == nil {
		return nil
	}
	h.once.Do(func() { h.err = h.fn() })
	if h.err != nil {
		return &notSentError{err: h.err}
	}
	return nil
}

// notSentError carries a BeforeSend hook's failure through net/http.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return "not sent: " + e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }
