package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// TestEveryKindOfFailureIsReportedFieldByField applies a manifest whose rows
// meet each kind of refusal the server has, and checks each row's status,
// error code, field errors and trace id (the one the server logged for the
// refusing request), and the exit code.
func TestEveryKindOfFailureIsReportedFieldByField(t *testing.T) {
	app := emulator.DefaultClient()
	app.OrchestratorRole = false // Orchestrator answers its ABP 403
	emu := startEmulator(t, emulator.Config{Users: 10, Robots: 2, Clients: []emulator.ClientApp{app}})
	dir := t.TempDir()
	const unknownGroup = "6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff"
	m := writeFile(t, dir, "mixed.csv", `op,username,robot_name,display_name,group_ids_to_add,old_password,new_password,robot_username
update_user,user00001,,Fine Person,,,,
update_user,user00002,,,`+unknownGroup+`,,,
change_password,user00003,,,,Initial-Pass-00003!,short,
change_password,user00004,,,,Not-Her-Password-1!,Brand-New-Pass-1!,
update_user,nobody,,Ghost,,,,
set_robot_credentials,robot-001,,,,,Robot-Pass-0001!,CORP\svc-robot-001
set_robot_credentials,robot-002,,,,,Robot-Pass-0002!,CORP\svc-robot-002
`)
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "mixed", "--limits", "none", "--allow-literal-secrets", "--workers", "1")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (some rows failed)\n%s", res.code, res.stderr)
	}
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "mixed")))
	want := map[int]struct {
		status report.Status
		code   string
		http   int
		fields string
	}{
		1: {report.StatusSucceeded, "", 0, ""},
		// A group the organization does not have fails its row before
		// anything is sent (the group list is read once).
		2: {report.StatusFailed, "not_found", 0, ""},
		3: {report.StatusFailed, "password_policy", 400, "password: Passwords must be at least 8 characters.; password: Passwords must have at least one uppercase ('A'-'Z').; password: Passwords must have at least one digit ('0'-'9')."},
		4: {report.StatusFailed, "wrong_password", 400, "oldPassword: Incorrect password."},
		5: {report.StatusFailed, "not_found", 0, ""},
		6: {report.StatusFailed, "forbidden", 403, ""},
		// Orchestrator's refusal holds for the whole run: not sent again.
		7: {report.StatusFailed, "forbidden", 0, ""},
	}
	traces := map[string]int{}
	for _, rq := range emu.Requests() {
		traces[rq.TraceID] = rq.Status
	}
	for row, w := range want {
		r := rows[row]
		if r.Status != w.status || string(r.ErrorCode) != w.code || r.HTTPStatus != w.http || r.ValidationErrors.String() != w.fields {
			t.Errorf("row %d: %s %s %d fields %q; want %s %s %d fields %q (%s)",
				row, r.Status, r.ErrorCode, r.HTTPStatus, r.ValidationErrors.String(), w.status, w.code, w.http, w.fields, r.ErrorMessage)
		}
		if w.http != 0 {
			if st, ok := traces[r.TraceID]; !ok || st != w.http {
				t.Errorf("row %d: trace id %q is not the one the server gave its %d answer", row, r.TraceID, w.http)
			}
		}
	}
	if !strings.Contains(rows[2].ErrorMessage, unknownGroup) {
		t.Errorf("row 2 does not name the unknown group: %q", rows[2].ErrorMessage)
	}
	if n := emu.CountFor("PUT", "/api/User/"+userByName(t, emu, "user00002").ID); n != 0 {
		t.Errorf("the row naming an unknown group sent %d PUTs", n)
	}
	if u := userByName(t, emu, "user00001"); u.DisplayName != "Fine Person" {
		t.Errorf("row 1 reported succeeded, but display name is %q", u.DisplayName)
	}
	if emu.PasswordOf(userByName(t, emu, "user00004").ID) != "Initial-Pass-00004!" {
		t.Error("a refused change-password changed the password")
	}
	s := readSummary(t, filepath.Join(dir, "reports", "mixed"))
	orchestrator := 0
	for _, rq := range emu.Requests() {
		if strings.Contains(rq.Path, "/orchestrator_/") {
			orchestrator++
		}
	}
	if orchestrator != 2 {
		t.Errorf("%d Orchestrator requests, want 2 (the check that the tenant is there, the first row's): the refusal holds for the run", orchestrator)
	}
	if s.ByStatus[report.StatusSucceeded] != 1 || s.ByStatus[report.StatusFailed] != 6 {
		t.Errorf("summary by status %v", s.ByStatus)
	}
	assertNoSecrets(t, []string{"Initial-Pass-00003!", "Not-Her-Password-1!", "Brand-New-Pass-1!", "Robot-Pass-0001!", "Robot-Pass-0002!", emulator.DefaultClientSecret},
		[]string{res.stdout, res.stderr}, filepath.Join(dir, "reports"))
}

