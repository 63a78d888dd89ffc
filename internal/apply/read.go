package apply

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// reading is what planning and applying share: it resolves a row's
// target, checks the row against it and lists the changes the row makes.
// It holds a Reader: nothing in it can write.
type reading struct {
	reader   Reader
	resolver *Resolver
	policy   worker.RetryPolicy
	// readState reads every target's current state (see
	// runMode.readsEveryState).
	readState bool
	// plan: nothing is written, and groups the plan would create count
	// as existing for the rows of later phases.
	plan bool
	// undo: the state before each write that can be put back is read,
	// for the run's undo manifest.
	undo bool
	// access holds what the Orchestrator access rows read once; assets
	// each folder's assets, read once.
	access *accessDir
	assets *folderAssets
}

// needsState reports whether job's account must be read before its write.
func (rd *reading) needsState(job *manifest.Job) bool {
	if rd.readState || ReadsState(job) {
		return true
	}
	return rd.undo && undoable(job.Op)
}

// undoable reports whether an op's change can be put back, so that an
// apply recording its undo reads the state before it: passwords cannot be,
// creates and ensures read their state anyway.
func undoable(op manifest.Op) bool {
	switch op {
	case manifest.OpUpdateUser, manifest.OpUpdateRobotAccount, manifest.OpDeleteUser, manifest.OpDeleteRobotAccount:
		return true
	}
	return false
}

func newReading(r Reader, rs *Resolver, retry worker.RetryPolicy, mode runMode) reading {
	return reading{reader: r, resolver: rs, policy: retry, readState: mode.readsEveryState(), plan: mode == modePlan, access: newAccessDir(r, rs), assets: &folderAssets{}}
}

// look is what reading a row found: the account it names and the changes
// it makes there. job is the row as it applies to that account: an exact
// group set is turned into additions and removals.
type look struct {
	job   *manifest.Job
	user  User
	robot Robot
	// robotKnown: robot's state (its display name included) was read.
	robotKnown bool
	orch       OrchestratorUser
	// userKnown: user's state (its groups included) was read.
	userKnown bool
	group     Group
	changes   []report.Change
	// create: the row creates its account or group, which joins
	// groupIDs. gone: a delete's target is gone already. target is the
	// id a delete deletes.
	create   bool
	groupIDs []string
	gone     bool
	target   string
	// note says, for a person, why a row that changes nothing does so.
	note string
	// access is what an Orchestrator access row read; asset what a
	// set_credential_asset row read.
	access *accessLook
	asset  *assetLook
}

// look reads what r's row needs and lists its changes.
func (rd *reading) look(ctx context.Context, r *row) (look, error) {
	switch r.job.Op {
	case manifest.OpUpdateUser, manifest.OpSetPassword:
		return rd.lookUser(ctx, r)
	case manifest.OpChangePassword:
		return rd.lookChangePassword(ctx, r)
	case manifest.OpUpdateRobotAccount:
		return rd.lookRobot(ctx, r)
	case manifest.OpSetRobotCredentials:
		return rd.lookCredentials(ctx, r)
	case manifest.OpEnsureUser:
		return rd.lookEnsureUser(ctx, r)
	case manifest.OpEnsureRobotAccount:
		return rd.lookEnsureRobot(ctx, r)
	case manifest.OpEnsureGroup:
		return rd.lookEnsureGroup(ctx, r)
	case manifest.OpDeleteUser, manifest.OpDeleteRobotAccount, manifest.OpDeleteGroup:
		return rd.lookDelete(ctx, r)
	case manifest.OpEnsureFolder:
		return rd.lookEnsureFolder(ctx, r)
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess, manifest.OpSetTenantRoles:
		return rd.lookAccess(ctx, r)
	case manifest.OpUpdateUnattendedRobot:
		return rd.lookUnattended(ctx, r)
	case manifest.OpSetCredentialAsset:
		return rd.lookAsset(ctx, r)
	}
	return look{}, failf(report.CodeValidation, "unknown op %q", r.job.Op)
}

func (rd *reading) lookUser(ctx context.Context, r *row) (look, error) {
	u, known, err := rd.resolveUser(ctx, r, rd.needsState(r.job))
	if err != nil {
		return look{}, err
	}
	if err := checkExpected(r.job, &u, known); err != nil {
		return look{}, err
	}
	return rd.userLook(r.job, u, known)
}

