package apply

import (
	"slices"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
)

// unknown stands for a current value that was not read.
const unknown = "?"

// userChanges lists what job would change on u. known says whether u holds
// the user's current state; when it does not, old values show as "?" and
// every field the job sets counts as a change.
func userChanges(job *manifest.Job, u *User, known bool, groupName func(string) string) []report.Change {
	var cs []report.Change
	str := func(field string, want *string, have string) {
		if want == nil {
			return
		}
		if !known {
			cs = append(cs, report.Change{Field: field, Old: unknown, New: quote(*want)})
		} else if *want != have {
			cs = append(cs, report.Change{Field: field, Old: quote(have), New: quote(*want)})
		}
	}
	boolean := func(field string, want *bool, have bool) {
		if want == nil {
			return
		}
		if !known {
			cs = append(cs, report.Change{Field: field, Old: unknown, New: strconv.FormatBool(*want)})
		} else if *want != have {
			cs = append(cs, report.Change{Field: field, Old: strconv.FormatBool(have), New: strconv.FormatBool(*want)})
		}
	}
	str("name", job.Name, u.Name)
	str("surname", job.Surname, u.Surname)
	str("display_name", job.DisplayName, u.DisplayName)
	boolean("is_active", job.IsActive, u.IsActive)
	boolean("bypass_basic_auth_restriction", job.BypassBasicAuthRestriction, u.BypassBasicAuthRestriction)
	boolean("invitation_accepted", job.InvitationAccepted, u.InvitationAccepted)
	if c, ok := groupChange(job.GroupsToAdd, job.GroupsToRemove, u.GroupIDs, known, groupName); ok {
		cs = append(cs, c)
	}
	if job.NewPassword != nil {
		cs = append(cs, report.Change{Field: "password", Old: secret.Redacted, New: secret.Redacted})
	}
	return cs
}

// robotChanges lists what job would change on r.
func robotChanges(job *manifest.Job, r *Robot, known bool, groupName func(string) string) []report.Change {
	var cs []report.Change
	if job.DisplayName != nil {
		switch {
		case !known:
			cs = append(cs, report.Change{Field: "display_name", Old: unknown, New: quote(*job.DisplayName)})
		case *job.DisplayName != r.DisplayName:
			cs = append(cs, report.Change{Field: "display_name", Old: quote(r.DisplayName), New: quote(*job.DisplayName)})
		}
	}
	if c, ok := groupChange(job.GroupsToAdd, job.GroupsToRemove, r.GroupIDs, known, groupName); ok {
		cs = append(cs, c)
	}
	return cs
}

// credentialChanges describes a set_robot_credentials row: the password is
// always a change (it cannot be read), the Windows account may be one.
func credentialChanges(job *manifest.Job, o *OrchestratorUser) []report.Change {
	account := o.RobotUserName
	var cs []report.Change
	if job.RobotUsername != nil && !strings.EqualFold(*job.RobotUsername, o.RobotUserName) {
		cs = append(cs, report.Change{Field: "robot_username", Old: quote(o.RobotUserName), New: quote(*job.RobotUsername)})
		account = *job.RobotUsername
	}
	cs = append(cs, report.Change{Field: "robot credentials (" + account + ")", Old: secret.Redacted, New: secret.Redacted})
	return cs
}

// groupChange renders the membership difference as "+name −name" (a
// change with no old side; ids where names are not known). Without the
// current groups every requested id is shown.
func groupChange(add, remove, have []string, known bool, name func(string) string) (report.Change, bool) {
	var parts []string
	member := func(id string) bool {
		return slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, id) })
	}
	for _, id := range add {
		if !known || !member(id) {
			parts = append(parts, "+"+groupLabel(name(id)))
		}
	}
	for _, id := range remove {
		if !known || member(id) {
			parts = append(parts, "−"+groupLabel(name(id)))
		}
	}
	if len(parts) == 0 {
		return report.Change{}, false
	}
	return report.Change{Field: "groups", New: strings.Join(parts, " ")}, true
}

func quote(s string) string { return strconv.Quote(s) }

// groupLabel is a group's name in a membership change ("+A −B"): quoted
// when it holds a space or a quote, so that "+Automation Users" reads as
// one group, not two.
func groupLabel(name string) string {
	if strings.ContainsAny(name, " \t\"") {
		return strconv.Quote(name)
	}
	return name
}
