package undo

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
)

// payload is what the journal records, with a row's intent, to undo the
// row: the undo rows, and what cannot be put back. It holds no secret.
type payload struct {
	// Source is the row's FILE:LINE.
	Source string  `json:"src"`
	Rows   []entry `json:"rows,omitempty"`
	// Notes say what the undo does not put back, and why.
	Notes []string `json:"notes,omitempty"`
}

// entry is one undo row. For an ensure_* op (an account created again)
// Groups is its exact membership; for an update_* op, Add and Remove
// change it.
type entry struct {
	Op          manifest.Op         `json:"op"`
	T           manifest.TargetKind `json:"t"`
	V           string              `json:"v"`
	UserName    *string             `json:"username,omitempty"`
	Name        *string             `json:"name,omitempty"`
	Surname     *string             `json:"surname,omitempty"`
	DisplayName *string             `json:"display_name,omitempty"`
	IsActive    *bool               `json:"is_active,omitempty"`
	Bypass      *bool               `json:"bypass,omitempty"`
	Invitation  *bool               `json:"invitation_accepted,omitempty"`
	Groups      []string            `json:"groups,omitempty"`
	Add         []string            `json:"add,omitempty"`
	Remove      []string            `json:"remove,omitempty"`
	// Folder, Roles and RolesRemove put access back: the roles held in
	// Folder (or the tenant's) before the run.
	Folder      string   `json:"folder,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	RolesRemove []string `json:"roles_remove,omitempty"`
	// The settings of an unattended robot before the run.
	RobotUser         *string         `json:"robot_username,omitempty"`
	CredentialType    *string         `json:"credential_type,omitempty"`
	ExecutionSettings json.RawMessage `json:"execution_settings,omitempty"`
	Limit             *bool           `json:"limit_concurrent_execution,omitempty"`
}

// add keeps e when it changes anything: an update that puts nothing back
// is no row.
func (p *payload) add(e entry) {
	if e.empty() {
		return
	}
	p.Rows = append(p.Rows, e)
}

// note records what the undo of job cannot put back.
func (p *payload) note(job *manifest.Job, why string) {
	p.Notes = append(p.Notes, fmt.Sprintf("%s %s %s: %s", job.Source, job.Op, job.Target, why))
}

// encode is p as the journal records it with job's intent.
func (p *payload) encode(job *manifest.Job) (json.RawMessage, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("undo: row %s: %w", job.Source, err)
	}
	return data, nil
}

// empty reports whether e is an update that changes nothing.
func (e *entry) empty() bool {
	switch e.Op {
	case manifest.OpSetFolderAccess, manifest.OpSetTenantRoles:
		return len(e.Roles)+len(e.RolesRemove) == 0
	case manifest.OpUpdateUnattendedRobot:
		return e.RobotUser == nil && e.CredentialType == nil && e.ExecutionSettings == nil && e.Limit == nil
	}
	if e.Op != manifest.OpUpdateUser && e.Op != manifest.OpUpdateRobotAccount {
		return false
	}
	return e.Name == nil && e.Surname == nil && e.DisplayName == nil && e.IsActive == nil && e.Bypass == nil &&
		e.Invitation == nil && len(e.Add) == 0 && len(e.Remove) == 0
}

// space is the name space of e's target: users, robot accounts and groups
// are distinct, as the manifest's check of conflicting rows has them.
func (e *entry) space() string {
	switch e.Op {
	case manifest.OpUpdateRobotAccount, manifest.OpEnsureRobotAccount, manifest.OpDeleteRobotAccount:
		return "robot"
	case manifest.OpEnsureGroup, manifest.OpDeleteGroup:
		return "group"
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess:
		return "folder-access:" + strings.ToLower(e.Folder)
	case manifest.OpSetTenantRoles:
		return "tenant-roles"
	case manifest.OpUpdateUnattendedRobot:
		return "unattended"
	}
	return "user"
}

// key names e's target: two undo rows with one key are one row in the
// undo manifest (the manifest refuses two rows changing one field of a
// target).
func (e *entry) key() string {
	return e.space() + ":" + manifest.Target{Kind: e.T, Value: e.V}.Key()
}

// deletes reports whether e deletes its target.
func (e *entry) deletes() bool { return e.Op.Deletes() }

// creates reports whether e creates its target again (an ensure_* row).
func (e *entry) creates() bool {
	switch e.Op {
	case manifest.OpEnsureUser, manifest.OpEnsureRobotAccount, manifest.OpEnsureGroup:
		return true
	}
	return false
}

// job is e as a manifest row numbered n.
func (e *entry) job(n int) manifest.Job {
	j := manifest.Job{Row: n, Op: e.Op, Target: manifest.Target{Kind: e.T, Value: e.V},
		Name: e.Name, Surname: e.Surname, DisplayName: e.DisplayName,
		IsActive: e.IsActive, BypassBasicAuthRestriction: e.Bypass, InvitationAccepted: e.Invitation,
		GroupsToAdd: e.Add, GroupsToRemove: e.Remove}
	if e.Op == manifest.OpEnsureUser {
		j.UserName = e.UserName
	}
	j.Folder, j.Roles, j.RolesToRemove = e.Folder, e.Roles, e.RolesRemove
	j.RobotUsername, j.CredentialType, j.ExecutionSettings, j.LimitConcurrentExecution = e.RobotUser, e.CredentialType, e.ExecutionSettings, e.Limit
	if e.creates() && len(e.Groups) > 0 {
		j.Groups = e.Groups
	}
	return j
}

// fold merges two undo rows of one target, earlier and later in the order
// the run wrote them, into one row that puts the target back as it was
// before both. Undoing runs backwards: later's undo first, then earlier's,
// so earlier's values win. It returns the merged row, and what could not
// be merged (a note), if anything.
func fold(earlier, later entry) (entry, string) {
	switch {
	case earlier.deletes():
		// The run created the target: whatever it did to it later goes
		// with it.
		return earlier, ""
	case later.deletes():
		return earlier, fmt.Sprintf("%s was there before the run, then created again by it: not deleted", earlier.targetText())
	}
	out := earlier
	if later.creates() && !earlier.creates() {
		out.Op = later.Op
	}
	out.UserName = first(earlier.UserName, later.UserName)
	out.Name = first(earlier.Name, later.Name)
	out.Surname = first(earlier.Surname, later.Surname)
	out.DisplayName = first(earlier.DisplayName, later.DisplayName)
	out.IsActive = first(earlier.IsActive, later.IsActive)
	out.Bypass = first(earlier.Bypass, later.Bypass)
	out.Invitation = first(earlier.Invitation, later.Invitation)
	switch {
	case earlier.creates():
		// The account was deleted by the earlier row: its membership
		// then is the one to put back.
		out.Add, out.Remove = nil, nil
	case later.creates():
		set := names(later.Groups)
		for _, g := range earlier.Add {
			if !hasGroup(set, g) {
				set = append(set, g)
			}
		}
		set = slicesDeleteFold(set, earlier.Remove)
		out.Groups, out.Add, out.Remove = set, nil, nil
	default:
		out.Add, out.Remove = append([]string(nil), earlier.Add...), append([]string(nil), earlier.Remove...)
		for _, g := range later.Add {
			if !hasGroup(out.Add, g) && !hasGroup(out.Remove, g) {
				out.Add = append(out.Add, g)
			}
		}
		for _, g := range later.Remove {
			if !hasGroup(out.Add, g) && !hasGroup(out.Remove, g) {
				out.Remove = append(out.Remove, g)
			}
		}
	}
	var lost string
	if out.creates() && out.Op == manifest.OpEnsureUser && (out.IsActive != nil || out.Invitation != nil) {
		lost = fmt.Sprintf("%s is created again: is_active and invitation_accepted cannot be set by ensure_user", out.targetText())
		out.IsActive, out.Invitation = nil, nil
	}
	return out, lost
}

// first is a, or b where a is not set.
func first[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// slicesDeleteFold removes from set the groups of drop, in any case.
func slicesDeleteFold(set, drop []string) []string {
	out := set[:0]
	for _, g := range set {
		if !hasGroup(drop, g) {
			out = append(out, g)
		}
	}
	return out
}

// targetText is e's target as a person reads it, "email=ann@example.com".
func (e *entry) targetText() string { return string(e.T) + "=" + e.V }