// userLook is the look of a row that changes user u: its groups as the
// additions and removals they make, and its changes.
func (rd *reading) userLook(job *manifest.Job, u User, known bool) (look, error) {
	j, err := rd.withGroupDelta(job, u.GroupIDs, known)
	if err != nil {
		return look{}, err
	}
	return look{job: j, user: u, userKnown: known, changes: userChanges(j, &u, known, rd.resolver.GroupName)}, nil
}

// lookChangePassword always reads the user: its lastModificationTime is
// what settles a change whose answer was lost.
func (rd *reading) lookChangePassword(ctx context.Context, r *row) (look, error) {
	u, known, err := rd.resolveUser(ctx, r, true)
	if err != nil {
		return look{}, err
	}
	if err := checkExpected(r.job, &u, known); err != nil {
		return look{}, err
	}
	return look{job: r.job, user: u, changes: userChanges(r.job, &u, true, rd.resolver.GroupName)}, nil
}

func (rd *reading) lookRobot(ctx context.Context, r *row) (look, error) {
	rb, known, err := rd.resolveRobot(ctx, r, rd.needsState(r.job))
	if err != nil {
		return look{}, err
	}
	return rd.robotLook(r.job, rb, known)
}

// robotLook is the look of a row that changes robot account rb (see
// userLook).
func (rd *reading) robotLook(job *manifest.Job, rb Robot, known bool) (look, error) {
	j, err := rd.withGroupDelta(job, rb.GroupIDs, known)
	if err != nil {
		return look{}, err
	}
	return look{job: j, robot: rb, robotKnown: known, changes: robotChanges(j, &rb, known, rd.resolver.GroupName)}, nil
}

func (rd *reading) resolveRobot(ctx context.Context, r *row, needState bool) (rb Robot, known bool, err error) {
	err = rd.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		rb, known, err = rd.resolver.Robot(ctx, r.job.Target, needState)
		return err
	})
	return rb, known, err
}

func (rd *reading) lookCredentials(ctx context.Context, r *row) (look, error) {
	o, err := rd.robotUser(ctx, r, true)
	if err != nil {
		return look{}, err
	}
	if err := rd.settable(ctx, o); err != nil {
		return look{}, err
	}
	return look{job: r.job, orch: o, changes: credentialChanges(r.job, &o)}, nil
}

// robotUser finds the Orchestrator user of a row about its unattended
// robot; with needRobot, one without a robot fails the row (in a plan
// too, before any write).
func (rd *reading) robotUser(ctx context.Context, r *row, needRobot bool) (OrchestratorUser, error) {
	var o OrchestratorUser
	err := rd.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		o, err = rd.resolver.OrchestratorUser(ctx, r.job.Target)
		return err
	})
	if err != nil {
		return OrchestratorUser{}, err
	}
	if needRobot && o.read != nil && !o.HasRobot {
		return OrchestratorUser{}, failf(report.CodeValidation, "the Orchestrator user %d (%s) has no unattended robot", o.Key, o.UserName)
	}
	return o, nil
}

// PasswordSignIn reports whether a robot of this credential type (as the
// client reads it) signs in with a password: the client's rule.
func PasswordSignIn(credentialType string) bool {
	return (&client.UnattendedRobot{CredentialType: credentialType}).PasswordSignIn()
}

// settable fails, with what to do instead, a robot whose password
// Orchestrator cannot set: one that signs in without a password (a smart
// card, a hardware module, no credential), one whose password lives in an
// external store, or one whose store is read-only.
func (rd *reading) settable(ctx context.Context, o OrchestratorUser) error {
	who := fmt.Sprintf("the robot of Orchestrator user %d (%s)", o.Key, o.UserName)
	if !PasswordSignIn(o.CredentialType) {
		return failf(report.CodeValidation, "%s signs in with credential type %s, not a password: there is no password to set (nothing was sent)", who, o.CredentialType)
	}
	if o.ExternalStore != "" {
		return failf(report.CodeValidation, "%s has its credential in %s: rotate it there (nothing was sent)", who, o.ExternalStore)
	}
	if o.StoreID == nil {
		return nil
	}
	st, found, err := rd.resolver.CredentialStore(ctx, *o.StoreID)
	switch {
	case err != nil:
		return err
	case !found:
		return failf(report.CodeNotFound, "%s names credential store %d, which the tenant does not list (nothing was sent)", who, *o.StoreID)
	case st.ReadOnly:
		return failf(report.CodeValidation, "%s has its credential in the read-only credential store %q (%s): rotate it there (nothing was sent)", who, st.Name, st.Type)
	}
	return nil
}

