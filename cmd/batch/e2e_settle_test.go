package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// front stands between the binary and the emulator and decides what becomes
// of each change-password request: the emulator applies it, and then the
// answer is held until the binary is gone (hold), or replaced (answer).
type front struct {
	emu    *emulator.Server
	srv    *httptest.Server
	mu     sync.Mutex
	hold   bool
	answer int // a status sent instead of the emulator's, once per user
	landed chan string
	seen   map[string]bool
}

func newFront(t *testing.T, emu *emulator.Server) *front {
	f := &front{emu: emu, landed: make(chan string, 16), seen: map[string]bool{}}
	release := make(chan struct{})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/changepassword") {
			emu.ServeHTTP(w, r)
			return
		}
		f.mu.Lock()
		hold, answer, first := f.hold, f.answer, !f.seen[r.URL.Path]
		f.seen[r.URL.Path] = true
		f.mu.Unlock()
		switch {
		case hold:
			rec := httptest.NewRecorder()
			emu.ServeHTTP(rec, r)
			f.landed <- r.URL.Path
			select { // the binary never hears back
			case <-r.Context().Done():
			case <-release:
			}
		case answer != 0 && first:
			emu.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(answer)
		default:
			emu.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() { close(release); f.srv.Close() })
	return f
}

func (f *front) set(hold bool, answer int) {
	f.mu.Lock()
	f.hold, f.answer = hold, answer
	f.mu.Unlock()
}

// batchVia prepares the binary with the emulator's settings, pointed at
// the front.
func (f *front) batchVia(ctx context.Context, dir string, args ...string) *cmdResult {
	cmd := batchCmd(ctx, f.emu, dir, args...)
	cmd.Env = append(cmd.Env, "UIPATH_URI="+f.srv.URL) // the last value wins
	return &cmdResult{cmd: cmd}
}

type cmdResult struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// changePasswordTargets are a user never modified (the list answers
// lastModificationTime: null) and one modified before.
func changePasswordTargets(t *testing.T, emu *emulator.Server) []emulator.User {
	t.Helper()
	never, modified := userByName(t, emu, "user00002"), userByName(t, emu, "user00004")
	if !never.LastModificationTime.IsZero() || modified.LastModificationTime.IsZero() {
		t.Fatalf("the emulator's seed changed: user00002 modified %v, user00004 modified %v", never.LastModificationTime, modified.LastModificationTime)
	}
	return []emulator.User{never, modified}
}

const changeBoth = "op,username,old_password,new_password\n" +
	"change_password,user00002,Initial-Pass-00002!,Landed-Pass-00002!\n" +
	"change_password,user00004,Initial-Pass-00004!,Landed-Pass-00004!\n"

// acceptedChanges counts the change-password requests the emulator
// applied, by user id (an answer dropped after applying included).
func acceptedChanges(emu *emulator.Server) map[string]int {
	n := map[string]int{}
	for _, rq := range emu.Requests() {
		if rq.Method == http.MethodPost && strings.HasSuffix(rq.Path, "/changepassword") && (rq.Status == 200 || rq.Unsent == 200) {
			parts := strings.Split(rq.Path, "/")
			n[parts[len(parts)-2]]++
		}
	}
	return n
}

// checkLandedOnce checks that both rows succeeded, each user has the new
// password, and each change was applied exactly once.
func checkLandedOnce(t *testing.T, emu *emulator.Server, runDir string, users []emulator.User) {
	t.Helper()
	rows := byRow(t, readResults(t, runDir))
	accepted := acceptedChanges(emu)
	for i, u := range users {
		r := rows[i+1]
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d (%s, modified before: %v): %s %s: %s", i+1, u.UserName, !u.LastModificationTime.IsZero(), r.Status, r.ErrorCode, r.ErrorMessage)
		}
		if got := emu.PasswordOf(u.ID); got != "Landed-Pass-"+strings.TrimPrefix(u.UserName, "user")+"!" {
			t.Errorf("%s: the new password is not on the server", u.UserName)
		}
		if accepted[u.ID] != 1 {
			t.Errorf("%s: %d change-password requests applied, want 1", u.UserName, accepted[u.ID])
		}
	}
	if recs := readResultsCSV(t, runDir); len(recs) != len(users)+1 {
		t.Errorf("results.csv holds %d records, want %d rows and a header", len(recs), len(users))
	}
}

