package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
)

// ClientAdapter is the Writer (and Reader) over the UiPath client.
type ClientAdapter struct {
	c *client.Client
	// orchestratorRefused holds Orchestrator's "You are not authorized!"
	// once it was answered: it holds for every Orchestrator request of the
	// run (the application has no role there), so later rows fail at once
	// without spending requests, while Identity rows go on.
	orchestratorRefused atomic.Pointer[clientFailure]
}

// NewClientAdapter adapts c to the Reader and Writer interfaces.
func NewClientAdapter(c *client.Client) *ClientAdapter { return &ClientAdapter{c: c} }

var _ Writer = (*ClientAdapter)(nil)

func fromClientUser(u client.User) User {
	out := User{
		ID: u.ID, UserName: u.UserName, Email: u.Email, Name: u.Name, Surname: u.Surname,
		DisplayName: u.DisplayName, IsActive: u.IsActive, BypassBasicAuthRestriction: u.BypassBasicAuthRestriction,
		InvitationAccepted: u.InvitationAccepted, GroupIDs: u.GroupIDs, Type: u.Type, Category: u.Category,
	}
	if u.LastModificationTime != nil {
		out.LastModified = *u.LastModificationTime
	}
	return out
}

func fromClientRobot(r client.RobotAccount) Robot {
	return Robot{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, GroupIDs: r.GroupIDs, ReadAt: time.Now()}
}

func fromOrchestratorUser(o client.OrchestratorUser) OrchestratorUser {
	out := OrchestratorUser{Key: o.ID, UserName: o.UserName, read: &o, ReadAt: time.Now()}
	if r := o.UnattendedRobot; r != nil {
		out.HasRobot = true
		out.RobotUserName = r.UserName
		out.ExternalStore = r.ExternalStore()
		out.CredentialType = r.CredentialType
		out.StoreID = r.CredentialStoreID
	}
	return out
}

// sameRobot reports whether a and b (two reads of one Orchestrator user)
// hold the same robot settings, as a PATCH would send them back.
func sameRobot(a, b OrchestratorUser) bool {
	if a.read == nil || b.read == nil {
		return a.HasRobot == b.HasRobot && a.RobotUserName == b.RobotUserName && a.CredentialType == b.CredentialType &&
			a.ExternalStore == b.ExternalStore && equalID(a.StoreID, b.StoreID)
	}
	if a.read.UnattendedRobot == nil || b.read.UnattendedRobot == nil {
		return a.read.UnattendedRobot == nil && b.read.UnattendedRobot == nil
	}
	ja, erra := json.Marshal(a.read.UnattendedRobot)
	jb, errb := json.Marshal(b.read.UnattendedRobot)
	return erra == nil && errb == nil && bytes.Equal(ja, jb)
}

func equalID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// GetUser reads one user.
func (a *ClientAdapter) GetUser(ctx context.Context, id string) (User, error) {
	u, err := a.c.Users.Get(ctx, id)
	return fromClientUser(u), adaptErr(err)
}

// EachUser pages through every user.
func (a *ClientAdapter) EachUser(ctx context.Context, fn func(User) error) error {
	return a.EachUserWithTotal(ctx, nil, fn)
}

// EachUserWithTotal pages through every user, telling total the list's
// length first.
func (a *ClientAdapter) EachUserWithTotal(ctx context.Context, total func(int64) error, fn func(User) error) error {
	return adaptErr(a.c.Users.All(ctx, func(u client.User) error { return fn(fromClientUser(u)) }, client.ListTotal(total)))
}

// FindUser finds one user by exact email or user name.
func (a *ClientAdapter) FindUser(ctx context.Context, byEmail bool, value string) (User, error) {
	var u client.User
	var err error
	if byEmail {
		u, err = a.c.Users.FindByEmail(ctx, value)
	} else {
		u, err = a.c.Users.FindByUserName(ctx, value)
	}
	return fromClientUser(u), adaptErr(err)
}

