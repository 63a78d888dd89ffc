package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"batch/internal/client"
	"batch/internal/journal"
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
	// Secrets records generated passwords; rows with generated passwords
	// fail without it.
	Secrets SecretRecorder
	// Journal, when set, durably records each row's intent (with its
	// passwords sealed) before the row's write is sent.
	Journal *journal.Journal
}

// Task is one row to execute: the manifest job and, for a resumed run, the
// intent the interrupted run recorded for it (its write may or may not
// have reached the server).
type Task struct {
	Job   manifest.Job
	Prior *journal.Intent
}

// row is the state of one task while it executes.
type row struct {
	job    *manifest.Job
	res    *report.Result
	prior  *journal.Intent
	sealed map[string]string // passwords this row will send, sealed for the journal
	before time.Time         // the target's last modification before the write
	// beforeKnown: before was read (a zero before then means the target
	// had never been modified, which is as much a state as a time).
	beforeKnown bool
	// generated are the passwords generated for this row, recorded only
	// once its write is about to leave (see write).
	generated []generatedSecret
}

// generatedSecret is a generated password waiting to be recorded.
type generatedSecret struct {
	field string
	value secret.Value
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
	readsState := e.mode != ModeApply || ReadsState(job)
	if job.Groups != nil || len(job.GroupIDsToAdd)+len(job.GroupIDsToRemove) > 0 {
		n.Groups++
	}
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

// ReadsState reports whether a row reads its account's state in every mode:
// an exact group set is a difference from the current membership, and an
// expected email or user name is checked against the account.
func ReadsState(job *manifest.Job) bool {
	return job.Groups != nil || job.ExpectEmail != "" || job.ExpectUserName != ""
}

// Do executes one row and reports what became of it. It never returns an
// error: a row's failure is its result.
func (e *Executor) Do(ctx context.Context, t *Task) report.Result {
	start := time.Now()
	job := &t.Job
	res := report.Result{Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String()}
	r := &row{job: job, res: &res, prior: t.Prior}
	var err error
	switch job.Op {
	case manifest.OpUpdateUser, manifest.OpSetPassword:
		err = e.updateUser(ctx, r)
	case manifest.OpChangePassword:
		err = e.changePassword(ctx, r)
	case manifest.OpUpdateRobotAccount:
		err = e.updateRobot(ctx, r)
	case manifest.OpSetRobotCredentials:
		err = e.setRobotCredentials(ctx, r)
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

func (e *Executor) updateUser(ctx context.Context, r *row) error {
	u, known, err := e.resolveUser(ctx, r, e.mode != ModeApply || ReadsState(r.job))
	if err != nil {
		return err
	}
	if err := checkExpected(r.job, &u, known); err != nil {
		return err
	}
	job, err := e.withGroupDelta(r.job, u.GroupIDs, known)
	if err != nil {
		return err
	}
	if !e.decide(r.res, userChanges(job, &u, known, e.resolver.GroupName)) {
		return nil
	}
	upd := UserUpdate{
		Name: job.Name, Surname: job.Surname, DisplayName: job.DisplayName,
		IsActive: job.IsActive, BypassBasicAuthRestriction: job.BypassBasicAuthRestriction,
		Invitation: job.InvitationAccepted, GroupIDsToAdd: job.GroupIDsToAdd, GroupIDsToRemove: job.GroupIDsToRemove,
	}
	if job.NewPassword != nil {
		if upd.Password, err = e.secretFor(ctx, r, "new_password", job.NewPassword); err != nil {
			return err
		}
	}
	// A PUT is idempotent: a resumed row whose write may have landed is
	// simply sent again, with the same (sealed) password.
	return e.write(ctx, r, func(ctx context.Context) error { return e.writer.UpdateUser(ctx, u.ID, upd) })
}

func (e *Executor) changePassword(ctx context.Context, r *row) error {
	u, known, err := e.resolveUser(ctx, r, true)
	if err != nil {
		return err
	}
	if err := checkExpected(r.job, &u, known); err != nil {
		return err
	}
	if !e.decide(r.res, userChanges(r.job, &u, true, e.resolver.GroupName)) {
		return nil
	}
	oldPw, err := e.secretFor(ctx, r, "old_password", r.job.OldPassword)
	if err != nil {
		return err
	}
	newPw, err := e.secretFor(ctx, r, "new_password", r.job.NewPassword)
	if err != nil {
		return err
	}
	send := func(ctx context.Context) error { return e.writer.ChangePassword(ctx, u.ID, oldPw, newPw) }
	if r.prior != nil && r.prior.BeforeKnown() {
		// An interrupted run may have sent this request: settle it
		// against the state read before that send (a user never modified
		// then included), never resend blindly.
		before := u
		before.LastModified = r.prior.Before
		r.before, r.beforeKnown = r.prior.Before, true
		if err := e.beforeSend(ctx, r); err != nil {
			return err
		}
		return e.settleChangePassword(ctx, r.res, before, send, errors.New("a previous run was interrupted while sending this change"))
	}
	// A zero LastModified is a user never modified: a known state too.
	r.before, r.beforeKnown = u.LastModified, true
	err = e.write(ctx, r, send)
	switch {
	case isOutcomeUnknown(err):
		return e.settleChangePassword(ctx, r.res, u, send, err)
	case !isWrongPassword(err):
		return err
	case r.prior != nil:
		// The interrupted run recorded no state to settle against, and its
		// send may have landed: the refusal may be our own change.
		return outcomeUnknown(fmt.Errorf("a previous run was interrupted while sending this change, and the old password is now refused: %w", err))
	case r.res.Attempts > 1:
		// An earlier attempt failed on the way (a gateway's 502 or 504
		// may have passed it on): the refusal is a verdict only once a
		// re-read shows the change did not land.
		return e.checkRefusal(ctx, r.res, u, err)
	}
	return err
}

// settleChangePassword establishes what became of a change-password request
// whose answer was lost. The request is not idempotent, so it is never
// simply sent again: the user is re-read, and a moved lastModificationTime
// means the change happened. If it did not move, sending again is safe,
// because the old password guards it: were the lost request to land after
// all, the new one would be refused as a wrong old password and change
// nothing, and the re-read after that refusal tells. A resend whose answer
// is lost again is settled the same way, within the row's attempts.
func (e *Executor) settleChangePassword(ctx context.Context, res *report.Result, before User, send func(context.Context) error, lost error) error {
	for {
		changed, err := e.changedSince(ctx, before)
		if err != nil {
			return outcomeUnknown(lost)
		}
		if changed {
			res.Status = report.StatusSucceeded
			return nil
		}
		if res.Attempts >= max(e.opts.Retry.MaxAttempts, 1) {
			return outcomeUnknown(lost)
		}
		err = e.retry(ctx, res, send)
		if err == nil {
			res.Status = report.StatusSucceeded
			return nil
		}
		if isWrongPassword(err) {
			return e.checkRefusal(ctx, res, before, err)
		}
		if !isOutcomeUnknown(err) {
			return err
		}
		lost = err
	}
}

// checkRefusal settles a change-password refused for a wrong old password
// after a send whose outcome was not known: the refusal is the row's result
// only if a re-read shows the change did not land since before (it is our
// own change otherwise); without that re-read the outcome stays unknown.
func (e *Executor) checkRefusal(ctx context.Context, res *report.Result, before User, refused error) error {
	changed, err := e.changedSince(ctx, before)
	switch {
	case err != nil:
		return outcomeUnknown(refused)
	case changed:
		res.Status = report.StatusSucceeded
		return nil
	}
	return refused
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

func (e *Executor) updateRobot(ctx context.Context, r *row) error {
	var rb Robot
	var known bool
	err := e.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		rb, known, err = e.resolver.Robot(ctx, r.job.Target, e.mode != ModeApply || r.job.Groups != nil)
		return err
	})
	if err != nil {
		return err
	}
	job, err := e.withGroupDelta(r.job, rb.GroupIDs, known)
	if err != nil {
		return err
	}
	if !e.decide(r.res, robotChanges(job, &rb, known, e.resolver.GroupName)) {
		return nil
	}
	upd := RobotUpdate{DisplayName: job.DisplayName, GroupIDsToAdd: job.GroupIDsToAdd, GroupIDsToRemove: job.GroupIDsToRemove}
	return e.write(ctx, r, func(ctx context.Context) error { return e.writer.UpdateRobot(ctx, rb.ID, upd) })
}

func (e *Executor) setRobotCredentials(ctx context.Context, r *row) error {
	var o OrchestratorUser
	err := e.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		o, err = e.resolver.OrchestratorUser(ctx, r.job.Target)
		return err
	})
	if err != nil {
		return err
	}
	if !e.decide(r.res, credentialChanges(r.job, &o)) {
		return nil
	}
	account := o.RobotUserName
	if r.job.RobotUsername != nil {
		account = *r.job.RobotUsername
	}
	pw, err := e.secretFor(ctx, r, "new_password", r.job.NewPassword)
	if err != nil {
		return err
	}
	// The PATCH carries the whole credential, so re-sending it after an
	// interruption sets the same value again.
	return e.write(ctx, r, func(ctx context.Context) error {
		return e.writer.SetRobotCredentials(ctx, o.Key, account, pw)
	})
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
		return failf("validation", "email: the user %s has the email %q, not %q; an email cannot be changed through the API (invite the new address, then delete the old account)", u.ID, u.Email, job.ExpectEmail)
	}
	if job.ExpectUserName != "" && !strings.EqualFold(job.ExpectUserName, u.UserName) {
		return failf("validation", "username: the user %s has the user name %q, not %q", u.ID, u.UserName, job.ExpectUserName)
	}
	return nil
}

