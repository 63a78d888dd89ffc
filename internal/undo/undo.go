// Package undo works out what puts back a run's changes. Before each
// write, Compute turns a row and its target's state read before the write
// into a payload that the run's journal records with the row's intent; at
// the end of a run, Write turns the payloads of the rows that succeeded
// into the run folder's undo manifest (undo.csv or undo.yaml): fields and
// memberships back to their values before the run, created accounts and
// groups deleted, deleted ones created again. What cannot be put back (a
// password) is listed as a comment line naming the row, never guessed.
package undo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
)

// Kind is what a row's target is.
type Kind int

// The kinds of target.
const (
	KindUser Kind = iota + 1
	KindRobot
	KindGroup
	// KindAccess: an account's roles in a folder or the tenant; KindFolder
	// a folder; KindUnattended a robot's unattended settings.
	KindAccess
	KindFolder
	KindUnattended
	KindAsset
)

// Before is a target's state read before a row's write.
type Before struct {
	Kind Kind
	// Exists: the target was there; false means the row creates it.
	Exists                                                   bool
	ID, Email, UserName, Name, Surname, DisplayName          string
	IsActive, BypassBasicAuthRestriction, InvitationAccepted bool
	// Groups are the account's groups by name (built-in ones included).
	Groups []string
	// Members are a group's members, for delete_group.
	Members []Member
	// Roles are the roles an access row's account held (in its folder,
	// or the tenant's), assigned, not inherited.
	Roles []string
	// Unattended is the robot's settings before an update_unattended_robot.
	Unattended *Unattended
}

// Unattended is an unattended robot's settings, as undo puts them back.
type Unattended struct {
	UserName, CredentialType string
	ExecutionSettings        json.RawMessage
	LimitConcurrentExecution bool
}

// Member is one member of a group: a user by email or a robot account by
// name (one of the two is set).
type Member struct{ Email, RobotName string }

// Compute returns the journal payload that undoes job, a row about to be
// written against the target whose state was before. job is the row as it
// will be applied: its GroupsToAdd and GroupsToRemove name groups as
// before.Groups does (by name), and an exact Groups set is turned into the
// delta it makes against before.Groups. Only real changes are put back: a
// group added that the account already had, or a field set to the value
// it held, is not. The payload is nil when the row changes nothing that
// needs putting back.
func Compute(job *manifest.Job, before Before) (json.RawMessage, error) {
	if job == nil {
		return nil, fmt.Errorf("undo: no row")
	}
	want := kindOf(job.Op)
	if want == 0 {
		return nil, fmt.Errorf("undo: row %s: unknown op %q", job.Source, job.Op)
	}
	if before.Kind != 0 && before.Kind != want {
		return nil, fmt.Errorf("undo: row %s: %s names a %s, but the state read is of a %s", job.Source, job.Op, want, before.Kind)
	}
	p := payload{Source: job.Source.String()}
	k := undoes[want]
	switch job.Op {
	case manifest.OpUpdateUser, manifest.OpUpdateRobotAccount:
		if before.Exists {
			k.update(&p, job, before)
		}
	case manifest.OpEnsureUser, manifest.OpEnsureRobotAccount, manifest.OpEnsureGroup:
		switch {
		case !before.Exists:
			p.add(entry{Op: k.delete, T: k.named, V: job.Target.Value})
		case k.update != nil:
			k.update(&p, job, before)
		}
	case manifest.OpDeleteUser, manifest.OpDeleteRobotAccount, manifest.OpDeleteGroup:
		if before.Exists {
			k.recreate(&p, job, before)
		}
	case manifest.OpSetPassword, manifest.OpChangePassword:
		p.note(job, "the password it set cannot be put back: the old one is never read")
	case manifest.OpSetRobotCredentials:
		what := "the robot password it set cannot be put back: the old one is never read"
		if job.RobotUsername != nil {
			what = "the robot password and robot_username it set cannot be put back: the old password is never read"
		}
		p.note(job, what)
	case manifest.OpSetCredentialAsset:
		p.note(job, "the credential or secret it set cannot be put back: the old one is never read")
	case manifest.OpEnsureFolder:
		if !before.Exists {
			p.note(job, "a folder it created is not deleted (deleting a folder destroys its processes and queues): delete it by hand if needed")
		}
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess, manifest.OpSetTenantRoles:
		p.accessBack(job, before.Roles)
	case manifest.OpUpdateUnattendedRobot:
		if before.Unattended != nil {
			p.unattendedBack(job, *before.Unattended)
		}
	}
	if len(p.Rows) == 0 && len(p.Notes) == 0 {
		return nil, nil
	}
	return p.encode(job)
}

