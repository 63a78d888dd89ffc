// Package htmlreport renders a run folder's report.html: one
// self-contained page (no network: its style and script are inline, its
// charts inline SVG) that a person reads, prints or attaches to a change
// ticket. It is rendered from the folder's own files only (results.jsonl
// or results.csv, summary.json, run.json, and verify.csv once `batch
// verify` has checked the run against UiPath's audit logs), so a page
// rendered at the end of a run and one rendered later by `batch report`
// are the same, for folders written by older versions too.
//
// Every string from the files is text to html/template, which escapes it
// for where it lands; the table's rows travel as JSON (encoded with <, >,
// &, ' and the line separators escaped) in a script element of type
// application/json that the page's script reads with textContent and
// writes into the table with textContent. A Content-Security-Policy allows
// only the page's own script (by its hash) and no request at all.
package htmlreport

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
)

// FileName is the page's name in the run folder.
const FileName = "report.html"

// Write renders dir's report.html from the folder's files, atomically
// (a reader never sees half a page).
func Write(ctx context.Context, dir string) error {
	path := filepath.Join(dir, FileName)
	tmp, err := os.CreateTemp(dir, ".report-*.html")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err = Render(ctx, dir, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o640)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Render writes the page for the run folder dir to w.
func Render(ctx context.Context, dir string, w io.Writer) error {
	r, err := openRun(dir)
	if err != nil {
		return err
	}
	var verified *verification
	if first(r.summary.Command, r.meta.Command) != "plan" {
		// Only an apply changes anything to verify.
		if verified, err = readVerification(ctx, dir); err != nil {
			return err
		}
	}
	if verified != nil {
		delete(r.extra, "verify") // summary.json's counts, shown in their own section
	}
	p := r.describe()
	t := newTally(p.start)
	tb := newTable(ctx, r)
	if verified != nil && !verified.dropped {
		tb.setVerdicts(verified)
	}
	unreadable, err := r.eachRow(ctx, func(rw *row) error {
		t.add(rw, p.IsPlan)
		tb.remember(rw)
		return nil
	})
	if err != nil {
		return err
	}
	t.unreadable = unreadable
	p.fill(r, t, tb)
	if verified != nil {
		p.Verified = verified.view(r.summary.Verify)
	}
	if err := pageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("render %s: %w", FileName, err)
	}
	if p.Table.err != nil {
		return fmt.Errorf("render %s: %w", FileName, p.Table.err)
	}
	return nil
}

// page is what the template shows.
type page struct {
	Command, RunID, Manifest, SHA256 string
	Organization, Tenant             string
	// Target is where the run went (settings.target: a URL like
	// https://host/org/tenant), shown in the header.
	Target                           string
	Started, Finished, Duration      string
	ExitCode, ExitMeaning, ExitClass string
	Stopped                          string
	// Undo is the run's undo manifest, beside the page, and UndoRows
	// how many rows it holds.
	Undo, UndoRows         string
	Resumed                bool
	IsPlan, IsApply        bool
	Settings               []keyValue
	Sessions               []sessionView
	SessionsMore           int
	Requests               []keyValue
	Extra                  []keyValue
	Throttled              int
	RowsPerSecond          string
	LatencyP50, LatencyP95 string
	Notes                  []string

	Rows      int
	Statuses  []statusBar
	Ops       []opBar
	Timeline  *chart
	NoFinish  int
	Codes     []*group
	Fields    []*group
	Other     int
	Changed   []*group
	Applied   *changedView
	Verified  *verifiedView // what UiPath's audit logs say, when the folder holds verify.csv
	Deletes   *group
	Creates   *group
	Planned   []planRow
	PlanMore  int
	Table     *table
	TableNote string

	Generated string
	Style     template.CSS
	Script    template.JS
	CSP       string

	start time.Time
}

type keyValue struct{ Key, Value string }

type statusBar struct {
	Status string
	Count  int
	X, W   float64
}

type opBar struct {
	Op    string
	Total int
	Segs  []statusBar
}

