package client

import (
	"context"
	"net/http"

	"github.com/uipath-batch/batch/internal/secret"
)

// NewUser is one user of a create (CreateUserCommandBase). Empty fields
// are left out. A user without UserName takes the email as its userName.
type NewUser struct {
	// ID is the id the user will have; empty lets the server choose one
	// (the create answers no id: read the user back by email).
	ID          string
	UserName    string
	Email       string
	Name        string
	Surname     string
	DisplayName string
	// Type is a UserType ("user", "robot", ...); empty means "user".
	Type                       string
	BypassBasicAuthRestriction bool
	InvitationAccepted         bool
}

// CreateUser is a CreateUserCommand: one user with its first password and
// groups (besides Everyone, which every new user joins).
type CreateUser struct {
	NewUser
	// Password is the first password; zero sends none.
	Password secret.Value
	// ValidatePassword asks the server to check Password against its policy.
	ValidatePassword bool
	GroupIDs         []string
}

// newUserWire is NewUser on the wire (CreateUserCommandBase).
type newUserWire struct {
	ID                         string `json:"id,omitempty"`
	UserName                   string `json:"userName,omitempty"`
	Email                      string `json:"email,omitempty"`
	Name                       string `json:"name,omitempty"`
	Surname                    string `json:"surname,omitempty"`
	DisplayName                string `json:"displayName,omitempty"`
	Type                       string `json:"type,omitempty"`
	BypassBasicAuthRestriction bool   `json:"bypassBasicAuthRestriction"`
	InvitationAccepted         bool   `json:"invitationAccepted"`
}

func (u NewUser) wire() newUserWire {
	return newUserWire{
		ID: u.ID, UserName: u.UserName, Email: u.Email, Name: u.Name, Surname: u.Surname,
		DisplayName: u.DisplayName, Type: u.Type,
		BypassBasicAuthRestriction: u.BypassBasicAuthRestriction, InvitationAccepted: u.InvitationAccepted,
	}
}

// Create creates a user (POST /api/User). The server answers an
// IdentityResult without the new id; a refusal such as DuplicateUserName
// or DuplicateEmail is an *Error of Kind conflict. A POST is not
// idempotent: a request sent without an answer is an *Error whose
// OutcomeUnknown is true (read the user back by email to settle it),
// never one to send again blindly.
func (s *UsersService) Create(ctx context.Context, u CreateUser, opts ...WriteOption) error {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return err
	}
	body := struct {
		newUserWire
		PartitionGlobalID string   `json:"partitionGlobalId"`
		Password          *string  `json:"password,omitempty"`
		ValidatePassword  bool     `json:"validatePassword"`
		GroupIDs          []string `json:"groupIDs,omitempty"`
	}{newUserWire: u.NewUser.wire(), PartitionGlobalID: partition, ValidatePassword: u.ValidatePassword, GroupIDs: u.GroupIDs}
	if !u.Password.IsZero() {
		p := u.Password.Reveal()
		body.Password = &p
	}
	return s.client.sendIdentity(ctx, http.MethodPost, joinURL(s.client.endpoints.Identity, "api", "User"), body, []secret.Value{u.Password}, opts...)
}

// Delete soft-deletes one user (DELETE /api/User/{id}); a user that is not
// (or no longer) there is an *Error of Kind not_found.
func (s *UsersService) Delete(ctx context.Context, id string, opts ...WriteOption) error {
	return s.client.sendDelete(ctx, s.userURL(id), nil, opts...)
}

// BulkDelete soft-deletes users in one request (DELETE /api/User with a
// BulkSoftDeleteCommand). The server deletes all or none: an id with no
// live user refuses the whole request (400 naming the id's position), so a
// request resent after an unanswered success is refused too. More ids
// than the server allows is an error matching ErrBulkTooLarge.
func (s *UsersService) BulkDelete(ctx context.Context, ids []string, opts ...WriteOption) error {
	return s.client.bulkDelete(ctx, "users", ids, func(partition string) (string, any) {
		return joinURL(s.client.endpoints.Identity, "api", "User"), struct {
			PartitionGlobalID string   `json:"partitionGlobalId"`
			UserIDs           []string `json:"userIds"`
		}{partition, ids}
	}, opts...)
}
