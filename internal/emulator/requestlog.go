package emulator

import (
	"sync"
	"time"
)

// Request is one answered request, as the request log keeps it.
type Request struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Query    string    `json:"query,omitempty"`
	Status   int       `json:"status"`
	ClientID string    `json:"clientId,omitempty"`
	TraceID  string    `json:"traceId,omitempty"`
	// Unsent is the status of a request that was handled, but whose
	// connection was dropped instead of answering (Status is then 0).
	Unsent int `json:"unsentStatus,omitempty"`
}

// methodPath keys the per-path counters.
type methodPath struct{ method, path string }

// requestLog keeps the last limit requests in a ring and complete counters.
type requestLog struct {
	mu         sync.Mutex
	limit      int
	ring       []Request
	next       int
	byMethod   map[string]int     // API requests only
	byPath     map[methodPath]int // path relative to the base
	byTemplate map[string]int     // "METHOD /api/User/{userId}"
	statuses   map[int]int
	tokenReqs  int
	throttled  int
	dropped    int
}

func newRequestLog(limit int) *requestLog {
	return &requestLog{
		limit:      limit,
		byMethod:   map[string]int{},
		byPath:     map[methodPath]int{},
		byTemplate: map[string]int{},
		statuses:   map[int]int{},
	}
}

func (l *requestLog) tokenRequest() {
	l.mu.Lock()
	l.tokenReqs++
	l.mu.Unlock()
}

// record logs an answered request. api tells whether it counts as an API
// request (not a token or debug request); relPath is the path after the base.
func (l *requestLog) record(req Request, template, relPath string, api bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, req)
	} else {
		l.ring[l.next] = req
		l.next = (l.next + 1) % l.limit
	}
	l.statuses[req.Status]++
	if req.Status == 429 {
		l.throttled++
	}
	if req.Status == 0 {
		l.dropped++
	}
	if !api {
		return
	}
	l.byMethod[req.Method]++
	l.byPath[methodPath{req.Method, relPath}]++
	if template != "" {
		l.byTemplate[template]++
	}
}

func (l *requestLog) requests() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// RequestSummary is what GET /_emulator/requests answers.
type RequestSummary struct {
	Total         int            `json:"total"`
	ByMethod      map[string]int `json:"byMethod"`
	ByTemplate    map[string]int `json:"byTemplate"`
	ByStatus      map[string]int `json:"byStatus"`
	Throttled     int            `json:"throttled"`
	Dropped       int            `json:"dropped"`
	TokenRequests int            `json:"tokenRequests"`
}

func (l *requestLog) summary() RequestSummary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := RequestSummary{
		ByMethod: map[string]int{}, ByTemplate: map[string]int{}, ByStatus: map[string]int{},
		Throttled: l.throttled, Dropped: l.dropped, TokenRequests: l.tokenReqs,
	}
	for k, v := range l.byMethod {
		s.ByMethod[k] = v
		s.Total += v
	}
	for k, v := range l.byTemplate {
		s.ByTemplate[k] = v
	}
	for k, v := range l.statuses {
		s.ByStatus[statusKey(k)] = v
	}
	return s
}

func statusKey(code int) string {
	if code == 0 {
		return "dropped"
	}
	return itoa(code)
}
