// Package manifest reads CSV and YAML manifests into typed, validated jobs
// that remember where they came from (FILE:LINE), and writes jobs back as a
// manifest. It knows files, rows and columns; it knows nothing of HTTP.
//
// Rows are streamed: Open and Next read one row at a time, and Validate
// keeps a fixed amount of state for its cross-row checks, so a manifest of
// millions of rows never sits in memory.
package manifest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Format is a manifest's file format.
type Format int

// The manifest formats.
const (
	CSV Format = iota
	YAML
)

// String names the format as its file extension does.
func (f Format) String() string {
	if f == YAML {
		return "yaml"
	}
	return "csv"
}

// Ext is the file extension, with its dot, that the format is written with.
func (f Format) Ext() string { return "." + f.String() }

// FormatFor picks the format from a manifest path's extension; "-" (stdin)
// is CSV.
func FormatFor(path string) (Format, error) {
	if path == "-" {
		return CSV, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".yaml", ".yml":
		return YAML, nil
	}
	return CSV, fmt.Errorf("manifest %s: the name must end in .csv, .yaml or .yml (or be - for CSV on stdin)", path)
}

// Source is where a row or a cell came from.
type Source struct {
	File string
	Line int
}

// String is "FILE:LINE".
func (s Source) String() string { return s.File + ":" + strconv.Itoa(s.Line) }

// Op is the operation a row asks for.
type Op string

// The operations a manifest row may ask for.
const (
	OpUpdateUser          Op = "update_user"
	OpSetPassword         Op = "set_password"
	OpChangePassword      Op = "change_password"
	OpUpdateRobotAccount  Op = "update_robot_account"
	OpSetRobotCredentials Op = "set_robot_credentials"
	OpEnsureUser          Op = "ensure_user"
	OpDeleteUser          Op = "delete_user"
	OpEnsureRobotAccount  Op = "ensure_robot_account"
	OpDeleteRobotAccount  Op = "delete_robot_account"
	OpEnsureGroup         Op = "ensure_group"
	OpDeleteGroup         Op = "delete_group"
	// The Orchestrator access ops (#26): folders by path, roles by name.
	OpEnsureFolder          Op = "ensure_folder"
	OpSetFolderAccess       Op = "set_folder_access"
	OpRemoveFolderAccess    Op = "remove_folder_access"
	OpSetTenantRoles        Op = "set_tenant_roles"
	OpUpdateUnattendedRobot Op = "update_unattended_robot"
	// OpSetCredentialAsset gives an Orchestrator credential or secret
	// asset, named by folder and asset name, a new password or secret
	// (#28): the asset's own value, or one robot's or user's value of it.
	OpSetCredentialAsset Op = "set_credential_asset"
)

// ops lists every operation, in the order help texts show them.
var ops = []Op{OpUpdateUser, OpSetPassword, OpChangePassword, OpUpdateRobotAccount, OpSetRobotCredentials,
	OpEnsureUser, OpDeleteUser, OpEnsureRobotAccount, OpDeleteRobotAccount, OpEnsureGroup, OpDeleteGroup,
	OpEnsureFolder, OpSetFolderAccess, OpRemoveFolderAccess, OpSetTenantRoles, OpUpdateUnattendedRobot,
	OpSetCredentialAsset}

// Deletes reports whether the op deletes an account or a group (such rows
// need --allow-deletes). remove_folder_access takes an account's roles in
// a folder away and deletes nothing; folders are never deleted.
func (o Op) Deletes() bool {
	return o == OpDeleteUser || o == OpDeleteRobotAccount || o == OpDeleteGroup
}

// Access reports whether the op changes the Orchestrator roles of the
// account or group it names (set_folder_access, remove_folder_access,
// set_tenant_roles) rather than the account itself: such a row needs its
// account or group to exist, and conflicts only with rows changing the
// same roles (see Job.ConflictKey).
func (o Op) Access() bool {
	return o == OpSetFolderAccess || o == OpRemoveFolderAccess || o == OpSetTenantRoles
}

// FolderScoped reports whether the op changes an account's or group's
// roles in a folder its row names in its folder column as a field
// (set_folder_access, remove_folder_access), not as its target
// (ensure_folder). set_credential_asset names a folder as a field too, the
// folder its asset is in: see NeedsFolder.
func (o Op) FolderScoped() bool { return o == OpSetFolderAccess || o == OpRemoveFolderAccess }

// NeedsFolder reports whether the op's row must name a folder in its
// folder column as a field: the folder whose roles it changes
// (FolderScoped), or the folder an asset is in (set_credential_asset).
func (o Op) NeedsFolder() bool { return o.FolderScoped() || o == OpSetCredentialAsset }

// TargetKind says how a row names the account it changes.
type TargetKind string

