package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// runMode is what a run does with each row: the executor's, chosen by
// the constructor (NewPlanner, NewApplier).
type runMode int

const (
	// modePlan reads, reports the difference and writes nothing.
	modePlan runMode = iota
	// modeApply writes every row.
	modeApply
	// modeApplyChanged reads first and writes only rows with a difference
	// (apply --skip-unchanged).
	modeApplyChanged
)

// readsEveryState reports whether the mode reads every target's current
// state, even where a row does not need it to be written: plans and
// --skip-unchanged compare against it.
func (m runMode) readsEveryState() bool { return m != modeApply }

// SecretRecorder keeps a generated password before it is sent, so that a
// password changed on the server can always be found again. An error stops
// the row before anything is sent.
type SecretRecorder interface {
	// account names the account the password is for, for a person who
	// sets it elsewhere too (a robot's Windows account, a user's email).
	Record(ctx context.Context, job *manifest.Job, field, account string, value secret.Value) error
	// NotSet records, after Record, that the password was not set, or
	// with maybeSet that it may not have been (the answer was lost), and
	// why: the password recorded must not pass for the one in effect.
	NotSet(ctx context.Context, job *manifest.Job, field, reason string, maybeSet bool) error
}

// Options configure an Executor.
type Options struct {
	Retry     worker.RetryPolicy
	LookupEnv func(string) (string, bool)
	// Secrets records generated passwords; rows with generated passwords
	// fail without it.
	Secrets SecretRecorder
	// MaxStaleness is how old the state a whole-object write sends back
	// (a robot's settings, a group's name, a robot account's display
	// name) may be when the write leaves: older state is read again, and
	// the write is rebuilt from it if it changed. Zero reads it again
	// right before every such write.
	MaxStaleness time.Duration
	// Journal, when set, durably records each row's intent (with its
	// passwords sealed, and what undoes its change) before the row's
	// write is sent; rows whose change can be put back then read their
	// account's state first.
	Journal *journal.Journal
}

// Task is one row to execute: the manifest job and, for a resumed run, the
// intent the interrupted run recorded for it (its write may or may not
// have reached the server).
type Task struct {
	Job   manifest.Job
	Prior *journal.Intent
}

// row is the state of one task while it executes; only the goroutine
// executing the task touches it.
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
	// once its write is about to leave (see applier.write).
	generated []generatedSecret
	// verify, when set, runs right before the row's write leaves (its
	// budget slot held): an error, errStale included, keeps it from
	// leaving (see fresh.go).
	verify func(ctx context.Context) error
	// account names the account the row's passwords are for (see
	// SecretRecorder.Record).
	account string
	// recorded are the fields whose passwords were recorded in the
	// secrets output (see recordNotSet).
	recorded []string
	// createdID is the id a create sends (see journal.Intent.CreatedID).
	createdID string
	// sent is what the row sends besides its op's usual change (sentCreate,
	// …), for its journal intent.
	sent string
	// undo is what puts the row's change back (see package undo), for its
	// journal intent.
	undo []byte
}

// generatedSecret is a generated password waiting to be recorded.
type generatedSecret struct {
	field string
	value secret.Value
}

// Executor runs one manifest row at a time (safe for concurrent use): a
// planner, which holds a Reader only, or an applier, which writes.
type Executor struct {
	mode runMode
	undo bool // the state before undoable writes is read (see Options.Journal)
	rows interface {
		do(ctx context.Context, r *row) error
	}
}

// NewPlanner returns an executor that can only read: it holds r as a
// Reader, and nothing that writes.
func NewPlanner(r Reader, rs *Resolver, opts Options) *Executor {
	return &Executor{mode: modePlan, rows: &planner{reading: newReading(r, rs, opts.Retry, modePlan)}}
}

// NewApplier returns an executor that writes; with onlyChanged it reads
// first and skips rows whose desired state already holds.
func NewApplier(w Writer, rs *Resolver, onlyChanged bool, opts Options) *Executor {
	mode := modeApply
	if onlyChanged {
		mode = modeApplyChanged
	}
	rd := newReading(w, rs, opts.Retry, mode)
	rd.undo = opts.Journal != nil
	return &Executor{mode: mode, undo: rd.undo, rows: &applier{reading: rd, writer: w, mode: mode, opts: opts}}
}

// Writes reports whether the executor writes: an applier does, a planner
// holds nothing that can.
func (e *Executor) Writes() bool { return e.mode != modePlan }

