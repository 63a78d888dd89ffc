package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Choose checks an export's kinds and its rotation options (export users
// --rotate, --username): it returns the rotation to write (nil for a plain
// export), or what is wrong with them. A plain export may name several
// kinds, written into one manifest (so that a copy of an organization is
// one file); a rotation is exported alone.
func Choose(kinds Kinds, rotate bool, userName string) (*Rotation, error) {
	if len(kinds) == 0 {
		return nil, errors.New("export: name what to export: users, robot-accounts, groups, access or robot-credentials")
	}
	for i, k := range kinds {
		if k != Users && k != RobotAccounts && k != Groups && k != Access && k != RobotCredentials {
			return nil, fmt.Errorf("export %q: want users, robot-accounts, groups, access or robot-credentials", k)
		}
		if slices.Contains(kinds[:i], k) {
			return nil, fmt.Errorf("export %s: named twice", k)
		}
	}
	if len(kinds) > 1 && (rotate || slices.Contains(kinds, RobotCredentials)) {
		return nil, errors.New("a rotation (robot-credentials, users --rotate) is exported alone, not with other kinds")
	}
	kind := kinds[0]
	switch {
	case rotate && kind != Users:
		return nil, errors.New("--rotate goes with export users (robot-credentials is a rotation already)")
	case rotate || kind == RobotCredentials:
		if err := CheckPattern(userName); err != nil {
			return nil, err
		}
		return &Rotation{UserName: userName}, nil
	case userName != "":
		return nil, errors.New("--username narrows a rotation: export robot-credentials, or export users --rotate")
	}
	return nil, nil
}

// LeftOut says what a rotation of kind left out and where those passwords
// are changed instead, or "" when it left out nothing (or r is nil).
func (r *Rotation) LeftOut(kind Kind) string {
	switch {
	case r == nil || r.Skipped == 0:
		return ""
	case kind == RobotCredentials:
		whys := make([]string, 0, len(r.SkippedBy))
		for why, n := range r.SkippedBy {
			whys = append(whys, fmt.Sprintf("%d %s", n, why))
		}
		slices.Sort(whys)
		return fmt.Sprintf("left out %d robots whose password nothing here can set (%s): a robot that signs in without a password has none to rotate; rotate a store's in that store", r.Skipped, strings.Join(whys, ", "))
	}
	if n := r.SkippedBy["of a directory"]; n == r.Skipped || len(r.SkippedBy) == 0 {
		return fmt.Sprintf("left out %d directory users: their password is changed in the directory", r.Skipped)
	}
	whys := make([]string, 0, len(r.SkippedBy))
	for why, n := range r.SkippedBy {
		whys = append(whys, fmt.Sprintf("%d %s", n, why))
	}
	slices.Sort(whys)
	return fmt.Sprintf("left out %d users (%s): a directory user's password is changed in the directory; check the others in the organization", r.Skipped, strings.Join(whys, ", "))
}
