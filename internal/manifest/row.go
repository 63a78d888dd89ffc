package manifest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/secret"
)

// rawCell is one non-empty cell of a row before it is typed: its canonical
// column, its text (or list items, for a YAML list) and its line.
type rawCell struct {
	col    string
	value  string
	list   []string
	isList bool
	exact  bool // a CSV cell neutralised against formulas: taken as written, not trimmed
	line   int
}

// rawRow is a row as a source read it: known columns only, empty cells left
// out. Problems found while reading (unknown keys, too many cells) travel
// with it.
type rawRow struct {
	line     int
	last     int // the row's last line, where its last cell starts (0: line)
	cells    []rawCell
	problems []Problem
	broken   bool // unreadable as a row: only its problems count
}

func (r *rawRow) cell(col string) *rawCell {
	for i := range r.cells {
		if r.cells[i].col == col {
			return &r.cells[i]
		}
	}
	return nil
}

// jobBuilder turns raw rows into jobs, collecting every problem of a row.
type jobBuilder struct {
	file     string
	opts     *Options
	problems []Problem
	row      *rawRow
}

func (b *jobBuilder) problemAt(line int, col, format string, args ...any) {
	if line <= 0 {
		line = b.row.line
	}
	b.problems = append(b.problems, Problem{
		Source:  Source{File: b.file, Line: line},
		Column:  col,
		Message: fmt.Sprintf(format, args...),
	})
}

// build types and checks one row; it returns the problems found (none for
// a valid row). Rules that span rows are Validate's.
func (b *jobBuilder) build(raw *rawRow, ordinal int) (Job, []Problem) {
	b.row = raw
	b.problems = append([]Problem(nil), raw.problems...)
	job := Job{Row: ordinal, Source: Source{File: b.file, Line: raw.line}}
	if raw.broken {
		return job, b.problems
	}

	spec, opKnown := b.op(&job)
	b.target(&job, spec, opKnown)
	for i := range raw.cells {
		c := &raw.cells[i]
		if c.col == ColOp || isTargetColumn(c.col) && !(opKnown && spec.takesField(c.col)) {
			continue
		}
		if opKnown && !spec.takesField(c.col) {
			b.problemAt(c.line, c.col, "%s does not take %s (it takes: %s)%s", job.Op, c.col, spec.fieldList(), notTakenHint(job.Op, c.col))
			continue
		}
		b.field(&job, c)
	}
	b.overlap(groupColumns, job.Groups, job.GroupsToAdd, job.GroupsToRemove)
	b.overlap(roleColumns, job.Roles, job.RolesToAdd, job.RolesToRemove)
	b.required(&job)
	b.builtInGroup(&job)
	return job, b.problems
}

func (b *jobBuilder) op(job *Job) (opSpec, bool) {
	c := b.row.cell(ColOp)
	if c == nil || strings.TrimSpace(c.value) == "" {
		b.problemAt(0, ColOp, "missing op: set op to one of %s", opList())
		return opSpec{}, false
	}
	if c.isList {
		b.problemAt(c.line, ColOp, "op must be a single value, one of %s", opList())
		return opSpec{}, false
	}
	name := strings.ToLower(strings.TrimSpace(c.value))
	spec, ok := opSpecs[Op(name)]
	if !ok {
		hint := ""
		if s := suggestOp(name); s != "" {
			hint = fmt.Sprintf("; did you mean %q?", s)
		}
		b.problemAt(c.line, ColOp, "unknown op %q%s (valid ops: %s)", printable(c.value), hint, opList())
		return opSpec{}, false
	}
	job.Op = Op(name)
	return spec, true
}

