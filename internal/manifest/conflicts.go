package manifest

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
)

// fieldMask says which fields of a target a job changes; two jobs on the
// same target conflict when their masks share a bit, because the order in
// which a parallel run applies them is not fixed.
type fieldMask uint32

const (
	fieldName fieldMask = 1 << iota
	fieldSurname
	fieldDisplayName
	fieldIsActive
	fieldBypassBasicAuth
	fieldInvitationAccepted
	fieldGroups
	fieldPassword
	fieldRobotUsername
	fieldUserName
	// fieldExistence is the account, group or folder itself: an ensure_*
	// row may create it, a delete_* row deletes it. Two rows that may
	// create the same account would create it twice in a parallel run, and
	// any row beside one that deletes its target depends on the order.
	fieldExistence
	// fieldUnattendedRobot is an Orchestrator user's unattended robot,
	// which every write replaces whole (set_robot_credentials,
	// update_unattended_robot): two rows writing it in parallel could each
	// undo the other's change.
	fieldUnattendedRobot
	// fieldFolderRoles is an account's or group's roles in one folder (the
	// folder is part of the conflict key); fieldTenantRoles its tenant
	// roles.
	fieldFolderRoles
	fieldTenantRoles
	// fieldCredentialUsername is a credential asset's user name (or one
	// robot's or user's value's: the value is part of the conflict key).
	fieldCredentialUsername

	fieldCount = iota // number of fields above
)

// fieldAll is every field: what a delete changes.
const fieldAll = fieldMask(1)<<fieldCount - 1

var fieldMaskNames = []struct {
	bit  fieldMask
	name string
}{
	{fieldName, "name"}, {fieldSurname, "surname"}, {fieldDisplayName, "display_name"},
	{fieldIsActive, "is_active"}, {fieldBypassBasicAuth, "bypass_basic_auth_restriction"},
	{fieldInvitationAccepted, "invitation_accepted"}, {fieldGroups, "group membership"},
	{fieldPassword, "the password"}, {fieldRobotUsername, "robot_username"},
	{fieldUserName, "username"}, {fieldExistence, "whether it exists (created or deleted)"},
	{fieldUnattendedRobot, "the unattended robot (each write replaces it whole)"},
	{fieldFolderRoles, "its roles in that folder"}, {fieldTenantRoles, "its tenant roles"},
	{fieldCredentialUsername, "credential_username"},
}

func (m fieldMask) String() string {
	var names []string
	for _, f := range fieldMaskNames {
		if m&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ", ")
}

// touches returns the fields a job changes.
func touches(j *Job) fieldMask {
	var m fieldMask
	set := func(on bool, bit fieldMask) {
		if on {
			m |= bit
		}
	}
	set(j.Name != nil, fieldName)
	set(j.Surname != nil, fieldSurname)
	set(j.DisplayName != nil, fieldDisplayName)
	set(j.IsActive != nil, fieldIsActive)
	set(j.BypassBasicAuthRestriction != nil, fieldBypassBasicAuth)
	set(j.InvitationAccepted != nil, fieldInvitationAccepted)
	set(len(j.GroupsToAdd)+len(j.GroupsToRemove) > 0 || j.Groups != nil, fieldGroups)
	set(j.NewPassword != nil || j.OldPassword != nil || j.InitialPassword != nil || j.Op == OpSetPassword || j.Op == OpChangePassword, fieldPassword)
	set(j.RobotUsername != nil, fieldRobotUsername)
	set(j.UserName != nil, fieldUserName)
	set(j.CredentialUsername != nil, fieldCredentialUsername)
	switch j.Op {
	case OpEnsureUser, OpEnsureRobotAccount, OpEnsureGroup, OpEnsureFolder:
		m |= fieldExistence
	case OpDeleteUser, OpDeleteRobotAccount, OpDeleteGroup:
		m |= fieldAll
	case OpSetRobotCredentials, OpUpdateUnattendedRobot:
		m |= fieldUnattendedRobot
	case OpSetFolderAccess, OpRemoveFolderAccess:
		m |= fieldFolderRoles
	case OpSetTenantRoles:
		m |= fieldTenantRoles
	}
	return m
}

// conflictSpace is the name space of what a job changes: identity users,
// robot accounts, groups, Orchestrator users, folders, and the folder and
// tenant roles of accounts and groups are distinct. An ensure_user row and
// a set_folder_access row of the same email change different things (the
// account, its access) and never conflict.
func conflictSpace(j *Job) string {
	switch j.Op {
	case OpUpdateRobotAccount, OpEnsureRobotAccount, OpDeleteRobotAccount:
		return "robot"
	case OpSetRobotCredentials, OpUpdateUnattendedRobot:
		return "orchestrator"
	case OpEnsureGroup, OpDeleteGroup:
		return "group"
	case OpEnsureFolder:
		return "folder"
	case OpSetFolderAccess, OpRemoveFolderAccess:
		return "folder-access"
	case OpSetTenantRoles:
		return "tenant-roles"
	case OpSetCredentialAsset:
		return "asset"
	}
	return "user"
}

