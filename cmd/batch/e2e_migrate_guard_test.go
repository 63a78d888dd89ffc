package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// retireManifest changes and creates accounts and deletes two accounts and
// a group: the deletes guard the whole file.
const retireManifest = `op,email,robot_name,group_name,display_name
update_user,user00001@example.com,,,Stays
ensure_user,fresh@example.com,,,Fresh Person
delete_user,user00002@example.com,,,
delete_robot_account,,robot-001,,
delete_group,,,Retired,
`

// TestDeletesNeedAllowDeletes: apply of a manifest with delete_* rows
// exits 2 without --allow-deletes and sends nothing at all (not even a
// token request), whatever else the file holds, CSV or YAML; plan shows
// the deletes without the flag; with it they are carried out.
func TestDeletesNeedAllowDeletes(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 10, Robots: 3,
		SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Retired", "members": ["user00003"]}]}`)})
	dir := t.TempDir()
	writeFile(t, dir, "retire.csv", retireManifest)
	writeFile(t, dir, "retire.yaml", "rows:\n  - {op: delete_user, email: user00002@example.com}\n  - {op: update_user, email: user00001@example.com, display_name: Stays}\n")
	for _, file := range []string{"retire.csv", "retire.yaml"} {
		for _, extra := range [][]string{nil, {"--bulk-size", "1"}, {"--workers", "1", "--max-attempts", "1"}} {
			args := append([]string{"apply", file, "--yes", "--limits", "none", "--no-progress"}, extra...)
			res := runBatch(t, emu, dir, args...)
			if res.code != 2 || !strings.Contains(res.stderr, "--allow-deletes") {
				t.Fatalf("%v: exit %d, want 2 naming --allow-deletes\n%s%s", args, res.code, res.stdout, res.stderr)
			}
			if s := emulatorRequests(t, emu); s.Total != 0 || s.TokenRequests != 0 {
				t.Fatalf("%v sent %d requests and %d token requests, want none: %+v", args, s.Total, s.TokenRequests, s)
			}
		}
	}
	res := runBatch(t, emu, dir, "apply", "retire.csv", "--yes", "--limits", "none")
	if !strings.Contains(res.stderr, "1 account") && !strings.Contains(res.stderr, "2 accounts") {
		t.Errorf("the refusal does not say how many accounts would be deleted:\n%s", res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports")); err == nil {
		entries, _ := os.ReadDir(filepath.Join(dir, "reports"))
		if len(entries) > 0 {
			t.Errorf("a refused apply left a run folder: %v", entries)
		}
	}

	// Plan shows them without the flag, and sends no write.
	res = runBatch(t, emu, dir, "plan", "retire.csv", "--run-id", "plan", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("plan exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if strings.Count(res.stdout, "− delete") != 3 || strings.Count(res.stdout, "+ create") != 1 {
		t.Errorf("plan shows %d deletes and %d creates, want 3 and 1:\n%s", strings.Count(res.stdout, "− delete"), strings.Count(res.stdout, "+ create"), res.stdout)
	}
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "plan")))
	for row := 3; row <= 5; row++ {
		if r := rows[row]; r.Status != report.StatusPlanned || !strings.Contains(r.ChangesString(), "delete") {
			t.Errorf("plan row %d: %s %q", row, r.Status, r.ChangesString())
		}
	}
	if c := emu.Counts(); c["POST"]+c["PUT"]+c["DELETE"]+c["PATCH"] != 0 {
		t.Fatalf("plan sent writes: %v", c)
	}

	// With the flag: carried out.
	res = runBatch(t, emu, dir, "apply", "retire.csv", "--yes", "--allow-deletes", "--run-id", "apply", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("apply --allow-deletes exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	checkEveryRowOnce(t, filepath.Join(dir, "reports", "apply"), 5, report.StatusSucceeded)
	s := emulatorState(t, emu)
	if len(s.DeletedUsers) != 1 || s.DeletedUsers[0].Email != "user00002@example.com" ||
		len(s.DeletedRobotAccounts) != 1 || s.DeletedRobotAccounts[0].Name != "robot-001" ||
		len(s.DeletedGroups) != 1 || s.DeletedGroups[0].Name != "Retired" {
		t.Fatalf("deleted: users %v, robots %v, groups %v", s.DeletedUsers, s.DeletedRobotAccounts, s.DeletedGroups)
	}
	// Run again: the create and the deletes are done, their rows
	// unchanged (update_user writes again, as it always has without
	// --skip-unchanged); nothing more is deleted.
	res = runBatch(t, emu, dir, "apply", "retire.csv", "--yes", "--allow-deletes", "--run-id", "again", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("apply again exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for row, r := range byRow(t, readResults(t, filepath.Join(dir, "reports", "again"))) {
		if row > 1 && r.Status != report.StatusUnchanged {
			t.Errorf("apply again row %d: %s %q, want unchanged", row, r.Status, r.ChangesString())
		}
	}
	if s := emulatorState(t, emu); len(s.DeletedUsers)+len(s.DeletedRobotAccounts)+len(s.DeletedGroups) != 3 {
		t.Errorf("apply again deleted more: %+v", s)
	}
}

// TestDeleteConfirmationCountsDeletes: the interactive confirmation says
// how many accounts and groups the run deletes, and a "no" sends nothing.
func TestDeleteConfirmationCountsDeletes(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 10, Robots: 3,
		SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Retired"}]}`)})
	dir := t.TempDir()
	writeFile(t, dir, "retire.csv", retireManifest)
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("HOME", dir)
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	code := run([]string{"apply", "retire.csv", "--allow-deletes", "--limits", "none"}, &streams{In: strings.NewReader("no\n"), Out: &out, ErrOut: &errOut, StdinTTY: true})
	if !strings.Contains(errOut.String(), "2 accounts and 1 group") || !strings.Contains(errOut.String(), "Type yes to continue") {
		t.Errorf("the confirmation does not count the deletes:\n%s", &errOut)
	}
	if code == 0 && len(emulatorState(t, emu).DeletedUsers) != 0 {
		t.Fatalf("answered no, the run deleted anyway")
	}
	if c := emu.Counts(); c["POST"]+c["PUT"]+c["DELETE"]+c["PATCH"] != 0 {
		t.Fatalf("answered no, the run sent writes: %v", c)
	}
}

// TestUnknownGroupNameFailsItsRowOnly: a group name the organization does
// not have fails its row, in plan and apply, with the row's FILE:LINE and
// the nearest existing name; the other rows go on, including rows naming a
// group that a row further down creates.
func TestUnknownGroupNameFailsItsRowOnly(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 10, Robots: 3,
		SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Sales"}, {"name": "Night shift"}]}`)})
	dir := t.TempDir()
	writeFile(t, dir, "groups.csv", `op,email,robot_name,group_name,groups_to_add,groups_to_remove
update_user,user00001@example.com,,,Sales,
update_user,user00002@example.com,,,Salse,
ensure_user,fresh@example.com,,,Night shift;Brand New,
ensure_robot_account,,robot-new,,Nigth shift,
update_user,user00003@example.com,,,,Finanse
update_user,user00004@example.com,,,Brand New;`+emulator.GroupFinance+`,
ensure_group,,,Brand New,,
`)
	unknown := map[int]struct{ name, hint string }{
		2: {"Salse", "Sales"}, 4: {"Nigth shift", "Night shift"}, 5: {"Finanse", "Finance"},
	}
	for _, cmd := range []string{"plan", "apply"} {
		args := []string{cmd, "groups.csv", "--run-id", cmd, "--limits", "none"}
		if cmd == "apply" {
			args = append(args, "--yes")
		}
		res := runBatch(t, emu, dir, args...)
		if res.code != 1 {
			t.Fatalf("%s exit %d, want 1\n%s%s", cmd, res.code, res.stdout, res.stderr)
		}
		rows := byRow(t, readResults(t, filepath.Join(dir, "reports", cmd)))
		if len(rows) != 7 {
			t.Fatalf("%s reported %d rows, want 7", cmd, len(rows))
		}
		for row, r := range rows {
			u, bad := unknown[row]
			source := fmt.Sprintf("groups.csv:%d", row+1)
			switch {
			case r.Source != source:
				t.Errorf("%s row %d: source %q, want %q", cmd, row, r.Source, source)
			case bad && (r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, `"`+u.name+`"`) || !strings.Contains(r.ErrorMessage, `"`+u.hint+`"`)):
				t.Errorf("%s row %d: %s %q, want failed naming %q and the nearest name %q", cmd, row, r.Status, r.ErrorMessage, u.name, u.hint)
			case bad && cmd == "plan" && !lineHas(res.stdout, source, u.hint):
				t.Errorf("plan does not print row %d's failure with %s and %q:\n%s", row, source, u.hint, res.stdout)
			case !bad && cmd == "plan" && r.Status != report.StatusPlanned:
				t.Errorf("plan row %d: %s %q, want planned", row, r.Status, r.ErrorMessage)
			case !bad && cmd == "apply" && r.Status != report.StatusSucceeded:
				t.Errorf("apply row %d: %s %q, want succeeded", row, r.Status, r.ErrorMessage)
			}
		}
		if cmd == "plan" && emu.Counts()["POST"]+emu.Counts()["PUT"] != 0 {
			t.Fatalf("plan sent writes: %v", emu.Counts())
		}
	}
	names := groupNames(emu)
	for email, want := range map[string]string{
		"user00001@example.com": "Sales", "fresh@example.com": "Brand New;Everyone;Night shift",
		"user00004@example.com": "Brand New;Finance",
	} {
		var got string
		for _, u := range emu.Users() {
			if u.Email == email {
				got = memberOf(u.GroupIDs, names)
			}
		}
		for _, g := range strings.Split(want, ";") {
			if !slices.Contains(strings.Split(got, ";"), g) {
				t.Errorf("%s in %s, want in %s", email, got, want)
			}
		}
	}
	for _, u := range emu.Users() {
		if u.Email == "user00002@example.com" && slices.Contains(strings.Split(memberOf(u.GroupIDs, names), ";"), "Sales") {
			t.Errorf("the failed row changed user00002: %s", memberOf(u.GroupIDs, names))
		}
	}
	for _, r := range emu.RobotAccounts() {
		if r.Name == "robot-new" {
			t.Errorf("the failed ensure_robot_account row created robot-new")
		}
	}
	failed, err := os.ReadFile(filepath.Join(dir, "reports", "apply", "failed.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(strings.TrimSpace(string(failed)), "\n") {
		if !strings.HasPrefix(l, "#") {
			rows++ // the header and the rows; a comment says why the row below failed
		}
	}
	if n := rows - 1; n != 3 || !strings.Contains(string(failed), "# row 2 (groups.csv:3) failed: not_found") || !strings.Contains(string(failed), "Salse") || !strings.Contains(string(failed), "Nigth shift") || !strings.Contains(string(failed), "Finanse") {
		t.Errorf("failed.csv holds %d rows, each below why it failed:\n%s", n, failed)
	}
}

// lineHas reports whether one line of text holds every one of parts.
func lineHas(text string, parts ...string) bool {
	for l := range strings.Lines(text) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestBuiltInGroupsAreNotDeleted: a delete_group row naming a built-in
// group is refused in validate (by name) and fails its row in plan (by
// id), and nothing is deleted.
func TestBuiltInGroupsAreNotDeleted(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	writeFile(t, dir, "builtin.csv", "op,group_name\ndelete_group,Administrators\n")
	res := runBatch(t, emu, dir, "validate", "builtin.csv")
	if res.code != 2 || !strings.Contains(res.stdout+res.stderr, "builtin.csv:2") || !strings.Contains(res.stdout+res.stderr, "built-in") {
		t.Fatalf("validate a built-in delete: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	writeFile(t, dir, "builtin-id.csv", "op,group_id\ndelete_group,"+emulator.GroupAutomationUsers+"\n")
	res = runBatch(t, emu, dir, "plan", "builtin-id.csv", "--run-id", "plan", "--limits", "none")
	rows := readResults(t, filepath.Join(dir, "reports", "plan"))
	if res.code != 1 || len(rows) != 1 || rows[0].Status != report.StatusFailed || !strings.Contains(rows[0].ErrorMessage, "built-in") {
		t.Fatalf("plan of a built-in delete by id: exit %d, %+v", res.code, rows)
	}
	res = runBatch(t, emu, dir, "apply", "builtin-id.csv", "--yes", "--allow-deletes", "--run-id", "apply", "--limits", "none")
	if res.code == 0 || emu.Counts()["DELETE"] != 0 || len(emu.Groups()) != 5 {
		t.Fatalf("apply of a built-in delete by id: exit %d, %d DELETEs, %d groups", res.code, emu.Counts()["DELETE"], len(emu.Groups()))
	}
}

// TestEachLifecycleOpAlone applies manifests holding one kind of lifecycle
// row each (a run asks only for the scopes its rows need): each does what
// it says, and runs again unchanged.
func TestEachLifecycleOpAlone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, manifest string
		check          func(s emulator.StateSnapshot) bool
	}{
		{"delete_user", "op,email\ndelete_user,user00002@example.com\n", func(s emulator.StateSnapshot) bool {
			return len(s.DeletedUsers) == 1 && s.DeletedUsers[0].Email == "user00002@example.com"
		}},
		{"delete_robot_account", "op,robot_name\ndelete_robot_account,robot-002\n", func(s emulator.StateSnapshot) bool {
			return len(s.DeletedRobotAccounts) == 1 && s.DeletedRobotAccounts[0].Name == "robot-002"
		}},
		{"delete_group", "op,group_name\ndelete_group,Retired\n", func(s emulator.StateSnapshot) bool {
			return len(s.DeletedGroups) == 1 && s.DeletedGroups[0].Name == "Retired"
		}},
		{"ensure_group", "op,group_name\nensure_group,Brand New\n", func(s emulator.StateSnapshot) bool {
			return slices.ContainsFunc(s.Groups, func(g emulator.Group) bool { return g.Name == "Brand New" })
		}},
		{"ensure_robot_account", "op,robot_name,display_name,groups_to_add\nensure_robot_account,robot-new,New robot,Retired\n", func(s emulator.StateSnapshot) bool {
			return slices.ContainsFunc(s.RobotAccounts, func(r emulator.RobotAccount) bool { return r.Name == "robot-new" && r.DisplayName == "New robot" })
		}},
		{"ensure_user", "op,email,username,name,surname,groups_to_add\nensure_user,new@example.com,new,New,Person,Retired\n", func(s emulator.StateSnapshot) bool {
			return slices.ContainsFunc(s.Users, func(u emulator.StateUser) bool { return u.Email == "new@example.com" && u.UserName == "new" })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Users: 5, Robots: 3,
				SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Retired", "members": ["user00001", "robot-001"]}]}`)})
			dir := t.TempDir()
			writeFile(t, dir, "one.csv", tc.manifest)
			for _, run := range []struct {
				id   string
				want report.Status
			}{{"first", report.StatusSucceeded}, {"again", report.StatusUnchanged}} {
				res := runBatch(t, emu, dir, "apply", "one.csv", "--yes", "--allow-deletes", "--run-id", run.id, "--limits", "none")
				rows := readResults(t, filepath.Join(dir, "reports", run.id))
				if res.code != 0 || len(rows) != 1 || rows[0].Status != run.want {
					t.Fatalf("%s run: exit %d, %+v, want %s\n%s", run.id, res.code, rows, run.want, res.stderr)
				}
				if !tc.check(emulatorState(t, emu)) {
					t.Fatalf("%s run reported %s, but the organization does not show it", run.id, rows[0].Status)
				}
			}
		})
	}
}
