package export

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/manifest"
)

// RobotCredentials is the kind that exports a rotation manifest for the
// unattended robots whose credential Orchestrator holds.
const RobotCredentials Kind = "robot-credentials"

// RobotCredentialColumns and RotationColumns are the columns of the
// rotation manifests: robot credentials, and local users' passwords.
var (
	RobotCredentialColumns = []string{"op", "orchestrator_user_id", "robot_username", "new_password"}
	RotationColumns        = []string{"op", "user_id", "email", "username", "new_password"}
)

// Rotation narrows and counts a rotation export.
type Rotation struct {
	// UserName, when not empty, is a glob (path.Match, case-insensitive)
	// the account's user name must match.
	UserName string
	// Skipped counts the accounts left out because their password cannot
	// be set here: robots whose credential lives in an external store,
	// users of a directory.
	Skipped int
}

// CheckPattern reports a user name pattern path.Match cannot use.
func CheckPattern(pattern string) error {
	if _, err := path.Match(strings.ToLower(pattern), ""); err != nil {
		return fmt.Errorf("--username %q: %w", pattern, err)
	}
	return nil
}

func (rot *Rotation) matches(name string) bool {
	if rot.UserName == "" {
		return true
	}
	ok, _ := path.Match(strings.ToLower(rot.UserName), strings.ToLower(name))
	return ok
}

// generate is the new_password every rotation row carries.
var generate = manifest.SecretRef{Kind: manifest.SecretGenerate}

// RobotCredentialRows pages through the Orchestrator users and writes one
// set_robot_credentials row (new_password generate) per user with an
// unattended robot whose credential Orchestrator holds. The robot's
// current Windows account is written beside it, so that whoever changes
// the directory's passwords knows which account a row's password is for.
// Robots whose credential lives in an external store are counted in
// rot.Skipped, not written. It returns the rows written.
func RobotCredentialRows(ctx context.Context, r apply.Reader, sink Sink, rot *Rotation) (int, error) {
	n := 0
	err := r.EachOrchestratorUser(ctx, func(o apply.OrchestratorUser) error {
		if !o.HasRobot || !rot.matches(o.UserName) {
			return nil
		}
		if o.ExternalStore != "" {
			rot.Skipped++
			return nil
		}
		n++
		account := o.RobotUserName
		pw := generate
		return sink.Write(manifest.Job{
			Row: n, Op: manifest.OpSetRobotCredentials,
			Target:        manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: strconv.FormatInt(o.Key, 10)},
			RobotUsername: &account, NewPassword: &pw,
		})
	})
	if err != nil {
		return n, fmt.Errorf("export robot credentials: %w", err)
	}
	return n, nil
}

// PasswordRows pages through the organization's users and writes one
// set_password row (new_password generate) per local user, by id with its
// email and user name beside it. Users of a directory are counted in
// rot.Skipped: their password is changed in the directory. It returns the
// rows written.
func PasswordRows(ctx context.Context, r apply.Reader, sink Sink, rot *Rotation) (int, error) {
	n := 0
	err := r.EachUser(ctx, func(u apply.User) error {
		if !rot.matches(u.UserName) {
			return nil
		}
		if !u.Local() {
			rot.Skipped++
			return nil
		}
		n++
		pw := generate
		return sink.Write(manifest.Job{
			Row: n, Op: manifest.OpSetPassword,
			Target:      manifest.Target{Kind: manifest.TargetUserID, Value: strings.ToLower(u.ID)},
			ExpectEmail: u.Email, ExpectUserName: u.UserName, NewPassword: &pw,
		})
	})
	if err != nil {
		return n, fmt.Errorf("export users for rotation: %w", err)
	}
	return n, nil
}
