package apply

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// A row's lane is the client's throttle key of its write (of its
// service's reads in a plan): the budget its rows wait for.
func TestLaneIsTheThrottleKeyOfTheRowsWrite(t *testing.T) {
	for _, tc := range []struct {
		op          manifest.Op
		write, plan string
	}{
		{manifest.OpUpdateUser, "identity:PUT", "identity:GET"},
		{manifest.OpSetPassword, "identity:PUT", "identity:GET"},
		{manifest.OpChangePassword, "identity:POST", "identity:GET"},
		{manifest.OpUpdateRobotAccount, "identity:PUT", "identity:GET"},
		{manifest.OpEnsureUser, "identity:POST", "identity:GET"},
		{manifest.OpDeleteGroup, "identity:DELETE", "identity:GET"},
		{manifest.OpSetRobotCredentials, "orchestrator:PATCH", "orchestrator:GET"},
		{manifest.OpUpdateUnattendedRobot, "orchestrator:PATCH", "orchestrator:GET"},
		{manifest.OpSetTenantRoles, "orchestrator:POST", "orchestrator:GET"},
		{manifest.OpSetFolderAccess, "orchestrator:POST", "orchestrator:GET"},
		{manifest.OpSetCredentialAsset, "orchestrator:PUT", "orchestrator:GET"},
	} {
		job := manifest.Job{Op: tc.op}
		if got := Lane(&job, true); got != tc.write {
			t.Errorf("%s: lane %q, want %q", tc.op, got, tc.write)
		}
		if got := Lane(&job, false); got != tc.plan {
			t.Errorf("%s in a plan: lane %q, want %q", tc.op, got, tc.plan)
		}
	}
	// Every op the client is asked for has a lane of its own.
	for op := range opCalls {
		if _, ok := opWrites[op]; !ok {
			t.Errorf("%s has no lane", op)
		}
	}
}

// A run by lanes reads rows ahead of its workers. Stopped (here by
// --max-failures at its first row), it records every row once: the rows
// read ahead and never started as not run with the rest of the manifest,
// none of them written, and OnDispatch counts only the rows a worker took.
func TestRunByLanesRecordsTheRowsReadAheadAsNotRun(t *testing.T) {
	ids := []int{99} // not found: the run stops there
	for i := 1; i <= 40; i++ {
		ids = append(ids, i)
	}
	f, src := runFixture(t, 40, ids...)
	j, dir := openJournal(t)
	exec := NewApplier(f, NewResolver(f, noWait(1)), false, Options{Retry: noWait(1)})
	sink := &memSink{}
	var rooms, dispatched atomic.Int32
	out, err := RunRows(context.Background(), src, exec, sink, RunConfig{Workers: 1, MaxFailures: 1, Journal: j,
		OnDispatch: func() { dispatched.Add(1) },
		Room: func(key string) (int, time.Time) {
			if key != "identity:PUT" {
				t.Errorf("room asked of %q, want identity:PUT", key)
			}
			rooms.Add(1)
			return math.MaxInt, time.Time{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(out.Stopped, ErrMaxFailures) {
		t.Fatalf("stopped: %v", out.Stopped)
	}
	if rooms.Load() == 0 {
		t.Error("the run never asked its budget's room: not run by lanes")
	}
	rows := sink.byRow(t)
	if len(rows) != len(ids) {
		t.Fatalf("%d rows recorded, want %d", len(rows), len(ids))
	}
	st := journalled(t, j, dir)
	var ran []int
	for row := 1; row <= len(ids); row++ {
		r := rows[row]
		if r.Status != report.StatusSkipped {
			ran = append(ran, row)
			if !st[row].Done {
				t.Errorf("row %d ran but is not journalled done", row)
			}
			continue
		}
		if r.ErrorCode != report.CodeNotRun || st[row].Done {
			t.Errorf("row %d: %s %q, journalled done %v; want not_run and not done", row, r.Status, r.ErrorCode, st[row].Done)
		}
	}
	// One worker, one lane: the rows that ran are the first ones.
	if len(ran) == 0 || len(ran) > 2 || !slices.Equal(ran, []int{1, 2}[:len(ran)]) || rows[1].ErrorCode != report.CodeNotFound {
		t.Errorf("rows that ran %v (row 1: %+v), want row 1 (not found), and at most row 2 handed over before the stop", ran, rows[1])
	}
	if n := f.count("UpdateUser"); n != len(ran) {
		t.Errorf("%d writes for %d rows that ran", n, len(ran))
	}
	if n := int(dispatched.Load()); n != len(ran) {
		t.Errorf("OnDispatch called %d times, want once per row a worker took (%d)", n, len(ran))
	}
	if out.NotRun != len(ids)-len(ran) {
		t.Errorf("outcome %+v: %d not run, want %d", out, out.NotRun, len(ids)-len(ran))
	}
}
