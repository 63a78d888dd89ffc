// Package export writes a tenant's accounts as a manifest: one
// update_user or update_robot_account row per account, naming it by id
// (a user's email and user name beside it, so that a person can find a
// row) and carrying its current values and its exact group membership
// (groups, by name where the organization's groups can be read), so that
// the manifest validates, plans as all unchanged, and is the starting point
// of a migration. It never writes a secret.
package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/manifest"
)

// Kind is what to export.
type Kind string

// The kinds of account that can be exported.
const (
	Users         Kind = "users"
	RobotAccounts Kind = "robot-accounts"
)

// UserColumns and RobotColumns are the columns each export writes.
var (
	UserColumns  = []string{"op", "user_id", "email", "username", "name", "surname", "display_name", "is_active", "groups"}
	RobotColumns = []string{"op", "robot_account_id", "display_name", "groups"}
)

// Sink receives the exported rows (manifest.Writer is one).
type Sink interface {
	Write(j manifest.Job) error
}

// Run pages through every account of kind k and writes one row each. It
// returns how many rows it wrote.
// Groups are written by the names in names (from GroupNames), by id where
// a group has none there.
func Run(ctx context.Context, r apply.Reader, k Kind, sink Sink, names map[string]string) (int, error) {
	n := 0
	switch k {
	case Users:
		err := r.EachUser(ctx, func(u apply.User) error {
			n++
			return sink.Write(userRow(n, u, names))
		})
		if err != nil {
			return n, fmt.Errorf("export users: %w", err)
		}
	case RobotAccounts:
		err := r.EachRobot(ctx, func(rb apply.Robot) error {
			n++
			return sink.Write(robotRow(n, rb, names))
		})
		if err != nil {
			return n, fmt.Errorf("export robot accounts: %w", err)
		}
	default:
		return 0, fmt.Errorf("export %q: want users or robot-accounts", k)
	}
	return n, nil
}

func userRow(n int, u apply.User, names map[string]string) manifest.Job {
	active := u.IsActive
	return manifest.Job{
		Row: n, Op: manifest.OpUpdateUser,
		Target:      manifest.Target{Kind: manifest.TargetUserID, Value: strings.ToLower(u.ID)},
		ExpectEmail: u.Email, ExpectUserName: u.UserName,
		Name: &u.Name, Surname: &u.Surname, DisplayName: &u.DisplayName, IsActive: &active,
		Groups: groups(u.GroupIDs, names),
	}
}

func robotRow(n int, r apply.Robot, names map[string]string) manifest.Job {
	return manifest.Job{
		Row: n, Op: manifest.OpUpdateRobotAccount,
		Target:      manifest.Target{Kind: manifest.TargetRobotAccountID, Value: strings.ToLower(r.ID)},
		DisplayName: &r.DisplayName, Groups: groups(r.GroupIDs, names),
	}
}

// GroupNames reads the organization's groups (one request) and maps their
// ids to the names a manifest can carry: unique, not empty, without the
// list separator, and not in a GUID's form.
func GroupNames(ctx context.Context, r apply.Reader) (map[string]string, error) {
	list, err := r.ListGroups(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the organization's groups: %w", err)
	}
	count := map[string]int{}
	for _, g := range list {
		count[strings.ToLower(g.Name)]++
	}
	names := make(map[string]string, len(list))
	for _, g := range list {
		name := strings.TrimSpace(g.Name)
		if name == "" || name != g.Name || strings.Contains(name, ";") || count[strings.ToLower(name)] > 1 || manifest.IsGUID(name) {
			continue
		}
		names[strings.ToLower(g.ID)] = name
	}
	return names, nil
}

// groups is the exact membership as the manifest writes it: names where
// known, else lower-case ids; sorted, each once.
func groups(ids []string, names map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.ToLower(id)
		if name, ok := names[id]; ok {
			out = append(out, name)
		} else {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
