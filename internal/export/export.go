// Package export writes an organization's accounts and groups as a
// portable manifest: users named by email, robot accounts and local groups
// by name, as ensure_user, ensure_robot_account and ensure_group rows that
// carry each account's current values and its exact group membership
// (groups, by name); and its Orchestrator access (see access.go): folders
// by path, roles by name. A file exported from one organization and planned
// against another shows exactly the creates and updates that make the
// second match the first; planned against the organization it came from,
// every row is unchanged. It never writes a secret, an id or a time. It
// also writes the rotation manifests (see rotation.go).
package export

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// Kind is what to export.
type Kind string

// The kinds of account (or group) that can be exported.
const (
	Users         Kind = "users"
	RobotAccounts Kind = "robot-accounts"
	Groups        Kind = "groups"
)

// Kinds are the kinds one export writes into one manifest, in order.
type Kinds []Kind

// KindsOf reads kinds as the command line names them.
func KindsOf(args []string) Kinds {
	ks := make(Kinds, len(args))
	for i, a := range args {
		ks[i] = Kind(a)
	}
	return ks
}

// String lists the kinds, e.g. "groups, users".
func (ks Kinds) String() string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// kindColumns are the columns each kind's rows fill.
var kindColumns = map[Kind][]string{
	Users:         {"op", "email", "username", "name", "surname", "display_name", "is_active", "bypass_basic_auth_restriction", "groups"},
	RobotAccounts: {"op", "robot_name", "display_name", "groups"},
	Groups:        {"op", "group_name"},
	Access: {"op", "email", "username", "robot_name", "group_name", "folder", "roles",
		"robot_username", "credential_type", "execution_settings", "limit_concurrent_execution"},
}

// Columns are the columns of a manifest holding the rows of kinds, in the
// manifest's canonical order.
func Columns(kinds Kinds) []string {
	var all []string
	for _, k := range kinds {
		all = append(all, kindColumns[k]...)
	}
	return manifest.OrderColumns(all)
}

// Sink receives the exported rows (manifest.Writer is one).
type Sink interface {
	Write(j manifest.Job) error
}

// Tally is what an export wrote, and what it could not write portably.
type Tally struct {
	Rows int
	// LeftOut counts what no manifest can name in another organization,
	// so was not written: users without an email, robot accounts without
	// a name, local groups whose name a manifest cannot carry.
	LeftOut int
	// ByID counts the groups that memberships name by id because a
	// manifest cannot carry their name: such rows plan unchanged here and
	// fail (unknown group) in another organization.
	ByID int
	// Directory counts the users a directory (not Identity) holds: they
	// come with the directory into another organization, so are not
	// written as local users to create.
	Directory int
	// Unknown counts the users left out for a type or category code this
	// version does not know, by code ("type 9").
	Unknown map[string]int
	// Access is what export access left out (see WriteAccess).
	Access AccessTally
}

// Notes says, one line each, what the export of kind k left out or named
// by id; none when the file is portable as a whole.
func (t Tally) Notes(k Kind) []string {
	if k == Access {
		return t.Access.notes()
	}
	var notes []string
	if t.LeftOut > 0 {
		why := map[Kind]string{
			Users:         "users without an email",
			RobotAccounts: "robot accounts without a name",
			Groups:        "local groups whose name a manifest cannot carry (empty, padded, a GUID's form, with ';', or shared by another group)",
		}[k]
		notes = append(notes, fmt.Sprintf("left out %d %s: no manifest can name them in another organization", t.LeftOut, why))
	}
	if t.Directory > 0 {
		notes = append(notes, fmt.Sprintf("left out %d directory users: they come from the directory connected to the organization, not from a manifest", t.Directory))
	}
	for _, code := range slices.Sorted(maps.Keys(t.Unknown)) {
		notes = append(notes, fmt.Sprintf("left out %d users of %s, a code this version does not know: check them in the organization", t.Unknown[code], code))
	}
	if t.ByID > 0 {
		notes = append(notes, fmt.Sprintf("%d groups are named by id (a manifest cannot carry their name): rows in them fail in another organization", t.ByID))
	}
	return notes
}

// Write writes one row for every account (or local group) of kind k. groups
// is the organization's group list (client.GroupsService.List): it names
// the memberships, and is what export groups writes. r pages the accounts.
func Write(ctx context.Context, r apply.Reader, k Kind, sink Sink, groups []client.Group) (Tally, error) {
	var t Tally
	names := GroupNames(groups)
	byID := map[string]bool{}
	member := func(ids []string) []string {
		set, unnamed := membership(ids, names)
		for _, id := range unnamed {
			byID[id] = true
		}
		return set
	}
	// Rows are written sorted by their key (email, robot name, group
	// name), so that two exports of one organization compare with diff,
	// whatever order the service lists it in: an export holds its rows
	// until the list is read whole.
	var rows []manifest.Job
	var err error
	switch k {
	case Users:
		err = r.EachUser(ctx, func(u apply.User) error {
			if strings.TrimSpace(u.Email) == "" {
				t.LeftOut++
				return nil
			}
			if code := unknownCode(u); code != "" {
				if t.Unknown == nil {
					t.Unknown = map[string]int{}
				}
				t.Unknown[code]++
				return nil
			}
			if !u.Local() {
				t.Directory++
				return nil
			}
			rows = append(rows, userRow(0, u, member(u.GroupIDs)))
			return nil
		})
	case RobotAccounts:
		err = r.EachRobot(ctx, func(rb apply.Robot) error {
			if strings.TrimSpace(rb.Name) == "" {
				t.LeftOut++
				return nil
			}
			rows = append(rows, robotRow(0, rb, member(rb.GroupIDs)))
			return nil
		})
	case Groups:
		rows = groupRows(groups, names, &t)
	default:
		return t, fmt.Errorf("export %q: want users, robot-accounts or groups (WriteAccess writes access)", k)
	}
	t.ByID = len(byID)
	if err == nil {
		err = writeSorted(rows, sink, &t)
	}
	if err != nil {
		return t, fmt.Errorf("export %s: %w", strings.ReplaceAll(string(k), "-", " "), err)
	}
	return t, nil
}

