package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// accessSeed lists users of 1..listed in Orchestrator (assigned in Ops),
// and two folders; the others Orchestrator does not list yet.
func accessSeed(listed int) *emulator.SeedFile {
	sf := &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Ops"}, {Path: "Finance"}}}
	for i := 1; i <= listed; i++ {
		sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: fmt.Sprintf("user%05d", i), Folder: "Ops", Roles: []string{"Automation User"}})
	}
	return sf
}

// accessManifest makes a folder tree and gives users access: those
// listed in bulk, the others as directory accounts, with tenant roles.
func accessManifest(users int) (string, int) {
	var b strings.Builder
	b.WriteString("op,folder,username,roles\n")
	n := 0
	for _, f := range []string{"Finance/AP/Invoices", "Finance/AR", "HR/Payroll"} {
		fmt.Fprintf(&b, "ensure_folder,%s,,\n", f)
		n++
	}
	folders := []string{"Finance/AP", "Finance/AR", "HR/Payroll", "Finance/AP/Invoices"}
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&b, "set_folder_access,%s,user%05d,Automation User;Automation Developer\n", folders[i%len(folders)], i)
		n++
	}
	for i := 1; i <= users; i += 10 {
		fmt.Fprintf(&b, "set_tenant_roles,,user%05d,Allow to be Automation User\n", i)
		n++
	}
	return b.String(), n
}

// TestKillDuringAccessApplyThenResume kills an access apply at several
// points, then resumes it: every row is reported once, succeeded; every
// folder exists once, every account holds its roles in its folder once,
// and no account was made twice in Orchestrator.
func TestKillDuringAccessApplyThenResume(t *testing.T) {
	t.Parallel()
	const users, listed = 300, 150
	manifest, n := accessManifest(users)
	for _, at := range []killPoint{
		{name: "first-folder-created", method: "POST", requests: 1},
		{name: "in-the-folders", lines: 4},
		{name: "in-the-access", method: "POST", requests: 40},
		{name: "late", lines: n},
	} {
		t.Run(at.name, func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{Users: users, SeedData: accessSeed(listed), Latency: 10 * time.Millisecond})
			dir := t.TempDir()
			writeFile(t, dir, "access.csv", manifest)
			killThenResume(t, emu, dir, "access", at, "apply", "access.csv", "--yes", "--limits", "none", "--workers", "8", "--no-progress")
			runDir := filepath.Join(dir, "reports", "access")
			checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
			checkCSVRowsOnce(t, runDir, n)

			paths := map[string]int{}
			for _, f := range emu.Folders() {
				paths[strings.ToLower(f.FullyQualifiedName)]++
			}
			for _, p := range []string{"finance", "finance/ap", "finance/ap/invoices", "finance/ar", "hr", "hr/payroll"} {
				if paths[p] != 1 {
					t.Errorf("folder %s exists %d times", p, paths[p])
				}
			}
			held := map[string]int{}
			for _, a := range emu.FolderAssignments() {
				if a.FolderPath == "Ops" {
					continue
				}
				roles := slices.Clone(a.Roles)
				slices.Sort(roles)
				if strings.Join(roles, ";") != "Automation Developer;Automation User" {
					t.Errorf("%s holds %v in %s", a.UserName, a.Roles, a.FolderPath)
				}
				held[strings.ToLower(a.UserName)]++
			}
			if len(held) != users {
				t.Errorf("%d accounts hold access, want %d", len(held), users)
			}
			for name, k := range held {
				if k != 1 {
					t.Errorf("%s is assigned in %d folders, want 1", name, k)
				}
			}
			orch := map[string]int{}
			for _, o := range emu.OrchestratorUsers() {
				orch[strings.ToLower(o.UserName)]++
			}
			for name, k := range orch {
				if k > 1 {
					t.Errorf("Orchestrator lists %s %d times", name, k)
				}
			}
		})
	}
}

// A plan of access rows shows each change as a reviewer reads it; rows
// naming a folder or role the tenant does not have fail with their
// FILE:LINE and the nearest name; the others go on.
func TestAccessPlanShowsRolesAndNamesUnknowns(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 5, SeedData: &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Shared/Finance"}},
		FolderAssignments: []emulator.SeedAssignment{{Account: "user00001", Folder: "Shared/Finance", Roles: []string{"Folder Administrator"}}}}})
	dir := t.TempDir()
	writeFile(t, dir, "access.csv", "op,folder,username,roles\n"+
		"set_folder_access,Shared/Finance,user00001,Automation User\n"+
		"set_folder_access,Shared/Finanse,user00002,Automation User\n"+
		"set_folder_access,Shared/Finance,user00003,Automaton User\n"+
		"set_folder_access,Shared/Finance,user00004,Automation Developer\n")
	res := runBatch(t, emu, dir, "plan", "access.csv", "--limits", "none", "--run-id", "p", "--no-progress")
	if res.code != 1 {
		t.Fatalf("plan exit %d, want 1 (two rows fail)\n%s%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "roles in Shared/Finance: +Automation User −Folder Administrator") {
		t.Errorf("the plan does not show the roles as a reviewer reads them:\n%s", res.stdout)
	}
	rows := byRow(t, readResults(t, filepath.Join(dir, "reports", "p")))
	for row, want := range map[int]string{2: `did you mean "Shared/Finance"`, 3: `did you mean "Automation User"`} {
		r := rows[row]
		if r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, want) || r.Source != "access.csv:"+fmt.Sprint(row+1) {
			t.Errorf("row %d: %s %s at %s, want failed naming %s at access.csv:%d", row, r.Status, r.ErrorMessage, r.Source, want, row+1)
		}
	}
	if rows[1].Status != report.StatusPlanned || rows[4].Status != report.StatusPlanned {
		t.Errorf("rows 1 and 4: %s, %s", rows[1].Status, rows[4].Status)
	}
}