// Unknown returns the payload of a row whose change the undo manifest
// cannot put back because its target's state before the write was not
// read: a not-undoable line naming the row and why (say, "its state was
// not read: the organization's user list is longer than the run holds").
// why must hold no secret.
func Unknown(job *manifest.Job, why string) (json.RawMessage, error) {
	if job == nil {
		return nil, fmt.Errorf("undo: no row")
	}
	p := payload{Source: job.Source.String()}
	p.note(job, why)
	return p.encode(job)
}

// kindOf is the kind of target an op changes (0 for an unknown op).
func kindOf(op manifest.Op) Kind {
	switch op {
	case manifest.OpUpdateUser, manifest.OpSetPassword, manifest.OpChangePassword, manifest.OpEnsureUser, manifest.OpDeleteUser:
		return KindUser
	case manifest.OpUpdateRobotAccount, manifest.OpEnsureRobotAccount, manifest.OpDeleteRobotAccount, manifest.OpSetRobotCredentials:
		return KindRobot
	case manifest.OpEnsureGroup, manifest.OpDeleteGroup:
		return KindGroup
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess, manifest.OpSetTenantRoles:
		return KindAccess
	case manifest.OpEnsureFolder:
		return KindFolder
	case manifest.OpUpdateUnattendedRobot:
		return KindUnattended
	case manifest.OpSetCredentialAsset:
		return KindAsset
	}
	return 0
}

// accessBack puts back the roles an access row's account held: the same
// set again, or, where it held none, out of the folder (or without the
// tenant roles the row gave).
func (p *payload) accessBack(job *manifest.Job, had []string) {
	e := entry{Op: manifest.OpSetFolderAccess, T: job.Target.Kind, V: job.Target.Value, Folder: job.Folder}
	switch {
	case job.Op == manifest.OpSetTenantRoles && len(had) == 0:
		e.Op, e.RolesRemove = manifest.OpSetTenantRoles, job.Roles
		if job.Roles == nil {
			e.RolesRemove = job.RolesToAdd
		}
	case job.Op == manifest.OpSetTenantRoles:
		e.Op, e.Roles = manifest.OpSetTenantRoles, had
	case len(had) == 0:
		e.Op = manifest.OpRemoveFolderAccess
	default:
		e.Roles = had
	}
	p.add(e)
}

// unattendedBack puts back the settings an update_unattended_robot row
// changed.
func (p *payload) unattendedBack(job *manifest.Job, before Unattended) {
	e := entry{Op: manifest.OpUpdateUnattendedRobot, T: job.Target.Kind, V: job.Target.Value}
	if v := job.RobotUsername; v != nil && !strings.EqualFold(*v, before.UserName) {
		e.RobotUser = &before.UserName
	}
	if v := job.CredentialType; v != nil && !strings.EqualFold(*v, before.CredentialType) && before.CredentialType != "" {
		e.CredentialType = &before.CredentialType
	}
	if job.ExecutionSettings != nil && before.ExecutionSettings != nil {
		e.ExecutionSettings = before.ExecutionSettings
	}
	if v := job.LimitConcurrentExecution; v != nil && *v != before.LimitConcurrentExecution {
		e.Limit = &before.LimitConcurrentExecution
	}
	p.add(e)
}