// GetRobot reads one robot account.
func (a *ClientAdapter) GetRobot(ctx context.Context, id string) (Robot, error) {
	r, err := a.c.RobotAccounts.Get(ctx, id)
	return fromClientRobot(r), adaptErr(err)
}

// EachRobot pages through every robot account.
func (a *ClientAdapter) EachRobot(ctx context.Context, fn func(Robot) error) error {
	return a.EachRobotWithTotal(ctx, nil, fn)
}

// EachRobotWithTotal pages through every robot account, telling total the
// list's length first.
func (a *ClientAdapter) EachRobotWithTotal(ctx context.Context, total func(int64) error, fn func(Robot) error) error {
	return adaptErr(a.c.RobotAccounts.All(ctx, func(r client.RobotAccount) error { return fn(fromClientRobot(r)) }, client.ListTotal(total)))
}

// FindRobot finds one robot account by exact name.
func (a *ClientAdapter) FindRobot(ctx context.Context, name string) (Robot, error) {
	r, err := a.c.RobotAccounts.FindByName(ctx, name)
	return fromClientRobot(r), adaptErr(err)
}

// GetOrchestratorUser reads one Orchestrator user by key.
func (a *ClientAdapter) GetOrchestratorUser(ctx context.Context, key int64) (OrchestratorUser, error) {
	var o client.OrchestratorUser
	err := a.orchestrator(func() (err error) {
		o, err = a.c.OrchestratorUsers.Get(ctx, key)
		return err
	})
	return fromOrchestratorUser(o), err
}

// FindOrchestratorUser finds one Orchestrator user by exact user name.
func (a *ClientAdapter) FindOrchestratorUser(ctx context.Context, userName string) (OrchestratorUser, error) {
	var o client.OrchestratorUser
	err := a.orchestrator(func() (err error) {
		o, err = a.c.OrchestratorUsers.FindByUserName(ctx, userName)
		return err
	})
	return fromOrchestratorUser(o), err
}

// EachOrchestratorUser pages through every Orchestrator user.
func (a *ClientAdapter) EachOrchestratorUser(ctx context.Context, fn func(OrchestratorUser) error) error {
	return a.orchestrator(func() error {
		return a.c.OrchestratorUsers.All(ctx, func(o client.OrchestratorUser) error { return fn(fromOrchestratorUser(o)) })
	})
}

// ProbeOrchestrator reads the first page of Orchestrator's users, to tell
// that the tenant is there (see Resolver.CheckTarget); a refusal is not
// kept for the rows (see orchestrator).
func (a *ClientAdapter) ProbeOrchestrator(ctx context.Context) error {
	err := a.c.OrchestratorUsers.All(ctx, func(client.OrchestratorUser) error { return errProbed })
	if errors.Is(err, errProbed) {
		return nil
	}
	return adaptErr(err)
}

// ListGroups reads the organization's groups.
func (a *ClientAdapter) ListGroups(ctx context.Context) ([]Group, error) {
	gs, err := a.c.Groups.List(ctx)
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = Group{ID: g.ID, Name: g.Name, BuiltIn: strings.EqualFold(g.Type, "builtIn")}
	}
	return out, adaptErr(err)
}

// CredentialStores reads the tenant's credential stores. A refusal of
// this read (a scope the application lacks) says nothing of Orchestrator's
// other endpoints, so it is not kept as Orchestrator's refusal of the run.
func (a *ClientAdapter) CredentialStores(ctx context.Context) ([]CredentialStore, error) {
	list, err := a.c.CredentialStores.List(ctx)
	out := make([]CredentialStore, len(list))
	for i, s := range list {
		out[i] = CredentialStore{ID: s.ID, Name: s.Name, Type: s.Type, ReadOnly: s.ReadOnly}
	}
	return out, adaptErr(err)
}

