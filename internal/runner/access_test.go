package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/session"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// accessRun is a run of cmd over content against emu, in its own folder.
func accessRun(t *testing.T, emu *emulator.Server, cfgSettings Config, cmd Command, id, content string) Result {
	t.Helper()
	return manifestRun(t, cfgSettings, cmd, id, "access.csv", content)
}

// manifestRun is a run of cmd over content (a manifest named name).
func manifestRun(t *testing.T, cfgSettings Config, cmd Command, id, name, content string) Result {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	mopts := manifest.Options{DisplayName: name}
	var problems bytes.Buffer
	census, err := Check(t.Context(), path, mopts, &problems, cmd.Writes(), strings.Contains(content, "delete_"))
	if err != nil {
		t.Fatalf("check: %v\n%s", err, problems.String())
	}
	r, err := runfolder.Open(runfolder.Options{ReportDir: filepath.Join(dir, "reports"), ID: id, Command: cmd.String(),
		Writes: cmd.Writes(), Manifest: path, DisplayName: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	cfg := cfgSettings
	cfg.Command, cfg.Path, cfg.Manifest, cfg.Census, cfg.Run = cmd, path, mopts, census, r
	res, err := Execute(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// results reads a run's results.jsonl rows by row number.
func results(t *testing.T, dir string) map[int]report.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]report.Result{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r report.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		out[r.Row] = r
	}
	return out
}

const accessManifest = `op,folder,username,robot_name,group_name,roles,roles_to_add,robot_username,limit_concurrent_execution
ensure_folder,Finance/AP/Invoices,,,,,,,
set_folder_access,Finance/AP,user00001,,,Automation User;Folder Administrator,,,
set_folder_access,Finance,user00002,,,,Automation Developer,,
set_folder_access,Finance/AP/Invoices,,robot-001,,Automation User,,,
set_folder_access,Finance,,,Finance Team,Automation User,,,
set_tenant_roles,,user00001,,,Allow to be Automation User,,,
update_unattended_robot,,,robot-001,,,,CORP\svc-robot-1,true
set_folder_access,Finance/AR,user00003,,,Automation User,,,
set_folder_access,Finance,user00004,,,Automaton User,,,
`

// The access ops against the emulator: a plan shows each change and
// writes nothing; an apply makes them (folders, parents first, roles in
// folders and of the tenant, unattended settings), an unknown folder or
// role fails its row naming the nearest one, and a second plan finds
// nothing left to change.
func TestAccessOpsPlanApplyPlan(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 5, Robots: 2, SeedData: &emulator.SeedFile{
		Groups: []emulator.SeedGroup{{Name: "Finance Team"}},
	}})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 3, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}

	plan := accessRun(t, emu, base, Plan, "plan1", accessManifest)
	if n := len(emu.Folders()); n != 0 {
		t.Fatalf("a plan made %d folders", n)
	}
	rows := results(t, plan.Summary.ReportDir)
	if got := rows[1].Changes; len(got) != 1 || got[0].New != "+Finance +Finance/AP +Finance/AP/Invoices" {
		t.Errorf("ensure_folder planned %+v", got)
	}
	if got := rows[2]; got.Status != report.StatusPlanned || !strings.Contains(got.Changes[0].New, "+Automation User") {
		t.Errorf("set_folder_access planned %+v", got)
	}
	if got := rows[8]; got.Status != report.StatusFailed || !strings.Contains(got.ErrorMessage, `did you mean "Finance/AP"`) {
		t.Errorf("an unknown folder: %+v", got)
	}
	if got := rows[9]; got.Status != report.StatusFailed || !strings.Contains(got.ErrorMessage, `did you mean "Automation User"`) {
		t.Errorf("an unknown role: %+v", got)
	}

	applied := accessRun(t, emu, base, Apply, "apply1", accessManifest)
	rows = results(t, applied.Summary.ReportDir)
	for n := 1; n <= 7; n++ {
		if rows[n].Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", n, rows[n].Status, rows[n].ErrorMessage)
		}
	}
	if rows[8].Status != report.StatusFailed || rows[9].Status != report.StatusFailed {
		t.Errorf("rows 8 and 9: %s, %s", rows[8].Status, rows[9].Status)
	}
	for _, path := range []string{"Finance", "Finance/AP", "Finance/AP/Invoices"} {
		if _, ok := emu.FolderByPath(path); !ok {
			t.Errorf("folder %s not made", path)
		}
	}
	held := map[string][]string{}
	for _, a := range emu.FolderAssignments() {
		held[a.FolderPath+"|"+strings.ToLower(a.UserName)] = a.Roles
	}
	for key, want := range map[string][]string{
		"Finance/AP|user00001":          {"Automation User", "Folder Administrator"},
		"Finance|user00002":             {"Automation Developer"},
		"Finance/AP/Invoices|robot-001": {"Automation User"},
		"Finance|finance team":          {"Automation User"},
	} {
		got := slices.Clone(held[key])
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v (all: %v)", key, got, want, held)
		}
	}
	var robot, user1 *emulator.OrchestratorUser
	for _, o := range emu.OrchestratorUsers() {
		switch strings.ToLower(o.UserName) {
		case "robot-001":
			robot = &o
		case "user00001":
			user1 = &o
		}
	}
	if user1 == nil || !slices.Equal(user1.RolesList, []string{"Allow to be Automation User"}) {
		t.Errorf("user00001's tenant roles: %+v", user1)
	}
	if robot == nil || robot.UnattendedRobot == nil || robot.UnattendedRobot.UserName != `CORP\svc-robot-1` || !robot.UnattendedRobot.LimitConcurrentExecution {
		t.Errorf("robot-001's unattended robot: %+v", robot)
	}

	again := accessRun(t, emu, base, Plan, "plan2", accessManifest)
	rows = results(t, again.Summary.ReportDir)
	for n := 1; n <= 7; n++ {
		if rows[n].Status != report.StatusUnchanged {
			t.Errorf("second plan, row %d: %s %+v %s", n, rows[n].Status, rows[n].Changes, rows[n].ErrorMessage)
		}
	}
}

