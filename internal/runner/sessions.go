package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
)

// priorSessions are the sessions of a resumed run before this one: those
// its last summary lists (or that summary as one session), and, when
// rows were finished after it (a process killed before it wrote a
// summary), one more for them, its requests unknown, ending when its
// last row was reported. A new run has none. It reads the run folder as
// the sessions before left it: call it before this session reports.
func priorSessions(r *runfolder.Run, resumed bool) []report.Session {
	if !resumed {
		return nil
	}
	var out []report.Session
	if prev, err := report.ReadSummary(r.Dir); err == nil {
		out = prev.Sessions
		if len(out) == 0 {
			out = []report.Session{{StartedAt: prev.StartedAt, FinishedAt: prev.FinishedAt, Rows: prev.Rows - prev.ByStatus[report.StatusSkipped],
				Requests: prev.Requests, RequestsByService: prev.RequestsByService, Throttled: prev.Throttled, Stopped: prev.Stopped}}
		}
	}
	counted := 0
	for _, s := range out {
		counted += s.Rows
	}
	done := 0
	for _, st := range r.State {
		if st.Done {
			done++
		}
	}
	if done > counted {
		killed := report.Session{StartedAt: r.Meta.Started, Rows: done - counted, Stopped: "killed: its requests were not counted"}
		if n := len(out); n > 0 {
			killed.StartedAt = out[n-1].FinishedAt
		}
		killed.FinishedAt = killed.StartedAt
		if fi, err := os.Stat(filepath.Join(r.Dir, report.ResultsJSONL)); err == nil && fi.ModTime().After(killed.StartedAt) {
			killed.FinishedAt = fi.ModTime()
		}
		out = append(out, killed)
	}
	return out
}

// withSessions adds this session (which finished ran rows, all sessions
// counted) to the prior ones and makes the summary's requests and 429s
// their sums.
func withSessions(s report.Summary, prior []report.Session, ran int) report.Summary {
	if len(prior) == 0 {
		return s
	}
	this := report.Session{StartedAt: s.StartedAt, FinishedAt: time.Now(), Requests: s.Requests, RequestsByService: s.RequestsByService,
		Throttled: s.Throttled, Stopped: s.Stopped, Rows: ran}
	for _, x := range prior {
		this.Rows -= x.Rows
	}
	this.Rows = max(this.Rows, 0)
	s.Sessions = append(slices.Clone(prior), this)
	s.StartedAt = s.Sessions[0].StartedAt
	s.Requests, s.RequestsByService, s.Throttled = map[string]int{}, map[string]map[string]report.RequestCount{}, 0
	for _, x := range s.Sessions {
		for m, n := range x.Requests {
			s.Requests[m] += n
		}
		for svc, byMethod := range x.RequestsByService {
			if s.RequestsByService[svc] == nil {
				s.RequestsByService[svc] = map[string]report.RequestCount{}
			}
			for m, c := range byMethod {
				sum := s.RequestsByService[svc][m]
				sum.Requests += c.Requests
				sum.Throttled += c.Throttled
				s.RequestsByService[svc][m] = sum
			}
		}
		s.Throttled += x.Throttled
	}
	return s
}

// finishDone is a resumed run with no row left to run. It says so; a run
// whose report is complete is left as it is (AlreadyFinished), and one
// killed after its last row but before its report was finished gets its
// summary, undo manifest and report.html now. Nothing is sent.
func finishDone(ctx context.Context, cfg Config) (Result, error) {
	r := cfg.Run
	if cfg.Text != nil {
		fmt.Fprintf(cfg.Text, "run %s has already finished: all %s are in %s; nothing to resume\n", r.ID, report.Plural(cfg.Census.Rows, "row"), r.Dir)
	}
	if _, err := report.ReadSummary(r.Dir); err == nil {
		return Result{AlreadyFinished: true}, nil
	}
	prior := priorSessions(r, true)
	src, sink, err := cfg.startReport(ctx)
	if err != nil {
		return Result{}, err
	}
	defer src.Close()
	s := cfg.summary(nil, time.Now(), apply.Outcome{})
	t := sink.Tally()
	s = withSessions(s, prior, t.Rows-t.ByStatus[report.StatusSkipped])
	if r.Journal != nil {
		s.UndoManifest, s.UndoRows = writeUndo(ctx, cfg.Warnings, cfg.Log, r.Dir, src.Format())
	}
	summary, err := sink.Close(s)
	if err != nil {
		return Result{}, &StopError{fmt.Errorf("the report could not be finished in %s: %w", r.Dir, err)}
	}
	writeHTMLReport(ctx, cfg.Warnings, cfg.Log, r.Dir)
	return Result{Summary: summary}, nil
}