func (b *jobBuilder) target(job *Job, spec opSpec, opKnown bool) {
	var found []*rawCell
	for _, k := range targetKinds {
		if opKnown && spec.takesField(string(k)) {
			continue // a field of this op (ensure_user's username)
		}
		if c := b.row.cell(string(k)); c != nil {
			found = append(found, c)
		}
	}
	if opKnown && len(found) > 1 && spec.takesTarget(TargetUserID) && b.row.cell(string(TargetUserID)) != nil {
		// Named by id, a user's email and user name are labels the
		// account is checked against, not further targets.
		kept := found[:0]
		for _, c := range found {
			switch TargetKind(c.col) {
			case TargetEmail, TargetUsername:
				b.expect(job, c)
			default:
				kept = append(kept, c)
			}
		}
		found = kept
	}
	if opKnown && len(found) > 1 && !spec.takesTarget(TargetFolder) {
		// The folder column is ensure_folder's target and a field of the
		// access ops: beside another target, it is a field this op does
		// not take.
		kept := found[:0]
		for _, c := range found {
			if c.col == ColFolder {
				b.problemAt(c.line, c.col, "%s does not take %s (it takes: %s)%s", job.Op, c.col, spec.fieldList(), notTakenHint(job.Op, c.col))
				continue
			}
			kept = append(kept, c)
		}
		found = kept
	}
	if opKnown && job.Op == OpSetCredentialAsset && len(found) > 1 {
		found = b.assetTargetOnly(job, spec, found)
	}
	if opKnown && job.Op == OpUpdateUser && len(found) > 1 {
		if email := b.row.cell(string(TargetEmail)); email != nil {
			b.problemAt(email.line, string(TargetEmail),
				"update_user cannot change an e-mail address (email is a target column only, and this row also names the user by %s): "+
					"to move a user to a new address, invite the new address and delete the old account", otherTarget(found))
			kept := found[:0]
			for _, c := range found {
				if c != email {
					kept = append(kept, c)
				}
			}
			found = kept
		}
	}
	switch {
	case len(found) == 0:
		if opKnown {
			b.problemAt(0, "", "missing target: give exactly one of %s for %s", spec.targetList(), job.Op)
		} else {
			b.problemAt(0, "", "missing target: give exactly one target column (%s)", targetKindList())
		}
		return
	case len(found) > 1:
		names := make([]string, len(found))
		for i, c := range found {
			names[i] = c.col
		}
		b.problemAt(found[1].line, found[1].col, "more than one target (%s): give exactly one per row", strings.Join(names, ", "))
		return
	}
	c := found[0]
	kind := TargetKind(c.col)
	if opKnown && !spec.takesTarget(kind) {
		b.problemAt(c.line, c.col, "%s is not a target of %s: use one of %s%s", kind, job.Op, spec.targetList(), notTakenHint(job.Op, c.col))
		return
	}
	value, ok := b.targetValue(c, kind)
	if !ok {
		return
	}
	if kind == TargetUserID || kind == TargetRobotAccountID || kind == TargetGroupID {
		value = strings.ToLower(value)
	}
	job.Target = Target{Kind: kind, Value: value}
}

// expect records an email or user name that a row naming its user by id
// expects the account to hold.
func (b *jobBuilder) expect(job *Job, c *rawCell) {
	kind := TargetKind(c.col)
	value, ok := b.targetValue(c, kind)
	if !ok {
		return
	}
	if kind == TargetEmail {
		job.ExpectEmail = value
	} else {
		job.ExpectUserName = value
	}
}

// targetValue returns the trimmed value of a target-like cell of kind, or
// records why it is not one (a list, or a value of the wrong form).
func (b *jobBuilder) targetValue(c *rawCell, kind TargetKind) (string, bool) {
	if kind == TargetFolder {
		return b.folder(c)
	}
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single value, not a list", kind)
		return "", false
	}
	value := strings.TrimSpace(c.value)
	if msg := checkTargetValue(kind, value); msg != "" {
		b.problemAt(c.line, c.col, "%s", msg)
		return "", false
	}
	return value, true
}

func otherTarget(found []*rawCell) string {
	for _, c := range found {
		if c.col != string(TargetEmail) {
			return c.col
		}
	}
	return "another column"
}

