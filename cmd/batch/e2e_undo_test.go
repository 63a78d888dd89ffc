package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// undoOrganization starts the organization the undo tests change: 20
// generated users, 6 robot accounts (each with its Orchestrator user) and
// three local groups with members.
func undoOrganization(t *testing.T, specShapes ...bool) *emulator.Server {
	t.Helper()
	seed := map[string]any{"groups": []map[string]any{
		{"name": "Sales", "members": []string{"user00001", "user00002", "user00005", "robot-001"}},
		{"name": "Night shift", "members": []string{"user00011", "user00012@example.com", "robot-005"}},
		{"name": "Legacy", "members": []string{"user00006", "robot-003"}},
	}}
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	return startEmulator(t, emulator.Config{Users: 20, Robots: 6, Seed: 15, Latency: 2 * time.Millisecond,
		SeedFile: writeFile(t, t.TempDir(), "seed.json", string(data)), SpecShapes: len(specShapes) > 0 && specShapes[0]})
}

// undoManifest writes a manifest with every op into dir: rows that change
// fields and memberships, passwords, creates, deletes, a row that fails
// and one that changes nothing. Users are named by email, robot accounts
// and groups by name, as undo rows name them, so that each undo row's
// target reads as its row's.
func undoManifest(t *testing.T, emu *emulator.Server, dir string) string {
	t.Helper()
	var seven emulator.User
	for _, u := range emu.Users() {
		if u.UserName == "user00007" {
			seven = u
		}
	}
	old4 := writeFile(t, dir, "old4.txt", emulator.InitialPassword(4))
	new4 := writeFile(t, dir, "new4.txt", "Undo-Changed-Pass-0004!")
	rows := []string{
		"op,email,username,robot_name,group_name,name,surname,display_name,is_active,groups,groups_to_add,groups_to_remove,old_password,new_password,initial_password",
		`update_user,user00001@example.com,,,,,Changed,Renamed One,,,Legacy,Automation Users,,,`,
		`update_user,user00010@example.com,,,,,,,true,,,,,,`,
		`set_password,user00003@example.com,,,,,,,,,,,,generate,`,
		`change_password,user00004@example.com,,,,,,,,,,,file:` + old4 + `,file:` + new4 + `,`,
		`update_robot_account,,,robot-001,,,,Robot Renamed,,,Finance,Sales,,,`,
		`set_robot_credentials,,robot-004,,,,,,,,,,,generate,`,
		`ensure_user,new.person@example.com,newperson,,,New,Person,New Person,,Everyone;Sales,,,,,generate`,
		`ensure_user,user00005@example.com,,,,Five,,,,Everyone;Finance,,,,,`,
		`delete_user,user00006@example.com,,,,,,,,,,,,,`,
		`ensure_robot_account,,,robot-new,,,,New Robot,,,Sales,,,,`,
		`ensure_robot_account,,,robot-002,,,,Robot Two Renamed,,,,,,,`,
		`delete_robot_account,,,robot-003,,,,,,,,,,,`,
		`ensure_group,,,,Migrated,,,,,,,,,,`,
		`ensure_group,,,,Sales,,,,,,,,,,`,
		`delete_group,,,,Night shift,,,,,,,,,,`,
		`update_user,nobody@example.com,,,,,,Nobody,,,,,,,`,
		`update_user,user00007@example.com,,,,,,` + seven.DisplayName + `,,,,,,,`,
	}
	return writeFile(t, dir, "change.csv", strings.Join(rows, "\n")+"\n")
}

// undoRun is what a test keeps of one apply.
type undoRun struct {
	dir, runDir string
	secrets     string
}

