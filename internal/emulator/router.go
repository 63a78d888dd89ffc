package emulator

import (
	"net/http"
	"strings"
)

// endpoint is a resolved API operation.
type endpoint struct {
	template     string
	need         scopeSet // any one of these scopes
	orchestrator bool
	handle       func(*call)
}

type family int

const (
	familyNone family = iota
	familyToken
	familyIdentity
	familyOrchestrator
)

// splitBase finds which base a path is under and returns the rest:
// /{org}/identity_, /identity_ and /identity for identity (and the token
// endpoint), /{org}/{tenant}/orchestrator_ for Orchestrator.
func (s *Server) splitBase(path string) (family, string) {
	rest, ok := cutSegment(path, "identity_")
	if !ok {
		rest, ok = cutSegment(path, "identity")
	}
	if !ok {
		org, after := firstSegment(path)
		if !strings.EqualFold(org, s.cfg.Org) {
			return familyNone, ""
		}
		if rest, ok = cutSegment(after, "identity_"); !ok {
			tenant, afterTenant := firstSegment(after)
			if !strings.EqualFold(tenant, s.cfg.Tenant) {
				return familyNone, ""
			}
			if rest, ok = cutSegment(afterTenant, "orchestrator_"); !ok {
				return familyNone, ""
			}
			return familyOrchestrator, rest
		}
	}
	if strings.EqualFold(rest, "/connect/token") {
		return familyToken, rest
	}
	return familyIdentity, rest
}

// firstSegment splits "/a/b/c" into "a" and "/b/c".
func firstSegment(path string) (string, string) {
	if !strings.HasPrefix(path, "/") {
		return "", ""
	}
	rest := path[1:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i:]
	}
	return rest, ""
}

// cutSegment strips a leading "/name" segment (case-insensitively).
func cutSegment(path, name string) (string, bool) {
	seg, rest := firstSegment(path)
	if !strings.EqualFold(seg, name) {
		return "", false
	}
	return rest, true
}

