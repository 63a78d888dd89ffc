package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// Waiting for the request budget is not an attempt: rows that wait longer
// than --timeout for a PUT slot are sent when their slot comes, each once,
// and the secrets output holds only passwords that were sent. It takes
// about 40 s: four windows of 10 s.
func TestRowsWaitingForBudgetLongerThanTheTimeoutAllSucceed(t *testing.T) {
	const n = 20
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	m := writeFile(t, dir, "rotate.csv", rotationManifest(n))
	secrets := filepath.Join(dir, "s.csv")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "wait", "--limits", "PUT=5/10s",
		"--timeout", "2s", "--max-attempts", "2", "--secrets-out", secrets, "--no-progress")
	runDir := filepath.Join(dir, "reports", "wait")
	s := readSummary(t, runDir)
	if res.code != 0 || s.ByStatus[report.StatusSucceeded] != n {
		t.Fatalf("exit %d, by status %v, errors %v\n%s", res.code, s.ByStatus, s.ByErrorCode, res.stderr)
	}
	if puts := emu.Counts()["PUT"]; puts != n {
		t.Fatalf("%d PUTs reached the server, want exactly %d", puts, n)
	}
	entries, err := secretsout.Read(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("the secrets output holds %d passwords for %d rows: some were never sent", len(entries), n)
	}
	last := lastPasswords(entries)
	var all []string
	for _, u := range emu.Users() {
		want := last["username="+u.UserName]
		if want == "" || emu.PasswordOf(u.ID) != want {
			t.Fatalf("%s: the last recorded password is not the one in effect", u.UserName)
		}
		all = append(all, want)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, runDir)
}

// A generated password is recorded when its write is about to leave, not
// while the row waits for budget (nor when a read-merge-write has only
// read): a run stopped during the wait leaves in the secrets output only
// the passwords it sent, each in effect.
func TestRowsStoppedWhileWaitingForBudgetRecordNoPassword(t *testing.T) {
	const n = 10
	for _, tc := range []struct {
		name, manifest, limits string
		writes                 func(*emulator.Server) int
		inEffect               func(emu *emulator.Server, target string) string
	}{
		{"set_password", rotationManifest(n), "PUT=2/1m",
			func(emu *emulator.Server) int { return emu.Counts()["PUT"] },
			func(emu *emulator.Server, target string) string {
				for _, u := range emu.Users() {
					if "username="+u.UserName == target {
						return emu.PasswordOf(u.ID)
					}
				}
				return ""
			}},
		{"set_robot_credentials", robotRotation(n), "orchestrator:PATCH=2/1m",
			func(emu *emulator.Server) int { return emu.CountFor("PATCH", "/odata/Users({key})") },
			func(emu *emulator.Server, target string) string {
				for _, o := range emu.OrchestratorUsers() {
					if "username="+o.UserName == target {
						return emu.RobotPasswordOf(o.ID)
					}
				}
				return ""
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := startEmulator(t, emulator.Config{Users: n, Robots: n})
			dir := t.TempDir()
			m := writeFile(t, dir, "rotate.csv", tc.manifest)
			secrets := filepath.Join(dir, "s.csv")
			runDir := filepath.Join(dir, "reports", "stop")
			cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "stop", "--limits", tc.limits,
				"--workers", "8", "--drain", "1s", "--secrets-out", secrets, "--no-progress")
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			waitLines(t, filepath.Join(runDir, "results.jsonl"), 2, done)
			time.Sleep(200 * time.Millisecond) // the other rows are waiting for the next slot
			_ = cmd.Process.Signal(syscall.SIGINT)
			<-done
			if code := cmd.ProcessState.ExitCode(); code != 3 {
				t.Fatalf("interrupted run exit %d, want 3\n%s", code, out)
			}
			writes := tc.writes(emu)
			entries, err := secretsout.Read(secrets)
			if err != nil {
				t.Fatal(err)
			}
			if writes != 2 || len(entries) != writes {
				t.Fatalf("%d writes sent, %d passwords recorded: want 2 and 2, only the passwords sent\n%s", writes, len(entries), out)
			}
			var all []string
			for target, pw := range lastPasswords(entries) {
				if tc.inEffect(emu, target) != pw {
					t.Fatalf("%s: the recorded password is not in effect", target)
				}
				all = append(all, pw)
			}
			// The rows stopped before they were sent are not failures: they
			// are reported not run, and a resumed run runs exactly them.
			for _, r := range readResults(t, runDir) {
				if r.Status != "succeeded" && (r.Status != "skipped" || r.ErrorCode != "not_run") {
					t.Fatalf("row %d of an interrupted run: %s %s (%s), want succeeded or skipped not_run", r.Row, r.Status, r.ErrorCode, r.ErrorMessage)
				}
			}
			res := runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "stop", "--limits", "none", "--secrets-out", secrets, "--no-progress")
			if res.code != 0 {
				t.Fatalf("resume exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			if writes := tc.writes(emu); writes != n {
				t.Fatalf("%d writes after the resume, want %d: one per row", writes, n)
			}
			entries, err = secretsout.Read(secrets)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != n {
				t.Fatalf("%d passwords recorded in all, want %d", len(entries), n)
			}
			all = all[:0]
			for target, pw := range lastPasswords(entries) {
				if tc.inEffect(emu, target) != pw {
					t.Fatalf("%s: the recorded password is not in effect after the resume", target)
				}
				all = append(all, pw)
			}
			for _, r := range readResults(t, runDir) {
				if r.Status != "succeeded" {
					t.Fatalf("row %d after the resume: %s %s", r.Row, r.Status, r.ErrorCode)
				}
			}
			assertNoSecrets(t, all, []string{out.String(), res.stdout, res.stderr}, runDir)
		})
	}
}

