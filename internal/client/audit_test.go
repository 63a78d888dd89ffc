package client

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

// auditClient is a client that asks for the audit scopes besides the
// operations ops.
func auditClient(t *testing.T, s *emulator.Server, ops ...Operation) *Client {
	t.Helper()
	c, err := New(context.Background(), settingsFor(t, s), WithOperations(append(ops, AuditOperations...)...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// orchestratorAudit collects the walk of Orchestrator's audit log from since.
func orchestratorAudit(t *testing.T, ctx context.Context, c *Client, since time.Time) []OrchestratorAuditRecord {
	t.Helper()
	var out []OrchestratorAuditRecord
	if err := c.Audit().Orchestrator(ctx, since, func(r OrchestratorAuditRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("Audit().Orchestrator: %v", err)
	}
	return out
}

// identityAudit collects the walk of Identity's audit from since.
func identityAudit(t *testing.T, ctx context.Context, c *Client, since time.Time) []IdentityAuditRecord {
	t.Helper()
	var out []IdentityAuditRecord
	if err := c.Audit().Identity(ctx, since, func(r IdentityAuditRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("Audit().Identity: %v", err)
	}
	return out
}

// The changes a client makes come back from both audit logs, newest
// first, with the client's id as the actor; a record's details say what
// it changed.
func TestAuditRecordsOfTheClientsChanges(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Users: 3, Robots: 2, SpecShapes: spec})
		c := auditClient(t, s, append(FolderOperations, OpSetUnattendedCredentials, OpUpdateUser, OpChangePassword)...)
		ctx := testContext(t)
		before := time.Now()
		time.Sleep(2 * time.Millisecond) // the records fall after before, whatever the clock's grain
		if _, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1002, UnattendedCredentials{UserName: `CORP\svc-b`, Password: secret.New("Audit-Client-Pass-1")}); err != nil {
			t.Fatal(err)
		}
		folder, err := c.Folders().Create(ctx, NewFolder{DisplayName: "Audited"})
		if err != nil {
			t.Fatal(err)
		}
		user := s.Users()[0]
		name := "Audited"
		if err := c.Users.Update(ctx, user.ID, UpdateUser{Name: &name}); err != nil {
			t.Fatal(err)
		}

		orch := orchestratorAudit(t, ctx, c, before)
		if len(orch) != 2 {
			t.Fatalf("%d Orchestrator records, want 2: %+v", len(orch), orch)
		}
		folderRec, patch := orch[0], orch[1]
		if folderRec.Component != "Folders" || folderRec.Action != "Create" || folderRec.EntityID != folder.ID || folderRec.DisplayName != "Audited" ||
			patch.Component != "Users" || patch.Action != "Update" || patch.EntityID != 1002 || patch.DisplayName != "robot-002" {
			t.Fatalf("records newest first: %+v", orch)
		}
		for _, r := range orch {
			if r.ExternalClientID != emulator.DefaultClientID || r.UserType != "DirectoryExternalApplication" || r.ExecutionTime.Before(before) || r.ID == 0 {
				t.Errorf("record %+v: not this client's, or out of the window", r)
			}
		}
		if !strings.Contains(patch.Parameters, "UnattendedRobot.Password") || strings.Contains(patch.Parameters, "Audit-Client-Pass-1") {
			t.Errorf("PATCH parameters: %s", patch.Parameters)
		}
		details, err := c.Audit().OrchestratorDetails(ctx, patch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(details) != 1 || details[0].AuditLogID != patch.ID || details[0].EntityID != 1002 || details[0].Action != "Update" ||
			!strings.Contains(details[0].CustomData, `CORP\\svc-b`) {
			t.Fatalf("details: %+v", details)
		}

		ident := identityAudit(t, ctx, c, before)
		if len(ident) != 1 {
			t.Fatalf("%d Identity records, want 1: %+v", len(ident), ident)
		}
		if r := ident[0]; r.Category != "User" || r.Action != "Update" || !strings.Contains(r.Details, user.ID) ||
			r.UserName != emulator.DefaultClientID || r.Email != "" || r.CreatedOn.Before(before) {
			t.Fatalf("Identity record: %+v", r)
		}
		// Nothing before the window.
		if got := orchestratorAudit(t, ctx, c, time.Now().Add(time.Hour)); len(got) != 0 {
			t.Fatalf("records after now: %+v", got)
		}
	})
}

// A walk pages newest first, 1,000 records a request, and stops at since:
// the records before it are neither handed on nor read. Records the log
// gains during the walk push its pages back; each record is handed on
// once.
func TestAuditWalksPageNewestFirstAndStopAtSince(t *testing.T) {
	const robots = 600
	s := startEmulator(t, emulator.Config{Users: 1100, Robots: robots, BulkMax: 2000})
	c := auditClient(t, s, append(FolderOperations, OpDeleteUser)...)
	ctx := testContext(t)
	folder, err := c.Folders().Create(ctx, NewFolder{DisplayName: "Many"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, robots)
	for i := range ids {
		ids[i] = int64(1001 + i)
	}
	assign := func() {
		t.Helper()
		if err := c.Folders().AssignUsers(ctx, ids, []FolderRoles{{FolderID: folder.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	assign()
	time.Sleep(5 * time.Millisecond)
	since := time.Now()
	time.Sleep(2 * time.Millisecond)
	assign()
	assign()
	all := s.AuditLogs() // the folder, then 1,800 assignments
	if len(all) != 1+3*robots {
		t.Fatalf("%d records", len(all))
	}

	// Since the second request: 1,200 records, two pages.
	gets := s.CountFor("GET", "/odata/AuditLogs")
	var got []OrchestratorAuditRecord
	var added bool
	err = c.Audit().Orchestrator(ctx, since, func(r OrchestratorAuditRecord) error {
		if !added {
			// 10 records more while the first page is handed on.
			added = true
			if err := c.Folders().AssignUsers(ctx, ids[:10], []FolderRoles{{FolderID: folder.ID}}); err != nil {
				return err
			}
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CountFor("GET", "/odata/AuditLogs") - gets; n != 2 {
		t.Fatalf("the walk cost %d GETs, want 2", n)
	}
	var wantIDs []int64
	for _, r := range slices.Backward(all[1+robots:]) {
		wantIDs = append(wantIDs, r.ID)
	}
	var gotIDs []int64
	for i, r := range got {
		gotIDs = append(gotIDs, r.ID)
		if i > 0 && r.ExecutionTime.After(got[i-1].ExecutionTime) {
			t.Fatalf("record %d is newer than the one before it", i)
		}
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Fatalf("walk handed on %d records (first %v), want the %d from since, newest first, each once", len(gotIDs), gotIDs[:3], len(wantIDs))
	}

	// Identity: 1,050 deletes in one request, 1,050 records, two pages.
	var victims []string
	for _, u := range s.Users()[:1050] {
		victims = append(victims, u.ID)
	}
	mark := time.Now()
	time.Sleep(2 * time.Millisecond)
	if err := c.Users.BulkDelete(ctx, victims); err != nil {
		t.Fatal(err)
	}
	gets = s.CountFor("GET", "/api/AuditQuery/{partitionGlobalId}")
	events := identityAudit(t, ctx, c, mark)
	if n := s.CountFor("GET", "/api/AuditQuery/{partitionGlobalId}") - gets; n != 2 {
		t.Fatalf("the Identity walk cost %d GETs, want 2", n)
	}
	if len(events) != 1050 {
		t.Fatalf("%d Identity records, want 1050", len(events))
	}
	deleted := map[string]bool{}
	for _, e := range events {
		for _, id := range victims {
			if strings.Contains(e.Details, id) {
				deleted[id] = true
			}
		}
	}
	if len(deleted) != 1050 {
		t.Fatalf("the records name %d of the 1050 deleted users", len(deleted))
	}
}

// Config.AuditLag keeps a change out of the walk until the lag passed.
func TestAuditLagHidesFreshRecordsFromTheWalk(t *testing.T) {
	const lag = 300 * time.Millisecond
	s := startEmulator(t, emulator.Config{Users: 1, Robots: 1, AuditLag: lag})
	c := auditClient(t, s, OpSetUnattendedCredentials, OpUpdateUser)
	ctx := testContext(t)
	before := time.Now()
	time.Sleep(2 * time.Millisecond)
	if _, err := c.OrchestratorUsers.SetUnattendedCredentials(ctx, 1001, UnattendedCredentials{UserName: `CORP\late`, Password: secret.New("Late-Pass-1")}); err != nil {
		t.Fatal(err)
	}
	name := "Late"
	if err := c.Users.Update(ctx, s.Users()[0].ID, UpdateUser{Name: &name}); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	orch, ident := orchestratorAudit(t, ctx, c, before), identityAudit(t, ctx, c, before)
	if (len(orch) != 0 || len(ident) != 0) && time.Since(written) < lag {
		t.Fatalf("fresh records served: %+v %+v", orch, ident)
	}
	time.Sleep(lag)
	if orch := orchestratorAudit(t, ctx, c, before); len(orch) != 1 || orch[0].EntityID != 1001 {
		t.Fatalf("after the lag: %+v", orch)
	}
	if ident := identityAudit(t, ctx, c, before); len(ident) != 1 {
		t.Fatalf("after the lag: %+v", ident)
	}
}

// Without the audit scopes (the default), a read is refused as forbidden;
// an error from fn stops the walk and comes back as is.
func TestAuditNeedsItsScopes(t *testing.T) {
	s := startEmulator(t, emulator.Config{Users: 1, Robots: 1})
	ctx := testContext(t)
	plain := newTestClient(t, s)
	if err := plain.Audit().Orchestrator(ctx, time.Time{}, func(OrchestratorAuditRecord) error { return nil }); KindOf(err) != KindForbidden {
		t.Fatalf("Orchestrator without OR.Audit.Read = %v, want forbidden", err)
	}
	if err := plain.Audit().Identity(ctx, time.Time{}, func(IdentityAuditRecord) error { return nil }); KindOf(err) != KindForbidden {
		t.Fatalf("Identity without PM.Audit.Read = %v, want forbidden", err)
	}
	if _, err := plain.Audit().OrchestratorDetails(ctx, 1); KindOf(err) != KindForbidden {
		t.Fatalf("OrchestratorDetails without OR.Audit.Read = %v, want forbidden", err)
	}
	if got := strings.Join(ScopesFor(AuditOperations...), " "); got != "OR.Audit.Read PM.Audit.Read" {
		t.Fatalf("audit scopes = %q", got)
	}

	c := auditClient(t, s, OpUpdateUser)
	name := "Stop"
	if err := c.Users.Update(ctx, s.Users()[0].ID, UpdateUser{Name: &name}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	if err := c.Audit().Identity(ctx, time.Time{}, func(IdentityAuditRecord) error { return stop }); err != stop {
		t.Fatalf("Identity = %v, want fn's error as is", err)
	}
}

// Records read as the services may send them: enums as integer codes,
// times without a zone, nulls.
func TestAuditRecordsDecodeCodesAndNulls(t *testing.T) {
	var r OrchestratorAuditRecord
	if err := r.UnmarshalJSON([]byte(`{"Id":7,"ExecutionTime":"2024-05-01T10:00:00.123","Component":8,"Action":18,"UserType":5,"DisplayName":null,"EntityId":null,"ExternalClientId":null}`)); err != nil {
		t.Fatal(err)
	}
	want := OrchestratorAuditRecord{ID: 7, ExecutionTime: time.Date(2024, 5, 1, 10, 0, 0, 123e6, time.UTC), Component: "Users", Action: "Assign", UserType: "DirectoryExternalApplication"}
	if r != want {
		t.Fatalf("decoded %+v, want %+v", r, want)
	}
	var e IdentityAuditRecord
	if err := e.UnmarshalJSON([]byte(`{"createdOn":"2024-05-01T10:00:00+02:00","category":null,"email":null}`)); err != nil {
		t.Fatal(err)
	}
	if !e.CreatedOn.Equal(time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)) || e.Category != "" || e.Email != "" {
		t.Fatalf("decoded %+v", e)
	}
	if err := e.UnmarshalJSON([]byte(`{"createdOn":"yesterday"}`)); err == nil {
		t.Fatal("a bad time was read")
	}
}
