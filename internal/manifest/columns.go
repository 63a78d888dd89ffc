package manifest

import (
	"fmt"
	"strings"

	"github.com/uipath-batch/batch/internal/suggest"
)

// The column names (YAML keys) a manifest may use, besides the target kinds.
const (
	ColOp                         = "op"
	ColName                       = "name"
	ColSurname                    = "surname"
	ColDisplayName                = "display_name"
	ColIsActive                   = "is_active"
	ColBypassBasicAuthRestriction = "bypass_basic_auth_restriction"
	ColInvitationAccepted         = "invitation_accepted"
	ColGroupsToAdd                = "groups_to_add"
	ColGroupsToRemove             = "groups_to_remove"
	ColGroups                     = "groups"
	ColRobotUsername              = "robot_username"
	ColOldPassword                = "old_password"
	ColNewPassword                = "new_password"
	ColInitialPassword            = "initial_password"
	ColRoles                      = "roles"
	ColRolesToAdd                 = "roles_to_add"
	ColRolesToRemove              = "roles_to_remove"
	ColCredentialType             = "credential_type"
	ColExecutionSettings          = "execution_settings"
	ColLimitConcurrentExecution   = "limit_concurrent_execution"
	ColValueFor                   = "value_for"
	ColCredentialUsername         = "credential_username"
	// ColUserName is ensure_user's user name: a field of that op, in the
	// column that names the user (a target) for the other user ops.
	ColUserName = string(TargetUsername)
	// ColFolder is a folder path: ensure_folder's target, and a field of
	// set_folder_access, remove_folder_access and set_credential_asset.
	ColFolder = string(TargetFolder)
	// ColAssetName is set_credential_asset's target.
	ColAssetName = string(TargetAssetName)
)

// Older names a header or key may still use; each reads as its canonical
// column, and a row giving both is a problem.
const (
	ColGroupIDsToAdd    = "group_ids_to_add"    // alias of groups_to_add
	ColGroupIDsToRemove = "group_ids_to_remove" // alias of groups_to_remove
)

// columnAliases maps an older column name to its canonical one.
var columnAliases = map[string]string{
	ColGroupIDsToAdd:    ColGroupsToAdd,
	ColGroupIDsToRemove: ColGroupsToRemove,
}

// knownColumns is every known column in canonical order: the op, the targets,
// then the fields. Writers emit columns in this order.
var knownColumns = []string{
	ColOp,
	string(TargetUserID), string(TargetEmail), string(TargetUsername),
	string(TargetRobotAccountID), string(TargetRobotName), string(TargetOrchestratorUserID),
	string(TargetGroupID), string(TargetGroupName), string(TargetFolder), string(TargetAssetName),
	ColValueFor, ColName, ColSurname, ColDisplayName, ColIsActive, ColBypassBasicAuthRestriction,
	ColInvitationAccepted, ColGroups, ColGroupsToAdd, ColGroupsToRemove,
	ColRoles, ColRolesToAdd, ColRolesToRemove, ColRobotUsername,
	ColCredentialType, ColExecutionSettings, ColLimitConcurrentExecution, ColCredentialUsername,
	ColOldPassword, ColNewPassword, ColInitialPassword,
}

// booleanColumns are the columns that hold true or false.
var booleanColumns = []string{ColIsActive, ColBypassBasicAuthRestriction, ColInvitationAccepted, ColLimitConcurrentExecution}

// targetKinds lists the target columns in canonical order.
var targetKinds = []TargetKind{
	TargetUserID, TargetEmail, TargetUsername,
	TargetRobotAccountID, TargetRobotName, TargetOrchestratorUserID,
	TargetGroupID, TargetGroupName, TargetFolder, TargetAssetName,
}

// OrderColumns returns the canonical names of cols (older names read as
// their columns) in the order written manifests give them, each once;
// names that are no column are left out.
func OrderColumns(cols []string) []string {
	used := make([]bool, len(knownColumns))
	for _, c := range cols {
		if i, ok := colIndex[canonicalColumn(normalizeColumn(c))]; ok {
			used[i] = true
		}
	}
	var out []string
	for i, u := range used {
		if u {
			out = append(out, knownColumns[i])
		}
	}
	return out
}

// colIndex maps a canonical column name to its position in knownColumns.
var colIndex = func() map[string]int {
	m := make(map[string]int, len(knownColumns))
	for i, c := range knownColumns {
		m[c] = i
	}
	return m
}()

