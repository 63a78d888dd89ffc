package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
)

// opCalls are the client operations each manifest op reads with and those
// it writes with: a plan's token asks only for the reads' scopes.
var opCalls = map[manifest.Op]struct {
	reads, writes []client.Operation
}{
	manifest.OpUpdateUser:          {userReads, []client.Operation{client.OpUpdateUser}},
	manifest.OpSetPassword:         {userReads, []client.Operation{client.OpUpdateUser}},
	manifest.OpChangePassword:      {userReads, []client.Operation{client.OpChangePassword}},
	manifest.OpUpdateRobotAccount:  {robotReads, []client.Operation{client.OpUpdateRobotAccount}},
	manifest.OpSetRobotCredentials: {[]client.Operation{client.OpGetOrchestratorUser, client.OpFindOrchestratorUser, client.OpListCredentialStores}, []client.Operation{client.OpSetUnattendedCredentials}}, // find: the list too; stores: which are read-only
	manifest.OpEnsureUser:          {userReads, []client.Operation{client.OpCreateUser, client.OpUpdateUser}},
	manifest.OpDeleteUser:          {userReads, []client.Operation{client.OpDeleteUser}},
	manifest.OpEnsureRobotAccount:  {robotReads, []client.Operation{client.OpCreateRobotAccount, client.OpUpdateRobotAccount}},
	manifest.OpDeleteRobotAccount:  {robotReads, []client.Operation{client.OpDeleteRobotAccount}},
	manifest.OpEnsureGroup:         {[]client.Operation{client.OpListGroups}, []client.Operation{client.OpCreateGroup}},
	manifest.OpDeleteGroup:         {[]client.Operation{client.OpListGroups}, []client.Operation{client.OpDeleteGroup}},
	manifest.OpEnsureFolder:        {accessReads, []client.Operation{client.OpCreateFolder}},
	// An account Orchestrator does not list yet is found in the
	// organization, and given access as a directory account.
	manifest.OpSetFolderAccess:       {slices.Concat(accessAccountReads, []client.Operation{client.OpListFolderUsers}), []client.Operation{client.OpAssignFolderUsers, client.OpAssignDirectoryUser, client.OpRemoveFolderUser}},
	manifest.OpRemoveFolderAccess:    {slices.Concat(accessAccountReads, []client.Operation{client.OpListFolderUsers}), []client.Operation{client.OpRemoveFolderUser}},
	manifest.OpSetTenantRoles:        {accessAccountReads, []client.Operation{client.OpAssignTenantRoles, client.OpCreateOrchestratorUser}},
	manifest.OpSetCredentialAsset:    {[]client.Operation{client.OpListFolders, client.OpListRoles, client.OpFindOrchestratorUser, client.OpListAssets, client.OpListCredentialStores}, []client.Operation{client.OpUpdateAsset}},
	manifest.OpUpdateUnattendedRobot: {slices.Concat(accessAccountReads, []client.Operation{client.OpGetOrchestratorUser}), []client.Operation{client.OpSetUnattendedCredentials, client.OpCreateOrchestratorUser}},
}

var (
	userReads  = []client.Operation{client.OpGetUser, client.OpListUsers}
	robotReads = []client.Operation{client.OpGetRobotAccount, client.OpListRobotAccounts}
	// accessReads: the folders, the roles and the Orchestrator users,
	// read once by the first access row.
	accessReads        = []client.Operation{client.OpListFolders, client.OpListRoles, client.OpFindOrchestratorUser}
	accessAccountReads = slices.Concat(accessReads, []client.Operation{client.OpListUsers, client.OpListRobotAccounts, client.OpListGroups})
)

// Census is what a manifest asks for, counted in one pass: rows for the
// confirmation, reads for Resolver.Prepare, operations for the token's
// scopes. The zero Census is not ready: use NewCensus.
type Census struct {
	// Rows counts every row; Resumed the rows an interrupted run finished;
	// Generated the passwords the rows still to run generate.
	Rows, Generated, Resumed int
	// groupRows counts the rows still to run that name groups: they need
	// the organization's group list (one read).
	groupRows int
	byOp      map[manifest.Op]int
	// byKind counts the rows still to run by op and target kind: what the
	// resolver needs to know to choose between lookups and whole lists.
	byKind map[opTarget]int
	// byPhase counts the rows still to run by phase.
	byPhase [phaseCount]int
}

