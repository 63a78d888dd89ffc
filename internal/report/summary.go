package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Tally counts rows by status and error code and keeps a latency histogram
// of fixed size, so that it costs the same for ten rows or ten million.
type Tally struct {
	Rows        int            `json:"rows"`
	ByStatus    map[Status]int `json:"by_status"`
	ByErrorCode map[string]int `json:"by_error_code,omitempty"`
	// AlreadyGone counts the unchanged rows that delete what was not
	// there (deleted before the run, or a name misspelt).
	AlreadyGone int `json:"already_gone,omitempty"`
	latency     [latencyBuckets]int
}

// latencyBuckets spans 1 ms to about 17 minutes in quarter-powers of two.
const latencyBuckets = 81

func latencyBucket(d time.Duration) int {
	ms := float64(d) / float64(time.Millisecond)
	if ms <= 1 {
		return 0
	}
	b := int(math.Ceil(4 * math.Log2(ms)))
	return min(b, latencyBuckets-1)
}

func bucketUpperMs(b int) float64 { return math.Pow(2, float64(b)/4) }

// Add counts one result.
func (t *Tally) Add(r *Result) {
	if t.ByStatus == nil {
		t.ByStatus = make(map[Status]int)
		t.ByErrorCode = make(map[string]int)
	}
	t.Rows++
	t.ByStatus[r.Status]++
	if r.ErrorCode != "" {
		t.ByErrorCode[string(r.ErrorCode)]++
	}
	if r.Status == StatusUnchanged && strings.HasPrefix(r.Op, "delete_") {
		t.AlreadyGone++
	}
	if r.Status == StatusSucceeded || r.Status == StatusFailed || r.Status == StatusUnchanged || r.Status == StatusPlanned {
		t.latency[latencyBucket(r.Duration)]++
	}
}

// LatencyPercentileMs returns an upper bound of the p-th percentile of row
// latency (0 < p ≤ 100), from the histogram.
func (t *Tally) LatencyPercentileMs(p float64) float64 {
	total := 0
	for _, n := range t.latency {
		total += n
	}
	if total == 0 {
		return 0
	}
	want := int(math.Ceil(float64(total) * p / 100))
	seen := 0
	for b, n := range t.latency {
		seen += n
		if seen >= want {
			return bucketUpperMs(b)
		}
	}
	return bucketUpperMs(latencyBuckets - 1)
}

func (t *Tally) clone() Tally {
	c := *t
	c.ByStatus = maps.Clone(t.ByStatus)
	c.ByErrorCode = maps.Clone(t.ByErrorCode)
	return c
}

// Summary is summary.json: what ran, how it ended, how fast, with what.
type Summary struct {
	RunID          string         `json:"run_id"`
	Command        string         `json:"command"`
	Manifest       string         `json:"manifest"`
	ManifestSHA256 string         `json:"manifest_sha256,omitempty"`
	StartedAt      time.Time      `json:"started_at"`
	FinishedAt     time.Time      `json:"finished_at"`
	Seconds        float64        `json:"seconds"`
	RowsPerSecond  float64        `json:"rows_per_second"`
	Stopped        string         `json:"stopped,omitempty"`
	Rows           int            `json:"rows"`
	ByStatus       map[Status]int `json:"by_status"`
	ByErrorCode    map[string]int `json:"by_error_code"`
	// AlreadyGone: see Tally.
	AlreadyGone  int            `json:"already_gone,omitempty"`
	LatencyP50Ms float64        `json:"latency_p50_ms"`
	LatencyP95Ms float64        `json:"latency_p95_ms"`
	Requests     map[string]int `json:"requests_by_method"`
	Throttled    int            `json:"throttled_429s"`
	// RequestsByService holds requests and 429s by service ("identity",
	// "orchestrator") and method; Identity's token requests are "token".
	RequestsByService map[string]map[string]RequestCount `json:"requests_by_service,omitempty"`
	Settings          map[string]any                     `json:"settings,omitempty"`
	ReportDir         string                             `json:"report_dir"`
	// UndoManifest is the apply's undo manifest (undo.csv or undo.yaml)
	// and UndoRows its rows; empty for a plan.
	UndoManifest string `json:"undo_manifest,omitempty"`
	UndoRows     int    `json:"undo_rows,omitempty"`
	// SecretsOut is where the run's generated passwords went, and
	// PasswordsSet how many rows of this session set a password.
	SecretsOut   string `json:"secrets_out,omitempty"`
	PasswordsSet int    `json:"passwords_set,omitempty"`
	// StalenessReads counts the reads spent checking that what
	// whole-object writes send back was fresh (--max-staleness).
	StalenessReads int64 `json:"staleness_reads,omitempty"`
	// Sessions lists the processes that worked on the run, oldest first,
	// when it was resumed: requests, 429s and seconds above are their
	// sums (a killed session's requests are not known, so not counted).
	Sessions Sessions `json:"sessions,omitempty"`
	// Verify counts the succeeded rows by what UiPath's audit logs say of
	// them (batch verify, apply --verify), when the run was verified.
	Verify map[string]int `json:"verify,omitempty"`
}

// Sessions are a resumed run's sessions. Read back, a list in another
// shape (a summary written by hand, or by another version) is left out
// rather than failing the whole summary.
type Sessions []Session

// UnmarshalJSON reads the sessions, or none when they are not in this
// version's shape.
func (ss *Sessions) UnmarshalJSON(b []byte) error {
	var out []Session
	if json.Unmarshal(b, &out) != nil {
		out = nil
	}
	*ss = out
	return nil
}

