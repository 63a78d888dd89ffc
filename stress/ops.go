package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/emulator"
)

// pool is the kind of account a row consumes. Every row has an account of
// its own, so that what the server holds at the end tells each row's story
// alone.
type pool int

const (
	usersPool     pool = iota // identity users user00001, …
	robotsPool                // robot j: identity robot account robot-jjj and its Orchestrator user
	newUsersPool              // users the run creates: stress-user-00001@example.com, …
	newRobotsPool             // robot accounts the run creates: stress-robot-001, …
	newGroupsPool             // local groups the run creates: Stress group 1, …
	oldGroupsPool             // local groups of the seed the run deletes: Old group 1, …
)

// op is one operation of the product as the stress test drives and judges
// it: the manifest row it writes for an account, and what the server's
// state says became of that row. Adding an operation (the lifecycle ones,
// once the product has them) is adding an op to ops.
type op struct {
	name   string
	weight int  // share of the manifest
	pool   pool // the account each row consumes
	// plan fills the row's manifest cells and what it expects.
	plan func(m *manifestPlan, r *plannedRow, rng *rand.Rand)
	// landed reports whether the server's state shows the row's change.
	landed func(v *view, r *plannedRow) bool
	// applied counts the requests that applied the row's change, for an op
	// that is not idempotent (nil otherwise): the server must have applied
	// it exactly once if it landed, never otherwise.
	applied func(v *view, r *plannedRow) int
	// generates: the row sends a generated password, which the secrets
	// output must hold (its last line for the target being the server's).
	generates bool
}

// ops is every operation of the product today.
var ops = []*op{
	{name: "update_user", weight: 15, pool: usersPool, plan: planUpdateUser, landed: updateUserLanded},
	{name: "set_password", weight: 25, pool: usersPool, plan: planSetPassword, landed: passwordIsRecorded, generates: true},
	{name: "change_password", weight: 30, pool: usersPool, plan: planChangePassword, landed: passwordChanged, applied: changesApplied},
	{name: "update_robot_account", weight: 10, pool: robotsPool, plan: planUpdateRobot, landed: robotUpdated},
	{name: "set_robot_credentials", weight: 20, pool: robotsPool, plan: planRobotCredentials, landed: robotPasswordIsRecorded, generates: true},
	// The lifecycle: accounts and groups created and deleted, groups
	// named by name, deletes in bulk requests.
	{name: "ensure_user", weight: 10, pool: newUsersPool, plan: planEnsureUser, landed: userCreated, applied: userCreates, generates: true},
	{name: "delete_user", weight: 6, pool: usersPool, plan: planDeleteUser, landed: userDeleted},
	{name: "ensure_robot_account", weight: 4, pool: newRobotsPool, plan: planEnsureRobot, landed: robotCreated},
	{name: "delete_robot_account", weight: 4, pool: robotsPool, plan: planDeleteRobot, landed: robotDeleted},
	{name: "ensure_group", weight: 2, pool: newGroupsPool, plan: planEnsureGroup, landed: groupCreated},
	{name: "delete_group", weight: 2, pool: oldGroupsPool, plan: planDeleteGroup, landed: groupDeleted},
}

// plannedRow is one manifest row and what it expects.
type plannedRow struct {
	n       int // data row number, as the report counts rows
	op      *op
	account int               // user i or robot j
	cells   map[string]string // manifest column → cell
	target  string            // the row's target as reports write it ("username=user00001")
	// refused rows are meant to be refused by the server (a wrong old
	// password): they must fail with wantCode and change nothing.
	refused  bool
	wantCode string
	// Expected values on the server once the row landed.
	displayName, password, robotUser string
	secrets                          []string // passwords this row puts in the manifest
}

// manifestPlan is the manifest of one stress run.
type manifestPlan struct {
	seed    uint64
	rows    []*plannedRow
	userIDs []string // user i's id at index i-1
	byOp    map[string]int
}

// columns of the manifest, in order.
var columns = []string{"op", "user_id", "email", "username", "robot_name", "orchestrator_user_id", "group_name",
	"name", "surname", "display_name", "group_ids_to_add", "groups_to_add", "robot_username", "old_password", "new_password", "initial_password"}

// planManifest draws n rows from ops by weight, each on an account of its
// own, deterministically from seed.
func planManifest(seed uint64, n int) *manifestPlan {
	rng := rand.New(rand.NewPCG(seed, 0x57e55))
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	m := &manifestPlan{seed: seed, byOp: map[string]int{}}
	next := map[pool]int{}
	for i := 1; i <= n; i++ {
		pick := rng.IntN(total)
		var o *op
		for _, cand := range ops {
			if pick < cand.weight {
				o = cand
				break
			}
			pick -= cand.weight
		}
		next[o.pool]++
		r := &plannedRow{n: i, op: o, account: next[o.pool], cells: map[string]string{"op": o.name}}
		m.rows = append(m.rows, r)
		m.byOp[o.name]++
	}
	return m
}

