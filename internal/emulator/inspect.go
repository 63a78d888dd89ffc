package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
)

// User returns a copy of the identity user with id.
func (s *Server) User(id string) (User, bool) {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	u := s.state.users[strings.ToLower(id)]
	if u == nil {
		return User{}, false
	}
	return u.User.clone(), true
}

// Users returns copies of every identity user, in the listing order.
func (s *Server) Users() []User {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return cloneAll(s.state.userOrder, s.state.users, func(u *user) User { return u.User.clone() })
}

// RobotAccounts returns copies of every robot account, in the listing order.
func (s *Server) RobotAccounts() []RobotAccount {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return cloneAll(s.state.robotOrder, s.state.robots, (*RobotAccount).clone)
}

// OrchestratorUsers returns copies of every Orchestrator user.
func (s *Server) OrchestratorUsers() []OrchestratorUser {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return cloneAll(s.state.orchOrder, s.state.orch, (*OrchestratorUser).clone)
}

// Folders returns copies of Orchestrator's folders, in id order.
func (s *Server) Folders() []Folder {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return cloneAll(s.state.folderOrder, s.state.folders, func(f *Folder) Folder { return *f })
}

// FolderByPath returns the folder whose FullyQualifiedName is path
// ("Shared/Finance", case-insensitively).
func (s *Server) FolderByPath(path string) (Folder, bool) {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	if f := s.state.folderByPath(path); f != nil {
		return *f, true
	}
	return Folder{}, false
}

// Roles returns Orchestrator's roles, built-in and custom, in id order.
func (s *Server) Roles() []Role {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return slices.Clone(s.state.roles)
}

// RoleNamed returns the role called name (case-insensitively).
func (s *Server) RoleNamed(name string) (Role, bool) {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	if r := s.state.roleNamed(name); r != nil {
		return *r, true
	}
	return Role{}, false
}

// FolderAssignment is one account's own assignment in a folder (not what
// it inherits from the folder's ancestors): the folder, the Orchestrator
// user, and the names of the roles it holds there (none: assigned without
// roles), in role id order.
type FolderAssignment struct {
	FolderID   int64    `json:"folderId"`
	FolderPath string   `json:"folderPath"`
	UserID     int64    `json:"userId"`
	UserName   string   `json:"userName"`
	UserType   string   `json:"userType"`
	Roles      []string `json:"roles"`
}

// FolderAssignments returns every folder assignment, by folder path, then
// user name.
func (s *Server) FolderAssignments() []FolderAssignment {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return s.state.assignments()
}

// assignments lists every folder assignment (FolderAssignments). The
// caller holds the store's lock.
func (st *store) assignments() []FolderAssignment {
	out := []FolderAssignment{}
	for folder, users := range st.access {
		f := st.folders[folder]
		for uid, roleIDs := range users {
			o := st.orch[uid]
			a := FolderAssignment{FolderID: folder, FolderPath: f.FullyQualifiedName, UserID: uid, UserName: o.UserName, UserType: o.Type, Roles: []string{}}
			for _, rid := range roleIDs {
				if r := st.role(rid); r != nil {
					a.Roles = append(a.Roles, r.Name)
				}
			}
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b FolderAssignment) int {
		if c := strings.Compare(a.FolderPath, b.FolderPath); c != 0 {
			return c
		}
		return strings.Compare(a.UserName, b.UserName)
	})
	return out
}

// Groups returns the organization's groups.
func (s *Server) Groups() []Group {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return append([]Group(nil), s.state.groups...)
}

// PasswordOf returns a user's current password ("" for an unknown user).
func (s *Server) PasswordOf(userID string) string {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	if u := s.state.users[strings.ToLower(userID)]; u != nil {
		return u.password
	}
	return ""
}

// RobotPasswordOf returns the unattended robot password Orchestrator stores
// for the user with this key ("" when none).
func (s *Server) RobotPasswordOf(key int64) string {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return s.state.orchPass[key]
}

// Requests returns the kept request records, oldest first.
func (s *Server) Requests() []Request { return s.log.requests() }

// Counts returns how many API requests arrived, by HTTP method.
func (s *Server) Counts() map[string]int { return s.log.summary().ByMethod }

// TokenRequests returns how many token requests arrived.
func (s *Server) TokenRequests() int { return s.log.summary().TokenRequests }

// Throttled returns how many 429s were sent.
func (s *Server) Throttled() int { return s.log.summary().Throttled }

// RequestSummary returns the counters that GET /_emulator/requests serves.
func (s *Server) RequestSummary() RequestSummary { return s.log.summary() }

