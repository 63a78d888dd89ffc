package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// killPoint says when a run is killed: once the journal holds lines lines,
// or once the emulator has answered requests requests of method.
type killPoint struct {
	name     string
	lines    int
	method   string
	requests int
}

// killThenResume starts `batch args…` (an apply with --run-id RUN), kills
// it with SIGKILL at the point, then resumes the run until it completes.
// It reports whether the kill landed before the run's end.
func killThenResume(t *testing.T, emu *emulator.Server, dir, runID string, at killPoint, args ...string) (killed bool) {
	t.Helper()
	runDir := filepath.Join(dir, "reports", runID)
	cmd, out := startBatch(t, emu, dir, append(args, "--run-id", runID)...)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	if at.lines > 0 {
		waitLines(t, filepath.Join(runDir, "journal.jsonl"), at.lines, done)
	} else {
		deadline := time.Now().Add(2 * time.Minute)
	wait:
		for emu.Counts()[at.method] < at.requests {
			select {
			case <-done:
				break wait
			case <-time.After(time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %d %s requests in 2 minutes", at.requests, at.method)
			}
		}
	}
	_ = cmd.Process.Kill()
	<-done
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	killed = ws.Signaled()
	journal, _ := os.ReadFile(filepath.Join(runDir, "journal.jsonl"))
	results, _ := os.ReadFile(filepath.Join(runDir, "results.jsonl"))
	if !killed {
		t.Fatalf("%s: the run ended before the kill: the kill point is never reached\n%s", at.name, out)
	}
	t.Logf("%s: killed with %d journal lines, %d results, requests %v", at.name, strings.Count(string(journal), "\n"), strings.Count(string(results), "\n"), emu.Counts())
	var res result
	for attempt := 0; attempt < 3; attempt++ {
		if res = runBatch(t, emu, dir, append(args, "--resume", runID)...); res.code == 0 {
			break
		}
	}
	if res.code != 0 {
		t.Fatalf("%s: resume exit %d\n%s%s", at.name, res.code, res.stdout, res.stderr)
	}
	return killed
}

// checkCSVRowsOnce checks results.csv names every row 1..n exactly once.
func checkCSVRowsOnce(t *testing.T, runDir string, n int) {
	t.Helper()
	recs := readResultsCSV(t, runDir)
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		if seen[rec[0]] {
			t.Fatalf("results.csv holds row %s twice", rec[0])
		}
		seen[rec[0]] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprint(i)] {
			t.Fatalf("results.csv lacks row %d", i)
		}
	}
}

// TestKillDuringCreationThenResume kills a run creating groups and users in
// an empty organization at several points, then resumes it: every group and
// user is created once (no create carried out twice, none refused as a
// duplicate), and every row is reported once, succeeded.
func TestKillDuringCreationThenResume(t *testing.T) {
	t.Parallel()
	const groups, users = 4, 400
	var b strings.Builder
	b.WriteString("op,email,username,name,surname,display_name,group_name,groups_to_add\n")
	// Users first, groups last: the run creates the groups first.
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&b, "ensure_user,new%04d@example.com,new%04d,New,Person %d,New Person %d,,Team %d\n", i, i, i, i, i%groups)
	}
	for g := 0; g < groups; g++ {
		fmt.Fprintf(&b, "ensure_group,,,,,,Team %d,\n", g)
	}
	manifest := b.String()
	n := groups + users
	for _, at := range []killPoint{
		{name: "in-the-groups", lines: 2},
		{name: "first-group-create-answered", method: "POST", requests: 1},
		{name: "first-user-create", method: "POST", requests: groups + 1},
		{name: "a-quarter", lines: n / 2},
		{name: "late", lines: n + n/2},
	} {
		t.Run(at.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Latency: 15 * time.Millisecond})
			dir := t.TempDir()
			writeFile(t, dir, "create.csv", manifest)
			killed := killThenResume(t, emu, dir, "create", at, "apply", "create.csv", "--yes", "--limits", "none", "--workers", "8", "--no-progress")
			runDir := filepath.Join(dir, "reports", "create")
			checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
			checkCSVRowsOnce(t, runDir, n)

			if applied, refused := appliedCreates(emu, "/api/User"); applied != users || refused != 0 {
				t.Errorf("POST /api/User: %d carried out, %d refused as duplicates; want %d and 0 (killed %v)", applied, refused, users, killed)
			}
			if applied, refused := appliedCreates(emu, "/api/Group"); applied != groups || refused != 0 {
				t.Errorf("POST /api/Group: %d carried out, %d refused as duplicates; want %d and 0", applied, refused, groups)
			}
			checkCreatedWithJournaledIDs(t, emu, runDir, users)
			names := groupNames(emu)
			seen := map[string]bool{}
			for _, u := range emu.Users() {
				if seen[u.Email] {
					t.Fatalf("%s exists twice", u.Email)
				}
				seen[u.Email] = true
				var i int
				if _, err := fmt.Sscanf(u.UserName, "new%04d", &i); err != nil {
					t.Fatalf("unexpected user %s", u.UserName)
				}
				if want := fmt.Sprintf("Everyone;Team %d", i%groups); memberOf(u.GroupIDs, names) != want || u.DisplayName != fmt.Sprintf("New Person %d", i) {
					t.Errorf("%s: %q in %s, want %s", u.UserName, u.DisplayName, memberOf(u.GroupIDs, names), want)
				}
			}
			if len(seen) != users {
				t.Errorf("%d users, want %d", len(seen), users)
			}
			if s := emulatorState(t, emu); len(s.DeletedUsers)+len(s.DeletedGroups) != 0 {
				t.Errorf("a creation run deleted %d users and %d groups", len(s.DeletedUsers), len(s.DeletedGroups))
			}
		})
	}
}