// withGroupDelta checks the groups a row names against the organization's
// (a group that does not exist fails the row before anything is sent) and
// turns an exact set (groups) into the additions and removals that make
// the current membership have into it. The job returned is a copy when it
// differs.
func (e *Executor) withGroupDelta(job *manifest.Job, have []string, known bool) (*manifest.Job, error) {
	if job.Groups == nil {
		for _, id := range append(slices.Clone(job.GroupIDsToAdd), job.GroupIDsToRemove...) {
			if _, err := e.resolver.GroupID(id); err != nil {
				return nil, err
			}
		}
		return job, nil
	}
	if !known {
		return nil, failf(CodeNotFound, "groups: the current membership could not be read")
	}
	want := make([]string, 0, len(job.Groups))
	for _, ref := range job.Groups {
		id, err := e.resolver.GroupID(ref)
		if err != nil {
			return nil, err
		}
		want = append(want, id)
	}
	member := func(set []string, id string) bool {
		return slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(s, id) })
	}
	j := *job
	j.Groups, j.GroupIDsToAdd, j.GroupIDsToRemove = nil, nil, nil
	for _, id := range want {
		if !member(have, id) && !member(j.GroupIDsToAdd, id) {
			j.GroupIDsToAdd = append(j.GroupIDsToAdd, id)
		}
	}
	for _, id := range have {
		if !member(want, id) {
			j.GroupIDsToRemove = append(j.GroupIDsToRemove, strings.ToLower(id))
		}
	}
	return &j, nil
}

