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
	// Filter narrows export assets by folder path and asset name.
	Filter Filter
	// Skipped counts the accounts (or asset values) left out because
	// their password cannot be set here: robots that sign in without a
	// password or whose credential lives in an external or read-only
	// store, users of a directory, asset values in such a store.
	Skipped int
	// SkippedBy counts what was left out by why (see RobotCredentialRows
	// and AssetRows).
	SkippedBy map[string]int
}

// skip counts one account left out, for why.
func (rot *Rotation) skip(why string) {
	rot.Skipped++
	if rot.SkippedBy == nil {
		rot.SkippedBy = map[string]int{}
	}
	rot.SkippedBy[why]++
}

// Why a robot is left out of a rotation.
const (
	skipExternal = "in an external credential store"
	skipReadOnly = "in a read-only credential store"
)

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

// commenter is a Sink that writes comment lines readers skip (a
// manifest.Writer).
type commenter interface{ Comment(text string) error }

// generate is the new_password every rotation row carries.
var generate = manifest.SecretRef{Kind: manifest.SecretGenerate}

// RobotCredentialRows pages through the Orchestrator users and writes one
// set_robot_credentials row (new_password generate) per user with an
// unattended robot whose credential Orchestrator holds. The robot's
// current Windows account is written beside it, so that whoever changes
// the directory's passwords knows which account a row's password is for.
// Robots that sign in without a password (a smart card, a hardware
// module, no credential) and robots whose credential lives in an external
// or read-only store are counted in rot.SkippedBy, not written: nothing
// here can set their password. Telling a read-only store reads the
// tenant's credential stores (once, when a robot names one). It returns
// the rows written.
func RobotCredentialRows(ctx context.Context, r apply.Reader, sink Sink, rot *Rotation) (int, error) {
	n := 0
	var stores map[int64]apply.CredentialStore
	err := r.EachOrchestratorUser(ctx, func(o apply.OrchestratorUser) error {
		if !o.HasRobot || !rot.matches(o.UserName) {
			return nil
		}
		switch {
		case !apply.PasswordSignIn(o.CredentialType):
			rot.skip("signing in with " + o.CredentialType)
			return nil
		case o.ExternalStore != "":
			rot.skip(skipExternal)
			return nil
		case o.StoreID != nil:
			if stores == nil {
				list, err := r.CredentialStores(ctx)
				if err != nil {
					return fmt.Errorf("read the credential stores, to leave out robots in read-only ones (the External Application needs the scope OR.Settings.Read): %w", err)
				}
				stores = make(map[int64]apply.CredentialStore, len(list))
				for _, s := range list {
					stores[s.ID] = s
				}
			}
			if stores[*o.StoreID].ReadOnly {
				rot.skip(skipReadOnly)
				return nil
			}
		}
		n++
		account := o.RobotUserName
		pw := generate
		if c, ok := sink.(commenter); ok {
			// A label a person reads: the row's id is a number.
			if err := c.Comment(fmt.Sprintf("%s: %s", o.UserName, account)); err != nil {
				return err
			}
		}
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
		if code := unknownCode(u); code != "" {
			rot.skip("of " + code + ", a code this version does not know")
			return nil
		}
		if !u.Local() {
			rot.skip("of a directory")
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
