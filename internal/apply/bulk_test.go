package apply

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// bulkFixture is an organization of n users in group A, and an applier
// with every user indexed and the groups read.
func bulkFixture(t *testing.T, n int) (*fake, *Executor) {
	t.Helper()
	f := newFake()
	f.groups = []Group{{ID: guid(9001), Name: "A"}, {ID: guid(9002), Name: "B"}}
	for i := 1; i <= n; i++ {
		f.addUser(User{ID: guid(i), Email: fmt.Sprintf("u%d@example.com", i), GroupIDs: []string{guid(9001)}}, "")
	}
	rs := NewResolver(f, noWait(3))
	if err := rs.Prepare(context.Background(), Needs{UserStates: n, Groups: 1}); err != nil {
		t.Fatal(err)
	}
	return f, NewApplier(f, rs, false, Options{Retry: noWait(3)})
}

func tasks(n int, job func(i int) manifest.Job) []*Task {
	out := make([]*Task, n)
	for i := range out {
		j := job(i + 1)
		j.Row = i + 1
		out[i] = &Task{Job: j}
	}
	return out
}

func deleteUserJob(i int) manifest.Job {
	return manifest.Job{Op: manifest.OpDeleteUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: fmt.Sprintf("u%d@example.com", i)}}
}

// A batch of deletes goes out as one bulk request; a row whose user is
// gone already is unchanged.
func TestBulkDeleteSendsOneRequestPerBatch(t *testing.T) {
	f, exec := bulkFixture(t, 100)
	batch := tasks(101, deleteUserJob) // u101 does not exist
	results := exec.DoBulk(context.Background(), batch)
	if got := f.count("DeleteUsers"); got != 1 {
		t.Errorf("DeleteUsers called %d times, want 1", got)
	}
	for i, r := range results {
		want := report.StatusSucceeded
		if i == 100 {
			want = report.StatusUnchanged
		}
		if r.Status != want {
			t.Errorf("row %d: %s (%s), want %s", r.Row, r.Status, r.ErrorMessage, want)
		}
	}
	if len(f.users) != 0 {
		t.Errorf("%d users left", len(f.users))
	}
}

// A bulk delete whose answer was lost is sent again; the server then
// refuses ids it deleted, and reading settles every row as succeeded.
func TestBulkDeleteWithLostAnswerIsSettledByReading(t *testing.T) {
	f, exec := bulkFixture(t, 20)
	lost := &fakeErr{code: report.CodeServerError, status: http.StatusBadGateway, retryable: true}
	f.then("DeleteUsers", step{err: lost})
	results := exec.DoBulk(context.Background(), tasks(20, deleteUserJob))
	for _, r := range results {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s: %s", r.Row, r.Status, r.ErrorCode, r.ErrorMessage)
		}
	}
	if got := f.landedCount("DeleteUsers"); got != 1 {
		t.Errorf("deletes landed %d times, want 1", got)
	}
	if f.count("EachUser") < 2 {
		t.Errorf("the lost answer was not settled by reading the list (EachUser %d)", f.count("EachUser"))
	}
}

// A refusal that names one id's position is that row's; the others go
// out again and succeed.
func TestBulkRefusalNamingARowIsThatRowsOnly(t *testing.T) {
	f, exec := bulkFixture(t, 10)
	refused := &fakeErr{code: report.CodeValidation, status: http.StatusBadRequest, fields: map[string][]string{"userIds[3]": {"cannot delete"}}}
	f.then("DeleteUsers", step{drop: true, err: refused})
	results := exec.DoBulk(context.Background(), tasks(10, deleteUserJob))
	for i, r := range results {
		want := report.StatusSucceeded
		if i == 3 {
			want = report.StatusFailed
		}
		if r.Status != want {
			t.Errorf("row %d: %s, want %s (%s)", r.Row, r.Status, want, r.ErrorMessage)
		}
	}
	if results[3].HTTPStatus != http.StatusBadRequest || results[3].ValidationErrors["userIds[3]"] == nil {
		t.Errorf("row 4 does not carry the server's answer: %+v", results[3])
	}
	if got := f.count("DeleteUsers"); got != 2 {
		t.Errorf("DeleteUsers called %d times, want 2 (the batch, then the batch less row 4)", got)
	}
}

