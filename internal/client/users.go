package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/secret"
)

// UsersService reads and changes Identity users (/api/User).
type UsersService service

// User is an Identity user (UserDto).
type User struct {
	ID             string `json:"id"`
	UserName       string `json:"userName"`
	Email          string `json:"email"`
	EmailConfirmed bool   `json:"emailConfirmed"`
	Name           string `json:"name"`
	Surname        string `json:"surname"`
	DisplayName    string `json:"displayName"`
	IsActive       bool   `json:"isActive"`
	// Type is a UserType name ("user", "robot", "directoryUser",
	// "directoryGroup", "robotAccount", "application"), read from the name
	// or its integer code; an unknown code is kept as UnknownEnumPrefix and
	// the code (see UnknownEnum).
	Type string `json:"type"`
	// Category is "local", "linkedLocal" or "directory" (read from the name
	// or its integer code, like Type), "" when the server sent none.
	Category string `json:"category,omitempty"`
	// GroupIDs is nil for a user in no groups (the server sends null).
	GroupIDs                   []string   `json:"groupIDs"`
	LegacyID                   int64      `json:"legacyId"`
	BypassBasicAuthRestriction bool       `json:"bypassBasicAuthRestriction"`
	InvitationAccepted         bool       `json:"invitationAccepted"`
	CreationTime               *time.Time `json:"creationTime"`
	LastModificationTime       *time.Time `json:"lastModificationTime"`
	LastLoginTime              *time.Time `json:"lastLoginTime"`
}

// UnmarshalJSON reads a UserDto, accepting UiPath's timestamp forms and
// enum values as names or integer codes.
func (u *User) UnmarshalJSON(b []byte) error {
	if err := readDocument(b, u); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	return nil
}

// userFields are UserDto's names User reads, in the order encoding/json
// matched them (the first of two names equal regardless of case wins).
var userFields = jsonFields{"id", "userName", "email", "emailConfirmed", "name", "surname", "displayName",
	"isActive", "groupIDs", "legacyId", "bypassBasicAuthRestriction", "invitationAccepted",
	"type", "category", "creationTime", "lastModificationTime", "lastLoginTime"}

// readJSON reads a UserDto (null: the zero User).
func (u *User) readJSON(r *jsonReader) error {
	*u = User{}
	if r.null() {
		return nil
	}
	var times [3]apiTime
	err := r.object(func(key []byte) error {
		switch userFields.field(key) {
		case "id":
			return r.readString(&u.ID)
		case "userName":
			return r.readString(&u.UserName)
		case "email":
			return r.readString(&u.Email)
		case "emailConfirmed":
			return r.readBool(&u.EmailConfirmed)
		case "name":
			return r.readString(&u.Name)
		case "surname":
			return r.readString(&u.Surname)
		case "displayName":
			return r.readString(&u.DisplayName)
		case "isActive":
			return r.readBool(&u.IsActive)
		case "groupIDs":
			return r.readStrings(&u.GroupIDs)
		case "legacyId":
			return r.readInt64(&u.LegacyID)
		case "bypassBasicAuthRestriction":
			return r.readBool(&u.BypassBasicAuthRestriction)
		case "invitationAccepted":
			return r.readBool(&u.InvitationAccepted)
		case "type":
			raw, err := r.raw()
			u.Type, _ = userTypes.decode(raw)
			return err
		case "category":
			raw, err := r.raw()
			u.Category, _ = userCategories.decode(raw)
			return err
		case "creationTime":
			return times[0].read(r)
		case "lastModificationTime":
			return times[1].read(r)
		case "lastLoginTime":
			return times[2].read(r)
		}
		return r.skip()
	})
	if err != nil {
		return err
	}
	timePointers(times[:], &u.CreationTime, &u.LastModificationTime, &u.LastLoginTime)
	return nil
}

// UpdateUser is an UpdateUserCommand: nil and empty fields are left out,
// which means "leave as is". Email cannot be changed and is never sent.
type UpdateUser struct {
	Name                       *string
	Surname                    *string
	DisplayName                *string
	IsActive                   *bool
	Password                   secret.Value
	GroupIDsToAdd              []string
	GroupIDsToRemove           []string
	BypassBasicAuthRestriction *bool
	InvitationAccepted         *bool
	ExtensionAttributesToSet   map[string]string
	ExtensionAttributesToDrop  []string
}

