package client

import (
	"slices"
	"sort"
)

// Operation names one call the client can make; it decides the OAuth scopes
// the token asks for.
type Operation string

// Every operation of the client.
const (
	OpGetUser                  Operation = "get-user"
	OpListUsers                Operation = "list-users"
	OpUpdateUser               Operation = "update-user"
	OpChangePassword           Operation = "change-password"
	OpGetRobotAccount          Operation = "get-robot-account"
	OpListRobotAccounts        Operation = "list-robot-accounts"
	OpUpdateRobotAccount       Operation = "update-robot-account"
	OpGetOrchestratorUser      Operation = "get-orchestrator-user"
	OpFindOrchestratorUser     Operation = "find-orchestrator-user"
	OpSetUnattendedCredentials Operation = "set-unattended-credentials"
	OpListGroups               Operation = "list-groups"
	OpCreateUser               Operation = "create-user"
	OpDeleteUser               Operation = "delete-user"
	OpCreateRobotAccount       Operation = "create-robot-account"
	OpDeleteRobotAccount       Operation = "delete-robot-account"
	OpCreateGroup              Operation = "create-group"
	OpUpdateGroup              Operation = "update-group"
	OpDeleteGroup              Operation = "delete-group"
	// OpListCredentialStores and OpGetCredentialStore read Orchestrator's
	// credential stores (whether a robot's store is read-only). They are
	// optional: ScopesFor without operations leaves them out, so a token
	// asks for OR.Settings.Read only when a caller names one of them.
	OpListCredentialStores Operation = "list-credential-stores"
	OpGetCredentialStore   Operation = "get-credential-store"
	// The operations of Orchestrator access (FolderOperations), optional
	// too: reading folders, who holds which roles where, and an account's
	// access need OR.Folders.Read; creating folders and changing folder
	// assignments OR.Folders.Write; reading roles OR.Users.Read; changing
	// tenant roles and making the Orchestrator user of a directory
	// account (OpCreateOrchestratorUser) OR.Users.Write (the
	// definitions' scopes).
	OpListFolders         Operation = "list-folders"
	OpCreateFolder        Operation = "create-folder"
	OpListFolderUsers     Operation = "list-folder-users"
	OpReadAccountAccess   Operation = "read-account-access"
	OpAssignFolderUsers   Operation = "assign-folder-users"
	OpAssignDirectoryUser Operation = "assign-directory-user"
	OpRemoveFolderUser    Operation = "remove-folder-user"
	OpListRoles           Operation = "list-roles"
	OpAssignTenantRoles   Operation = "assign-tenant-roles"
	// OpCreateOrchestratorUser makes the Orchestrator user of an Identity
	// account or group (OrchestratorUsersService.CreateDirectoryUser).
	OpCreateOrchestratorUser Operation = "create-orchestrator-user"
	// OpReadOrchestratorAudit reads Orchestrator's audit log
	// (AuditService.Orchestrator, OrchestratorDetails: OR.Audit.Read);
	// OpReadIdentityAudit Identity's (AuditService.Identity:
	// PM.Audit.Read, the scope UiPath's External Applications offer for
	// it; the definitions name none). Both optional (AuditOperations).
	OpReadOrchestratorAudit Operation = "read-orchestrator-audit"
	OpReadIdentityAudit     Operation = "read-identity-audit"
	// OpListAssets reads Orchestrator's assets (AssetsService.List,
	// AcrossFolders, Get: OR.Assets.Read); OpUpdateAsset sets a
	// credential or secret asset's value (AssetsService.SetCredential
	// reads it first, then PUTs it: OR.Assets.Read and OR.Assets.Write).
	// Both optional (AssetOperations).
	OpListAssets  Operation = "list-assets"
	OpUpdateAsset Operation = "update-asset"
)

// AssetOperations are the operations of Orchestrator's assets. Pass them
// to WithOperations for a token that asks for OR.Assets.Read and
// OR.Assets.Write.
var AssetOperations = []Operation{OpListAssets, OpUpdateAsset}

// AuditOperations are the operations that read the audit logs. Pass
// them to WithOperations for a token that asks for OR.Audit.Read and
// PM.Audit.Read.
var AuditOperations = []Operation{OpReadOrchestratorAudit, OpReadIdentityAudit}

