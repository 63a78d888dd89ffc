package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The audit logs. Every change made through the API, and every change of
// the second administrator, writes records as UiPath's services keep
// them: Orchestrator's AuditLogDto (odata/AuditLogs), Identity's
// AuditQueryRecordDto (/api/AuditQuery/{partitionGlobalId}). A record is
// written under the store's lock with the change it stands for, so that
// no reader sees one without the other. A request refused, failed by an
// injected fault before it was applied, or left unapplied by
// Config.UnchangedPatchRate writes none; one that succeeds writes its
// records even when it leaves the state as it was (a PATCH of the same
// values, a RemoveUserFromFolder of an account not assigned there).
//
// Who made the change, the actor:
//   - an External Application (every token the emulator issues): in
//     Orchestrator, UserName its name (ClientApp.DisplayName), UserType
//     DirectoryExternalApplication, ExternalClientId its client id; in
//     Identity, userName its client id, email null, source
//     "ExternalApplication";
//   - the second administrator (Config.MeddleAfter), a person: UserName
//     and userName SecondAdministrator, UserType DirectoryUser, no
//     ExternalClientId; email SecondAdministrator, source "User".

// SecondAdministrator is who the second administrator's changes are made
// by, in both audit logs: a person, not an External Application.
const SecondAdministrator = "admin@example.com"

// Orchestrator's audit components and actions the emulator writes (names
// of AuditLogDto's Component and Action enums).
const (
	AuditUsers    = "Users"
	AuditFolders  = "Folders"
	AuditAssets   = "Assets"
	AuditCreate   = "Create"
	AuditUpdate   = "Update"
	AuditAssign   = "Assign"
	AuditUnassign = "Unassign"
)

// Identity's audit categories and actions the emulator writes.
const (
	AuditCategoryUser         = "User"
	AuditCategoryRobotAccount = "RobotAccount"
	AuditCategoryGroup        = "Group"
	AuditDelete               = "Delete"
	AuditResetPassword        = "ResetPassword"
	AuditChangePassword       = "ChangePassword"
)

// AuditLog is one record of Orchestrator's audit log (AuditLogDto).
type AuditLog struct {
	ID            int64     `json:"id"`
	ExecutionTime time.Time `json:"executionTime"`
	ServiceName   string    `json:"serviceName"`
	MethodName    string    `json:"methodName"`
	// Component (AuditUsers, AuditFolders) and Action (AuditCreate,
	// AuditUpdate, AuditAssign, AuditUnassign) are names of the
	// definitions' enums.
	Component string `json:"component"`
	Action    string `json:"action"`
	// DisplayName and EntityID are the resource acted on: an
	// Orchestrator user's UserName and id, a folder's name and id.
	DisplayName   string `json:"displayName"`
	EntityID      int64  `json:"entityId"`
	OperationText string `json:"operationText"`
	// Parameters is JSON naming what the request asked for; it never
	// holds a password (an UnattendedRobot.Password sent is named, not
	// given).
	Parameters string `json:"parameters"`
	// UserName, UserType and ExternalClientID are who made the change
	// (see the package's audit notes).
	UserName         string `json:"userName"`
	UserType         string `json:"userType"`
	ExternalClientID string `json:"externalClientId,omitempty"`
	// Entities are what GetAuditLogDetails answers for the record.
	Entities []AuditLogEntity `json:"entities,omitempty"`
}

// AuditLogEntity is one entity a record changed (AuditLogEntityDto).
type AuditLogEntity struct {
	ID         int64  `json:"id"`
	EntityID   int64  `json:"entityId"`
	EntityName string `json:"entityName"`
	Action     string `json:"action"`
	// CustomData is JSON: {"OldValue": …, "NewValue": …}, each null
	// where there is none (before a create); never a password.
	CustomData string `json:"customData"`
}

// IdentityAuditEvent is one record of Identity's audit
// (AuditQueryRecordDto).
type IdentityAuditEvent struct {
	CreatedOn time.Time `json:"createdOn"`
	// Category is AuditCategoryUser, AuditCategoryRobotAccount or
	// AuditCategoryGroup; Action AuditCreate, AuditUpdate, AuditDelete,
	// AuditResetPassword (a password set by an administrator's update)
	// or AuditChangePassword (…/changepassword).
	Category string `json:"category"`
	Action   string `json:"action"`
	// Details is the free-text auditLogDetails: JSON naming the target,
	// {"id","userName","email"} for a user, {"id","name"} for a robot
	// account or group, with "changed" (the fields an update gave) and a
	// group's "membersAdded" and "membersRemoved". Never a password.
	Details  string `json:"auditLogDetails"`
	UserName string `json:"userName"`
	Email    string `json:"email,omitempty"`
	Message  string `json:"message"`
	Source   string `json:"source"`
}

