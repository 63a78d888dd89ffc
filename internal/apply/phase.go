package apply

import "github.com/uipath-batch/batch/internal/manifest"

// Phase is a pass of a run over its manifest. A run creates groups first,
// then creates and changes accounts, then changes memberships, then
// deletes, whatever the order of the manifest's rows: a row may name a
// group that a row below it creates, and nothing is deleted before
// everything else of the run is done.
type Phase int

// The phases, in the order a run takes them.
const (
	PhaseGroups Phase = iota
	PhaseAccounts
	PhaseMemberships
	PhaseDeletes
	phaseCount
)

// String names the phase for messages.
func (p Phase) String() string {
	switch p {
	case PhaseGroups:
		return "groups"
	case PhaseAccounts:
		return "accounts"
	case PhaseMemberships:
		return "memberships"
	}
	return "deletes"
}

// PhaseOf is the phase a row runs in. Rows of update_user and ensure_user
// that change nothing but group memberships run in PhaseMemberships, where
// they go out as one request per group (see Options.BulkSize).
func PhaseOf(j *manifest.Job) Phase {
	switch {
	case j.Op == manifest.OpEnsureGroup:
		return PhaseGroups
	case j.Op.Deletes():
		return PhaseDeletes
	case membershipOnly(j):
		return PhaseMemberships
	}
	return PhaseAccounts
}

// membershipOnly reports whether a user row changes group memberships and
// nothing else.
func membershipOnly(j *manifest.Job) bool {
	if j.Op != manifest.OpUpdateUser && j.Op != manifest.OpEnsureUser {
		return false
	}
	if j.Groups == nil && len(j.GroupsToAdd)+len(j.GroupsToRemove) == 0 {
		return false
	}
	return j.Name == nil && j.Surname == nil && j.DisplayName == nil && j.UserName == nil &&
		j.IsActive == nil && j.BypassBasicAuthRestriction == nil && j.InvitationAccepted == nil &&
		j.NewPassword == nil && j.InitialPassword == nil
}
