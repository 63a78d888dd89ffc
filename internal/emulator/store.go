package emulator

import (
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// store is the organization's state. One RWMutex guards it all: critical
// sections are a map lookup and a few field writes, far shorter than the
// HTTP work around them.
type store struct {
	mu sync.RWMutex

	groups     []Group
	groupTimes map[string]*groupTimes
	users      map[string]*user
	userOrder  []string
	robots     map[string]*RobotAccount
	robotOrder []string

	// Id-ordered indexes of the user and robot-account lists, for
	// sortBy=Id.
	userIDs, robotIDs sortedIDs

	// Indexes of live accounts by lower-case userName, email and robot
	// name, for the duplicate checks of a create.
	userByName  map[string]string
	userByEmail map[string]string
	robotByName map[string]string
	lastLegacy  int64

	// Deleted accounts and groups, kept for the state snapshot only.
	deletedUsers  []DeletedUser
	deletedRobots []DeletedRobotAccount
	deletedGroups []DeletedGroup
	orch          map[int64]*OrchestratorUser
	orchPass      map[int64]string
	orchOrder     []int64
	// lastOrch is the highest Orchestrator user id; users Orchestrator
	// makes for directory entities take the next one, from orchBase on.
	lastOrch, orchBase int64

	// Orchestrator's credential stores, by id, in id order.
	credStores []CredentialStore

	// Orchestrator's folders by id, in id order, and the last id given.
	folders     map[int64]*Folder
	folderOrder []int64
	lastFolder  int64
	// Orchestrator's roles, built-in and custom, in id order.
	roles    []Role
	lastRole int64
	// access holds who is assigned in each folder, by folder id, then
	// Orchestrator user id: the ids of the roles each holds there (none
	// is an assignment without roles).
	access map[int64]map[int64][]int64

	// Orchestrator's assets by id, in id order, the last asset id and
	// value id given, and the machines per-user values name, by id.
	assets         map[int64]*Asset
	assetOrder     []int64
	lastAsset      int64
	lastAssetValue int64
	machines       map[int64]string
	lastMachine    int64

	// audit holds the audit logs (audit.go).
	audit auditLogs
}

func newStore() *store {
	s := &store{
		groupTimes:  map[string]*groupTimes{},
		users:       map[string]*user{},
		robots:      map[string]*RobotAccount{},
		userByName:  map[string]string{},
		userByEmail: map[string]string{},
		robotByName: map[string]string{},
		orch:        map[int64]*OrchestratorUser{},
		orchPass:    map[int64]string{},
		credStores:  []CredentialStore{orchestratorDatabase},
		folders:     map[int64]*Folder{},
		access:      map[int64]map[int64][]int64{},
		assets:      map[int64]*Asset{},
		machines:    map[int64]string{},
	}
	for _, g := range builtInGroupList() {
		s.addGroup(g, seedEpoch)
	}
	return s
}

// seedOrchestrator sets where the organization's ids generated from seed
// start (folders, roles, Orchestrator users made for directory entities)
// and adds the built-in roles.
func (s *store) seedOrchestrator(seed int64) {
	s.lastFolder = folderIDBase(seed)
	s.lastRole = roleIDBase(seed)
	s.orchBase = orchestratorUserBase(seed)
	s.lastAsset = assetIDBase(seed)
	s.lastAssetValue = assetValueIDBase(seed)
	for _, r := range builtInRoles {
		s.addRole(r)
	}
}

// orchestratorUserBase is where the ids of the Orchestrator users made for
// directory entities start, for an organization generated from seed.
func orchestratorUserBase(seed int64) int64 { return 20_000 + 1000*seedSlot(seed) }

// addOrchestratorUser appends an Orchestrator user, with the password of
// its unattended robot ("" for none).
func (s *store) addOrchestratorUser(o *OrchestratorUser, password string) {
	s.orch[o.ID] = o
	s.orchOrder = append(s.orchOrder, o.ID)
	if password != "" {
		s.orchPass[o.ID] = password
	}
	s.lastOrch = max(s.lastOrch, o.ID)
}

// hasGroup reports whether the organization has a group with id (lower
// case).
func (s *store) hasGroup(id string) bool { return s.groupTimes[id] != nil }

// groupTimes are a group's creation and last modification times (zero
// until it is first changed).
type groupTimes struct{ created, modified time.Time }

// addGroup appends a group created at created.
func (s *store) addGroup(g Group, created time.Time) {
	s.groups = append(s.groups, g)
	s.groupTimes[g.ID] = &groupTimes{created: created}
}

// addUser appends a live user and indexes it; the first of two users with
// the same userName or email keeps the index.
func (s *store) addUser(u *user) {
	s.users[u.ID] = u
	s.userOrder = append(s.userOrder, u.ID)
	s.userIDs.add(u.ID)
	if k := strings.ToLower(u.UserName); k != "" && s.userByName[k] == "" {
		s.userByName[k] = u.ID
	}
	if k := strings.ToLower(u.Email); k != "" && s.userByEmail[k] == "" {
		s.userByEmail[k] = u.ID
	}
	s.lastLegacy = max(s.lastLegacy, u.LegacyID)
}

// addRobot appends a robot account and indexes it by name.
func (s *store) addRobot(r *RobotAccount) {
	s.robots[r.ID] = r
	s.robotOrder = append(s.robotOrder, r.ID)
	s.robotIDs.add(r.ID)
	if k := strings.ToLower(r.Name); s.robotByName[k] == "" {
		s.robotByName[k] = r.ID
	}
}

// nextModification returns a modification time strictly after prev, so that
// clients can tell whether a change they are unsure about happened.
func nextModification(prev time.Time) time.Time {
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !now.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return now
}

// wireTime is the .NET round-trip format the services answer with.
const wireTime = "2006-01-02T15:04:05.0000000Z"

func formatWireTime(t time.Time) string { return t.UTC().Format(wireTime) }

// nullable is a value the definitions mark nullable: empty answers null.
type nullable string

// MarshalJSON writes null for the empty value.
func (n nullable) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(n))
}

// nullableTime is t in the wire format, or null for the zero time.
func nullableTime(t time.Time) nullable {
	if t.IsZero() {
		return ""
	}
	return nullable(formatWireTime(t))
}
