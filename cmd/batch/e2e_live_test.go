package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// A second administrator changes robots' settings, group names, robot
// accounts' display names and users' names while a long mixed run goes
// on: the run's whole-object writes (a robot's PATCH, a group's PUT, a
// groups-only robot account PUT) read again what they send back once it
// is older than --max-staleness, so none of the other administrator's
// values is undone, and every change of the manifest lands.
func TestAnotherAdministratorsChangesAreNotUndone(t *testing.T) {
	t.Parallel()
	const users, robots = 30, 10
	var b strings.Builder
	b.WriteString("op,email,username,robot_name,surname,display_name,groups_to_add,new_password\n")
	// The accounts phase: users' surnames first (they take long enough
	// for the lists read at the start to pass --max-staleness), then the
	// robots' credentials (a PATCH sends the robot's settings back).
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,,,Surname %d,,,\n", i, i)
	}
	for i := 1; i <= robots; i++ {
		fmt.Fprintf(&b, "set_robot_credentials,,robot-%03d,,,,,generate\n", i)
	}
	// The memberships phase: a group PUT carries the group's name.
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,,,,,Sales,\n", i)
	}
	for i := 1; i <= robots; i++ {
		fmt.Fprintf(&b, "update_robot_account,,,robot-%03d,,,Ops,\n", i)
	}
	// One robot account's display name is the manifest's own change.
	b.WriteString("update_robot_account,,,robot-001,,Renamed by the manifest,,\n")
	manifest := b.String()
	rows := 2*users + 2*robots + 1

	for _, bulk := range []string{"50", "1"} {
		t.Run("bulk-size-"+bulk, func(t *testing.T) {
			t.Parallel()
			// The four lists (groups, users, robot accounts, Orchestrator
			// users) are read first; the other administrator acts right
			// after them, before any write.
			emu := startEmulator(t, emulator.Config{Users: users, Robots: robots, Latency: 120 * time.Millisecond, MeddleAfter: 4,
				SeedFile: writeFile(t, t.TempDir(), "seed.json", `{"groups": [{"name": "Sales"}, {"name": "Ops"}]}`)})
			dir := t.TempDir()
			writeFile(t, dir, "mixed.csv", manifest)
			res := runBatch(t, emu, dir, "apply", "mixed.csv", "--yes", "--limits", "none", "--no-progress", "--workers", "2",
				"--max-staleness", "1s", "--bulk-size", bulk, "--secrets-out", "secrets.csv", "--run-id", "mixed")
			if res.code != 0 {
				t.Fatalf("apply exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			runDir := filepath.Join(dir, "reports", "mixed")
			checkEveryRowOnce(t, runDir, rows, report.StatusSucceeded)

			meddled := emu.Meddled()
			if len(meddled) == 0 {
				t.Fatal("the second administrator never acted")
			}
			kept := checkMeddledKept(t, emu, func(m emulator.Meddle) bool {
				return m.Kind == "robotAccount" && m.Field == "displayName" && robotNameOf(emu, m.ID) == "robot-001"
			})
			t.Logf("%d of the other administrator's values kept; staleness reads %v", kept, staleReads(t, runDir))

			// The manifest's own changes landed.
			names := groupNames(emu)
			for _, u := range emu.Users() {
				var i int
				if _, err := fmt.Sscanf(u.UserName, "user%05d", &i); err != nil || i > users {
					continue
				}
				if u.Surname != fmt.Sprintf("Surname %d", i) || !strings.Contains(memberOf(u.GroupIDs, names), "Sales (renamed)") {
					t.Errorf("%s: surname %q, groups %s", u.UserName, u.Surname, memberOf(u.GroupIDs, names))
				}
			}
			for _, ra := range emu.RobotAccounts() {
				if !strings.Contains(memberOf(ra.GroupIDs, names), "Ops (renamed)") {
					t.Errorf("%s: groups %s, want Ops", ra.Name, memberOf(ra.GroupIDs, names))
				}
				if ra.Name == "robot-001" && ra.DisplayName != "Renamed by the manifest" {
					t.Errorf("robot-001's display name %q, want the manifest's", ra.DisplayName)
				}
			}
			for i, o := range emu.OrchestratorUsers() {
				if p := emu.RobotPasswordOf(o.ID); p == emulator.InitialRobotPassword(i+1) || p == "" {
					t.Errorf("Orchestrator user %d (%s): the password was not set", o.ID, o.UserName)
				}
			}
			if n := emu.ServerComputedSent(); n != 0 {
				t.Errorf("%d PATCHes sent the server-computed RobotId or MachineMappingsCount", n)
			}
			if n := staleReads(t, runDir); n == 0 {
				t.Error("summary.json counts no staleness reads, yet the run outlived --max-staleness")
			}
		})
	}
}

// checkMeddledKept checks that every value the second administrator set
// is still there, except those except says the manifest itself changes;
// it returns how many it checked.
func checkMeddledKept(t *testing.T, emu *emulator.Server, except func(emulator.Meddle) bool) int {
	t.Helper()
	orch := map[string]emulator.OrchestratorUser{}
	for _, o := range emu.OrchestratorUsers() {
		orch[strconv.FormatInt(o.ID, 10)] = o
	}
	groups := map[string]string{}
	for _, g := range emu.Groups() {
		groups[strings.ToLower(g.ID)] = g.Name
	}
	robots := map[string]string{}
	for _, r := range emu.RobotAccounts() {
		robots[strings.ToLower(r.ID)] = r.DisplayName
	}
	userNames := map[string]string{}
	for _, u := range emu.Users() {
		userNames[strings.ToLower(u.ID)] = u.Name
	}
	n := 0
	for _, m := range emu.Meddled() {
		if except(m) {
			continue
		}
		n++
		var now any
		id := strings.ToLower(m.ID)
		switch m.Kind {
		case "orchestratorUser":
			ur := orch[m.ID].UnattendedRobot
			if ur == nil {
				t.Errorf("Orchestrator user %s lost its robot", m.ID)
				continue
			}
			switch field := strings.TrimPrefix(m.Field, "UnattendedRobot."); field {
			case "LimitConcurrentExecution":
				now = ur.LimitConcurrentExecution
			default:
				now = ur.ExecutionSettings[strings.TrimPrefix(field, "ExecutionSettings.")]
			}
		case "group":
			now = groups[id]
		case "robotAccount":
			now = robots[id]
		case "user":
			now = userNames[id]
		}
		if fmt.Sprint(now) != fmt.Sprint(m.Value) {
			t.Errorf("%s %s %s: %v, the other administrator set %v: undone", m.Kind, m.ID, m.Field, now, m.Value)
		}
	}
	return n
}

func robotNameOf(emu *emulator.Server, id string) string {
	i := slices.IndexFunc(emu.RobotAccounts(), func(r emulator.RobotAccount) bool { return strings.EqualFold(r.ID, id) })
	if i < 0 {
		return ""
	}
	return emu.RobotAccounts()[i].Name
}

// staleReads is summary.json's count of the reads that checked whole-object
// writes were fresh.
func staleReads(t *testing.T, runDir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runDir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		StalenessReads int `json:"staleness_reads"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s.StalenessReads
}

// robotKindsSeed holds an unattended robot of every kind a password cannot
// be set on, beside two that take one (one in the database store).
const robotKindsSeed = `{
  "credentialStores": [{"id": 3, "name": "Vault", "type": "HashiCorpVault", "readOnly": true}],
  "orchestratorUsers": [
    {"id": 2001, "userName": "robot-card", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-card", "credentialType": "SmartCard"}},
    {"id": 2002, "userName": "robot-ncipher", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-ncipher", "credentialType": "NCipher"}},
    {"id": 2003, "userName": "robot-safenet", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-safenet", "credentialType": "SafeNet"}},
    {"id": 2004, "userName": "robot-none", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-none", "credentialType": "NoCredential"}},
    {"id": 2005, "userName": "robot-readonly", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-ro", "credentialType": "Default", "credentialStoreId": 3}},
    {"id": 2006, "userName": "robot-db", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-db", "credentialType": "Default", "credentialStoreId": 1, "password": "Db-Pass-0001"}},
    {"id": 2007, "userName": "robot-plain", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-plain", "password": "Plain-Pass-01"}}
  ]}`

// Robots that sign in without a password (SmartCard, NCipher, SafeNet,
// NoCredential) and robots in a read-only store are never PATCHed: export
// robot-credentials leaves them out with a count by kind, plan and apply
// fail their rows with the reason and send nothing; the others rotate.
func TestRobotsThatMustNotGetAPassword(t *testing.T) {
	t.Parallel()
	for _, shapes := range []bool{false, true} {
		t.Run(fmt.Sprintf("spec-shapes-%v", shapes), func(t *testing.T) {
			t.Parallel()
			emu := startEmulator(t, emulator.Config{SpecShapes: shapes, SeedFile: writeFile(t, t.TempDir(), "seed.json", robotKindsSeed)})
			dir := t.TempDir()
			exp := runBatch(t, emu, dir, "export", "robot-credentials", "-o", "rotate.csv", "--limits", "none")
			if exp.code != 0 {
				t.Fatalf("export exit %d\n%s", exp.code, exp.stderr)
			}
			data, _ := os.ReadFile(filepath.Join(dir, "rotate.csv"))
			if got := strings.Count(string(data), "set_robot_credentials"); got != 2 || !strings.Contains(string(data), "2006") || !strings.Contains(string(data), "2007") {
				t.Errorf("exported %d rows, want robot-db and robot-plain:\n%s", got, data)
			}
			for _, want := range []string{"left out 5 robots", "1 signing in with SmartCard", "1 signing in with NCipher", "1 signing in with SafeNet", "1 signing in with NoCredential", "1 in a read-only credential store"} {
				if !strings.Contains(exp.stderr, want) {
					t.Errorf("export's stderr lacks %q:\n%s", want, exp.stderr)
				}
			}

			var b strings.Builder
			b.WriteString("op,username,new_password\n")
			for _, name := range []string{"robot-card", "robot-ncipher", "robot-safenet", "robot-none", "robot-readonly", "robot-db", "robot-plain"} {
				fmt.Fprintf(&b, "set_robot_credentials,%s,generate\n", name)
			}
			writeFile(t, dir, "all.csv", b.String())
			plan := runBatch(t, emu, dir, "plan", "all.csv", "--run-id", "plan", "--limits", "none")
			apply := runBatch(t, emu, dir, "apply", "all.csv", "--yes", "--run-id", "apply", "--limits", "none", "--secrets-out", "secrets.csv")
			if plan.code != 1 || apply.code != 1 {
				t.Fatalf("plan exit %d, apply exit %d; want 1 and 1\n%s%s", plan.code, apply.code, plan.stderr, apply.stderr)
			}
			for _, run := range []string{"plan", "apply"} {
				for _, r := range readResults(t, filepath.Join(dir, "reports", run)) {
					ok := r.Status == report.StatusPlanned || r.Status == report.StatusSucceeded
					if wantOK := r.Row >= 6; ok != wantOK {
						t.Errorf("%s row %d (%s): %s %s", run, r.Row, r.Target, r.Status, r.ErrorMessage)
					}
					if !ok && !strings.Contains(r.ErrorMessage, "nothing was sent") {
						t.Errorf("%s row %d: %q does not say nothing was sent", run, r.Row, r.ErrorMessage)
					}
				}
			}
			if n := emu.CountFor("PATCH", "/odata/Users({key})"); n != 2 {
				t.Errorf("%d PATCHes, want 2 (robot-db and robot-plain)", n)
			}
			if n := emu.ServerComputedSent(); n != 0 {
				t.Errorf("%d PATCHes sent RobotId or MachineMappingsCount", n)
			}
		})
	}

	// A generated robot password is at most 100 characters: validate says so at its line.
	dir := t.TempDir()
	writeFile(t, dir, "long.csv", "op,username,new_password\nset_robot_credentials,robot-db,generate:100\nset_robot_credentials,robot-plain,generate:101\n")
	res := runBatch(t, nil, dir, "validate", "long.csv")
	if res.code != 2 || !strings.Contains(res.stdout+res.stderr, "long.csv:3") || strings.Contains(res.stdout+res.stderr, "long.csv:2") {
		t.Errorf("validate exit %d:\n%s%s", res.code, res.stdout, res.stderr)
	}
}