// exportOrganization exports users, robot accounts and groups, each kind's
// rows sorted (an organization lists accounts created again last).
func exportOrganization(t *testing.T, emu *emulator.Server, dir, tag string) string {
	t.Helper()
	var out []string
	for _, kind := range []string{"users", "robot-accounts", "groups"} {
		file := tag + "-" + kind + ".csv"
		res := runBatch(t, emu, dir, "export", kind, "-o", file, "--limits", "none")
		if res.code != 0 {
			t.Fatalf("export %s: exit %d\n%s", kind, res.code, res.stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		slices.Sort(lines[1:])
		out = append(out, lines...)
	}
	return strings.Join(out, "\n")
}

// undoRows reads an undo manifest: its rows as "col=value,…", sorted, and
// its "not undoable" comment lines, sorted.
func undoRows(t *testing.T, path string) (rows, notes []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "# not undoable: ") {
			notes = append(notes, l)
		}
	}
	r, err := manifest.Open(context.Background(), path, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		j, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var cells []string
		for _, c := range j.Cells() {
			v := c.Value
			switch c.Column {
			case manifest.ColGroups, manifest.ColGroupsToAdd, manifest.ColGroupsToRemove:
				// A membership is a set: its order is the service's.
				items := strings.Split(v, ";")
				slices.Sort(items)
				v = strings.Join(items, ";")
			}
			cells = append(cells, c.Column+"="+v)
		}
		rows = append(rows, strings.Join(cells, ","))
	}
	slices.Sort(rows)
	slices.Sort(notes)
	return rows, notes
}

// wantUndoRows are the undo rows of undoManifest's run.
var wantUndoRows = []string{
	"op=delete_group,group_name=Migrated",
	"op=delete_robot_account,robot_name=robot-new",
	"op=delete_user,email=new.person@example.com",
	"op=ensure_group,group_name=Night shift",
	"op=ensure_robot_account,robot_name=robot-003,display_name=Robot 003,groups=Automation Users;Everyone;Legacy",
	"op=update_robot_account,robot_name=robot-001,display_name=Robot 001,groups_to_add=Sales,groups_to_remove=Finance",
	"op=update_robot_account,robot_name=robot-002,display_name=Robot 002",
	"op=update_robot_account,robot_name=robot-005,groups_to_add=Night shift",
	"op=update_user,email=user00001@example.com,surname=%s,display_name=%s,groups_to_add=Automation Users,groups_to_remove=Legacy",
	"op=update_user,email=user00005@example.com,name=%s,groups_to_add=Automation Users;Sales,groups_to_remove=Finance",
	"op=update_user,email=user00010@example.com,is_active=false",
	"op=update_user,email=user00011@example.com,groups_to_add=Night shift",
	"op=update_user,email=user00012@example.com,groups_to_add=Night shift",
}

// expectedUndo fills wantUndoRows with the organization's generated names,
// and adds user00006's row.
func expectedUndo(t *testing.T, emu *emulator.Server) []string {
	t.Helper()
	users := map[string]emulator.User{}
	for _, u := range emu.Users() {
		users[u.UserName] = u
	}
	one, five, six := users["user00001"], users["user00005"], users["user00006"]
	names := groupNamesOf(emu)
	var sixGroups []string
	for _, id := range six.GroupIDs {
		sixGroups = append(sixGroups, names[strings.ToLower(id)])
	}
	slices.Sort(sixGroups)
	out := slices.Clone(wantUndoRows)
	for i, r := range out {
		switch {
		case strings.Contains(r, "user00001@"):
			out[i] = fmt.Sprintf(r, one.Surname, one.DisplayName)
		case strings.Contains(r, "user00005@"):
			out[i] = fmt.Sprintf(r, five.Name)
		}
	}
	out = append(out, fmt.Sprintf("op=ensure_user,email=user00006@example.com,username=user00006,name=%s,surname=%s,display_name=%s,groups=%s",
		six.Name, six.Surname, six.DisplayName, strings.Join(sixGroups, ";")))
	slices.Sort(out)
	return out
}

func groupNamesOf(emu *emulator.Server) map[string]string {
	m := map[string]string{}
	for _, g := range emu.Groups() {
		m[strings.ToLower(g.ID)] = g.Name
	}
	return m
}

// The rows whose change is a password: listed, never put back.
var wantNotUndoable = []string{"change.csv:4 set_password", "change.csv:5 change_password", "change.csv:7 set_robot_credentials"}

