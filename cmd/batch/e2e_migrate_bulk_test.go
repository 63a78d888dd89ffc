package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// TestEnsureUserInitialPassword: initial_password (env:, file:, generate)
// is sent only when ensure_user creates the user: the new users sign in
// with it, an existing user's password stays, a generated one is in
// --secrets-out, and none appears in the reports or output.
func TestEnsureUserInitialPassword(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	const fromEnv, fromFile = "Env-Initial-Pass-41!", "File-Initial-Pass-42!"
	writeFile(t, dir, "pw.txt", fromFile+"\n")
	writeFile(t, dir, "new.csv", "op,email,username,name,surname,initial_password\n"+
		"ensure_user,env@example.com,env,Env,User,env:NEW_USER_PASSWORD\n"+
		"ensure_user,file@example.com,file,File,User,file:pw.txt\n"+
		"ensure_user,gen@example.com,gen,Gen,User,generate\n"+
		"ensure_user,user00001@example.com,,Renamed,,generate\n")
	before := emu.PasswordOf(userByName(t, emu, "user00001").ID)
	cmd := batchCmd(t.Context(), emu, dir, "apply", "new.csv", "--yes", "--run-id", "pw", "--limits", "none", "--secrets-out", "secrets.csv")
	cmd.Env = append(cmd.Env, "NEW_USER_PASSWORD="+fromEnv)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	checkEveryRowOnce(t, filepath.Join(dir, "reports", "pw"), 4, report.StatusSucceeded)
	entries, err := secretsout.Read(filepath.Join(dir, "secrets.csv"))
	if err != nil {
		t.Fatal(err)
	}
	last := lastPasswords(entries)
	generated := last["email=gen@example.com"]
	if generated == "" {
		t.Fatalf("the generated initial password is not in --secrets-out: %v", entries)
	}
	for name, want := range map[string]string{"env": fromEnv, "file": fromFile, "gen": generated} {
		if got := emu.PasswordOf(userByName(t, emu, name).ID); got != want {
			t.Errorf("%s signs in with another password than its initial_password", name)
		}
	}
	u1 := userByName(t, emu, "user00001")
	if emu.PasswordOf(u1.ID) != before || u1.Name != "Renamed" {
		t.Errorf("user00001 exists: its name should change (%q) and its password not", u1.Name)
	}
	assertNoSecrets(t, []string{fromEnv, fromFile, generated}, []string{string(out)}, filepath.Join(dir, "reports"))
}

// TestBulkSizeOneSendsNoBulkRequest: --bulk-size 1 deletes and changes
// memberships one request per row, and every bulk endpoint stays untouched;
// the default sends bulk requests.
func TestBulkSizeOneSendsNoBulkRequest(t *testing.T) {
	t.Parallel()
	const n = 30
	var b strings.Builder
	b.WriteString("op,email,groups_to_add,groups_to_remove\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Sales,Finance\n", i)
	}
	for i := n + 1; i <= 2*n; i++ {
		fmt.Fprintf(&b, "delete_user,user%05d@example.com,,\n", i)
	}
	bulkTemplates := []string{"PUT /api/Group/{groupId}", "DELETE /api/User", "POST /api/User/BulkCreate"}
	for _, bulk := range []string{"1", "50"} {
		t.Run("bulk-size-"+bulk, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Users: 2 * n,
				SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Sales"}]}`)})
			dir := t.TempDir()
			writeFile(t, dir, "m.csv", b.String())
			res := runBatch(t, emu, dir, "apply", "m.csv", "--yes", "--allow-deletes", "--bulk-size", bulk, "--run-id", "r", "--limits", "none")
			if res.code != 0 {
				t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			checkEveryRowOnce(t, filepath.Join(dir, "reports", "r"), 2*n, report.StatusSucceeded)
			byTemplate := emulatorRequests(t, emu).ByTemplate
			bulkSent := 0
			for _, tpl := range bulkTemplates {
				bulkSent += byTemplate[tpl]
			}
			if bulk == "1" && bulkSent != 0 {
				t.Errorf("--bulk-size 1 sent bulk requests: %v", byTemplate)
			}
			if bulk == "50" && (byTemplate["DELETE /api/User"] == 0 || byTemplate["PUT /api/Group/{groupId}"] == 0 || byTemplate["DELETE /api/User/{userId}"] != 0) {
				t.Errorf("--bulk-size 50 sent no bulk delete or group PUT: %v", byTemplate)
			}
			names := groupNames(emu)
			for _, u := range emu.Users() {
				if got := memberOf(u.GroupIDs, names); strings.Contains(got, "Finance") || !strings.Contains(got, "Sales") {
					t.Errorf("%s in %s after the move", u.UserName, got)
				}
			}
			if len(emu.Users()) != n || len(emulatorState(t, emu).DeletedUsers) != n {
				t.Errorf("%d users left, %d deleted", len(emu.Users()), len(emulatorState(t, emu).DeletedUsers))
			}
		})
	}
}

