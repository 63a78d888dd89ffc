package apply

import (
	"context"
	"errors"
	"time"

	"batch/internal/manifest"
	"batch/internal/report"
	"batch/internal/secret"
	"batch/internal/worker"
)

// Mode is what a run does with each row.
type Mode int

const (
	// ModePlan reads, reports the difference and writes nothing.
	ModePlan Mode = iota
	// ModeApply writes every row.
	ModeApply
	// ModeApplyChanged reads first and writes only rows with a difference
	// (apply --skip-unchanged).
	ModeApplyChanged
)

// SecretRecorder keeps a generated password before it is sent, so that a
// password changed on the server can always be found again. An error stops
// the row before anything is sent.
type SecretRecorder interface {
	Record(ctx context.Context, job *manifest.Job, field string, value secret.Value) error
}

// Options configure an Executor.
type Options struct {
	Retry     worker.RetryPolicy
	LookupEnv func(string) (string, bool)
	Secrets   SecretRecorder
}

// Executor runs one manifest row at a time (safe for concurrent use).
type Executor struct {
	mode     Mode
	reader   Reader
	writer   Writer
	resolver *Resolver
	opts     Options
}

// NewPlanner returns an executor that can only read.
func NewPlanner(r Reader, rs *Resolver, opts Options) *Executor {
	return &Executor{mode: ModePlan, reader: r, resolver: rs, opts: opts}
}

// NewApplier returns an executor that writes; with onlyChanged it reads
// first and skips rows whose desired state already holds.
func NewApplier(w Writer, rs *Resolver, onlyChanged bool, opts Options) *Executor {
	mode := ModeApply
	if onlyChanged {
		mode = ModeApplyChanged
	}
	return &Executor{mode: mode, reader: w, writer: w, resolver: rs, opts: opts}
}

// Needs says which reads a row of this op costs in this mode, for
// Resolver.Prepare.
func (e *Executor) Needs(job *manifest.Job, n *Needs) {
	readsState := e.mode != ModeApply
	switch job.Op {
	case manifest.OpUpdateUser, manifest.OpSetPassword:
		if job.Target.Kind != manifest.TargetUserID {
			n.UserLookups++
		} else if readsState {
			n.UserStates++
		}
	case manifest.OpChangePassword:
		n.UserStates++ // its outcome is checked against lastModificationTime
	case manifest.OpUpdateRobotAccount:
		if job.Target.Kind != manifest.TargetRobotAccountID {
			n.RobotLookups++
		} else if readsState {
			n.RobotStates++
		}
	}
}

// Do executes one row and reports what became of it. It never returns an
// error: a row's failure is its result.
func (e *Executor) Do(ctx context.Context, job *manifest.Job) report.Result {
	start := time.Now()
	res := report.Result{Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String()}
	var err error
	switch job.Op {
	case manifest.OpUpdateUser, manifest.OpSetPassword:
		err = e.updateUser(ctx, job, &res)
	case manifest.OpChangePassword:
		err = e.changePassword(ctx, job, &res)
	case manifest.OpUpdateRobotAccount:
		err = e.updateRobot(ctx, job, &res)
	case manifest.OpSetRobotCredentials:
		err = e.setRobotCredentials(ctx, job, &res)
	default:
		err = failf("validation", "unknown op %q", job.Op)
	}
	res.Duration = time.Since(start)
	if err != nil {
		setFailure(ctx, &res, err, e.mode != ModePlan && res.Attempts > 0)
	}
	return res
}

// decide sets the status of a row whose changes are known and says whether
// to write.
func (e *Executor) decide(res *report.Result, changes []report.Change) (write bool) {
	res.Changes = changes
	switch {
	case e.mode == ModePlan && len(changes) == 0:
		res.Status = report.StatusUnchanged
	case e.mode == ModePlan:
		res.Status = report.StatusPlanned
	case e.mode == ModeApplyChanged && len(changes) == 0:
		res.Status = report.StatusUnchanged
	default:
		return true
	}
	return false
}

