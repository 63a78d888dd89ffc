package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// The organization the copy tests migrate: generated users and robot
// accounts (built-in groups and the generated Finance) plus a seed file of
// local groups with members and users whose names need quoting. Every
// user is in Everyone, as in a real organization.
const (
	copyGenerated = 1995
	copySeeded    = 5
	copyUsers     = copyGenerated + copySeeded
	copyRobots    = 100
	// copyGroups are the local groups: Finance (generated), and the
	// seed file's three.
	copyGroups = 4
)

// copySeedFile writes the seed file of the organization to copy.
func copySeedFile(t *testing.T) string {
	t.Helper()
	var sales, night []string
	for i := 1; i <= 300; i++ {
		sales = append(sales, fmt.Sprintf("user%05d", i))
	}
	for i := 1; i <= 10; i++ {
		sales = append(sales, fmt.Sprintf("robot-%03d", i))
	}
	for i := 250; i <= 420; i++ {
		night = append(night, fmt.Sprintf("user%05d@example.com", i))
	}
	night = append(night, "robot-050", "quote@example.com")
	seed := map[string]any{
		"groups": []map[string]any{
			{"name": "Sales", "members": sales},
			{"name": "Night shift", "members": night},
			{"name": "Support Team, EMEA"},
		},
		"users": []map[string]any{
			{"userName": "obrien", "email": "sean.obrien@example.com", "name": "Seán", "surname": "O'Brien, Jr.",
				"displayName": `Seán "Sean" O'Brien`, "bypassBasicAuthRestriction": true,
				"groupIDs": []string{emulator.GroupEveryone, emulator.GroupAdministrators}},
			{"userName": "quote", "email": "quote@example.com", "name": "Zoë", "surname": "Ünal", "displayName": "Zoë; Ünal",
				"groupIDs": []string{emulator.GroupEveryone}},
			{"userName": "dev1", "email": "dev1@example.com", "name": "Dev", "surname": "One", "displayName": "Dev One",
				"groupIDs": []string{emulator.GroupEveryone, emulator.GroupAutomationDevelopers, emulator.GroupFinance}},
			{"userName": "bypass", "email": "bypass@example.com", "name": "By", "surname": "Pass", "displayName": "By Pass",
				"bypassBasicAuthRestriction": true, "groupIDs": []string{emulator.GroupEveryone}},
			{"userName": "plain", "email": "plain@example.com", "name": "Plain", "surname": "User", "displayName": "", "groupIDs": []string{emulator.GroupEveryone}},
		},
	}
	data, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, t.TempDir(), "seed.json", string(data))
}

// startCopySource starts the organization to copy.
func startCopySource(t *testing.T, specShapes ...bool) *emulator.Server {
	t.Helper()
	emu := startEmulator(t, emulator.Config{Users: copyGenerated, Robots: copyRobots, Seed: 14, SeedFile: copySeedFile(t), SpecShapes: len(specShapes) > 0 && specShapes[0]})
	if n := len(emu.Users()); n != copyUsers {
		t.Fatalf("the source organization holds %d users, want %d", n, copyUsers)
	}
	return emu
}