// opSpec is what an operation accepts, from the CONTRACT's table.
type opSpec struct {
	targets []TargetKind
	fields  []string
}

var (
	userTargets  = []TargetKind{TargetUserID, TargetEmail, TargetUsername}
	robotTargets = []TargetKind{TargetRobotAccountID, TargetRobotName}
	// accessTargets are who can hold Orchestrator roles, named the same
	// way in every organization.
	accessTargets = []TargetKind{TargetEmail, TargetUsername, TargetRobotName, TargetGroupName}
	// unattendedTargets name an Orchestrator user (or a robot account's)
	// with an unattended robot.
	unattendedTargets = []TargetKind{TargetOrchestratorUserID, TargetUsername, TargetRobotName}
)

var opSpecs = map[Op]opSpec{
	OpUpdateUser: {userTargets, []string{ColName, ColSurname, ColDisplayName, ColIsActive,
		ColBypassBasicAuthRestriction, ColInvitationAccepted, ColGroups, ColGroupsToAdd, ColGroupsToRemove}},
	OpSetPassword:         {userTargets, []string{ColNewPassword}},
	OpChangePassword:      {userTargets, []string{ColOldPassword, ColNewPassword}},
	OpUpdateRobotAccount:  {robotTargets, []string{ColDisplayName, ColGroups, ColGroupsToAdd, ColGroupsToRemove}},
	OpSetRobotCredentials: {[]TargetKind{TargetOrchestratorUserID, TargetUsername}, []string{ColRobotUsername, ColNewPassword}},
	// ensure_user names its user by email, the key that is the same in
	// every organization; username is then a field (the new user's name).
	OpEnsureUser: {[]TargetKind{TargetEmail}, []string{ColUserName, ColName, ColSurname, ColDisplayName, ColIsActive,
		ColBypassBasicAuthRestriction, ColGroups, ColGroupsToAdd, ColGroupsToRemove, ColInitialPassword}},
	OpDeleteUser:         {userTargets, nil},
	OpEnsureRobotAccount: {[]TargetKind{TargetRobotName}, []string{ColDisplayName, ColGroups, ColGroupsToAdd, ColGroupsToRemove}},
	OpDeleteRobotAccount: {robotTargets, nil},
	OpEnsureGroup:        {[]TargetKind{TargetGroupName}, nil},
	OpDeleteGroup:        {[]TargetKind{TargetGroupID, TargetGroupName}, nil},
	// ensure_folder names its folder by path; the access ops name an
	// account or group, and the folder is a field of theirs.
	OpEnsureFolder:       {[]TargetKind{TargetFolder}, nil},
	OpSetFolderAccess:    {accessTargets, []string{ColFolder, ColRoles, ColRolesToAdd, ColRolesToRemove}},
	OpRemoveFolderAccess: {accessTargets, []string{ColFolder}},
	OpSetTenantRoles:     {accessTargets, []string{ColRoles, ColRolesToAdd, ColRolesToRemove}},
	// Never a password: set_robot_credentials sets that.
	OpUpdateUnattendedRobot: {unattendedTargets, []string{ColRobotUsername, ColCredentialType,
		ColExecutionSettings, ColLimitConcurrentExecution}},
	// An asset is named by its folder and its name, unique in the folder.
	OpSetCredentialAsset: {[]TargetKind{TargetAssetName}, []string{ColFolder, ColValueFor, ColCredentialUsername, ColNewPassword}},
}

func (s opSpec) takesTarget(k TargetKind) bool {
	for _, t := range s.targets {
		if t == k {
			return true
		}
	}
	return false
}

func (s opSpec) takesField(col string) bool {
	for _, f := range s.fields {
		if f == col {
			return true
		}
	}
	return false
}

