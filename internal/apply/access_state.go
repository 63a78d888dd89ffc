package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/suggest"
	"github.com/uipath-batch/batch/internal/worker"
)

// Folder is an Orchestrator folder: its id and its path (Finance/AP).
// Folder ids differ between organizations; rows name folders by path.
type Folder struct {
	ID   int64
	Path string
}

// Role is an Orchestrator role, given for the whole tenant (Tenant), in
// folders (Folder), or either.
type Role struct {
	ID             int64
	Name           string
	Tenant, Folder bool
}

// FolderMember is an account's or group's access in one folder: the
// roles assigned there, and those it holds there through an ancestor.
type FolderMember struct {
	UserID              int64
	Assigned, Inherited []string
}

// OrchestratorAccount is an Orchestrator user as access rows name it:
// a user (by user name or email), a robot account, or a group.
type OrchestratorAccount struct {
	ID              int64
	UserName, Email string
	// Class is accountUser, accountRobot or accountGroup ("" for types
	// no access row names).
	Class       string
	TenantRoles []string
}

// The classes of account access rows name.
const (
	accountUser  = "user"
	accountRobot = "robot"
	accountGroup = "group"
)

// AccessReader reads what the access ops need: folders, roles, who holds
// which roles in a folder, and the Orchestrator users.
type AccessReader interface {
	Folders(ctx context.Context) ([]Folder, error)
	Roles(ctx context.Context) ([]Role, error)
	FolderMembers(ctx context.Context, folderID int64) ([]FolderMember, error)
	EachOrchestratorAccount(ctx context.Context, fn func(OrchestratorAccount) error) error
}

// DirectoryAccount is an Identity account or group that Orchestrator does
// not list yet, as a folder assignment names it.
type DirectoryAccount struct {
	Class, IdentityID, Name string
}

// AccessWriter makes the access ops' changes. Assignments replace: the
// roles given in a folder (or the tenant) are all the account holds there.
type AccessWriter interface {
	AccessReader
	CreateFolder(ctx context.Context, name string, parentID *int64, before BeforeSend) (Folder, error)
	// AssignFolderRoles makes roleIDs the roles of each user in the
	// folder, in one request.
	AssignFolderRoles(ctx context.Context, userIDs []int64, folderID int64, roleIDs []int64, before BeforeSend) error
	// AssignDirectoryAccount gives d roles in a folder (folderID 0: in
	// none), which makes its Orchestrator user.
	AssignDirectoryAccount(ctx context.Context, d DirectoryAccount, folderID int64, roleIDs []int64, before BeforeSend) error
	RemoveFromFolder(ctx context.Context, folderID, userID int64, before BeforeSend) error
	// CreateOrchestratorUser makes d's Orchestrator user with tenantRoles
	// and, when not nil, an unattended robot of robot's settings. It is not
	// idempotent: after a lost answer, find the user by name.
	CreateOrchestratorUser(ctx context.Context, d DirectoryAccount, tenantRoles []string, robot *UnattendedUpdate, before BeforeSend) (OrchestratorAccount, error)
	SetTenantRoles(ctx context.Context, userID int64, roleIDs []int64, before BeforeSend) error
	UpdateUnattended(ctx context.Context, o OrchestratorUser, u UnattendedUpdate, before BeforeSend) error
}

// UnattendedUpdate is a change of an unattended robot's settings; nil
// fields are left as they are. It never carries a password.
type UnattendedUpdate struct {
	UserName, CredentialType *string
	ExecutionSettings        json.RawMessage
	LimitConcurrentExecution *bool
}

// accessDir is what the access rows of a run read once and share: the
// folders by path, the roles by name, the Orchestrator accounts, and each
// folder's members, read when a row first needs them.
type accessDir struct {
	reader AccessReader
	// index returns the Orchestrator users when the run read them whole.
	index  func() ([]*OrchestratorUser, bool)
	mu     sync.Mutex
	loaded bool
	// folders by lower-case path; planned: paths a plan would create.
	folders map[string]Folder
	planned map[string]bool
	roles   map[string]Role
	// accounts by class and lower-case name (a user also by email).
	accounts map[string]OrchestratorAccount
	members  map[int64]*folderMembers
	// plannedAccounts: accounts and groups a plan would create, by key;
	// made: those whose Orchestrator user a folder assignment of this run
	// made, its id not read yet.
	plannedAccounts, made map[string]bool
	// accountLocks serialize the rows that may make one account's
	// Orchestrator user.
	accountLocks map[string]*sync.Mutex
	// folderLock serializes folder creates.
	folderLock sync.Mutex
}

// folderMembers is one folder's members, read once.
type folderMembers struct {
	once sync.Once
	err  error
	byID map[int64]FolderMember
}