func (e *Executor) resolveUser(ctx context.Context, r *row, needState bool) (u User, known bool, err error) {
	err = e.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		u, known, err = e.resolver.User(ctx, r.job.Target, needState)
		return err
	})
	return u, known, err
}

// write sends the change with retries and marks the row succeeded. The
// row's generated passwords and its intent are recorded once the write has
// its slot in the request budget and is about to leave (however long the
// row waited for that slot), and before it leaves: a row that never sent
// its write leaves no password in the secrets output, and a row that sent
// it can always be found again and settled.
func (e *Executor) write(ctx context.Context, r *row, send func(context.Context) error) error {
	var notSent error
	leaving := false
	sendCtx := client.WithBeforeSend(ctx, func() error {
		leaving = true
		notSent = e.beforeSend(ctx, r)
		return notSent
	})
	r.res.Attempts = 0 // attempts count the write, not the reads before it
	err := e.retry(sendCtx, r.res, send)
	if notSent != nil {
		r.res.Attempts = 0 // nothing was sent
		return notSent
	}
	if err != nil && !leaving && ctx.Err() != nil {
		// Stopped while the write waited for its budget slot (or a
		// server's pause): it never left, so the row was not run.
		r.res.Attempts = 0
		return failf(CodeCancelled, "not sent: the run stopped while the row waited to send it: %v", context.Cause(ctx))
	}
	if err != nil {
		return err
	}
	r.res.Status = report.StatusSucceeded
	return nil
}

