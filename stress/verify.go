package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// view is the emulator's state at the end of a run, as the checks read it.
type view struct {
	emu    *emulator.Server
	users  map[string]emulator.User             // by user name
	robots map[string]emulator.RobotAccount     // by name
	orch   map[string]emulator.OrchestratorUser // by user name
	// lastSecret is the last password the secrets output holds per target.
	lastSecret map[string]string
	// changesApplied counts the change-password requests the server
	// applied, by user id (answered or not).
	changesApplied map[string]int
	// The lifecycle: users by email and how many hold each email; what
	// was deleted, by user name, robot name and group name; groups by name.
	usersByEmail                               map[string]emulator.User
	emailCount                                 map[string]int
	deletedUsers, deletedRobots, deletedGroups map[string]int
	groupCount                                 map[string]int
	// duplicateCreates counts creates the server refused with a 4xx (an
	// account or group sent to be created twice), by path.
	duplicateCreates map[string]int
}

func newView(emu *emulator.Server, entries []secretsout.Entry) *view {
	v := &view{emu: emu, users: map[string]emulator.User{}, robots: map[string]emulator.RobotAccount{},
		orch: map[string]emulator.OrchestratorUser{}, lastSecret: map[string]string{}, changesApplied: map[string]int{},
		usersByEmail: map[string]emulator.User{}, emailCount: map[string]int{}, deletedUsers: map[string]int{},
		deletedRobots: map[string]int{}, deletedGroups: map[string]int{}, groupCount: map[string]int{}, duplicateCreates: map[string]int{}}
	for _, u := range emu.Users() {
		v.users[u.UserName] = u
		v.usersByEmail[u.Email] = u
		v.emailCount[u.Email]++
	}
	snap := emu.Snapshot()
	for _, d := range snap.DeletedUsers {
		v.deletedUsers[d.UserName]++
	}
	for _, d := range snap.DeletedRobotAccounts {
		v.deletedRobots[d.Name]++
	}
	for _, d := range snap.DeletedGroups {
		v.deletedGroups[d.Name]++
	}
	for _, g := range snap.Groups {
		v.groupCount[g.Name]++
	}
	for _, r := range emu.RobotAccounts() {
		v.robots[r.Name] = r
	}
	for _, o := range emu.OrchestratorUsers() {
		v.orch[o.UserName] = o
	}
	for _, e := range entries {
		v.lastSecret[e.Target] = e.Password.Reveal()
	}
	for _, rq := range emu.Requests() {
		if rq.Method == "POST" && strings.HasSuffix(rq.Path, "/changepassword") && (rq.Status == 200 || rq.Unsent == 200) {
			parts := strings.Split(rq.Path, "/")
			v.changesApplied[parts[len(parts)-2]]++
		}
		status := rq.Status
		if status == 0 {
			status = rq.Unsent
		}
		for _, create := range []string{"/api/User", "/api/User/BulkCreate", "/api/RobotAccount", "/api/Group"} {
			if rq.Method == "POST" && strings.HasSuffix(rq.Path, create) && status >= 400 && status < 500 && status != 429 {
				v.duplicateCreates[create]++
			}
		}
	}
	return v
}

// Report is what a stress run checked, line by line.
type Report struct{ lines []string }

