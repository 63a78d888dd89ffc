package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// applier executes rows by writing them: the reading side, and the Writer.
type applier struct {
	reading
	writer Writer
	fresh  freshness
	// halted is why the run must stop (see halt), nil while it may go on.
	halted atomic.Pointer[error]
	mode   runMode // modeApply or modeApplyChanged
	opts   Options
	// bulkLimit is the most ids one bulk request may carry, once a server
	// refused a larger one saying so (0: not known).
	bulkLimit atomic.Int64
}

func (a *applier) do(ctx context.Context, r *row) error {
	l, err := a.look(ctx, r)
	if err != nil {
		return err
	}
	if settled(r, l) {
		return nil
	}
	if ensures(r.job.Op) && len(l.changes) == 0 {
		r.res.Status = report.StatusUnchanged // an ensure writes only a difference
		return nil
	}
	if !decide(a.mode, r.res, l.changes) {
		return nil
	}
	if err := a.recordUndo(r, l); err != nil {
		return err
	}
	if l.create {
		return a.create(ctx, r, l)
	}
	switch r.job.Op {
	case manifest.OpDeleteUser, manifest.OpDeleteRobotAccount, manifest.OpDeleteGroup:
		return a.deleteOne(ctx, r, l)
	case manifest.OpEnsureRobotAccount:
		return a.updateRobot(ctx, r, l)
	case manifest.OpChangePassword:
		return a.changePassword(ctx, r, l.user)
	case manifest.OpUpdateRobotAccount:
		return a.updateRobot(ctx, r, l)
	case manifest.OpSetRobotCredentials:
		return a.setRobotCredentials(ctx, r, l.orch)
	}
	if accessOp(r.job.Op) {
		return a.writeAccessRow(ctx, r, l)
	}
	if r.job.Op == manifest.OpSetCredentialAsset {
		return a.setAsset(ctx, r, l)
	}
	return a.updateUser(ctx, r, l)
}

func (a *applier) updateUser(ctx context.Context, r *row, l look) error {
	job := l.job
	r.account = userAccount(l.user)
	upd := UserUpdate{
		Name: job.Name, Surname: job.Surname, DisplayName: job.DisplayName,
		IsActive: job.IsActive, BypassBasicAuthRestriction: job.BypassBasicAuthRestriction,
		Invitation: job.InvitationAccepted, GroupIDsToAdd: job.GroupsToAdd, GroupIDsToRemove: job.GroupsToRemove,
	}
	if job.NewPassword != nil {
		var err error
		if upd.Password, err = a.secretFor(ctx, r, "new_password", job.NewPassword); err != nil {
			return err
		}
	}
	// A PUT is idempotent: a resumed row whose write may have landed is
	// simply sent again, with the same (sealed) password.
	return a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
		return a.writer.UpdateUser(ctx, l.user.ID, upd, before)
	})
}

func (a *applier) updateRobot(ctx context.Context, r *row, l look) error {
	upd := RobotUpdate{DisplayName: l.job.DisplayName, GroupIDsToAdd: l.job.GroupsToAdd, GroupIDsToRemove: l.job.GroupsToRemove}
	if upd.DisplayName != nil || !l.robotKnown {
		return a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return a.writer.UpdateRobot(ctx, l.robot.ID, upd, before)
		})
	}
	// The PUT carries the current display name (what it does without one
	// is undocumented): the one already read saves a GET per row from
	// Identity's GET budget while it is fresh (see freshRobot).
	rb := l.robot
	r.verify = func(ctx context.Context) error {
		return a.retry(ctx, nil, func(ctx context.Context) error { return a.freshRobot(ctx, &rb) })
	}
	defer func() { r.verify = nil }()
	for try := 1; ; try++ {
		current := rb.DisplayName
		upd.DisplayName = &current
		err := a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return a.writer.UpdateRobot(ctx, rb.ID, upd, before)
		})
		if !errors.Is(err, errStale) || try >= staleTries {
			return keptChanging(err)
		}
	}
}

func (a *applier) setRobotCredentials(ctx context.Context, r *row, o OrchestratorUser) error {
	account := "" // keep the robot's account, as read right before the PATCH
	if r.job.RobotUsername != nil {
		account = *r.job.RobotUsername
	}
	pw, err := a.secretFor(ctx, r, "new_password", r.job.NewPassword)
	if err != nil {
		return err
	}
	if n := len([]rune(pw.Reveal())); n > manifest.RobotPasswordMax {
		r.generated = nil
		return failf(report.CodeValidation, "new_password has %d characters: Orchestrator keeps unattended robot passwords of at most %d (nothing was sent)", n, manifest.RobotPasswordMax)
	}
	// The PATCH carries the robot's settings whole, as read: they are
	// read again when too old (see freshOrchestratorUser), and a robot
	// whose sign-in changed meanwhile is checked again. It carries the
	// whole credential too, so re-sending it after an interruption sets
	// the same value again.
	r.verify = func(ctx context.Context) error {
		err := a.retry(ctx, nil, func(ctx context.Context) error { return a.freshOrchestratorUser(ctx, &o) })
		if errors.Is(err, errStale) {
			if cerr := a.settable(ctx, o); cerr != nil {
				return cerr
			}
		}
		return err
	}
	defer func() { r.verify = nil }()
	for try := 1; ; try++ {
		sent := o
		r.account = robotAccount(sent, account)
		err := a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return a.writer.SetRobotCredentials(ctx, sent, account, pw, before)
		})
		if !errors.Is(err, errStale) || try >= staleTries {
			return keptChanging(err)
		}
	}
}

