package client

import "sort"

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
)

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
}

// optionalOperations are the operations whose scopes a token asks for only
// when a caller names them (WithOperations): an External Application
// without them still runs everything else.
var optionalOperations = []Operation{OpListCredentialStores, OpGetCredentialStore}

// ScopesFor returns the narrow scopes the operations need, sorted and
// without duplicates. With no operation it returns the scopes of every
// operation but the optional ones (OpListCredentialStores,
// OpGetCredentialStore: OR.Settings.Read).
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
