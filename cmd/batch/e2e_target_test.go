package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
)

// The README's rehearsal leaves the emulator's UIPATH_* variables set; a
// profile named on the command line then must not be overridden by them
// silently (the plan read the old organization): the run refuses, naming
// the variables, and sends nothing to either organization.
func TestExplicitProfileConflictingWithVariablesIsRefused(t *testing.T) {
	t.Parallel()
	old := startEmulator(t, emulator.Config{Users: 3})
	newOrg := startEmulator(t, emulator.Config{Org: "new-org"})
	dir := t.TempDir()
	writeFile(t, dir, "org.csv", "op,email,username\nensure_user,user00001@example.com,user00001\n")
	if err := os.MkdirAll(filepath.Join(dir, ".uipath"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".uipath"), "config", fmt.Sprintf(`profiles:
  - name: new-org
    uri: %s
    organization: new-org
    tenant: DefaultTenant
    auth:
      clientId: %s
      clientSecret: %s
`, newOrg.URL(), emulator.DefaultClientID, emulator.DefaultClientSecret))
	for _, cmd := range [][]string{{"plan", "org.csv", "--profile", "new-org"}, {"apply", "org.csv", "--profile", "new-org", "--yes"}, {"export", "users", "--profile", "new-org"}} {
		res := runBatch(t, old, dir, cmd...) // the old organization's variables are set
		if res.code != 2 || !strings.Contains(res.stderr, "--profile new-org was given, but UIPATH_URI, UIPATH_ORGANIZATION") ||
			!strings.Contains(res.stderr, "unset UIPATH_URI UIPATH_ORGANIZATION") {
			t.Errorf("%s: exit %d, want 2 naming the variables\n%s", cmd[0], res.code, res.stderr)
		}
	}
	for name, emu := range map[string]*emulator.Server{"old": old, "new": newOrg} {
		if n, tokens := emu.Counts(), emu.TokenRequests(); len(n) != 0 || tokens != 0 {
			t.Errorf("the %s organization got requests %v and %d token requests", name, n, tokens)
		}
	}
	// With the variables unset, the profile is used, and its target named.
	res := runBatch(t, nil, dir, "plan", "org.csv", "--profile", "new-org", "--limits", "none", "--run-id", "p")
	if res.code != 0 || !strings.Contains(res.stdout, "Plan for "+newOrg.URL()+"/new-org/DefaultTenant: 1 row — 1 to change") {
		t.Errorf("plan with the profile: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// A wrong organization or tenant stops the run before any row, exit 2,
// in at most three requests (the token, one list), naming the setting to
// check: it is not read as every account missing.
func TestWrongOrganizationOrTenantStopsBeforeAnyRow(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Users: 20, Robots: 3})
	many := "op,email,name\n"
	for i := 1; i <= 20; i++ {
		many += fmt.Sprintf("update_user,user%05d@example.com,N%d\n", i, i)
	}
	for _, tc := range []struct {
		name, variable, value, manifest, want string
		args                                  []string
	}{
		{"organization, many rows", "UIPATH_ORGANIZATION", "wrong-org", many, `organization "wrong-org" not found at`, []string{"plan", "m.csv"}},
		{"organization, one row", "UIPATH_ORGANIZATION", "wrong-org", "op,email,name\nupdate_user,user00001@example.com,N\n", `organization "wrong-org" not found at`, []string{"apply", "m.csv", "--yes"}},
		{"tenant", "UIPATH_TENANT", "WrongTenant", "op,username,new_password\nset_robot_credentials,robot-001,env:PW\n", `tenant "WrongTenant" of organization`, []string{"apply", "m.csv", "--yes"}},
		{"export", "UIPATH_ORGANIZATION", "wrong-org", "", `organization "wrong-org" not found at`, []string{"export", "users"}},
		{"export robot credentials", "UIPATH_TENANT", "WrongTenant", "", `tenant "WrongTenant" of organization`, []string{"export", "robot-credentials"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.manifest != "" {
				writeFile(t, dir, "m.csv", tc.manifest)
			}
			before := sumRequests(emu)
			cmd := batchCmd(t.Context(), emu, dir, append(tc.args, "--limits", "none", "--log-format", "console")...)
			cmd.Env = append(cmd.Env, tc.variable+"="+tc.value, "PW=Fresh-Pass-123")
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "check "+tc.variable) {
				t.Errorf("exit %d, want 2 saying %q and naming %s\n%s", code, tc.want, tc.variable, out)
			}
			if n := sumRequests(emu) - before; n > 3 {
				t.Errorf("%d requests before stopping, want at most 3", n)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "reports")); len(entries) != 0 {
				t.Errorf("a run that sent nothing left %d run folders", len(entries))
			}
		})
	}
}

// sumRequests is every request the emulator answered, tokens included.
func sumRequests(emu *emulator.Server) int {
	n := emu.TokenRequests()
	for _, c := range emu.Counts() {
		n += c
	}
	return n
}
