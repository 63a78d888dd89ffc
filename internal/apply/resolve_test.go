package apply

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/worker"
)

// newEmulatedResolver runs an emulator and returns a resolver reading it
// through the real client.
func newEmulatedResolver(t *testing.T, cfg emulator.Config) (*Resolver, *emulator.Server) {
	t.Helper()
	emu, settings := emulatortest.Start(t, cfg)
	c, err := client.New(context.Background(), settings)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return NewResolver(NewClientAdapter(c), worker.DefaultRetryPolicy()), emu
}

// A row that gives up on a shared lookup (its attempt timed out) does not
// fail the other rows waiting for the same target: the lookup runs under
// a context of its own.
func TestSharedLookupOutlivesACallerThatGivesUp(t *testing.T) {
	rs, emu := newEmulatedResolver(t, emulator.Config{Users: 3, Latency: 400 * time.Millisecond})
	target := manifest.Target{Kind: manifest.TargetUsername, Value: "user00002"}

	impatient, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var first error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _, first = rs.User(impatient, target, true)
	}()
	time.Sleep(30 * time.Millisecond) // the impatient row starts the lookup
	var waiters [4]error
	var users [4]User
	for i := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			users[i], _, waiters[i] = rs.User(context.Background(), target, true)
		}()
	}
	wg.Wait()
	if !errors.Is(first, context.DeadlineExceeded) {
		t.Errorf("the impatient row: %v, want its own deadline", first)
	}
	for i, err := range waiters {
		if err != nil || users[i].UserName != "user00002" {
			t.Errorf("waiter %d: %+v, %v", i, users[i], err)
		}
	}
	if n := emu.Counts()["GET"]; n != 1 {
		t.Errorf("%d GETs for one target, want 1", n)
	}
	// The answer is kept: a later row reads nothing.
	if u, _, err := rs.User(context.Background(), target, true); err != nil || u.UserName != "user00002" || emu.Counts()["GET"] != 1 {
		t.Errorf("later row: %+v, %v, %d GETs", u, err, emu.Counts()["GET"])
	}
}

// When every row waiting for a lookup gives up, the lookup is stopped and
// nothing is remembered: a later row looks the target up afresh.
func TestAbandonedLookupIsNotRemembered(t *testing.T) {
	rs, _ := newEmulatedResolver(t, emulator.Config{Users: 3, Latency: 300 * time.Millisecond})
	target := manifest.Target{Kind: manifest.TargetUsername, Value: "user00003"}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := rs.User(ctx, target, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient row: %v", err)
	}
	u, _, err := rs.User(context.Background(), target, true)
	if err != nil || u.UserName != "user00003" {
		t.Fatalf("a later row: %+v, %v", u, err)
	}
}

// An unknown group name fails with the nearest name the organization has.
func TestUnknownGroupNameSuggestsTheNearest(t *testing.T) {
	f := newFake()
	f.groups = []Group{{ID: guid(9001), Name: "Finance"}, {ID: guid(9002), Name: "Everyone"}}
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := rs.GroupID("Finanse")
	if err == nil || !strings.Contains(err.Error(), `did you mean "Finance"?`) {
		t.Errorf("err = %v", err)
	}
	if _, err := rs.GroupID("Marketing"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("a name near none: %v", err)
	}
}

// An exact group set without Everyone does not take an account out of
// it: every account is in Everyone, and a create joins it anyway.
func TestExactGroupsLeaveEveryoneBe(t *testing.T) {
	f := newFake()
	f.groups = []Group{{ID: guid(9001), Name: "Sales"}, {ID: guid(9002), Name: "Everyone", BuiltIn: true}, {ID: guid(9003), Name: "Old"}}
	f.addUser(User{ID: guid(1), Email: "x@example.com", GroupIDs: []string{guid(9002), guid(9003)}}, "")
	rs := NewResolver(f, noWait(1))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	job := manifest.Job{Row: 1, Op: manifest.OpEnsureUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "x@example.com"}, Groups: []string{"Sales"}}
	r := NewPlanner(f, rs, Options{Retry: noWait(1)}).Do(context.Background(), &Task{Job: job})
	if got := r.ChangesString(); got != "groups: +Sales −Old" {
		t.Errorf("changes %q, want Sales added and Old removed, Everyone kept", got)
	}
}
