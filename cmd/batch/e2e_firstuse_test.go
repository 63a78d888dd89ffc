package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
	"github.com/uipath-batch/batch/internal/session"
)

// A secrets file is appended to only in its own format, both ways: a run
// that would mix them exits 2 before anything is sent, and leaves the file
// and the reports as they were.
func TestSecretsFileFormatsNeverMix(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "rot.csv", rotationManifest(3))
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, "secrets.age")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--limits", "none", "--run-id", "first",
		"--secrets-out", sealed, "--age-recipient", id.Recipient().String())
	if res.code != 0 {
		t.Fatalf("first rotation exit %d\n%s", res.code, res.stderr)
	}
	plain := filepath.Join(dir, "secrets.csv")
	res = runBatch(t, emu, dir, "apply", m, "--yes", "--limits", "none", "--run-id", "plain", "--secrets-out", plain)
	if res.code != 0 {
		t.Fatalf("plain rotation exit %d\n%s", res.code, res.stderr)
	}
	puts := emu.Counts()["PUT"]
	sealedBefore, _ := os.ReadFile(sealed)
	plainBefore, _ := os.ReadFile(plain)

	for _, tc := range []struct {
		name string
		args []string
		file string
		want string
	}{
		{"plaintext into an encrypted file", []string{"--secrets-out", sealed}, sealed, "age-encrypted"},
		{"encrypted lines into a plaintext file", []string{"--secrets-out", plain, "--age-recipient", id.Recipient().String()}, plain, "plaintext"},
	} {
		args := append([]string{"apply", m, "--yes", "--limits", "none", "--run-id", "mix"}, tc.args...)
		res := runBatch(t, emu, dir, args...)
		if res.code != 2 || !strings.Contains(res.stderr+res.stdout, tc.want) {
			t.Fatalf("%s: exit %d, want 2 naming the %s file\n%s%s", tc.name, res.code, tc.want, res.stdout, res.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "reports", "mix")); !os.IsNotExist(err) {
			t.Errorf("%s: the refused run left a run folder (%v)", tc.name, err)
		}
	}
	if n := emu.Counts()["PUT"]; n != puts {
		t.Fatalf("%d writes sent by refused runs", n-puts)
	}
	if now, _ := os.ReadFile(sealed); !bytes.Equal(now, sealedBefore) {
		t.Error("the encrypted secrets file changed")
	}
	if now, _ := os.ReadFile(plain); !bytes.Equal(now, plainBefore) {
		t.Error("the plaintext secrets file changed")
	}
	entries, err := secretsout.Read(sealed, id)
	if err != nil || len(entries) != 3 {
		t.Fatalf("the encrypted file reads back %d entries, %v", len(entries), err)
	}
}

