package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/suggest"
	"github.com/uipath-batch/batch/internal/worker"
)

// whole turns Members into what it reads: both account lists whole and
// in memory (a group's members are found by going through every
// account), as many lookups as an organization has pages.
func (n Needs) whole() Needs {
	if n.Members > 0 {
		n.UserLookups, n.RobotLookups, n.Members = max(n.UserLookups, 1<<30/PageSize), max(n.RobotLookups, 1<<30/PageSize), 0
	}
	return n
}

// HeldListLimit bounds the accounts of a list read only for the state
// undo needs that are held in memory (and serve lookups by email and user
// name too); a longer list is kept on disk, found by id (see package
// spill), so that memory does not grow with the organization.
const HeldListLimit = 50_000

// IndexThreshold is how many targets of one kind make paging the whole list
// cheaper than looking each one up: a search costs at least one GET per
// target, a page of the list holds 1,000 accounts.
const IndexThreshold = 5

// Needs counts, per kind of account, the rows that must resolve a name to
// an id (Lookups) and the rows that must read the current state (States).
type Needs struct {
	UserLookups, UserStates   int
	RobotLookups, RobotStates int
	// OrchestratorLookups counts the rows that read an Orchestrator user
	// (by key or user name: either costs one GET, a page holds 1,000).
	OrchestratorLookups int
	// Groups counts the rows that name groups: one read of the
	// organization's groups checks (and names) them all.
	Groups int
	// UndoUsers and UndoRobots count the rows that read their account's
	// state only to record what undoes their change. For them and the
	// rows by id of UserStates and RobotStates, the lists are read when
	// they hold fewer pages than these rows (held in memory up to
	// HeldListLimit accounts, on disk past it), and each account is read
	// alone otherwise.
	UndoUsers, UndoRobots int
	// Members counts the rows that need every account's groups (a group
	// deleted with its members recorded for undo): the user and robot
	// lists are read whole, however long.
	Members int
	// DirectoryUsers and DirectoryRobots count the rows that look their
	// account up in the organization only if Orchestrator does not list
	// it (folder access, tenant roles): the list is read when the first
	// of them does (see Resolver.DirectoryUser), not before.
	DirectoryUsers, DirectoryRobots int
}

// Resolver turns manifest targets into accounts. Each target is resolved
// once however often it is named, and when enough rows need it, the whole
// list is read once into an index instead of one read per row.
type Resolver struct {
	reader Reader
	retry  worker.RetryPolicy

	usersIndexed  bool
	usersByID     map[string]*User
	usersByEmail  map[string]*User
	usersByName   map[string]*User
	usersSpilled  *spilled[User] // the user list, read whole, on disk by id
	robotsIndexed bool
	robotsByID    map[string]*Robot
	robotsByName  map[string]*Robot
	robotsSpilled *spilled[Robot]
	directory     directoryNeeds // set before rows run (Prepare, NextPhase)
	orchIndexed   bool
	orchByKey     map[int64]*OrchestratorUser
	orchByName    map[string][]*OrchestratorUser // lower-case user name → users
	groupsRead    bool
	groupsAt      time.Time           // when the groups were read
	groupByID     map[string]Group    // lower-case id → group
	groupByName   map[string][]string // lower-case name → ids

	suggested atomic.Int32 // account names suggested (see nearestTarget)
	progress  ListProgress // nil: none (see OnListProgress)

	listsMu   sync.Mutex
	listsRead map[string]bool // by service: a whole list was read
	notFound  *TargetNotFoundError

	storesMu   sync.Mutex
	storesRead bool
	stores     map[int64]CredentialStore
	storesErr  error

	mu      sync.Mutex
	planned []string           // groups a plan would create, by name
	cache   map[string]any     // target key → User, Robot, OrchestratorUser or error
	flights map[string]*flight // lookups under way, by target key
}

