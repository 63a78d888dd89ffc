// Package export writes a tenant's accounts as a manifest: one
// update_user or update_robot_account row per account, naming it by id and
// carrying its current values, so that the manifest validates, plans as
// all unchanged, and is the starting point of a migration. It never
// writes a secret.
package export

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"batch/internal/apply"
	"batch/internal/manifest"
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
	UserColumns  = []string{"op", "user_id", "name", "surname", "display_name", "is_active", "group_ids_to_add"}
	RobotColumns = []string{"op", "robot_account_id", "display_name", "group_ids_to_add"}
)

// Sink receives the exported rows (manifest.Writer is one).
type Sink interface {
	Write(j manifest.Job) error
}

// Run pages through every account of kind k and writes one row each. It
// returns how many rows it wrote.
func Run(ctx context.Context, r apply.Reader, k Kind, sink Sink) (int, error) {
	n := 0
	switch k {
	case Users:
		err := r.EachUser(ctx, func(u apply.User) error {
			n++
			return sink.Write(userRow(n, u))
		})
		if err != nil {
			return n, fmt.Errorf("export users: %w", err)
		}
	case RobotAccounts:
		err := r.EachRobot(ctx, func(rb apply.Robot) error {
			n++
			return sink.Write(robotRow(n, rb))
		})
		if err != nil {
			return n, fmt.Errorf("export robot accounts: %w", err)
		}
	default:
		return 0, fmt.Errorf("export %q: want users or robot-accounts", k)
	}
	return n, nil
}

func userRow(n int, u apply.User) manifest.Job {
	active := u.IsActive
	return manifest.Job{
		Row: n, Op: manifest.OpUpdateUser,
		Target: manifest.Target{Kind: manifest.TargetUserID, Value: strings.ToLower(u.ID)},
		Name:   &u.Name, Surname: &u.Surname, DisplayName: &u.DisplayName, IsActive: &active,
		GroupIDsToAdd: groups(u.GroupIDs),
	}
}

func robotRow(n int, r apply.Robot) manifest.Job {
	return manifest.Job{
		Row: n, Op: manifest.OpUpdateRobotAccount,
		Target:      manifest.Target{Kind: manifest.TargetRobotAccountID, Value: strings.ToLower(r.ID)},
		DisplayName: &r.DisplayName, GroupIDsToAdd: groups(r.GroupIDs),
	}
}

// groups normalizes group ids as the manifest does: lower case, sorted.
func groups(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.ToLower(id)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