func newAccessDir(r Reader, rs *Resolver) *accessDir {
	ar, _ := r.(AccessReader)
	var index func() ([]*OrchestratorUser, bool)
	if rs != nil {
		index = rs.orchestratorIndex
	}
	return &accessDir{reader: ar, index: index, planned: map[string]bool{}, plannedAccounts: map[string]bool{}, made: map[string]bool{}, members: map[int64]*folderMembers{}, accountLocks: map[string]*sync.Mutex{}}
}

// load reads the folders, roles and Orchestrator accounts once (again
// after a failure).
func (d *accessDir) load(ctx context.Context) error {
	if d.reader == nil {
		return failf(report.CodeValidation, "this run cannot read Orchestrator access")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.loaded {
		return nil
	}
	folders, err := d.reader.Folders(ctx)
	if err != nil {
		return fmt.Errorf("read the folders: %w", err)
	}
	roles, err := d.reader.Roles(ctx)
	if err != nil {
		return fmt.Errorf("read the roles: %w", err)
	}
	accounts := map[string]OrchestratorAccount{}
	each := d.reader.EachOrchestratorAccount
	if d.index != nil {
		if users, ok := d.index(); ok { // read whole already: not twice
			each = func(_ context.Context, fn func(OrchestratorAccount) error) error {
				for _, o := range users {
					if o.read != nil {
						if err := fn(accountOf(*o.read)); err != nil {
							return err
						}
					}
				}
				return nil
			}
		}
	}
	err = each(ctx, func(a OrchestratorAccount) error {
		if a.Class == "" {
			return nil
		}
		accounts[accountKey(a.Class, a.UserName)] = a
		if a.Email != "" && a.Class == accountUser {
			accounts[accountKey("email", a.Email)] = a
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the Orchestrator users: %w", err)
	}
	d.folders = make(map[string]Folder, len(folders))
	for _, f := range folders {
		d.folders[strings.ToLower(f.Path)] = f
	}
	d.roles = make(map[string]Role, len(roles))
	for _, r := range roles {
		d.roles[strings.ToLower(r.Name)] = r
	}
	d.accounts, d.loaded = accounts, true
	return nil
}

func accountKey(class, name string) string { return class + ":" + strings.ToLower(name) }

// folder finds a folder by path; planned reports one a plan would create.
func (d *accessDir) folder(path string) (f Folder, found, planned bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, found = d.folders[strings.ToLower(path)]
	if !found {
		for p := range d.planned {
			if strings.EqualFold(p, path) {
				return f, false, true
			}
		}
	}
	return f, found, false
}

// unknownFolder fails a row naming a folder the tenant does not have.
func (d *accessDir) unknownFolder(path string) error {
	d.mu.Lock()
	paths := make([]string, 0, len(d.folders)+len(d.planned))
	for _, f := range d.folders {
		paths = append(paths, f.Path)
	}
	for p := range d.planned {
		paths = append(paths, p)
	}
	d.mu.Unlock()
	slices.Sort(paths)
	return failf(report.CodeNotFound, "folder %q: no such folder in the tenant%s (ensure_folder creates one)", path, nearest(path, paths))
}

// nearest is ", did you mean X?" for the name nearest to name, or "".
func nearest(name string, names []string) string {
	if n := suggest.Nearest(name, names); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	return ""
}

// roleIDs resolves role names for a folder (folder) or the tenant: an
// unknown role, or one that cannot be given there, fails the row.
func (d *accessDir) roleIDs(names []string, folder bool) ([]int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ids := make([]int64, 0, len(names))
	for _, n := range names {
		r, ok := d.roles[strings.ToLower(n)]
		switch {
		case !ok:
			all := make([]string, 0, len(d.roles))
			for _, r := range d.roles {
				all = append(all, r.Name)
			}
			slices.Sort(all)
			return nil, failf(report.CodeNotFound, "role %q: no such role in the tenant%s", n, nearest(n, all))
		case folder && !r.Folder:
			return nil, failf(report.CodeValidation, "role %q is a tenant role: it cannot be given in a folder (set_tenant_roles gives it)", r.Name)
		case !folder && !r.Tenant:
			return nil, failf(report.CodeValidation, "role %q is a folder role: it cannot be given for the tenant (set_folder_access gives it in a folder)", r.Name)
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// roleName is the role's name as the tenant spells it.
func (d *accessDir) roleName(name string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.roles[strings.ToLower(name)]; ok {
		return r.Name
	}
	return name
}

// account finds the Orchestrator user a row's target names.
func (d *accessDir) account(t manifest.Target) (OrchestratorAccount, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, key := range targetKeys(t) {
		if a, ok := d.accounts[key]; ok {
			return a, true
		}
	}
	return OrchestratorAccount{}, false
}

// targetKeys are the account keys a target may be found under.
func targetKeys(t manifest.Target) []string {
	switch t.Kind {
	case manifest.TargetEmail:
		return []string{accountKey("email", t.Value), accountKey(accountUser, t.Value)}
	case manifest.TargetUsername:
		return []string{accountKey(accountUser, t.Value)}
	case manifest.TargetRobotName:
		return []string{accountKey(accountRobot, t.Value)}
	case manifest.TargetGroupName:
		return []string{accountKey(accountGroup, t.Value)}
	}
	return nil
}

// plannedAccount records the account or group a plan's ensure_* row
// would create.
func (d *accessDir) plannedAccount(job *manifest.Job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch job.Op {
	case manifest.OpEnsureUser:
		d.plannedAccounts[accountKey("email", job.Target.Value)] = true
		if job.UserName != nil {
			d.plannedAccounts[accountKey(accountUser, *job.UserName)] = true
		}
	case manifest.OpEnsureRobotAccount:
		d.plannedAccounts[accountKey(accountRobot, job.Target.Value)] = true
	case manifest.OpEnsureGroup:
		d.plannedAccounts[accountKey(accountGroup, job.Target.Value)] = true
	}
}

// isPlanned reports whether a plan would create the target's account.
func (d *accessDir) isPlanned(t manifest.Target) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, key := range targetKeys(t) {
		if d.plannedAccounts[key] {
			return true
		}
	}
	return false
}

// madeDirectory records that a folder assignment made the target's
// Orchestrator user.
func (d *accessDir) madeDirectory(t manifest.Target) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.made[targetKeys(t)[0]] = true
}

// wasMade reports whether this run's folder access made the target's
// Orchestrator user.
func (d *accessDir) wasMade(t manifest.Target) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.made[targetKeys(t)[0]]
}

// remember records an account's Orchestrator user, once made.
func (d *accessDir) remember(t manifest.Target, a OrchestratorAccount) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, key := range targetKeys(t)[:1] {
		d.accounts[key] = a
	}
	d.accounts[accountKey(a.Class, a.UserName)] = a
}

// lockAccount serializes the rows of one account that may make its
// Orchestrator user; the caller unlocks.
func (d *accessDir) lockAccount(t manifest.Target) *sync.Mutex {
	d.mu.Lock()
	key := targetKeys(t)[0]
	m := d.accountLocks[key]
	if m == nil {
		m = &sync.Mutex{}
		d.accountLocks[key] = m
	}
	d.mu.Unlock()
	m.Lock()
	return m
}

// member is the account's access in the folder, read with the folder's
// members the first time a row needs them.
func (d *accessDir) member(ctx context.Context, folderID, userID int64) (FolderMember, error) {
	d.mu.Lock()
	fm := d.members[folderID]
	if fm == nil {
		fm = &folderMembers{}
		d.members[folderID] = fm
	}
	d.mu.Unlock()
	fm.once.Do(func() {
		// Rows of this folder wait for the read: it keeps its worker.
		ms, err := d.reader.FolderMembers(worker.KeepWorker(ctx), folderID)
		if err != nil {
			fm.err = fmt.Errorf("read the accounts of folder %d: %w", folderID, err)
			return
		}
		fm.byID = make(map[int64]FolderMember, len(ms))
		for _, m := range ms {
			fm.byID[m.UserID] = m
		}
	})
	if fm.err != nil {
		d.mu.Lock()
		delete(d.members, folderID) // the next row reads it again
		d.mu.Unlock()
		return FolderMember{}, fm.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return fm.byID[userID], nil
}

// setMember records the account's roles in the folder once written.
func (d *accessDir) setMember(folderID int64, m FolderMember) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if fm := d.members[folderID]; fm != nil && fm.byID != nil {
		fm.byID[m.UserID] = m
	}
}

// addFolder records a folder created (or planned: ID 0).
func (d *accessDir) addFolder(f Folder, planned bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if planned {
		d.planned[f.Path] = true
		return
	}
	d.folders[strings.ToLower(f.Path)] = f
	if f.ID != 0 && d.members[f.ID] == nil {
		// Made by this run: nobody is assigned there yet, and nothing
		// needs reading (its inherited roles are only shown, never
		// written).
		fm := &folderMembers{byID: map[int64]FolderMember{}}
		fm.once.Do(func() {})
		d.members[f.ID] = fm
	}
}

// refreshFolders reads the folders again (after a create whose answer
// was lost or refused as a duplicate).
func (d *accessDir) refreshFolders(ctx context.Context) error {
	folders, err := d.reader.Folders(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range folders {
		d.folders[strings.ToLower(f.Path)] = f
	}
	return nil
}