func (r *Report) add(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

// Print writes the report.
func (r *Report) Print(w io.Writer) {
	for _, l := range r.lines {
		fmt.Fprintln(w, l)
	}
}

// reported is one line of results.csv.
type reported struct {
	status, code, op, target string
	times                    int
}

// verify checks the run folder against the emulator's state; it returns
// every contradiction found, joined.
func verify(o *outcome) (*Report, error) {
	rep := &Report{}
	var problems []error
	fail := func(format string, args ...any) {
		if len(problems) < 40 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	plan := o.plan
	n := len(plan.rows)

	// The run itself.
	var onJournal, inFlight, maxInFlight int
	for _, k := range o.kills {
		if k.onJournal {
			onJournal++
		}
		inFlight += k.inFlight
		maxInFlight = max(maxInFlight, k.inFlight)
	}
	var mix []string
	for _, op := range ops {
		mix = append(mix, fmt.Sprintf("%s %d", op.name, plan.byOp[op.name]))
	}
	rep.add("rows:     %d (%s)", n, strings.Join(mix, ", "))
	rep.add("killed:   %d times with SIGKILL (%d at a point of progress drawn in advance, %d drawn as a delay from the start), %d rows in flight at the kills (at most %d at once); %d runs in all, %d sign-ins met a 503 first; final exit %d; %s",
		len(o.kills), onJournal, len(o.kills)-onJournal, inFlight, maxInFlight, o.runs, o.tokenFaults, o.finalCode, o.elapsed.Round(time.Millisecond))
	sum := o.emu.RequestSummary()
	rep.add("emulator: %d API requests, %d answered 503, %d connections dropped (injected, or cut by a kill), %d token requests",
		sum.Total, sum.ByStatus["503"], sum.Dropped, sum.TokenRequests)

	// Every row in results.csv exactly once.
	results, err := readResultsCSV(filepath.Join(o.runDir, report.ResultsCSV))
	if err != nil {
		return rep, err
	}
	extra := 0
	for row, r := range results {
		if row < 1 || row > n {
			extra++
			fail("results.csv holds row %d, which the manifest does not have", row)
		}
		if r.times != 1 {
			fail("results.csv holds row %d %d times", row, r.times)
		}
	}
	jsonl := countLines(filepath.Join(o.runDir, report.ResultsJSONL))
	if jsonl != n {
		fail("results.jsonl holds %d lines for %d rows", jsonl, n)
	}

	// Each row's status is the one the server's state proves.
	entries, err := secretsout.Read(o.secretsPath)
	if err != nil {
		return rep, err
	}
	v := newView(o.emu, entries)
	var succeeded, refused, changes, generated int
	for _, r := range plan.rows {
		got, ok := results[r.n]
		if !ok {
			fail("row %d (%s %s) is missing from results.csv", r.n, r.op.name, r.target)
			continue
		}
		if got.op != r.op.name || got.target != r.target {
			fail("row %d: results.csv says %s %s, the manifest %s %s", r.n, got.op, got.target, r.op.name, r.target)
		}
		landed := r.op.landed(v, r)
		switch {
		case r.refused && landed:
			fail("row %d (%s %s): the server shows the change, though the row was meant to be refused", r.n, r.op.name, r.target)
		case r.refused && (got.status != string(report.StatusFailed) || got.code != r.wantCode):
			fail("row %d (%s %s): reported %s %s; the server refused it: want failed %s", r.n, r.op.name, r.target, got.status, got.code, r.wantCode)
		case r.refused:
			refused++
		case !landed:
			fail("row %d (%s %s): the server does not show the change; reported %s %s", r.n, r.op.name, r.target, got.status, got.code)
		case got.status != string(report.StatusSucceeded):
			fail("row %d (%s %s): the server shows the change, but the row is reported %s %s", r.n, r.op.name, r.target, got.status, got.code)
		default:
			succeeded++
		}
		if r.op.applied != nil {
			want := 0
			if landed {
				want = 1
			}
			if got := r.op.applied(v, r); got != want {
				fail("row %d (%s %s): the server applied the change %d times, want %d", r.n, r.op.name, r.target, got, want)
			} else if landed {
				changes++
			}
		}
		if r.op.generates && landed {
			generated++
		}
	}
	rep.add("checked:  %d rows in results.csv exactly once each (and %d lines in results.jsonl); %d succeeded and %d refused for a wrong old password, each as the server's state shows",
		len(results)-extra, jsonl, succeeded, refused)
	rep.add("checked:  %d change-passwords and creates applied exactly once on the server, %d refused ones never applied", changes, refused)
	dups := 0
	for path, n := range v.duplicateCreates {
		dups += n
		fail("%d creates (POST %s) were refused: an account or group was sent to be created again", n, path)
	}
	rep.add("checked:  %d creates refused as duplicates (each account and group sent to be created at most once it landed)", dups)
	rep.add("checked:  %d generated passwords recoverable: the last of the %d lines of the secrets output for each target is the server's", generated, len(entries))

	// Files that must be private, and a run key that must be gone.
	for _, p := range []string{o.secretsPath, filepath.Join(o.runDir, journal.FileName)} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			fail("%s: mode %v (%v), want 0600", filepath.Base(p), modeOf(st), err)
		}
	}
	if _, err := os.Stat(filepath.Join(o.runDir, journal.KeyName)); !errors.Is(err, fs.ErrNotExist) {
		fail("run.key is still in the run folder after the run completed")
	}

	// No secret anywhere else.
	secrets := o.secrets(entries)
	files, size := 0, 0
	scan := func(where string, data []byte) {
		size += len(data)
		text := string(data)
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				fail("a secret appears in %s", where)
				return
			}
		}
	}
	err = filepath.WalkDir(o.runDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		scan(path, data)
		return nil
	})
	if err != nil {
		return rep, err
	}
	for i, out := range o.outputs {
		scan(fmt.Sprintf("the output of run %d", i+1), out)
	}
	rep.add("checked:  no secret (%d passwords and the client secret) in the %d files of the run folder or in the output and logs of the %d runs (%.1f MB)",
		len(secrets)-1, files, len(o.outputs), float64(size)/1e6)
	return rep, errors.Join(problems...)
}

func modeOf(st fs.FileInfo) fs.FileMode {
	if st == nil {
		return 0
	}
	return st.Mode().Perm()
}

// readResultsCSV reads results.csv by row number.
func readResultsCSV(path string) (map[int]*reported, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results.csv: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("results.csv: %w", err)
	}
	if len(recs) == 0 {
		return nil, errors.New("results.csv is empty")
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"row", "op", "target", "status", "error_code"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("results.csv has no %s column", h)
		}
	}
	out := map[int]*reported{}
	for _, rec := range recs[1:] {
		row, err := strconv.Atoi(rec[col["row"]])
		if err != nil {
			return nil, fmt.Errorf("results.csv: row %q: %w", rec[col["row"]], err)
		}
		r := out[row]
		if r == nil {
			r = &reported{status: rec[col["status"]], code: rec[col["error_code"]], op: rec[col["op"]], target: rec[col["target"]]}
			out[row] = r
		}
		r.times++
	}
	return out, nil
}

// secrets are every secret of the run: the client secret, the manifest's
// passwords and the accounts' initial ones, and those in the secrets
// output, sorted and without duplicates.
func (o *outcome) secrets(entries []secretsout.Entry) []string {
	secrets := []string{emulator.DefaultClientSecret}
	for _, e := range entries {
		secrets = append(secrets, e.Password.Reveal())
	}
	for _, r := range o.plan.rows {
		secrets = append(secrets, r.secrets...)
	}
	slices.Sort(secrets)
	return slices.Compact(secrets)
}