// UpdateUser changes a user.
func (a *ClientAdapter) UpdateUser(ctx context.Context, id string, u UserUpdate, before BeforeSend) error {
	return adaptErr(a.c.Users.Update(ctx, id, client.UpdateUser{
		Name: u.Name, Surname: u.Surname, DisplayName: u.DisplayName, IsActive: u.IsActive,
		Password: u.Password, GroupIDsToAdd: u.GroupIDsToAdd, GroupIDsToRemove: u.GroupIDsToRemove,
		BypassBasicAuthRestriction: u.BypassBasicAuthRestriction, InvitationAccepted: u.Invitation,
	}, client.BeforeSend(before)))
}

// ChangePassword changes a user's password, guarded by the old one.
func (a *ClientAdapter) ChangePassword(ctx context.Context, id string, oldPassword, newPassword secret.Value, before BeforeSend) error {
	return adaptErr(a.c.Users.ChangePassword(ctx, id, oldPassword, newPassword, client.BeforeSend(before)))
}

// UpdateRobot changes a robot account.
func (a *ClientAdapter) UpdateRobot(ctx context.Context, id string, u RobotUpdate, before BeforeSend) error {
	_, err := a.c.RobotAccounts.Update(ctx, id, client.UpdateRobotAccount{
		DisplayName: u.DisplayName, GroupIDsToAdd: u.GroupIDsToAdd, GroupIDsToRemove: u.GroupIDsToRemove,
	}, client.BeforeSend(before))
	return adaptErr(err)
}

// SetRobotCredentials sets an unattended robot's Windows credentials: one
// PATCH carrying the robot as read with o (a read first only when o was
// not read by this adapter).
func (a *ClientAdapter) SetRobotCredentials(ctx context.Context, o OrchestratorUser, robotUserName string, password secret.Value, before BeforeSend) error {
	creds := client.UnattendedCredentials{UserName: robotUserName, Password: password}
	return a.orchestrator(func() error {
		var err error
		if o.read != nil {
			_, err = a.c.OrchestratorUsers.SetUnattendedCredentialsOf(ctx, *o.read, creds, client.BeforeSend(before))
		} else {
			_, err = a.c.OrchestratorUsers.SetUnattendedCredentials(ctx, o.Key, creds, client.BeforeSend(before))
		}
		return err
	})
}

// CreateUser creates a user.
func (a *ClientAdapter) CreateUser(ctx context.Context, u NewUser, before BeforeSend) error {
	return adaptErr(a.c.Users.Create(ctx, client.CreateUser{
		NewUser: client.NewUser{
			ID: u.ID, Email: u.Email, UserName: u.UserName, Name: u.Name, Surname: u.Surname, DisplayName: u.DisplayName,
			BypassBasicAuthRestriction: u.BypassBasicAuthRestriction,
		},
		Password: u.Password, ValidatePassword: !u.Password.IsZero(), GroupIDs: u.GroupIDs,
	}, client.BeforeSend(before)))
}

// CreateRobot creates a robot account.
func (a *ClientAdapter) CreateRobot(ctx context.Context, r NewRobot, before BeforeSend) error {
	_, err := a.c.RobotAccounts.Create(ctx, client.NewRobotAccount{Name: r.Name, DisplayName: r.DisplayName, GroupIDs: r.GroupIDs}, client.BeforeSend(before))
	return adaptErr(err)
}

// CreateGroup creates a local group without members.
func (a *ClientAdapter) CreateGroup(ctx context.Context, g NewGroup, before BeforeSend) error {
	_, err := a.c.Groups.Create(ctx, client.NewGroup{ID: g.ID, Name: g.Name}, client.BeforeSend(before))
	return adaptErr(err)
}

// UpdateGroupMembers changes g's members, sending its name as read.
func (a *ClientAdapter) UpdateGroupMembers(ctx context.Context, g Group, add, remove []string, before BeforeSend) error {
	_, err := a.c.Groups.Update(ctx, g.ID, client.UpdateGroup{Name: g.Name, MemberIDsToAdd: add, MemberIDsToRemove: remove}, client.BeforeSend(before))
	return adaptErr(err)
}

