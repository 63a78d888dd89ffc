package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// fakeErr is an answer of the fake server, classified as the client's
// errors are (Failure, and the retry classes worker reads).
type fakeErr struct {
	code       report.Code
	status     int
	retryable  bool
	unknown    bool
	fields     map[string][]string
	trace      string
	retryAfter time.Duration
}

func (e *fakeErr) Error() string {
	return fmt.Sprintf("fake %d %s", e.status, e.code)
}
func (e *fakeErr) Code() report.Code                { return e.code }
func (e *fakeErr) HTTPStatus() int                  { return e.status }
func (e *fakeErr) FieldErrors() map[string][]string { return e.fields }
func (e *fakeErr) TraceID() string                  { return e.trace }
func (e *fakeErr) Retryable() bool                  { return e.retryable }
func (e *fakeErr) OutcomeUnknown() bool             { return e.unknown }
func (e *fakeErr) RetryAfter() time.Duration        { return e.retryAfter }

var (
	errLost       = &fakeErr{code: report.CodeOutcomeUnknown, unknown: true}                               // sent, no answer
	errGateway    = &fakeErr{code: report.CodeServerError, status: http.StatusBadGateway, retryable: true} // may have passed it on
	errThrottled  = &fakeErr{code: report.CodeRateLimited, status: http.StatusTooManyRequests, retryable: true}
	errUnavailble = &fakeErr{code: report.CodeServerError, status: http.StatusServiceUnavailable, retryable: true}
)

// step scripts one call of a fake method.
type step struct {
	// wait: the call waits for its budget slot until its context ends,
	// and never sends (the before-send hook does not run).
	wait bool
	// hang: the call sends (the hook runs) and then gets no answer until
	// its context ends.
	hang bool
	// drop: the change does not land.
	drop bool
	// err is the answer (after the change landed, unless drop).
	err error
}

// fake is a UiPath organization in memory, behind the Writer interface.
// Every call is counted; scripted steps shape the next calls of a method,
// and a call without one succeeds.
type fake struct {
	mu        sync.Mutex
	users     []*User
	passwords map[string]string // user id → password
	robots    []*Robot
	orch      []*OrchestratorUser
	groups    []Group
	stores    []CredentialStore
	calls     map[string]int
	script    map[string][]step
	clock     time.Time
	// landed counts the changes that took effect, by method.
	landed map[string]int
	// onSend, when set, runs when a write leaves (after the hook).
	onSend func(method string)
	// waiting, when set, is signalled when a call starts waiting (wait).
	waiting chan string
	// onRead, when set, runs as a read starts (another administrator
	// changing things between a row's reads).
	onRead func(method string)
	// readAt stamps the robot accounts and Orchestrator users read.
	readAt time.Time
	// bulkGroupDeleteTakesAll: a bulk group delete deletes every local
	// group, as one of UiPath's pages describes the endpoint.
	bulkGroupDeleteTakesAll bool
}

func newFake() *fake {
	return &fake{
		passwords: map[string]string{}, calls: map[string]int{}, script: map[string][]step{},
		landed: map[string]int{}, clock: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func (f *fake) addUser(u User, password string) *User {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &u
	f.users = append(f.users, p)
	f.passwords[u.ID] = password
	return p
}

// then scripts the next calls of method.
func (f *fake) then(method string, steps ...step) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[method] = append(f.script[method], steps...)
}

func (f *fake) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fake) landedCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.landed[method]
}

func (f *fake) user(id string) User {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.ID == id {
			return *u
		}
	}
	return User{}
}

// next counts a call of method and returns its scripted step.
func (f *fake) next(method string) step {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	s := f.script[method]
	if len(s) == 0 {
		return step{}
	}
	f.script[method] = s[1:]
	return s[0]
}

var errFakeNotFound = &fakeErr{code: report.CodeNotFound, status: http.StatusNotFound}

func (f *fake) read(ctx context.Context, method string) error {
	s := f.next(method)
	if f.onRead != nil {
		f.onRead(method)
	}
	if s.wait {
		if f.waiting != nil {
			f.waiting <- method
		}
		<-ctx.Done()
		return context.Cause(ctx)
	}
	return s.err
}