// A refusal that names no position is split until each row has its own
// answer: only the row at fault fails.
func TestBulkRefusalNamingNoRowIsSplit(t *testing.T) {
	f, exec := bulkFixture(t, 8)
	refused := &fakeErr{code: report.CodeBadRequest, status: http.StatusBadRequest}
	// 8 → 4+4: the first 4 refused again → 2+2: the first 2 → 1+1: the
	// first refused.
	f.then("DeleteUsers", step{drop: true, err: refused}, step{drop: true, err: refused}, step{drop: true, err: refused}, step{drop: true, err: refused})
	results := exec.DoBulk(context.Background(), tasks(8, deleteUserJob))
	failed := 0
	for _, r := range results {
		if r.Status == report.StatusFailed {
			failed++
		}
	}
	if failed != 1 || results[0].Status != report.StatusFailed {
		t.Errorf("%d rows failed, want row 1 alone: %+v", failed, results[0])
	}
	if len(f.users) != 1 {
		t.Errorf("%d users left, want 1", len(f.users))
	}
}

// Moving users from one group to another costs two requests per batch:
// one per group, each carrying every user.
func TestMembershipMovesGoOutPerGroup(t *testing.T) {
	f, exec := bulkFixture(t, 50)
	move := func(i int) manifest.Job {
		return manifest.Job{Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetUserID, Value: guid(i)},
			GroupsToAdd: []string{"B"}, GroupsToRemove: []string{"a"}}
	}
	results := exec.DoBulk(context.Background(), tasks(50, move))
	for _, r := range results {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	if got := f.count("UpdateGroupMembers"); got != 2 {
		t.Errorf("UpdateGroupMembers called %d times, want 2", got)
	}
	if got := f.count("UpdateUser"); got != 0 {
		t.Errorf("UpdateUser called %d times, want 0", got)
	}
	for i := 1; i <= 50; i++ {
		if g := f.user(guid(i)).GroupIDs; len(g) != 1 || g[0] != guid(9002) {
			t.Fatalf("user %d is in %v, want only B", i, g)
		}
	}
	// Done again, read afresh: nothing to send.
	rs := NewResolver(f, noWait(3))
	if err := rs.Prepare(context.Background(), Needs{UserStates: 50, Groups: 1}); err != nil {
		t.Fatal(err)
	}
	results = NewApplier(f, rs, false, Options{Retry: noWait(3)}).DoBulk(context.Background(), tasks(50, move))
	if results[0].Status != report.StatusUnchanged || f.count("UpdateGroupMembers") != 2 {
		t.Errorf("a second move sent requests or changed: %s, %d requests", results[0].Status, f.count("UpdateGroupMembers"))
	}
}

// A resumed row whose interrupted run sent its delete or its create
// succeeded when its target shows it landed; one whose target does not is
// sent again.
func TestResumedLifecycleRowsSettleByReading(t *testing.T) {
	f, exec := bulkFixture(t, 3)
	f.users = f.users[1:] // u1's delete landed before the interruption
	batch := tasks(3, deleteUserJob)
	for _, tk := range batch {
		tk.Prior = &journal.Intent{Row: tk.Job.Row, Write: sentDelete}
	}
	for _, r := range exec.DoBulk(context.Background(), batch) {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	if got := f.landedCount("DeleteUsers"); got != 1 || len(f.users) != 0 {
		t.Errorf("%d deletes landed, %d users left; want 1 (u2 and u3), 0", got, len(f.users))
	}

	create := &Task{Job: manifest.Job{Row: 9, Op: manifest.OpEnsureUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "new@example.com"}}}
	create.Prior = &journal.Intent{Row: 9, Write: sentCreate}
	f.addUser(User{ID: guid(77), Email: "new@example.com"}, "") // the create landed
	rs := NewResolver(f, noWait(3))
	if r := NewApplier(f, rs, false, Options{Retry: noWait(3)}).Do(context.Background(), create); r.Status != report.StatusSucceeded || f.count("CreateUser") != 0 {
		t.Errorf("resumed create: %s, %d creates sent", r.Status, f.count("CreateUser"))
	}
}

