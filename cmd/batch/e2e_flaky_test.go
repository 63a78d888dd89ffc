package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// TestFlakyNetworkEveryRowSettledHonestly runs changes through a network
// that answers 5xx and drops connections (before and after applying the
// change), and checks that every row is reported once, that retryable
// failures were retried, and that no change-password was applied twice or
// reported wrongly: a row reported succeeded has the new password on the
// server, and the only rows allowed to fail are honest about it.
func TestFlakyNetworkEveryRowSettledHonestly(t *testing.T) {
	const n = 120
	emu := startEmulator(t, emulator.Config{Users: n, FaultRate: 0.08, ResetRate: 0.08, FaultSeed: 42})
	dir := t.TempDir()
	m := writeFile(t, dir, "flaky.csv", updatesAndPasswordChanges(n, "Flaky"))
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "flaky", "--limits", "none",
		"--allow-literal-secrets", "--max-attempts", "8", "--workers", "8", "--timeout", "5s")
	if res.code != 0 && res.code != 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "flaky")))
	if len(rows) != n {
		t.Fatalf("%d rows reported, want %d", len(rows), n)
	}
	// Change-password requests the server accepted, by user: the old
	// password guards a resend, so never more than one.
	applied := map[string]int{}
	for _, rq := range emu.Requests() {
		if rq.Method == "POST" && rq.Status == 200 && strings.HasSuffix(rq.Path, "/changepassword") {
			parts := strings.Split(rq.Path, "/")
			applied[parts[len(parts)-2]]++
		}
	}
	retried := 0
	for i := 1; i <= n; i++ {
		r := rows[i]
		u := userByName(t, emu, fmt.Sprintf("user%05d", i))
		if r.Attempts > 1 {
			retried++
		}
		switch {
		case r.Status == report.StatusSucceeded && i%2 == 0:
			if got := emu.PasswordOf(u.ID); got != fmt.Sprintf("Changed-Pass-%05d!", i) {
				t.Errorf("row %d reported succeeded but the password did not change", i)
			}
			if c := applied[u.ID]; c > 1 {
				t.Errorf("row %d: %d change-password requests were accepted", i, c)
			}
		case r.Status == report.StatusSucceeded:
			if u.DisplayName != fmt.Sprintf("Flaky %d", i) {
				t.Errorf("row %d reported succeeded but display name is %q", i, u.DisplayName)
			}
		case r.Status == report.StatusFailed && r.ErrorCode == "outcome_unknown":
			// Honest: a person must look. Nothing else to check.
		case r.Status == report.StatusFailed && r.ErrorCode == "server_error" && r.HTTPStatus == 500:
			// A 500 is not retried (only 429, 502, 503, 504 are), and the
			// emulator applied nothing: the row must say failed, and, when
			// no earlier attempt was lost in flight, the account must be as
			// it was.
			if r.Attempts > 1 {
				break
			}
			if i%2 == 0 && emu.PasswordOf(u.ID) != fmt.Sprintf("Initial-Pass-%05d!", i) {
				t.Errorf("row %d failed but the password changed", i)
			}
			if i%2 == 1 && u.DisplayName == fmt.Sprintf("Flaky %d", i) {
				t.Errorf("row %d failed but the display name changed", i)
			}
		default:
			t.Errorf("row %d: %s %s: %s", i, r.Status, r.ErrorCode, r.ErrorMessage)
		}
	}
	if retried == 0 {
		t.Fatal("no row was retried: the fault injection did not bite")
	}
	assertNoSecrets(t, passwordsOf(n), []string{res.stdout, res.stderr}, filepath.Join(dir, "reports"))
}

// passwordsOf is every password updatesAndPasswordChanges(n, …) names,
// and the emulator's client secret.
func passwordsOf(n int) []string {
	secrets := []string{emulator.DefaultClientSecret}
	for i := 2; i <= n; i += 2 {
		secrets = append(secrets, fmt.Sprintf("Initial-Pass-%05d!", i), fmt.Sprintf("Changed-Pass-%05d!", i))
	}
	return secrets
}

// updatesAndPasswordChanges is a manifest of n rows for users user00001…:
// odd rows set the display name to "<prefix> i", even rows change the
// password from Initial-Pass-0000i! (the emulator's) to Changed-Pass-0000i!.
func updatesAndPasswordChanges(n int, prefix string) string {
	var b strings.Builder
	b.WriteString("op,username,display_name,old_password,new_password\n")
	for i := 1; i <= n; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "change_password,user%05d,,Initial-Pass-%05d!,Changed-Pass-%05d!\n", i, i, i)
		} else {
			fmt.Fprintf(&b, "update_user,user%05d,%s %d,,\n", i, prefix, i)
		}
	}
	return b.String()
}
