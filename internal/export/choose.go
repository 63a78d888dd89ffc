package export

import (
	"errors"
	"fmt"
)

// Choose checks an export's kind and its rotation options (export users
// --rotate, --username): it returns the rotation to write (nil for a plain
// export), or what is wrong with the options.
func Choose(kind Kind, rotate bool, userName string) (*Rotation, error) {
	if kind != Users && kind != RobotAccounts && kind != Groups && kind != RobotCredentials {
		return nil, fmt.Errorf("export %q: want users, robot-accounts, groups or robot-credentials", kind)
	}
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
		return fmt.Sprintf("left out %d robots whose credential lives in an external credential store: rotate them there", r.Skipped)
	}
	return fmt.Sprintf("left out %d directory users: their password is changed in the directory", r.Skipped)
}
