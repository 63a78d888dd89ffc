package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// A robot-account PUT that carries the display name read earlier checks
// it right before it leaves: someone renamed the account since, so the
// PUT carries the new name, not the old one back.
func TestRobotPutCarriesTheDisplayNameReadRightBeforeIt(t *testing.T) {
	f := newFake()
	f.robots = []*Robot{{ID: guid(1), Name: "bot", DisplayName: "Bot", GroupIDs: []string{guid(50)}}}
	f.groups = []Group{{ID: guid(50), Name: "Everyone", BuiltIn: true}, {ID: guid(51), Name: "Finance"}}
	// The other administrator renames it between the row's read and its write.
	f.onRead = func(method string) {
		if method == "GetRobot" && f.count("GetRobot") == 1 {
			f.robots[0].DisplayName = "Bot (edited)"
		}
	}
	rs := NewResolver(f, noWait(3))
	if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
		t.Fatal(err)
	}
	job := manifest.Job{Row: 1, Op: manifest.OpUpdateRobotAccount, Target: manifest.Target{Kind: manifest.TargetRobotName, Value: "bot"},
		GroupsToAdd: []string{guid(51)}}
	r := NewApplier(f, rs, true, Options{Retry: noWait(3), MaxStaleness: 0}).Do(context.Background(), &Task{Job: job})
	if r.Status != report.StatusSucceeded {
		t.Fatalf("%s %s", r.Status, r.ErrorMessage)
	}
	if got := f.robots[0].DisplayName; got != "Bot (edited)" {
		t.Errorf("display name after the PUT: %q, want the other administrator's %q", got, "Bot (edited)")
	}
}

// Within the staleness window nothing is read again: a rotation that
// finishes inside it costs one request per row.
func TestFreshStateIsNotReadAgain(t *testing.T) {
	f := newFake()
	f.orch = []*OrchestratorUser{{Key: 7, UserName: "r7", HasRobot: true, RobotUserName: `CORP\r7`, CredentialType: "Default"}}
	rs := NewResolver(f, noWait(3))
	a := NewApplier(f, rs, false, Options{Retry: noWait(3), MaxStaleness: time.Hour, LookupEnv: envOf("PW", "Fresh-Pass-123")})
	job := manifest.Job{Row: 1, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "7"},
		NewPassword: &manifest.SecretRef{Kind: manifest.SecretEnv, Name: "PW"}}
	f.readAt = time.Now()
	if r := a.Do(context.Background(), &Task{Job: job}); r.Status != report.StatusSucceeded {
		t.Fatalf("%s %s", r.Status, r.ErrorMessage)
	}
	if n := f.count("GetOrchestratorUser"); n != 1 || a.StaleReads() != 0 {
		t.Errorf("%d reads of the user, %d staleness reads; want 1, 0", n, a.StaleReads())
	}
}

// A robot's settings changed by someone else after the row read them are
// read again before the PATCH, which is then built from them; a robot
// that meanwhile moved to a smart card is not given a password.
func TestRobotPatchIsRebuiltFromSettingsChangedMeanwhile(t *testing.T) {
	for _, tc := range []struct {
		name, credentialType string
		want                 report.Status
	}{{"settings", "Default", report.StatusSucceeded}, {"smart card", "SmartCard", report.StatusFailed}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.orch = []*OrchestratorUser{{Key: 7, UserName: "r7", HasRobot: true, RobotUserName: `CORP\r7`, CredentialType: "Default"}}
			f.onRead = func(method string) {
				if method == "GetOrchestratorUser" && f.count("GetOrchestratorUser") == 2 { // the check before the PATCH
					f.orch[0].RobotUserName, f.orch[0].CredentialType = `CORP\r7-moved`, tc.credentialType
				}
			}
			rs := NewResolver(f, noWait(3))
			a := NewApplier(f, rs, false, Options{Retry: noWait(3), LookupEnv: envOf("PW", "Fresh-Pass-123")})
			job := manifest.Job{Row: 1, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "7"},
				NewPassword: &manifest.SecretRef{Kind: manifest.SecretEnv, Name: "PW"}}
			r := a.Do(context.Background(), &Task{Job: job})
			if r.Status != tc.want {
				t.Fatalf("%s %s, want %s", r.Status, r.ErrorMessage, tc.want)
			}
			if a.StaleReads() < 1 {
				t.Errorf("%d staleness reads, want the robot read again before the PATCH", a.StaleReads())
			}
			switch tc.want {
			case report.StatusSucceeded:
				if f.landedCount("SetRobotCredentials") != 1 || f.orch[0].RobotUserName != `CORP\r7-moved` {
					t.Errorf("PATCH landed %d times with the robot %q; want once, built from the settings read again", f.landedCount("SetRobotCredentials"), f.orch[0].RobotUserName)
				}
			default:
				if f.landedCount("SetRobotCredentials") != 0 || !strings.Contains(r.ErrorMessage, "SmartCard") {
					t.Errorf("a smart-card robot: %d PATCHes, %q", f.landedCount("SetRobotCredentials"), r.ErrorMessage)
				}
			}
		})
	}
}

