package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"batch/internal/emulator"
	"batch/internal/report"
	"batch/internal/secretsout"
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

// A generated password is recorded when its request is about to leave, not
// while the row waits for budget: a run stopped during the wait leaves in
// the secrets output only the passwords it sent, each in effect.
func TestRowsStoppedWhileWaitingForBudgetRecordNoPassword(t *testing.T) {
	const n = 10
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	m := writeFile(t, dir, "rotate.csv", rotationManifest(n))
	secrets := filepath.Join(dir, "s.csv")
	runDir := filepath.Join(dir, "reports", "stop")
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "stop", "--limits", "PUT=2/1m",
		"--workers", "8", "--drain", "1s", "--secrets-out", secrets, "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(runDir, "results.jsonl"), 2, done)
	time.Sleep(200 * time.Millisecond) // the other rows are waiting for the next PUT slot
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("interrupted run exit %d, want 3\n%s", code, out)
	}
	puts := emu.Counts()["PUT"]
	entries, err := secretsout.Read(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if puts != 2 || len(entries) != puts {
		t.Fatalf("%d PUTs sent, %d passwords recorded: want 2 and 2, only the passwords sent\n%s", puts, len(entries), out)
	}
	var all []string
	for target, pw := range lastPasswords(entries) {
		u := emu.Users()
		found := false
		for _, user := range u {
			if "username="+user.UserName == target {
				found = emu.PasswordOf(user.ID) == pw
			}
		}
		if !found {
			t.Fatalf("%s: the recorded password is not in effect", target)
		}
		all = append(all, pw)
	}
	assertNoSecrets(t, all, []string{out.String()}, runDir)
}