func checkTargetValue(kind TargetKind, v string) string {
	switch kind {
	case TargetUserID, TargetRobotAccountID, TargetGroupID:
		if !IsGUID(v) {
			return fmt.Sprintf("%s %q is not a GUID (like 6f1b7c2a-0d4e-4c1a-9b7e-000000000001)", kind, printable(v))
		}
	case TargetEmail:
		if !isEmail(v) {
			return fmt.Sprintf("email %q is not an e-mail address", printable(v))
		}
	case TargetOrchestratorUserID:
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
			return fmt.Sprintf("orchestrator_user_id %q is not a positive whole number (the Orchestrator user's Id)", printable(v))
		}
	case TargetAssetName:
		if utf8.RuneCountInString(v) > AssetNameMax {
			return fmt.Sprintf("asset_name %q is longer than %d characters, the longest asset name Orchestrator keeps", printable(v), AssetNameMax)
		}
	}
	return ""
}

func (b *jobBuilder) field(job *Job, c *rawCell) {
	switch c.col {
	case ColName:
		job.Name = b.text(c)
	case ColSurname:
		job.Surname = b.text(c)
	case ColDisplayName:
		job.DisplayName = b.text(c)
	case ColRobotUsername:
		job.RobotUsername = b.text(c)
	case ColIsActive:
		job.IsActive = b.boolean(c)
	case ColBypassBasicAuthRestriction:
		job.BypassBasicAuthRestriction = b.boolean(c)
	case ColInvitationAccepted:
		job.InvitationAccepted = b.boolean(c)
	case ColUserName:
		job.UserName = b.text(c)
	case ColGroupsToAdd:
		job.GroupsToAdd = b.changes(c, groupColumns)
	case ColGroupsToRemove:
		job.GroupsToRemove = b.changes(c, groupColumns)
	case ColGroups:
		job.Groups = b.exactSet(c, groupColumns)
	case ColRolesToAdd:
		job.RolesToAdd = b.changes(c, roleColumns)
	case ColRolesToRemove:
		job.RolesToRemove = b.changes(c, roleColumns)
	case ColRoles:
		job.Roles = b.exactSet(c, roleColumns)
	case ColFolder:
		// A field of the access ops; ensure_folder's folder is its target.
		if p, ok := b.folder(c); ok {
			job.Folder = p
		}
	case ColCredentialType:
		job.CredentialType = b.credentialType(c)
	case ColExecutionSettings:
		job.ExecutionSettings = b.executionSettings(c)
	case ColLimitConcurrentExecution:
		job.LimitConcurrentExecution = b.boolean(c)
	case ColValueFor:
		job.ValueFor = b.valueFor(c)
	case ColCredentialUsername:
		job.CredentialUsername = b.credentialUsername(c)
	case ColNewPassword:
		job.NewPassword = b.secret(c)
	case ColOldPassword:
		job.OldPassword = b.secret(c)
	case ColInitialPassword:
		job.InitialPassword = b.secret(c)
	}
}

func (b *jobBuilder) text(c *rawCell) *string {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single value, not a list", c.col)
		return nil
	}
	v := c.value
	if !c.exact {
		v = strings.TrimSpace(v)
	}
	return &v
}

func (b *jobBuilder) boolean(c *rawCell) *bool {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be true or false, not a list", c.col)
		return nil
	}
	switch strings.ToLower(strings.TrimSpace(c.value)) {
	case "true", "yes", "1":
		v := true
		return &v
	case "false", "no", "0":
		v := false
		return &v
	}
	b.problemAt(c.line, c.col, "%s %q is not a boolean: use true/false, yes/no or 1/0", c.col, printable(c.value))
	return nil
}

