package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// startBatch starts the binary without waiting for it.
func startBatch(t *testing.T, emu *emulator.Server, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := batchCmd(context.Background(), emu, dir, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// waitLines waits until file holds at least n lines (or the process ends).
func waitLines(t *testing.T, file string, n int, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(file)
		if bytes.Count(data, []byte("\n")) >= n {
			return
		}
		select {
		case <-done:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatalf("%s never reached %d lines", file, n)
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// checkEveryRowOnce checks the run's report covers rows 1..n exactly once
// with the given status.
func checkEveryRowOnce(t *testing.T, runDir string, n int, want report.Status) {
	t.Helper()
	rows := byRow(t, readResults(t, runDir))
	if len(rows) != n {
		t.Fatalf("results.jsonl holds %d rows, want %d", len(rows), n)
	}
	for i := 1; i <= n; i++ {
		if r, ok := rows[i]; !ok || r.Status != want {
			t.Fatalf("row %d: %+v, want status %s", i, r, want)
		}
	}
	if recs := readResultsCSV(t, runDir); len(recs) != n+1 {
		t.Fatalf("results.csv holds %d records, want %d rows and a header", len(recs), n)
	}
	s := readSummary(t, runDir)
	if s.Rows != n || s.ByStatus[want] != n {
		t.Fatalf("summary: %d rows, %v", s.Rows, s.ByStatus)
	}
}

func TestInterruptStopsCleanlyAndResumeFinishes(t *testing.T) {
	const n = 150
	emu := startEmulator(t, emulator.Config{Users: n, Latency: 20 * time.Millisecond})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,username,display_name\n")
	for i := 1; i <= n; i++ {
		b.WriteString("update_user,user" + pad5(i) + ",Renamed " + pad5(i) + "\n")
	}
	m := writeFile(t, dir, "rename.csv", b.String())
	runDir := filepath.Join(dir, "reports", "int")

	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "int", "--limits", "none", "--workers", "4", "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(runDir, "results.jsonl"), 20, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("interrupted run exit %d, want 3\n%s", code, out)
	}
	if !strings.Contains(out.String(), "--resume int") {
		t.Errorf("the interrupted run does not say how to resume:\n%s", out)
	}
	rows := byRow(t, readResults(t, runDir))
	if len(rows) != n {
		t.Fatalf("interrupted report holds %d rows, want every one of %d", len(rows), n)
	}
	skipped := 0
	for _, r := range rows {
		if r.Status == report.StatusSkipped {
			skipped++
		}
	}
	if skipped == 0 || skipped == n {
		t.Fatalf("%d rows skipped; an interrupt after 20 rows should leave some done and some not run", skipped)
	}

	res := runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "int", "--limits", "none", "--workers", "4")
	if res.code != 0 {
		t.Fatalf("resume exit %d\n%s", res.code, res.stderr)
	}
	checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
	for _, u := range emu.Users() {
		if u.DisplayName != "Renamed "+strings.TrimPrefix(u.UserName, "user") {
			t.Fatalf("%s display name %q", u.UserName, u.DisplayName)
		}
	}

	// A changed manifest is refused.
	writeFile(t, dir, "rename.csv", b.String()+"update_user,user00001,,\n")
	res = runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "int", "--limits", "none")
	if res.code != 2 || !strings.Contains(res.stderr, "manifest changed") {
		t.Fatalf("resume with a changed manifest: exit %d, %s", res.code, res.stderr)
	}
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }

// TestCrashAnywhereThenResumeLosesNoPassword kills the binary with SIGKILL
// at many points of a rotation, resumes until the run completes, and checks
// that every account's password is the one the secrets output holds, and
// that the report covers every row exactly once.
func TestCrashAnywhereThenResumeLosesNoPassword(t *testing.T) {
	const n = 120
	points := []int{1, 10, 100}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 3 {
		points = append(points, 1+rng.IntN(n-1))
	}
	for _, point := range points {
		t.Run(fmt.Sprintf("after-%d", point), func(t *testing.T) {
			emu := startEmulator(t, emulator.Config{Users: n, Latency: 3 * time.Millisecond})
			dir := t.TempDir()
			// Half admin resets with generated passwords, half user
			// password changes (not idempotent: settled, never repeated).
			var b strings.Builder
			b.WriteString("op,username,old_password,new_password\n")
			for i := 1; i <= n; i++ {
				if i%2 == 1 {
					fmt.Fprintf(&b, "set_password,user%05d,,generate\n", i)
				} else {
					fmt.Fprintf(&b, "change_password,user%05d,Initial-Pass-%05d!,Changed-Pass-%05d!\n", i, i, i)
				}
			}
			m := writeFile(t, dir, "rotate.csv", b.String())
			secrets := filepath.Join(dir, "secrets.csv")
			runDir := filepath.Join(dir, "reports", "crash")
			args := []string{"apply", m, "--yes", "--run-id", "crash", "--limits", "none", "--workers", "8", "--secrets-out", secrets, "--no-progress", "--allow-literal-secrets"}

			cmd, _ := startBatch(t, emu, dir, args...)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			// Kill on the journal, which moves before the results do: some
			// kills land between an intent and its answer.
			waitLines(t, filepath.Join(runDir, "journal.jsonl"), point, done)
			_ = cmd.Process.Kill()
			<-done

			resume := append([]string{}, args...)
			resume[3] = "--resume"
			var res result
			for attempt := 0; attempt < 3; attempt++ {
				if res = runBatch(t, emu, dir, resume...); res.code == 0 {
					break
				}
			}
			if res.code != 0 {
				t.Fatalf("resume exit %d\n%s", res.code, res.stderr)
			}
			checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
			entries, err := secretsout.Read(secrets)
			if err != nil {
				t.Fatal(err)
			}
			last := lastPasswords(entries)
			var all []string
			for i := 1; i <= n; i++ {
				u := userByName(t, emu, fmt.Sprintf("user%05d", i))
				pw := last["username="+u.UserName]
				if i%2 == 0 {
					pw = fmt.Sprintf("Changed-Pass-%05d!", i)
				}
				if pw == "" || emu.PasswordOf(u.ID) != pw {
					t.Fatalf("%s: the password on the server is not the one recorded", u.UserName)
				}
				all = append(all, pw)
			}
			assertNoSecrets(t, all, []string{res.stdout, res.stderr}, runDir)
		})
	}
}
