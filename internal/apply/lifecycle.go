package apply

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// What a row sends besides an op's usual change, as its journal intent
// records it: a resumed run settles these by reading.
const (
	sentCreate  = "create"
	sentDelete  = "delete"
	sentMembers = "members"
)

// The first change of a row that creates or deletes, as plan shows it.
const (
	changeCreate = "+ create"
	changeDelete = "− delete"
)

// isNotFound reports whether err says the target does not exist.
func isNotFound(err error) bool {
	f := asFailure(err)
	return f != nil && f.Code() == report.CodeNotFound
}

// lookEnsureUser reads the user an ensure_user row names by email: none
// means the row creates it, otherwise it updates the fields it names.
func (rd *reading) lookEnsureUser(ctx context.Context, r *row) (look, error) {
	u, known, err := rd.resolveUser(ctx, r, true)
	if id := priorCreate(r); isNotFound(err) && id != "" {
		// An interrupted run sent the create with this id: read it.
		var gerr error
		if u, gerr = rd.reader.GetUser(ctx, id); gerr == nil {
			err, known = nil, true
		} else if !isNotFound(gerr) {
			return look{}, gerr
		}
	}
	if isNotFound(err) {
		return rd.lookCreate(r.job, func(ids []string) []report.Change { return userCreateChanges(r.job, ids, rd.resolver.GroupName) })
	}
	if err != nil {
		return look{}, err
	}
	if r.job.UserName != nil && !strings.EqualFold(*r.job.UserName, u.UserName) {
		return look{}, failf(report.CodeValidation, "username: the user %s has the user name %q, not %q; a user name cannot be changed through the API", u.Email, u.UserName, *r.job.UserName)
	}
	return rd.userLook(r.job, u, known)
}

// priorCreate is the id an interrupted run sent r's create with, or "".
func priorCreate(r *row) string {
	if r.prior == nil || r.prior.Write != sentCreate {
		return ""
	}
	return r.prior.CreatedID
}

// lookEnsureRobot reads the robot account an ensure_robot_account row
// names: none means the row creates it.
func (rd *reading) lookEnsureRobot(ctx context.Context, r *row) (look, error) {
	rb, _, err := rd.resolveRobot(ctx, r, true)
	if isNotFound(err) {
		return rd.lookCreate(r.job, func(ids []string) []report.Change { return robotCreateChanges(r.job, ids, rd.resolver.GroupName) })
	}
	if err != nil {
		return look{}, err
	}
	return rd.robotLook(r.job, rb, true)
}

// lookCreate is the look of a row that creates its account: the groups it
// names resolved to the ids the create carries.
func (rd *reading) lookCreate(job *manifest.Job, changes func(groupIDs []string) []report.Change) (look, error) {
	ids, err := rd.createGroups(job)
	if err != nil {
		return look{}, err
	}
	return look{job: job, create: true, groupIDs: ids, changes: changes(ids)}, nil
}

