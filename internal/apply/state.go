// Package apply turns validated manifest jobs into UiPath API calls and
// per-row results: it resolves targets (paging whole lists into an index
// when that spends fewer reads), computes the field-level difference each
// row makes, executes writes with retries, and establishes the outcome of
// requests whose answer was lost.
//
// It talks to UiPath through two small interfaces: Reader for plans, and
// Writer (a Reader that can also write) for apply. A plan's executor holds
// a Reader only: its type has nothing that writes.
package apply

import (
	"context"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
)

// User is what apply needs to know of an Identity user.
type User struct {
	ID                         string
	UserName                   string
	Email                      string
	Name                       string
	Surname                    string
	DisplayName                string
	IsActive                   bool
	BypassBasicAuthRestriction bool
	InvitationAccepted         bool
	GroupIDs                   []string
	LastModified               time.Time
	// Type is Identity's user type: "user" for a local account, else a
	// directory's ("directoryUser", …), or an integer code this version
	// does not know (client.UnknownEnum).
	Type string
	// Category is "local", "linkedLocal" or "directory" when the service
	// says (the live service does; the published definitions do not).
	Category string
}

// Local reports whether the user's password is Identity's to set (not a
// directory's): its category decides when the service sends one, else its
// type. A user the service sends no type for counts as local; a type or
// category this version does not know does not.
func (u *User) Local() bool {
	if u.Type != "" && !strings.EqualFold(u.Type, "user") {
		return false
	}
	return u.Category == "" || strings.EqualFold(u.Category, "local") || strings.EqualFold(u.Category, "linkedLocal")
}

// Robot is what apply needs to know of an Identity robot account.
type Robot struct {
	ID          string
	Name        string
	DisplayName string
	GroupIDs    []string
	// ReadAt is when the Reader read it (zero: not said). A PUT that sends
	// its display name back reads it again when older than
	// Options.MaxStaleness.
	ReadAt time.Time
}

// OrchestratorUser is an Orchestrator user holding unattended credentials.
type OrchestratorUser struct {
	Key           int64
	UserName      string
	RobotUserName string // the Windows account of its UnattendedRobot
	// HasRobot: the user has an unattended robot.
	HasRobot bool
	// ExternalStore says where the robot's password lives when
	// Orchestrator only refers to it; "" when Orchestrator holds it.
	ExternalStore string
	// CredentialType is the robot's sign-in kind ("" or "Default": a
	// password; SmartCard, NCipher, SafeNet, NoCredential: none to set).
	CredentialType string
	// StoreID is the robot's credential store, when it names one.
	StoreID *int64
	// ReadAt is when the Reader read it (zero: not said); a PATCH reads it
	// again when older than Options.MaxStaleness.
	ReadAt time.Time
	// read is the user as the client read it, whole: setting credentials
	// sends its robot back without reading it again (PATCH replaces the
	// nested object). Nil when another Reader made it.
	read *client.OrchestratorUser
}

// UserUpdate is a user change; nil fields are left as they are.
type UserUpdate struct {
	Name, Surname, DisplayName                       *string
	IsActive, BypassBasicAuthRestriction, Invitation *bool
	GroupIDsToAdd, GroupIDsToRemove                  []string
	Password                                         secret.Value
}

// RobotUpdate is a robot account change; nil fields are left as they are.
type RobotUpdate struct {
	DisplayName                     *string
	GroupIDsToAdd, GroupIDsToRemove []string
}

