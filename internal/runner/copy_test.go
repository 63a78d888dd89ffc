package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/session"
)

// accessOrg is organization A of the copy: a three-level folder tree,
// assignments of users, robot accounts and groups in several folders with
// built-in and custom roles, tenant roles, inactive users, and
// unattended settings on every robot account.
func accessOrg(users, robots int) *emulator.SeedFile {
	no := false
	sf := &emulator.SeedFile{
		Roles: []emulator.SeedRole{{Name: "Finance Clerk", Type: "Folder"}, {Name: "Auditor", Type: "Tenant"}},
		Folders: []emulator.SeedFolder{{Path: "Shared/Finance/AP"}, {Path: "Shared/Finance/AR"}, {Path: "Shared/HR"},
			{Path: "Operations/Night/Batch"}},
	}
	for i := 1; i <= 20; i++ {
		sf.Users = append(sf.Users, emulator.SeedUser{UserName: fmt.Sprintf("leaver%02d", i), Email: fmt.Sprintf("leaver%02d@example.com", i), IsActive: &no})
	}
	for g := 1; g <= 4; g++ {
		grp := emulator.SeedGroup{Name: fmt.Sprintf("Team %d", g)}
		for i := g; i <= users; i += 25 {
			grp.Members = append(grp.Members, fmt.Sprintf("user%05d", i))
		}
		sf.Groups = append(sf.Groups, grp)
	}
	folders := []string{"Shared", "Shared/Finance", "Shared/Finance/AP", "Shared/Finance/AR", "Shared/HR", "Operations/Night", "Operations/Night/Batch"}
	roles := [][]string{{"Automation User"}, {"Finance Clerk", "Automation User"}, {"Folder Administrator"}, {"Automation Developer"}}
	for i := 1; i <= users; i += 7 {
		sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: fmt.Sprintf("user%05d", i),
			Folder: folders[i%len(folders)], Roles: roles[i%len(roles)]})
	}
	for j := 1; j <= robots; j += 3 {
		sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: fmt.Sprintf("robot-%03d", j),
			Folder: folders[j%len(folders)], Roles: []string{"Automation User"}})
	}
	for g := 1; g <= 4; g += 2 {
		sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: fmt.Sprintf("Team %d", g),
			Folder: folders[g], Roles: []string{"Automation User"}})
	}
	for i := 3; i <= users; i += 50 {
		sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: fmt.Sprintf("user%05d", i), Roles: []string{"Allow to be Automation User", "Auditor"}})
	}
	return sf
}

// exportOrg exports kinds of the organization at settings to a YAML file.
func exportOrg(t *testing.T, base Config, path string, kinds ...string) ExportResult {
	t.Helper()
	res, err := Export(t.Context(), ExportConfig{Kinds: export.KindsOf(kinds), Format: manifest.YAML, Output: path,
		Settings: base.Settings, Session: base.Session, Log: zerolog.Nop()})
	if err != nil {
		t.Fatalf("export %v: %v", kinds, err)
	}
	return res
}

// A copy with access: A's groups, users, robot accounts and access,
// exported, planned on B (empty but for the built-in roles and A's
// custom role names: no op creates roles), applied, and planned again:
// every row unchanged. Every folder assignment of A is B's, by folder
// path, account and role names, and B's export of its access (folders,
// assignments, tenant roles, unattended settings) is A's. Also with 10 %
// 503s and 2 % dropped connections on B.
func TestCopyWithAccess(t *testing.T) {
	for _, faults := range []bool{false, true} {
		t.Run(fmt.Sprintf("faults=%v", faults), func(t *testing.T) {
			const users, robots = 500, 30
			emuA, settingsA := emulatortest.Start(t, emulator.Config{Seed: 1, Users: users, Robots: robots, SeedData: accessOrg(users, robots)})
			cfgB := emulator.Config{Seed: 2, SeedData: &emulator.SeedFile{Roles: []emulator.SeedRole{{Name: "Finance Clerk", Type: "Folder"}, {Name: "Auditor", Type: "Tenant"}}}}
			if faults {
				cfgB.FaultRate, cfgB.FaultStatuses, cfgB.ResetRate = 0.10, []int{503}, 0.02
			}
			emuB, settingsB := emulatortest.Start(t, cfgB)
			a := Config{Settings: settingsA, Session: session.Options{Limits: "none", MaxAttempts: 8}, Workers: 8, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
			b := a
			b.Settings = settingsB

			dir := t.TempDir()
			org := filepath.Join(dir, "org.yaml")
			exportOrg(t, a, org, "groups", "users", "robot-accounts", "access")
			text, err := os.ReadFile(org)
			if err != nil {
				t.Fatal(err)
			}

			plan := manifestRun(t, b, Plan, "plan1", "org.yaml", string(text))
			for _, r := range results(t, plan.Summary.ReportDir) {
				if r.Status == report.StatusFailed {
					t.Errorf("plan on B, row %d %s %s failed: %s", r.Row, r.Op, r.Target, r.ErrorMessage)
				}
			}
			applied := manifestRun(t, b, Apply, "apply1", "org.yaml", string(text))
			for _, r := range results(t, applied.Summary.ReportDir) {
				if r.Status != report.StatusFailed {
					continue
				}
				t.Errorf("row %d %s %s failed: %s", r.Row, r.Op, r.Target, r.ErrorMessage)
			}
			if got, want := assignments(emuB), assignments(emuA); got != want {
				t.Errorf("B's folder assignments differ from A's:\nA:\n%s\nB:\n%s", want, got)
			}
			again := manifestRun(t, b, Plan, "plan2", "org.yaml", string(text))
			for _, r := range results(t, again.Summary.ReportDir) {
				if r.Status != report.StatusUnchanged {
					t.Errorf("second plan, row %d %s %s: %s %v %s", r.Row, r.Op, r.Target, r.Status, r.Changes, r.ErrorMessage)
				}
			}
			accessA, accessB := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
			exportOrg(t, a, accessA, "access")
			exportOrg(t, b, accessB, "access")
			wantA, _ := os.ReadFile(accessA)
			gotB, _ := os.ReadFile(accessB)
			if string(wantA) != string(gotB) || !strings.Contains(string(wantA), "update_unattended_robot") || !strings.Contains(string(wantA), "set_tenant_roles") {
				t.Errorf("B's access differs from A's:\nA:\n%s\nB:\n%s", wantA, gotB)
			}
		})
	}
}

// assignments lists an organization's folder assignments by folder path,
// account name and roles, ids aside.
func assignments(emu *emulator.Server) string {
	var lines []string
	for _, a := range emu.FolderAssignments() {
		roles := slices.Clone(a.Roles)
		slices.Sort(roles)
		lines = append(lines, a.FolderPath+" | "+strings.ToLower(a.UserName)+" | "+strings.Join(roles, ";"))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