// auditDetailsVersion is the detailsVersion of every Identity record.
const auditDetailsVersion = "1.0"

// actor is who makes a change, as the two audit logs name it.
type actor struct {
	orchestratorName string // AuditLogDto.UserName
	userType         string // AuditLogDto.UserType
	clientID         string // AuditLogDto.ExternalClientId; "" for a person
	identityName     string // AuditQueryRecordDto.userName
	email            string // AuditQueryRecordDto.email; "" for an application
	source           string // AuditQueryRecordDto.source
}

// actorOf is the External Application whose token the call carries.
func (s *Server) actorOf(c *call) actor {
	app, ok := s.tokens.clients[c.clientID]
	if !ok {
		app = ClientApp{ID: c.clientID}
	}
	return actor{orchestratorName: app.DisplayName(), userType: "DirectoryExternalApplication", clientID: app.ID,
		identityName: app.ID, source: "ExternalApplication"}
}

// secondAdministrator is the person of Config.MeddleAfter.
var secondAdministrator = actor{orchestratorName: SecondAdministrator, userType: TypeDirectoryUser,
	identityName: SecondAdministrator, email: SecondAdministrator, source: "User"}

// auditIDBase is where Orchestrator's audit record and audit entity ids
// start: apart from every user and folder id, so that a client mixing
// a record's Id with its EntityId is caught.
const auditIDBase = 7_000_000

// auditLogs are the two audit logs, in time order (times never go back:
// a record is never older than the one before it). The store's lock
// guards them.
type auditLogs struct {
	orchestrator []AuditLog
	identity     []IdentityAuditEvent
	lastID       int64 // records' and entities' ids
	last         time.Time
	// unchanged are the users whose PATCH was answered without applying
	// it (Config.UnchangedPatchRate), in request order.
	unchanged []int64
}

// now is the time of a record written now: never before the last one.
func (l *auditLogs) now() time.Time {
	t := time.Now().UTC()
	if t.Before(l.last) {
		t = l.last
	}
	l.last = t
	return t
}

// nextID is the next record or entity id.
func (l *auditLogs) nextID() int64 {
	if l.lastID == 0 {
		l.lastID = auditIDBase
	}
	l.lastID++
	return l.lastID
}

// pastTense is an action as OperationText says it.
func pastTense(action string) string {
	switch action {
	case AuditCreate:
		return "created"
	case AuditUpdate:
		return "updated"
	case AuditAssign:
		return "assigned"
	case AuditUnassign:
		return "unassigned"
	case AuditDelete:
		return "deleted"
	}
	return strings.ToLower(action)
}

// jsonText is v as compact JSON text.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// orchestratorChange is one record to write to Orchestrator's log: what
// was done, to which entity, with the values before and after (nil where
// there are none).
type orchestratorChange struct {
	component, action, method string
	displayName               string
	entityID                  int64
	entityName                string // "User", "Folder"
	operationSuffix           string // after the entity in OperationText
	parameters                any
	before, after             any
}

// auditOrchestrator writes a record of ch made by a. The caller holds
// the store's write lock.
func (st *store) auditOrchestrator(a actor, ch orchestratorChange) {
	l := &st.audit
	rec := AuditLog{
		ID: l.nextID(), ExecutionTime: l.now(), ServiceName: ch.component + "Service", MethodName: ch.method,
		Component: ch.component, Action: ch.action, DisplayName: ch.displayName, EntityID: ch.entityID,
		OperationText: fmt.Sprintf("User %s %s %s %s%s", a.orchestratorName, pastTense(ch.action),
			strings.ToLower(ch.entityName), ch.displayName, ch.operationSuffix),
		Parameters: jsonText(ch.parameters), UserName: a.orchestratorName, UserType: a.userType, ExternalClientID: a.clientID,
	}
	rec.Entities = []AuditLogEntity{{ID: l.nextID(), EntityID: ch.entityID, EntityName: ch.entityName, Action: ch.action,
		CustomData: jsonText(map[string]any{"OldValue": ch.before, "NewValue": ch.after})}}
	l.orchestrator = append(l.orchestrator, rec)
}