// write plays one write: it waits for its slot, runs the before-send hook
// as the client does, then lands the change (unless dropped) and answers.
func (f *fake) write(ctx context.Context, method string, before BeforeSend, change func() error) error {
	s := f.next(method)
	if s.wait {
		if f.waiting != nil {
			f.waiting <- method
		}
		<-ctx.Done()
		return context.Cause(ctx)
	}
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	if f.onSend != nil {
		f.onSend(method)
	}
	if !s.drop {
		f.mu.Lock()
		err := change()
		if err == nil {
			f.landed[method]++
		}
		f.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if s.hang {
		<-ctx.Done()
		return context.Cause(ctx)
	}
	return s.err
}

// modified moves the clock and stamps u (under f.mu).
func (f *fake) modified(u *User) {
	f.clock = f.clock.Add(time.Second)
	u.LastModified = f.clock
}

func (f *fake) find(match func(*User) bool) (User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if match(u) {
			return *u, nil
		}
	}
	return User{}, errFakeNotFound
}

func (f *fake) GetUser(ctx context.Context, id string) (User, error) {
	if err := f.read(ctx, "GetUser"); err != nil {
		return User{}, err
	}
	return f.find(func(u *User) bool { return strings.EqualFold(u.ID, id) })
}

func (f *fake) EachUser(ctx context.Context, fn func(User) error) error {
	return each(ctx, f, "EachUser", &f.users, nil, fn)
}

// EachUserWithTotal is a list read like EachUser (and counted as one).
func (f *fake) EachUserWithTotal(ctx context.Context, total func(int64) error, fn func(User) error) error {
	return each(ctx, f, "EachUser", &f.users, total, fn)
}

func (f *fake) FindUser(ctx context.Context, byEmail bool, value string) (User, error) {
	if err := f.read(ctx, "FindUser"); err != nil {
		return User{}, err
	}
	return f.find(func(u *User) bool {
		if byEmail {
			return strings.EqualFold(u.Email, value)
		}
		return u.UserName == value
	})
}

func (f *fake) GetRobot(ctx context.Context, id string) (Robot, error) {
	if err := f.read(ctx, "GetRobot"); err != nil {
		return Robot{}, err
	}
	return f.robot(func(r *Robot) bool { return strings.EqualFold(r.ID, id) })
}

func (f *fake) robot(match func(*Robot) bool) (Robot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.robots {
		if match(r) {
			out := *r
			out.ReadAt = f.readAt
			return out, nil
		}
	}
	return Robot{}, errFakeNotFound
}

func (f *fake) EachRobot(ctx context.Context, fn func(Robot) error) error {
	return each(ctx, f, "EachRobot", &f.robots, nil, fn)
}

// EachRobotWithTotal is a list read like EachRobot (and counted as one).
func (f *fake) EachRobotWithTotal(ctx context.Context, total func(int64) error, fn func(Robot) error) error {
	return each(ctx, f, "EachRobot", &f.robots, total, fn)
}

func (f *fake) FindRobot(ctx context.Context, name string) (Robot, error) {
	if err := f.read(ctx, "FindRobot"); err != nil {
		return Robot{}, err
	}
	return f.robot(func(r *Robot) bool { return r.Name == name })
}

