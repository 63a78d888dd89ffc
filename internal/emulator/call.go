package emulator

import (
	"net/http"
	"time"
)

// call is one request on its way through the server: what was resolved about
// it, and what was answered, for the request log.
type call struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	start    time.Time
	trace    string
	template string // "PUT /api/User/{userId}"; empty when unresolved
	relPath  string // path after the identity or Orchestrator base
	api      bool   // counts as an API request
	clientID string
	grant    grant
	params   []string
	status   int
	unsent   int // the status decided but never sent (dropped after applying)
	recorded bool
}

var (
	contentJSON = []string{"application/json; charset=utf-8"}
	contentHTML = []string{"text/html"}
)

// write answers with status and body of the given content type.
func (c *call) write(status int, contentType []string, body []byte) {
	if len(body) > 0 {
		c.w.Header()["Content-Type"] = contentType
	}
	c.w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = c.w.Write(body)
	}
	c.status = status
}

func (c *call) json(status int, body []byte) { c.write(status, contentJSON, body) }

func (c *call) empty(status int) { c.write(status, nil, nil) }

// drop closes the connection without answering.
func (c *call) drop() {
	c.unsent, c.status = c.status, 0
	if hj, ok := c.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// done records the call in the request log, once.
func (c *call) done() {
	if c.recorded {
		return
	}
	c.recorded = true
	c.s.log.record(Request{
		Time: c.start, Method: c.r.Method, Path: c.r.URL.Path, Query: c.r.URL.RawQuery,
		Status: c.status, ClientID: c.clientID, TraceID: c.trace, Unsent: c.unsent,
	}, c.template, c.relPath, c.api)
}

// discardWriter swallows an answer: the change is applied, then the
// connection is dropped instead of answering.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
