package apply

import (
	"encoding/json"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/undo"
)

// recordUndo computes what puts r's change back from the state l read
// before the write, for the row's journal intent (see package undo). A
// resumed row keeps the interrupted run's: the state now may be that
// run's own change.
func (a *applier) recordUndo(r *row, l look) error {
	if a.opts.Journal == nil {
		return nil
	}
	if r.prior != nil && len(r.prior.Undo) > 0 {
		r.undo = r.prior.Undo
		return nil
	}
	job := *l.job
	if job.Groups == nil {
		job.GroupsToAdd, job.GroupsToRemove = a.groupNames(job.GroupsToAdd), a.groupNames(job.GroupsToRemove)
	}
	var payload json.RawMessage
	var err error
	if a.stateUnread(r.job.Op, l) {
		payload, err = undo.Unknown(&job, "its state before the run was not read: put it back by hand if needed")
	} else {
		payload, err = undo.Compute(&job, a.before(r.job.Op, l))
	}
	if err != nil {
		return failf(report.CodeJournal, "nothing was sent: %v", err)
	}
	r.undo = payload
	return nil
}

// stateUnread reports whether an update's or a delete's target was not
// read before its write (a run that records undo reads it: this is a
// guard).
func (a *applier) stateUnread(op manifest.Op, l look) bool {
	switch op {
	case manifest.OpUpdateUser, manifest.OpDeleteUser:
		return !l.userKnown
	case manifest.OpUpdateRobotAccount, manifest.OpDeleteRobotAccount:
		return !l.robotKnown
	}
	return false
}

// groupNames names groups by name, as undo manifests do.
func (a *applier) groupNames(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = a.resolver.GroupName(id)
	}
	return out
}

// before is the state l read, as undo needs it.
func (a *applier) before(op manifest.Op, l look) undo.Before {
	switch op {
	case manifest.OpEnsureFolder:
		return undo.Before{Kind: undo.KindFolder, Exists: len(l.access.create) == 0}
	case manifest.OpSetCredentialAsset:
		return undo.Before{Kind: undo.KindAsset, Exists: true}
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess, manifest.OpSetTenantRoles:
		return undo.Before{Kind: undo.KindAccess, Exists: true, Roles: l.access.had}
	case manifest.OpUpdateUnattendedRobot:
		b := undo.Before{Kind: undo.KindUnattended, Exists: true}
		if o := l.orch.read; o != nil && o.UnattendedRobot != nil {
			rb := o.UnattendedRobot
			b.Unattended = &undo.Unattended{UserName: rb.UserName, CredentialType: rb.CredentialType, LimitConcurrentExecution: rb.LimitConcurrentExecution}
			if rb.ExecutionSettings != nil {
				b.Unattended.ExecutionSettings, _ = json.Marshal(rb.ExecutionSettings)
			}
		}
		return b
	case manifest.OpEnsureGroup, manifest.OpDeleteGroup:
		b := undo.Before{Kind: undo.KindGroup, Exists: !l.create, ID: l.group.ID, Name: l.group.Name}
		if op == manifest.OpDeleteGroup {
			emails, robots := a.resolver.Members(l.group.ID)
			for _, e := range emails {
				b.Members = append(b.Members, undo.Member{Email: e})
			}
			for _, n := range robots {
				b.Members = append(b.Members, undo.Member{RobotName: n})
			}
		}
		return b
	case manifest.OpUpdateRobotAccount, manifest.OpEnsureRobotAccount, manifest.OpDeleteRobotAccount, manifest.OpSetRobotCredentials:
		return undo.Before{Kind: undo.KindRobot, Exists: !l.create, ID: l.robot.ID, Name: l.robot.Name,
			DisplayName: l.robot.DisplayName, Groups: a.groupNames(l.robot.GroupIDs)}
	}
	u := l.user
	return undo.Before{Kind: undo.KindUser, Exists: !l.create, ID: u.ID, Email: u.Email, UserName: u.UserName,
		Name: u.Name, Surname: u.Surname, DisplayName: u.DisplayName, IsActive: u.IsActive,
		BypassBasicAuthRestriction: u.BypassBasicAuthRestriction, InvitationAccepted: u.InvitationAccepted,
		Groups: a.groupNames(u.GroupIDs)}
}
