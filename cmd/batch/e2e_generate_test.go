package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// apply --generate-only sends nothing (not even a token request), records
// every generated password in the secrets output and writes the manifest
// that applies them later; applied, it leaves the passwords recorded in
// effect, as one apply would, and no password shows anywhere else.
func TestGenerateOnlyThenApplyLater(t *testing.T) {
	t.Parallel()
	const n = 30
	emu := startEmulator(t, emulator.Config{Users: n, Robots: 5})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,username,robot_name,robot_username,new_password\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "set_password,user%05d,,,generate\n", i)
	}
	for j := 1; j <= 5; j++ {
		fmt.Fprintf(&b, "set_robot_credentials,robot-%03d,,CORP\\svc-%03d,generate:24\n", j, j)
	}
	writeFile(t, dir, "rotate.csv", b.String())
	secrets := filepath.Join(dir, "handoff.secrets.csv")
	res := runBatch(t, emu, dir, "apply", "rotate.csv", "--generate-only", "--secrets-out", secrets, "--run-id", "gen", "--yes", "--no-progress")
	if res.code != 0 {
		t.Fatalf("--generate-only: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if s := emu.RequestSummary(); s.Total != 0 || emu.TokenRequests() != 0 {
		t.Fatalf("--generate-only sent %d requests and %d token requests", s.Total, emu.TokenRequests())
	}
	entries, err := secretsout.Read(secrets)
	if err != nil || len(entries) != n+5 {
		t.Fatalf("the secrets output holds %d passwords (%v), want %d", len(entries), err, n+5)
	}
	later := filepath.Join(dir, "reports", "gen", "apply-later.csv")
	text, err := os.ReadFile(later)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(text), ",file:") != n+5 || strings.Contains(string(text), "generate") {
		t.Fatalf("apply-later.csv does not refer to the files:\n%s", text)
	}
	if st, err := os.Stat(secrets + ".d"); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the folder of the password files: %v %v, want mode 0700", st.Mode(), err)
	}
	var all []string
	for _, e := range entries {
		all = append(all, e.Password.Reveal())
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports", "gen"))

	res = runBatch(t, emu, dir, "apply", later, "--run-id", "later", "--yes", "--no-progress", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("applying apply-later.csv: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, r := range readResults(t, filepath.Join(dir, "reports", "later")) {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	recorded := lastPasswords(entries)
	for _, u := range emu.Users() {
		if got, want := emu.PasswordOf(u.ID), recorded["username="+u.UserName]; got != want || want == "" {
			t.Errorf("%s: the password in effect is not the one handed off", u.UserName)
		}
	}
	for _, o := range emu.OrchestratorUsers() {
		if want, ok := recorded["username="+o.UserName]; ok && emu.RobotPasswordOf(o.ID) != want {
			t.Errorf("robot %s: the password in effect is not the one handed off", o.UserName)
		}
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports", "later"))
}