// checkExpected fails a row named by user_id whose account does not hold
// the email or user name the row gives beside the id: an email cannot be
// changed through the API, and a mismatch means the row names another
// account than its author thought.
func checkExpected(job *manifest.Job, u *User, known bool) error {
	if !known {
		return nil
	}
	if job.ExpectEmail != "" && !strings.EqualFold(job.ExpectEmail, u.Email) {
		return failf(report.CodeValidation, "email: the user %s has the email %q, not %q; an email cannot be changed through the API (invite the new address, then delete the old account)", u.ID, u.Email, job.ExpectEmail)
	}
	if job.ExpectUserName != "" && !strings.EqualFold(job.ExpectUserName, u.UserName) {
		return failf(report.CodeValidation, "username: the user %s has the user name %q, not %q", u.ID, u.UserName, job.ExpectUserName)
	}
	return nil
}

// withGroupDelta checks the groups a row names against the organization's
// (a group that does not exist fails the row before anything is sent) and
// turns an exact set (groups) into the additions and removals that make
// the current membership have into it. The job returned is a copy when it
// differs.
func (rd *reading) withGroupDelta(job *manifest.Job, have []string, known bool) (*manifest.Job, error) {
	if job.Groups == nil {
		if len(job.GroupsToAdd)+len(job.GroupsToRemove) == 0 {
			return job, nil
		}
		// Names (or GUIDs) as written, to the ids requests carry.
		j := *job
		var err error
		if j.GroupsToAdd, err = rd.groupIDs(job.GroupsToAdd); err != nil {
			return nil, err
		}
		if j.GroupsToRemove, err = rd.groupIDs(job.GroupsToRemove); err != nil {
			return nil, err
		}
		return &j, nil
	}
	if !known {
		return nil, failf(report.CodeNotFound, "groups: the current membership could not be read")
	}
	want := make([]string, 0, len(job.Groups))
	for _, ref := range job.Groups {
		id, err := rd.resolver.GroupID(ref)
		if err != nil {
			return nil, err
		}
		want = append(want, id)
	}
	member := func(set []string, id string) bool {
		return slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(s, id) })
	}
	j := *job
	j.Groups, j.GroupsToAdd, j.GroupsToRemove = nil, nil, nil
	for _, id := range want {
		if !member(have, id) && !member(j.GroupsToAdd, id) {
			j.GroupsToAdd = append(j.GroupsToAdd, id)
		}
	}
	for _, id := range have {
		if !member(want, id) && !rd.resolver.Implicit(id) {
			j.GroupsToRemove = append(j.GroupsToRemove, strings.ToLower(id))
		}
	}
	return &j, nil
}

// groupIDs resolves groups named by name or GUID to their ids.
func (rd *reading) groupIDs(refs []string) ([]string, error) {
	ids := make([]string, 0, len(refs))
	for _, ref := range refs {
		id, err := rd.resolver.GroupID(ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (rd *reading) resolveUser(ctx context.Context, r *row, needState bool) (u User, known bool, err error) {
	err = rd.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		u, known, err = rd.resolver.User(ctx, r.job.Target, needState)
		return err
	})
	return u, known, err
}

// changedSince re-reads a user and says whether it was modified after
// before's state (a user never modified before included).
func (rd *reading) changedSince(ctx context.Context, before User) (bool, error) {
	var after User
	err := rd.retry(ctx, nil, func(ctx context.Context) error {
		var err error
		after, err = rd.reader.GetUser(ctx, before.ID)
		return err
	})
	if err != nil {
		return false, err
	}
	return after.LastModified.After(before.LastModified), nil
}

// retry runs fn under the retry policy, counting attempts and 429
// answers on res (when not nil).
func (rd *reading) retry(ctx context.Context, res *report.Result, fn func(context.Context) error) error {
	n, err := worker.Retry(ctx, rd.policy, func(ctx context.Context, _ int) error {
		err := fn(ctx)
		if f := asFailure(err); res != nil && f != nil && f.HTTPStatus() == http.StatusTooManyRequests {
			res.Throttled++
		}
		return err
	})
	if res != nil {
		res.Attempts += n
	}
	return err
}

// planner executes rows read-only: it holds the reading side and nothing
// that writes.
type planner struct {
	reading
}

func (p *planner) do(ctx context.Context, r *row) error {
	l, err := p.look(ctx, r)
	if err != nil {
		return err
	}
	if l.create {
		p.access.plannedAccount(r.job) // the access rows of later phases find it
	}
	decide(modePlan, r.res, l.changes)
	return nil
}