// resolveIdentity maps an identity path to its endpoint. When the path is
// known but the method is not, allow lists the methods it takes.
func (s *Server) resolveIdentity(method, rel string) (ep endpoint, params []string, allow string) {
	seg := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	if len(seg) < 2 || !strings.EqualFold(seg[0], "api") {
		return endpoint{}, nil, ""
	}
	switch {
	case strings.EqualFold(seg[1], "User"):
		switch {
		case len(seg) == 2:
			switch method {
			case http.MethodPost:
				return endpoint{"POST /api/User", scopeUserWrite, false, s.createUser}, nil, ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/User", scopeUserWrite, false, s.bulkDeleteUsers}, nil, ""
			}
			return endpoint{}, nil, "POST, DELETE"
		case len(seg) == 3 && strings.EqualFold(seg[2], "BulkCreate"):
			if method == http.MethodPost {
				return endpoint{"POST /api/User/BulkCreate", scopeUserWrite, false, s.bulkCreateUsers}, nil, ""
			}
			return endpoint{}, nil, "POST"
		case len(seg) == 4 && strings.EqualFold(seg[2], "users"):
			if method == http.MethodGet {
				return endpoint{"GET /api/User/users/{partitionGlobalId}", scopeUserRead, false, s.listUsers}, seg[3:], ""
			}
			return endpoint{}, nil, "GET"
		case len(seg) == 4 && strings.EqualFold(seg[3], "changepassword"):
			if method == http.MethodPost {
				return endpoint{"POST /api/User/{userId}/changepassword", scopeUserWrite, false, s.changePassword}, seg[2:3], ""
			}
			return endpoint{}, nil, "POST"
		case len(seg) == 3:
			switch method {
			case http.MethodGet:
				return endpoint{"GET /api/User/{userId}", scopeUserRead, false, s.getUser}, seg[2:], ""
			case http.MethodPut:
				return endpoint{"PUT /api/User/{userId}", scopeUserWrite, false, s.updateUser}, seg[2:], ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/User/{userId}", scopeUserWrite, false, s.deleteUser}, seg[2:], ""
			}
			return endpoint{}, nil, "GET, PUT, DELETE"
		}
	case strings.EqualFold(seg[1], "Group"):
		switch len(seg) {
		case 2:
			if method == http.MethodPost {
				return endpoint{"POST /api/Group", scopeGroupWrite, false, s.createGroup}, nil, ""
			}
			return endpoint{}, nil, "POST"
		case 3:
			switch method {
			case http.MethodGet:
				return endpoint{"GET /api/Group/{partitionGlobalId}", scopeGroupRead, false, s.listGroups}, seg[2:], ""
			case http.MethodPut:
				return endpoint{"PUT /api/Group/{groupId}", scopeGroupWrite, false, s.updateGroup}, seg[2:], ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/Group/{partitionGlobalId}", scopeGroupWrite, false, s.bulkDeleteGroups}, seg[2:], ""
			}
			return endpoint{}, nil, "GET, PUT, DELETE"
		case 4:
			switch method {
			case http.MethodGet:
				return endpoint{"GET /api/Group/{partitionGlobalId}/{groupId}", scopeGroupRead, false, s.getGroup}, seg[2:], ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/Group/{partitionGlobalId}/{groupId}", scopeGroupWrite, false, s.deleteGroup}, seg[2:], ""
			}
			return endpoint{}, nil, "GET, DELETE"
		}
	case strings.EqualFold(seg[1], "AuditQuery"):
		if len(seg) == 3 {
			if method == http.MethodGet {
				return endpoint{"GET /api/AuditQuery/{partitionGlobalId}", scopeIdentAudit, false, s.identityAuditQuery}, seg[2:], ""
			}
			return endpoint{}, nil, "GET"
		}
	case strings.EqualFold(seg[1], "RobotAccount"):
		switch len(seg) {
		case 2:
			if method == http.MethodPost {
				return endpoint{"POST /api/RobotAccount", scopeRobotWrite, false, s.createRobotAccount}, nil, ""
			}
			return endpoint{}, nil, "POST"
		case 3:
			switch method {
			case http.MethodGet:
				return endpoint{"GET /api/RobotAccount/{partitionGlobalId}", scopeRobotRead, false, s.listRobotAccounts}, seg[2:], ""
			case http.MethodPut:
				return endpoint{"PUT /api/RobotAccount/{robotAccountId}", scopeRobotWrite, false, s.updateRobotAccount}, seg[2:], ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/RobotAccount/{partitionGlobalId}", scopeRobotWrite, false, s.bulkDeleteRobotAccounts}, seg[2:], ""
			}
			return endpoint{}, nil, "GET, PUT, DELETE"
		case 4:
			switch method {
			case http.MethodGet:
				return endpoint{"GET /api/RobotAccount/{partitionGlobalId}/{robotAccountId}", scopeRobotRead, false, s.getRobotAccount}, seg[2:], ""
			case http.MethodDelete:
				return endpoint{"DELETE /api/RobotAccount/{partitionGlobalId}/{robotAccountId}", scopeRobotWrite, false, s.deleteRobotAccount}, seg[2:], ""
			}
			return endpoint{}, nil, "GET, DELETE"
		}
	}
	return endpoint{}, nil, ""
}