// TestFaultsAreRetriedUntilEveryRowSucceeds runs updates and change-passwords
// through 10 % 503s, 2 % dropped connections (half of them after the server
// applied the change) and a burst of 429s: every row must end succeeded,
// with the server's state to prove it, and no change-password may be
// accepted twice for a user.
func TestFaultsAreRetriedUntilEveryRowSucceeds(t *testing.T) {
	const n = 300
	emu := startEmulator(t, emulator.Config{Users: n, FaultRate: 0.10, FaultStatuses: []int{503}, ResetRate: 0.02, FaultSeed: 7})
	// A burst of 429s once the run is under way: for 1.5 s every request
	// is refused, with Retry-After.
	burstDone := make(chan struct{})
	go func() {
		defer close(burstDone)
		deadline := time.Now().Add(time.Minute)
		for emu.RequestSummary().Total < 100 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		emu.ThrottleFor(1500 * time.Millisecond)
	}()
	dir := t.TempDir()
	m := writeFile(t, dir, "faults.csv", updatesAndPasswordChanges(n, "Sturdy"))
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "faults", "--limits", "none",
		"--allow-literal-secrets", "--workers", "8", "--max-attempts", "8", "--timeout", "5s")
	if res.code != 0 {
		t.Errorf("exit %d, want 0\n%s", res.code, res.stderr)
	}
	<-burstDone
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "faults")))
	if len(rows) != n {
		t.Fatalf("%d rows reported, want %d", len(rows), n)
	}
	accepted := map[string]int{}
	faults := map[int]int{}
	for _, rq := range emu.Requests() {
		faults[rq.Status]++
		if rq.Method == "POST" && strings.HasSuffix(rq.Path, "/changepassword") && (rq.Status == 200 || rq.Unsent == 200) {
			parts := strings.Split(rq.Path, "/")
			accepted[parts[len(parts)-2]]++
		}
	}
	if faults[503] == 0 || faults[429] == 0 || faults[0] == 0 {
		t.Fatalf("the faults did not bite: answers by status %v", faults)
	}
	retried := 0
	for i := 1; i <= n; i++ {
		r := rows[i]
		u := userByName(t, emu, fmt.Sprintf("user%05d", i))
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s: %s", i, r.Status, r.ErrorCode, r.ErrorMessage)
			continue
		}
		if r.Attempts > 1 {
			retried++
		}
		if i%2 == 0 {
			if emu.PasswordOf(u.ID) != fmt.Sprintf("Changed-Pass-%05d!", i) {
				t.Errorf("row %d succeeded but the password did not change", i)
			}
			if accepted[u.ID] != 1 {
				t.Errorf("row %d: the server accepted %d change-password requests", i, accepted[u.ID])
			}
		} else if u.DisplayName != fmt.Sprintf("Sturdy %d", i) {
			t.Errorf("row %d succeeded but display name is %q", i, u.DisplayName)
		}
	}
	if retried == 0 {
		t.Error("no row needed a second attempt")
	}
	t.Logf("answers by status %v; %d rows retried", faults, retried)
	assertNoSecrets(t, passwordsOf(n), []string{res.stdout, res.stderr}, filepath.Join(dir, "reports"))
}

// TestTwoThousandEmailsInAFiveThousandUserTenant checks the resolution
// budget of an apply: 2,000 rows naming users by email cost at most 10
// reads (five list pages), whatever order the rows come in.
func TestTwoThousandEmailsInAFiveThousandUserTenant(t *testing.T) {
	const users, rows = 5000, 2000
	emu := startEmulator(t, emulator.Config{Users: users})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,display_name\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Moved %d\n", users-2*i, i)
	}
	m := writeFile(t, dir, "emails.csv", b.String())
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "emails", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	counts := emu.Counts()
	if counts["GET"] > 10 || counts["PUT"] != rows {
		t.Fatalf("requests %v: want at most 10 GETs and %d PUTs", counts, rows)
	}
	s := readSummary(t, filepath.Join(dir, "reports", "emails"))
	if s.ByStatus[report.StatusSucceeded] != rows || s.Requests["GET"] != counts["GET"] {
		t.Fatalf("summary %v, requests %v (emulator saw %v)", s.ByStatus, s.Requests, counts)
	}
	if u := userByName(t, emu, "user05000"); u.DisplayName != "Moved 0" {
		t.Fatalf("user05000 display name %q", u.DisplayName)
	}
}