// beforeSend records what must be durable before the row's write leaves:
// its generated passwords, then its intent.
func (e *Executor) beforeSend(ctx context.Context, r *row) error {
	for _, g := range r.generated {
		if err := e.opts.Secrets.Record(ctx, r.job, g.field, g.value); err != nil {
			return failf(CodeSecret, "%s: record generated password: %v", g.field, err)
		}
	}
	r.generated = nil
	return e.journalIntent(r)
}

// journalIntent durably records what the row is about to send, where a
// resumed run needs it: the passwords it sends (to re-send the same ones)
// and the state read before a change-password (to settle it). A row with
// neither is an idempotent change that a resumed run simply sends again,
// so it costs no disk sync.
func (e *Executor) journalIntent(r *row) error {
	if e.opts.Journal == nil || (len(r.sealed) == 0 && !r.beforeKnown) {
		return nil
	}
	in := journal.Intent{Row: r.job.Row, Sealed: r.sealed, Before: r.before, NeverModified: r.beforeKnown && r.before.IsZero()}
	if err := e.opts.Journal.Intent(in); err != nil {
		return failf(CodeJournal, "nothing was sent: %v", err)
	}
	return nil
}

// retry runs fn under the retry policy, counting attempts and 429
// answers on res.
func (e *Executor) retry(ctx context.Context, res *report.Result, fn func(context.Context) error) error {
	n, err := worker.Retry(ctx, e.opts.Retry, func(ctx context.Context, _ int) error {
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

// secretFor resolves a secret reference at the last moment. A generated
// password is kept on the row to be recorded right before the write that
// sends it (see write), so it is never sent unless it can be found again;
// with a journal, every password the row sends is sealed into its intent,
// and a resumed row re-sends the sealed value.
func (e *Executor) secretFor(ctx context.Context, r *row, field string, ref *manifest.SecretRef) (secret.Value, error) {
	if ref == nil {
		return secret.Value{}, failf(CodeSecret, "%s is missing", field)
	}
	if sealed, ok := priorSealed(r.prior, field); ok {
		sealer := e.opts.Journal.Sealer()
		if sealer == nil {
			return secret.Value{}, failf(CodeOutcomeUnknown, "%s: the interrupted run's key (run.key) is gone, so the password it may have set cannot be re-sent; check this account", field)
		}
		v, err := sealer.Open(sealed)
		if err != nil {
			return secret.Value{}, failf(CodeOutcomeUnknown, "%s: open the interrupted run's sealed password: %v; check this account", field, err)
		}
		r.keepSealed(field, sealed)
		return v, nil
	}
	v, err := ref.Resolve(ctx, e.opts.LookupEnv)
	if err != nil {
		return secret.Value{}, failf(CodeSecret, "%s: %v", field, err)
	}
	if ref.Kind == manifest.SecretGenerate {
		if e.opts.Secrets == nil {
			return secret.Value{}, failf(CodeSecret, "%s: generated passwords need a secrets output (--secrets-out)", field)
		}
		r.generated = append(r.generated, generatedSecret{field: field, value: v})
	}
	if e.opts.Journal != nil && e.opts.Journal.Sealer() != nil {
		sealed, err := e.opts.Journal.Sealer().Seal(v)
		if err != nil {
			return secret.Value{}, failf(CodeJournal, "%s: %v", field, err)
		}
		r.keepSealed(field, sealed)
	}
	return v, nil
}

func priorSealed(prior *journal.Intent, field string) (string, bool) {
	if prior == nil {
		return "", false
	}
	v, ok := prior.Sealed[field]
	return v, ok
}

func (r *row) keepSealed(field, sealed string) {
	if r.sealed == nil {
		r.sealed = make(map[string]string, 2)
	}
	r.sealed[field] = sealed
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

func isWrongPassword(err error) bool {
	f := asFailure(err)
	return f != nil && f.Code() == "wrong_password"
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
