package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// An export's groups column is the exact membership, by name, of the user
// its email names; editing it removes and adds groups (plan
// shows + and −), and apply makes the membership exactly that set.
func TestExportedGroupsAreAnExactSet(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 12})
	dir := t.TempDir()
	if res := runBatch(t, emu, dir, "export", "users", "-o", "users.csv", "--limits", "none"); res.code != 0 {
		t.Fatalf("export exit %d\n%s", res.code, res.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if lines[0] != "op,email,username,name,surname,display_name,is_active,bypass_basic_auth_restriction,groups" {
		t.Fatalf("export header %q", lines[0])
	}
	// user00003 is in Everyone and Automation Users: keep Everyone, drop
	// Automation Users, add Finance.
	u := userByName(t, emu, "user00003")
	if !slices.Contains(u.GroupIDs, emulator.GroupAutomationUsers) {
		t.Fatalf("user00003 groups %v: the seed changed", u.GroupIDs)
	}
	edited := []string{lines[0]}
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "ensure_user,"+u.Email+",") {
			if !strings.Contains(l, ","+u.UserName+",") || !strings.Contains(l, "Automation Users;Everyone") {
				t.Fatalf("export row %q lacks the email, user name or group names", l)
			}
			edited = append(edited, strings.Replace(l, "Automation Users;Everyone", "Everyone;Finance", 1))
		}
	}
	writeFile(t, dir, "edited.csv", strings.Join(edited, "\n")+"\n")
	res := runBatch(t, emu, dir, "plan", "edited.csv", "--run-id", "p", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("plan exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	rows := readResults(t, filepath.Join(dir, "reports", "p"))
	if len(rows) != 1 || rows[0].ChangesString() != `groups: +Finance −"Automation Users"` {
		t.Fatalf("plan: %+v", rows)
	}
	res = runBatch(t, emu, dir, "apply", "edited.csv", "--yes", "--run-id", "a", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("apply exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	got := slices.Sorted(slices.Values(userByName(t, emu, "user00003").GroupIDs))
	if want := []string{emulator.GroupEveryone, emulator.GroupFinance}; !slices.Equal(got, want) {
		t.Fatalf("membership after apply %v, want exactly %v", got, want)
	}
	if res := runBatch(t, emu, dir, "plan", "edited.csv", "--run-id", "again", "--limits", "none"); res.code != 0 {
		t.Fatalf("plan again exit %d", res.code)
	}
	if r := readResults(t, filepath.Join(dir, "reports", "again")); r[0].Status != report.StatusUnchanged {
		t.Fatalf("after apply the row is %s: %s", r[0].Status, r[0].ChangesString())
	}
}

// Unknown groups (a GUID the organization does not have, a name it does not
// have) and a changed email beside the id fail their rows in plan, and in
// apply before anything is sent.
func TestUnknownGroupsAndChangedEmailsFailInPlan(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 5})
	dir := t.TempDir()
	u1, u2, u3 := userByName(t, emu, "user00001"), userByName(t, emu, "user00002"), userByName(t, emu, "user00003")
	const unknownGroup = "6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff"
	m := writeFile(t, dir, "g.csv", "op,user_id,email,groups,group_ids_to_add\n"+
		"update_user,"+u1.ID+",,,"+unknownGroup+"\n"+
		"update_user,"+u2.ID+",,Everyone;No Such Group,\n"+
		"update_user,"+u3.ID+",new-address@example.com,Everyone,\n")
	for _, cmd := range []string{"plan", "apply"} {
		args := []string{cmd, m, "--run-id", cmd, "--limits", "none"}
		if cmd == "apply" {
			args = append(args, "--yes")
		}
		res := runBatch(t, emu, dir, args...)
		if res.code != 1 {
			t.Fatalf("%s exit %d, want 1\n%s%s", cmd, res.code, res.stdout, res.stderr)
		}
		rows := byRow(t, readResults(t, filepath.Join(dir, "reports", cmd)))
		for row, want := range map[int]string{1: unknownGroup, 2: "No Such Group", 3: "new-address@example.com"} {
			r := rows[row]
			if r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, want) {
				t.Errorf("%s row %d: %s %s %q, want failed naming %q", cmd, row, r.Status, r.ErrorCode, r.ErrorMessage, want)
			}
		}
	}
	if n := emu.Counts()["PUT"]; n != 0 {
		t.Fatalf("%d PUTs sent for rows that name unknown groups or another email", n)
	}
}

// Groups-only robot account updates go through the group endpoint, one
// PUT for all of them (it needs only the group scope and carries no
// display name to send back); rows named by robot name are resolved from
// the list read once for all of them, so they cost no GET each from
// Identity's GET budget.
func TestGroupsOnlyRobotUpdatesReadNoRobotEach(t *testing.T) {
	const n = 12
	emu := startEmulator(t, emulator.Config{Robots: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,robot_name,group_ids_to_add\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_robot_account,robot-%03d,%s\n", i, emulator.GroupFinance)
	}
	m := writeFile(t, dir, "robots.csv", b.String())
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--limits", "none", "--no-progress")
	if res.code != 0 {
		t.Fatalf("apply exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got := emu.CountFor("GET", "/api/RobotAccount/{partitionGlobalId}/{robotAccountId}"); got != 0 {
		t.Errorf("%d robot account reads for %d rows named by robot name, want 0 (the list holds the display names)", got, n)
	}
	if got, group := emu.CountFor("PUT", "/api/RobotAccount/{robotAccountId}"), emu.CountFor("PUT", "/api/Group/{groupId}"); got != 0 || group != 1 {
		t.Errorf("%d robot account PUTs and %d group PUTs, want 0 and 1", got, group)
	}
	for _, ra := range emu.RobotAccounts() {
		if !strings.HasPrefix(ra.DisplayName, "Robot ") || !slices.Contains(ra.GroupIDs, emulator.GroupFinance) {
			t.Errorf("%s: display name %q, groups %v", ra.Name, ra.DisplayName, ra.GroupIDs)
		}
	}
}