// auditedUser is an Orchestrator user as an audit record's values show
// it: what the API answers of it, never the robot's password (the store
// keeps it apart).
func auditedUser(o *OrchestratorUser) map[string]any {
	if o == nil {
		return nil
	}
	v := map[string]any{
		"Id": o.ID, "Key": o.Key, "UserName": o.UserName, "Name": o.Name, "Surname": o.Surname, "FullName": o.FullName,
		"EmailAddress": o.EmailAddress, "Domain": o.Domain, "IsActive": o.IsActive, "Type": o.Type,
		"RolesList": slices.Clone(o.RolesList), "MayHaveUnattendedSession": o.MayHaveUnattended,
		"DirectoryIdentifier": o.DirectoryIdentifier,
	}
	if ur := o.UnattendedRobot; ur != nil {
		c := ur.clone()
		v["UnattendedRobot"] = map[string]any{
			"UserName": c.UserName, "CredentialType": c.CredentialType, "CredentialStoreId": c.CredentialStoreID,
			"CredentialExternalName": c.CredentialExternalName, "ExecutionSettings": c.ExecutionSettings,
			"LimitConcurrentExecution": c.LimitConcurrentExecution, "RobotId": c.RobotID,
		}
	} else {
		v["UnattendedRobot"] = nil
	}
	return v
}

// auditUser writes a record of a change to the Orchestrator user o
// (Component Users). The caller holds the store's write lock.
func (st *store) auditUser(a actor, action, method string, o *OrchestratorUser, suffix string, params, before, after any) {
	st.auditOrchestrator(a, orchestratorChange{component: AuditUsers, action: action, method: method,
		displayName: o.UserName, entityID: o.ID, entityName: "User", operationSuffix: suffix,
		parameters: params, before: before, after: after})
}

// folderRolesParams names the folders and roles of an assignment, for a
// record's Parameters. The caller holds the store's lock.
func (st *store) folderRolesParams(rpf []folderRolesDTO) []map[string]any {
	out := make([]map[string]any, 0, len(rpf))
	for _, fr := range rpf {
		path := ""
		if f := st.folders[*fr.FolderID]; f != nil {
			path = f.FullyQualifiedName
		}
		out = append(out, map[string]any{"FolderId": *fr.FolderID, "FullyQualifiedName": path,
			"RoleIds": append([]int64{}, fr.RoleIDs...), "Roles": st.roleNames(fr.RoleIDs)})
	}
	return out
}

// roleNames are the names of the roles ids (those that exist). The
// caller holds the store's lock.
func (st *store) roleNames(ids []int64) []string {
	out := []string{}
	for _, id := range ids {
		if r := st.role(id); r != nil {
			out = append(out, r.Name)
		}
	}
	return out
}

// folderPaths joins the paths of the folders of rpf, for OperationText.
func folderPaths(params []map[string]any) string {
	paths := make([]string, 0, len(params))
	for _, p := range params {
		paths = append(paths, fmt.Sprint(p["FullyQualifiedName"]))
	}
	return strings.Join(paths, ", ")
}

// auditIdentity writes a record of Identity's audit: a change of category
// and action to the target details names, made by a. The caller holds
// the store's write lock.
func (st *store) auditIdentity(a actor, category, action string, details map[string]any, what string) {
	l := &st.audit
	l.identity = append(l.identity, IdentityAuditEvent{
		CreatedOn: l.now(), Category: category, Action: action, Details: jsonText(details),
		UserName: a.identityName, Email: a.email, Source: a.source,
		Message: fmt.Sprintf("%s %s: %s by %s.", categoryLabel(category), what, identityVerb(action), a.identityName),
	})
}

// categoryLabel is a category as a message says it.
func categoryLabel(category string) string {
	if category == AuditCategoryRobotAccount {
		return "Robot account"
	}
	return category
}

// identityVerb is an Identity action as a message says it.
func identityVerb(action string) string {
	switch action {
	case AuditResetPassword:
		return "password set"
	case AuditChangePassword:
		return "password changed"
	}
	return pastTense(action)
}

