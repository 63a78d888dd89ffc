package apply

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

const (
	oldPw = "Old-pass-0001!"
	newPw = "New-pass-0002!"
)

// changeRow is a change_password row for the user with that user name.
func changeRow(userName string) *Task {
	return &Task{Job: manifest.Job{
		Row: 1, Op: manifest.OpChangePassword,
		Target:      manifest.Target{Kind: manifest.TargetUsername, Value: userName},
		OldPassword: envRef("OLD"), NewPassword: envRef("NEW"),
	}}
}

// newChangeFixture is an organization with one user, never modified or
// modified once, whose password is oldPw, and an applier for it.
func newChangeFixture(t *testing.T, neverModified bool, attempts int) (*fake, *Executor) {
	t.Helper()
	f := newFake()
	u := User{ID: "u1", UserName: "ann", Email: "ann@example.com"}
	if !neverModified {
		u.LastModified = time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	}
	f.addUser(u, oldPw)
	exec := NewApplier(f, NewResolver(f, noWait(attempts)), false, Options{Retry: noWait(attempts), LookupEnv: env("OLD", oldPw, "NEW", newPw)})
	return f, exec
}

func expect(t *testing.T, res report.Result, status report.Status, code report.Code) {
	t.Helper()
	if res.Status != status || res.ErrorCode != code {
		t.Fatalf("row: %s %q (%s), want %s %q", res.Status, res.ErrorCode, res.ErrorMessage, status, code)
	}
}

// A change-password whose answer was lost is settled by re-reading the
// user, never modified before or modified: a change that landed is a
// success without a second request; one that did not land is sent once
// more (the old password guards it) and lands once.
func TestChangePasswordLostAnswerIsSettled(t *testing.T) {
	for _, tc := range []struct {
		name          string
		neverModified bool
		landed        bool
		wantSends     int
	}{
		{"never modified, landed", true, true, 1},
		{"never modified, not landed", true, false, 2},
		{"modified, landed", false, true, 1},
		{"modified, not landed", false, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, exec := newChangeFixture(t, tc.neverModified, 5)
			f.then("ChangePassword", step{drop: !tc.landed, err: errLost})
			res := exec.Do(context.Background(), changeRow("ann"))
			expect(t, res, report.StatusSucceeded, "")
			if n := f.count("ChangePassword"); n != tc.wantSends {
				t.Errorf("%d change-password requests, want %d", n, tc.wantSends)
			}
			if n := f.landedCount("ChangePassword"); n != 1 {
				t.Errorf("the change landed %d times, want once", n)
			}
			if got := f.passwords["u1"]; got != newPw {
				t.Error("the user does not hold the new password")
			}
			if n := f.count("GetUser"); n != 1 {
				t.Errorf("%d re-reads of the user, want 1", n) // the resolve was a FindUser
			}
			assertNoSecret(t, res, oldPw, newPw)
		})
	}
}

// Answers lost again and again, the change never landing: the row sends
// at most its attempts and then says its outcome is unknown.
func TestChangePasswordLostAnswersRunOutOfAttempts(t *testing.T) {
	f, exec := newChangeFixture(t, true, 3)
	f.then("ChangePassword", step{drop: true, err: errLost}, step{drop: true, err: errLost}, step{drop: true, err: errLost}, step{drop: true, err: errLost})
	res := exec.Do(context.Background(), changeRow("ann"))
	expect(t, res, report.StatusFailed, report.CodeOutcomeUnknown)
	if n := f.count("ChangePassword"); n != 3 {
		t.Errorf("%d sends, want 3 (the row's attempts)", n)
	}
	if res.Attempts != 3 {
		t.Errorf("attempts %d, want 3", res.Attempts)
	}
	assertNoSecret(t, res, oldPw, newPw)
}