// kindUndo is how the rows of one kind of target are put back.
type kindUndo struct {
	// delete deletes a target that an ensure_* row created, named as the
	// ensure_* row names it (by named).
	delete manifest.Op
	named  manifest.TargetKind
	// update puts back what a row changes on a target that was there; nil
	// where there is nothing to put back (ensure_group on a group that
	// was there changes nothing).
	update func(*payload, *manifest.Job, Before)
	// recreate creates a deleted target again.
	recreate func(*payload, *manifest.Job, Before)
}

// undoes is, by kind of target, how its rows are put back.
var undoes = map[Kind]kindUndo{
	KindUser:  {manifest.OpDeleteUser, manifest.TargetEmail, (*payload).userUpdate, (*payload).userRecreate},
	KindRobot: {manifest.OpDeleteRobotAccount, manifest.TargetRobotName, (*payload).robotUpdate, (*payload).robotRecreate},
	KindGroup: {manifest.OpDeleteGroup, manifest.TargetGroupName, nil, (*payload).groupRecreate},
}

// String names the kind as messages do.
func (k Kind) String() string {
	switch k {
	case KindUser:
		return "user"
	case KindRobot:
		return "robot account"
	case KindGroup:
		return "group"
	case KindAccess:
		return "access"
	case KindFolder:
		return "folder"
	case KindUnattended:
		return "unattended robot"
	case KindAsset:
		return "asset"
	}
	return fmt.Sprintf("kind %d", int(k))
}

// userTarget names a user in an undo row: by email, which stays the same
// when an account is created again; by id when it has none.
func userTarget(job *manifest.Job, before Before) (manifest.TargetKind, string) {
	return lastingTarget(job, manifest.TargetEmail, before.Email, manifest.TargetUserID, before.ID)
}

// robotTarget names a robot account in an undo row: by name.
func robotTarget(job *manifest.Job, before Before) (manifest.TargetKind, string) {
	return lastingTarget(job, manifest.TargetRobotName, before.Name, manifest.TargetRobotAccountID, before.ID)
}

// lastingTarget names a target by what stays the same when it is created
// again (kind by: value as read before the write, or the row's own target
// when it names it so), else by its id (kind byID), else as the row
// names it.
func lastingTarget(job *manifest.Job, by manifest.TargetKind, value string, byID manifest.TargetKind, id string) (manifest.TargetKind, string) {
	switch {
	case value != "":
		return by, value
	case job.Target.Kind == by:
		return by, job.Target.Value
	case id != "":
		return byID, id
	}
	return job.Target.Kind, job.Target.Value
}

// userUpdate puts back what an update_user row, or an ensure_user row on
// an existing user, changes.
func (p *payload) userUpdate(job *manifest.Job, before Before) {
	e := entry{Op: manifest.OpUpdateUser}
	e.T, e.V = userTarget(job, before)
	p.oldString(job, &e.Name, "name", job.Name, before.Name)
	p.oldString(job, &e.Surname, "surname", job.Surname, before.Surname)
	p.oldString(job, &e.DisplayName, "display_name", job.DisplayName, before.DisplayName)
	e.IsActive = oldBool(job.IsActive, before.IsActive)
	e.Bypass = oldBool(job.BypassBasicAuthRestriction, before.BypassBasicAuthRestriction)
	e.Invitation = oldBool(job.InvitationAccepted, before.InvitationAccepted)
	e.Add, e.Remove = groupsBack(job, before.Groups)
	p.add(e)
}

// robotUpdate puts back what an update_robot_account row, or an
// ensure_robot_account row on an existing robot account, changes.
func (p *payload) robotUpdate(job *manifest.Job, before Before) {
	e := entry{Op: manifest.OpUpdateRobotAccount}
	e.T, e.V = robotTarget(job, before)
	p.oldString(job, &e.DisplayName, "display_name", job.DisplayName, before.DisplayName)
	e.Add, e.Remove = groupsBack(job, before.Groups)
	p.add(e)
}