// userDetails names a user in a record's details; changed, when not nil,
// lists the fields an update gave.
func userDetails(u *User, changed []string) map[string]any {
	d := map[string]any{"id": u.ID, "userName": u.UserName, "email": u.Email}
	if changed != nil {
		d["changed"] = changed
	}
	return d
}

// namedDetails names a robot account or group in a record's details.
func namedDetails(id, name string, changed []string) map[string]any {
	d := map[string]any{"id": id, "name": name}
	if changed != nil {
		d["changed"] = changed
	}
	return d
}

// auditUserEvent writes an Identity record of a change to user u. The
// caller holds the store's write lock.
func (st *store) auditUserEvent(a actor, action string, u *User, changed []string) {
	st.auditIdentity(a, AuditCategoryUser, action, userDetails(u, changed), fmt.Sprintf("'%s' (%s)", u.UserName, u.Email))
}

// auditRobotEvent writes an Identity record of a change to robot account
// r. The caller holds the store's write lock.
func (st *store) auditRobotEvent(a actor, action string, r *RobotAccount, changed []string) {
	st.auditIdentity(a, AuditCategoryRobotAccount, action, namedDetails(r.ID, r.Name, changed), "'"+r.Name+"'")
}

// auditGroupEvent writes an Identity record of a change to group g, with
// the members it gained and lost (nil: none named). The caller holds the
// store's write lock.
func (st *store) auditGroupEvent(a actor, action string, g Group, changed, added, removed []string) {
	d := namedDetails(g.ID, g.Name, changed)
	if added != nil {
		d["membersAdded"] = lowerIDs(added)
	}
	if removed != nil {
		d["membersRemoved"] = lowerIDs(removed)
	}
	st.auditIdentity(a, AuditCategoryGroup, action, d, "'"+g.Name+"'")
}

// recordingDeletes returns the del of a bulk delete (deleteAllOrNone)
// that first records each id (writes its Delete record), under the same
// lock as the delete.
func recordingDeletes(record func(id string), del func(ids []string, at time.Time)) func([]string, time.Time) {
	return func(ids []string, at time.Time) {
		for _, id := range ids {
			record(id)
		}
		del(ids, at)
	}
}

// auditDeletedUser, auditDeletedRobot and auditDeletedGroup write the
// Delete record of the live user, robot account or group id (lower case),
// before it goes. The caller holds the store's write lock.
func (st *store) auditDeletedUser(a actor, id string) {
	st.auditUserEvent(a, AuditDelete, &st.users[id].User, nil)
}

func (st *store) auditDeletedRobot(a actor, id string) {
	st.auditRobotEvent(a, AuditDelete, st.robots[id], nil)
}

func (st *store) auditDeletedGroup(a actor, id string) {
	if i := st.groupIndex(id); i >= 0 {
		st.auditGroupEvent(a, AuditDelete, st.groups[i], nil, nil, nil)
	}
}

// visible returns the records of a log (in time order) served at now
// with lag: those whose time is at least lag before now, a prefix of
// the log since times never go back.
func visible[T any](log []T, at func(T) time.Time, now time.Time, lag time.Duration) []T {
	cutoff := now.Add(-lag)
	n, _ := slices.BinarySearchFunc(log, cutoff, func(r T, t time.Time) int {
		if at(r).After(t) {
			return 1
		}
		return -1
	})
	return log[:n]
}

// AuditLogs returns Orchestrator's audit records, oldest first, whatever
// Config.AuditLag hides from the API.
func (s *Server) AuditLogs() []AuditLog {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	out := make([]AuditLog, len(s.state.audit.orchestrator))
	for i, r := range s.state.audit.orchestrator {
		r.Entities = slices.Clone(r.Entities)
		out[i] = r
	}
	return out
}

// IdentityAudit returns Identity's audit records, oldest first, whatever
// Config.AuditLag hides from the API.
func (s *Server) IdentityAudit() []IdentityAuditEvent {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return slices.Clone(s.state.audit.identity)
}

// UnchangedPatches returns the ids of the Orchestrator users whose PATCH
// was answered 200 without being applied (Config.UnchangedPatchRate),
// once per such request, in request order: the changes no audit record
// confirms.
func (s *Server) UnchangedPatches() []int64 {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return slices.Clone(s.state.audit.unchanged)
}

// uniqueIDs returns ids each once, in order.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