var changeBothSecrets = []string{emulator.DefaultClientSecret, "Initial-Pass-00002!", "Landed-Pass-00002!", "Initial-Pass-00004!", "Landed-Pass-00004!"}

// TestChangePasswordLandedBeforeKillSucceedsOnResume kills the binary after
// the server applied both change-password requests but before any answer
// came back, then resumes: the resumed run must find both changes landed
// (a user never modified before as well as one modified before), report
// them succeeded and send neither again.
func TestChangePasswordLandedBeforeKillSucceedsOnResume(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 8})
	users := changePasswordTargets(t, emu)
	f := newFront(t, emu)
	f.set(true, 0)
	dir := t.TempDir()
	m := writeFile(t, dir, "change.csv", changeBoth)
	runDir := filepath.Join(dir, "reports", "landed")
	args := []string{"apply", m, "--yes", "--run-id", "landed", "--limits", "none", "--workers", "2", "--allow-literal-secrets", "--no-progress"}

	run := f.batchVia(context.Background(), dir, args...)
	run.cmd.Stdout, run.cmd.Stderr = &run.out, &run.out
	if err := run.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for range users {
		select {
		case <-f.landed:
		case <-time.After(time.Minute):
			_ = run.cmd.Process.Kill()
			t.Fatalf("the change-password requests never arrived\n%s", run.out.String())
		}
	}
	_ = run.cmd.Process.Kill()
	_ = run.cmd.Wait()

	f.set(false, 0)
	resume := f.batchVia(context.Background(), dir, "apply", m, "--yes", "--resume", "landed", "--limits", "none", "--workers", "2", "--allow-literal-secrets", "--no-progress")
	resume.cmd.Stdout, resume.cmd.Stderr = &resume.out, &resume.out
	err := resume.cmd.Run()
	checkLandedOnce(t, emu, runDir, users)
	if err != nil {
		t.Errorf("resume: %v\n%s", err, resume.out.String())
	}
	assertNoSecrets(t, changeBothSecrets, []string{run.out.String(), resume.out.String()}, runDir)
}

// TestChangePasswordRefusedAfterLostAnswerIsRechecked has the server apply
// each change-password and answer 502 (a gateway that lost the answer); the
// retry is then refused for a wrong old password, which must be settled by
// a re-read as the row's own change, not reported as the row's result.
func TestChangePasswordRefusedAfterLostAnswerIsRechecked(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 8})
	users := changePasswordTargets(t, emu)
	f := newFront(t, emu)
	f.set(false, http.StatusBadGateway)
	dir := t.TempDir()
	m := writeFile(t, dir, "change.csv", changeBoth)
	run := f.batchVia(context.Background(), dir, "apply", m, "--yes", "--run-id", "lost", "--limits", "none", "--workers", "2", "--allow-literal-secrets", "--no-progress")
	run.cmd.Stdout, run.cmd.Stderr = &run.out, &run.out
	err := run.cmd.Run()
	runDir := filepath.Join(dir, "reports", "lost")
	checkLandedOnce(t, emu, runDir, users)
	for i, r := range byRow(t, readResults(t, runDir)) {
		if r.Attempts < 2 {
			t.Errorf("row %d: %d attempts; the 502 was not retried", i, r.Attempts)
		}
	}
	if err != nil {
		t.Errorf("run: %v\n%s", err, run.out.String())
	}
	assertNoSecrets(t, changeBothSecrets, []string{run.out.String()}, runDir)
}