// The re-read that would settle a lost answer fails: the outcome stays
// unknown, and nothing is sent again.
func TestChangePasswordUnsettledWhenTheReReadFails(t *testing.T) {
	f, exec := newChangeFixture(t, false, 5)
	f.then("ChangePassword", step{err: errLost})
	f.then("GetUser", step{err: errFakeNotFound})
	res := exec.Do(context.Background(), changeRow("ann"))
	expect(t, res, report.StatusFailed, report.CodeOutcomeUnknown)
	if n := f.count("ChangePassword"); n != 1 {
		t.Errorf("%d sends, want 1", n)
	}
}

// A wrong old password answered after a retried send (the first attempt
// met a gateway error, which may have passed the change on) is a verdict
// only if a re-read shows the change did not land.
func TestWrongPasswordAfterARetriedSend(t *testing.T) {
	t.Run("the first attempt landed", func(t *testing.T) {
		f, exec := newChangeFixture(t, true, 5)
		f.then("ChangePassword", step{err: errGateway}) // landed, answer 502
		res := exec.Do(context.Background(), changeRow("ann"))
		expect(t, res, report.StatusSucceeded, "")
		if n := f.landedCount("ChangePassword"); n != 1 || res.Attempts != 2 {
			t.Errorf("landed %d times in %d attempts, want once in 2", n, res.Attempts)
		}
		assertNoSecret(t, res, oldPw, newPw)
	})
	t.Run("nothing landed", func(t *testing.T) {
		f, exec := newChangeFixture(t, true, 5)
		f.passwords["u1"] = "someone-else's"
		f.then("ChangePassword", step{drop: true, err: errGateway})
		res := exec.Do(context.Background(), changeRow("ann"))
		expect(t, res, report.StatusFailed, report.CodeWrongPassword)
		if n := f.count("GetUser"); n != 1 {
			t.Errorf("%d re-reads, want 1", n)
		}
		assertNoSecret(t, res, oldPw, newPw)
	})
	t.Run("refused at the first attempt", func(t *testing.T) {
		f, exec := newChangeFixture(t, true, 5)
		f.passwords["u1"] = "someone-else's"
		res := exec.Do(context.Background(), changeRow("ann"))
		expect(t, res, report.StatusFailed, report.CodeWrongPassword)
		if n := f.count("GetUser"); n != 0 {
			t.Errorf("%d re-reads after a plain refusal, want 0", n)
		}
		if res.HTTPStatus != http.StatusBadRequest || len(res.ValidationErrors["oldPassword"]) != 1 {
			t.Errorf("the server's answer is not in the row: %+v", res)
		}
	})
}

// A resumed change-password is settled against the state its interrupted
// run recorded before sending, never re-sent blindly.
func TestResumedChangePasswordIsSettledAgainstTheRecordedState(t *testing.T) {
	before := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	t.Run("landed since", func(t *testing.T) {
		f, exec := newChangeFixture(t, false, 5)
		f.users[0].LastModified = before.Add(time.Minute)
		f.passwords["u1"] = newPw
		task := changeRow("ann")
		task.Prior = &journal.Intent{Row: 1, Before: before}
		res := exec.Do(context.Background(), task)
		expect(t, res, report.StatusSucceeded, "")
		if n := f.count("ChangePassword"); n != 0 {
			t.Errorf("%d sends, want 0", n)
		}
	})
	t.Run("never modified, not landed", func(t *testing.T) {
		f, exec := newChangeFixture(t, true, 5)
		task := changeRow("ann")
		task.Prior = &journal.Intent{Row: 1, NeverModified: true}
		res := exec.Do(context.Background(), task)
		expect(t, res, report.StatusSucceeded, "")
		if n := f.landedCount("ChangePassword"); n != 1 {
			t.Errorf("landed %d times, want once", n)
		}
	})
	t.Run("no recorded state, old password refused", func(t *testing.T) {
		f, exec := newChangeFixture(t, true, 5)
		f.passwords["u1"] = newPw // perhaps our own change
		task := changeRow("ann")
		task.Prior = &journal.Intent{Row: 1}
		res := exec.Do(context.Background(), task)
		expect(t, res, report.StatusFailed, report.CodeOutcomeUnknown)
	})
}