// CountFor returns how many API requests of method arrived for path. path
// is either a concrete path ("/api/User/<id>/changepassword", with or
// without the base in front) or a template ("/api/User/{userId}").
func (s *Server) CountFor(method, path string) int {
	method = strings.ToUpper(method)
	for _, marker := range []string{"/api/", "/odata/"} {
		if i := strings.Index(strings.ToLower(path), marker); i > 0 {
			path = path[i:]
			break
		}
	}
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	if strings.Contains(path, "{") {
		return s.log.byTemplate[method+" "+path]
	}
	return s.log.byPath[methodPath{method, path}]
}

// StateSnapshot is what GET /_emulator/state answers and --state-out
// writes: passwords only as hex SHA-256. Groups are the organization's
// groups, built-in and local; the Deleted lists hold what was deleted
// through the API, each once, with when; Meddled what the second
// administrator changed (Server.Meddled).
type StateSnapshot struct {
	Users                []StateUser             `json:"users"`
	RobotAccounts        []RobotAccount          `json:"robotAccounts"`
	OrchestratorUsers    []StateOrchestratorUser `json:"orchestratorUsers"`
	Groups               []Group                 `json:"groups"`
	DeletedUsers         []DeletedUser           `json:"deletedUsers,omitempty"`
	DeletedRobotAccounts []DeletedRobotAccount   `json:"deletedRobotAccounts,omitempty"`
	DeletedGroups        []DeletedGroup          `json:"deletedGroups,omitempty"`
	Meddled              []Meddle                `json:"meddled,omitempty"`
	// Folders, Roles (built-in and custom) and FolderAssignments are
	// Orchestrator's access.
	Folders           []Folder           `json:"folders"`
	Roles             []Role             `json:"roles"`
	FolderAssignments []FolderAssignment `json:"folderAssignments"`
	// Assets are Orchestrator's assets, with their values' user names,
	// never a password.
	Assets []Asset `json:"assets,omitempty"`
}

// StateUser is a user with the hash of its password.
type StateUser struct {
	User
	PasswordSHA256 string `json:"passwordSha256"`
}

// StateOrchestratorUser is an Orchestrator user with the hash of its
// unattended robot's password ("" when it has none).
type StateOrchestratorUser struct {
	OrchestratorUser
	UnattendedPasswordSHA256 string `json:"unattendedPasswordSha256,omitempty"`
}

// PasswordSHA256 is how the state snapshot shows a password.
func PasswordSHA256(p string) string {
	if p == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

// Snapshot copies the whole state, passwords hashed.
func (s *Server) Snapshot() StateSnapshot {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	snap := StateSnapshot{Groups: append([]Group(nil), st.groups...), DeletedGroups: slices.Clone(st.deletedGroups),
		Meddled: slices.Clone(s.meddler.done), Roles: slices.Clone(st.roles), FolderAssignments: st.assignments(),
		Folders: cloneAll(st.folderOrder, st.folders, func(f *Folder) Folder { return *f }), Assets: st.assetCopies()}
	for _, d := range st.deletedUsers {
		snap.DeletedUsers = append(snap.DeletedUsers, DeletedUser{User: d.User.clone(), DeletionTime: d.DeletionTime})
	}
	for _, d := range st.deletedRobots {
		snap.DeletedRobotAccounts = append(snap.DeletedRobotAccounts, DeletedRobotAccount{RobotAccount: d.RobotAccount.clone(), DeletionTime: d.DeletionTime})
	}
	for _, id := range st.userOrder {
		u := st.users[id]
		snap.Users = append(snap.Users, StateUser{User: u.User.clone(), PasswordSHA256: PasswordSHA256(u.password)})
	}
	for _, id := range st.robotOrder {
		snap.RobotAccounts = append(snap.RobotAccounts, st.robots[id].clone())
	}
	for _, key := range st.orchOrder {
		snap.OrchestratorUsers = append(snap.OrchestratorUsers, StateOrchestratorUser{
			OrchestratorUser: st.orch[key].clone(), UnattendedPasswordSHA256: PasswordSHA256(st.orchPass[key]),
		})
	}
	return snap
}

// WriteState writes the state snapshot as JSON to path, mode 0600.
func (s *Server) WriteState(path string) error {
	data, err := json.MarshalIndent(s.Snapshot(), "", "  ")
	if err != nil {
		return fmt.Errorf("encode emulator state: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write emulator state: %w", err)
	}
	return os.Chmod(path, 0o600)
}

// serveDebug serves the read-only GET /_emulator/state and
// GET /_emulator/requests.
func (s *Server) serveDebug(c *call) {
	var v any
	switch strings.TrimSuffix(c.r.URL.Path, "/") {
	case "/_emulator/state":
		v = s.Snapshot()
	case "/_emulator/requests":
		v = s.log.summary()
	default:
		c.empty(http.StatusNotFound)
		return
	}
	if c.r.Method != http.MethodGet {
		c.w.Header().Set("Allow", http.MethodGet)
		c.empty(http.StatusMethodNotAllowed)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		c.empty(http.StatusInternalServerError)
		return
	}
	c.json(http.StatusOK, body)
}