// An access manifest applied, then its undo manifest applied: every
// assignment, tenant role and unattended setting is as it was before
// (the folders made stay, listed as not undone).
func TestAccessUndoPutsAccessBack(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 5, Robots: 2, SeedData: &emulator.SeedFile{
		Folders: []emulator.SeedFolder{{Path: "Finance"}, {Path: "Finance/AP"}},
		FolderAssignments: []emulator.SeedAssignment{{Account: "user00001", Folder: "Finance", Roles: []string{"Automation User"}},
			{Account: "user00003", Folder: "Finance", Roles: []string{"Automation Developer", "Automation User"}}},
		TenantRoles: []emulator.SeedTenantRoles{{Account: "user00001", Roles: []string{"Allow to be Automation User"}}},
	}})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 3, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	type state struct {
		assignments string
		tenant      string
		robot       string
	}
	read := func() state {
		var s state
		for _, a := range emu.FolderAssignments() {
			roles := slices.Clone(a.Roles)
			slices.Sort(roles)
			s.assignments += a.FolderPath + "|" + strings.ToLower(a.UserName) + "|" + strings.Join(roles, ";") + "\n"
		}
		for _, o := range emu.OrchestratorUsers() {
			if len(o.RolesList) > 0 {
				s.tenant += o.UserName + ":" + strings.Join(o.RolesList, ";") + "\n"
			}
			if strings.EqualFold(o.UserName, "robot-001") && o.UnattendedRobot != nil {
				s.robot = fmt.Sprintf("%s %v", o.UnattendedRobot.UserName, o.UnattendedRobot.LimitConcurrentExecution)
			}
		}
		return s
	}
	before := read()
	res := accessRun(t, emu, base, Apply, "apply1", `op,folder,username,robot_name,roles,roles_to_add,roles_to_remove,robot_username,limit_concurrent_execution
ensure_folder,Finance/AR,,,,,,,
set_folder_access,Finance,user00001,,,Folder Administrator,Automation User,,
set_folder_access,Finance/AP,user00002,,Automation Developer,,,,
remove_folder_access,Finance,user00003,,,,,,
set_tenant_roles,,user00001,,Allow to be Folder Administrator,,,,
update_unattended_robot,,,robot-001,,,,CORP\other,true
`)
	if res.Summary.ByStatus[report.StatusFailed] > 0 {
		t.Fatalf("the access manifest: %+v", res.Summary.ByStatus)
	}
	if read() == before {
		t.Fatal("the access manifest changed nothing")
	}
	undoPath := res.Summary.UndoManifest
	undoText, err := os.ReadFile(undoPath)
	if err != nil {
		t.Fatalf("undo manifest %q: %v", undoPath, err)
	}
	if !strings.Contains(string(undoText), "not deleted") {
		t.Errorf("the undo manifest does not list the folder it leaves:\n%s", undoText)
	}
	back := accessRun(t, emu, base, Apply, "undo1", string(undoText))
	if back.Summary.ByStatus[report.StatusFailed] > 0 {
		t.Fatalf("the undo manifest: %+v\n%s", back.Summary.ByStatus, undoText)
	}
	if after := read(); after != before {
		t.Errorf("after the undo:\n%+v\nwant\n%+v\nundo manifest:\n%s", after, before, undoText)
	}
}