// listColumns is a family of list columns: one makes the list exactly a
// set (groups, roles), the other two change it (groups_to_add and
// groups_to_remove, roles_to_add and roles_to_remove). A row takes the set
// or the changes, not both, and an item is added or removed, not both.
type listColumns struct {
	set, add, remove string
	item             string // what an item names: "group", "role"
	setMeans         string // what the set column is, for messages
	// guids: items may be GUIDs as well as names (groups); a GUID is
	// lower-cased, and an item of a GUID's shape that is not one is a
	// problem.
	guids bool
	// maxLen, when not 0, is the longest name the service keeps, in
	// characters.
	maxLen int
	// noSemicolon: an item holding ';' (a YAML list item) is a problem,
	// as no CSV cell could carry it and an item has no other name (roles;
	// a group so named can be given by GUID).
	noSemicolon bool
}

var (
	groupColumns = listColumns{set: ColGroups, add: ColGroupsToAdd, remove: ColGroupsToRemove,
		item: "group", setMeans: "the exact membership", guids: true}
	// Roles are named by name: their ids differ between organizations.
	// RoleDto.Name holds at most 64 characters.
	roleColumns = listColumns{set: ColRoles, add: ColRolesToAdd, remove: ColRolesToRemove,
		item: "role", setMeans: "the exact set of roles", maxLen: 64, noSemicolon: true}
)

// has reports whether col is one of the family's columns.
func (lc listColumns) has(col string) bool { return col == lc.set || col == lc.add || col == lc.remove }

// changes reads an add or remove column (groups_to_add, roles_to_remove):
// items each once; an empty item (two ';' in a row, a ';' at the end, an
// empty YAML list item) is a problem here.
func (b *jobBuilder) changes(c *rawCell, lc listColumns) []string { return b.list(c, lc, true) }

// exactSet reads a set column (groups, roles): items each once; empty
// items are passed over (an empty set is a set, and the row's rules say
// whether it may be one).
func (b *jobBuilder) exactSet(c *rawCell, lc listColumns) []string {
	if out := b.list(c, lc, false); out != nil {
		return out
	}
	return []string{}
}

// list reads a list of names (or, for groups, GUIDs too): items trimmed,
// GUIDs lower-cased, names compared case-insensitively, as the services
// compare them, each kept once. An item shaped like a GUID that is not one
// is a problem where GUIDs are taken (a mistyped id would otherwise be
// looked up as a name); an empty item is one when emptyIsProblem.
func (b *jobBuilder) list(c *rawCell, lc listColumns, emptyIsProblem bool) []string {
	items := c.list
	if !c.isList {
		items = strings.Split(c.value, ";")
	}
	what := "name a " + lc.item
	if lc.guids {
		what += " (or give its GUID)"
	}
	var out []string
	for n, it := range items {
		it = strings.TrimSpace(it)
		switch {
		case it == "" && !emptyIsProblem:
			continue
		case it == "" && c.isList:
			b.problemAt(c.line, c.col, "%s: item %d of %d is empty: %s in each item of the list", c.col, n+1, len(items), what)
			continue
		case it == "":
			b.problemAt(c.line, c.col, "%s: item %d of %d is empty: %s between each pair of ';', with none at the end", c.col, n+1, len(items), what)
			continue
		case lc.guids && IsGUID(it):
			it = strings.ToLower(it)
		case lc.guids && guidShaped(it):
			b.problemAt(c.line, c.col, "%s: %q is not a %s GUID (like 6f1b7c2a-0d4e-4c1a-9b7e-000000000001): it has a GUID's shape but not only the digits 0-9 and a-f", c.col, printable(it), lc.item)
			continue
		case lc.noSemicolon && strings.Contains(it, ";"):
			b.problemAt(c.line, c.col, "%s: %q holds ';', which separates the items of a list: give each %s its own item", c.col, printable(it), lc.item)
			continue
		case lc.maxLen > 0 && utf8.RuneCountInString(it) > lc.maxLen:
			b.problemAt(c.line, c.col, "%s: %q is longer than %d characters, the longest %s name the service keeps", c.col, printable(it), lc.maxLen, lc.item)
			continue
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, it) }) {
			out = append(out, it)
		}
	}
	return out
}

