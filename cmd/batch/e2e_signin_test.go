package main

import (
	"path/filepath"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// TestSignInRetriesATokenEndpointThatFailsTwice has the token endpoint
// answer 503 to the first two requests: the run signs in on the third and
// completes.
func TestSignInRetriesATokenEndpointThatFailsTwice(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 4})
	emu.FailNextTokenRequests(503, 503)
	dir := t.TempDir()
	m := writeFile(t, dir, "rename.csv", "op,username,display_name\nupdate_user,user00001,Signed In\nupdate_user,user00002,Signed In Too\n")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "signin", "--limits", "none", "--no-progress")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if got := emu.TokenRequests(); got != 3 {
		t.Errorf("%d token requests, want 3 (two refused, one granted)", got)
	}
	checkEveryRowOnce(t, filepath.Join(dir, "reports", "signin"), 2, report.StatusSucceeded)
	if u := userByName(t, emu, "user00002"); u.DisplayName != "Signed In Too" {
		t.Errorf("user00002 display name %q", u.DisplayName)
	}
	assertNoSecrets(t, []string{emulator.DefaultClientSecret}, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports"))

	// Refused credentials still stop at once, after one token request.
	emu = startEmulator(t, emulator.Config{Users: 4})
	const wrong = "wrong-secret-do-not-print-4567"
	cmd := batchCmd(t.Context(), emu, dir, "apply", m, "--yes", "--run-id", "refused", "--limits", "none", "--no-progress")
	cmd.Env = append(cmd.Env, "UIPATH_CLIENT_SECRET="+wrong)
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 2 && code != 3 {
		t.Fatalf("refused credentials: exit %d\n%s", code, out)
	}
	if got := emu.TokenRequests(); got != 1 {
		t.Errorf("refused credentials: %d token requests, want 1", got)
	}
	assertNoSecrets(t, []string{wrong}, []string{string(out)}, filepath.Join(dir, "reports"))
}