// Accounts Orchestrator lists, given the same roles in one folder, go out
// in one AssignUsers request per bulk, and each row keeps its own result.
func TestFolderAccessGoesOutInBulk(t *testing.T) {
	seed := &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Ops"}, {Path: "Finance"}}}
	var rows strings.Builder
	rows.WriteString("op,folder,username,roles\n")
	for i := 1; i <= 40; i++ {
		name := fmt.Sprintf("user%05d", i)
		seed.FolderAssignments = append(seed.FolderAssignments, emulator.SeedAssignment{Account: name, Folder: "Ops", Roles: []string{"Automation User"}})
		fmt.Fprintf(&rows, "set_folder_access,Finance,%s,Automation User;Automation Developer\n", name)
	}
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 40, SeedData: seed})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 4, BulkSize: 25, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	res := accessRun(t, emu, base, Apply, "bulk1", rows.String())
	if got := res.Summary.ByStatus[report.StatusSucceeded]; got != 40 {
		t.Fatalf("succeeded %d of 40: %v", got, res.Summary.ByStatus)
	}
	n := emu.CountFor("POST", "/odata/Folders/UiPath.Server.Configuration.OData.AssignUsers")
	if n == 0 || n > 4 {
		t.Errorf("40 rows sent %d AssignUsers requests, want 2 to 4 (bulks of 25 on 4 workers)", n)
	}
	finance := 0
	for _, a := range emu.FolderAssignments() {
		if a.FolderPath == "Finance" && len(a.Roles) == 2 {
			finance++
		}
	}
	if finance != 40 {
		t.Errorf("%d accounts hold both roles in Finance, want 40", finance)
	}
	t.Logf("40 rows, %d AssignUsers requests", n)
}

// TestAccessRowsReadTheOrganizationOnlyForAccountsOrchestratorDoesNotList:
// folder access rows by user name find their accounts in Orchestrator's
// list; the organization's user list is read only when a row's account is
// not there, and then once for every row, not once per row. An account in
// neither fails its row as not found.
func TestAccessRowsReadTheOrganizationOnlyForAccountsOrchestratorDoesNotList(t *testing.T) {
	const n = 40
	for _, listed := range []bool{true, false} {
		t.Run(fmt.Sprintf("listed=%v", listed), func(t *testing.T) {
			var rows strings.Builder
			rows.WriteString("op,folder,username,roles\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&rows, "set_folder_access,Finance,user%05d,Automation User\n", i)
			}
			seed := &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Finance"}}}
			if listed {
				for i := 1; i <= n; i++ {
					seed.TenantRoles = append(seed.TenantRoles, emulator.SeedTenantRoles{Account: fmt.Sprintf("user%05d", i), Type: "User", Roles: []string{}})
				}
			} else {
				rows.WriteString("set_folder_access,Finance,nobody,Automation User\n")
			}
			emu, settings := emulatortest.Start(t, emulator.Config{Users: n, SeedData: seed})
			base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 4, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
			const userList = "/api/User/users/{partitionGlobalId}"
			accessRun(t, emu, base, Plan, "plan", rows.String())
			afterPlan := emu.CountFor("GET", userList)
			res := accessRun(t, emu, base, Apply, "apply", rows.String())
			if got := res.Summary.ByStatus[report.StatusSucceeded]; got != n {
				t.Fatalf("succeeded %d of %d: %v", got, n, res.Summary.ByStatus)
			}
			afterApply := emu.CountFor("GET", userList) - afterPlan
			want := 0
			if !listed {
				want = 1 // one page of 40 users, for every row
				nobody := results(t, res.Summary.ReportDir)[n+1]
				if nobody.Status != report.StatusFailed || nobody.ErrorCode != report.CodeNotFound || !strings.Contains(nobody.ErrorMessage, `"nobody"`) {
					t.Errorf("the row of an account in neither list: %s %s %q, want failed %s naming it", nobody.Status, nobody.ErrorCode, nobody.ErrorMessage, report.CodeNotFound)
				}
			}
			if afterPlan != want || afterApply != want {
				t.Errorf("the user list was read %d times by the plan and %d by the apply, want %d each", afterPlan, afterApply, want)
			}
			if searches := emu.CountFor("GET", "/api/User/{userId}"); searches != 0 {
				t.Errorf("%d users read one by one, want none", searches)
			}
			finance := 0
			for _, a := range emu.FolderAssignments() {
				if a.FolderPath == "Finance" {
					finance++
				}
			}
			if finance != n {
				t.Errorf("%d accounts in Finance, want %d", finance, n)
			}
		})
	}
}

