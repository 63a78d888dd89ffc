// Package emulator is an in-memory UiPath Identity and Orchestrator server on
// loopback HTTP. It issues client-credentials tokens, serves the user, robot
// account, group, Orchestrator user, folder and role endpoints the project
// uses (reading, changing, creating and deleting accounts and groups;
// folders and who holds which roles in them; assets and their
// credentials), answers with the
// real services' error shapes, enforces scopes and per-method rolling-window
// budgets, and injects latency, server errors and dropped connections on
// request. Tests drive it over HTTP and read its state through the Go API or
// the read-only /_emulator endpoints.
//
// It deliberately shares no code with the project's API client, so that the
// two cannot agree on a mistake.
//
// By default it answers as UiPath's live service does where that departs
// from the published definitions (UIPATH_API.md; evidence: UiPath's
// TypeScript SDK and PowerShell module); Config.SpecShapes answers the
// definitions' shapes instead:
//   - A user's type is an integer code (0 user, 1 robot, 2 directoryUser,
//     3 directoryGroup, 4 robotAccount, 5 application) and the user has
//     an integer category (2 directory for directory users and groups, 0
//     local for the rest); spec: the type's name, no category. A create
//     takes the type by name or by code in both.
//   - A user in no groups answers groupIDs null; spec: [].
//   - A group's type is 0 builtIn or 1 custom; spec: the name. Its
//     members are always [] (membership is the accounts' groupIDs);
//     spec: null.
//   - POST /api/Group must carry the new group's id (400 on id, "The Id
//     field is required.", without one); spec: the emulator makes one
//     up. Either way an id a live group holds is refused with 400 on id.
//     POST /api/User takes the id it is given in both; an id a user holds
//     or held (soft-deleted) is refused with 400 on id.
//   - The user and robot-account lists are stable only with sortBy=Id
//     (id order; sortOrder asc or desc). Without sortBy a page read with
//     skip > 0 starts with the item before its boundary instead of the
//     one at it, so a client paging without sortBy sees one item twice
//     and misses another at every boundary; spec: creation order, stable.
//     Any other sortBy is refused with 400 (only Id is emulated). Query
//     parameter names match case-insensitively, as ASP.NET binds them.
//     The id order comes from an index built at the first sortBy=Id read
//     and kept in step after, so a page costs its length, not the list's.
//   - Deletes (single and bulk) answer 200 without a body; spec: 204.
//   - DELETE /api/Group/{partitionGlobalId} without ids (groupIDs absent
//     or empty, or no body) deletes every local group, as one UiPath page
//     describes; spec: 400. A bulk user or robot-account delete without
//     ids is 400 in both.
//   - Orchestrator answers string enums in both: OData sends names.
//   - An asset (AssetDto) lacking a description, an external name, a
//     credential store or a modification time has it null, its
//     CredentialPassword and SecretValue are "" and it carries
//     AllowDirectApiAccess; spec: the lacking fields and the passwords
//     are left out. Across folders its value fields are null (spec: left
//     out).
//   - A root folder's ParentId and ParentKey, and a folder's empty
//     Description, are null; spec: left out (not declared nullable).
//
// A second administrator (Config.MeddleAfter) changes every account and
// local group once, mid-run; see meddle.go and Server.Meddled.
//
// Every change made through the API, and the second administrator's,
// writes audit records (audit.go), served by Orchestrator's
// odata/AuditLogs (OR.Audit or OR.Audit.Read; $filter, $orderby,
// $top, $skip, $count, and GetAuditLogDetails) and Identity's
// /api/AuditQuery/{partitionGlobalId} (PM.Audit or PM.Audit.Read: the
// definitions name no scope; top, skip, sortBy=createdOn, sortOrder),
// each once Config.AuditLag has passed, and read by Server.AuditLogs
// and Server.IdentityAudit. Config.UnchangedPatchRate answers some
// PATCHes of odata/Users({key}) 200 without applying them or writing a
// record (Server.UnchangedPatches).
//
// Decisions where the real service leaves room:
//   - An unknown identity id answers 404 with ASP.NET problem details
//     ({"type","title":"Not Found","status":404,"traceId"}).
//   - Orchestrator PATCH and PUT on Users({key}) answer 200 with an empty
//     body, as orchestrator.yaml documents.
//   - Budgets apply to every API request (Identity and Orchestrator) of the
//     organization, per HTTP method; token requests and /_emulator are free.
//   - Orchestrator PUT resets every field the body omits except Id, Key,
//     DirectoryIdentifier, Type and CreationTime, which are read-only. An UnattendedRobot's
//     RobotId and MachineMappingsCount are the server's: a PATCH or PUT
//     may carry them (Server.ServerComputedSent counts the PATCHes that
//     do) but the robot keeps its RobotId.
//   - Every tenant has credential store 1, the Orchestrator Database
//     (writable); a seed file adds more (odata/CredentialStores, scope
//     OR.Settings or OR.Settings.Read). A password for a robot whose
//     store is read-only, or whose password an external store holds by
//     CredentialExternalName, is refused with a 400 ErrorResult.
//   - A bulk request (POST /api/User/BulkCreate, DELETE /api/User, the bulk
//     group and robot-account deletes, a group's members in POST and PUT
//     /api/Group, adds and removes together) carries at most
//     Config.BulkMax ids; more are refused whole with 400 problem details
//     naming the count. A bulk request is applied whole or not at all: an
//     id with no live account or group refuses it with 400 on that id's
//     field ("userIds[3]"), a duplicate in a BulkCreate with an
//     IdentityResult listing every user's error.
//   - A create answers DuplicateUserName and DuplicateEmail (both when both
//     are taken, compared case-insensitively, soft-deleted users aside) in
//     a 400 IdentityResult; a create without userName takes the email as
//     userName; a password, when given, meets the password policy whatever
//     validatePassword says. A create answers no id (IdentityResult only):
//     clients read the user back by email, or give the id in the command.
//   - New users and robot accounts join Everyone besides the groups named.
//     A robot account created without displayName has none (null), as a
//     PUT without it blanks it.
//   - Deleted users are soft-deleted: gone from every list and lookup (404),
//     their email and userName free again; the state snapshot keeps them,
//     with robot accounts and groups deleted, in its Deleted lists.
//   - Group members are users or robot accounts by id (directoryUser...IDs);
//     an unknown id refuses the request with 400 on its field. Membership
//     is the accounts' groupIDs: a group change shows in them, and moves
//     their lastModificationTime.
//   - A group PUT must carry the name (400 on Name otherwise); built-in
//     groups keep theirs (400 on Name) and cannot be deleted (400); group
//     and robot-account names are unique, case-insensitively (400 on Name).
//   - Orchestrator access (folders.go, roles.go, folder_access.go):
//     folders (odata/Folders: list, one, create; FullyQualifiedName is
//     the path, names joined by "/"), roles (odata/Roles: built-in ones
//     in every tenant, a seed's custom ones after), who holds which
//     folder roles where (GetUsersForFolder, with the roles a folder
//     inherits from its ancestors marked Inherited and the ancestor that
//     gave them; GetAllRolesForUser, through the account's groups too),
//     assignments (AssignUsers, AssignDomainUser, RemoveUserFromFolder
//     and …ByKey) and tenant roles (Users({key})/…AssignRoles). The
//     folder endpoints need OR.Folders (.Read, .Write); roles and tenant
//     roles OR.Users (.Read, .Write), as the definitions say.
//   - AssignUsers and AssignDomainUser replace the roles an account
//     holds in each folder they name (none: assigned without roles), as
//     UiPath's PowerShell module relies on; AssignRoles replaces its
//     tenant roles. RemoveUserFromFolder of an account not assigned
//     there is no error (204). They refuse, whole, with a 400
//     ErrorResult: an unknown user, folder or role id, a tenant role in
//     a folder, a folder role for the tenant, a classic folder
//     (PermissionModel InheritFromTenant). A folder create refuses a
//     name used under the same parent (case-insensitively) with 409, an
//     unknown parent with 400, a name with "/" with 400.
//   - An Identity user, robot account or group is an Orchestrator user
//     (DirectoryUser, DirectoryRobot, DirectoryGroup, DirectoryIdentifier
//     its Identity id) once access is given to it (AssignDomainUser, a
//     seed's folderAssignments or tenantRoles); the generated robot
//     accounts' Orchestrator users (type Robot) stand for them from the
//     start. POST odata/Users makes one without access (OR.Users or
//     OR.Users.Write): Type DirectoryUser, DirectoryRobot or
//     DirectoryGroup, the account found by DirectoryIdentifier or else
//     by UserName as AssignDomainUser finds it, its names and email
//     taken from the directory, with Domain, the tenant roles of
//     RolesList (names) and an UnattendedRobot (MayHaveUnattendedSession
//     then true, the robot a new RobotId); 201 with the UserDto. It
//     refuses an account Orchestrator lists already (linked to it, or a
//     user of its name) with 409; another Type, an account the directory
//     lacks, a UserName that is not the named account's, an unknown or
//     folder role, a password a read-only or external store holds with a
//     400 ErrorResult. Members of a group hold its access:
//     GetAllRolesForUser says so; GetUsersForFolder lists the group, not
//     its members. Deleting the Identity entity drops the Directory*
//     user made for it, with its access.
//   - Assets (assets.go, assets_put.go): a seed's (SeedFile.Assets) or
//     generated ones (Config.Assets), each in one folder, served by GET
//     odata/Assets and odata/Assets({key}) (the header
//     X-UIPATH-OrganizationUnitId required: 400 errorCode 1101 without
//     it, 404 for a folder the tenant lacks, 404 for an asset of another
//     folder; $filter, $top, $skip, $count; $expand=UserValues, the
//     users' values being a navigation property, there only when
//     expanded, RobotValues always), PUT odata/Assets({key}) and
//     GetAssetsAcrossFolders (no header needed; metadata only, every
//     folder's but excludeFolderId's). Reads need OR.Assets or
//     OR.Assets.Read, the PUT OR.Assets or OR.Assets.Write. POST and
//     DELETE are not emulated. The PUT replaces the asset whole (see
//     assets_put.go): what it leaves out is cleared, but for passwords
//     and secret values, which no answer carries: a value sent without
//     one keeps its own. It refuses with a 400 ErrorResult a blank
//     password, a password for a value an external store (ExternalName)
//     or a read-only store holds, a new value without one, an unknown
//     robot, user or machine, a value given twice, values on a Global
//     asset, a changed ValueType, no Name or ValueScope, an unknown
//     property; a name another asset of the folder holds with 409. A
//     PUT that passes writes an audit record (Component Assets, Action
//     Update, DisplayName the asset's name, EntityId its id, the values
//     given a secret named in Parameters, never the secret).
//   - Folder, role, and made Orchestrator user ids start at numbers
//     derived from Config.Seed, so organizations of different seeds
//     have different ones, as UiPath tenants do.
//   - Everyone, Administrators, Automation Users and Automation Developers
//     are the built-in groups of every organization; Finance is a local
//     group the generated organization holds, absent when nothing is
//     generated (Users and Robots zero).
package emulator