// TestBulkRequestsThroughFaultsAndASmallerServerLimit: bulk deletes and
// group PUTs to a server that takes at most 7 ids per request and answers
// 10 % 503s and drops 3 % of connections: every row ends with its own
// result, as the server's state shows, and the requests shrink to the
// server's limit instead of failing.
func TestBulkRequestsThroughFaultsAndASmallerServerLimit(t *testing.T) {
	t.Parallel()
	const n = 120
	var old []string
	for i := 1; i <= n; i++ {
		old = append(old, fmt.Sprintf(`"user%05d"`, i))
	}
	emu := startEmulator(t, emulator.Config{Users: 2 * n, BulkMax: 7, FaultRate: 0.10, ResetRate: 0.03, FaultStatuses: []int{503}, FaultSeed: 5,
		SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Sales"}, {"name": "Old", "members": [`+strings.Join(old, ",")+`]}]}`)})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,email,groups_to_add,groups_to_remove\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,Sales,Old\n", i)
		fmt.Fprintf(&b, "delete_user,user%05d@example.com,,\n", n+i)
	}
	writeFile(t, dir, "m.csv", b.String())
	res := runBatch(t, emu, dir, "apply", "m.csv", "--yes", "--allow-deletes", "--bulk-size", "50", "--max-attempts", "10", "--run-id", "r", "--limits", "none")
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "r")))
	names := groupNames(emu)
	live := map[string]emulator.User{}
	for _, u := range emu.Users() {
		live[u.Email] = u
	}
	deleted := map[string]int{}
	for _, d := range emulatorState(t, emu).DeletedUsers {
		deleted[d.Email]++
	}
	failed := 0
	for row := 1; row <= 2*n; row++ {
		r := rows[row]
		i := (row + 1) / 2
		var landed bool
		if row%2 == 1 {
			u, ok := live[fmt.Sprintf("user%05d@example.com", i)]
			groups := memberOf(u.GroupIDs, names)
			landed = ok && strings.Contains(groups, "Sales") && !strings.Contains(groups, "Old")
		} else {
			email := fmt.Sprintf("user%05d@example.com", n+i)
			_, ok := live[email]
			landed = !ok && deleted[email] == 1
		}
		switch {
		case r.Status == report.StatusSucceeded && !landed:
			t.Errorf("row %d (%s) is reported succeeded, but the server does not show it", row, r.Target)
		case r.Status != report.StatusSucceeded && landed:
			t.Errorf("row %d (%s) is reported %s %q, but the server shows it", row, r.Target, r.Status, r.ErrorMessage)
		case r.Status != report.StatusSucceeded:
			failed++
		}
	}
	if res.code != 0 || failed != 0 {
		t.Errorf("exit %d, %d rows failed\n%s", res.code, failed, res.stderr)
	}
	s := emulatorRequests(t, emu)
	over := s.ByStatus["400"]
	if s.ByStatus["503"] == 0 || s.Dropped == 0 {
		t.Errorf("no faults were injected: %v", s.ByStatus)
	}
	// Requests above the server's limit are refused (400) until the
	// limit is learned: a few, not one per batch.
	if over > 6 {
		t.Errorf("%d requests refused with 400: the server's limit was not learned", over)
	}
	bulk := s.ByTemplate["DELETE /api/User"] + s.ByTemplate["PUT /api/Group/{groupId}"]
	if bulk > 4*(2*n/7+2) {
		t.Errorf("%d bulk requests for %d rows at a limit of 7", bulk, 2*n)
	}
	t.Logf("requests: %v; 503s %d, dropped %d, refused for size %d", s.ByTemplate, s.ByStatus["503"], s.Dropped, over)
}