// Rows waiting for one shared read of the organization's list, while that
// read waits out the server's 429s: the read never waits on one of the
// rows' workers (every worker is held by a row waiting for it), so the run
// goes on instead of hanging.
func TestAccessRowsSharingAThrottledListReadDoNotHang(t *testing.T) {
	const n = 40
	var rows strings.Builder
	rows.WriteString("op,folder,username,roles\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&rows, "set_folder_access,Finance,user%05d,Automation User\n", i)
	}
	seed := &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Finance"}}}
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 2500, SeedData: seed,
		Limits: map[string]emulator.Budget{"GET": {Requests: 1, Window: time.Second}}})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 20}, Workers: 2, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	done := make(chan Result, 1)
	go func() { done <- accessRun(t, emu, base, Apply, "apply", rows.String()) }()
	select {
	case res := <-done:
		if got := res.Summary.ByStatus[report.StatusSucceeded]; got != n {
			t.Fatalf("succeeded %d of %d: %v", got, n, res.Summary.ByStatus)
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("the apply still runs after 90 s (%d user list GETs so far): rows wait for a read that waits for their workers",
			emu.CountFor("GET", "/api/User/users/{partitionGlobalId}"))
	}
}

// The first rows of a rotation wait for one read of the credential stores
// while it waits out the server's 429s: it keeps its worker (every other
// worker's row waits for it), so the run goes on instead of hanging.
func TestRotationRowsWaitingForAThrottledStoreReadDoNotHang(t *testing.T) {
	const n = 6 // more than the 2 workers: rows left to take a lent worker
	const password = "Store-Hang-Pass-7!q"
	t.Setenv("STORE_HANG_PW", password)
	seed := &emulator.SeedFile{}
	var rows strings.Builder
	rows.WriteString("op,username,new_password\n")
	for i := 1; i <= n; i++ {
		store := int64(1)
		seed.OrchestratorUsers = append(seed.OrchestratorUsers, emulator.SeedOrchestrator{ID: int64(3000 + i), UserName: fmt.Sprintf("svc-robot-%02d", i), Type: "Robot",
			UnattendedRobot: &emulator.SeedUnattended{UserName: fmt.Sprintf(`CORP\svc-%02d`, i), CredentialType: "Default", CredentialStoreID: &store, Password: "Old-Pass-0001"}})
		fmt.Fprintf(&rows, "set_robot_credentials,svc-robot-%02d,env:STORE_HANG_PW\n", i)
	}
	emu, settings := emulatortest.Start(t, emulator.Config{SeedData: seed,
		OrchestratorLimits: map[string]emulator.Budget{"GET": {Requests: 1, Window: time.Second}}})
	var logs syncbuf.Buffer
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 20}, Workers: 2, Log: zerolog.New(&logs), Warnings: &bytes.Buffer{}}
	done := make(chan Result, 1)
	go func() { done <- manifestRun(t, base, Apply, "rotate", "rotate.csv", rows.String()) }()
	select {
	case res := <-done:
		if got := res.Summary.ByStatus[report.StatusSucceeded]; got != n {
			t.Fatalf("succeeded %d of %d: %v", got, n, res.Summary.ByStatus)
		}
		if strings.Contains(logs.String(), password) {
			t.Error("the log holds the password")
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("the rotation still runs after 90 s (%d credential store reads so far): rows wait for a read that waits for their workers",
			emu.CountFor("GET", "/odata/CredentialStores"))
	}
}
