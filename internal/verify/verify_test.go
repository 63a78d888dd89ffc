package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
)

func TestJudge(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	row := func(n int, op manifest.Op, kind manifest.TargetKind, v string, fin int) Row {
		return Row{Row: n, Op: op, Target: manifest.Target{Kind: kind, Value: v}, Finished: at(fin)}
	}
	rows := []Row{
		row(1, manifest.OpUpdateUser, manifest.TargetEmail, "Ann@Example.com", 1),
		row(2, manifest.OpSetRobotCredentials, manifest.TargetUsername, "robot-1", 2),
		row(3, manifest.OpSetRobotCredentials, manifest.TargetUsername, "robot-2", 2),
		row(4, manifest.OpEnsureFolder, manifest.TargetFolder, "Finance/AP", 3),
		row(5, manifest.OpUpdateUser, manifest.TargetEmail, "late@example.com", 29),
		row(6, manifest.OpSetPassword, manifest.TargetEmail, "bo@example.com", 4),
	}
	audit := Audit{Records: map[string][]Record{
		Identity: {
			{ID: "i1", Time: at(1), Kind: "User", Action: "Update", Details: `{"email":"ann@example.com","userName":"ann"}`, Actor: "app", ClientID: "CID"},
			{ID: "i0", Time: at(-5), Kind: "User", Action: "Update", Details: `{"email":"bo@example.com"}`, Actor: "admin@example.com"}, // before the run
			{ID: "i2", Time: at(4), Kind: "User", Action: "ResetPassword", Details: `{"email":"bo@example.com"}`, ClientID: "cid"},
		},
		Orchestrator: {
			{ID: "o1", Time: at(2), Kind: "Users", Action: "Update", Target: "robot-2", ClientID: "cid"},
			{ID: "o2", Time: at(3), Kind: "Users", Action: "Update", Target: "ROBOT-2", Actor: "admin@example.com"},
			{ID: "o3", Time: at(3), Kind: "Folders", Action: "Create", Target: "AP", ClientID: "cid"},
		},
	}}
	checks := Judge(rows, audit, Options{ClientID: "cid", Start: start, End: at(30), Now: at(30), Lag: 5 * time.Minute})
	want := map[int]Verdict{1: Confirmed, 2: NotFound, 3: ChangedByOthers, 4: Confirmed, 5: NotCheckable, 6: Confirmed}
	for _, c := range checks {
		if c.Verdict != want[c.Row.Row] {
			t.Errorf("row %d: %s (%s), want %s", c.Row.Row, c.Verdict, c.Reason, want[c.Row.Row])
		}
	}
	for _, c := range checks {
		if c.Lagging != (c.Row.Row == 5) {
			t.Errorf("row %d: lagging %v", c.Row.Row, c.Lagging)
		}
	}
	if c := checks[2]; !strings.Contains(c.Reason, "admin@example.com") || c.Record.ID != "o2" {
		t.Errorf("changed by others names %q, record %s", c.Reason, c.Record.ID)
	}

	// A service whose audit could not be read, and a run without a
	// client id: not checkable, saying why.
	audit.Unread = map[string]string{Orchestrator: "the orchestrator audit could not be read: 403"}
	checks = Judge(rows[:2], audit, Options{ClientID: "cid", Start: start, Now: at(30)})
	if checks[1].Verdict != NotCheckable || !strings.Contains(checks[1].Reason, "403") || checks[0].Verdict != Confirmed {
		t.Errorf("unread audit: %+v", checks)
	}
	checks = Judge(rows[:1], audit, Options{Start: start, Now: at(30)})
	if checks[0].Verdict != NotCheckable || !strings.Contains(checks[0].Reason, "personal access token") {
		t.Errorf("no client id: %+v", checks[0])
	}
	if n := Counts(Judge(rows, Audit{}, Options{ClientID: "x", Start: start, Now: at(60)})); n[string(NotFound)] != 6 {
		t.Errorf("no records at all: %v", n)
	}
}