func checkNotUndoable(t *testing.T, notes []string) {
	t.Helper()
	for _, want := range wantNotUndoable {
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) && strings.Contains(n, "cannot be put back") }) {
			t.Errorf("no not-undoable line for %s:\n%s", want, strings.Join(notes, "\n"))
		}
	}
}

// applyUndo applies a run's undo manifest, then checks that the
// organization exports what it did before the run, and that the
// activation the export does not hold is back too.
func applyUndo(t *testing.T, emu *emulator.Server, run undoRun, before string) {
	t.Helper()
	res := runBatch(t, emu, run.dir, "apply", filepath.Join(run.runDir, "undo.csv"), "--yes", "--allow-deletes",
		"--run-id", "undo", "--limits", "none", "--no-progress")
	if res.code != 0 {
		t.Fatalf("apply undo.csv: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if after := exportOrganization(t, emu, run.dir, "after"); after != before {
		t.Fatalf("after the undo the organization exports\n%s\n\nbefore the run it exported\n%s", after, before)
	}
	for _, u := range emu.Users() {
		if u.UserName == "user00010" && u.IsActive {
			t.Error("user00010 is active after the undo; it was inactive before the run")
		}
	}
}

// applyArgs are the arguments of the run that the undo tests undo.
func applyArgs(m, secrets string) []string {
	return []string{"apply", m, "--yes", "--allow-deletes", "--run-id", "first", "--limits", "none",
		"--secrets-out", secrets, "--no-progress", "--workers", "3"}
}

// checkNoPasswordLeaks checks that no password the run set or read appears
// in the undo manifest or any report.
func checkNoPasswordLeaks(t *testing.T, run undoRun, outputs ...string) {
	t.Helper()
	entries, err := secretsout.Read(run.secrets)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 3 { // a killed run's row may be recorded again when resumed
		t.Errorf("the secrets file holds %d passwords, want 3 (set_password, set_robot_credentials, ensure_user's initial_password)", len(entries))
	}
	secrets := []string{emulator.InitialPassword(4), "Undo-Changed-Pass-0004!"}
	for _, e := range entries {
		secrets = append(secrets, e.Password.Reveal())
	}
	assertNoSecrets(t, secrets, outputs, filepath.Join(run.dir, "reports"))
}

// TestUndoPutsBackWhatARunChanged: a manifest with every op is applied;
// its undo.csv plans as the inverse of the run's plan, lists the
// passwords as not undoable, and, applied, brings the organization back
// to the export taken before the run (ids of accounts created again
// aside: export does not hold ids).
func TestUndoPutsBackWhatARunChanged(t *testing.T) {
	t.Parallel()
	eachShape(t, testUndoPutsBackWhatARunChanged)
}

// eachShape runs test against the emulator in the live service's shapes
// and in the published definitions' (--spec-shapes), in parallel.
func eachShape(t *testing.T, test func(t *testing.T, specShapes bool)) {
	for _, spec := range []bool{false, true} {
		name := "live"
		if spec {
			name = "spec"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, spec)
		})
	}
}

