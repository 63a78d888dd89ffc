package htmlreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// session is one sitting of a run that was interrupted and resumed
// (--resume), as summary.json lists them in "sessions". Every field is
// optional and read tolerantly: a time that does not parse is shown as
// written, a count that is an object (by method, by status) is summed.
type session struct {
	StartedAt  string          `json:"started_at"`
	FinishedAt string          `json:"finished_at"`
	Requests   json.RawMessage `json:"requests"`
	Rows       json.RawMessage `json:"rows"`
}

// readSessions takes summary.json's "sessions" out of the fields the page
// shows raw, when it is a list of sessions; anything else stays raw.
func (r *run) readSessions() {
	raw, ok := r.extra["sessions"]
	if !ok {
		return
	}
	var ss []session
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || json.Unmarshal(raw, &ss) == nil {
		r.sessions = ss
		delete(r.extra, "sessions")
	}
}

// sessionView is a session as the page lists it.
type sessionView struct {
	N                         int
	Started, Finished, Length string
	Rows, Requests            string
	// Pause is the time until the next session started, when known.
	Pause       string
	Interrupted bool // a session followed by another
}

// maxSessions bounds the sessions listed.
const maxSessions = 50

// sessionViews lays the sessions out, the first maxSessions of them, and
// says how many more there are.
func sessionViews(ss []session) ([]sessionView, int) {
	var out []sessionView
	for i, s := range ss {
		if i == maxSessions {
			return out, len(ss) - maxSessions
		}
		start, end := parseTime(s.StartedAt), parseTime(s.FinishedAt)
		v := sessionView{N: i + 1, Started: showTime(s.StartedAt, start), Finished: showTime(s.FinishedAt, end),
			Rows: countText(s.Rows), Requests: countText(s.Requests), Interrupted: i < len(ss)-1}
		if !start.IsZero() && !end.IsZero() && !end.Before(start) {
			v.Length = fmtDur(end.Sub(start))
		}
		if v.Interrupted {
			if next := parseTime(ss[i+1].StartedAt); !end.IsZero() && !next.IsZero() && !next.Before(end) {
				v.Pause = fmtDur(next.Sub(end))
			}
		}
		out = append(out, v)
	}
	return out, 0
}

// pause is the time between two sessions: the run interrupted at from
// (zero when not known) and resumed at to.
type pause struct {
	from, to time.Time
	title    string
}

// pausesOf lists the pauses between sessions that the timeline marks.
func pausesOf(ss []session) []pause {
	var out []pause
	for i := 0; i+1 < len(ss) && i < maxSessions; i++ {
		from, to := parseTime(ss[i].FinishedAt), parseTime(ss[i+1].StartedAt)
		if to.IsZero() {
			continue
		}
		if from.After(to) {
			from = time.Time{}
		}
		title := fmt.Sprintf("session %d resumed at %s", i+2, to.UTC().Format("15:04:05"))
		if !from.IsZero() {
			title = fmt.Sprintf("interrupted at %s, resumed at %s (%s later)", from.UTC().Format("15:04:05"), to.UTC().Format("15:04:05"), fmtDur(to.Sub(from)))
		}
		out = append(out, pause{from: from, to: to, title: title})
	}
	return out
}

// parseTime reads an RFC 3339 time, zero when it is not one.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// showTime shows a session's time in the page's form, or as written when
// it is not a time.
func showTime(raw string, t time.Time) string {
	if t.IsZero() {
		return cut(raw, refLimit)
	}
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}

// countText shows a count: a number, or an object's numbers summed (a
// count by method or by status); "" for anything else.
func countText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	n, ok := sum(v, 0)
	if !ok {
		if s, isString := v.(string); isString {
			return cut(s, refLimit)
		}
		return ""
	}
	if n == float64(int(n)) {
		return formatCount(int(n))
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// sum adds the numbers of a JSON value (a number, or an object of them,
// nested a few levels).
func sum(v any, depth int) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case map[string]any:
		if depth > 3 {
			return 0, false
		}
		total, found := 0.0, false
		for _, e := range v {
			if n, ok := sum(e, depth+1); ok {
				total, found = total+n, true
			}
		}
		return total, found
	}
	return 0, false
}