type opTarget struct {
	op   manifest.Op
	kind manifest.TargetKind
	// readsState: the row's account is read whatever the mode (its exact
	// membership is a difference from the current one, or its email and
	// user name are checked).
	readsState bool
}

// NewCensus returns an empty census.
func NewCensus() *Census {
	return &Census{byOp: map[manifest.Op]int{}, byKind: map[opTarget]int{}}
}

// TakeCensus reads a (validated) manifest once and counts its rows,
// leaving out of all but Rows and Resumed the rows done (a resume).
func TakeCensus(ctx context.Context, path string, opts manifest.Options, done journal.State) (*Census, error) {
	r, err := manifest.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	c := NewCensus()
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		c.Add(&job, done)
	}
}

// Add counts one row; a row done is counted as resumed only.
func (c *Census) Add(j *manifest.Job, done journal.State) {
	c.Rows++
	if s, ok := done[j.Row]; ok && s.Done {
		c.Resumed++
		return
	}
	c.byOp[j.Op]++
	c.byPhase[PhaseOf(j)]++
	c.byKind[opTarget{j.Op, j.Target.Kind, ReadsState(j)}]++
	if j.Groups != nil || len(j.GroupsToAdd)+len(j.GroupsToRemove) > 0 || j.Op == manifest.OpEnsureGroup || j.Op == manifest.OpDeleteGroup || groupAccess(j) {
		c.groupRows++
	}
	for _, ref := range []*manifest.SecretRef{j.NewPassword, j.OldPassword, j.InitialPassword} {
		if ref != nil && ref.Kind == manifest.SecretGenerate {
			c.Generated++
		}
	}
}

// Needs totals the reads the rows still to run cost under exec.
func (c *Census) Needs(exec *Executor) Needs {
	var n Needs
	for k, count := range c.byKind {
		job := manifest.Job{Op: k.op, Target: manifest.Target{Kind: k.kind}}
		if k.readsState {
			job.ExpectUserName = "?"
		}
		var one Needs
		exec.Needs(&job, &one)
		n.UserLookups += one.UserLookups * count
		n.UserStates += one.UserStates * count
		n.RobotLookups += one.RobotLookups * count
		n.RobotStates += one.RobotStates * count
		n.OrchestratorLookups += one.OrchestratorLookups * count
		n.Members += one.Members * count
		n.UndoUsers += one.UndoUsers * count
		n.UndoRobots += one.UndoRobots * count
		n.DirectoryUsers += one.DirectoryUsers * count
		n.DirectoryRobots += one.DirectoryRobots * count
	}
	n.Groups = c.groupRows
	return n
}

// Operations lists the client operations the rows still to run use:
// their reads, and their writes when the run writes.
func (c *Census) Operations(writes bool) []client.Operation {
	ops := []client.Operation{}
	for op := range c.byOp {
		calls := opCalls[op]
		ops = append(ops, calls.reads...)
		if writes {
			ops = append(ops, calls.writes...)
		}
	}
	if c.groupRows > 0 {
		ops = append(ops, client.OpListGroups)
	}
	if c.byOp[manifest.OpDeleteGroup] > 0 && writes {
		// A deleted group's members are read for the run's undo.
		ops = append(ops, client.OpListUsers, client.OpListRobotAccounts)
	}
	if c.byPhase[PhaseMemberships] > 0 && writes {
		ops = append(ops, client.OpUpdateGroup) // membership changes go out per group
	}
	if len(ops) == 0 {
		ops = append(ops, client.OpGetUser)
	}
	return ops
}

// groupAccess reports whether a row gives a group access: it may find
// the group in the organization's list.
func groupAccess(j *manifest.Job) bool {
	return j.Op.Access() && j.Target.Kind == manifest.TargetGroupName
}

// Phases lists the phases that have rows still to run, in order.
func (c *Census) Phases() []Phase {
	var ps []Phase
	for p := range phaseCount {
		if c.byPhase[p] > 0 {
			ps = append(ps, p)
		}
	}
	return ps
}

// Deletes counts the rows still to run that delete accounts (users and
// robot accounts) and groups.
func (c *Census) Deletes() (accounts, groups int) {
	return c.byOp[manifest.OpDeleteUser] + c.byOp[manifest.OpDeleteRobotAccount], c.byOp[manifest.OpDeleteGroup]
}

// String is the rows still to run by op, "set_password 3, update_user 2".
func (c *Census) String() string {
	ops := slices.Sorted(maps.Keys(c.byOp))
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %d", op, c.byOp[op])
	}
	return strings.Join(parts, ", ")
}