// updateUserCommand is UpdateUser on the wire.
type updateUserCommand struct {
	Name                                 *string           `json:"name,omitempty"`
	Surname                              *string           `json:"surname,omitempty"`
	DisplayName                          *string           `json:"displayName,omitempty"`
	IsActive                             *bool             `json:"isActive,omitempty"`
	Password                             *string           `json:"password,omitempty"`
	GroupIDsToAdd                        []string          `json:"groupIDsToAdd,omitempty"`
	GroupIDsToRemove                     []string          `json:"groupIDsToRemove,omitempty"`
	BypassBasicAuthRestriction           *bool             `json:"bypassBasicAuthRestriction,omitempty"`
	InvitationAccepted                   *bool             `json:"invitationAccepted,omitempty"`
	ExtensionUserAttributesToAddOrUpdate map[string]string `json:"extensionUserAttributesToAddOrUpdate,omitempty"`
	ExtensionUserAttributesToRemove      []string          `json:"extensionUserAttributesToRemove,omitempty"`
}

func (u UpdateUser) wire() updateUserCommand {
	cmd := updateUserCommand{
		Name: u.Name, Surname: u.Surname, DisplayName: u.DisplayName, IsActive: u.IsActive,
		GroupIDsToAdd: u.GroupIDsToAdd, GroupIDsToRemove: u.GroupIDsToRemove,
		BypassBasicAuthRestriction: u.BypassBasicAuthRestriction, InvitationAccepted: u.InvitationAccepted,
		ExtensionUserAttributesToAddOrUpdate: u.ExtensionAttributesToSet,
		ExtensionUserAttributesToRemove:      u.ExtensionAttributesToDrop,
	}
	if !u.Password.IsZero() {
		p := u.Password.Reveal()
		cmd.Password = &p
	}
	return cmd
}

func (s *UsersService) userURL(id string) string {
	return joinURL(s.client.endpoints.Identity, "api", "User", url.PathEscape(id))
}

// Get reads one user by id (GET /api/User/{id}).
func (s *UsersService) Get(ctx context.Context, id string) (User, error) {
	var u User
	err := s.client.send(ctx, http.MethodGet, s.userURL(id), nil, &u)
	return u, err
}

// Update changes a user (PUT /api/User/{id}). A 200 whose IdentityResult
// says succeeded:false is returned as an *Error.
func (s *UsersService) Update(ctx context.Context, id string, u UpdateUser, opts ...WriteOption) error {
	return s.client.sendIdentity(ctx, http.MethodPut, s.userURL(id), u.wire(), []secret.Value{u.Password}, opts...)
}

// ChangePassword changes a user's password knowing the old one
// (POST /api/User/{id}/changepassword). It is not idempotent: a timeout
// after sending reports OutcomeUnknown.
func (s *UsersService) ChangePassword(ctx context.Context, id string, oldPassword, newPassword secret.Value, opts ...WriteOption) error {
	body := struct {
		OldPassword string `json:"oldPassword"`
		NewPassword string `json:"newPassword"`
	}{oldPassword.Reveal(), newPassword.Reveal()}
	return s.client.sendIdentity(ctx, http.MethodPost, s.userURL(id)+"/changepassword", body, []secret.Value{oldPassword, newPassword}, opts...)
}

// list reads one page of the partition's users
// (GET /api/User/users/{partitionGlobalId}). searchTerm is fuzzy.
func (s *UsersService) list(ctx context.Context, opts listOptions) (page[User], error) {
	return listPage[User](ctx, s.client, opts, "api", "User", "users")
}

// All calls fn for every user of the partition, paging 1,000 at a time
// until a short page or totalCount. An error from fn stops the walk and is
// returned as is. ListTotal tells the caller the list's length first.
func (s *UsersService) All(ctx context.Context, fn func(User) error, opts ...ListOption) error {
	return walkPages(ctx, "", s.list, userID, totalOf(opts), fn)
}

// walk calls fn for every user the server matches with searchTerm.
func (s *UsersService) walk(ctx context.Context, searchTerm string, fn func(User) error) error {
	return walkPages(ctx, searchTerm, s.list, userID, nil, fn)
}

// FindByEmail returns the one user whose email is exactly email (case
// insensitive); a *LookupError when there is none or several.
func (s *UsersService) FindByEmail(ctx context.Context, email string) (User, error) {
	return findOne(ctx, s.walk, "user", "email", email, func(u User) bool { return strings.EqualFold(u.Email, email) })
}

// FindByUserName returns the one user whose userName is exactly name (case
// insensitive, as Identity treats user names); a *LookupError otherwise.
func (s *UsersService) FindByUserName(ctx context.Context, name string) (User, error) {
	return findOne(ctx, s.walk, "user", "userName", name, func(u User) bool { return strings.EqualFold(u.UserName, name) })
}

// userID is a user's id, what a walk de-duplicates by.
func userID(u User) string { return u.ID }