// The command an interrupted run prints resumes it, run as printed: with
// the run's own budgets, report folder and secrets output.
func TestPrintedResumeCommandWorksAsPrinted(t *testing.T) {
	const n = 60
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	writeFile(t, dir, "rot.csv", rotationManifest(n))
	reports := filepath.Join(dir, "elsewhere")
	secrets := filepath.Join(dir, "secrets.csv")
	const limits = "PUT=10/1s"
	cmd, out := startBatch(t, emu, dir, "apply", "rot.csv", "--yes", "--run-id", "rot1", "--limits", limits,
		"--report-dir", reports, "--secrets-out", secrets, "--workers", "2", "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(reports, "rot1", "results.jsonl"), 5, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("interrupted run exit %d, want 3\n%s", code, out)
	}
	_, line, ok := strings.Cut(out.String(), "resume with: ")
	if !ok {
		t.Fatalf("no resume command printed:\n%s", out)
	}
	line, _, _ = strings.Cut(line, "\n")
	if !strings.Contains(out.String(), " of 60 rows in ") {
		t.Errorf("the interrupted summary does not count the rows that ran:\n%s", out)
	}

	// Run it verbatim through a shell, with the binary on PATH as batch.
	bin := t.TempDir()
	if err := os.Symlink(binPath, filepath.Join(bin, "batch")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "sh", "-c", line)
	sh.Dir = dir
	sh.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + dir}, emu.Env()...)
	got, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, got)
	}
	runDir := filepath.Join(reports, "rot1")
	checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
	if s := readSummary(t, runDir); s.Settings["limits"] != session.DescribeLimits(limits) {
		t.Errorf("resumed with limits %v, want the run's own %s", s.Settings["limits"], session.DescribeLimits(limits))
	}
	entries, err := secretsout.Read(secrets)
	if err != nil {
		t.Fatal(err)
	}
	last := lastPasswords(entries)
	if len(last) != n {
		t.Fatalf("the secrets file holds passwords for %d targets, want %d", len(last), n)
	}
	for _, u := range emu.Users() {
		if emu.PasswordOf(u.ID) != last["username="+u.UserName] {
			t.Fatalf("%s: the last recorded password is not the one in effect", u.UserName)
		}
	}

	// Resuming a finished run says so, without signing in.
	tokens := emu.TokenRequests()
	res := runBatch(t, emu, dir, "apply", "rot.csv", "--resume", "rot1", "--report-dir", reports)
	if res.code != 0 || !strings.Contains(res.stdout+res.stderr, "already finished") {
		t.Fatalf("resume of a finished run: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if emu.TokenRequests() != tokens {
		t.Error("resuming a finished run signed in")
	}

	// A different secrets output for the same run is refused.
	res = runBatch(t, emu, dir, "apply", "rot.csv", "--resume", "rot1", "--report-dir", reports, "--secrets-out", filepath.Join(dir, "other.csv"))
	if res.code != 2 || !strings.Contains(res.stderr+res.stdout, "differs") {
		t.Fatalf("resume with another --secrets-out: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// Runs that never started leave no run folder behind: refused credentials
// (an authentication failure: exit 3, as for one met later in a run) and a
// declined confirmation.
func TestRunsThatNeverStartedLeaveNothing(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "rot.csv", rotationManifest(2))
	secrets := filepath.Join(dir, "secrets.csv")
	cmd := batchCmd(t.Context(), emu, dir, "apply", m, "--yes", "--run-id", "auth", "--limits", "none", "--secrets-out", secrets)
	cmd.Env = append(cmd.Env, "UIPATH_CLIENT_SECRET=wrong-secret")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("refused credentials: exit %d, want 3 (authentication failure)\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "auth")); !os.IsNotExist(err) {
		t.Errorf("a run refused at sign-in left its folder: %v", err)
	}
	if _, err := os.Stat(secrets); !os.IsNotExist(err) {
		t.Errorf("a run refused at sign-in left an empty secrets file: %v", err)
	}

	// Declined at the prompt (in-process, with a terminal on stdin).
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	io := &streams{In: strings.NewReader("no\n"), Out: &stdout, ErrOut: &stderr, StdinTTY: true}
	reports := filepath.Join(dir, "reports")
	code := run([]string{"apply", m, "--run-id", "declined", "--report-dir", reports, "--limits", "none", "--secrets-out", secrets}, io)
	if code != exitInvalid || !strings.Contains(stderr.String()+stdout.String(), "not confirmed") {
		t.Fatalf("declined: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if _, err := os.Stat(filepath.Join(reports, "declined")); !os.IsNotExist(err) {
		t.Errorf("a declined run left its folder: %v", err)
	}
	if _, err := os.Stat(secrets); !os.IsNotExist(err) {
		t.Errorf("a declined run left an empty secrets file: %v", err)
	}
	if emu.Counts()["PUT"] != 0 {
		t.Fatal("a run that never started wrote")
	}
}

// A plan never suggests --resume, which it does not take.
func TestPlanNeverSuggestsResume(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "u.csv", "op,username,name\nupdate_user,user00001,X\n")
	if res := runBatch(t, emu, dir, "plan", m, "--run-id", "p", "--limits", "none"); res.code != 0 {
		t.Fatalf("plan exit %d\n%s", res.code, res.stderr)
	}
	res := runBatch(t, emu, dir, "plan", m, "--run-id", "p", "--limits", "none")
	if res.code != 2 || strings.Contains(res.stdout+res.stderr, "--resume") {
		t.Fatalf("plan over an existing run: exit %d, output suggests --resume or is missing\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := runBatch(t, emu, dir, "plan", m, "--resume", "p"); res.code != 2 || !strings.Contains(res.stderr, "unknown flag") {
		t.Fatalf("plan --resume: exit %d\n%s", res.code, res.stderr)
	}
}