// checkCreatedWithJournaledIDs checks that every group of the run has the
// id its row's journal intent recorded before the create left (the
// client makes the id; a resumed run sends the same one), and every user
// too, and that no row recorded two ids. Group rows follow the first
// users rows.
func checkCreatedWithJournaledIDs(t *testing.T, emu *emulator.Server, runDir string, users int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runDir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var in struct {
			Kind      string `json:"k"`
			Row       int    `json:"row"`
			CreatedID string `json:"created_id"`
		}
		if err := json.Unmarshal([]byte(line), &in); err != nil || in.Kind != "intent" || in.CreatedID == "" {
			continue
		}
		if prev, ok := ids[in.Row]; ok && prev != in.CreatedID {
			t.Errorf("row %d recorded two ids: %s, then %s", in.Row, prev, in.CreatedID)
		}
		ids[in.Row] = in.CreatedID
	}
	for _, g := range emu.Groups() {
		var n int
		if _, err := fmt.Sscanf(g.Name, "Team %d", &n); err != nil {
			continue
		}
		if want := ids[users+1+n]; !strings.EqualFold(g.ID, want) {
			t.Errorf("group %s has id %s; its row's journal recorded %q", g.Name, g.ID, want)
		}
	}
	for _, u := range emu.Users() {
		var n int
		if _, err := fmt.Sscanf(u.UserName, "new%04d", &n); err == nil && !strings.EqualFold(u.ID, ids[n]) {
			t.Errorf("user %s has id %s; its row's journal recorded %q", u.UserName, u.ID, ids[n])
		}
	}
}

// TestKillDuringBulkDeleteThenResume kills a run deleting users, robot
// accounts and groups in bulk requests at several points (the first bulk
// delete answered, mid-way), then resumes it: every target is deleted once,
// nothing else is, and every row is reported once, succeeded.
func TestKillDuringBulkDeleteThenResume(t *testing.T) {
	t.Parallel()
	const users, deleted, robots, deletedRobots = 500, 420, 60, 40
	seed := `{"groups": [{"name": "Old A"}, {"name": "Old B"}, {"name": "Keep"}]}`
	var b strings.Builder
	b.WriteString("op,email,robot_name,group_name\n")
	for i := 1; i <= deleted; i++ {
		fmt.Fprintf(&b, "delete_user,user%05d@example.com,,\n", i)
	}
	for i := 1; i <= deletedRobots; i++ {
		fmt.Fprintf(&b, "delete_robot_account,,robot-%03d,\n", i)
	}
	b.WriteString("delete_group,,,Old A\ndelete_group,,,Old B\n")
	manifest := b.String()
	n := deleted + deletedRobots + 2
	for _, at := range []killPoint{
		{name: "first-intents", lines: 10},
		{name: "first-bulk-delete-answered", method: "DELETE", requests: 1},
		{name: "third-bulk-delete-answered", method: "DELETE", requests: 3},
		{name: "journal-mid-way", lines: n},
	} {
		t.Run(at.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Users: users, Robots: robots, Seed: 3, Latency: 40 * time.Millisecond,
				SeedFile: writeFile(t, t.TempDir(), "seed.json", seed)})
			dir := t.TempDir()
			writeFile(t, dir, "retire.csv", manifest)
			killed := killThenResume(t, emu, dir, "retire", at, "apply", "retire.csv", "--yes", "--allow-deletes", "--bulk-size", "20",
				"--limits", "none", "--workers", "2", "--no-progress")
			runDir := filepath.Join(dir, "reports", "retire")
			checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
			checkCSVRowsOnce(t, runDir, n)

			s := emulatorState(t, emu)
			var gone []string
			for _, d := range s.DeletedUsers {
				gone = append(gone, d.Email)
			}
			var want []string
			for i := 1; i <= deleted; i++ {
				want = append(want, fmt.Sprintf("user%05d@example.com", i))
			}
			if slices.Sort(gone); !slices.Equal(gone, want) {
				t.Errorf("deleted users (killed %v): %d, want exactly user00001..user%05d once each", killed, len(gone), deleted)
			}
			if len(s.Users) != users-deleted {
				t.Errorf("%d users left, want %d", len(s.Users), users-deleted)
			}
			var goneRobots []string
			for _, d := range s.DeletedRobotAccounts {
				goneRobots = append(goneRobots, d.Name)
			}
			slices.Sort(goneRobots)
			if len(goneRobots) != deletedRobots || goneRobots[0] != "robot-001" || goneRobots[deletedRobots-1] != fmt.Sprintf("robot-%03d", deletedRobots) ||
				len(slices.Compact(slices.Clone(goneRobots))) != deletedRobots {
				t.Errorf("deleted robot accounts: %v", goneRobots)
			}
			var goneGroups []string
			for _, d := range s.DeletedGroups {
				goneGroups = append(goneGroups, d.Name)
			}
			if slices.Sort(goneGroups); !slices.Equal(goneGroups, []string{"Old A", "Old B"}) {
				t.Errorf("deleted groups %v, want Old A and Old B", goneGroups)
			}
			// Deletes went out in bulk requests, not one per row.
			if c := emu.Counts()["DELETE"]; c > 4*((deleted+deletedRobots)/20+2) {
				t.Errorf("%d DELETE requests for %d rows at --bulk-size 20", c, n)
			}
		})
	}
}