// userRow is an update_user row by id that sets the name.
func userRow(row int, id, name string) *Task {
	return &Task{Job: manifest.Job{Row: row, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetUserID, Value: id}, Name: ptr(name)}}
}

// Each mode decides what to do with a row whose changes are known: a plan
// reports them and writes nothing (it is given a Writer here, and still
// does not write), apply writes every row without reading its state, and
// apply --skip-unchanged reads and writes only the rows with a change.
func TestTheDecisionPerMode(t *testing.T) {
	type want struct {
		changed, same report.Status
		writes, reads int
		oldName       string
	}
	for _, tc := range []struct {
		mode runMode
		want want
	}{
		{modePlan, want{report.StatusPlanned, report.StatusUnchanged, 0, 2, `"Ann"`}},
		{modeApply, want{report.StatusSucceeded, report.StatusSucceeded, 2, 0, "?"}},
		{modeApplyChanged, want{report.StatusSucceeded, report.StatusUnchanged, 1, 2, `"Ann"`}},
	} {
		t.Run([]string{"plan", "apply", "apply changed"}[tc.mode], func(t *testing.T) {
			f := newFake()
			f.addUser(User{ID: "u1", Name: "Ann"}, "")
			f.addUser(User{ID: "u2", Name: "Bo"}, "")
			rs := NewResolver(f, noWait(1))
			opts := Options{Retry: noWait(1)}
			exec := NewPlanner(f, rs, opts)
			if tc.mode != modePlan {
				exec = NewApplier(f, rs, tc.mode == modeApplyChanged, opts)
			}
			changed := exec.Do(context.Background(), userRow(1, "u1", "Anna"))
			same := exec.Do(context.Background(), userRow(2, "u2", "Bo"))
			if changed.Status != tc.want.changed || same.Status != tc.want.same {
				t.Errorf("changed row %s, unchanged row %s; want %s, %s", changed.Status, same.Status, tc.want.changed, tc.want.same)
			}
			if n := f.count("UpdateUser"); n != tc.want.writes {
				t.Errorf("%d writes, want %d", n, tc.want.writes)
			}
			if n := f.count("GetUser"); n != tc.want.reads {
				t.Errorf("%d reads, want %d", n, tc.want.reads)
			}
			if len(changed.Changes) != 1 || changed.Changes[0].Old != tc.want.oldName || changed.Changes[0].New != `"Anna"` {
				t.Errorf("changes %+v, want name: %s → \"Anna\"", changed.Changes, tc.want.oldName)
			}
		})
	}
}