// accounts returns how many users and robots of the organization the
// manifest consumes.
func (m *manifestPlan) accounts() (users, robots int) {
	return m.consumes(usersPool), m.consumes(robotsPool)
}

// consumes returns how many accounts (or groups) of pool the manifest
// consumes.
func (m *manifestPlan) consumes(p pool) int {
	n := 0
	for _, r := range m.rows {
		if r.op.pool == p {
			n = max(n, r.account)
		}
	}
	return n
}

// fill plans every row against the emulator's users (ids are known only
// once it is seeded).
func (m *manifestPlan) fill(userIDs []string) {
	m.userIDs = userIDs
	rng := rand.New(rand.NewPCG(m.seed, 0xf111))
	for _, r := range m.rows {
		r.op.plan(m, r, rng)
	}
}

// csv is the manifest as CSV. No cell holds a comma or a quote.
func (m *manifestPlan) csv() string {
	var b strings.Builder
	b.WriteString(strings.Join(columns, ",") + "\n")
	for _, r := range m.rows {
		cells := make([]string, len(columns))
		for i, c := range columns {
			cells[i] = r.cells[c]
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}

func userName(i int) string  { return fmt.Sprintf("user%05d", i) }
func robotName(j int) string { return fmt.Sprintf("robot-%03d", j) }

// The accounts and groups the lifecycle rows create, and the seed's groups
// they delete.
func newUserEmail(k int) string { return fmt.Sprintf("stress-user-%05d@example.com", k) }
func newRobotName(k int) string { return fmt.Sprintf("stress-robot-%03d", k) }
func newGroupName(k int) string { return fmt.Sprintf("Stress group %d", k) }
func oldGroupName(k int) string { return fmt.Sprintf("Old group %d", k) }

// userTarget names user i by id, email or user name, at random.
func (m *manifestPlan) userTarget(r *plannedRow, rng *rand.Rand) {
	switch rng.IntN(3) {
	case 0:
		id := m.userIDs[r.account-1]
		r.cells["user_id"], r.target = id, "user_id="+id
	case 1:
		email := userName(r.account) + "@example.com"
		r.cells["email"], r.target = email, "email="+email
	default:
		r.cells["username"], r.target = userName(r.account), "username="+userName(r.account)
	}
}

func planUpdateUser(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	m.userTarget(r, rng)
	r.displayName = fmt.Sprintf("Stress %d row %d", m.seed%100000, r.n)
	r.cells["display_name"] = r.displayName
	r.cells["group_ids_to_add"] = emulator.GroupFinance
}

func planSetPassword(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	m.userTarget(r, rng)
	r.cells["new_password"] = "generate"
	r.secrets = []string{emulator.InitialPassword(r.account)}
}

// refuseOneIn is how often a change-password row carries a wrong old
// password, so that the run also holds rows the server must refuse.
const refuseOneIn = 25

func planChangePassword(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	m.userTarget(r, rng)
	old := emulator.InitialPassword(r.account)
	r.password = fmt.Sprintf("Stress-%d-Pass-%05d!", m.seed%100000, r.account)
	if rng.IntN(refuseOneIn) == 0 {
		r.refused, r.wantCode = true, "wrong_password"
		old = fmt.Sprintf("Wrong-Pass-%05d!", r.account)
	}
	r.cells["old_password"], r.cells["new_password"] = old, r.password
	r.secrets = []string{old, r.password, emulator.InitialPassword(r.account)}
}

func planUpdateRobot(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	r.cells["robot_name"], r.target = robotName(r.account), "robot_name="+robotName(r.account)
	r.displayName = fmt.Sprintf("Stress robot %d row %d", m.seed%100000, r.n)
	r.cells["display_name"] = r.displayName
	r.cells["group_ids_to_add"] = emulator.GroupFinance
}

func planRobotCredentials(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	if rng.IntN(2) == 0 {
		key := strconv.Itoa(1000 + r.account) // the emulator's Orchestrator key of robot j
		r.cells["orchestrator_user_id"], r.target = key, "orchestrator_user_id="+key
	} else {
		r.cells["username"], r.target = robotName(r.account), "username="+robotName(r.account)
	}
	if rng.IntN(2) == 0 {
		r.robotUser = fmt.Sprintf(`CORP\stress-%03d`, r.account)
		r.cells["robot_username"] = r.robotUser
	}
	r.cells["new_password"] = "generate"
	r.secrets = []string{emulator.InitialRobotPassword(r.account)}
}

func updateUserLanded(v *view, r *plannedRow) bool {
	u := v.users[userName(r.account)]
	return u.DisplayName == r.displayName && slices.Contains(u.GroupIDs, emulator.GroupFinance)
}

// passwordIsRecorded: the user's password is the last one the secrets
// output holds for the row's target.
func passwordIsRecorded(v *view, r *plannedRow) bool {
	last, ok := v.lastSecret[r.target]
	return ok && v.emu.PasswordOf(v.users[userName(r.account)].ID) == last
}

func passwordChanged(v *view, r *plannedRow) bool {
	return v.emu.PasswordOf(v.users[userName(r.account)].ID) == r.password
}

func changesApplied(v *view, r *plannedRow) int {
	return v.changesApplied[v.users[userName(r.account)].ID]
}

func robotUpdated(v *view, r *plannedRow) bool {
	ra := v.robots[robotName(r.account)]
	return ra.DisplayName == r.displayName && slices.Contains(ra.GroupIDs, emulator.GroupFinance)
}

// robotPasswordIsRecorded: Orchestrator holds the last password the
// secrets output holds for the row's target (and the robot user name the
// row asked for).
func robotPasswordIsRecorded(v *view, r *plannedRow) bool {
	o := v.orch[robotName(r.account)]
	last, ok := v.lastSecret[r.target]
	if !ok || v.emu.RobotPasswordOf(o.ID) != last || o.UnattendedRobot == nil {
		return false
	}
	return r.robotUser == "" || o.UnattendedRobot.UserName == r.robotUser
}

// planEnsureUser creates a user with a generated initial password, in
// Finance by name.
func planEnsureUser(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	email := newUserEmail(r.account)
	r.cells["email"], r.target = email, "email="+email
	r.cells["username"] = strings.TrimSuffix(email, "@example.com")
	r.cells["name"], r.cells["surname"] = "Stress", fmt.Sprintf("Person %d", r.account)
	r.displayName = fmt.Sprintf("Stress new %d row %d", m.seed%100000, r.n)
	r.cells["display_name"] = r.displayName
	r.cells["groups_to_add"] = "Finance"
	r.cells["initial_password"] = "generate"
}

func planDeleteUser(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	m.userTarget(r, rng)
}

// planEnsureRobot creates a robot account in Finance by name.
func planEnsureRobot(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	r.cells["robot_name"], r.target = newRobotName(r.account), "robot_name="+newRobotName(r.account)
	r.displayName = fmt.Sprintf("Stress new robot %d row %d", m.seed%100000, r.n)
	r.cells["display_name"] = r.displayName
	r.cells["groups_to_add"] = "Finance"
}

func planDeleteRobot(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	r.cells["robot_name"], r.target = robotName(r.account), "robot_name="+robotName(r.account)
}

func planEnsureGroup(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	r.cells["group_name"], r.target = newGroupName(r.account), "group_name="+newGroupName(r.account)
}

func planDeleteGroup(m *manifestPlan, r *plannedRow, rng *rand.Rand) {
	r.cells["group_name"], r.target = oldGroupName(r.account), "group_name="+oldGroupName(r.account)
}

// userCreated: the user exists once, as the row asked, with the last
// password the secrets output holds for it.
func userCreated(v *view, r *plannedRow) bool {
	u, ok := v.usersByEmail[newUserEmail(r.account)]
	last, recorded := v.lastSecret[r.target]
	return ok && v.emailCount[u.Email] == 1 && u.DisplayName == r.displayName && slices.Contains(u.GroupIDs, emulator.GroupFinance) &&
		recorded && v.emu.PasswordOf(u.ID) == last
}

// userCreates counts the creates of the row's user the server carried
// out: one, since its email is taken after the first (a second would be
// refused, and is counted in verify).
func userCreates(v *view, r *plannedRow) int {
	return v.emailCount[newUserEmail(r.account)]
}

// userDeleted: the user is gone from the lists and deleted once.
func userDeleted(v *view, r *plannedRow) bool {
	_, live := v.users[userName(r.account)]
	return !live && v.deletedUsers[userName(r.account)] == 1
}

func robotCreated(v *view, r *plannedRow) bool {
	ra, ok := v.robots[newRobotName(r.account)]
	return ok && ra.DisplayName == r.displayName && slices.Contains(ra.GroupIDs, emulator.GroupFinance)
}

func robotDeleted(v *view, r *plannedRow) bool {
	_, live := v.robots[robotName(r.account)]
	return !live && v.deletedRobots[robotName(r.account)] == 1
}

func groupCreated(v *view, r *plannedRow) bool {
	return v.groupCount[newGroupName(r.account)] == 1
}

func groupDeleted(v *view, r *plannedRow) bool {
	return v.groupCount[oldGroupName(r.account)] == 0 && v.deletedGroups[oldGroupName(r.account)] == 1
}