func testUndoPutsBackWhatARunChanged(t *testing.T, specShapes bool) {
	emu := undoOrganization(t, specShapes)
	dir := t.TempDir()
	m := undoManifest(t, emu, dir)
	before := exportOrganization(t, emu, dir, "before")
	want := expectedUndo(t, emu)

	plan := runBatch(t, emu, dir, "plan", m, "--run-id", "plan-first", "--limits", "none")
	if plan.code != 1 { // the row on nobody@example.com fails
		t.Fatalf("plan: exit %d\n%s", plan.code, plan.stderr)
	}
	planned := readResults(t, filepath.Join(dir, "reports", "plan-first"))

	run := undoRun{dir: dir, runDir: filepath.Join(dir, "reports", "first"), secrets: filepath.Join(dir, "secrets.csv")}
	res := runBatch(t, emu, dir, applyArgs(m, run.secrets)...)
	if res.code != 1 {
		t.Fatalf("apply: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	rows, notes := undoRows(t, filepath.Join(run.runDir, "undo.csv"))
	if !slices.Equal(rows, want) {
		t.Fatalf("undo.csv rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	checkNotUndoable(t, notes)
	head, _ := os.ReadFile(filepath.Join(run.runDir, "undo.csv"))
	if !strings.Contains(string(head), "--allow-deletes") {
		t.Errorf("undo.csv deletes, and its header does not say --allow-deletes:\n%s", head)
	}

	// Planned right after the run, the undo is the run's plan inverted.
	undoPlan := runBatch(t, emu, dir, "plan", filepath.Join(run.runDir, "undo.csv"), "--run-id", "plan-undo", "--limits", "none")
	if undoPlan.code != 0 {
		t.Fatalf("plan undo.csv: exit %d\n%s", undoPlan.code, undoPlan.stderr)
	}
	checkInverse(t, planned, readResults(t, filepath.Join(dir, "reports", "plan-undo")))

	applyUndo(t, emu, run, before)
	checkNoPasswordLeaks(t, run, res.stdout, res.stderr, undoPlan.stdout, undoPlan.stderr)

	// Planned again, the original manifest shows the original plan.
	again := runBatch(t, emu, dir, "plan", m, "--run-id", "plan-again", "--limits", "none")
	if again.code != 1 {
		t.Fatalf("plan again: exit %d\n%s", again.code, again.stderr)
	}
	if got, want := planText(readResults(t, filepath.Join(dir, "reports", "plan-again"))), planText(planned); got != want {
		t.Fatalf("the original manifest planned after the undo:\n%s\nbefore the run:\n%s", got, want)
	}
}

// planText is a plan's rows as text, one per row.
func planText(rs []report.Result) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d %s %s %s %s", r.Row, r.Target, r.Status, r.ErrorCode, r.ChangesString()))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// checkInverse checks that the undo's plan inverts the run's: each field
// change goes back (old and new swapped, groups added and removed
// swapped), each create is a delete and each delete a create (a deleted
// group's members put back in it), and a password change has no undo.
func checkInverse(t *testing.T, run, undo []report.Result) {
	t.Helper()
	undoBy := map[string]report.Result{}
	for _, r := range undo {
		if r.Status != report.StatusPlanned {
			t.Errorf("undo plan row %d (%s): %s %s, want planned", r.Row, r.Target, r.Status, r.ErrorMessage)
		}
		undoBy[r.Target] = r
	}
	matched := 0
	for _, r := range run {
		if r.Status != report.StatusPlanned {
			if _, ok := undoBy[r.Target]; ok {
				t.Errorf("%s is %s in the run's plan, yet the undo changes it", r.Target, r.Status)
			}
			continue
		}
		u, ok := undoBy[r.Target]
		switch r.Op {
		case "set_password", "change_password", "set_robot_credentials":
			if ok {
				t.Errorf("%s: a password row has an undo row: %s", r.Target, u.ChangesString())
			}
			continue
		}
		if !ok {
			t.Errorf("%s (%s) changes in the run's plan, and not in the undo's", r.Target, r.ChangesString())
			continue
		}
		matched++
		rc, uc := r.ChangesString(), u.ChangesString()
		switch {
		case strings.Contains(rc, "+ create"):
			if !strings.Contains(uc, "− delete") {
				t.Errorf("%s: the run creates it, the undo plans %q", r.Target, uc)
			}
		case strings.Contains(rc, "− delete"):
			if !strings.Contains(uc, "+ create") {
				t.Errorf("%s: the run deletes it, the undo plans %q", r.Target, uc)
			}
		default:
			if got, want := changeSet(u.Changes, false), changeSet(r.Changes, true); !slices.Equal(got, want) {
				t.Errorf("%s: the undo plans %q, the inverse of the run's %q", r.Target, uc, rc)
			}
		}
	}
	// The rest are the deleted group's members put back in it.
	for target, u := range undoBy {
		if !slices.ContainsFunc(run, func(r report.Result) bool { return r.Target == target }) {
			matched++
			if u.ChangesString() != `groups: +"Night shift"` {
				t.Errorf("%s: an undo row of no row of the run: %s", target, u.ChangesString())
			}
		}
	}
	if matched != len(undo) {
		t.Errorf("%d undo plan rows, %d accounted for", len(undo), matched)
	}
}

// changeSet is a row's changes as "field old new" strings, sorted; with
// invert, old and new are swapped and group additions and removals too.
func changeSet(cs []report.Change, invert bool) []string {
	var out []string
	for _, c := range cs {
		if c.Field == "groups" {
			for _, p := range strings.Split(c.New, " ") {
				if invert {
					switch {
					case strings.HasPrefix(p, "+"):
						p = "−" + strings.TrimPrefix(p, "+")
					case strings.HasPrefix(p, "−"):
						p = "+" + strings.TrimPrefix(p, "−")
					}
				}
				out = append(out, "groups "+p)
			}
			continue
		}
		old, nw := c.Old, c.New
		if invert {
			old, nw = nw, old
		}
		out = append(out, c.Field+" "+old+" "+nw)
	}
	slices.Sort(out)
	return out
}

// TestUndoAfterKillAndResume: the run killed with SIGKILL at three points
// and resumed writes the same undo manifest as the run not killed: it
// covers exactly the rows that changed, each from the state before its
// first send; applied, it brings the organization back.
func TestUndoAfterKillAndResume(t *testing.T) {
	t.Parallel()
	for _, point := range []int{1, 6, 14} {
		t.Run(fmt.Sprintf("after-%d-journal-lines", point), func(t *testing.T) {
			emu := undoOrganization(t)
			dir := t.TempDir()
			m := undoManifest(t, emu, dir)
			before := exportOrganization(t, emu, dir, "before")
			want := expectedUndo(t, emu)
			run := undoRun{dir: dir, runDir: filepath.Join(dir, "reports", "first"), secrets: filepath.Join(dir, "secrets.csv")}
			args := applyArgs(m, run.secrets)

			cmd, out := startBatch(t, emu, dir, args...)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			waitLines(t, filepath.Join(run.runDir, "journal.jsonl"), point, done)
			_ = cmd.Process.Kill()
			<-done
			if cmd.ProcessState.Success() {
				t.Fatalf("the run ended before the kill:\n%s", out)
			}

			resume := slices.Clone(args)
			resume[slices.Index(resume, "--run-id")] = "--resume"
			var res result
			for range 3 {
				if res = runBatch(t, emu, dir, resume...); res.code != 3 {
					break
				}
			}
			if res.code != 1 { // the row on nobody@example.com fails
				t.Fatalf("resume: exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			checkRowsOnce(t, run.runDir, 17)
			rows, notes := undoRows(t, filepath.Join(run.runDir, "undo.csv"))
			if !slices.Equal(rows, want) {
				t.Fatalf("undo.csv rows after the kill and resume:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
			checkNotUndoable(t, notes)
			applyUndo(t, emu, run, before)
			checkNoPasswordLeaks(t, run, res.stdout, res.stderr)
		})
	}
}

// checkRowsOnce checks that a run's results hold rows 1..n once each.
func checkRowsOnce(t *testing.T, runDir string, n int) {
	t.Helper()
	rows := byRow(t, readResults(t, runDir))
	if len(rows) != n {
		t.Fatalf("results.jsonl holds %d rows, want %d", len(rows), n)
	}
}

// TestUndoManifestFollowsTheInputFormat: a YAML manifest's run leaves
// undo.yaml, which reads back as a manifest, and no undo.csv.
func TestUndoManifestFollowsTheInputFormat(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "rename.yaml", "rows:\n  - {op: update_user, username: user00001, display_name: Renamed}\n")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "yaml", "--limits", "none", "--no-progress")
	if res.code != 0 {
		t.Fatalf("apply: exit %d\n%s", res.code, res.stderr)
	}
	runDir := filepath.Join(dir, "reports", "yaml")
	if _, err := os.Stat(filepath.Join(runDir, "undo.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a YAML manifest's run left undo.csv (%v)", err)
	}
	data, err := os.ReadFile(filepath.Join(runDir, "undo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "rows:") {
		t.Fatalf("undo.yaml is not a manifest:\n%s", data)
	}
	undoRows(t, filepath.Join(runDir, "undo.yaml"))
}