// writeSorted writes rows sorted by their target (case-insensitive),
// numbered on from t.Rows.
func writeSorted(rows []manifest.Job, sink Sink, t *Tally) error {
	slices.SortStableFunc(rows, func(a, b manifest.Job) int {
		return strings.Compare(strings.ToLower(a.Target.Value), strings.ToLower(b.Target.Value))
	})
	for i := range rows {
		t.Rows++
		rows[i].Row = t.Rows
		if err := sink.Write(rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// unknownCode names the type or category code of u this version does not
// know ("type 9"), or is "".
func unknownCode(u apply.User) string {
	if code, ok := client.UnknownEnum(u.Type); ok {
		return "type " + code
	}
	if code, ok := client.UnknownEnum(u.Category); ok {
		return "category " + code
	}
	return ""
}

// userRow is an ensure_user row: the user by email, its user name, names,
// basic-authentication bypass and exact membership, and is_active false
// for an inactive user (Identity's own flag). An active user's is_active
// is left empty: a user is made active, so a copy matches without it, and
// a file of active users reads as before. A password is never written.
func userRow(n int, u apply.User, groups []string) manifest.Job {
	bypass := u.BypassBasicAuthRestriction
	j := manifest.Job{
		Row: n, Op: manifest.OpEnsureUser,
		Target:   manifest.Target{Kind: manifest.TargetEmail, Value: u.Email},
		UserName: &u.UserName, Name: &u.Name, Surname: &u.Surname, DisplayName: &u.DisplayName,
		BypassBasicAuthRestriction: &bypass, Groups: groups,
	}
	if !u.IsActive {
		inactive := false
		j.IsActive = &inactive
	}
	return j
}

// robotRow is an ensure_robot_account row: the robot account by name, its
// display name and exact membership.
func robotRow(n int, r apply.Robot, groups []string) manifest.Job {
	return manifest.Job{
		Row: n, Op: manifest.OpEnsureRobotAccount,
		Target:      manifest.Target{Kind: manifest.TargetRobotName, Value: r.Name},
		DisplayName: &r.DisplayName, Groups: groups,
	}
}

// groupRows is one ensure_group row per local group whose name a manifest
// can carry; built-in groups exist in every organization and are not
// written.
func groupRows(groups []client.Group, names map[string]string, t *Tally) []manifest.Job {
	var rows []manifest.Job
	for _, g := range groups {
		if BuiltIn(g) {
			continue
		}
		name, ok := names[strings.ToLower(g.ID)]
		if !ok {
			t.LeftOut++
			continue
		}
		rows = append(rows, manifest.Job{Op: manifest.OpEnsureGroup, Target: manifest.Target{Kind: manifest.TargetGroupName, Value: name}})
	}
	return rows
}

// BuiltIn reports whether g is one of the groups every organization has
// (Everyone, Administrators, …), which cannot be created or deleted.
func BuiltIn(g client.Group) bool { return strings.EqualFold(g.Type, "builtIn") }

// GroupNames maps the groups' lower-case ids to the names a manifest can
// carry: unique (in any case), not empty, without surrounding space or the
// list separator, and not in a GUID's form (which would read as an id).
func GroupNames(groups []client.Group) map[string]string {
	count := map[string]int{}
	for _, g := range groups {
		count[strings.ToLower(g.Name)]++
	}
	names := make(map[string]string, len(groups))
	for _, g := range groups {
		name := strings.TrimSpace(g.Name)
		if name == "" || name != g.Name || strings.Contains(name, ";") || count[strings.ToLower(name)] > 1 || manifest.IsGUID(name) {
			continue
		}
		names[strings.ToLower(g.ID)] = name
	}
	return names
}

// membership is the exact membership as the manifest writes it: names
// where known, else lower-case ids (returned as unnamed too); sorted, each
// once.
func membership(ids []string, names map[string]string) (set, unnamed []string) {
	set = make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.ToLower(id)
		if name, ok := names[id]; ok {
			set = append(set, name)
		} else {
			set = append(set, id)
			unnamed = append(unnamed, id)
		}
	}
	slices.Sort(set)
	return slices.Compact(set), unnamed
}