// The target kinds; each is also the name of its column.
const (
	TargetUserID             TargetKind = "user_id"
	TargetEmail              TargetKind = "email"
	TargetUsername           TargetKind = "username"
	TargetRobotAccountID     TargetKind = "robot_account_id"
	TargetRobotName          TargetKind = "robot_name"
	TargetOrchestratorUserID TargetKind = "orchestrator_user_id"
	TargetGroupID            TargetKind = "group_id"
	TargetGroupName          TargetKind = "group_name"
	// TargetFolder is ensure_folder's target: a folder path such as
	// Finance/AP (see the folder column).
	TargetFolder TargetKind = "folder"
	// TargetAssetName is set_credential_asset's target: an asset's name,
	// unique within its folder (the row's folder column).
	TargetAssetName TargetKind = "asset_name"
)

// Target is the account a row changes.
type Target struct {
	Kind  TargetKind
	Value string
}

// String is "KIND=VALUE", e.g. "email=ann@example.com".
func (t Target) String() string { return string(t.Kind) + "=" + t.Value }

// Key is a normalized form of the target for comparisons: e-mail addresses,
// GUIDs, user names, group names, folder paths and asset names compare
// case-insensitively (GUIDs in lower case), as the services compare them;
// robot names and Orchestrator user ids as written.
func (t Target) Key() string { return string(t.Kind) + "=" + t.normalizedValue() }

func (t Target) normalizedValue() string {
	switch t.Kind {
	case TargetOrchestratorUserID, TargetRobotName:
		return t.Value
	}
	return strings.ToLower(t.Value)
}

// Job is one validated manifest row. Nil pointers and empty lists mean
// "leave unchanged".
type Job struct {
	Row    int // 1-based ordinal of the row among the manifest's rows
	Source Source
	Op     Op
	Target Target

	Name, Surname, DisplayName, RobotUsername                *string
	IsActive, BypassBasicAuthRestriction, InvitationAccepted *bool
	GroupsToAdd, GroupsToRemove                              []string // names or GUIDs as written (GUIDs lower case)
	// Groups, when not nil, is the exact membership the row asks for:
	// group names or GUIDs as written (GUIDs lower case), resolved
	// against the organization's groups when the row runs.
	Groups []string
	// NewPassword is the password a row sets: an account's, a robot's, a
	// credential asset's password or a secret asset's value.
	NewPassword, OldPassword *SecretRef
	// UserName is the user name an ensure_user row gives its user (for
	// other user ops, username is a target).
	UserName *string
	// InitialPassword is an ensure_user row's first password, sent only
	// when the row creates the user.
	InitialPassword *SecretRef
	// ExpectEmail and ExpectUserName, with a user_id target, are what the
	// account must hold: export writes them beside the id so that a person
	// can find a row, and a row whose account differs fails (an email
	// cannot be changed through the API).
	ExpectEmail, ExpectUserName string

	// Folder is the folder a set_folder_access or remove_folder_access
	// row changes access to, or the folder a set_credential_asset row's
	// asset is in: a path of folder names from the top (Finance/AP), each
	// trimmed, joined by "/". ensure_folder's path is its Target instead;
	// FolderPath gives either.
	Folder string
	// Roles, when not nil, is the exact set of roles the row asks for (in
	// the folder, or of the tenant): role names as written, each once
	// (compared case-insensitively), never empty. RolesToAdd and
	// RolesToRemove change the roles instead; a row has one or the other.
	Roles                     []string
	RolesToAdd, RolesToRemove []string
	// CredentialType is an update_unattended_robot row's credential type,
	// spelled as Orchestrator's definitions spell it (one of
	// CredentialTypes).
	CredentialType *string
	// ExecutionSettings, when not nil, is the unattended robot's
	// execution settings as compact JSON text of an object, keys sorted:
	// what the row's JSON cell (or YAML mapping) holds, ready to send.
	ExecutionSettings        json.RawMessage
	LimitConcurrentExecution *bool
	// ValueFor is the robot or user whose value of the asset a
	// set_credential_asset row changes, by name as written (trimmed); ""
	// is the asset's own value.
	ValueFor string
	// CredentialUsername is the user name a set_credential_asset row gives
	// a credential asset (or its value for ValueFor); nil keeps the one it
	// has.
	CredentialUsername *string
}

// FolderPath is the folder a row concerns: ensure_folder's target, or the
// folder column of set_folder_access, remove_folder_access and
// set_credential_asset; "" for other ops.
func (j *Job) FolderPath() string {
	if j.Target.Kind == TargetFolder {
		return j.Target.Value
	}
	return j.Folder
}

// Problem is one thing wrong with a manifest, at a file and line.
type Problem struct {
	Source  Source
	Column  string // the column or key concerned, empty for the whole row
	Message string
}

// String is "FILE:LINE: message".
func (p Problem) String() string { return p.Source.String() + ": " + p.Message }

// Error implements error.
func (p Problem) Error() string { return p.String() }

// RowError is what Next returns for a row with problems; reading may go on.
type RowError struct {
	Source   Source
	Problems []Problem
	// last is the row's last line (0: its first): a problem beyond the
	// row's lines is in text the row takes from elsewhere.
	last int
}

// owns reports whether line is one of the row's own lines.
func (e *RowError) owns(line int) bool {
	return line >= e.Source.Line && line <= max(e.last, e.Source.Line)
}

// Error lists the row's problems, one per line.
func (e *RowError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "\n")
}