// Reader reads accounts. Every method spends requests from UiPath's GET
// budget, the scarcest one; the resolver decides which to call.
type Reader interface {
	GetUser(ctx context.Context, id string) (User, error)
	// EachUser pages through every user of the organization.
	EachUser(ctx context.Context, fn func(User) error) error
	// EachUserWithTotal is EachUser that first tells total the list's
	// length, as its first page says, before any user: an error from
	// total stops the walk there and is returned. A reader that cannot
	// tell the length ahead never calls total.
	EachUserWithTotal(ctx context.Context, total func(int64) error, fn func(User) error) error
	// FindUser finds one user by exact email (case-insensitive) or user name.
	FindUser(ctx context.Context, byEmail bool, value string) (User, error)
	GetRobot(ctx context.Context, id string) (Robot, error)
	EachRobot(ctx context.Context, fn func(Robot) error) error
	// EachRobotWithTotal is EachRobot told the list's length first, as
	// EachUserWithTotal is.
	EachRobotWithTotal(ctx context.Context, total func(int64) error, fn func(Robot) error) error
	FindRobot(ctx context.Context, name string) (Robot, error)
	GetOrchestratorUser(ctx context.Context, key int64) (OrchestratorUser, error)
	FindOrchestratorUser(ctx context.Context, userName string) (OrchestratorUser, error)
	// EachOrchestratorUser pages through every Orchestrator user of the
	// tenant.
	EachOrchestratorUser(ctx context.Context, fn func(OrchestratorUser) error) error
	// ListGroups reads every group of the organization (one request).
	ListGroups(ctx context.Context) ([]Group, error)
	// CredentialStores reads the tenant's credential stores (one request).
	CredentialStores(ctx context.Context) ([]CredentialStore, error)
}

// CredentialStore is an Orchestrator credential store: where a robot's
// password is kept. A read-only one cannot take a password from
// Orchestrator.
type CredentialStore struct {
	ID       int64
	Name     string
	Type     string
	ReadOnly bool
}

// Group is a group of the organization: the id accounts hold, its name.
type Group struct {
	ID   string
	Name string
	// BuiltIn: one of the groups every organization has, which cannot be
	// renamed or deleted.
	BuiltIn bool
}

// NewUser is a user to create with its first password and groups.
type NewUser struct {
	// ID is the id the user is created with (the client chooses it, so
	// that a create whose answer was lost is settled by reading that id).
	ID                                          string
	Email, UserName, Name, Surname, DisplayName string
	BypassBasicAuthRestriction                  bool
	GroupIDs                                    []string
	Password                                    secret.Value
}

// NewGroup is a local group to create, without members.
type NewGroup struct {
	// ID is the id the group is created with: the service refuses a
	// group create without one (see NewUser.ID).
	ID, Name string
}

// NewRobot is a robot account to create.
type NewRobot struct {
	Name, DisplayName string
	GroupIDs          []string
}

// BeforeSend is a write's before-send hook (nil: none). The Writer runs
// it once the write has its slot in the request budget, right before the
// write leaves (not for the reads a write makes first), and does not send
// the write if it fails: the write then returns the hook's error as it is.
type BeforeSend func() error

// Writer reads and writes accounts. Every write runs its before hook (see
// BeforeSend) right before it leaves.
type Writer interface {
	Reader
	UpdateUser(ctx context.Context, id string, u UserUpdate, before BeforeSend) error
	ChangePassword(ctx context.Context, id string, oldPassword, newPassword secret.Value, before BeforeSend) error
	UpdateRobot(ctx context.Context, id string, u RobotUpdate, before BeforeSend) error
	// SetRobotCredentials sets the credentials of o's unattended robot
	// (an empty robotUserName keeps its account as o holds it); o
	// is the user as a Reader returned it.
	SetRobotCredentials(ctx context.Context, o OrchestratorUser, robotUserName string, password secret.Value, before BeforeSend) error

	// Creates are not idempotent: one sent without an answer is settled
	// by reading (does the account exist now?).
	CreateUser(ctx context.Context, u NewUser, before BeforeSend) error
	CreateRobot(ctx context.Context, r NewRobot, before BeforeSend) error
	CreateGroup(ctx context.Context, g NewGroup, before BeforeSend) error
	// UpdateGroupMembers adds and removes members (users or robot
	// accounts, by id) of g in one request, sending g's name with it.
	UpdateGroupMembers(ctx context.Context, g Group, add, remove []string, before BeforeSend) error
	// DeleteUsers, DeleteRobots and DeleteGroups delete in one request
	// (one id: the single delete); the server deletes all or none.
	DeleteUsers(ctx context.Context, ids []string, before BeforeSend) error
	DeleteRobots(ctx context.Context, ids []string, before BeforeSend) error
	DeleteGroups(ctx context.Context, ids []string, before BeforeSend) error
}

// Failure is how apply sees an API error: the client's errors are adapted
// to it (see client.go), and tests can fake it.
type Failure interface {
	error
	// Code is the row's error code in the report.
	Code() report.Code
	HTTPStatus() int
	FieldErrors() map[string][]string
	TraceID() string
}