// overlap checks a row's lists of one family: the set or the changes, not
// both, and no item both added and removed.
func (b *jobBuilder) overlap(lc listColumns, set, add, remove []string) {
	if set != nil && len(add)+len(remove) > 0 {
		b.problemAt(b.lineOf(lc.set), lc.set, "a row takes %s (%s) or %s/%s (changes to it), not both", lc.set, lc.setMeans, lc.add, lc.remove)
	}
	for _, it := range add {
		if slices.ContainsFunc(remove, func(r string) bool { return strings.EqualFold(r, it) }) {
			b.problemAt(b.lineOf(lc.remove), lc.remove, "%s %s is both in %s and %s: keep it in one", lc.item, printable(it), lc.add, lc.remove)
		}
	}
}

// lineOf is the line of the row's cell in col; 0 (the row's line) when
// the row has none.
func (b *jobBuilder) lineOf(col string) int {
	if c := b.row.cell(col); c != nil {
		return c.line
	}
	return 0
}

func (b *jobBuilder) secret(c *rawCell) *SecretRef {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single reference (env:NAME, file:PATH, generate), not a list", c.col)
		return nil
	}
	ref, msg := parseSecretRef(strings.TrimSpace(c.value), b.opts.minGenerate())
	if msg != "" {
		b.problemAt(c.line, c.col, "%s: %s", c.col, msg)
		return nil
	}
	if ref.Kind == SecretLiteral {
		// Keep the cell as written: spaces may be part of a password.
		ref = LiteralSecret(secret.New(c.value))
	}
	if msg := checkSecretRef(c.col, ref, b.opts); msg != "" {
		b.problemAt(c.line, c.col, "%s", msg)
		return nil
	}
	return &ref
}

// builtInGroup refuses a delete_group row that names a built-in group:
// the service refuses to delete them, so the row could only fail.
func (b *jobBuilder) builtInGroup(job *Job) {
	if job.Op != OpDeleteGroup || job.Target.Kind != TargetGroupName || !isBuiltInGroup(job.Target.Value) {
		return
	}
	b.problemAt(b.lineOf(string(TargetGroupName)), string(TargetGroupName), "%q is a built-in group, and built-in groups cannot be deleted (%s)", printable(job.Target.Value), strings.Join(builtInGroups, ", "))
}

func (b *jobBuilder) required(job *Job) {
	switch job.Op {
	case OpSetPassword, OpChangePassword:
		if job.NewPassword == nil && b.row.cell(ColNewPassword) == nil {
			b.problemAt(0, ColNewPassword, "%s needs new_password (env:NAME, file:PATH, generate or generate:LENGTH)", job.Op)
		}
	case OpSetCredentialAsset:
		if !b.mentions(ColNewPassword) {
			b.problemAt(0, ColNewPassword, "set_credential_asset needs new_password (env:NAME, file:PATH, generate or generate:LENGTH): "+
				"the credential's new password or the secret's new value; the user name alone is not rotated")
		}
	}
	if job.Op == OpChangePassword && job.OldPassword == nil && b.row.cell(ColOldPassword) == nil {
		b.problemAt(0, ColOldPassword, "change_password needs old_password (env:NAME or file:PATH); to reset without it use set_password")
	}
	if job.Op.NeedsFolder() && job.Folder == "" && !b.mentions(ColFolder) {
		what := "the path of the folder"
		if job.Op == OpSetCredentialAsset {
			what = "the path of the folder the asset is in (an asset's name is unique only within its folder)"
		}
		b.problemAt(0, ColFolder, "%s needs folder: %s, like Finance/AP", job.Op, what)
	}
	switch job.Op {
	case OpSetFolderAccess, OpSetTenantRoles:
		b.roles(job)
	case OpUpdateUnattendedRobot:
		if !b.mentions(opSpecs[job.Op].fields...) {
			b.problemAt(0, "", "update_unattended_robot needs at least one of %s (it never sets a password: set_robot_credentials does)", opSpecs[job.Op].fieldList())
		}
	}
	if job.Op == OpSetRobotCredentials && job.NewPassword != nil && job.NewPassword.Kind == SecretGenerate && job.NewPassword.Length > RobotPasswordMax {
		b.problemAt(b.lineOf(ColNewPassword), ColNewPassword, "generate:%d is too long for a robot: Orchestrator keeps unattended robot passwords of at most %d characters", job.NewPassword.Length, RobotPasswordMax)
	}
}

