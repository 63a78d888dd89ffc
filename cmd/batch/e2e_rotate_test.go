package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// rotationManifest is a set_password row with a generated password for
// users 1..n.
func rotationManifest(n int) string {
	var b strings.Builder
	b.WriteString("op,username,new_password\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "set_password,user%05d,generate\n", i)
	}
	return b.String()
}

// lastPasswords maps each target of a secrets file to its last password.
func lastPasswords(entries []secretsout.Entry) map[string]string {
	m := map[string]string{}
	for _, e := range entries {
		m[e.Target] = e.Password.Reveal()
	}
	return m
}

func TestRotationRecordsEveryPasswordUniqueAndLeaksNone(t *testing.T) {
	const n = 500 // 10,000 rows: TestTenThousandGeneratedPasswordsAreUnique
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	m := writeFile(t, dir, "rotate.csv", rotationManifest(n))

	// Without a secrets output, generated passwords are refused up front.
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--limits", "none")
	if res.code != 2 || !strings.Contains(res.stderr, "--secrets-out") {
		t.Fatalf("apply without --secrets-out: exit %d, stderr %s", res.code, res.stderr)
	}
	if emu.Counts()["PUT"] != 0 {
		t.Fatal("a refused run sent writes")
	}

	secrets := filepath.Join(dir, "secrets.csv")
	res = runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "rot", "--limits", "none", "--secrets-out", secrets, "--log-level", "debug", "--log-format", "json")
	if res.code != 0 {
		t.Fatalf("rotation exit %d\n%s", res.code, res.stderr)
	}
	fi, err := os.Stat(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets output mode %04o, want 0600", fi.Mode().Perm())
	}
	entries, err := secretsout.Read(secrets)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("secrets output holds %d passwords, want %d", len(entries), n)
	}
	seen := map[string]bool{}
	var all []string
	for _, u := range emu.Users() {
		want := lastPasswords(entries)["username="+u.UserName]
		if want == "" {
			t.Fatalf("no password recorded for %s", u.UserName)
		}
		if got := emu.PasswordOf(u.ID); got != want {
			t.Fatalf("%s: the emulator's password is not the recorded one", u.UserName)
		}
		if seen[want] {
			t.Fatalf("two rows share a generated password")
		}
		seen[want] = true
		all = append(all, want)
	}
	runDir := filepath.Join(dir, "reports", "rot")
	rs := readResults(t, runDir)
	if len(rs) != n {
		t.Fatalf("results hold %d rows, want %d", len(rs), n)
	}
	for _, r := range rs {
		if r.Status != report.StatusSucceeded || r.ChangesString() != "password: *** → ***" {
			t.Fatalf("row %d: %s %q", r.Row, r.Status, r.ChangesString())
		}
	}
	if _, err := os.Stat(filepath.Join(runDir, "run.key")); !os.IsNotExist(err) {
		t.Errorf("the run's sealing key outlived a finished run (err %v)", err)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, runDir)
}

func TestRotationToAgeRecipientWritesNoPlaintext(t *testing.T) {
	const n = 20
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	m := writeFile(t, dir, "rotate.csv", rotationManifest(n))
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(dir, "secrets.age")
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "age", "--limits", "none",
		"--secrets-out", secrets, "--age-recipient", id.Recipient().String())
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	entries, err := secretsout.Read(secrets, id)
	if err != nil {
		t.Fatal(err)
	}
	last := lastPasswords(entries)
	raw, _ := os.ReadFile(secrets)
	var all []string
	for _, u := range emu.Users() {
		pw := last["username="+u.UserName]
		if pw == "" || emu.PasswordOf(u.ID) != pw {
			t.Fatalf("%s: decrypted password does not match the emulator's", u.UserName)
		}
		if strings.Contains(string(raw), pw) {
			t.Fatal("the age secrets file holds a plaintext password")
		}
		all = append(all, pw)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports"))
}
