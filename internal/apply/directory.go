package apply

import (
	"context"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// directoryNeeds counts the rows that look their account up in the
// organization only when Orchestrator does not list it (Needs.DirectoryUsers
// and DirectoryRobots).
type directoryNeeds struct{ users, robots int }

// directoryIndex is the organization's users or robot accounts by the kind
// of target and its lower-case value (directoryKey), read the first time a
// row needed one. A nil index says the list was not worth reading (longer than the
// rows that may look into it) or could not be read: rows then look their
// account up alone.
type directoryIndex[T any] map[string]*T

// DirectoryUser finds, by email or user name, the user of a row that needs
// it only because Orchestrator does not list the account (folder access,
// tenant roles). In an organization whose accounts Orchestrator lists, no
// row gets here and the user list is never read; otherwise the first row
// that does reads it (when more than IndexThreshold rows may), and every
// later one finds its user there.
func (rs *Resolver) DirectoryUser(ctx context.Context, t manifest.Target) (User, error) {
	idx := directoryList(ctx, rs, "directory/users", "the user list", rs.directory.users, rs.usersIndexed,
		func(ctx context.Context, total func(int64) error, add func(*User)) error {
			return rs.reader.EachUserWithTotal(ctx, total, func(u User) error { add(&u); return nil })
		},
		func(u *User) []string {
			return []string{directoryKey(manifest.TargetEmail, u.Email), directoryKey(manifest.TargetUsername, u.UserName)}
		})
	if idx == nil {
		u, _, err := rs.User(ctx, t, false)
		return u, err
	}
	if u := idx[directoryKey(t.Kind, t.Value)]; u != nil {
		return *u, nil
	}
	return User{}, failf(report.CodeNotFound, "no user with %s %q", t.Kind, t.Value)
}

// DirectoryRobot is DirectoryUser for a robot account named by its name.
func (rs *Resolver) DirectoryRobot(ctx context.Context, t manifest.Target) (Robot, error) {
	idx := directoryList(ctx, rs, "directory/robots", "the robot account list", rs.directory.robots, rs.robotsIndexed,
		func(ctx context.Context, total func(int64) error, add func(*Robot)) error {
			return rs.reader.EachRobotWithTotal(ctx, total, func(r Robot) error { add(&r); return nil })
		},
		func(r *Robot) []string { return []string{directoryKey(manifest.TargetRobotName, r.Name)} })
	if idx == nil {
		r, _, err := rs.Robot(ctx, t, false)
		return r, err
	}
	if r := idx[directoryKey(t.Kind, t.Value)]; r != nil {
		return *r, nil
	}
	return Robot{}, failf(report.CodeNotFound, "no robot account with %s %q", t.Kind, t.Value)
}

// directoryKey is a directoryIndex key: the kind of target and its value,
// lower-case ("" for an empty value, which no target has).
func directoryKey(kind manifest.TargetKind, value string) string {
	if value == "" {
		return ""
	}
	return string(kind) + "\x00" + strings.ToLower(value)
}

// directoryList returns the index of key, reading the list called name
// (once for every row, see Resolver.once) when rows rows may look into
// it; nil when the list the run read at its start serves (indexed), or
// when it is not worth reading or could not be read.
func directoryList[T any](ctx context.Context, rs *Resolver, key, name string, rows int, indexed bool,
	each func(ctx context.Context, total func(int64) error, add func(*T)) error, keys func(*T) []string) directoryIndex[T] {
	if indexed || rows <= IndexThreshold {
		return nil
	}
	v, err := rs.once(ctx, key, func(ctx context.Context) (any, error) {
		var idx directoryIndex[T]
		lr := rs.reading(name)
		defer lr.End()
		err := rs.retried(ctx, func(ctx context.Context) error {
			idx = directoryIndex[T]{}
			lr.Restart()
			return each(ctx, lr.WithTotal(tooLong(rows*PageSize)), func(a *T) {
				lr.Add()
				for _, k := range keys(a) {
					if k != "" {
						idx[k] = a
					}
				}
			})
		})
		if err != nil && ctx.Err() == nil {
			// Not worth reading, or it could not be: each row looks its
			// account up alone, and a failure that is theirs too is
			// reported by them.
			return directoryIndex[T](nil), nil
		}
		return idx, err
	})
	if err != nil {
		return nil
	}
	return v.(directoryIndex[T])
}