// roles checks that a set_folder_access or set_tenant_roles row asks for
// roles: the exact set, of at least one role (an empty cell already means
// "leave unchanged", so a set that names no role can only be a mistake),
// or changes to them.
func (b *jobBuilder) roles(job *Job) {
	takeAll := "to take every role in the folder away, use remove_folder_access"
	if job.Op == OpSetTenantRoles {
		takeAll = "to take tenant roles away, name them in roles_to_remove"
	}
	switch {
	case !b.mentions(ColRoles, ColRolesToAdd, ColRolesToRemove):
		b.problemAt(0, "", "%s needs roles (the exact set of roles) or roles_to_add/roles_to_remove (changes to them); %s", job.Op, takeAll)
	case job.Roles != nil && len(job.Roles) == 0 && !b.hasProblem(ColRoles):
		b.problemAt(b.lineOf(ColRoles), ColRoles, "roles names no role: give at least one (role names separated by ';'); %s", takeAll)
	}
}

// mentions reports whether the row has a cell in any of cols, or a
// problem with one (a YAML value of the wrong shape, which makes no cell):
// a row that gives a column, even wrongly, does not also lack it.
func (b *jobBuilder) mentions(cols ...string) bool {
	return slices.ContainsFunc(cols, func(c string) bool { return b.row.cell(c) != nil || b.hasProblem(c) })
}

// hasProblem reports whether a problem of the row names col.
func (b *jobBuilder) hasProblem(col string) bool {
	return slices.ContainsFunc(b.problems, func(p Problem) bool { return p.Column == col })
}

// notTakenHint is the end of a "does not take" (or "is not a target")
// message where another op or column does what the row asks.
func notTakenHint(op Op, col string) string {
	switch {
	case op == OpUpdateUnattendedRobot && (col == ColNewPassword || col == ColOldPassword):
		return "; set_robot_credentials sets an unattended robot's password"
	case op == OpEnsureFolder && (col == ColRoles || col == ColRolesToAdd || col == ColRolesToRemove):
		return "; set_folder_access gives an account or group roles in a folder"
	case op == OpRemoveFolderAccess && (col == ColRoles || col == ColRolesToAdd || col == ColRolesToRemove):
		return "; it takes every role in the folder away (set_folder_access with roles_to_remove takes some)"
	case op == OpSetCredentialAsset && col == ColRobotUsername:
		return "; a credential asset's user name is credential_username"
	case op == OpSetRobotCredentials && col == ColCredentialUsername:
		return "; a robot's user name is robot_username (credential_username is a credential asset's)"
	case op == OpSetCredentialAsset && (col == string(TargetRobotName) || col == string(TargetUsername)):
		return "; to change one robot's or user's value of the asset, name the robot or user in value_for"
	}
	return ""
}

// RobotPasswordMax is the longest password Orchestrator keeps for an
// unattended robot (UnattendedRobotDto.Password has maxLength 100).
const RobotPasswordMax = 100

// guidShaped reports whether s has a GUID's 8-4-4-4-12 shape (dashes where
// a GUID has them), whatever its other characters.
func guidShaped(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] == '-') != (i == 8 || i == 13 || i == 18 || i == 23) {
			return false
		}
	}
	return true
}

// IsGUID reports whether s is a GUID in its 8-4-4-4-12 hexadecimal form.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isEmail is a deliberately plain check: one @, a non-empty local part, a
// domain with a dot, no spaces. The server has the final word.
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}

// printable shortens a cell for a message and makes control characters
// visible; it is never used on secret cells.
func printable(s string) string {
	const maxLen = 80
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