// resolveOrchestrator maps an Orchestrator path to its endpoint.
func (s *Server) resolveOrchestrator(method, rel string) (ep endpoint, params []string, allow string) {
	if tail, ok := cutPrefixFold(rel, "/odata/CredentialStores"); ok {
		return s.resolveCredentialStores(method, tail)
	}
	if tail, ok := cutPrefixFold(rel, "/odata/Folders"); ok {
		return s.resolveFolders(method, tail)
	}
	if tail, ok := cutPrefixFold(rel, "/odata/Assets"); ok {
		return s.resolveAssets(method, tail)
	}
	if tail, ok := cutPrefixFold(rel, "/odata/AuditLogs"); ok {
		return s.resolveAuditLogs(method, tail)
	}
	if tail, ok := cutPrefixFold(rel, "/odata/Roles"); ok {
		if tail != "" && tail != "/" {
			return endpoint{}, nil, ""
		}
		if method == http.MethodGet {
			return endpoint{"GET /odata/Roles", scopeOrchRead, true, s.listRoles}, nil, ""
		}
		return endpoint{}, nil, "GET"
	}
	tail, ok := cutPrefixFold(rel, "/odata/Users")
	if !ok {
		return endpoint{}, nil, ""
	}
	if tail == "" || tail == "/" {
		switch method {
		case http.MethodGet:
			return endpoint{"GET /odata/Users", scopeOrchRead, true, s.listOrchestratorUsers}, nil, ""
		case http.MethodPost:
			return endpoint{"POST /odata/Users", scopeOrchWrite, true, s.createOrchestratorUser}, nil, ""
		}
		return endpoint{}, nil, "GET, POST"
	}
	if key, action, ok := odataKeyAction(tail); ok && action != "" {
		if !strings.EqualFold(action, odataActions+"AssignRoles") {
			return endpoint{}, nil, ""
		}
		if method == http.MethodPost {
			return endpoint{"POST /odata/Users({key})/UiPath.Server.Configuration.OData.AssignRoles", scopeOrchWrite, true, s.assignTenantRoles}, []string{key}, ""
		}
		return endpoint{}, nil, "POST"
	}
	key, ok := odataKey(tail)
	if !ok {
		return endpoint{}, nil, ""
	}
	switch method {
	case http.MethodGet:
		return endpoint{"GET /odata/Users({key})", scopeOrchRead, true, s.getOrchestratorUser}, []string{key}, ""
	case http.MethodPatch:
		return endpoint{"PATCH /odata/Users({key})", scopeOrchWrite, true, s.patchOrchestratorUser}, []string{key}, ""
	case http.MethodPut:
		return endpoint{"PUT /odata/Users({key})", scopeOrchWrite, true, s.putOrchestratorUser}, []string{key}, ""
	}
	return endpoint{}, nil, "GET, PUT, PATCH"
}

// resolveCredentialStores maps what follows /odata/CredentialStores to
// its endpoint: the list or one store, read only.
func (s *Server) resolveCredentialStores(method, tail string) (ep endpoint, params []string, allow string) {
	if tail == "" || tail == "/" {
		if method == http.MethodGet {
			return endpoint{"GET /odata/CredentialStores", scopeSettingsRead, true, s.listCredentialStores}, nil, ""
		}
		return endpoint{}, nil, "GET"
	}
	key, ok := odataKey(tail)
	if !ok {
		return endpoint{}, nil, ""
	}
	if method == http.MethodGet {
		return endpoint{"GET /odata/CredentialStores({key})", scopeSettingsRead, true, s.getCredentialStore}, []string{key}, ""
	}
	return endpoint{}, nil, "GET"
}

// odataActions is the namespace of Orchestrator's OData actions and
// functions, with the dot that joins it to their names.
const odataActions = "UiPath.Server.Configuration.OData."

// resolveFolders maps what follows /odata/Folders to its endpoint: the
// list, a create, one folder, and the actions and functions of folder
// access.
func (s *Server) resolveFolders(method, tail string) (ep endpoint, params []string, allow string) {
	const (
		getUsers = "GET /odata/Folders/UiPath.Server.Configuration.OData.GetUsersForFolder(key={key},includeInherited={includeInherited})"
		getRoles = "GET /odata/Folders/UiPath.Server.Configuration.OData.GetAllRolesForUser(username='{username}',skip={skip},take={take})"
	)
	one := func(m, template string, need scopeSet, h func(*call), p []string) (endpoint, []string, string) {
		if method == m {
			return endpoint{template, need, true, h}, p, ""
		}
		return endpoint{}, nil, m
	}
	if tail == "" || tail == "/" {
		switch method {
		case http.MethodGet:
			return endpoint{"GET /odata/Folders", scopeFoldersRead, true, s.listFolders}, nil, ""
		case http.MethodPost:
			return endpoint{"POST /odata/Folders", scopeFoldersWrite, true, s.createFolder}, nil, ""
		}
		return endpoint{}, nil, "GET, POST"
	}
	if key, action, ok := odataKeyAction(tail); ok {
		switch {
		case action == "":
			return one(http.MethodGet, "GET /odata/Folders({key})", scopeFoldersRead, s.getFolder, []string{key})
		case strings.EqualFold(action, odataActions+"RemoveUserFromFolder"):
			return one(http.MethodPost, "POST /odata/Folders({key})/UiPath.Server.Configuration.OData.RemoveUserFromFolder", scopeFoldersWrite,
				func(c *call) { s.removeUserFromFolder(c, false) }, []string{key})
		case strings.EqualFold(action, odataActions+"RemoveUserFromFolderByKey"):
			return one(http.MethodPost, "POST /odata/Folders({key})/UiPath.Server.Configuration.OData.RemoveUserFromFolderByKey", scopeFoldersWrite,
				func(c *call) { s.removeUserFromFolder(c, true) }, []string{key})
		}
		return endpoint{}, nil, ""
	}
	name, ok := cutPrefixFold(tail, "/"+odataActions)
	if !ok {
		return endpoint{}, nil, ""
	}
	switch {
	case strings.EqualFold(name, "AssignUsers"):
		return one(http.MethodPost, "POST /odata/Folders/UiPath.Server.Configuration.OData.AssignUsers", scopeFoldersWrite, s.assignUsers, nil)
	case strings.EqualFold(name, "AssignDomainUser"):
		return one(http.MethodPost, "POST /odata/Folders/UiPath.Server.Configuration.OData.AssignDomainUser", scopeFoldersWrite, s.assignDomainUser, nil)
	}
	if args, ok := functionCall(name, "GetUsersForFolder"); ok {
		return one(http.MethodGet, getUsers, scopeFoldersRead, s.getUsersForFolder, []string{args})
	}
	if args, ok := functionCall(name, "GetAllRolesForUser"); ok {
		return one(http.MethodGet, getRoles, scopeFoldersRead, s.getAllRolesForUser, []string{args})
	}
	return endpoint{}, nil, ""
}

