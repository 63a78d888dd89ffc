package manifest

import (
	"fmt"
	"hash/maphash"
	"strings"
)

// fieldMask says which fields of a target a job changes; two jobs on the
// same target conflict when their masks share a bit, because the order in
// which a parallel run applies them is not fixed.
type fieldMask uint16

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
	// fieldExistence is the account or group itself: an ensure_* row may
	// create it, a delete_* row deletes it. Two rows that may create the
	// same account would create it twice in a parallel run, and any row
	// beside one that deletes its target depends on the order.
	fieldExistence

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
	switch j.Op {
	case OpEnsureUser, OpEnsureRobotAccount, OpEnsureGroup:
		m |= fieldExistence
	case OpDeleteUser, OpDeleteRobotAccount, OpDeleteGroup:
		m |= fieldAll
	}
	return m
}

// conflictSpace is the name space of the account a job changes: identity
// users, robot accounts, groups and Orchestrator users are distinct.
func conflictSpace(j *Job) string {
	switch j.Op {
	case OpUpdateRobotAccount, OpEnsureRobotAccount, OpDeleteRobotAccount:
		return "robot"
	case OpSetRobotCredentials:
		return "orchestrator"
	case OpEnsureGroup, OpDeleteGroup:
		return "group"
	}
	return "user"
}

// conflictKey names the account a job changes.
func conflictKey(j *Job) string { return conflictSpace(j) + ":" + j.Target.Key() }

// conflictHash hashes conflictKey(j) without building the string (the first
// pass does this for every row).
func conflictHash(seed maphash.Seed, j *Job) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(conflictSpace(j))
	h.WriteByte(':')
	h.WriteString(string(j.Target.Kind))
	h.WriteByte('=')
	h.WriteString(j.Target.normalizedValue())
	return h.Sum64()
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
	msg := fmt.Sprintf("%s is already changed by line %d (%s): both rows change %s, and a run applies rows in parallel, in no fixed order; merge them into one row or move one to another manifest",
		j.Target, earliest, earliestOp, shared)
	if j.Op.Deletes() || earliestOp.Deletes() {
		msg = fmt.Sprintf("%s is already named by line %d (%s), and %s deletes it: a run applies rows in parallel, in no fixed order; keep one of the two rows, or move one to another manifest",
			j.Target, earliest, earliestOp, deleter(j.Op, earliestOp, earliest))
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