// exportKinds runs `batch export KINDS -o file` against emu and returns the
// file's content.
func exportKinds(t *testing.T, emu *emulator.Server, dir, file string, kinds ...string) string {
	t.Helper()
	args := append(append([]string{"export"}, kinds...), "-o", file, "--limits", "none", "--max-attempts", "10")
	res := runBatch(t, emu, dir, args...)
	if res.code != 0 {
		t.Fatalf("export %v to %s: exit %d\n%s", kinds, file, res.code, res.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// opsOf counts a CSV manifest's rows by op (the first cell).
func opsOf(csvText string) map[string]int {
	n := map[string]int{}
	lines := strings.Split(strings.TrimSuffix(csvText, "\n"), "\n")
	for _, l := range lines[1:] {
		op, _, _ := strings.Cut(l, ",")
		n[op]++
	}
	return n
}

// sameExport fails unless two CSV exports hold the same header, the same
// sequence of ops (the kinds in the same order) and the same rows. The
// rows of one kind are compared as a set: an organization lists its
// accounts in the order it created them, and a copy creates concurrently.
func sameExport(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	if len(g) != len(w) || g[0] != w[0] {
		t.Fatalf("%s: %d lines (header %q), want %d (header %q)", what, len(g), g[0], len(w), w[0])
	}
	for i := range g {
		gop, _, _ := strings.Cut(g[i], ",")
		wop, _, _ := strings.Cut(w[i], ",")
		if gop != wop {
			t.Fatalf("%s: line %d is %s, want %s (the kinds are in another order)", what, i+1, gop, wop)
		}
	}
	gs, ws := slices.Sorted(slices.Values(g[1:])), slices.Sorted(slices.Values(w[1:]))
	for i := range gs {
		if gs[i] != ws[i] {
			t.Fatalf("%s differs: first differing row (sorted)\n got %s\nwant %s", what, gs[i], ws[i])
		}
	}
	t.Logf("%s: the same rows, in another order (the copy created them concurrently)", what)
}

// groupNames maps an organization's group ids to names.
func groupNames(emu *emulator.Server) map[string]string {
	m := map[string]string{}
	for _, g := range emu.Groups() {
		m[strings.ToLower(g.ID)] = g.Name
	}
	return m
}

func memberOf(ids []string, names map[string]string) string {
	var out []string
	for _, id := range ids {
		out = append(out, names[strings.ToLower(id)])
	}
	slices.Sort(out)
	return strings.Join(out, ";")
}

// sameOrganization compares two organizations' accounts field by field,
// users by email and robot accounts by name, groups by name, straight from
// the emulators' state (not through export).
func sameOrganization(t *testing.T, a, b *emulator.Server) {
	t.Helper()
	an, bn := groupNames(a), groupNames(b)
	ag, bg := slices.Sorted(maps.Values(an)), slices.Sorted(maps.Values(bn))
	if !slices.Equal(ag, bg) {
		t.Errorf("groups of B %v, want %v", bg, ag)
	}
	bUsers := map[string]emulator.User{}
	for _, u := range b.Users() {
		if _, dup := bUsers[u.Email]; dup {
			t.Errorf("B holds %s twice", u.Email)
		}
		bUsers[u.Email] = u
	}
	if len(bUsers) != len(a.Users()) {
		t.Errorf("B holds %d users, A %d", len(bUsers), len(a.Users()))
	}
	for _, u := range a.Users() {
		v, ok := bUsers[u.Email]
		switch {
		case !ok:
			t.Errorf("B lacks %s", u.Email)
		case v.UserName != u.UserName || v.Name != u.Name || v.Surname != u.Surname || v.DisplayName != u.DisplayName ||
			v.BypassBasicAuthRestriction != u.BypassBasicAuthRestriction || memberOf(v.GroupIDs, bn) != memberOf(u.GroupIDs, an):
			t.Errorf("%s in B: %q %q %q %q bypass %v groups %s; in A: %q %q %q %q bypass %v groups %s", u.Email,
				v.UserName, v.Name, v.Surname, v.DisplayName, v.BypassBasicAuthRestriction, memberOf(v.GroupIDs, bn),
				u.UserName, u.Name, u.Surname, u.DisplayName, u.BypassBasicAuthRestriction, memberOf(u.GroupIDs, an))
		}
	}
	bRobots := map[string]emulator.RobotAccount{}
	for _, r := range b.RobotAccounts() {
		if _, dup := bRobots[r.Name]; dup {
			t.Errorf("B holds robot account %s twice", r.Name)
		}
		bRobots[r.Name] = r
	}
	if len(bRobots) != len(a.RobotAccounts()) {
		t.Errorf("B holds %d robot accounts, A %d", len(bRobots), len(a.RobotAccounts()))
	}
	for _, r := range a.RobotAccounts() {
		v, ok := bRobots[r.Name]
		if !ok || v.DisplayName != r.DisplayName || memberOf(v.GroupIDs, bn) != memberOf(r.GroupIDs, an) {
			t.Errorf("robot account %s in B: %v %q %s; in A: %q %s", r.Name, ok, v.DisplayName, memberOf(v.GroupIDs, bn), r.DisplayName, memberOf(r.GroupIDs, an))
		}
	}
}

// emulatorRequests reads GET /_emulator/requests, as a script would.
func emulatorRequests(t *testing.T, emu *emulator.Server) emulator.RequestSummary {
	t.Helper()
	resp, err := http.Get(emu.URL() + "/_emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s emulator.RequestSummary
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("/_emulator/requests: %v", err)
	}
	return s
}

// emulatorState reads GET /_emulator/state.
func emulatorState(t *testing.T, emu *emulator.Server) emulator.StateSnapshot {
	t.Helper()
	resp, err := http.Get(emu.URL() + "/_emulator/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s emulator.StateSnapshot
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("/_emulator/state: %v", err)
	}
	return s
}

// appliedCreates counts the create requests (POST to a path ending in
// suffix) the emulator carried out, answered or not (a dropped connection
// after the create), and those it refused with a 4xx (a duplicate:
// the same account sent twice).
func appliedCreates(emu *emulator.Server, suffix string) (applied, refused int) {
	for _, r := range emu.Requests() {
		if r.Method != http.MethodPost || !strings.HasSuffix(strings.ToLower(r.Path), strings.ToLower(suffix)) {
			continue
		}
		st := r.Status
		if st == 0 {
			st = r.Unsent
		}
		switch {
		case st >= 200 && st < 300:
			applied++
		case st >= 400 && st < 500 && st != http.StatusTooManyRequests:
			refused++
		}
	}
	return applied, refused
}

// planAll plans file against emu and checks every row has status want
// (and, planned, a create), returning the rows.
func planAll(t *testing.T, emu *emulator.Server, dir, file, runID string, want report.Status, extra ...string) []report.Result {
	t.Helper()
	args := append([]string{"plan", file, "--run-id", runID, "--limits", "none", "--max-attempts", "10"}, extra...)
	res := runBatch(t, emu, dir, args...)
	if res.code != 0 {
		t.Fatalf("plan %s: exit %d\n%s", file, res.code, res.stderr)
	}
	rows := readResults(t, filepath.Join(dir, "reports", runID))
	for _, r := range rows {
		if r.Status != want || (want == report.StatusPlanned && !strings.Contains(r.ChangesString(), "create")) {
			t.Fatalf("plan %s row %d (%s): %s %q %s, want %s", file, r.Row, r.Target, r.Status, r.ErrorMessage, r.ChangesString(), want)
		}
	}
	return rows
}

// copyOrganization exports A as one manifest (groups last), plans it on B
// (every row a create), applies it, plans it again (every row unchanged)
// and checks B exports what A does; extra settings go to the apply.
func copyOrganization(t *testing.T, a, b *emulator.Server, dir string, applyArgs ...string) {
	t.Helper()
	// One manifest per kind, and one file with every kind, groups last:
	// a run creates groups first whatever their place.
	groupsA := exportKinds(t, a, dir, "a-groups.csv", "groups")
	usersA := exportKinds(t, a, dir, "a-users.csv", "users")
	robotsA := exportKinds(t, a, dir, "a-robots.csv", "robot-accounts")
	copyA := exportKinds(t, a, dir, "copy.csv", "users", "robot-accounts", "groups")
	for file, want := range map[string]map[string]int{
		"a-groups.csv": {"ensure_group": copyGroups}, "a-users.csv": {"ensure_user": copyUsers},
		"a-robots.csv": {"ensure_robot_account": copyRobots},
		"copy.csv":     {"ensure_group": copyGroups, "ensure_user": copyUsers, "ensure_robot_account": copyRobots},
	} {
		text := map[string]string{"a-groups.csv": groupsA, "a-users.csv": usersA, "a-robots.csv": robotsA, "copy.csv": copyA}[file]
		if got := opsOf(text); !maps.Equal(got, want) {
			t.Fatalf("%s holds %v rows, want %v", file, got, want)
		}
	}
	lines := strings.Split(strings.TrimSuffix(copyA, "\n"), "\n")
	for _, l := range lines[len(lines)-copyGroups:] {
		if !strings.HasPrefix(l, "ensure_group,") {
			t.Fatalf("copy.csv does not end with its groups: %q", l)
		}
	}
	for _, leak := range []string{"user_id", "robot_account_id", "password", strings.ToLower(a.Users()[0].ID), emulator.GroupFinance} {
		if strings.Contains(copyA, leak) {
			t.Fatalf("the export holds %q: it is not portable", leak)
		}
	}

	rows := planAll(t, b, dir, "copy.csv", "plan-before", report.StatusPlanned)
	byOp := map[string]int{}
	for _, r := range rows {
		byOp[r.Op]++
	}
	if want := (map[string]int{"ensure_group": copyGroups, "ensure_user": copyUsers, "ensure_robot_account": copyRobots}); !maps.Equal(byOp, want) {
		t.Fatalf("plan on B: creates by op %v, want %v", byOp, want)
	}
	if c := emulatorRequests(t, b).ByMethod; c["POST"]+c["PUT"]+c["PATCH"]+c["DELETE"] != 0 {
		t.Fatalf("plan sent writes to B: %v", c)
	}

	args := append([]string{"apply", "copy.csv", "--yes", "--run-id", "copy", "--limits", "none", "--no-progress"}, applyArgs...)
	res := runBatch(t, b, dir, args...)
	if res.code != 0 {
		t.Fatalf("apply on B: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	checkEveryRowOnce(t, filepath.Join(dir, "reports", "copy"), copyGroups+copyUsers+copyRobots, report.StatusSucceeded)

	// Each account created once: B holds each email and name once, and
	// no create was carried out twice or refused as a duplicate; the copy
	// deleted nothing.
	state := emulatorState(t, b)
	if len(state.DeletedUsers)+len(state.DeletedRobotAccounts)+len(state.DeletedGroups) != 0 {
		t.Fatalf("the copy deleted %d users, %d robot accounts, %d groups", len(state.DeletedUsers), len(state.DeletedRobotAccounts), len(state.DeletedGroups))
	}
	for _, c := range []struct {
		suffix string
		want   int
	}{{"/api/User", copyUsers}, {"/api/RobotAccount", copyRobots}, {"/api/Group", copyGroups}} {
		applied, refused := appliedCreates(b, c.suffix)
		if applied != c.want || refused != 0 {
			t.Errorf("POST %s: %d carried out, %d refused (a duplicate); want %d and 0", c.suffix, applied, refused, c.want)
		}
	}
	sameOrganization(t, a, b)

	// The same files planned on B: nothing left to do.
	planAll(t, b, dir, "copy.csv", "plan-after", report.StatusUnchanged)
	for _, f := range []string{"a-groups.csv", "a-users.csv", "a-robots.csv"} {
		planAll(t, b, dir, f, "plan-after-"+strings.TrimSuffix(f, ".csv"), report.StatusUnchanged)
	}
	// B exports what A did.
	sameExport(t, "export groups from B", exportKinds(t, b, dir, "b-groups.csv", "groups"), groupsA)
	sameExport(t, "export users from B", exportKinds(t, b, dir, "b-users.csv", "users"), usersA)
	sameExport(t, "export robot-accounts from B", exportKinds(t, b, dir, "b-robots.csv", "robot-accounts"), robotsA)
	sameExport(t, "export of every kind from B", exportKinds(t, b, dir, "b-copy.csv", "users", "robot-accounts", "groups"), copyA)
}

// TestCopyOrganization copies an organization of 2,000 users and 100 robot
// accounts, in built-in and local groups, into an empty one: export from A,
// plan on B (every group, user and robot account a create), apply, plan
// again (every row unchanged), and B exports what A does.
func TestCopyOrganization(t *testing.T) {
	t.Parallel()
	eachShape(t, testCopyOrganization)
}

func testCopyOrganization(t *testing.T, specShapes bool) {
	a := startCopySource(t, specShapes)
	b := startEmulator(t, emulator.Config{SpecShapes: specShapes})
	dir := t.TempDir()
	copyOrganization(t, a, b, dir)

	// Created one at a time, in the file's order, the copy lists its
	// accounts in A's order: its export is A's, byte for byte.
	c := startEmulator(t, emulator.Config{SpecShapes: specShapes})
	if res := runBatch(t, c, dir, "apply", "copy.csv", "--yes", "--workers", "1", "--run-id", "copy-in-order", "--limits", "none", "--no-progress"); res.code != 0 {
		t.Fatalf("apply on C: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	copyA, err := os.ReadFile(filepath.Join(dir, "copy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if copyC := exportKinds(t, c, dir, "c-copy.csv", "users", "robot-accounts", "groups"); copyC != string(copyA) {
		sameExport(t, "export of C", copyC, string(copyA))
		t.Fatalf("C, copied in the file's order, does not export A's bytes")
	}
}

// TestCopyOrganizationThroughFaults is the same copy with 10 % of B's
// answers a 503 and 2 % of its connections dropped (half of them after the
// request was carried out): every row is correct, and no account is
// created twice.
func TestCopyOrganizationThroughFaults(t *testing.T) {
	t.Parallel()
	a := startCopySource(t)
	b := startEmulator(t, emulator.Config{FaultRate: 0.10, ResetRate: 0.02, FaultStatuses: []int{503}, FaultSeed: 14})
	copyOrganization(t, a, b, t.TempDir(), "--max-attempts", "10")
	s := emulatorRequests(t, b)
	if s.ByStatus["503"] == 0 || s.Dropped == 0 {
		t.Fatalf("B injected %d 503s and dropped %d connections: the faults did not happen", s.ByStatus["503"], s.Dropped)
	}
	t.Logf("B answered %d requests: %d 503s, %d dropped", s.Total, s.ByStatus["503"], s.Dropped)
}
