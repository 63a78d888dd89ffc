package apply

import (
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// Phase is a pass of a run over its manifest. A run creates groups first,
// then Orchestrator folders, then creates and changes accounts, then
// changes memberships, then Orchestrator access (roles in folders, then
// tenant roles and unattended settings), then deletes, whatever the order of
// the manifest's rows: a row may name a group, folder or account that a
// row below it creates, and nothing is deleted before everything else of
// the run is done.
type Phase int

// The phases, in the order a run takes them.
const (
	PhaseGroups Phase = iota
	PhaseFolders
	PhaseAccounts
	PhaseMemberships
	PhaseAccess
	PhaseTenantRoles
	PhaseDeletes
	phaseCount
)

// String names the phase for messages.
func (p Phase) String() string {
	switch p {
	case PhaseGroups:
		return "groups"
	case PhaseFolders:
		return "folders"
	case PhaseAccess:
		return "folder access"
	case PhaseTenantRoles:
		return "tenant roles"
	case PhaseAccounts:
		return "accounts"
	case PhaseMemberships:
		return "memberships"
	}
	return "deletes"
}

// PhaseOf is the phase a row runs in. Rows of users and robot accounts
// that change nothing but group memberships run in PhaseMemberships, where
// they go out through the group endpoint, one request per group, when
// bulk requests are on (see RunConfig.BulkSize): it needs only the group
// scope, where changing groups through the user endpoint needs the
// application to be in the organization's Administrators group.
func PhaseOf(j *manifest.Job) Phase {
	switch {
	case j.Op == manifest.OpEnsureGroup:
		return PhaseGroups
	case j.Op == manifest.OpEnsureFolder:
		return PhaseFolders
	case j.Op.FolderScoped():
		return PhaseAccess
	case j.Op == manifest.OpSetTenantRoles || j.Op == manifest.OpUpdateUnattendedRobot || j.Op == manifest.OpSetCredentialAsset:
		// After folder access, which makes the Orchestrator users of
		// accounts it is the first to give access to.
		return PhaseTenantRoles
	case j.Op.Deletes():
		return PhaseDeletes
	case membershipOnly(j):
		return PhaseMemberships
	}
	return PhaseAccounts
}

// membershipOnly reports whether a user or robot-account row changes
// group memberships and nothing else.
func membershipOnly(j *manifest.Job) bool {
	if j.Groups == nil && len(j.GroupsToAdd)+len(j.GroupsToRemove) == 0 {
		return false
	}
	switch j.Op {
	case manifest.OpUpdateUser, manifest.OpEnsureUser:
	case manifest.OpUpdateRobotAccount, manifest.OpEnsureRobotAccount:
		return j.DisplayName == nil
	default:
		return false
	}
	return j.Name == nil && j.Surname == nil && j.DisplayName == nil && j.UserName == nil &&
		j.IsActive == nil && j.BypassBasicAuthRestriction == nil && j.InvitationAccepted == nil &&
		j.NewPassword == nil && j.InitialPassword == nil
}

// Created says which kinds a phase created accounts or groups of (or may
// have: a create whose answer was lost), so that the lists read before it
// are read again for the next phase.
type Created struct{ Users, Robots, Groups bool }

// note counts res in: a row that created its account or group.
func (c *Created) note(res report.Result) {
	if res.Status != report.StatusSucceeded && res.ErrorCode != report.CodeOutcomeUnknown ||
		len(res.Changes) == 0 || !strings.HasPrefix(res.Changes[0].New, changeCreate) {
		return
	}
	switch manifest.Op(res.Op) {
	case manifest.OpEnsureUser:
		c.Users = true
	case manifest.OpEnsureRobotAccount:
		c.Robots = true
	case manifest.OpEnsureGroup:
		c.Groups = true
	}
}