// describe takes what ran from summary.json, then run.json.
func (r *run) describe() *page {
	s, m := &r.summary, &r.meta
	p := &page{}
	p.Command = first(s.Command, m.Command)
	p.RunID = first(s.RunID, m.RunID, filepath.Base(r.dir))
	p.Manifest = first(s.Manifest, m.Manifest)
	p.SHA256 = first(s.ManifestSHA256, m.ManifestSHA256)
	if s.UndoManifest != "" {
		p.Undo, p.UndoRows = filepath.Base(s.UndoManifest), report.Plural(s.UndoRows, "row")
	}
	p.IsPlan = p.Command == "plan"
	p.IsApply = p.Command == "apply"
	// A resumed run's summary starts at the resume; run.json at the start.
	p.start = m.Started
	if p.start.IsZero() {
		p.start = s.StartedAt
	}
	if !p.start.IsZero() {
		p.Started = p.start.UTC().Format("2006-01-02 15:04:05 MST")
	}
	if r.hasSummary {
		p.Finished = s.FinishedAt.UTC().Format("2006-01-02 15:04:05 MST")
		if !p.start.IsZero() {
			p.Duration = fmtDur(s.FinishedAt.Sub(p.start))
		}
		p.RowsPerSecond = fmt.Sprintf("%.1f", s.RowsPerSecond)
		p.LatencyP50 = fmt.Sprintf("%.0f ms", s.LatencyP50Ms)
		p.LatencyP95 = fmt.Sprintf("%.0f ms", s.LatencyP95Ms)
		p.Throttled = s.Throttled
		p.Stopped = s.Stopped
		for _, svc := range slices.Sorted(maps.Keys(s.RequestsByService)) {
			byMethod := s.RequestsByService[svc]
			for _, m := range slices.Sorted(maps.Keys(byMethod)) {
				c := byMethod[m]
				p.Requests = append(p.Requests, keyValue{svc + " " + m, fmt.Sprintf("%d (429s: %d)", c.Requests, c.Throttled)})
			}
		}
		if len(s.RequestsByService) == 0 { // a run written before requests were counted by service
			for _, k := range slices.Sorted(maps.Keys(s.Requests)) {
				p.Requests = append(p.Requests, keyValue{k, fmt.Sprint(s.Requests[k])})
			}
		}
		for _, k := range slices.Sorted(maps.Keys(s.Settings)) {
			v := s.Settings[k]
			switch k {
			case "organization":
				p.Organization = cut(fmt.Sprint(v), nameLimit)
				continue
			case "tenant":
				p.Tenant = cut(fmt.Sprint(v), nameLimit)
				continue
			case "target":
				p.Target = cut(fmt.Sprint(v), nameLimit)
				continue
			case "resumed":
				p.Resumed = v == true
			}
			if !settingShown(p.Command, k) {
				continue
			}
			if len(p.Settings) < maxGroups {
				p.Settings = append(p.Settings, keyValue{cut(k, refLimit), settingValue(k, v)})
			}
		}
		p.Sessions, p.SessionsMore = sessionViews(r.sessions)
		if raw, ok := r.extra["target"]; ok && p.Target == "" {
			// The target at the top level rather than among the settings.
			var target string
			if json.Unmarshal(raw, &target) == nil && target != "" {
				p.Target = cut(target, nameLimit)
				delete(r.extra, "target")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(r.extra)) {
			if len(p.Extra) < maxGroups {
				p.Extra = append(p.Extra, keyValue{cut(k, refLimit), settingValue(k, r.extra[k])})
			}
		}
	}
	return p
}

// nameLimit cuts the organization, tenant and target the header names.
const nameLimit = 500

// Settings that mean something to one command only: a page leaves out
// those of the other command (a plan never bulk-writes, drains or seals
// secrets).
var (
	applyOnlySettings = map[string]bool{
		"bulk_size": true, "max_failures": true, "max_staleness": true, "skip_unchanged": true,
		"secrets": true, "secrets_out": true, "age_recipient": true, "drain": true,
		"allow_deletes": true, "generate_only": true, "verify": true, "yes": true,
	}
	planOnlySettings = map[string]bool{"detailed_exitcode": true}
)

// settingShown says whether a setting means something to command.
func settingShown(command, key string) bool {
	switch command {
	case "plan":
		return !applyOnlySettings[key]
	case "apply":
		return !planOnlySettings[key]
	}
	return true
}

// settingValue shows a setting; a name that sounds secret shows ***.
func settingValue(key string, v any) string {
	k := strings.ToLower(key)
	for _, w := range []string{"secret", "password", "token", "credential", "pat", "key"} {
		if strings.Contains(k, w) && !strings.Contains(k, "path") {
			return secret.Redacted
		}
	}
	switch v := v.(type) {
	case string:
		return cut(v, 2000)
	case json.RawMessage:
		return cut(string(v), 2000)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return cut(fmt.Sprint(v), 2000)
		}
		return cut(string(b), 2000)
	}
}

// exitCodes are batch's exit codes and their meaning (the help text's).
var exitCodes = map[string]string{
	"0": "every row succeeded (or was unchanged / planned)",
	"1": "one or more rows failed",
	"3": "the run stopped early; rows not run are skipped (not_run), and --resume runs them",
}