// flight is one lookup under way, shared by every row that waits for it.
// It runs under a context of its own, detached from any one row's: a row
// that gives up (its attempt timed out, its run drained) leaves it to the
// others, and it is cancelled only when every row waiting for it has
// given up. Since every row is bounded by the run, so is the lookup.
type flight struct {
	done    chan struct{}
	v       any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// NewResolver returns a resolver reading through r; a list read that meets
// a retryable error (a 429, a 503) is read again under retry.
func NewResolver(r Reader, retry worker.RetryPolicy) *Resolver {
	return &Resolver{reader: r, retry: retry, cache: make(map[string]any), flights: make(map[string]*flight)}
}

// Prepare reads whole lists where needs say that is cheaper. A list that
// turns out to hold more pages than there are targets to look up is
// abandoned half way, and targets are then looked up one by one: either
// way the reads stay within twice the cheaper of the two.
func (rs *Resolver) Prepare(ctx context.Context, needs Needs) error {
	// Each list is read whatever became of the others: a list that could
	// not be read leaves its rows to resolve one by one, and says so.
	var errs []error
	rs.directory = directoryNeeds{users: needs.DirectoryUsers, robots: needs.DirectoryRobots}
	if needs.Groups > 0 {
		err := rs.retried(ctx, rs.readGroups)
		rs.noteList(ServiceIdentity, err)
		if err != nil {
			errs = append(errs, err)
		}
	}
	needs = needs.whole()
	if b := listBound(needs.UserLookups, needs.UserStates+needs.UndoUsers); b.rows > IndexThreshold {
		err := rs.retried(ctx, func(ctx context.Context) error { return rs.indexUsers(ctx, b) })
		rs.noteList(ServiceIdentity, ignoreTooLong(err))
		if err != nil && !errors.Is(err, errListTooLong) {
			errs = append(errs, err)
		}
	}
	if b := listBound(needs.RobotLookups, needs.RobotStates+needs.UndoRobots); b.rows > IndexThreshold {
		err := rs.retried(ctx, func(ctx context.Context) error { return rs.indexRobots(ctx, b) })
		rs.noteList(ServiceIdentity, ignoreTooLong(err))
		if err != nil && !errors.Is(err, errListTooLong) {
			errs = append(errs, err)
		}
	}
	if n := needs.OrchestratorLookups; n > IndexThreshold {
		err := rs.retried(ctx, func(ctx context.Context) error { return rs.indexOrchestratorUsers(ctx, n*PageSize) })
		rs.noteList(ServiceOrchestrator, ignoreTooLong(err))
		if err != nil && !errors.Is(err, errListTooLong) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close lets go of what the resolver keeps on disk (the account lists of a
// large organization); it resolves nothing after.
func (rs *Resolver) Close() error {
	err := errors.Join(rs.usersSpilled.close(), rs.robotsSpilled.close())
	rs.usersSpilled, rs.robotsSpilled = nil, nil
	return err
}

// ignoreTooLong is err, or nil for a list abandoned as too long (it was
// there).
func ignoreTooLong(err error) error {
	if errors.Is(err, errListTooLong) {
		return nil
	}
	return err
}

// tooLong is a list walk's total hook (EachUserWithTotal) that abandons a
// list longer than most accounts, as its first page's total count says,
// after that page.
func tooLong(most int) func(total int64) error {
	return func(total int64) error {
		if total > int64(most) {
			return errListTooLong
		}
		return nil
	}
}

// bound is how a list is worth reading: rows is how many rows read it;
// held the most accounts it may hold to be read into memory (a page of
// 1,000 per row that would otherwise look its account up alone, and for
// rows by id, up to HeldListLimit); spilled the most it may hold to be
// read onto disk instead, found by id (zero: never).
type bound struct{ rows, held, spilled int }

// listBound is the bound of a list that lookups rows look up by email or
// name, and byID rows read by id (for the state a plan shows, a check
// needs, or undo records).
func listBound(lookups, byID int) bound {
	b := bound{rows: lookups + byID, held: lookups * PageSize}
	if byID > 0 {
		b.held = max(b.held, min(byID*PageSize, HeldListLimit))
		b.spilled = (lookups + byID) * PageSize
	}
	return b
}

// walk returns the total hook of a list walk that abandons a list longer
// than b after its first page, and tells spill when the list is to go to
// disk instead of memory.
func (b bound) walk(spill *bool) func(total int64) error {
	return func(total int64) error {
		switch {
		case total <= int64(b.held):
		case total <= int64(b.spilled):
			*spill = true
		default:
			return errListTooLong
		}
		return nil
	}
}

// readGroups reads the organization's groups (one request), so that rows
// naming a group that does not exist fail before anything is sent, and
// groups can be named by name.
func (rs *Resolver) readGroups(ctx context.Context) error {
	groups, err := rs.reader.ListGroups(ctx)
	if err != nil {
		return fmt.Errorf("read the organization's groups: %w", err)
	}
	byID := make(map[string]Group, len(groups))
	byName := make(map[string][]string, len(groups))
	for _, g := range groups {
		id := strings.ToLower(g.ID)
		g.ID = id
		byID[id] = g
		name := strings.ToLower(g.Name)
		byName[name] = append(byName[name], id)
	}
	rs.groupByID, rs.groupByName, rs.groupsRead, rs.groupsAt = byID, byName, true, time.Now()
	return nil
}

// CredentialStore returns the tenant's credential store with id; the
// stores are read once, when a row first needs one. A store list the
// application may not read fails every row that needs it, saying which
// scope it lacks.
func (rs *Resolver) CredentialStore(ctx context.Context, id int64) (CredentialStore, bool, error) {
	rs.storesMu.Lock()
	defer rs.storesMu.Unlock()
	if !rs.storesRead {
		var list []CredentialStore
		// Other rows wait for the stores holding their workers: this read
		// keeps its own through a pause (see worker.KeepWorker).
		err := rs.retried(worker.KeepWorker(ctx), func(ctx context.Context) (err error) {
			list, err = rs.reader.CredentialStores(ctx)
			return err
		})
		f := asFailure(err)
		refused := f != nil && (f.Code() == report.CodeForbidden || f.Code() == report.CodeUnauthorized)
		if err != nil && !refused {
			// A failure that may pass (a 5xx after its retries, the
			// network, this row giving up): the row fails, a later row
			// reads the stores again.
			return CredentialStore{}, false, fmt.Errorf("read the credential stores: %w", err)
		}
		rs.storesRead = true
		if refused {
			// A refusal holds for the run: every row that needs the
			// stores fails at once, naming the scope.
			rs.storesErr = failf(f.Code(), "the credential stores cannot be read (%v): the External Application needs the scope OR.Settings.Read (or OR.Settings) to check that a robot's store takes passwords; nothing was sent", err)
		}
		rs.stores = make(map[int64]CredentialStore, len(list))
		for _, s := range list {
			rs.stores[s.ID] = s
		}
	}
	if rs.storesErr != nil {
		return CredentialStore{}, false, rs.storesErr
	}
	st, ok := rs.stores[id]
	return st, ok, nil
}

// GroupID resolves a group named by GUID or name to its id. Without the
// group list (it could not be read) a GUID is taken as it is and a name
// cannot be resolved.
func (rs *Resolver) GroupID(ref string) (string, error) {
	if manifest.IsGUID(ref) {
		id := strings.ToLower(ref)
		if rs.groupsRead {
			if _, ok := rs.groupByID[id]; !ok {
				return "", failf(report.CodeNotFound, "no group with id %s in this organization", id)
			}
		}
		return id, nil
	}
	if !rs.groupsRead {
		return "", failf(report.CodeNotFound, "group %q: names need the organization's group list, which could not be read", ref)
	}
	switch ids := rs.groupByName[strings.ToLower(ref)]; len(ids) {
	case 0:
		return "", failf(report.CodeNotFound, "no group named %q in this organization%s", ref, rs.nearestGroup(ref))
	case 1:
		return ids[0], nil
	default:
		return "", failf(report.CodeConflict, "%d groups are named %q: name it by id", len(ids), ref)
	}
}

// nearestSuggestions bounds how many targets that are not there get the
// nearest name of an account list: each compares with every account of
// the organization, and a re-run of a large deletion finds every target
// gone.
const nearestSuggestions = 20

// nearestTarget is the end of a message about a target that is not
// there: the nearest email, user name, robot account or group name of
// the lists read, when one is close (for the first nearestSuggestions
// accounts of a run; groups, few, always).
func (rs *Resolver) nearestTarget(t manifest.Target) string {
	if t.Kind != manifest.TargetGroupName && rs.suggested.Add(1) > nearestSuggestions {
		return ""
	}
	var names []string
	switch t.Kind {
	case manifest.TargetEmail:
		for _, u := range rs.usersByID {
			names = append(names, u.Email)
		}
	case manifest.TargetUsername:
		for _, u := range rs.usersByID {
			names = append(names, u.UserName)
		}
	case manifest.TargetRobotName:
		for _, r := range rs.robotsByID {
			names = append(names, r.Name)
		}
	case manifest.TargetGroupName:
		return rs.nearestGroup(t.Value)
	}
	slices.Sort(names)
	if near := suggest.Nearest(t.Value, names); near != "" {
		return fmt.Sprintf("; did you mean %q?", near)
	}
	return ""
}

// nearestGroup is the end of an unknown group name's message: the
// organization's group name nearest to it, when one is close.
func (rs *Resolver) nearestGroup(ref string) string {
	names := make([]string, 0, len(rs.groupByID))
	for _, g := range rs.groupByID {
		names = append(names, g.Name)
	}
	slices.Sort(names)
	if near := suggest.Nearest(ref, names); near != "" {
		return fmt.Sprintf("; did you mean %q?", near)
	}
	return ""
}

// GroupName is a group's name for a person, or its id when unknown.
func (rs *Resolver) GroupName(id string) string {
	if g, ok := rs.groupByID[strings.ToLower(id)]; ok && g.Name != "" {
		return g.Name
	}
	return id
}

// Group finds a group named by a group_id or group_name target; found is
// false when the organization has none (an error: the list could not be
// read, or two groups have the name).
func (rs *Resolver) Group(t manifest.Target) (g Group, found bool, err error) {
	if !rs.groupsRead {
		return Group{}, false, failf(report.CodeNetwork, "groups: the organization's group list could not be read (see the run's log); nothing was sent")
	}
	if t.Kind == manifest.TargetGroupID {
		g, found = rs.groupByID[strings.ToLower(t.Value)]
		return g, found, nil
	}
	switch ids := rs.groupByName[strings.ToLower(t.Value)]; len(ids) {
	case 0:
		return Group{}, false, nil
	case 1:
		return rs.groupByID[ids[0]], true, nil
	default:
		return Group{}, false, failf(report.CodeConflict, "%d groups are named %q: name it by group_id", len(ids), t.Value)
	}
}

// Members lists the users (by email) and robot accounts (by name) of the
// group with id, as the account lists read hold them: only accounts of a
// list the resolver indexed.
func (rs *Resolver) Members(id string) (emails, robotNames []string) {
	for _, u := range rs.usersByID {
		if hasGroup(u.GroupIDs, id) && u.Email != "" {
			emails = append(emails, u.Email)
		}
	}
	for _, r := range rs.robotsByID {
		if hasGroup(r.GroupIDs, id) {
			robotNames = append(robotNames, r.Name)
		}
	}
	slices.Sort(emails)
	slices.Sort(robotNames)
	return emails, robotNames
}

// Implicit reports whether the group with id is one every account is in
// and cannot leave (the built-in Everyone): an exact set without it leaves
// it be.
func (rs *Resolver) Implicit(id string) bool {
	g, ok := rs.groupByID[strings.ToLower(id)]
	return ok && g.BuiltIn && strings.EqualFold(g.Name, "Everyone")
}

// Groups lists the organization's groups as last read.
func (rs *Resolver) Groups() []Group {
	out := make([]Group, 0, len(rs.groupByID))
	for _, g := range rs.groupByID {
		out = append(out, g)
	}
	return out
}

// GroupsReadAt is when the organization's groups were last read.
func (rs *Resolver) GroupsReadAt() time.Time { return rs.groupsAt }

// GroupOf is the group with id as the organization's list has it (the
// id alone when the list was not read).
func (rs *Resolver) GroupOf(id string) Group {
	if g, ok := rs.groupByID[strings.ToLower(id)]; ok {
		return g
	}
	return Group{ID: strings.ToLower(id)}
}

// plannedGroupPrefix starts the id a plan gives a group it would create.
const plannedGroupPrefix = "(new) "

// PlanGroup notes a group a plan would create, so that the rows of later
// phases that name it plan as they would apply (see NextPhase).
func (rs *Resolver) PlanGroup(name string) {
	rs.mu.Lock()
	rs.planned = append(rs.planned, name)
	rs.mu.Unlock()
}

// NextPhase readies the resolver for a run's next phase: the lists of the
// kinds the phase before created are read again (the new accounts and
// groups have ids the next phase needs; nothing else a phase changes is
// read by the next), and the groups a plan would have created count as
// existing.
func (rs *Resolver) NextPhase(ctx context.Context, needs Needs, c Created) error {
	if c != (Created{}) {
		rs.mu.Lock()
		rs.cache = make(map[string]any) // lookups one by one, "not found" included
		rs.mu.Unlock()
		needs = needs.whole()
		again := Needs{DirectoryUsers: needs.DirectoryUsers, DirectoryRobots: needs.DirectoryRobots}
		if c.Users {
			rs.usersSpilled.close()
			rs.usersIndexed, rs.usersByID, rs.usersByEmail, rs.usersByName, rs.usersSpilled = false, nil, nil, nil, nil
			again.UserLookups, again.UserStates, again.UndoUsers = needs.UserLookups, needs.UserStates, needs.UndoUsers
		}
		if c.Robots {
			rs.robotsSpilled.close()
			rs.robotsIndexed, rs.robotsByID, rs.robotsByName, rs.robotsSpilled = false, nil, nil, nil
			again.RobotLookups, again.RobotStates, again.UndoRobots = needs.RobotLookups, needs.RobotStates, needs.UndoRobots
		}
		if c.Groups {
			rs.groupsRead = false
			again.Groups = needs.Groups
		}
		if err := rs.Prepare(ctx, again); err != nil {
			return err
		}
	}
	rs.directory = directoryNeeds{users: needs.DirectoryUsers, robots: needs.DirectoryRobots}
	rs.mu.Lock()
	planned := rs.planned
	rs.planned = nil
	rs.mu.Unlock()
	if len(planned) > 0 && rs.groupsRead {
		for _, name := range planned {
			id := plannedGroupPrefix + strings.ToLower(name)
			rs.groupByID[id] = Group{ID: id, Name: name}
			rs.groupByName[strings.ToLower(name)] = []string{id}
		}
	}
	return nil
}

// retried reads a whole list again, from its first page, when a read meets
// a retryable error.
func (rs *Resolver) retried(ctx context.Context, read func(context.Context) error) error {
	_, err := worker.Retry(ctx, rs.retry, func(ctx context.Context, _ int) error { return read(ctx) })
	return err
}

// PageSize is how many accounts one list read returns.
const PageSize = 1000

// errListTooLong stops paging a list that costs more reads than lookups.
var errListTooLong = errors.New("the list is longer than the lookups it would save")

func (rs *Resolver) indexUsers(ctx context.Context, b bound) error {
	var l accountList[User]
	lr := rs.reading("the user list")
	defer lr.End()
	err := rs.reader.EachUserWithTotal(ctx, lr.WithTotal(b.walk(&l.toDisk)), func(u User) error {
		lr.Add()
		return l.add(b, u.ID, &u, encodeUser, decodeUser)
	})
	if err == nil {
		err = l.seal()
	}
	if err != nil {
		l.close()
		return fmt.Errorf("read the user list: %w", err)
	}
	rs.usersSpilled.close()
	rs.usersByID, rs.usersSpilled = l.held, l.disk
	if l.disk == nil {
		byEmail := make(map[string]*User, len(l.held))
		byName := make(map[string]*User, len(l.held))
		for _, u := range l.held {
			if u.Email != "" {
				byEmail[strings.ToLower(u.Email)] = u
			}
			if u.UserName != "" {
				byName[strings.ToLower(u.UserName)] = u
			}
		}
		rs.usersByEmail, rs.usersByName, rs.usersIndexed = byEmail, byName, true
	}
	return nil
}

func (rs *Resolver) indexRobots(ctx context.Context, b bound) error {
	var l accountList[Robot]
	lr := rs.reading("the robot account list")
	defer lr.End()
	err := rs.reader.EachRobotWithTotal(ctx, lr.WithTotal(b.walk(&l.toDisk)), func(r Robot) error {
		lr.Add()
		return l.add(b, r.ID, &r, encodeRobot, decodeRobot)
	})
	if err == nil {
		err = l.seal()
	}
	if err != nil {
		l.close()
		return fmt.Errorf("read the robot account list: %w", err)
	}
	rs.robotsSpilled.close()
	rs.robotsByID, rs.robotsSpilled = l.held, l.disk
	if l.disk == nil {
		byName := make(map[string]*Robot, len(l.held))
		for _, r := range l.held {
			byName[strings.ToLower(r.Name)] = r
		}
		rs.robotsByName, rs.robotsIndexed = byName, true
	}
	return nil
}

// accountList is a list being read: held in memory by lower-case id, or
// once it is longer than memory should hold, on disk.
type accountList[T any] struct {
	toDisk bool // the list's length, as its first page said, is for disk
	seen   int
	held   map[string]*T
	disk   *spilled[T]
}

func (l *accountList[T]) add(b bound, id string, v *T, encode func([]byte, *T) []byte, decode func([]byte) (T, error)) error {
	if l.seen++; l.seen > b.held && !l.toDisk {
		// Longer than its first page said, or a reader that does not
		// say: what was held goes to disk.
		if l.seen > b.spilled {
			return errListTooLong
		}
		l.toDisk = true
	}
	if !l.toDisk {
		if l.held == nil {
			l.held = make(map[string]*T)
		}
		l.held[strings.ToLower(id)] = v
		return nil
	}
	if l.seen > b.spilled {
		return errListTooLong
	}
	if l.disk == nil {
		var err error
		if l.disk, err = newSpilled(encode, decode); err != nil {
			return err
		}
		for heldID, hv := range l.held {
			if err := l.disk.put(heldID, hv); err != nil {
				return err
			}
		}
		l.held = nil
	}
	return l.disk.put(id, v)
}

func (l *accountList[T]) seal() error {
	if l.disk == nil {
		if l.held == nil {
			l.held = make(map[string]*T)
		}
		return nil
	}
	return l.disk.seal()
}

func (l *accountList[T]) close() {
	if l.disk != nil {
		_ = l.disk.close()
	}
}

func (rs *Resolver) indexOrchestratorUsers(ctx context.Context, most int) error {
	byKey := make(map[int64]*OrchestratorUser)
	byName := make(map[string][]*OrchestratorUser)
	seen := 0
	lr := rs.reading("Orchestrator's user list")
	defer lr.End()
	err := rs.reader.EachOrchestratorUser(ctx, func(o OrchestratorUser) error {
		if seen++; seen > most {
			return errListTooLong
		}
		lr.Add()
		p := &o
		byKey[o.Key] = p
		name := strings.ToLower(o.UserName)
		byName[name] = append(byName[name], p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the Orchestrator user list: %w", err)
	}
	rs.orchByKey, rs.orchByName = byKey, byName
	rs.orchIndexed = true
	return nil
}

// User resolves a user target; known reports whether the user's current
// state was read. With needState false a user_id target is returned as is,
// without a read.
func (rs *Resolver) User(ctx context.Context, t manifest.Target, needState bool) (u User, known bool, err error) {
	key := strings.ToLower(t.Value)
	if rs.usersIndexed {
		var found *User
		switch t.Kind {
		case manifest.TargetUserID:
			found = rs.usersByID[key]
		case manifest.TargetEmail:
			found = rs.usersByEmail[key]
		case manifest.TargetUsername:
			found = rs.usersByName[key]
		}
		if found == nil {
			return User{}, false, failf(report.CodeNotFound, "no user with %s %q", t.Kind, t.Value)
		}
		return *found, true, nil
	}
	if rs.usersSpilled != nil && t.Kind == manifest.TargetUserID {
		u, err := rs.usersSpilled.find(t, "user")
		return u, err == nil, err
	}
	if t.Kind == manifest.TargetUserID && !needState {
		return User{ID: t.Value}, false, nil
	}
	v, err := rs.once(ctx, "user/"+string(t.Kind)+"/"+key, func(ctx context.Context) (any, error) {
		switch t.Kind {
		case manifest.TargetUserID:
			return rs.reader.GetUser(ctx, t.Value)
		case manifest.TargetEmail:
			return rs.reader.FindUser(ctx, true, t.Value)
		default:
			return rs.reader.FindUser(ctx, false, t.Value)
		}
	})
	if err != nil {
		return User{}, false, err
	}
	return v.(User), true, nil
}

// Robot resolves a robot account target; known as for User.
func (rs *Resolver) Robot(ctx context.Context, t manifest.Target, needState bool) (r Robot, known bool, err error) {
	key := strings.ToLower(t.Value)
	if rs.robotsIndexed {
		var found *Robot
		if t.Kind == manifest.TargetRobotAccountID {
			found = rs.robotsByID[key]
		} else {
			found = rs.robotsByName[key]
		}
		if found == nil {
			return Robot{}, false, failf(report.CodeNotFound, "no robot account with %s %q", t.Kind, t.Value)
		}
		return *found, true, nil
	}
	if rs.robotsSpilled != nil && t.Kind == manifest.TargetRobotAccountID {
		r, err := rs.robotsSpilled.find(t, "robot account")
		return r, err == nil, err
	}
	if t.Kind == manifest.TargetRobotAccountID && !needState {
		return Robot{ID: t.Value}, false, nil
	}
	v, err := rs.once(ctx, "robot/"+string(t.Kind)+"/"+key, func(ctx context.Context) (any, error) {
		if t.Kind == manifest.TargetRobotAccountID {
			return rs.reader.GetRobot(ctx, t.Value)
		}
		return rs.reader.FindRobot(ctx, t.Value)
	})
	if err != nil {
		return Robot{}, false, err
	}
	return v.(Robot), true, nil
}

// OrchestratorUser resolves a set_robot_credentials target.
func (rs *Resolver) OrchestratorUser(ctx context.Context, t manifest.Target) (OrchestratorUser, error) {
	if rs.orchIndexed {
		return rs.indexedOrchestratorUser(t)
	}
	v, err := rs.once(ctx, "orch/"+string(t.Kind)+"/"+strings.ToLower(t.Value), func(ctx context.Context) (any, error) {
		if t.Kind == manifest.TargetOrchestratorUserID {
			key, err := strconv.ParseInt(t.Value, 10, 64)
			if err != nil {
				return nil, failf(report.CodeValidation, "orchestrator_user_id %q is not a number", t.Value)
			}
			return rs.reader.GetOrchestratorUser(ctx, key)
		}
		return rs.reader.FindOrchestratorUser(ctx, t.Value)
	})
	if err != nil {
		return OrchestratorUser{}, err
	}
	return v.(OrchestratorUser), nil
}

// orchestratorIndex returns the tenant's Orchestrator users as the run
// read them whole, or false when it did not (the access rows then read
// them themselves).
func (rs *Resolver) orchestratorIndex() ([]*OrchestratorUser, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if !rs.orchIndexed {
		return nil, false
	}
	out := make([]*OrchestratorUser, 0, len(rs.orchByKey))
	for _, o := range rs.orchByKey {
		out = append(out, o)
	}
	return out, true
}

// indexedOrchestratorUser finds a set_robot_credentials target in the
// Orchestrator user index.
func (rs *Resolver) indexedOrchestratorUser(t manifest.Target) (OrchestratorUser, error) {
	if t.Kind == manifest.TargetOrchestratorUserID {
		key, err := strconv.ParseInt(t.Value, 10, 64)
		if err != nil {
			return OrchestratorUser{}, failf(report.CodeValidation, "orchestrator_user_id %q is not a number", t.Value)
		}
		if o := rs.orchByKey[key]; o != nil {
			return *o, nil
		}
		return OrchestratorUser{}, failf(report.CodeNotFound, "no Orchestrator user with id %d", key)
	}
	switch found := rs.orchByName[strings.ToLower(t.Value)]; len(found) {
	case 0:
		return OrchestratorUser{}, failf(report.CodeNotFound, "no Orchestrator user with user name %q", t.Value)
	case 1:
		return *found[0], nil
	default:
		return OrchestratorUser{}, failf(report.CodeConflict, "%d Orchestrator users have the user name %q: name it by orchestrator_user_id", len(found), t.Value)
	}
}

// once runs a lookup at most once per key, sharing the answer (or a
// permanent failure) between every row that names the same target. The
// lookup runs under its flight's context (see flight), not ctx: ctx ends
// only this caller's wait.
func (rs *Resolver) once(ctx context.Context, key string, lookup func(context.Context) (any, error)) (any, error) {
	rs.mu.Lock()
	if v, ok := rs.cache[key]; ok {
		rs.mu.Unlock()
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v, nil
	}
	f := rs.flights[key]
	if f == nil {
		// A context of its own, not the first row's: a lookup every
		// waiting row shares must not wait out a pause on that row's
		// worker (see worker's slotKey), which it would have to take
		// back while every worker waits for it.
		lctx, cancel := context.WithCancel(context.Background())
		f = &flight{done: make(chan struct{}), cancel: cancel}
		rs.flights[key] = f
		go rs.fly(lctx, key, f, lookup)
	}
	f.waiters++
	rs.mu.Unlock()
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		rs.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			// No one waits any more: stop the lookup, and let a later
			// caller start afresh.
			f.cancel()
			if rs.flights[key] == f {
				delete(rs.flights, key)
			}
		}
		rs.mu.Unlock()
		return nil, context.Cause(ctx)
	}
}

// fly runs one flight's lookup and keeps its answer (or a permanent
// failure) for every later caller.
func (rs *Resolver) fly(ctx context.Context, key string, f *flight, lookup func(context.Context) (any, error)) {
	v, err := lookup(ctx)
	abandoned := ctx.Err() != nil // every waiter gave up: nothing to keep
	f.cancel()
	rs.mu.Lock()
	f.v, f.err = v, err
	switch {
	case abandoned:
	case err == nil:
		rs.cache[key] = v
	case !worker.IsRetryable(err) && !worker.IsOutcomeUnknown(err): // a permanent failure
		rs.cache[key] = err
	}
	if rs.flights[key] == f {
		delete(rs.flights, key)
	}
	rs.mu.Unlock()
	close(f.done)
}