func (s opSpec) targetList() string {
	names := make([]string, len(s.targets))
	for i, t := range s.targets {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// fieldList names the fields, for messages.
func (s opSpec) fieldList() string {
	if len(s.fields) == 0 {
		return "no fields, only its target"
	}
	return strings.Join(s.fields, ", ")
}

// targetKindList names every target column, for messages.
func targetKindList() string {
	names := make([]string, len(targetKinds))
	for i, t := range targetKinds {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func isTargetColumn(col string) bool {
	for _, t := range targetKinds {
		if string(t) == col {
			return true
		}
	}
	return false
}

// opNames are the operations' names, in the order of ops.
var opNames = func() []string {
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = string(o)
	}
	return names
}()

// opList is the valid operations, for messages.
func opList() string { return strings.Join(opNames, ", ") }

// normalizeColumn is how header names and keys compare: case-insensitive,
// surrounding spaces ignored.
func normalizeColumn(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// knownColumn reports whether a normalized name is a column (or an older
// name of one).
func knownColumn(name string) bool {
	_, ok := colIndex[canonicalColumn(name)]
	return ok
}

// canonicalColumn returns the canonical name of a normalized column name:
// an older name (an alias) gives the column it stands for; any other name
// is returned as is.
func canonicalColumn(name string) string {
	if c, ok := columnAliases[name]; ok {
		return c
	}
	return name
}

// columnSynonyms lists, per column, names that other tools (and people)
// give it, squashed (see squashColumn): names too far from the column for
// edit distance to find it.
var columnSynonyms = invertSynonyms(map[string][]string{
	ColOp:                       {"operation", "action"},
	string(TargetEmail):         {"emailaddress", "mailaddress"},
	ColUserName:                 {"user", "login", "loginname"},
	ColName:                     {"firstname", "givenname", "forename", "first"},
	ColSurname:                  {"lastname", "familyname", "last"},
	ColDisplayName:              {"fullname"},
	ColIsActive:                 {"active", "enabled"},
	ColGroups:                   {"memberof", "membership", "groupmembership"},
	ColGroupsToAdd:              {"groupsadd", "groupadd", "addgroups", "addgroup", "addtogroups", "addtogroup", "groupidsadd"},
	ColGroupsToRemove:           {"groupsremove", "groupremove", "removegroups", "removegroup", "removefromgroups", "removefromgroup", "groupsdelete", "deletegroups", "groupstodelete", "groupidsremove"},
	ColOldPassword:              {"oldpass", "oldpwd", "currentpassword"},
	ColNewPassword:              {"password", "pass", "pwd", "newpass", "newpwd"},
	ColFolder:                   {"folderpath", "path", "fullyqualifiedname", "orchestratorfolder", "organizationunit"},
	ColRoles:                    {"role", "rolenames"},
	ColRolesToAdd:               {"rolesadd", "roleadd", "addroles", "addrole"},
	ColRolesToRemove:            {"rolesremove", "roleremove", "removeroles", "removerole", "rolestodelete", "deleteroles"},
	ColCredentialType:           {"credtype"},
	ColExecutionSettings:        {"settings", "robotsettings"},
	ColLimitConcurrentExecution: {"limitconcurrency", "concurrentexecution"},
	ColAssetName:                {"asset", "assetkey", "credentialasset", "secretasset"},
	ColValueFor:                 {"perrobot", "peruser", "robotvalue", "uservalue", "valueof"},
	ColCredentialUsername:       {"credentialuser", "creduser", "credusername", "assetusername", "assetuser"},
})

// invertSynonyms turns column: names into name: column.
func invertSynonyms(byColumn map[string][]string) map[string]string {
	m := make(map[string]string)
	for col, names := range byColumn {
		for _, n := range names {
			m[n] = col
		}
	}
	return m
}

// squashedColumns maps every known column and older name, squashed, to its
// canonical column: user_name, displayname and UserID find their column
// whatever their separators.
var squashedColumns = func() map[string]string {
	m := make(map[string]string, len(knownColumns)+len(columnAliases))
	for _, c := range knownColumns {
		m[squashColumn(c)] = c
	}
	for alias, c := range columnAliases {
		m[squashColumn(alias)] = c
	}
	return m
}()

// squashColumn is a normalized column name without its separators: only
// its ASCII letters and digits, lower-cased.
func squashColumn(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// suggestColumn returns the known column a normalized unknown name
// probably means, or "" when none is close enough to be a plausible typo:
// the column spelled the same but for separators (user_name: username),
// then a common other name for it (first_name: name, password:
// new_password), then the nearest by edit distance.
func suggestColumn(name string) string {
	sq := squashColumn(name)
	if c, ok := squashedColumns[sq]; ok {
		return c
	}
	if c, ok := columnSynonyms[sq]; ok {
		return c
	}
	return suggest.Nearest(name, knownColumns)
}

// columnHint is the end of an "unknown column" message: the nearest
// known column, or the list of them.
func columnHint(col string) string {
	if sug := suggestColumn(col); sug != "" {
		return fmt.Sprintf("; did you mean %q?", sug)
	}
	return " (known columns: " + strings.Join(knownColumns, ", ") + ")"
}

// suggestOp returns the operation nearest to name, or "".
func suggestOp(name string) string { return suggest.Nearest(name, opNames) }