// Robots that sign in without a password, and robots in a read-only
// store, fail in a plan and in an apply with nothing sent; a store list
// the application may not read fails them with the scope it needs.
func TestRobotsThatMustNotGetAPassword(t *testing.T) {
	store := func(id int64) *int64 { return &id }
	f := newFake()
	f.stores = []CredentialStore{{ID: 1, Name: "Orchestrator Database", Type: "Database"}, {ID: 2, Name: "Vault", Type: "HashiCorpVault", ReadOnly: true}}
	f.orch = []*OrchestratorUser{
		{Key: 1, UserName: "smart", HasRobot: true, CredentialType: "SmartCard"},
		{Key: 2, UserName: "ncipher", HasRobot: true, CredentialType: "NCipher"},
		{Key: 3, UserName: "safenet", HasRobot: true, CredentialType: "SafeNet"},
		{Key: 4, UserName: "none", HasRobot: true, CredentialType: "NoCredential"},
		{Key: 5, UserName: "readonly", HasRobot: true, CredentialType: "Default", StoreID: store(2)},
		{Key: 6, UserName: "database", HasRobot: true, CredentialType: "Default", StoreID: store(1)},
	}
	for _, mode := range []string{"plan", "apply"} {
		rs := NewResolver(f, noWait(3))
		opts := Options{Retry: noWait(3), LookupEnv: envOf("PW", "Fresh-Pass-123")}
		exec := NewPlanner(f, rs, opts)
		if mode == "apply" {
			exec = NewApplier(f, rs, false, opts)
		}
		for key := 1; key <= 6; key++ {
			job := manifest.Job{Row: key, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: string(rune('0' + key))},
				NewPassword: &manifest.SecretRef{Kind: manifest.SecretEnv, Name: "PW"}}
			r := exec.Do(context.Background(), &Task{Job: job})
			ok := r.Status == report.StatusSucceeded || r.Status == report.StatusPlanned
			if (key == 6) != ok {
				t.Errorf("%s of %s: %s %s", mode, f.orch[key-1].UserName, r.Status, r.ErrorMessage)
			}
		}
	}
	if n := f.landedCount("SetRobotCredentials"); n != 1 {
		t.Errorf("%d PATCHes landed, want 1 (the robot in the database store)", n)
	}
	if n := f.count("CredentialStores"); n != 2 {
		t.Errorf("the stores were read %d times, want once a run", n)
	}

	// Without the scope to read the stores.
	f.then("CredentialStores", step{err: &fakeErr{code: report.CodeForbidden, status: 403}})
	rs := NewResolver(f, noWait(3))
	job := manifest.Job{Row: 6, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "6"},
		NewPassword: &manifest.SecretRef{Kind: manifest.SecretEnv, Name: "PW"}}
	r := NewPlanner(f, rs, Options{Retry: noWait(3)}).Do(context.Background(), &Task{Job: job})
	if r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, "OR.Settings.Read") {
		t.Errorf("stores unreadable: %s %q, want a failure naming the scope", r.Status, r.ErrorMessage)
	}
}

// A generated password whose write was refused is followed, in the
// secrets output, by a line saying it was not set.
func TestRefusedPasswordIsRecordedAsNotSet(t *testing.T) {
	f := newFake()
	f.orch = []*OrchestratorUser{{Key: 7, UserName: "r7", HasRobot: true, CredentialType: "Default"}}
	f.then("SetRobotCredentials", step{drop: true, err: &fakeErr{code: report.CodeValidation, status: 400}})
	rec := &secretsKept{}
	a := NewApplier(f, NewResolver(f, noWait(3)), false, Options{Retry: noWait(3), Secrets: rec})
	job := manifest.Job{Row: 1, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "7"},
		NewPassword: &manifest.SecretRef{Kind: manifest.SecretGenerate}}
	if r := a.Do(context.Background(), &Task{Job: job}); r.Status != report.StatusFailed {
		t.Fatalf("%s, want failed", r.Status)
	}
	if rec.count() != 1 || len(rec.notSet) != 1 || !strings.HasPrefix(rec.notSet[0], "new_password false ") {
		t.Errorf("recorded %d, not set %q; want one password followed by one definite not-set line", rec.count(), rec.notSet)
	}
	if strings.Contains(strings.Join(rec.notSet, ""), rec.last) {
		t.Error("the not-set line holds the password")
	}
}