// Session is one process's part of a run that was interrupted and
// resumed.
type Session struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Rows counts the rows it finished.
	Rows int `json:"rows"`
	// Requests holds its requests by method; nil when they are not known
	// (the process was killed before it wrote its summary).
	Requests          map[string]int                     `json:"requests,omitempty"`
	RequestsByService map[string]map[string]RequestCount `json:"requests_by_service,omitempty"`
	Throttled         int                                `json:"throttled_429s,omitempty"`
	// Stopped says how it ended early ("killed" when it left no summary).
	Stopped string `json:"stopped,omitempty"`
}

// Seconds is how long the session worked.
func (s Session) Seconds() float64 { return max(0, s.FinishedAt.Sub(s.StartedAt).Seconds()) }

// RequestCount is the traffic of one service and method.
type RequestCount struct {
	Requests  int `json:"requests"`
	Throttled int `json:"throttled_429s"`
}

func (s *Summary) fill(t Tally) {
	if s.FinishedAt.IsZero() {
		s.FinishedAt = time.Now()
	}
	s.Seconds = s.FinishedAt.Sub(s.StartedAt).Seconds()
	if len(s.Sessions) > 0 {
		// A resumed run: the time it worked, not the pauses between.
		s.Seconds = 0
		for _, x := range s.Sessions {
			s.Seconds += x.Seconds()
		}
	}
	s.Rows = t.Rows
	s.ByStatus = t.ByStatus
	s.ByErrorCode = t.ByErrorCode
	s.AlreadyGone = t.AlreadyGone
	if s.ByStatus == nil {
		s.ByStatus = map[Status]int{}
	}
	if s.ByErrorCode == nil {
		s.ByErrorCode = map[string]int{}
	}
	if s.Seconds > 0 {
		s.RowsPerSecond = float64(s.ran()) / s.Seconds
	}
	s.LatencyP50Ms = t.LatencyPercentileMs(50)
	s.LatencyP95Ms = t.LatencyPercentileMs(95)
}

// statusOrder is the order statuses are printed in.
var statusOrder = []Status{StatusSucceeded, StatusUnchanged, StatusPlanned, StatusFailed, StatusSkipped, StatusInvalid}

// ran is the number of rows that ran: a stopped run's rows not run are
// in the report (skipped) but not in its counts of work or speed.
func (s Summary) ran() int { return s.Rows - s.ByStatus[StatusSkipped] }

// Print writes the end-of-run summary a person reads on the terminal.
func (s Summary) Print(w io.Writer) {
	if ran := s.ran(); ran != s.Rows {
		fmt.Fprintf(w, "%s: %d of %d rows in %s (%.1f rows/s)\n", s.Command, ran, s.Rows, s.duration(), s.RowsPerSecond)
	} else {
		fmt.Fprintf(w, "%s: %s in %s (%.1f rows/s)\n", s.Command, Plural(s.Rows, "row"), s.duration(), s.RowsPerSecond)
	}
	if t, ok := s.Settings["target"].(string); ok && t != "" {
		fmt.Fprintf(w, "  target  %s\n", t)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, st := range statusOrder {
		if n := s.ByStatus[st]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d", st, n)
			if st == StatusUnchanged && s.AlreadyGone > 0 {
				fmt.Fprintf(tw, " (%d deletes of what was not there: already deleted?)", s.AlreadyGone)
			}
			fmt.Fprintln(tw)
		}
	}
	_ = tw.Flush()
	if len(s.ByErrorCode) > 0 {
		codes := slices.Sorted(maps.Keys(s.ByErrorCode))
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s %d", c, s.ByErrorCode[c])
		}
		fmt.Fprintf(w, "  errors: %s\n", strings.Join(parts, ", "))
	}
	switch {
	case len(s.RequestsByService) > 0:
		for _, svc := range slices.Sorted(maps.Keys(s.RequestsByService)) {
			byMethod := s.RequestsByService[svc]
			methods := slices.Sorted(maps.Keys(byMethod))
			parts := make([]string, len(methods))
			throttled := 0
			for i, m := range methods {
				parts[i] = fmt.Sprintf("%s %d", m, byMethod[m].Requests)
				if n := byMethod[m].Throttled; n > 0 {
					parts[i] += fmt.Sprintf(" (429s: %d)", n)
					throttled += n
				}
			}
			fmt.Fprintf(w, "  %s requests: %s (429s: %d)\n", svc, strings.Join(parts, ", "), throttled)
		}
	case len(s.Requests) > 0:
		methods := slices.Sorted(maps.Keys(s.Requests))
		parts := make([]string, len(methods))
		for i, m := range methods {
			parts[i] = fmt.Sprintf("%s %d", m, s.Requests[m])
		}
		fmt.Fprintf(w, "  requests: %s (429s: %d)\n", strings.Join(parts, ", "), s.Throttled)
	}
	if s.Stopped != "" {
		fmt.Fprintf(w, "  stopped early: %s\n", s.Stopped)
	}
	fmt.Fprintf(w, "  report: %s\n", s.ReportDir)
	switch {
	case s.UndoManifest != "" && s.UndoRows > 0:
		fmt.Fprintf(w, "  undo: %s (%s; applying it puts back what this run changed)\n", s.UndoManifest, Plural(s.UndoRows, "row"))
	case s.UndoManifest != "" && s.PasswordsSet > 0:
		fmt.Fprintf(w, "  undo: nothing to undo (a password set cannot be put back; %s lists them)\n", s.UndoManifest)
	}
	if s.PasswordsSet > 0 && s.SecretsOut != "" {
		fmt.Fprintf(w, "  passwords: %s set; the generated ones are in %s (for each account, its last line there is the one in effect)\n", Plural(s.PasswordsSet, "row"), s.SecretsOut)
	}
}

func (s Summary) duration() time.Duration {
	return time.Duration(s.Seconds * float64(time.Second)).Round(time.Millisecond)
}
