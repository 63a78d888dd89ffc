package apply

import (
	"slices"
	"testing"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
)

// censusJobs is a manifest's worth of rows: two users by email (one naming
// groups), one by id with a generated password, a robot account by name
// and a robot's credentials.
func censusJobs() []manifest.Job {
	return []manifest.Job{
		{Row: 1, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetEmail}},
		{Row: 2, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetEmail}, Groups: []string{"Finance"}},
		{Row: 3, Op: manifest.OpSetPassword, Target: manifest.Target{Kind: manifest.TargetUserID},
			NewPassword: &manifest.SecretRef{Kind: manifest.SecretGenerate}},
		{Row: 4, Op: manifest.OpUpdateRobotAccount, Target: manifest.Target{Kind: manifest.TargetRobotName}},
		{Row: 5, Op: manifest.OpSetRobotCredentials, Target: manifest.Target{Kind: manifest.TargetOrchestratorUserID}},
	}
}

func takeCensus(done journal.State) *Census {
	c := NewCensus()
	for _, j := range censusJobs() {
		c.Add(&j, done)
	}
	return c
}

// Rows done by an interrupted run count as resumed only: they generate no
// password, need no read and no scope.
func TestCensusCountsRowsStillToRun(t *testing.T) {
	c := takeCensus(nil)
	if c.Rows != 5 || c.Resumed != 0 || c.Generated != 1 {
		t.Errorf("census of a new run: rows %d, resumed %d, generated %d", c.Rows, c.Resumed, c.Generated)
	}
	if got := c.String(); got != "set_password 1, set_robot_credentials 1, update_robot_account 1, update_user 2" {
		t.Errorf("String() = %q", got)
	}
	done := journal.State{2: {Done: true}, 3: {Done: true}, 4: {Intent: &journal.Intent{Row: 4}}}
	c = takeCensus(done)
	if c.Rows != 5 || c.Resumed != 2 || c.Generated != 0 {
		t.Errorf("census of a resume: rows %d, resumed %d, generated %d", c.Rows, c.Resumed, c.Generated)
	}
	if got := c.String(); got != "set_robot_credentials 1, update_robot_account 1, update_user 1" {
		t.Errorf("String() of a resume = %q", got)
	}
}

// A plan's token asks for the reads' scopes only; an apply's also for the
// writes of the ops it runs, and the group list only when a row names
// groups.
func TestCensusOperations(t *testing.T) {
	c := takeCensus(nil)
	plan := c.Operations(false)
	for _, write := range []client.Operation{client.OpUpdateUser, client.OpUpdateRobotAccount, client.OpSetUnattendedCredentials} {
		if slices.Contains(plan, write) {
			t.Errorf("a plan asks for %v", write)
		}
		if !slices.Contains(c.Operations(true), write) {
			t.Errorf("an apply does not ask for %v", write)
		}
	}
	for _, read := range []client.Operation{client.OpGetUser, client.OpListUsers, client.OpGetRobotAccount, client.OpFindOrchestratorUser, client.OpListGroups} {
		if !slices.Contains(plan, read) {
			t.Errorf("a plan does not ask for %v", read)
		}
	}
	if slices.Contains(c.Operations(true), client.OpChangePassword) {
		t.Error("no row changes a password, yet the token asks to")
	}
	c = takeCensus(journal.State{2: {Done: true}})
	if slices.Contains(c.Operations(true), client.OpListGroups) {
		t.Error("the only row naming groups is done, yet the token asks for the group list")
	}
	if got := NewCensus().Operations(false); !slices.Equal(got, []client.Operation{client.OpGetUser}) {
		t.Errorf("an empty census asks for %v, want a user read only", got)
	}
}

// The reads a census needs are the sum of its rows' under the executor's
// mode: an apply by id reads no state unless the row checks it; a
// set_robot_credentials row always reads its Orchestrator user.
func TestCensusNeeds(t *testing.T) {
	c := takeCensus(nil)
	want := Needs{UserLookups: 2, UserStates: 1, RobotLookups: 1, OrchestratorLookups: 1, Groups: 1}
	if got := c.Needs(NewPlanner(nil, nil, Options{})); got != want {
		t.Errorf("plan needs %+v, want %+v", got, want)
	}
	want.UserStates = 0
	if got := c.Needs(NewApplier(nil, nil, false, Options{})); got != want {
		t.Errorf("apply needs %+v, want %+v", got, want)
	}
}

// Each op's token asks for the operation that writes it, and for those that
// find its account by id and by name.
func TestCensusOperationsPerOp(t *testing.T) {
	for op, want := range map[manifest.Op][]client.Operation{
		manifest.OpUpdateUser:          {client.OpGetUser, client.OpListUsers, client.OpUpdateUser},
		manifest.OpSetPassword:         {client.OpGetUser, client.OpListUsers, client.OpUpdateUser},
		manifest.OpChangePassword:      {client.OpGetUser, client.OpListUsers, client.OpChangePassword},
		manifest.OpUpdateRobotAccount:  {client.OpGetRobotAccount, client.OpListRobotAccounts, client.OpUpdateRobotAccount},
		manifest.OpSetRobotCredentials: {client.OpGetOrchestratorUser, client.OpFindOrchestratorUser, client.OpListCredentialStores, client.OpSetUnattendedCredentials},
	} {
		c := NewCensus()
		c.Add(&manifest.Job{Row: 1, Op: op}, nil)
		if got := c.Operations(true); !slices.Equal(got, want) {
			t.Errorf("%s asks for %v, want %v", op, got, want)
		}
	}
}

// A row by id that names groups reads its account whatever the mode: its
// membership is a difference from the current one.
func TestCensusNeedsStateOfExactGroups(t *testing.T) {
	c := NewCensus()
	c.Add(&manifest.Job{Row: 1, Op: manifest.OpUpdateUser, Target: manifest.Target{Kind: manifest.TargetUserID}, Groups: []string{}}, nil)
	want := Needs{UserStates: 1, Groups: 1}
	if got := c.Needs(NewApplier(nil, nil, false, Options{})); got != want {
		t.Errorf("apply needs %+v, want %+v", got, want)
	}
}