// A robot password is at most 100 characters: a longer one fails its row
// before anything is sent.
func TestRobotPasswordOverTheLimitIsNotSent(t *testing.T) {
	f := newFake()
	f.orch = []*OrchestratorUser{{Key: 7, UserName: "r7", HasRobot: true}}
	long := strings.Repeat("Aa1!", 26)
	a := NewApplier(f, NewResolver(f, noWait(3)), false, Options{Retry: noWait(3), LookupEnv: envOf("PW", long)})
	job := manifest.Job{Row: 1, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: "7"},
		NewPassword: &manifest.SecretRef{Kind: manifest.SecretEnv, Name: "PW"}}
	r := a.Do(context.Background(), &Task{Job: job})
	if r.Status != report.StatusFailed || f.count("SetRobotCredentials") != 0 || strings.Contains(r.ErrorMessage, long) {
		t.Errorf("%s %q, %d PATCHes", r.Status, r.ErrorMessage, f.count("SetRobotCredentials"))
	}
}

func envOf(name, value string) func(string) (string, bool) {
	return func(n string) (string, bool) { return value, n == name }
}

// After a bulk group delete the groups are read again: one that no row
// deletes, gone too, halts the run.
func TestBulkGroupDeleteThatTakesOtherGroupsHaltsTheRun(t *testing.T) {
	for _, takesAll := range []bool{false, true} {
		f := newFake()
		f.groups = []Group{{ID: guid(50), Name: "Everyone", BuiltIn: true}, {ID: guid(51), Name: "A"}, {ID: guid(52), Name: "B"}, {ID: guid(53), Name: "Keep"}}
		f.bulkGroupDeleteTakesAll = takesAll
		rs := NewResolver(f, noWait(3))
		if err := rs.Prepare(context.Background(), Needs{Groups: 1}); err != nil {
			t.Fatal(err)
		}
		exec := NewApplier(f, rs, false, Options{Retry: noWait(3)})
		var tasks []*Task
		for i, name := range []string{"A", "B"} {
			tasks = append(tasks, &Task{Job: manifest.Job{Row: i + 1, Op: manifest.OpDeleteGroup, Target: manifest.Target{Kind: manifest.TargetGroupName, Value: name}}})
		}
		for _, r := range exec.DoBulk(context.Background(), tasks) {
			if r.Status != report.StatusSucceeded {
				t.Errorf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
			}
		}
		halted := exec.Halted()
		if takesAll != (halted != nil) || takesAll && !strings.Contains(halted.Error(), `"Keep"`) {
			t.Errorf("bulk delete taking every local group %v: halted %v", takesAll, halted)
		}
		if f.count("ListGroups") != 2 {
			t.Errorf("groups read %d times, want 2 (before, and after the bulk delete)", f.count("ListGroups"))
		}
	}
}

// A store list read that fails for a passing reason (a 503 after its
// retries) fails only the row that met it: the next row reads again.
func TestPassingStoreReadFailureIsNotKeptForTheRun(t *testing.T) {
	store := int64(1)
	f := newFake()
	f.stores = []CredentialStore{{ID: 1, Name: "Orchestrator Database", Type: "Database"}}
	f.orch = []*OrchestratorUser{{Key: 1, UserName: "a", HasRobot: true, StoreID: &store}, {Key: 2, UserName: "b", HasRobot: true, StoreID: &store}}
	f.then("CredentialStores", step{err: &fakeErr{code: report.CodeServerError, status: 503}})
	rs := NewResolver(f, noWait(1))
	exec := NewPlanner(f, rs, Options{Retry: noWait(1)})
	var got []report.Status
	for key := 1; key <= 2; key++ {
		job := manifest.Job{Row: key, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID, Value: string(rune('0' + key))},
			NewPassword: &manifest.SecretRef{Kind: manifest.SecretGenerate}}
		got = append(got, exec.Do(context.Background(), &Task{Job: job}).Status)
	}
	if got[0] != report.StatusFailed || got[1] != report.StatusPlanned || f.count("CredentialStores") != 2 {
		t.Errorf("statuses %v after %d store reads; want failed then planned after 2", got, f.count("CredentialStores"))
	}
}