// A create whose answer was lost is settled by reading the id it carried:
// it landed, so it is not sent again.
func TestCreateWithLostAnswerIsNotSentTwice(t *testing.T) {
	f := newFake()
	f.then("CreateUser", step{err: errLost})
	rs := NewResolver(f, noWait(3))
	job := manifest.Job{Row: 1, Op: manifest.OpEnsureUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "new@example.com"}, Name: ptr("New")}
	r := NewApplier(f, rs, false, Options{Retry: noWait(3)}).Do(context.Background(), &Task{Job: job})
	if r.Status != report.StatusSucceeded {
		t.Errorf("%s %s: %s", r.Status, r.ErrorCode, r.ErrorMessage)
	}
	if f.landedCount("CreateUser") != 1 || f.count("GetUser") < 1 {
		t.Errorf("creates landed %d, user read by id %d times", f.landedCount("CreateUser"), f.count("GetUser"))
	}
}

// A group create carries an id of the client's, recorded before it leaves;
// one whose answer was lost is settled by reading that id, and a resumed
// run finds the group by that id even when someone renamed it since.
func TestGroupCreateCarriesItsIDAndIsSettledByIt(t *testing.T) {
	f := newFake()
	f.then("CreateGroup", step{err: errLost})
	rs := NewResolver(f, noWait(3))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	job := manifest.Job{Row: 1, Op: manifest.OpEnsureGroup, Target: manifest.Target{Kind: manifest.TargetGroupName, Value: "Auditors"}}
	r := NewApplier(f, rs, false, Options{Retry: noWait(3)}).Do(context.Background(), &Task{Job: job})
	if r.Status != report.StatusSucceeded || f.landedCount("CreateGroup") != 1 || len(f.groups) == 0 {
		t.Fatalf("%s %s: %d creates landed", r.Status, r.ErrorMessage, f.landedCount("CreateGroup"))
	}
	created := f.groups[len(f.groups)-1]
	if !manifest.IsGUID(created.ID) || created.Name != "Auditors" {
		t.Fatalf("created %+v: want a GUID id of the client's", created)
	}

	// A resumed run: the group was renamed meanwhile; its id settles it.
	f.groups[len(f.groups)-1].Name = "Auditors (renamed)"
	rs = NewResolver(f, noWait(3))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	task := &Task{Job: job, Prior: &journal.Intent{Row: 1, Write: sentCreate, CreatedID: created.ID}}
	before := f.count("CreateGroup")
	if r := NewApplier(f, rs, false, Options{Retry: noWait(3)}).Do(context.Background(), task); r.Status != report.StatusSucceeded || f.count("CreateGroup") != before {
		t.Errorf("resumed create: %s %s, %d more creates sent", r.Status, r.ErrorMessage, f.count("CreateGroup")-before)
	}
}

// A bulk request refused for its size, with the server's limit named, is
// split into requests of that size, and later batches start there.
func TestBulkLimitNamedByTheServerIsLearned(t *testing.T) {
	f, exec := bulkFixture(t, 20)
	tooLarge := &client.BulkTooLargeError{Count: 10, Limit: 4, Err: &client.Error{StatusCode: http.StatusBadRequest, Message: "at most 4 ids"}}
	f.then("DeleteUsers", step{drop: true, err: adaptErr(tooLarge)})
	results := exec.DoBulk(context.Background(), tasks(10, deleteUserJob))
	results = append(results, exec.DoBulk(context.Background(), tasks(10, func(i int) manifest.Job { return deleteUserJob(i + 10) }))...)
	for _, r := range results {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	t.Logf("first: %d", f.count("DeleteUsers"))
	// 10 rows: refused, then 4+4+2; the next 10: 4+4+2 at once.
	if got := f.count("DeleteUsers"); got != 7 {
		t.Errorf("DeleteUsers called %d times, want 7", got)
	}
}