func (f *fake) GetOrchestratorUser(ctx context.Context, key int64) (OrchestratorUser, error) {
	if err := f.read(ctx, "GetOrchestratorUser"); err != nil {
		return OrchestratorUser{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orch {
		if o.Key == key {
			out := *o
			out.ReadAt = f.readAt
			return out, nil
		}
	}
	return OrchestratorUser{}, errFakeNotFound
}

func (f *fake) FindOrchestratorUser(ctx context.Context, userName string) (OrchestratorUser, error) {
	if err := f.read(ctx, "FindOrchestratorUser"); err != nil {
		return OrchestratorUser{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orch {
		if o.UserName == userName {
			return *o, nil
		}
	}
	return OrchestratorUser{}, errFakeNotFound
}

func (f *fake) ListGroups(ctx context.Context) ([]Group, error) {
	if err := f.read(ctx, "ListGroups"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Group(nil), f.groups...), nil
}

func (f *fake) CredentialStores(ctx context.Context) ([]CredentialStore, error) {
	if err := f.read(ctx, "CredentialStores"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]CredentialStore(nil), f.stores...), nil
}

func (f *fake) userByID(id string) *User {
	for _, u := range f.users {
		if strings.EqualFold(u.ID, id) {
			return u
		}
	}
	return nil
}

func (f *fake) UpdateUser(ctx context.Context, id string, upd UserUpdate, before BeforeSend) error {
	return f.write(ctx, "UpdateUser", before, func() error {
		u := f.userByID(id)
		if u == nil {
			return errFakeNotFound
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.IsActive != nil {
			u.IsActive = *upd.IsActive
		}
		if !upd.Password.IsZero() {
			f.passwords[u.ID] = upd.Password.Reveal()
		}
		f.modified(u)
		return nil
	})
}

var errFakeWrongPassword = &fakeErr{code: report.CodeWrongPassword, status: http.StatusBadRequest, fields: map[string][]string{"oldPassword": {"incorrect"}}}

func (f *fake) ChangePassword(ctx context.Context, id string, oldPassword, newPassword secret.Value, before BeforeSend) error {
	return f.write(ctx, "ChangePassword", before, func() error {
		u := f.userByID(id)
		if u == nil {
			return errFakeNotFound
		}
		if f.passwords[u.ID] != oldPassword.Reveal() {
			return errFakeWrongPassword
		}
		f.passwords[u.ID] = newPassword.Reveal()
		f.modified(u)
		return nil
	})
}

func (f *fake) UpdateRobot(ctx context.Context, id string, upd RobotUpdate, before BeforeSend) error {
	return f.write(ctx, "UpdateRobot", before, func() error {
		for _, r := range f.robots {
			if strings.EqualFold(r.ID, id) {
				if upd.DisplayName != nil {
					r.DisplayName = *upd.DisplayName
				}
				return nil
			}
		}
		return errFakeNotFound
	})
}

func (f *fake) EachOrchestratorUser(ctx context.Context, fn func(OrchestratorUser) error) error {
	return each(ctx, f, "EachOrchestratorUser", &f.orch, nil, fn)
}

func (f *fake) SetRobotCredentials(ctx context.Context, target OrchestratorUser, robotUserName string, password secret.Value, before BeforeSend) error {
	key := target.Key
	return f.write(ctx, "SetRobotCredentials", before, func() error {
		for _, o := range f.orch {
			if o.Key == key {
				if robotUserName != "" {
					o.RobotUserName = robotUserName
				}
				return nil
			}
		}
		return errFakeNotFound
	})
}

var _ Writer = (*fake)(nil)

// noWait is a retry policy that retries at once.
func noWait(attempts int) worker.RetryPolicy {
	return worker.RetryPolicy{MaxAttempts: attempts}
}

func ptr[T any](v T) *T { return &v }

// env is the environment the rows' env: references read.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func envRef(name string) *manifest.SecretRef {
	return &manifest.SecretRef{Kind: manifest.SecretEnv, Name: name}
}

// assertNoSecret fails if any of the passwords appears in res.
func assertNoSecret(t *testing.T, res report.Result, passwords ...string) {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b) + fmt.Sprintf("%+v", res) + res.ChangesString()
	for _, p := range passwords {
		if strings.Contains(text, p) {
			t.Errorf("a password appears in the result: %s", text)
		}
	}
}

// secretsKept is a SecretRecorder in memory.
type secretsKept struct {
	mu   sync.Mutex
	n    int
	last string
	// notSet lists "field maybe reason" of every NotSet.
	notSet []string
}

func (s *secretsKept) NotSet(_ context.Context, _ *manifest.Job, field, reason string, maybe bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notSet = append(s.notSet, fmt.Sprintf("%s %v %s", field, maybe, reason))
	return nil
}

func (s *secretsKept) Record(_ context.Context, _ *manifest.Job, _, _ string, v secret.Value) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.last = v.Reveal()
	return nil
}

func (s *secretsKept) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// each hands fn a copy of every item, read under the fake's lock and
// called outside it, after the read called op; total, if not nil, is told
// their number first.
func each[T any](ctx context.Context, f *fake, op string, items *[]*T, total func(int64) error, fn func(T) error) error {
	if err := f.read(ctx, op); err != nil {
		return err
	}
	f.mu.Lock()
	list := make([]T, len(*items))
	for i, it := range *items {
		list[i] = *it
	}
	f.mu.Unlock()
	if total != nil && len(list) > 0 { // as a first page's totalCount tells it
		if err := total(int64(len(list))); err != nil {
			return err
		}
	}
	for _, it := range list {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}