func (e *Executor) updateUser(ctx context.Context, job *manifest.Job, res *report.Result) error {
	u, known, err := e.resolveUser(ctx, job, res, e.mode != ModeApply)
	if err != nil {
		return err
	}
	if !e.decide(res, userChanges(job, &u, known)) {
		return nil
	}
	upd := UserUpdate{
		Name: job.Name, Surname: job.Surname, DisplayName: job.DisplayName,
		IsActive: job.IsActive, BypassBasicAuthRestriction: job.BypassBasicAuthRestriction,
		Invitation: job.InvitationAccepted, GroupIDsToAdd: job.GroupIDsToAdd, GroupIDsToRemove: job.GroupIDsToRemove,
	}
	if job.NewPassword != nil {
		if upd.Password, err = e.secretFor(ctx, job, "new_password", job.NewPassword); err != nil {
			return err
		}
	}
	return e.write(ctx, res, func(ctx context.Context) error { return e.writer.UpdateUser(ctx, u.ID, upd) })
}

func (e *Executor) changePassword(ctx context.Context, job *manifest.Job, res *report.Result) error {
	u, _, err := e.resolveUser(ctx, job, res, true)
	if err != nil {
		return err
	}
	if !e.decide(res, userChanges(job, &u, true)) {
		return nil
	}
	oldPw, err := e.secretFor(ctx, job, "old_password", job.OldPassword)
	if err != nil {
		return err
	}
	newPw, err := e.secretFor(ctx, job, "new_password", job.NewPassword)
	if err != nil {
		return err
	}
	send := func(ctx context.Context) error { return e.writer.ChangePassword(ctx, u.ID, oldPw, newPw) }
	err = e.write(ctx, res, send)
	if !isOutcomeUnknown(err) {
		return err
	}
	return e.settleChangePassword(ctx, res, u, send, err)
}

// settleChangePassword establishes what became of a change-password request
// whose answer was lost. The request is not idempotent, so it is never
// simply sent again: the user is re-read, and a moved lastModificationTime
// means the change happened. If it did not move, one more request is safe,
// because the old password guards it: were the first one to land after
// all, the second would be refused as a wrong old password and change
// nothing.
func (e *Executor) settleChangePassword(ctx context.Context, res *report.Result, before User, send func(context.Context) error, lost error) error {
	changed, err := e.changedSince(ctx, before)
	if err != nil {
		return outcomeUnknown(lost)
	}
	if changed {
		res.Status = report.StatusSucceeded
		return nil
	}
	res.Attempts++
	err = send(ctx)
	if err == nil {
		res.Status = report.StatusSucceeded
		return nil
	}
	if f := asFailure(err); f != nil && f.Code() == "wrong_password" {
		if changed, cerr := e.changedSince(ctx, before); cerr == nil && changed {
			res.Status = report.StatusSucceeded
			return nil
		}
	}
	if isOutcomeUnknown(err) {
		return outcomeUnknown(err)
	}
	return err
}

func (e *Executor) changedSince(ctx context.Context, before User) (bool, error) {
	var after User
	err := e.retry(ctx, nil, func(ctx context.Context) error {
		var err error
		after, err = e.reader.GetUser(ctx, before.ID)
		return err
	})
	if err != nil {
		return false, err
	}
	return after.LastModified.After(before.LastModified), nil
}

func (e *Executor) updateRobot(ctx context.Context, job *manifest.Job, res *report.Result) error {
	var r Robot
	var known bool
	err := e.retry(ctx, res, func(ctx context.Context) error {
		var err error
		r, known, err = e.resolver.Robot(ctx, job.Target, e.mode != ModeApply)
		return err
	})
	if err != nil {
		return err
	}
	if !e.decide(res, robotChanges(job, &r, known)) {
		return nil
	}
	upd := RobotUpdate{DisplayName: job.DisplayName, GroupIDsToAdd: job.GroupIDsToAdd, GroupIDsToRemove: job.GroupIDsToRemove}
	return e.write(ctx, res, func(ctx context.Context) error { return e.writer.UpdateRobot(ctx, r.ID, upd) })
}