// fill adds what the rows say.
func (p *page) fill(r *run, t *tally, tb *table) {
	s := &r.summary
	p.Rows = t.rows
	switch {
	case !r.hasSummary:
		p.ExitCode, p.ExitClass = "unknown", "stopped"
		p.ExitMeaning = "the folder has no summary.json: the run was killed, or is still running; the rows it finished are shown, and --resume finishes it"
	case s.Stopped != "":
		p.ExitCode, p.ExitClass = "3", "stopped"
	case t.byStatus["failed"] > 0:
		p.ExitCode, p.ExitClass = "1", "failed"
	default:
		p.ExitCode, p.ExitClass = "0", "ok"
	}
	if p.ExitMeaning == "" {
		p.ExitMeaning = exitCodes[p.ExitCode]
	}
	if r.hasSummary && s.Rows != t.rows {
		p.Notes = append(p.Notes, fmt.Sprintf("summary.json counts %d rows; the results file holds %d.", s.Rows, t.rows))
	}
	if t.unreadable > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d lines of %s could not be read (a line torn by a crash) and are left out.", t.unreadable, r.rowsFile))
	}
	if r.rowsFile == "" {
		p.Notes = append(p.Notes, "The folder holds no results file.")
	} else if r.rowsFile != "results.jsonl" {
		p.Notes = append(p.Notes, "Read from "+r.rowsFile+" (results.jsonl is missing).")
	}

	total := float64(max(t.rows, 1))
	x := 0.0
	for _, st := range t.statuses() {
		w := 600 * float64(t.byStatus[st]) / total
		p.Statuses = append(p.Statuses, statusBar{Status: st, Count: t.byStatus[st], X: x, W: w})
		x += w
	}
	ops := t.ops()
	largest := 1
	if len(ops) > 0 {
		largest = ops[0].Total
	}
	for _, oc := range ops {
		ob := opBar{Op: oc.Op, Total: oc.Total}
		x := 0.0
		for _, st := range t.statuses() {
			if n := oc.ByStatus[st]; n > 0 {
				w := 400 * float64(n) / float64(largest)
				ob.Segs = append(ob.Segs, statusBar{Status: st, Count: n, X: x, W: w})
				x += w
			}
		}
		p.Ops = append(p.Ops, ob)
	}

	if p.IsApply {
		p.Timeline = t.timeline.draw()
		if p.Timeline != nil {
			p.Timeline.markPauses(pausesOf(r.sessions))
		}
		p.NoFinish = t.noFinish
		p.Applied = t.applied.view()
	}
	p.Codes = t.codes.sorted()
	p.Fields = t.fields.sorted()
	p.Other = t.codes.other + t.fields.other
	if p.IsPlan {
		p.Changed = t.changed.sorted()
		if g := t.deletes.sorted(); len(g) > 0 {
			p.Deletes = g[0]
		}
		if g := t.creates.sorted(); len(g) > 0 {
			p.Creates = g[0]
		}
		p.Planned = sortedRows(t.planned, planRows, planRowOf)
		p.PlanMore = t.byStatus["planned"] - len(t.planned)
	}

	keep := func(*row) bool { return true }
	if t.rows > tableRows {
		firstBudget := min(t.interesting, tableRows)
		restBudget := tableRows - firstBudget
		keep = func(rw *row) bool {
			if isInteresting(rw.Status) {
				if firstBudget == 0 {
					return false
				}
				firstBudget--
				return true
			}
			if restBudget == 0 {
				return false
			}
			restBudget--
			return true
		}
		p.TableNote = fmt.Sprintf("The table holds %s of the %s rows (failed, skipped and invalid rows first); results.csv has every row.", formatCount(tableRows), formatCount(t.rows))
	}
	// A row takes less room in the page than in the results file.
	twoSweeps := t.rows > tableRows || t.bytes > tableBytes
	tb.keep, tb.twoSweeps = keep, twoSweeps
	p.Table = tb
	p.Generated = time.Now().UTC().Format("2006-01-02 15:04:05 MST")
	p.Style = template.CSS(pageStyle)
	p.Script = template.JS(pageScript)
	p.CSP = contentSecurityPolicy
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// contentSecurityPolicy allows the page's own style and script and
// nothing else: no request of any kind, no other script, no inline event
// handler.
var contentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageScript))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}()

var pageTemplate = template.Must(template.New(FileName).Funcs(template.FuncMap{
	"num":   formatCount,
	"pct":   func(n, total int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(total, 1))) },
	"f1":    func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"plus1": func(n int) int { return n + 1 },
}).Parse(pageHTML))

// formatCount writes n with thousands separators.
func formatCount(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