// createGroups resolves the groups a created account joins: its exact set,
// or those it adds (those it removes it is not in).
func (rd *reading) createGroups(job *manifest.Job) ([]string, error) {
	refs := job.GroupsToAdd
	if job.Groups != nil {
		refs = job.Groups
	}
	for _, ref := range job.GroupsToRemove {
		if _, err := rd.resolver.GroupID(ref); err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, len(refs))
	for _, ref := range refs {
		id, err := rd.resolver.GroupID(ref)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// lookEnsureGroup finds the group an ensure_group row names: none means
// the row creates it.
func (rd *reading) lookEnsureGroup(_ context.Context, r *row) (look, error) {
	if id := priorCreate(r); id != "" {
		// An interrupted run sent the create with this id: the group
		// with that id, whatever its name now, is the row's.
		if g, found, err := rd.resolver.Group(manifest.Target{Kind: manifest.TargetGroupID, Value: id}); err != nil || found {
			return look{job: r.job, group: g}, err
		}
	}
	g, found, err := rd.resolver.Group(r.job.Target)
	if err != nil {
		return look{}, err
	}
	if found {
		return look{job: r.job, group: g}, nil
	}
	if rd.plan {
		rd.resolver.PlanGroup(r.job.Target.Value)
	}
	return look{job: r.job, create: true, changes: []report.Change{{Field: "group", New: changeCreate}}}, nil
}

// lookDelete finds the account or group a delete_* row names: none means
// the desired state holds already.
func (rd *reading) lookDelete(ctx context.Context, r *row) (look, error) {
	l := look{job: r.job}
	var err error
	var what string
	switch r.job.Op {
	case manifest.OpDeleteUser:
		what = "account"
		l.user, l.userKnown, err = rd.resolveUser(ctx, r, rd.needsState(r.job))
		l.target = l.user.ID
	case manifest.OpDeleteRobotAccount:
		what = "robot account"
		l.robot, l.robotKnown, err = rd.resolveRobot(ctx, r, rd.needsState(r.job))
		l.target = l.robot.ID
	default:
		what = "group"
		var found bool
		l.group, found, err = rd.resolver.Group(r.job.Target)
		switch {
		case err == nil && !found:
			err = failf(report.CodeNotFound, "no group with %s %q", r.job.Target.Kind, r.job.Target.Value)
		case err == nil && l.group.BuiltIn:
			return look{}, failf(report.CodeValidation, "group %q is built in: built-in groups cannot be deleted", l.group.Name)
		}
		l.target = l.group.ID
	}
	if isNotFound(err) {
		return look{job: r.job, gone: true, note: "not found (already deleted?)" + rd.resolver.nearestTarget(r.job.Target)}, nil
	}
	if err != nil {
		return look{}, err
	}
	l.changes = []report.Change{{Field: what, New: changeDelete}}
	return l, nil
}

// userCreateChanges lists what creating an ensure_user row's user sets.
func userCreateChanges(job *manifest.Job, groupIDs []string, groupName func(string) string) []report.Change {
	cs := []report.Change{{Field: "account", New: changeCreate}}
	for _, f := range []struct {
		name string
		v    *string
	}{{"username", job.UserName}, {"name", job.Name}, {"surname", job.Surname}, {"display_name", job.DisplayName}} {
		if f.v != nil {
			cs = append(cs, report.Change{Field: f.name, New: quote(*f.v)})
		}
	}
	if job.BypassBasicAuthRestriction != nil {
		cs = append(cs, report.Change{Field: "bypass_basic_auth_restriction", New: strconv.FormatBool(*job.BypassBasicAuthRestriction)})
	}
	if c, ok := groupChange(groupIDs, nil, nil, true, groupName); ok {
		cs = append(cs, c)
	}
	if job.InitialPassword != nil {
		cs = append(cs, report.Change{Field: "password", New: secret.Redacted})
	}
	return cs
}

// robotCreateChanges lists what creating an ensure_robot_account row's
// account sets.
func robotCreateChanges(job *manifest.Job, groupIDs []string, groupName func(string) string) []report.Change {
	cs := []report.Change{{Field: "robot account", New: changeCreate}}
	if job.DisplayName != nil {
		cs = append(cs, report.Change{Field: "display_name", New: quote(*job.DisplayName)})
	}
	if c, ok := groupChange(groupIDs, nil, nil, true, groupName); ok {
		cs = append(cs, c)
	}
	return cs
}

// create sends the create of an ensure_* row. A create is not idempotent:
// one whose answer was lost (or that the server refuses as a duplicate
// after such a loss) is settled by reading whether the account or group
// exists now, and sent again only if it does not.
func (a *applier) create(ctx context.Context, r *row, l look) error {
	r.sent = sentCreate
	var send sendFunc
	switch r.job.Op {
	case manifest.OpEnsureUser:
		u := NewUser{ID: r.newID(), Email: r.job.Target.Value, GroupIDs: l.groupIDs}
		r.account = u.Email
		u.UserName, u.Name, u.Surname, u.DisplayName = deref(r.job.UserName), deref(r.job.Name), deref(r.job.Surname), deref(r.job.DisplayName)
		if r.job.BypassBasicAuthRestriction != nil {
			u.BypassBasicAuthRestriction = *r.job.BypassBasicAuthRestriction
		}
		if r.job.InitialPassword != nil {
			var err error
			if u.Password, err = a.secretFor(ctx, r, "initial_password", r.job.InitialPassword); err != nil {
				return err
			}
		}
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.CreateUser(ctx, u, before) }
	case manifest.OpEnsureRobotAccount:
		nr := NewRobot{Name: r.job.Target.Value, DisplayName: deref(r.job.DisplayName), GroupIDs: l.groupIDs}
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.CreateRobot(ctx, nr, before) }
	default:
		g := NewGroup{ID: r.newID(), Name: r.job.Target.Value}
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.CreateGroup(ctx, g, before) }
	}
	err := a.write(ctx, r, send)
	for err != nil && (worker.IsOutcomeUnknown(err) || (isConflict(err) && r.res.Attempts > 1)) {
		// The create may have landed: a refusal as a duplicate after a
		// lost answer may be our own create. A create that carried an id
		// is read back by that id, exactly.
		exists, rerr := a.present(ctx, r.job.Op, r.job.Target.Value, r.createdID)
		switch {
		case rerr != nil:
			return outcomeUnknown(err)
		case exists:
			r.res.Status = report.StatusSucceeded
			err = nil
			continue
		case isConflict(err):
			return err
		case r.res.Attempts >= max(a.opts.Retry.MaxAttempts, 1):
			return outcomeUnknown(err)
		}
		if err = a.retry(ctx, r.res, resend(send)); err == nil {
			r.res.Status = report.StatusSucceeded
		}
	}
	if err == nil && r.job.Op == manifest.OpEnsureUser && r.job.IsActive != nil && !*r.job.IsActive {
		// A create takes no activation (CreateUserCommand has no isActive):
		// an inactive user is made inactive right after, by its id.
		return a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return a.writer.UpdateUser(ctx, r.createdID, UserUpdate{IsActive: r.job.IsActive}, before)
		})
	}
	return err
}