func (e *Executor) setRobotCredentials(ctx context.Context, job *manifest.Job, res *report.Result) error {
	var o OrchestratorUser
	err := e.retry(ctx, res, func(ctx context.Context) error {
		var err error
		o, err = e.resolver.OrchestratorUser(ctx, job.Target)
		return err
	})
	if err != nil {
		return err
	}
	if !e.decide(res, credentialChanges(job, &o)) {
		return nil
	}
	account := o.RobotUserName
	if job.RobotUsername != nil {
		account = *job.RobotUsername
	}
	pw, err := e.secretFor(ctx, job, "new_password", job.NewPassword)
	if err != nil {
		return err
	}
	return e.write(ctx, res, func(ctx context.Context) error {
		return e.writer.SetRobotCredentials(ctx, o.Key, account, pw)
	})
}

func (e *Executor) resolveUser(ctx context.Context, job *manifest.Job, res *report.Result, needState bool) (u User, known bool, err error) {
	err = e.retry(ctx, res, func(ctx context.Context) error {
		var err error
		u, known, err = e.resolver.User(ctx, job.Target, needState)
		return err
	})
	return u, known, err
}

// write sends a change with retries and marks the row succeeded.
func (e *Executor) write(ctx context.Context, res *report.Result, send func(context.Context) error) error {
	res.Attempts = 0 // attempts count the write, not the reads before it
	if err := e.retry(ctx, res, send); err != nil {
		return err
	}
	res.Status = report.StatusSucceeded
	return nil
}

// retry runs fn under the retry policy, counting attempts on res.
func (e *Executor) retry(ctx context.Context, res *report.Result, fn func(context.Context) error) error {
	n, err := worker.Retry(ctx, e.opts.Retry, func(ctx context.Context, _ int) error { return fn(ctx) })
	if res != nil {
		res.Attempts += n
	}
	return err
}

// secretFor resolves a secret reference at the last moment. A generated
// password is recorded before it is returned, so it is never sent unless it
// can be found again.
func (e *Executor) secretFor(ctx context.Context, job *manifest.Job, field string, ref *manifest.SecretRef) (secret.Value, error) {
	if ref == nil {
		return secret.Value{}, failf(CodeSecret, "%s is missing", field)
	}
	v, err := ref.Resolve(ctx, e.opts.LookupEnv)
	if err != nil {
		return secret.Value{}, failf(CodeSecret, "%s: %v", field, err)
	}
	if ref.Kind == manifest.SecretGenerate {
		if e.opts.Secrets == nil {
			return secret.Value{}, failf(CodeSecret, "%s: generated passwords need a secrets output (--secrets-out)", field)
		}
		if err := e.opts.Secrets.Record(ctx, job, field, v); err != nil {
			return secret.Value{}, failf(CodeSecret, "%s: record generated password: %v", field, err)
		}
	}
	return v, nil
}

// setFailure fills a failed row from err. wrote says whether a write may
// have reached the server: if the run was cancelled under it, its outcome
// is unknown rather than failed.
func setFailure(ctx context.Context, res *report.Result, err error, wrote bool) {
	res.Status = report.StatusFailed
	res.ErrorMessage = err.Error()
	f := asFailure(err)
	switch {
	case f != nil:
		res.ErrorCode = f.Code()
		res.HTTPStatus = f.HTTPStatus()
		res.ValidationErrors = f.FieldErrors()
		res.TraceID = f.TraceID()
	case ctx.Err() != nil && wrote:
		res.ErrorCode = CodeOutcomeUnknown
	case ctx.Err() != nil:
		res.ErrorCode = CodeCancelled
	default:
		res.ErrorCode = "network"
	}
	if res.ErrorCode != CodeOutcomeUnknown && isOutcomeUnknown(err) {
		res.ErrorCode = CodeOutcomeUnknown
	}
}

func asFailure(err error) Failure {
	var f Failure
	if errors.As(err, &f) {
		return f
	}
	return nil
}

func isOutcomeUnknown(err error) bool {
	var u interface{ OutcomeUnknown() bool }
	return err != nil && errors.As(err, &u) && u.OutcomeUnknown()
}

func isPermanent(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) && r.Retryable() {
		return false
	}
	return !isOutcomeUnknown(err)
}

// outcomeUnknown marks err as a request whose effect could not be
// established: a person must look at that account.
func outcomeUnknown(err error) error {
	f := failf(CodeOutcomeUnknown, "the request was sent but its outcome could not be established (check this account): %v", err)
	if inner := asFailure(err); inner != nil {
		f.status, f.trace = inner.HTTPStatus(), inner.TraceID()
	}
	return f
}