// FolderOperations are the operations of Orchestrator access: folders,
// folder assignments, roles, tenant roles and the Orchestrator users of
// directory accounts. Pass them (or those of them a run uses) to
// WithOperations, with the run's other operations, for a token that asks
// for OR.Folders.Read, OR.Folders.Write, OR.Users.Read and
// OR.Users.Write.
var FolderOperations = []Operation{
	OpListFolders, OpCreateFolder, OpListFolderUsers, OpReadAccountAccess,
	OpAssignFolderUsers, OpAssignDirectoryUser, OpRemoveFolderUser,
	OpListRoles, OpAssignTenantRoles, OpCreateOrchestratorUser,
}

// allOperations lists the operations ScopesFor covers when given none:
// every one but the optional ones.
var allOperations = []Operation{
	OpGetUser, OpListUsers, OpUpdateUser, OpChangePassword,
	OpGetRobotAccount, OpListRobotAccounts, OpUpdateRobotAccount,
	OpGetOrchestratorUser, OpFindOrchestratorUser, OpSetUnattendedCredentials,
	OpListGroups,
	OpCreateUser, OpDeleteUser, OpCreateRobotAccount, OpDeleteRobotAccount,
	OpCreateGroup, OpUpdateGroup, OpDeleteGroup,
}

// operationScopes are the narrowest scopes each operation needs.
var operationScopes = map[Operation][]string{
	OpGetUser:              {"PM.User.Read"},
	OpListUsers:            {"PM.User.Read"},
	OpUpdateUser:           {"PM.User.Write"},
	OpChangePassword:       {"PM.User.Write"},
	OpGetRobotAccount:      {"PM.RobotAccount.Read"},
	OpListRobotAccounts:    {"PM.RobotAccount.Read"},
	OpUpdateRobotAccount:   {"PM.RobotAccount.Write"},
	OpGetOrchestratorUser:  {"OR.Users.Read"},
	OpFindOrchestratorUser: {"OR.Users.Read"},
	// Setting credentials reads the user first, then patches it.
	OpSetUnattendedCredentials: {"OR.Users.Read", "OR.Users.Write"},
	OpListGroups:               {"PM.Group.Read"},
	OpCreateUser:               {"PM.User.Write"},
	OpDeleteUser:               {"PM.User.Write"},
	OpCreateRobotAccount:       {"PM.RobotAccount.Write"},
	OpDeleteRobotAccount:       {"PM.RobotAccount.Write"},
	OpCreateGroup:              {"PM.Group.Write"},
	OpUpdateGroup:              {"PM.Group.Write"},
	OpDeleteGroup:              {"PM.Group.Write"},
	OpListCredentialStores:     {"OR.Settings.Read"},
	OpGetCredentialStore:       {"OR.Settings.Read"},
	OpListFolders:              {"OR.Folders.Read"},
	OpCreateFolder:             {"OR.Folders.Write"},
	OpListFolderUsers:          {"OR.Folders.Read"},
	OpReadAccountAccess:        {"OR.Folders.Read"},
	OpAssignFolderUsers:        {"OR.Folders.Write"},
	OpAssignDirectoryUser:      {"OR.Folders.Write"},
	OpRemoveFolderUser:         {"OR.Folders.Write"},
	OpListRoles:                {"OR.Users.Read"},
	OpAssignTenantRoles:        {"OR.Users.Write"},
	OpCreateOrchestratorUser:   {"OR.Users.Write"},
	OpReadOrchestratorAudit:    {"OR.Audit.Read"},
	OpReadIdentityAudit:        {"PM.Audit.Read"},
	OpListAssets:               {"OR.Assets.Read"},
	OpUpdateAsset:              {"OR.Assets.Read", "OR.Assets.Write"},
}

// optionalOperations are the operations whose scopes a token asks for only
// when a caller names them (WithOperations): an External Application
// without them still runs everything else.
var optionalOperations = slices.Concat([]Operation{OpListCredentialStores, OpGetCredentialStore}, FolderOperations, AuditOperations, AssetOperations)

// ScopesFor returns the narrow scopes the operations need, sorted and
// without duplicates. With no operation it returns the scopes of every
// operation but the optional ones (OpListCredentialStores,
// OpGetCredentialStore: OR.Settings.Read; FolderOperations: OR.Folders.Read
// and OR.Folders.Write, the roles' OR.Users scopes being asked for anyway;
// AuditOperations: OR.Audit.Read and PM.Audit.Read; AssetOperations:
// OR.Assets.Read and OR.Assets.Write).
func ScopesFor(ops ...Operation) []string {
	if len(ops) == 0 {
		ops = allOperations
	}
	seen := map[string]bool{}
	var out []string
	for _, op := range ops {
		for _, s := range operationScopes[op] {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}