// ConflictKey names what a job changes, normalized: two valid rows with
// the same key change the same account, group, folder, roles of an
// account or group (in one folder: the folder is part of the key of
// set_folder_access and remove_folder_access), or value of an asset (the
// asset's own, or one robot's or user's: the folder and value_for are part
// of set_credential_asset's key), and conflict when they change the same
// fields of it. It is "SPACE:", then for the ops that name a folder the
// folder path's length and the path in lower case, each followed by ":",
// then for a robot's or user's value of an asset the name's length and
// the name in lower case, each followed by ":", then Target.Key():
// "user:email=ann@example.com",
// "folder-access:10:finance/ap:email=ann@example.com",
// "asset:10:finance/ap:asset_name=db login",
// "asset:10:finance/ap:9:robot-001:asset_name=db login".
func (j *Job) ConflictKey() string {
	return conflictSpace(j) + ":" + conflictScope(j) + j.Target.Key()
}

// conflictScope is the folder and value_for part of a conflict key (see
// ConflictKey), "" for ops that name no folder. Each goes in with its
// length, so that no path, name and target can run together into
// another's key (after the folder, a digit starts a value_for, a letter
// the target).
func conflictScope(j *Job) string {
	if !j.Op.NeedsFolder() {
		return ""
	}
	scope := lengthPrefixed(j.Folder)
	if j.ValueFor != "" {
		scope += lengthPrefixed(j.ValueFor)
	}
	return scope
}

// lengthPrefixed is s in lower case as a part of a conflict key: its
// length, ":", s, ":".
func lengthPrefixed(s string) string {
	s = strings.ToLower(s)
	return strconv.Itoa(len(s)) + ":" + s + ":"
}

// conflictHash hashes j.ConflictKey() without building the string (the
// first pass does this for every row).
func conflictHash(seed maphash.Seed, j *Job) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(conflictSpace(j))
	h.WriteByte(':')
	h.WriteString(conflictScope(j))
	h.WriteString(string(j.Target.Kind))
	h.WriteByte('=')
	h.WriteString(j.Target.normalizedValue())
	return h.Sum64()
}

// conflictSubject names what a conflicting row changes, for messages: its
// target, the folder where the roles are a folder's or the asset is in,
// and the robot or user whose value of an asset it is.
func conflictSubject(j *Job) string {
	switch {
	case j.Op == OpSetCredentialAsset && j.ValueFor != "":
		return j.Target.String() + " in folder " + j.Folder + " (its value for " + j.ValueFor + ")"
	case j.Op.NeedsFolder():
		return j.Target.String() + " in folder " + j.Folder
	}
	return j.Target.String()
}

// fieldOwners remembers, for one candidate target, the first row that
// changed each field: a fixed size whatever the number of rows naming it.
type fieldOwners struct {
	line [fieldCount]int
	op   [fieldCount]Op
}

// claim records job's fields and returns a problem when an earlier row
// already changes one of them.
func (o *fieldOwners) claim(j *Job, mask fieldMask) (Problem, bool) {
	earliest, shared := 0, fieldMask(0)
	var earliestOp Op
	for i, f := range fieldMaskNames {
		if mask&f.bit == 0 || o.line[i] == 0 {
			continue
		}
		switch {
		case earliest == 0 || o.line[i] < earliest:
			earliest, earliestOp, shared = o.line[i], o.op[i], f.bit
		case o.line[i] == earliest:
			shared |= f.bit
		}
	}
	for i, f := range fieldMaskNames {
		if mask&f.bit != 0 && o.line[i] == 0 {
			o.line[i], o.op[i] = j.Source.Line, j.Op
		}
	}
	if earliest == 0 {
		return Problem{}, false
	}
	subject := conflictSubject(j)
	msg := fmt.Sprintf("%s is already changed by line %d (%s): both rows change %s, and a run applies rows in parallel, in no fixed order; merge them into one row or move one to another manifest",
		subject, earliest, earliestOp, shared)
	switch {
	case j.Op.Deletes() || earliestOp.Deletes():
		msg = fmt.Sprintf("%s is already named by line %d (%s), and %s deletes it: a run applies rows in parallel, in no fixed order; keep one of the two rows, or move one to another manifest",
			subject, earliest, earliestOp, deleter(j.Op, earliestOp, earliest))
	case j.Op == OpEnsureFolder && earliestOp == OpEnsureFolder:
		msg = fmt.Sprintf("%s is already ensured by line %d: the same folder twice; remove one of the two rows", subject, earliest)
	}
	return Problem{Source: j.Source, Column: string(j.Target.Kind), Message: msg}, true
}

// deleter says which of two conflicting rows deletes their target.
func deleter(this, earlier Op, earlierLine int) string {
	switch {
	case this.Deletes() && earlier.Deletes():
		return "each"
	case this.Deletes():
		return "this row"
	}
	return fmt.Sprintf("line %d", earlierLine)
}