// A row's failure carries its cause: the server's code, status, field
// errors and trace id; attempts count the write only; 429s are counted;
// a failure without a code is a network one; a row stopped under a write
// that left has an unknown outcome, one stopped before it left was not
// sent (cancelled, which a run records as not run).
func TestFailureAttribution(t *testing.T) {
	invalid := &fakeErr{code: report.CodeValidation, status: http.StatusBadRequest, fields: map[string][]string{"name": {"too long"}}, trace: "trace-1"}
	byEmail := func() *Task {
		return &Task{Job: manifest.Job{Row: 1, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "ann@example.com"}, Name: ptr("Anna")}}
	}
	for _, tc := range []struct {
		name     string
		script   []step
		task     func() *Task
		cancel   bool // cancel the row's context once its write waits or hangs
		status   report.Status
		code     report.Code
		http     int
		attempts int
		check    func(t *testing.T, res report.Result)
	}{
		{name: "validation", script: []step{{drop: true, err: invalid}}, task: byEmail, status: report.StatusFailed, code: report.CodeValidation, http: 400, attempts: 1,
			check: func(t *testing.T, res report.Result) {
				if res.TraceID != "trace-1" || res.ValidationErrors["name"][0] != "too long" {
					t.Errorf("trace %q, fields %v", res.TraceID, res.ValidationErrors)
				}
			}},
		{name: "server errors through every attempt", script: []step{{drop: true, err: errUnavailble}, {drop: true, err: errUnavailble}, {drop: true, err: errUnavailble}}, task: byEmail,
			status: report.StatusFailed, code: report.CodeServerError, http: 503, attempts: 3},
		{name: "throttled, then done", script: []step{{drop: true, err: errThrottled}}, task: byEmail, status: report.StatusSucceeded, attempts: 2,
			check: func(t *testing.T, res report.Result) {
				if res.Throttled != 1 {
					t.Errorf("throttled %d, want 1", res.Throttled)
				}
			}},
		{name: "an error without a code", script: []step{{drop: true, err: context.DeadlineExceeded}}, task: byEmail, status: report.StatusFailed, code: report.CodeNetwork, attempts: 1},
		{name: "unknown target", task: func() *Task {
			return &Task{Job: manifest.Job{Row: 1, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "nobody@example.com"}, Name: ptr("X")}}
		}, status: report.StatusFailed, code: report.CodeNotFound, http: 404, attempts: 1},
		{name: "stopped while the write waited for its slot", script: []step{{wait: true}}, task: byEmail, cancel: true, status: report.StatusFailed, code: report.CodeCancelled, attempts: 0},
		{name: "stopped after the write left", script: []step{{hang: true}}, task: byEmail, cancel: true, status: report.StatusFailed, code: report.CodeOutcomeUnknown, attempts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addUser(User{ID: "u1", Email: "ann@example.com", Name: "Ann"}, "")
			f.then("UpdateUser", tc.script...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				f.waiting = make(chan string, 1)
				sent := make(chan string, 1)
				f.onSend = func(m string) { sent <- m }
				go func() {
					select {
					case <-f.waiting:
					case <-sent:
					}
					cancel()
				}()
			}
			exec := NewApplier(f, NewResolver(f, noWait(3)), false, Options{Retry: noWait(3)})
			res := exec.Do(ctx, tc.task())
			if res.Status != tc.status || res.ErrorCode != tc.code || res.HTTPStatus != tc.http || res.Attempts != tc.attempts {
				t.Errorf("%s %q http %d attempts %d (%s); want %s %q http %d attempts %d",
					res.Status, res.ErrorCode, res.HTTPStatus, res.Attempts, res.ErrorMessage, tc.status, tc.code, tc.http, tc.attempts)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// A generated password is recorded before the write that sends it leaves,
// and never for a write that did not leave.
func TestGeneratedPasswordIsRecordedOnlyWhenItsWriteLeaves(t *testing.T) {
	for _, tc := range []struct {
		name     string
		script   []step
		recorded int
	}{
		{"sent", nil, 1},
		{"stopped while waiting to send", []step{{wait: true}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.addUser(User{ID: "u1"}, "")
			f.then("UpdateUser", tc.script...)
			rec := &secretsKept{}
			f.onSend = func(string) {
				if rec.count() != 1 {
					t.Error("the write left before its password was recorded")
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f.waiting = make(chan string, 1)
			go func() {
				select {
				case <-f.waiting:
					cancel()
				case <-ctx.Done():
				}
			}()
			exec := NewApplier(f, NewResolver(f, noWait(1)), false, Options{Retry: noWait(1), Secrets: rec})
			task := &Task{Job: manifest.Job{Row: 1, Op: manifest.OpSetPassword, Target: manifest.Target{Kind: manifest.TargetUserID, Value: "u1"}, NewPassword: &manifest.SecretRef{Kind: manifest.SecretGenerate}}}
			res := exec.Do(ctx, task)
			if n := rec.count(); n != tc.recorded {
				t.Errorf("%d passwords recorded, want %d (%s %s)", n, tc.recorded, res.Status, res.ErrorCode)
			}
			if tc.recorded == 1 {
				assertNoSecret(t, res, rec.last)
				if f.passwords["u1"] != rec.last {
					t.Error("the password sent is not the one recorded")
				}
			}
		})
	}
}