// Needs says which reads a row of this op costs in this mode, for
// Resolver.Prepare.
func (e *Executor) Needs(job *manifest.Job, n *Needs) {
	readsState := e.mode.readsEveryState() || ReadsState(job)
	forUndo := !readsState && e.undo && undoable(job.Op) // read only to record its undo
	if job.Groups != nil || len(job.GroupsToAdd)+len(job.GroupsToRemove) > 0 || groupAccess(job) {
		n.Groups++
	}
	switch job.Op {
	case manifest.OpUpdateUser, manifest.OpSetPassword, manifest.OpDeleteUser:
		switch {
		case job.Target.Kind != manifest.TargetUserID:
			n.UserLookups++
		case readsState:
			n.UserStates++
		case forUndo:
			n.UndoUsers++
		}
	case manifest.OpChangePassword:
		// Its outcome is checked against lastModificationTime.
		if job.Target.Kind == manifest.TargetUserID {
			n.UserStates++
		} else {
			n.UserLookups++
		}
	case manifest.OpUpdateRobotAccount, manifest.OpDeleteRobotAccount:
		switch {
		case job.Target.Kind != manifest.TargetRobotAccountID:
			n.RobotLookups++
		case readsState:
			n.RobotStates++
		case forUndo:
			n.UndoRobots++
		}
	case manifest.OpSetRobotCredentials, manifest.OpUpdateUnattendedRobot:
		n.OrchestratorLookups++ // the PATCH sends back the robot as read
	case manifest.OpSetFolderAccess, manifest.OpRemoveFolderAccess, manifest.OpSetTenantRoles:
		// An account Orchestrator does not list yet is found in the
		// organization: by the whole list, read when the first such row
		// needs it, when many rows may.
		switch job.Target.Kind {
		case manifest.TargetEmail, manifest.TargetUsername:
			n.DirectoryUsers++
		case manifest.TargetRobotName:
			n.DirectoryRobots++
		}
	case manifest.OpEnsureUser:
		n.UserLookups++
	case manifest.OpEnsureRobotAccount:
		n.RobotLookups++
	case manifest.OpEnsureGroup:
		n.Groups++
	case manifest.OpDeleteGroup:
		n.Groups++
		if e.undo {
			n.Members++ // its members are recorded, to put them back
		}
	}
}

// ReadsState reports whether a row reads its account's state in every mode:
// an exact group set is a difference from the current membership, an
// expected email or user name is checked against the account, and a
// membership-only change goes out per group as the difference it makes.
func ReadsState(job *manifest.Job) bool {
	return job.Groups != nil || job.ExpectEmail != "" || job.ExpectUserName != "" || membershipOnly(job)
}

// Do executes one row and reports what became of it. It never returns an
// error: a row's failure is its result.
func (e *Executor) Do(ctx context.Context, t *Task) report.Result {
	start := time.Now()
	job := &t.Job
	res := report.Result{Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String()}
	r := &row{job: job, res: &res, prior: t.Prior}
	err := e.rows.do(ctx, r)
	res.Duration = time.Since(start)
	if err != nil {
		setFailure(ctx, &res, err, e.mode != modePlan && res.Attempts > 0)
	}
	if a, ok := e.rows.(*applier); ok {
		a.recordNotSet(ctx, r)
	}
	return res
}

// recordNotSet follows the passwords a row recorded in the secrets output
// with a line saying they were not set (or may not have been), when the
// row did not succeed: a refused or unsent password never stands as the
// one in effect. A failure to write it is added to the row's message.
func (a *applier) recordNotSet(ctx context.Context, r *row) {
	if len(r.recorded) == 0 || r.res.Status == report.StatusSucceeded || a.opts.Secrets == nil {
		return
	}
	maybe := r.res.ErrorCode == report.CodeOutcomeUnknown
	reason := r.res.ErrorMessage
	if reason == "" {
		reason = string(r.res.Status)
	}
	for _, field := range r.recorded {
		if err := a.opts.Secrets.NotSet(context.WithoutCancel(ctx), r.job, field, reason, maybe); err != nil {
			r.res.ErrorMessage += fmt.Sprintf(" (and the secrets output could not say that %s was not set: %v)", field, err)
		}
	}
}

// decide sets the status of a row whose changes are known and says whether
// mode writes it: a plan never does; an apply does when there is a
// change. A row whose target's state was read and already holds what the
// row asks is unchanged and sends nothing (re-applying a manifest sends
// nothing twice); a row whose state was not read lists every field it
// sets as a change, so it is sent.
func decide(mode runMode, res *report.Result, changes []report.Change) (write bool) {
	res.Changes = changes
	switch {
	case mode == modePlan && len(changes) == 0:
		res.Status = report.StatusUnchanged
	case mode == modePlan:
		res.Status = report.StatusPlanned
	case len(changes) == 0:
		res.Status = report.StatusUnchanged
	default:
		return true
	}
	return false
}

// setFailure fills a failed row from err. wrote says whether a write may
// have reached the server: if the run was cancelled under it, its outcome
// is unknown rather than failed.
func setFailure(ctx context.Context, res *report.Result, err error, wrote bool) {
	res.Status = report.StatusFailed
	res.ErrorMessage = err.Error()
	code := report.CodeNetwork
	f := asFailure(err)
	switch {
	case errors.Is(err, worker.ErrStopping) && (f == nil || f.Code() == report.CodeNetwork):
		// A read or write the stopping run's limiter let not start.
		code = report.CodeCancelled
	case f != nil:
		code = f.Code()
		res.HTTPStatus = f.HTTPStatus()
		res.ValidationErrors = f.FieldErrors()
		res.TraceID = f.TraceID()
	case ctx.Err() != nil && wrote:
		code = report.CodeOutcomeUnknown
	case ctx.Err() != nil:
		code = report.CodeCancelled
	}
	if worker.IsOutcomeUnknown(err) {
		code = report.CodeOutcomeUnknown
	}
	res.ErrorCode = code
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
	return f != nil && f.Code() == report.CodeWrongPassword
}

// outcomeUnknown marks err as a request whose effect could not be
// established: a person must look at that account.
func outcomeUnknown(err error) error {
	f := failf(report.CodeOutcomeUnknown, "the request was sent but its outcome could not be established (check this account): %v", err)
	if inner := asFailure(err); inner != nil {
		f.status, f.trace = inner.HTTPStatus(), inner.TraceID()
	}
	return f
}
