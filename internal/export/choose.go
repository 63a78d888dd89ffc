package export

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Options are an export's options beside its kinds.
type Options struct {
	// Rotate (export users --rotate) writes set_password rows.
	Rotate bool
	// UserName narrows a rotation of users or robot credentials to the
	// user names matching its glob.
	UserName string
	// Filter narrows export assets.
	Filter Filter
}

// Choose checks an export's kinds and its options: it returns the
// rotation to write (nil for a plain export or an inventory), or what is
// wrong with them. A plain export may name several kinds, written into one
// manifest (so that a copy of an organization is one file); a rotation and
// an inventory are exported alone.
func Choose(kinds Kinds, o Options) (*Rotation, error) {
	const want = "users, robot-accounts, groups, access, robot-credentials, assets or inventory"
	if len(kinds) == 0 {
		return nil, errors.New("export: name what to export: " + want)
	}
	for i, k := range kinds {
		if k != Users && k != RobotAccounts && k != Groups && k != Access && k != RobotCredentials && k != Assets && k != Inventory {
			return nil, fmt.Errorf("export %q: want %s", k, want)
		}
		if slices.Contains(kinds[:i], k) {
			return nil, fmt.Errorf("export %s: named twice", k)
		}
	}
	alone := o.Rotate || slices.ContainsFunc(kinds, func(k Kind) bool { return k == RobotCredentials || k == Assets || k == Inventory })
	if len(kinds) > 1 && alone {
		return nil, errors.New("a rotation (robot-credentials, assets, users --rotate) and an inventory are exported alone, not with other kinds")
	}
	kind := kinds[0]
	if !o.Filter.empty() && kind != Assets {
		return nil, errors.New("--folder and --name narrow export assets")
	}
	switch {
	case o.Rotate && kind != Users:
		return nil, errors.New("--rotate goes with export users (robot-credentials and assets are rotations already)")
	case o.UserName != "" && !o.Rotate && kind != RobotCredentials:
		return nil, errors.New("--username narrows a rotation: export robot-credentials, or export users --rotate")
	case kind == Assets:
		if err := o.Filter.check(); err != nil {
			return nil, err
		}
		return &Rotation{Filter: o.Filter}, nil
	case o.Rotate || kind == RobotCredentials:
		if err := CheckPattern(o.UserName); err != nil {
			return nil, err
		}
		return &Rotation{UserName: o.UserName}, nil
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
		return fmt.Sprintf("left out %d robots whose password nothing here can set (%s): a robot that signs in without a password has none to rotate; rotate a store's in that store", r.Skipped, r.whys())
	case kind == Assets:
		return fmt.Sprintf("left out %d credential and secret values whose secret nothing here can set (%s): rotate them in their store", r.Skipped, r.whys())
	}
	if n := r.SkippedBy["of a directory"]; n == r.Skipped || len(r.SkippedBy) == 0 {
		return fmt.Sprintf("left out %d directory users: their password is changed in the directory", r.Skipped)
	}
	return fmt.Sprintf("left out %d users (%s): a directory user's password is changed in the directory; check the others in the organization", r.Skipped, r.whys())
}

// whys lists the counts of r.SkippedBy, "2 in an external credential
// store, 1 …", sorted.
func (r *Rotation) whys() string {
	whys := make([]string, 0, len(r.SkippedBy))
	for why, n := range r.SkippedBy {
		whys = append(whys, fmt.Sprintf("%d %s", n, why))
	}
	slices.Sort(whys)
	return strings.Join(whys, ", ")
}