// DeleteUsers soft-deletes users: one id with the single delete, more in
// one bulk request.
func (a *ClientAdapter) DeleteUsers(ctx context.Context, ids []string, before BeforeSend) error {
	if len(ids) == 1 {
		return adaptErr(a.c.Users.Delete(ctx, ids[0], client.BeforeSend(before)))
	}
	return adaptErr(a.c.Users.BulkDelete(ctx, ids, client.BeforeSend(before)))
}

// DeleteRobots deletes robot accounts (see DeleteUsers).
func (a *ClientAdapter) DeleteRobots(ctx context.Context, ids []string, before BeforeSend) error {
	if len(ids) == 1 {
		return adaptErr(a.c.RobotAccounts.Delete(ctx, ids[0], client.BeforeSend(before)))
	}
	return adaptErr(a.c.RobotAccounts.BulkDelete(ctx, ids, client.BeforeSend(before)))
}

// DeleteGroups deletes local groups (see DeleteUsers).
func (a *ClientAdapter) DeleteGroups(ctx context.Context, ids []string, before BeforeSend) error {
	if len(ids) == 1 {
		return adaptErr(a.c.Groups.Delete(ctx, ids[0], client.BeforeSend(before)))
	}
	return adaptErr(a.c.Groups.BulkDelete(ctx, ids, client.BeforeSend(before)))
}

// orchestrator sends an Orchestrator request, unless Orchestrator already
// refused this application in the run.
func (a *ClientAdapter) orchestrator(send func() error) error {
	if first := a.orchestratorRefused.Load(); first != nil {
		return failf(first.Code(), "not sent: Orchestrator refused this application earlier in the run (%v)", first)
	}
	err := send()
	f := adaptErr(err)
	if ce, ok := client.AsError(err); ok && ce.Code == client.CodeABPNotAuthorized {
		a.orchestratorRefused.CompareAndSwap(nil, f.(*clientFailure))
	}
	return f
}

// clientFailure presents a client error as a Failure, keeping its retry
// class (Retryable, OutcomeUnknown, RetryAfter) visible to errors.As.
type clientFailure struct {
	err  error
	kind report.Code
	ce   *client.Error
}

func adaptErr(err error) error {
	if err == nil {
		return nil
	}
	f := &clientFailure{err: err, kind: report.Code(client.KindOf(err))}
	if ce, ok := client.AsError(err); ok {
		f.ce = ce
	}
	var le *client.LookupError
	if errors.As(err, &le) {
		f.kind = report.Code(le.Kind())
	}
	if client.IsAuthFailure(err) {
		f.kind = report.CodeUnauthorized
	}
	return f
}

func (f *clientFailure) Error() string { return f.err.Error() }
func (f *clientFailure) Unwrap() error { return f.err }
func (f *clientFailure) Code() report.Code {
	if f.kind == "" {
		return report.CodeNetwork
	}
	return f.kind
}

func (f *clientFailure) HTTPStatus() int {
	if f.ce == nil {
		return 0
	}
	return f.ce.StatusCode
}

func (f *clientFailure) FieldErrors() map[string][]string {
	if f.ce == nil {
		return nil
	}
	return f.ce.FieldErrors
}

func (f *clientFailure) TraceID() string {
	if f.ce == nil {
		return ""
	}
	return f.ce.TraceID
}

// Retryable reports the client's retry class.
func (f *clientFailure) Retryable() bool { return f.ce != nil && f.ce.Retryable() }

// OutcomeUnknown reports whether the request may have taken effect.
func (f *clientFailure) OutcomeUnknown() bool { return f.ce != nil && f.ce.OutcomeUnknown() }

// RetryAfter is the server's Retry-After.
func (f *clientFailure) RetryAfter() time.Duration {
	if f.ce == nil {
		return 0
	}
	return f.ce.RetryAfter()
}