// newID is the id the row's create sends: the one an interrupted run
// recorded for it, or a new random one (a version 4 UUID).
func (r *row) newID() string {
	switch {
	case r.createdID != "":
	case r.prior != nil && r.prior.CreatedID != "":
		r.createdID = r.prior.CreatedID
	default:
		r.createdID = uuid.NewString()
	}
	return r.createdID
}

// lookup reads whether the account or group an op's row names as key
// exists now, bypassing what the run resolved before: key is an
// ensure_* row's email or name, a delete_* row's id; id, when not empty,
// is the id an ensure_* row's create carried, and is read instead of key.
// Not found is an answer, not an error.
func (a *applier) lookup(ctx context.Context, op manifest.Op, key, id string) (bool, error) {
	var err error
	switch {
	case id != "" && op == manifest.OpEnsureUser:
		op, key = manifest.OpDeleteUser, id // read by id
	case id != "" && op == manifest.OpEnsureGroup:
		op, key = manifest.OpDeleteGroup, id
	}
	switch op {
	case manifest.OpEnsureUser:
		_, err = a.reader.FindUser(ctx, true, key)
	case manifest.OpEnsureRobotAccount:
		_, err = a.reader.FindRobot(ctx, key)
	case manifest.OpDeleteUser:
		_, err = a.reader.GetUser(ctx, key)
	case manifest.OpDeleteRobotAccount:
		_, err = a.reader.GetRobot(ctx, key)
	default:
		gs, err := a.reader.ListGroups(ctx)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(gs, func(g Group) bool {
			if op == manifest.OpEnsureGroup {
				return strings.EqualFold(g.Name, key)
			}
			return strings.EqualFold(g.ID, key)
		}), nil
	}
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// present is lookup under the retry policy.
func (a *applier) present(ctx context.Context, op manifest.Op, key, id string) (found bool, err error) {
	err = a.retry(ctx, nil, func(ctx context.Context) error {
		var err error
		found, err = a.lookup(ctx, op, key, id)
		return err
	})
	return found, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func isConflict(err error) bool {
	f := asFailure(err)
	return f != nil && f.Code() == report.CodeConflict
}

// ensures reports whether op creates what is missing and otherwise makes
// what exists match: such a row sends nothing when nothing differs.
func ensures(op manifest.Op) bool {
	return op == manifest.OpEnsureUser || op == manifest.OpEnsureRobotAccount || op == manifest.OpEnsureGroup
}

// settled finishes a row that an interrupted run sent a create, a delete
// or a membership change for, and whose target now shows it landed: it
// succeeded (it is not "unchanged": this run's change made it so). It
// also finishes a delete whose target is gone.
func settled(r *row, l look) bool {
	sent := ""
	if r.prior != nil {
		sent = r.prior.Write
	}
	switch {
	case l.gone:
		r.res.Status = report.StatusUnchanged
		if sent == sentDelete {
			r.res.Status = report.StatusSucceeded
		} else {
			r.res.ErrorMessage = l.note
		}
	case (sent != "" || r.prior != nil) && !l.create && len(l.changes) == 0:
		// An interrupted run recorded this row's intent before sending
		// it, and the target now shows the change: that run's write.
		r.res.Status = report.StatusSucceeded
	default:
		return false
	}
	return true
}

// deleteOne deletes a delete_* row's target in a request of its own. A
// delete whose answer was lost is settled by reading: a target gone is a
// delete that landed.
func (a *applier) deleteOne(ctx context.Context, r *row, l look) error {
	r.sent = sentDelete
	ids := []string{l.target}
	var send sendFunc
	switch r.job.Op {
	case manifest.OpDeleteUser:
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.DeleteUsers(ctx, ids, before) }
	case manifest.OpDeleteRobotAccount:
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.DeleteRobots(ctx, ids, before) }
	default:
		send = func(ctx context.Context, before BeforeSend) error { return a.writer.DeleteGroups(ctx, ids, before) }
	}
	err := a.write(ctx, r, send)
	if err == nil || r.res.Attempts == 0 || !(worker.IsOutcomeUnknown(err) || (isNotFound(err) && r.res.Attempts > 1)) {
		return err
	}
	there, rerr := a.present(ctx, r.job.Op, l.target, "")
	switch {
	case rerr != nil:
		return outcomeUnknown(err)
	case !there:
		r.res.Status = report.StatusSucceeded
		return nil
	}
	return outcomeUnknown(err)
}
