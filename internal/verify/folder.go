package verify

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/atomicfile"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// FileName is the verdicts' file in the run folder.
const FileName = "verify.csv"

// Columns of verify.csv, in order.
var Columns = []string{"row", "op", "target", "verdict", "audit_time", "actor", "audit_id", "reason"}

// Run is what verify reads of a run folder: its succeeded rows and its
// window.
type Run struct {
	Summary report.Summary
	Rows    []Row
	// Start and End bound the run's window: from its first session's
	// start to its end.
	Start, End time.Time
}

// Load reads a run folder's summary and its succeeded rows.
func Load(ctx context.Context, dir string) (Run, error) {
	s, err := report.ReadSummary(dir)
	if err != nil {
		return Run{}, fmt.Errorf("%s is not a finished run folder: %w", dir, err)
	}
	if s.Command != "apply" {
		return Run{}, fmt.Errorf("%s is a %s: only an apply changes anything to verify", dir, s.Command)
	}
	run := Run{Summary: s, Start: s.StartedAt, End: s.FinishedAt}
	for _, ss := range s.Sessions {
		if !ss.StartedAt.IsZero() && ss.StartedAt.Before(run.Start) {
			run.Start = ss.StartedAt
		}
	}
	f, err := os.Open(filepath.Join(dir, report.ResultsJSONL))
	if err != nil {
		return Run{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if err := ctx.Err(); err != nil {
			return Run{}, err
		}
		var r struct {
			Row      int           `json:"row"`
			Op       string        `json:"op"`
			Target   string        `json:"target"`
			Status   report.Status `json:"status"`
			Finished time.Time     `json:"finished_at"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return Run{}, fmt.Errorf("%s line %d: %w", report.ResultsJSONL, line, err)
		}
		if r.Status != report.StatusSucceeded {
			continue
		}
		kind, value, ok := strings.Cut(r.Target, "=")
		if !ok {
			return Run{}, fmt.Errorf("%s line %d: target %q is not KIND=VALUE", report.ResultsJSONL, line, r.Target)
		}
		t := manifest.Target{Kind: manifest.TargetKind(kind), Value: value}
		run.Rows = append(run.Rows, Row{Row: r.Row, Op: manifest.Op(r.Op), Target: t, Finished: r.Finished})
	}
	return run, sc.Err()
}

// Counts counts the verdicts.
func Counts(checks []Check) map[string]int {
	n := map[string]int{}
	for _, c := range checks {
		n[string(c.Verdict)]++
	}
	return n
}

// Write writes verify.csv into the run folder and the counts into its
// summary.json.
func Write(dir string, run Run, checks []Check) error {
	path := filepath.Join(dir, FileName)
	tmp, err := os.CreateTemp(dir, ".verify-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	_ = w.Write(Columns)
	for _, c := range checks {
		at, actor := "", ""
		if !c.Record.Time.IsZero() {
			at, actor = c.Record.Time.UTC().Format(time.RFC3339), actorOf(c.Record)
		}
		_ = w.Write([]string{strconv.Itoa(c.Row.Row), string(c.Row.Op), c.Row.Target.String(), string(c.Verdict), at, actor, c.Record.ID, c.Reason})
	}
	w.Flush()
	err = errors.Join(w.Error(), tmp.Sync(), tmp.Chmod(0o640), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	s := run.Summary
	s.Verify = Counts(checks)
	return atomicfile.WriteJSON(filepath.Join(dir, report.SummaryJSON), s, 0o640)
}