// robotRotation is a set_robot_credentials row with a generated password
// for robots 1..n.
func robotRotation(n int) string {
	var b strings.Builder
	b.WriteString("op,username,robot_username,new_password\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "set_robot_credentials,robot-%03d,CORP\\svc-robot-%03d,generate\n", i, i)
	}
	return b.String()
}

// Orchestrator's requests do not spend Identity's budgets: with Identity's
// PATCH budget at 5 per 30 s, 100 robot credentials are set at the pace of
// Orchestrator's own answers.
func TestRobotCredentialsDoNotSpendIdentityBudgets(t *testing.T) {
	const n = 100
	emu := startEmulator(t, emulator.Config{Robots: n})
	dir := t.TempDir()
	m := writeFile(t, dir, "robots.csv", robotRotation(n))
	secrets := filepath.Join(dir, "s.csv")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "robots", "--limits", "PATCH=5/30s,GET=20/30s",
		"--timeout", "60s", "--secrets-out", secrets, "--no-progress")
	runDir := filepath.Join(dir, "reports", "robots")
	s := readSummary(t, runDir)
	if res.code != 0 || s.ByStatus[report.StatusSucceeded] != n {
		t.Fatalf("exit %d, by status %v, errors %v\n%s", res.code, s.ByStatus, s.ByErrorCode, res.stderr)
	}
	var first, last time.Time
	patches := 0
	for _, r := range emu.Requests() {
		if r.Method == "PATCH" && strings.Contains(r.Path, "/odata/Users(") && r.Status == 200 {
			if patches == 0 {
				first = r.Time
			}
			last = r.Time
			patches++
		}
	}
	// Identity's budget would allow 5 PATCHes per 30 s.
	if patches != n || last.Sub(first) >= 30*time.Second {
		t.Fatalf("%d Orchestrator PATCHes over %v: they were held to Identity's budget", patches, last.Sub(first))
	}
	orch, id := s.RequestsByService["orchestrator"], s.RequestsByService["identity"]
	if orch["PATCH"].Requests != n || id["PATCH"].Requests != 0 || id["token"].Requests != 1 {
		t.Fatalf("requests by service %v, want %d Orchestrator PATCHes and Identity's token only", s.RequestsByService, n)
	}
	entries, err := secretsout.Read(secrets)
	if err != nil {
		t.Fatal(err)
	}
	inEffect := lastPasswords(entries)
	var all []string
	for _, o := range emu.OrchestratorUsers() {
		want := inEffect["username="+o.UserName]
		if len(entries) != n || want == "" || emu.RobotPasswordOf(o.ID) != want {
			t.Fatalf("%s: %d passwords recorded; the last one for it is not the one in effect", o.UserName, len(entries))
		}
		all = append(all, want)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, runDir)
	// Off a terminal the log is JSON lines on stderr and the printed
	// summary goes to stdout.
	if !strings.Contains(res.stdout, "orchestrator requests: GET ") || !strings.Contains(res.stderr, `"requests_by_service":{"identity":`) {
		t.Errorf("the printed summary or the log does not count requests by service:\n%s\n%s", res.stdout, res.stderr)
	}
}

// A pause of Orchestrator's (429s for a while) slows the robot rows only:
// the user rows of the same run go on at Identity's pace meanwhile.
func TestOrchestratorPauseSlowsOnlyTheRobotRows(t *testing.T) {
	const n = 200
	emu := startEmulator(t, emulator.Config{Users: n, Robots: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,username,display_name,robot_username,new_password\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "set_robot_credentials,robot-%03d,,CORP\\svc-robot-%03d,generate\n", i, i)
		fmt.Fprintf(&b, "update_user,user%05d,Renamed %d,,\n", i, i)
	}
	m := writeFile(t, dir, "mixed.csv", b.String())
	// Orchestrator's own budget (a window shorter than the pause) keeps the
	// pause from being taken for a budget: the robot rows pick up after it.
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "mixed", "--limits", "PUT=40/1s,orchestrator:GET=400/1s,orchestrator:PATCH=400/1s",
		"--secrets-out", filepath.Join(dir, "s.csv"), "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(time.Minute)
	for emu.CountFor("PATCH", "/odata/Users({key})") < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("no Orchestrator PATCHes\n%s", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	const pause = 3 * time.Second
	from := time.Now()
	emu.ThrottleOrchestratorFor(pause)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	s := readSummary(t, filepath.Join(dir, "reports", "mixed"))
	if s.ByStatus[report.StatusSucceeded] != 2*n {
		t.Fatalf("by status %v, errors %v", s.ByStatus, s.ByErrorCode)
	}
	putsDuring, orchOKDuring, orch429 := 0, 0, 0
	for _, r := range emu.Requests() {
		during := !r.Time.Before(from) && r.Time.Before(from.Add(pause))
		orch := strings.Contains(r.Path, "/odata/")
		switch {
		case orch && r.Status == 429:
			orch429++
		case orch && during && r.Status == 200:
			orchOKDuring++
		case !orch && during && r.Method == "PUT" && r.Status == 200:
			putsDuring++
		}
	}
	t.Logf("during Orchestrator's %v pause: %d user PUTs answered", pause, putsDuring)
	// Identity's budget allows 40 PUTs a second: 120 in the pause.
	if orch429 == 0 || orchOKDuring > 0 || putsDuring < 40 {
		t.Fatalf("during Orchestrator's %v pause: %d user PUTs answered, %d Orchestrator requests answered, %d 429s in all; want the user rows going on", pause, putsDuring, orchOKDuring, orch429)
	}
	if th := s.RequestsByService["identity"]; th["PUT"].Throttled != 0 || th["GET"].Throttled != 0 {
		t.Errorf("Identity requests were throttled: %v", s.RequestsByService)
	}
}