// userRecreate creates a deleted user again, as an ensure_user row.
func (p *payload) userRecreate(job *manifest.Job, before Before) {
	if before.Email == "" {
		p.note(job, "the user it deleted had no email, which ensure_user needs to create it again")
		return
	}
	e := entry{Op: manifest.OpEnsureUser, T: manifest.TargetEmail, V: before.Email,
		UserName: nonEmpty(before.UserName), Name: nonEmpty(before.Name), Surname: nonEmpty(before.Surname),
		DisplayName: nonEmpty(before.DisplayName), Groups: names(before.Groups)}
	if before.BypassBasicAuthRestriction {
		e.Bypass = ptr(true)
	}
	p.add(e)
	why := fmt.Sprintf("the user it deleted (id %s) is created again with a new id and no password", before.ID)
	if !before.IsActive {
		why += "; it was inactive and is created active"
	}
	p.note(job, why)
}

// robotRecreate creates a deleted robot account again.
func (p *payload) robotRecreate(job *manifest.Job, before Before) {
	t, v := robotTarget(job, before)
	if t != manifest.TargetRobotName {
		p.note(job, "the robot account it deleted had no name, which ensure_robot_account needs to create it again")
		return
	}
	p.add(entry{Op: manifest.OpEnsureRobotAccount, T: t, V: v, DisplayName: nonEmpty(before.DisplayName), Groups: names(before.Groups)})
	p.note(job, fmt.Sprintf("the robot account it deleted (id %s) is created again with a new id", before.ID))
}

// groupRecreate creates a deleted local group again and puts its members
// back in it.
func (p *payload) groupRecreate(job *manifest.Job, before Before) {
	name := before.Name
	if name == "" && job.Target.Kind == manifest.TargetGroupName {
		name = job.Target.Value
	}
	if name == "" {
		p.note(job, "the group it deleted had no name to create it again with")
		return
	}
	p.add(entry{Op: manifest.OpEnsureGroup, T: manifest.TargetGroupName, V: name})
	for _, m := range before.Members {
		switch {
		case m.Email != "":
			p.add(entry{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: m.Email, Add: []string{name}})
		case m.RobotName != "":
			p.add(entry{Op: manifest.OpUpdateRobotAccount, T: manifest.TargetRobotName, V: m.RobotName, Add: []string{name}})
		}
	}
	p.note(job, fmt.Sprintf("the group it deleted (id %s) is created again with a new id", before.ID))
}

// oldString sets *dst to the value a field held before the row when the
// row changes it. An empty value cannot be written back (an empty cell
// leaves a field unchanged): that is noted instead.
func (p *payload) oldString(job *manifest.Job, dst **string, field string, set *string, old string) {
	if set == nil || *set == old {
		return
	}
	if old == "" {
		p.note(job, field+" was empty before the run, and a manifest cannot set a field to empty")
		return
	}
	*dst = ptr(old)
}

// oldBool is the value a flag held before the row when the row changes it.
func oldBool(set *bool, old bool) *bool {
	if set == nil || *set == old {
		return nil
	}
	return ptr(old)
}

// groupsBack returns the groups that put an account's membership back:
// those the row really removed are added, those it really added are
// removed. Names compare case-insensitively, as the service's do.
func groupsBack(job *manifest.Job, had []string) (add, remove []string) {
	toAdd, toRemove := job.GroupsToAdd, job.GroupsToRemove
	if job.Groups != nil {
		toAdd, toRemove = nil, nil
		for _, g := range job.Groups {
			if !hasGroup(had, g) {
				toAdd = append(toAdd, g)
			}
		}
		for _, g := range had {
			if !hasGroup(job.Groups, g) {
				toRemove = append(toRemove, g)
			}
		}
	}
	for _, g := range toAdd {
		if !hasGroup(had, g) && !hasGroup(remove, g) {
			remove = append(remove, g)
		}
	}
	for _, g := range toRemove {
		if hasGroup(had, g) && !hasGroup(add, g) && !hasGroup(remove, g) {
			add = append(add, g)
		}
	}
	return add, remove
}

// hasGroup reports whether set holds group g, in any case.
func hasGroup(set []string, g string) bool {
	return slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(s, g) })
}

// names is a membership as an undo row writes it: each group once, in
// the order read; nil for none.
func names(groups []string) []string {
	var out []string
	for _, g := range groups {
		if g != "" && !hasGroup(out, g) {
			out = append(out, g)
		}
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }
