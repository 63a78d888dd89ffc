package export

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// Access is the kind that exports Orchestrator access: the folder tree,
// who holds which roles in each folder, tenant roles, and the settings of
// unattended robots. Accounts and groups are named as another
// organization knows them (email, user name, robot name, group name),
// folders by path and roles by name: ids differ between organizations.
const Access Kind = "access"

// AccessOperations are the client operations export access reads through
// (OR.Folders.Read and OR.Users.Read), besides the group list every
// export reads.
var AccessOperations = []client.Operation{client.OpListFolders, client.OpListFolderUsers, client.OpListRoles, client.OpFindOrchestratorUser}

// AccessReader reads what export access writes: each list once, and the
// accounts assigned in each folder (one list per folder).
type AccessReader interface {
	// Folders lists every folder of the tenant.
	Folders(ctx context.Context) ([]client.Folder, error)
	// FolderUsers lists the accounts and groups assigned in the folder
	// itself (not those that inherit access from its ancestors).
	FolderUsers(ctx context.Context, folderID int64) ([]client.FolderMember, error)
	// Roles lists every role of the tenant.
	Roles(ctx context.Context) ([]client.Role, error)
	// EachOrchestratorUser pages through every Orchestrator user: users,
	// robots and groups, with their tenant roles and unattended robots.
	EachOrchestratorUser(ctx context.Context, fn func(client.OrchestratorUser) error) error
}

// ClientAccess is the AccessReader of c; c needs AccessOperations.
func ClientAccess(c *client.Client) AccessReader { return clientAccess{c} }

type clientAccess struct{ c *client.Client }

func (a clientAccess) Folders(ctx context.Context) ([]client.Folder, error) {
	return a.c.Folders().List(ctx)
}

func (a clientAccess) FolderUsers(ctx context.Context, id int64) ([]client.FolderMember, error) {
	return a.c.Folders().Users(ctx, id, false)
}

func (a clientAccess) Roles(ctx context.Context) ([]client.Role, error) { return a.c.Roles().List(ctx) }

func (a clientAccess) EachOrchestratorUser(ctx context.Context, fn func(client.OrchestratorUser) error) error {
	return a.c.OrchestratorUsers.All(ctx, fn)
}

// AccessTally is what export access left out, and what its rows need of
// another organization.
type AccessTally struct {
	// Folders counts the folders left out, with their subfolders and the
	// access in them, by why (see folderWhy).
	Folders map[string]int
	// Rows counts the access rows (an assignment in a folder, an account's
	// tenant roles, an unattended robot's settings) left out, by why.
	Rows map[string]int
	// Roles are the roles the rows name that are not among Orchestrator's
	// static ones: another organization needs roles of these names.
	Roles []string
	// Unattended counts the update_unattended_robot rows written;
	// UnknownCredentialType those written without credential_type, their
	// robot's type being one this version does not know.
	Unattended, UnknownCredentialType int
}

// Why folders and access rows are left out: folderWhy by folder type,
// and the phrases the notes complete.
var folderWhy = map[string]string{
	"Personal":      "personal workspaces (Orchestrator makes one for each user)",
	"Virtual":       "virtual folders",
	"Solution":      "solution folders (a solution's deployment makes them)",
	"DebugSolution": "solution folders (a solution's deployment makes them)",
}

const (
	whyFolderPath = "folders whose path no manifest can carry (an empty name, spaces around a name, or a name longer than 115 characters)"
	whyNoRoles    = "folder assignments that hold no role of their own: a set_folder_access row gives at least one role"
	whyUnnamed    = "access rows of accounts or groups no manifest can name in another organization (no usable email, user name or name)"
	whyRoleName   = "access rows naming a role no manifest can carry (empty, spaces around it, ';', or longer than 64 characters)"
	whyTwice      = "access rows of accounts named the same as another account's row: check them in the organization"
)

// whyType is why the access of an account of Orchestrator user type typ
// is left out.
func whyType(typ string) string {
	if code, ok := client.UnknownEnum(typ); ok {
		return "access rows of accounts of type code " + code + ", which this version does not know"
	}
	if typ == "" {
		typ = "no type"
	}
	return "access rows of " + typ + " accounts: no manifest names them"
}

func count(m *map[string]int, why string) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[why]++
}

// leftOut is how many rows were not written: folders and access rows.
func (a AccessTally) leftOut() int {
	n := 0
	for _, c := range a.Folders {
		n += c
	}
	for _, c := range a.Rows {
		n += c
	}
	return n
}

// notes says, one line each, what the export left out and what the
// other organization needs.
func (a AccessTally) notes() []string {
	var notes []string
	for _, why := range slices.Sorted(maps.Keys(a.Folders)) {
		notes = append(notes, fmt.Sprintf("left out %d %s, with their subfolders and the access in them", a.Folders[why], why))
	}
	for _, why := range slices.Sorted(maps.Keys(a.Rows)) {
		notes = append(notes, fmt.Sprintf("left out %d %s", a.Rows[why], why))
	}
	if n := len(a.Roles); n > 0 {
		names := a.Roles
		more := ""
		if n > 10 {
			names, more = names[:10], fmt.Sprintf(" and %d more", n-10)
		}
		notes = append(notes, fmt.Sprintf("the rows name %d roles that are not Orchestrator's static ones (%s%s): the other organization needs roles of these names, which batch does not create (plan fails a row naming one it lacks)",
			n, strings.Join(names, ", "), more))
	}
	if a.Unattended > 0 {
		notes = append(notes, fmt.Sprintf("wrote the settings of %d unattended robots, never their passwords: once applied, batch export robot-credentials on the other organization writes the rows that set them", a.Unattended))
	}
	if a.UnknownCredentialType > 0 {
		notes = append(notes, fmt.Sprintf("%d unattended robots sign in with a credential type this version does not know: written without credential_type", a.UnknownCredentialType))
	}
	return notes
}

// WriteAccess writes the Orchestrator access of the tenant as rows, in
// the order a run needs them: an ensure_folder row for every folder,
// parents first (siblings by path); then, folder by folder in that order,
// one set_folder_access row per account or group assigned there, with
// the roles given there (roles inherited from an ancestor are the
// ancestor's rows); then a set_tenant_roles row per account or group with
// tenant roles; then an update_unattended_robot row per user or robot
// with an unattended robot (its settings, never its password). groups is
// the organization's group list: it names the groups by their current
// name. It reads the folders, the roles and the Orchestrator users once
// each, and each folder's assignments once.
func WriteAccess(ctx context.Context, r AccessReader, sink Sink, groups []client.Group) (Tally, error) {
	x := &accessExport{sink: sink, names: newAccountNamer(groups), users: map[int64]client.OrchestratorUser{}, roles: map[string]string{}}
	err := x.write(ctx, r)
	x.t.LeftOut = x.t.Access.leftOut()
	for _, lower := range slices.Sorted(maps.Keys(x.roles)) {
		x.t.Access.Roles = append(x.t.Access.Roles, x.roles[lower])
	}
	if err != nil {
		return x.t, fmt.Errorf("export access: %w", err)
	}
	return x.t, nil
}

// accessExport is one export access as it goes.
type accessExport struct {
	sink  Sink
	t     Tally
	names accountNamer
	// users are the Orchestrator users by id; ordered lists them in the
	// list's order.
	users   map[int64]client.OrchestratorUser
	ordered []int64
	// static holds the lower-case names of the static roles; roles the
	// names of the other roles the rows name, by lower-case name.
	static map[string]bool
	roles  map[string]string
}

func (x *accessExport) write(ctx context.Context, r AccessReader) error {
	folders, err := r.Folders(ctx)
	if err != nil {
		return fmt.Errorf("read the folders%s: %w", scopeHint(err, "OR.Folders.Read"), err)
	}
	list, err := r.Roles(ctx)
	if err != nil {
		return fmt.Errorf("read the roles%s: %w", scopeHint(err, "OR.Users.Read"), err)
	}
	x.static = map[string]bool{}
	for _, role := range list {
		if role.IsStatic {
			x.static[strings.ToLower(role.Name)] = true
		}
	}
	err = r.EachOrchestratorUser(ctx, func(o client.OrchestratorUser) error {
		if _, seen := x.users[o.ID]; !seen {
			x.ordered = append(x.ordered, o.ID)
		}
		x.users[o.ID] = o
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the Orchestrator users: %w", err)
	}
	kept := x.keptFolders(folders)
	for _, f := range kept {
		if err := x.emit(manifest.Job{Op: manifest.OpEnsureFolder, Target: manifest.Target{Kind: manifest.TargetFolder, Value: f.path}}); err != nil {
			return err
		}
	}
	for _, f := range kept {
		if f.PermissionModel == "InheritFromTenant" {
			continue // a classic folder takes no assignments
		}
		members, err := r.FolderUsers(ctx, f.ID)
		if err != nil {
			return fmt.Errorf("read who is assigned in folder %s: %w", f.path, err)
		}
		if err := x.writeAll(x.folderRows(f.path, members)); err != nil {
			return err
		}
	}
	if err := x.writeAll(x.tenantRows()); err != nil {
		return err
	}
	return x.writeAll(x.unattendedRows())
}

// scopeHint names the scope a refused read needs (401, 403), or is "".
func scopeHint(err error, scope string) string {
	if ce, ok := client.AsError(err); ok && (ce.StatusCode == http.StatusUnauthorized || ce.StatusCode == http.StatusForbidden) {
		return " (the External Application needs the scope " + scope + ")"
	}
	return ""
}

// emit writes one row, numbered on.
func (x *accessExport) emit(j manifest.Job) error {
	x.t.Rows++
	j.Row = x.t.Rows
	return x.sink.Write(j)
}

// writeAll writes rows sorted by target (kind, then value in any case),
// leaving out a row whose target an earlier one names (two accounts that
// another organization would take for one).
func (x *accessExport) writeAll(rows []manifest.Job) error {
	slices.SortStableFunc(rows, func(a, b manifest.Job) int {
		return cmp.Or(cmp.Compare(targetRank(a.Target.Kind), targetRank(b.Target.Kind)),
			strings.Compare(strings.ToLower(a.Target.Value), strings.ToLower(b.Target.Value)))
	})
	seen := map[string]bool{}
	for _, j := range rows {
		if key := j.Target.Key(); seen[key] {
			count(&x.t.Access.Rows, whyTwice)
			continue
		} else {
			seen[key] = true
		}
		if err := x.emit(j); err != nil {
			return err
		}
	}
	return nil
}

// targetRank orders access rows: users, then robots, then groups.
func targetRank(k manifest.TargetKind) int {
	return slices.Index([]manifest.TargetKind{manifest.TargetEmail, manifest.TargetUsername, manifest.TargetRobotName, manifest.TargetGroupName}, k)
}

// accessFolder is a folder with the path a manifest names it by.
type accessFolder struct {
	client.Folder
	path string
}

// keptFolders are the folders a manifest can make in another
// organization, parents first and siblings by path. Folders of a type a
// run does not make (personal workspaces, solution and virtual folders)
// and folders whose path no manifest can carry are counted and left out,
// with their subfolders.
func (x *accessExport) keptFolders(folders []client.Folder) []accessFolder {
	byID := make(map[int64]client.Folder, len(folders))
	for _, f := range folders {
		byID[f.ID] = f
	}
	why := map[int64]string{} // the folders left out, and why
	var whyOf func(f client.Folder, depth int) string
	whyOf = func(f client.Folder, depth int) string {
		if w, ok := why[f.ID]; ok {
			return w
		}
		w := ""
		switch {
		case f.FolderType != "" && f.FolderType != "Standard":
			if w = folderWhy[f.FolderType]; w == "" {
				code, _ := client.UnknownEnum(f.FolderType)
				w = "folders of type code " + code + ", which this version does not know"
			}
		case !carriablePath(folderPath(f)):
			w = whyFolderPath
		case f.ParentID != nil && depth < len(folders):
			if parent, ok := byID[*f.ParentID]; ok {
				w = whyOf(parent, depth+1)
			}
		}
		why[f.ID] = w
		return w
	}
	var kept []accessFolder
	for _, f := range folders {
		if w := whyOf(f, 0); w != "" {
			count(&x.t.Access.Folders, w)
			continue
		}
		kept = append(kept, accessFolder{Folder: f, path: folderPath(f)})
	}
	slices.SortStableFunc(kept, func(a, b accessFolder) int { return comparePaths(a.path, b.path) })
	return kept
}

// folderPath is the path a manifest names f by: its fully qualified name,
// or its own name for a folder the service sent without one.
func folderPath(f client.Folder) string {
	if f.FullyQualifiedName != "" {
		return f.FullyQualifiedName
	}
	return f.DisplayName
}

// carriablePath reports whether a manifest reads path back as written:
// folder names that are not empty, without spaces around them, of at most
// 115 characters (what Orchestrator keeps).
func carriablePath(path string) bool {
	for _, name := range manifest.FolderSegments(path) {
		if name == "" || name != strings.TrimSpace(name) || utf8.RuneCountInString(name) > 115 {
			return false
		}
	}
	return true
}

// comparePaths orders folder paths name by name (in any case, then as
// written): a parent before its children, which follow it before its
// next sibling.
func comparePaths(a, b string) int {
	as, bs := manifest.FolderSegments(a), manifest.FolderSegments(b)
	for i := range min(len(as), len(bs)) {
		if c := cmp.Or(strings.Compare(strings.ToLower(as[i]), strings.ToLower(bs[i])), strings.Compare(as[i], bs[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// folderRows are the set_folder_access rows of the folder at path: one
// per account or group assigned there, with the roles given there.
func (x *accessExport) folderRows(path string, members []client.FolderMember) []manifest.Job {
	var rows []manifest.Job
	for _, m := range members {
		if m.Inherited {
			continue // the ancestor's rows give it
		}
		var names []string
		for _, role := range m.Roles {
			if !role.Inherited {
				names = append(names, role.Name)
			}
		}
		if len(names) == 0 {
			count(&x.t.Access.Rows, whyNoRoles)
			continue
		}
		o, ok := x.users[m.UserID]
		if !ok { // made after the users were read: what the folder says
			o = client.OrchestratorUser{ID: m.UserID, UserName: m.UserName, Type: m.Type}
		}
		if j, ok := x.accessRow(manifest.OpSetFolderAccess, o, names); ok {
			j.Folder = path
			rows = append(rows, j)
		}
	}
	return rows
}

// tenantRows are the set_tenant_roles rows: one per account or group with
// tenant roles.
func (x *accessExport) tenantRows() []manifest.Job {
	var rows []manifest.Job
	for _, id := range x.ordered {
		o := x.users[id]
		if len(o.RolesList) == 0 {
			continue
		}
		if j, ok := x.accessRow(manifest.OpSetTenantRoles, o, o.RolesList); ok {
			rows = append(rows, j)
		}
	}
	return rows
}

// accessRow is a row of op giving the account or group o exactly the
// roles names; false (and counted) when no manifest can name o or one of
// the roles.
func (x *accessExport) accessRow(op manifest.Op, o client.OrchestratorUser, names []string) (manifest.Job, bool) {
	target, why := x.names.target(o)
	if why != "" {
		count(&x.t.Access.Rows, why)
		return manifest.Job{}, false
	}
	roles := make([]string, 0, len(names))
	for _, n := range names {
		if n == "" || n != strings.TrimSpace(n) || strings.Contains(n, ";") || utf8.RuneCountInString(n) > 64 {
			count(&x.t.Access.Rows, whyRoleName)
			return manifest.Job{}, false
		}
		roles = append(roles, n)
	}
	slices.SortStableFunc(roles, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	roles = slices.CompactFunc(roles, strings.EqualFold)
	for _, n := range roles {
		if lower := strings.ToLower(n); !x.static[lower] {
			if _, ok := x.roles[lower]; !ok {
				x.roles[lower] = n
			}
		}
	}
	return manifest.Job{Op: op, Target: target, Roles: roles}, true
}

// unattendedRows are the update_unattended_robot rows: one per user (by
// user name) or robot (by name) with an unattended robot, its Windows
// account, credential type, execution settings and concurrency limit.
func (x *accessExport) unattendedRows() []manifest.Job {
	var rows []manifest.Job
	for _, id := range x.ordered {
		o := x.users[id]
		ur := o.UnattendedRobot
		if ur == nil {
			continue
		}
		var target manifest.Target
		switch o.Type {
		case "User", client.TypeDirectoryUser:
			target = manifest.Target{Kind: manifest.TargetUsername, Value: o.UserName}
		case "Robot", client.TypeDirectoryRobot:
			target = manifest.Target{Kind: manifest.TargetRobotName, Value: o.UserName}
		default:
			count(&x.t.Access.Rows, whyType(o.Type))
			continue
		}
		if !plainName(target.Value) {
			count(&x.t.Access.Rows, whyUnnamed)
			continue
		}
		limit := ur.LimitConcurrentExecution
		j := manifest.Job{Op: manifest.OpUpdateUnattendedRobot, Target: target, LimitConcurrentExecution: &limit}
		if ur.UserName != "" {
			account := ur.UserName
			j.RobotUsername = &account
		}
		if ur.CredentialType != "" {
			if i := slices.IndexFunc(manifest.CredentialTypes, func(t string) bool { return strings.EqualFold(t, ur.CredentialType) }); i >= 0 {
				j.CredentialType = &manifest.CredentialTypes[i]
			} else {
				x.t.Access.UnknownCredentialType++
			}
		}
		if len(ur.ExecutionSettings) > 0 { // none: a new robot has none either
			settings, err := compactJSON(ur.ExecutionSettings)
			if err != nil {
				count(&x.t.Access.Rows, "unattended robots whose execution settings cannot be written as JSON")
				continue
			}
			j.ExecutionSettings = settings
		}
		rows = append(rows, j)
	}
	x.t.Access.Unattended = len(rows)
	return rows
}

// compactJSON is v as compact JSON, object keys sorted, HTML characters
// as written: the form the manifest reads execution_settings into.
func compactJSON(v map[string]any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// accountNamer names an Orchestrator user (an account or a group) as
// another organization knows it.
type accountNamer struct {
	// groups are the manifest names of the organization's groups by
	// lower-case id (see GroupNames); listed the ids of every group.
	groups map[string]string
	listed map[string]bool
}

func newAccountNamer(groups []client.Group) accountNamer {
	n := accountNamer{groups: GroupNames(groups), listed: make(map[string]bool, len(groups))}
	for _, g := range groups {
		n.listed[strings.ToLower(g.ID)] = true
	}
	return n
}

// target names o: a user by email when it has one (its email address, or a
// user name that is one), else by user name; a robot by name; a group by
// its name in the organization's group list (built-in groups too: every
// organization has them), else by the name Orchestrator holds. why says
// what keeps a manifest from naming it, or is "".
func (n accountNamer) target(o client.OrchestratorUser) (t manifest.Target, why string) {
	switch o.Type {
	case "User", client.TypeDirectoryUser:
		for _, v := range []string{o.EmailAddress, o.UserName} {
			if v = strings.TrimSpace(v); isEmail(v) {
				return manifest.Target{Kind: manifest.TargetEmail, Value: v}, ""
			}
		}
		if plainName(o.UserName) {
			return manifest.Target{Kind: manifest.TargetUsername, Value: o.UserName}, ""
		}
	case "Robot", client.TypeDirectoryRobot:
		if plainName(o.UserName) {
			return manifest.Target{Kind: manifest.TargetRobotName, Value: o.UserName}, ""
		}
	case client.TypeDirectoryGroup:
		id := strings.ToLower(o.DirectoryIdentifier)
		if name, ok := n.groups[id]; ok {
			return manifest.Target{Kind: manifest.TargetGroupName, Value: name}, ""
		}
		if id == "" || !n.listed[id] { // a group the list does not hold: as Orchestrator names it
			if plainName(o.UserName) && !strings.Contains(o.UserName, ";") && !manifest.IsGUID(o.UserName) {
				return manifest.Target{Kind: manifest.TargetGroupName, Value: o.UserName}, ""
			}
		}
	default:
		return manifest.Target{}, whyType(o.Type)
	}
	return manifest.Target{}, whyUnnamed
}

// plainName reports whether a manifest reads name back as written: not
// empty, no spaces around it.
func plainName(name string) bool { return name != "" && name == strings.TrimSpace(name) }

// isEmail is the manifest's e-mail check (one @, a non-empty local part,
// a domain with a dot, no spaces or separators): a target it would refuse
// is written as a user name instead.
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}
