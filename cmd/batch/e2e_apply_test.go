package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

const (
	groupEveryone   = "6f1b7c2a-0d4e-4c1a-9b7e-000000000001"
	groupAutomation = "6f1b7c2a-0d4e-4c1a-9b7e-000000000003"
	groupFinance    = "6f1b7c2a-0d4e-4c1a-9b7e-000000000005"
)

// mixedManifest touches users and robots in every way a read can judge:
// changes, a row already satisfied, unknown targets.
const mixedManifest = `op,email,username,robot_name,name,surname,is_active,group_ids_to_add,group_ids_to_remove,display_name
update_user,user00001@example.com,,,Anna,,,` + groupFinance + `,,
update_user,USER00002@example.com,,,,,false,,,
update_user,user00003@example.com,,,,,true,,,
update_user,nobody@example.com,,,Ghost,,,,,
update_user,,user00005,,,Lee,,,` + groupAutomation + `,
update_robot_account,,,robot-001,,,,` + groupFinance + `,,Invoice robot
update_robot_account,,,robot-999,,,,,,Nobody
`

func userByName(t *testing.T, emu *emulator.Server, name string) emulator.User {
	t.Helper()
	for _, u := range emu.Users() {
		if u.UserName == name {
			return u
		}
	}
	t.Fatalf("emulator has no user %s", name)
	return emulator.User{}
}

func TestPlanIsReadOnlyAndApplyDoesWhatItSaid(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 20, Robots: 3})
	dir := t.TempDir()
	m := writeFile(t, dir, "mixed.csv", mixedManifest)
	before := userByName(t, emu, "user00001")

	plan := runBatch(t, emu, dir, "plan", m, "--run-id", "p1", "--limits", "none", "--log-format", "json")
	if plan.code != 1 {
		t.Fatalf("plan exit = %d, want 1 (two rows fail)\nstdout:\n%s\nstderr:\n%s", plan.code, plan.stdout, plan.stderr)
	}
	for method, n := range emu.Counts() {
		if method != "GET" && n > 0 {
			t.Fatalf("plan sent %d %s requests; a plan must only read", n, method)
		}
	}
	results := byRow(t, readResults(t, filepath.Join(dir, "reports", "p1")))
	if len(results) != 7 {
		t.Fatalf("plan reported %d rows, want 7", len(results))
	}
	want := map[int]struct {
		status  report.Status
		changes string
		code    string
	}{
		1: {report.StatusPlanned, fmt.Sprintf(`name: %q → "Anna"; groups: +Finance`, before.Name), ""},
		2: {report.StatusPlanned, "is_active: true → false", ""},
		3: {report.StatusUnchanged, "", ""},
		4: {report.StatusFailed, "", "not_found"},
		5: {report.StatusPlanned, fmt.Sprintf(`surname: %q → "Lee"; groups: −"Automation Users"`, userByName(t, emu, "user00005").Surname), ""},
		6: {report.StatusPlanned, `display_name: "Robot 001" → "Invoice robot"; groups: +Finance`, ""},
		7: {report.StatusFailed, "", "not_found"},
	}
	for row, w := range want {
		r := results[row]
		if r.Status != w.status || r.ChangesString() != w.changes || string(r.ErrorCode) != w.code {
			t.Errorf("row %d: status %s, changes %q, code %q; want %s, %q, %q", row, r.Status, r.ChangesString(), r.ErrorCode, w.status, w.changes, w.code)
		}
	}
	if !strings.Contains(plan.stdout, "/"+emulator.DefaultOrg+"/"+emulator.DefaultTenant+": 7 rows") || !strings.Contains(plan.stdout, `is_active: true → false`) {
		t.Errorf("plan output lacks the counts or a difference:\n%s", plan.stdout)
	}

	// apply changes exactly what the plan said.
	apply := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "a1", "--limits", "none", "--log-format", "json")
	if apply.code != 1 {
		t.Fatalf("apply exit = %d, want 1\n%s", apply.code, apply.stderr)
	}
	u1 := userByName(t, emu, "user00001")
	if u1.Name != "Anna" || !slices.Contains(u1.GroupIDs, groupFinance) || u1.Surname != before.Surname {
		t.Errorf("user00001 after apply = %+v", u1)
	}
	if u2 := userByName(t, emu, "user00002"); u2.IsActive {
		t.Errorf("user00002 still active")
	}
	if u4 := userByName(t, emu, "user00005"); u4.Surname != "Lee" || slices.Contains(u4.GroupIDs, groupAutomation) {
		t.Errorf("user00005 after apply = %+v", u4)
	}
	robots := emu.RobotAccounts()
	if r := robots[0]; r.DisplayName != "Invoice robot" || !slices.Contains(r.GroupIDs, groupFinance) {
		t.Errorf("robot-001 after apply = %+v", r)
	}

	// Plan again: what was applied is now unchanged.
	again := runBatch(t, emu, dir, "plan", m, "--run-id", "p2", "--limits", "none")
	for _, r := range readResults(t, filepath.Join(dir, "reports", "p2")) {
		if r.Status == report.StatusPlanned {
			t.Errorf("row %d still planned after apply: %s", r.Row, r.ChangesString())
		}
	}
	_ = again
}
