package manifest

import (
	"strconv"
	"strings"
)

// Cell is one column of a job written back as a manifest row.
type Cell struct {
	Column string
	Value  string // lists joined with ";"
}

// Cells returns the job as (column, value) pairs in canonical column
// order, leaving out what the job leaves unchanged. Secrets appear as
// their references (env:NAME, file:PATH, generate): a literal password is
// never written back, so its cell is left out and the row must be given a
// reference before it is run again.
func (j Job) Cells() []Cell {
	cells := make([]Cell, 0, 8)
	add := func(col, v string) { cells = append(cells, Cell{Column: col, Value: v}) }
	str := func(col string, v *string) {
		if v != nil {
			add(col, *v)
		}
	}
	boolean := func(col string, v *bool) {
		if v != nil {
			add(col, strconv.FormatBool(*v))
		}
	}
	list := func(col string, v []string) {
		if len(v) > 0 {
			add(col, strings.Join(v, ";"))
		}
	}
	ref := func(col string, r *SecretRef) {
		if r != nil && r.Kind != SecretLiteral {
			add(col, r.String())
		}
	}
	if j.Op != "" {
		add(ColOp, string(j.Op))
	}
	if j.Target.Kind != "" && j.Target.Kind != TargetAssetName {
		add(string(j.Target.Kind), j.Target.Value)
	}
	if j.ExpectEmail != "" {
		add(string(TargetEmail), j.ExpectEmail)
	}
	if j.ExpectUserName != "" {
		add(string(TargetUsername), j.ExpectUserName)
	}
	str(ColUserName, j.UserName)
	if j.Folder != "" {
		add(ColFolder, j.Folder)
	}
	if j.Target.Kind == TargetAssetName {
		// After its folder, as the columns go: the asset is in it.
		add(ColAssetName, j.Target.Value)
	}
	if j.ValueFor != "" {
		add(ColValueFor, j.ValueFor)
	}
	str(ColName, j.Name)
	str(ColSurname, j.Surname)
	str(ColDisplayName, j.DisplayName)
	boolean(ColIsActive, j.IsActive)
	boolean(ColBypassBasicAuthRestriction, j.BypassBasicAuthRestriction)
	boolean(ColInvitationAccepted, j.InvitationAccepted)
	if j.Groups != nil {
		// An empty set is written as an empty cell, which reads back as
		// "leave unchanged": a manifest cannot empty a membership.
		add(ColGroups, strings.Join(j.Groups, ";"))
	}
	list(ColGroupsToAdd, j.GroupsToAdd)
	list(ColGroupsToRemove, j.GroupsToRemove)
	if j.Roles != nil {
		// Never empty in a valid job: an empty cell reads back as no
		// roles given, which the row's op refuses.
		add(ColRoles, strings.Join(j.Roles, ";"))
	}
	list(ColRolesToAdd, j.RolesToAdd)
	list(ColRolesToRemove, j.RolesToRemove)
	str(ColRobotUsername, j.RobotUsername)
	str(ColCredentialType, j.CredentialType)
	if j.ExecutionSettings != nil {
		add(ColExecutionSettings, string(j.ExecutionSettings))
	}
	boolean(ColLimitConcurrentExecution, j.LimitConcurrentExecution)
	str(ColCredentialUsername, j.CredentialUsername)
	ref(ColOldPassword, j.OldPassword)
	ref(ColNewPassword, j.NewPassword)
	ref(ColInitialPassword, j.InitialPassword)
	return cells
}