// robotAccount names, for the secrets output, the Windows account a robot
// signs in as (windows, the row's, or the robot's as sent) and its
// Orchestrator user.
func robotAccount(o OrchestratorUser, windows string) string {
	if windows == "" {
		windows = o.RobotUserName
	}
	return fmt.Sprintf("%s (Orchestrator user %s)", windows, o.UserName)
}

// userAccount names a user for the secrets output: email and user name.
func userAccount(u User) string {
	switch {
	case u.Email == "":
		return u.UserName
	case u.UserName == "" || strings.EqualFold(u.UserName, u.Email):
		return u.Email
	}
	return u.Email + " (" + u.UserName + ")"
}

func (a *applier) changePassword(ctx context.Context, r *row, u User) error {
	r.account = userAccount(u)
	oldPw, err := a.secretFor(ctx, r, "old_password", r.job.OldPassword)
	if err != nil {
		return err
	}
	newPw, err := a.secretFor(ctx, r, "new_password", r.job.NewPassword)
	if err != nil {
		return err
	}
	send := func(ctx context.Context, before BeforeSend) error {
		return a.writer.ChangePassword(ctx, u.ID, oldPw, newPw, before)
	}
	if r.prior != nil && r.prior.BeforeKnown() {
		// An interrupted run may have sent this request: settle it
		// against the state read before that send (a user never modified
		// then included), never resend blindly.
		before := u
		before.LastModified = r.prior.Before
		r.before, r.beforeKnown = r.prior.Before, true
		if err := a.beforeSend(ctx, r); err != nil {
			return err
		}
		return a.settleChangePassword(ctx, r.res, before, send, errors.New("a previous run was interrupted while sending this change"))
	}
	// A zero LastModified is a user never modified: a known state too.
	r.before, r.beforeKnown = u.LastModified, true
	err = a.write(ctx, r, send)
	switch {
	case worker.IsOutcomeUnknown(err):
		return a.settleChangePassword(ctx, r.res, u, send, err)
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
		return a.checkRefusal(ctx, r.res, u, err)
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
func (a *applier) settleChangePassword(ctx context.Context, res *report.Result, before User, send sendFunc, lost error) error {
	for {
		changed, err := a.changedSince(ctx, before)
		if err != nil {
			return outcomeUnknown(lost)
		}
		if changed {
			res.Status = report.StatusSucceeded
			return nil
		}
		if res.Attempts >= max(a.opts.Retry.MaxAttempts, 1) {
			return outcomeUnknown(lost)
		}
		err = a.retry(ctx, res, resend(send))
		if err == nil {
			res.Status = report.StatusSucceeded
			return nil
		}
		if isWrongPassword(err) {
			return a.checkRefusal(ctx, res, before, err)
		}
		if !worker.IsOutcomeUnknown(err) {
			return err
		}
		lost = err
	}
}

// checkRefusal settles a change-password refused for a wrong old password
// after a send whose outcome was not known: the refusal is the row's result
// only if a re-read shows the change did not land since before (it is our
// own change otherwise); without that re-read the outcome stays unknown.
func (a *applier) checkRefusal(ctx context.Context, res *report.Result, before User, refused error) error {
	changed, err := a.changedSince(ctx, before)
	switch {
	case err != nil:
		return outcomeUnknown(refused)
	case changed:
		res.Status = report.StatusSucceeded
		return nil
	}
	return refused
}

// sendFunc sends a row's write through the Writer, with before as the
// write's before-send hook (nil: none).
type sendFunc func(ctx context.Context, before BeforeSend) error

// resend is send without a before-send hook: a write sent again after its
// hook ran (settling a lost answer), or whose hook the caller ran itself.
func resend(send sendFunc) func(context.Context) error {
	return func(ctx context.Context) error { return send(ctx, nil) }
}

// write sends the change with retries and marks the row succeeded. The
// row's generated passwords and its intent are recorded once the write has
// its slot in the request budget and is about to leave (however long the
// row waited for that slot), and before it leaves: the write's before-send
// hook, run once whatever the attempts. A row that never sent its write
// leaves no password in the secrets output, and a row that sent it can
// always be found again and settled.
func (a *applier) write(ctx context.Context, r *row, send sendFunc) error {
	var notSent error
	leaving := false
	hook := &sendHook{fn: func() error {
		leaving = true
		if r.verify != nil {
			if notSent = r.verify(ctx); notSent != nil {
				return notSent
			}
		}
		notSent = a.beforeSend(ctx, r)
		return notSent
	}}
	r.res.Attempts = 0 // attempts count the write, not the reads before it
	err := a.retry(ctx, r.res, func(ctx context.Context) error { return send(ctx, hook.run) })
	if notSent != nil {
		r.res.Attempts = 0 // nothing was sent
		return notSent
	}
	if err != nil && !leaving && (ctx.Err() != nil || errors.Is(err, worker.ErrStopping)) {
		// Stopped while the write waited for its budget slot (or a
		// server's pause): it never left, so the row was not run.
		r.res.Attempts = 0
		return failf(report.CodeCancelled, "not sent: the run stopped while the row waited to send it: %v", stopCause(ctx, err))
	}
	if err != nil {
		return err
	}
	r.res.Status = report.StatusSucceeded
	return nil
}

// stopCause is why a row stopped before it was sent: the run's context's
// cause, or the limiter's stop.
func stopCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return worker.ErrStopping
}

// sendHook is a write's before-send hook: given to every attempt of the
// write (see BeforeSend), it runs once, however many requests and attempts
// the write takes, and keeps its answer.
type sendHook struct {
	once sync.Once
	fn   func() error
	err  error
}

// run runs the hook, once, and returns its error.
func (h *sendHook) run() error {
	h.once.Do(func() { h.err = h.fn() })
	return h.err
}

// beforeSend records what must be durable before the row's write leaves:
// its generated passwords, then its intent.
func (a *applier) beforeSend(ctx context.Context, r *row) error {
	for _, g := range r.generated {
		if err := a.opts.Secrets.Record(ctx, r.job, g.field, r.account, g.value); err != nil {
			return failf(report.CodeSecret, "%s: record generated password: %v", g.field, err)
		}
		r.recorded = append(r.recorded, g.field)
	}
	r.generated = nil
	return a.journalIntent(r)
}

// journalIntent durably records what the row is about to send, where a
// resumed run needs it: the passwords it sends (to re-send the same ones)
// and the state read before a change-password (to settle it). A row with
// neither is an idempotent change that a resumed run simply sends again,
// so it costs no disk sync.
func (a *applier) journalIntent(r *row) error {
	if a.opts.Journal == nil || (len(r.sealed) == 0 && !r.beforeKnown && r.sent == "" && r.undo == nil) {
		return nil
	}
	in := a.intent(r)
	record := a.opts.Journal.Intent
	if len(r.sealed) == 0 && !r.beforeKnown {
		// Only what a resumed run settles by reading, and what undoes the
		// row: a killed process keeps it without a sync per row.
		record = func(in journal.Intent) error { return a.opts.Journal.Note(in) }
	}
	if err := record(in); err != nil {
		return failf(report.CodeJournal, "nothing was sent: %v", err)
	}
	return nil
}

// intent is what the journal records of r before its write leaves.
func (a *applier) intent(r *row) journal.Intent {
	return journal.Intent{Row: r.job.Row, Sealed: r.sealed, Before: r.before, NeverModified: r.beforeKnown && r.before.IsZero(),
		Write: r.sent, CreatedID: r.createdID, Undo: r.undo}
}

// secretFor resolves a secret reference at the last moment. A generated
// password is kept on the row to be recorded right before the write that
// sends it (see write), so it is never sent unless it can be found again;
// with a journal, every password the row sends is sealed into its intent,
// and a resumed row re-sends the sealed value.
func (a *applier) secretFor(ctx context.Context, r *row, field string, ref *manifest.SecretRef) (secret.Value, error) {
	if ref == nil {
		return secret.Value{}, failf(report.CodeSecret, "%s is missing", field)
	}
	if sealed, ok := priorSealed(r.prior, field); ok {
		sealer := a.opts.Journal.Sealer()
		if sealer == nil {
			return secret.Value{}, failf(report.CodeOutcomeUnknown, "%s: the interrupted run's key (run.key) is gone, so the password it may have set cannot be re-sent; check this account", field)
		}
		v, err := sealer.Open(sealed)
		if err != nil {
			return secret.Value{}, failf(report.CodeOutcomeUnknown, "%s: open the interrupted run's sealed password: %v; check this account", field, err)
		}
		r.keepSealed(field, sealed)
		return v, nil
	}
	v, err := ref.Resolve(ctx, a.opts.LookupEnv)
	if err != nil {
		return secret.Value{}, failf(report.CodeSecret, "%s: %v", field, err)
	}
	if ref.Kind == manifest.SecretGenerate {
		if a.opts.Secrets == nil {
			return secret.Value{}, failf(report.CodeSecret, "%s: generated passwords need a secrets output (--secrets-out)", field)
		}
		r.generated = append(r.generated, generatedSecret{field: field, value: v})
	}
	if a.opts.Journal != nil && a.opts.Journal.Sealer() != nil {
		sealed, err := a.opts.Journal.Sealer().Seal(v)
		if err != nil {
			return secret.Value{}, failf(report.CodeJournal, "%s: %v", field, err)
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