// resolveAssets maps what follows /odata/Assets to its endpoint: the
// folder's list, one asset (read, replace) and the list across folders.
func (s *Server) resolveAssets(method, tail string) (ep endpoint, params []string, allow string) {
	if tail == "" || tail == "/" {
		if method == http.MethodGet {
			return endpoint{"GET /odata/Assets", scopeAssetsRead, true, s.listAssets}, nil, ""
		}
		return endpoint{}, nil, "GET"
	}
	if key, action, ok := odataKeyAction(tail); ok {
		switch {
		case action != "":
			return endpoint{}, nil, ""
		case method == http.MethodGet:
			return endpoint{"GET /odata/Assets({key})", scopeAssetsRead, true, s.getAsset}, []string{key}, ""
		case method == http.MethodPut:
			return endpoint{"PUT /odata/Assets({key})", scopeAssetsWrite, true, s.putAsset}, []string{key}, ""
		}
		return endpoint{}, nil, "GET, PUT"
	}
	name, ok := cutPrefixFold(tail, "/"+odataActions)
	if !ok || !(strings.EqualFold(name, "GetAssetsAcrossFolders") || strings.EqualFold(name, "GetAssetsAcrossFolders()")) {
		return endpoint{}, nil, ""
	}
	if method == http.MethodGet {
		return endpoint{"GET /odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders", scopeAssetsRead, true, s.assetsAcrossFolders}, nil, ""
	}
	return endpoint{}, nil, "GET"
}

// functionCall reads "Name(args)" as a call of the function fn
// (case-insensitively) and returns args.
func functionCall(s, fn string) (string, bool) {
	rest, ok := cutPrefixFold(s, fn+"(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	return rest[:len(rest)-1], true
}

// odataKeyAction reads "(key)" or "(key)/Action" into the key and the
// action ("" for none).
func odataKeyAction(tail string) (key, action string, ok bool) {
	if !strings.HasPrefix(tail, "(") {
		return "", "", false
	}
	end := strings.IndexByte(tail, ')')
	if end < 0 {
		return "", "", false
	}
	key, rest := tail[1:end], tail[end+1:]
	if rest == "" {
		return key, "", true
	}
	if !strings.HasPrefix(rest, "/") || len(rest) == 1 {
		return "", "", false
	}
	return key, rest[1:], true
}

// cutPrefixFold strips prefix from path, case-insensitively.
func cutPrefixFold(path, prefix string) (string, bool) {
	if len(path) < len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		return "", false
	}
	return path[len(prefix):], true
}

// odataKey reads the key of "(key)".
func odataKey(tail string) (string, bool) {
	if !strings.HasPrefix(tail, "(") || !strings.HasSuffix(tail, ")") {
		return "", false
	}
	return tail[1 : len(tail)-1], true
}
