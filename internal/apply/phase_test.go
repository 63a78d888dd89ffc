package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// phaseRun runs a manifest's text through RunRows in phases, as the runner
// does.
func phaseRun(t *testing.T, f *fake, text string, cfg RunConfig) (*memSink, Outcome) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	open := func() (*manifest.Reader, error) { return manifest.Open(context.Background(), path, manifest.Options{}) }
	census, err := TakeCensus(context.Background(), path, manifest.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := NewResolver(f, noWait(2))
	exec := NewApplier(f, rs, false, Options{Retry: noWait(2)})
	if err := rs.Prepare(context.Background(), census.Needs(exec)); err != nil {
		t.Fatal(err)
	}
	src, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg.Phases, cfg.Reopen = census.Phases(), open
	cfg.BeforePhase = func(ctx context.Context, _ Phase, created Created) error {
		return rs.NextPhase(ctx, census.Needs(exec), created)
	}
	sink := &memSink{}
	out, err := RunRows(context.Background(), src, exec, sink, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sink, out
}

// A run takes its rows in phases: the group a row names is created first
// though the row creating it comes last, and deletes come after
// everything else.
func TestRunCreatesGroupsFirstAndDeletesLast(t *testing.T) {
	f := newFake()
	f.addUser(User{ID: guid(1), Email: "old@example.com"}, "")
	var order []string
	var mu sync.Mutex
	f.onSend = func(method string) { mu.Lock(); order = append(order, method); mu.Unlock() }
	sink, out := phaseRun(t, f, "op,email,group_name,groups_to_add\n"+
		"delete_user,old@example.com,,\n"+
		"ensure_user,ann@example.com,,Team\n"+
		"ensure_group,,Team,\n", RunConfig{Workers: 4, BulkSize: 10})
	if out.Stopped != nil {
		t.Fatal(out.Stopped)
	}
	for row, r := range sink.byRow(t) {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", row, r.Status, r.ErrorMessage)
		}
	}
	if got := strings.Join(order, ","); got != "CreateGroup,CreateUser,DeleteUsers" {
		t.Errorf("writes in the order %s", got)
	}
	u, err := f.find(func(u *User) bool { return u.Email == "ann@example.com" })
	if err != nil || len(u.GroupIDs) != 1 || u.GroupIDs[0] != f.groups[0].ID {
		t.Errorf("ann: %+v %v, groups %+v", u, err, f.groups)
	}
}

// A run stopped in one phase records the rows of that phase it did not
// run and every row of the phases it did not reach, each once.
func TestRunStoppedInAPhaseRecordsTheLaterPhasesNotRun(t *testing.T) {
	f := newFake()
	var b strings.Builder
	b.WriteString("op,email,group_name,name\n")
	for i := 1; i <= 5; i++ {
		f.addUser(User{ID: guid(i), Email: fmt.Sprintf("u%d@example.com", i)}, "")
		fmt.Fprintf(&b, "delete_user,u%d@example.com,,\n", i)
		fmt.Fprintf(&b, "update_user,missing%d@example.com,,X\n", i) // fails: no such user
	}
	b.WriteString("ensure_group,,G,\n")
	sink, out := phaseRun(t, f, b.String(), RunConfig{Workers: 1, MaxFailures: 2, BulkSize: 10})
	if !errors.Is(out.Stopped, ErrMaxFailures) {
		t.Fatalf("stopped: %v", out.Stopped)
	}
	rows := sink.byRow(t)
	if len(rows) != 11 {
		t.Fatalf("%d rows recorded, want 11", len(rows))
	}
	if rows[11].Status != report.StatusSucceeded {
		t.Errorf("the group (first phase) was not created: %+v", rows[11])
	}
	for i := 1; i <= 5; i++ {
		if r := rows[2*i-1]; r.Status != report.StatusSkipped || r.ErrorCode != report.CodeNotRun {
			t.Errorf("delete row %d: %s %s, want not run", 2*i-1, r.Status, r.ErrorCode)
		}
	}
	if n := f.count("DeleteUsers"); n != 0 {
		t.Errorf("%d deletes sent by a run stopped before its delete phase", n)
	}
}

// Between phases a run reads again only the lists of what the phase before
// created: a new group re-reads the group list (its id is needed), not the
// users; new users re-read the user list before the memberships that name
// them.
func TestPhasesReadAgainOnlyWhatWasCreated(t *testing.T) {
	f := newFake()
	f.groups = []Group{{ID: guid(9001), Name: "A"}}
	var b strings.Builder
	b.WriteString("op,email,group_name,name,groups_to_add\n")
	for i := 1; i <= 8; i++ {
		f.addUser(User{ID: guid(i), Email: fmt.Sprintf("u%d@example.com", i)}, "")
		fmt.Fprintf(&b, "update_user,u%d@example.com,,N%d,\n", i, i)
	}
	b.WriteString("ensure_group,,Team,,\n")
	sink, out := phaseRun(t, f, b.String(), RunConfig{Workers: 2, BulkSize: 10})
	if out.Stopped != nil {
		t.Fatal(out.Stopped)
	}
	for row, r := range sink.byRow(t) {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", row, r.Status, r.ErrorMessage)
		}
	}
	if got := f.count("EachUser"); got != 1 {
		t.Errorf("the user list was read %d times, want once (nothing created users)", got)
	}
	if got := f.count("ListGroups"); got != 2 {
		t.Errorf("the group list was read %d times, want twice (a group was created)", got)
	}

	f2 := newFake()
	f2.groups = []Group{{ID: guid(9001), Name: "A"}}
	b.Reset()
	b.WriteString("op,email,name,groups_to_add\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "ensure_user,n%d@example.com,N%d,\n", i, i)
		fmt.Fprintf(&b, "update_user,u%d@example.com,,A\n", i)
		f2.addUser(User{ID: guid(i), Email: fmt.Sprintf("u%d@example.com", i)}, "")
	}
	sink, out = phaseRun(t, f2, b.String(), RunConfig{Workers: 2, BulkSize: 10})
	if out.Stopped != nil {
		t.Fatal(out.Stopped)
	}
	for row, r := range sink.byRow(t) {
		if r.Status != report.StatusSucceeded {
			t.Errorf("second run, row %d: %s %s", row, r.Status, r.ErrorMessage)
		}
	}
	if got := f2.count("EachUser"); got != 2 {
		t.Errorf("the user list was read %d times, want twice (users were created before the memberships)", got)
	}
}
