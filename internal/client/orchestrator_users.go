package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/secret"
)

// OrchestratorUsersService reads Orchestrator users (odata/Users) and sets
// the Windows credentials of their unattended robots.
type OrchestratorUsersService service

// OrchestratorUser is an Orchestrator user (UserDto), the parts we use.
type OrchestratorUser struct {
	// ID is the user's integer key, as in odata/Users({key}).
	ID           int64
	Key          string
	UserName     string
	Name         string
	Surname      string
	FullName     string
	EmailAddress string
	// Type is a UserDto.Type name ("User", "Robot", "DirectoryUser",
	// "DirectoryGroup", "DirectoryRobot", "DirectoryExternalApplication"),
	// read from the name or its integer code; an unknown code is kept as
	// UnknownEnumPrefix and the code (see UnknownEnum).
	Type     string
	IsActive bool
	// UnattendedRobot is nil for users without one.
	UnattendedRobot *UnattendedRobot
	// RolesList names the user's tenant roles (AssignTenantRoles sets
	// them by id).
	RolesList []string
	// DirectoryIdentifier is the Identity id of the user, robot account
	// or group a directory user (DirectoryUser, DirectoryRobot,
	// DirectoryGroup) stands for; "" for others. Domain is where it was
	// imported from.
	DirectoryIdentifier string
	Domain              string
	// MayHaveUnattendedSession tells whether the user may have an
	// unattended robot.
	MayHaveUnattendedSession bool
}

// UnmarshalJSON reads a UserDto; Key may be a GUID string or a number, Type
// a name or an integer code.
func (u *OrchestratorUser) UnmarshalJSON(b []byte) error {
	if err := readDocument(b, u); err != nil {
		return fmt.Errorf("Orchestrator user: %w", err)
	}
	return nil
}

// orchestratorUserFields are UserDto's names OrchestratorUser reads.
var orchestratorUserFields = jsonFields{"Id", "Key", "UserName", "Name", "Surname", "FullName", "EmailAddress",
	"Type", "IsActive", "UnattendedRobot", "RolesList", "DirectoryIdentifier", "Domain", "MayHaveUnattendedSession"}

// readJSON reads a UserDto (null: the zero OrchestratorUser).
func (u *OrchestratorUser) readJSON(r *jsonReader) error {
	*u = OrchestratorUser{}
	if r.null() {
		return nil
	}
	var directoryID, domain *string
	err := r.object(func(k []byte) error {
		switch orchestratorUserFields.field(k) {
		case "Id":
			return r.readInt64(&u.ID)
		case "Key":
			raw, err := r.raw()
			u.Key = str(raw)
			return err
		case "UserName":
			return r.readString(&u.UserName)
		case "Name":
			return r.readString(&u.Name)
		case "Surname":
			return r.readString(&u.Surname)
		case "FullName":
			return r.readString(&u.FullName)
		case "EmailAddress":
			return r.readString(&u.EmailAddress)
		case "Type":
			raw, err := r.raw()
			u.Type, _ = orchestratorUserTypes.decode(raw)
			return err
		case "IsActive":
			return r.readBool(&u.IsActive)
		case "UnattendedRobot":
			if r.null() {
				u.UnattendedRobot = nil
				return nil
			}
			if u.UnattendedRobot == nil {
				u.UnattendedRobot = new(UnattendedRobot)
			}
			if err := u.UnattendedRobot.readJSON(r); err != nil {
				return fmt.Errorf("UnattendedRobot: %w", err)
			}
			return nil
		case "RolesList":
			return r.readStrings(&u.RolesList)
		case "DirectoryIdentifier":
			return r.readStringPtr(&directoryID)
		case "Domain":
			return r.readStringPtr(&domain)
		case "MayHaveUnattendedSession":
			return r.readBool(&u.MayHaveUnattendedSession)
		}
		return r.skip()
	})
	if err != nil {
		return err
	}
	if directoryID != nil {
		u.DirectoryIdentifier = *directoryID
	}
	if domain != nil {
		u.Domain = *domain
	}
	if u.ID == 0 {
		if n, err := strconv.ParseInt(u.Key, 10, 64); err == nil {
			u.ID = n
		}
	}
	return nil
}

// UnattendedRobot is an Orchestrator user's unattended robot settings
// (UnattendedRobotDto). Its password is never read or kept. Fields this
// package does not know are kept in Extra and sent back unchanged, because
// a PATCH replaces the nested object whole; the server-computed RobotID and
// MachineMappingsCount are read but never sent.
type UnattendedRobot struct {
	UserName string
	// CredentialType is "Default", "SmartCard", "NCipher", "SafeNet" or
	// "NoCredential", read from the name or its integer code (0 to 4 in
	// that order); "" when the server sent none; an unknown code is kept
	// as UnknownEnumPrefix and the code (see UnknownEnum). Left unchanged,
	// it is sent back as it came (an integer code as that integer).
	CredentialType           string
	CredentialStoreID        *int64
	CredentialExternalName   string
	ExecutionSettings        map[string]any
	LimitConcurrentExecution bool
	// RobotID is the provisioned robot's id (read only, never sent).
	RobotID int64
	// MachineMappingsCount is read only, never sent.
	MachineMappingsCount int64
	// Extra holds unknown fields as the server sent them.
	Extra map[string]json.RawMessage

	// credentialType is CredentialType as read, in the spelling it came.
	credentialType enumValue
}

// PasswordSignIn reports whether the robot signs in with a password, so
// that setting one means something: true for the credential type Default
// (or none given), false for SmartCard, NCipher, SafeNet, NoCredential and
// any type this package does not know.
func (r *UnattendedRobot) PasswordSignIn() bool {
	return r.CredentialType == "" || r.CredentialType == "Default"
}

// unattendedKnown are the fields UnattendedRobot reads (and Password,
// which it drops), matched in any letter case as JSON names are.
var unattendedKnown = jsonFields{"UserName", "Password", "CredentialStoreId", "CredentialType",
	"CredentialExternalName", "ExecutionSettings", "LimitConcurrentExecution", "RobotId", "MachineMappingsCount"}

// UnmarshalJSON reads an UnattendedRobotDto, keeping unknown fields.
func (r *UnattendedRobot) UnmarshalJSON(b []byte) error {
	if err := readDocument(b, r); err != nil {
		return fmt.Errorf("UnattendedRobot: %w", err)
	}
	return nil
}

// unattendedFields are the UnattendedRobotDto names UnattendedRobot reads
// into its fields (ExecutionSettings aside).
var unattendedFields = jsonFields{"UserName", "CredentialType", "CredentialStoreId", "CredentialExternalName",
	"LimitConcurrentExecution", "RobotId", "MachineMappingsCount"}

// readJSON reads an UnattendedRobotDto (null: the zero UnattendedRobot),
// keeping every field it does not know, in any letter case, in Extra as
// sent. ExecutionSettings is read under that exact name only.
func (rb *UnattendedRobot) readJSON(r *jsonReader) error {
	*rb = UnattendedRobot{}
	if r.null() {
		return nil
	}
	var settingsErr error
	err := r.object(func(key []byte) error {
		switch unattendedFields.field(key) {
		case "UserName":
			return r.readString(&rb.UserName)
		case "CredentialType":
			raw, err := r.raw()
			rb.credentialType = credentialTypes.read(raw)
			return err
		case "CredentialStoreId":
			return r.readInt64Ptr(&rb.CredentialStoreID)
		case "CredentialExternalName":
			return r.readString(&rb.CredentialExternalName)
		case "LimitConcurrentExecution":
			return r.readBool(&rb.LimitConcurrentExecution)
		case "RobotId":
			return r.readInt64(&rb.RobotID)
		case "MachineMappingsCount":
			return r.readInt64(&rb.MachineMappingsCount)
		}
		if string(key) == "ExecutionSettings" {
			// The last one sent counts, read with its numbers as they
			// came (to go back exactly so): one that is no object fails
			// the read unless another follows.
			rb.ExecutionSettings, settingsErr = nil, nil
			err := r.readAnyObject(&rb.ExecutionSettings)
			if _, ok := err.(*mismatchError); ok {
				settingsErr, err = err, nil
			}
			return err
		}
		raw, err := r.raw()
		if err != nil {
			return err
		}
		if unattendedKnown.field(key) == "" {
			// Known fields in any letter case (JSON names match so): a
			// server-computed field must not come back through Extra.
			if rb.Extra == nil {
				rb.Extra = map[string]json.RawMessage{}
			}
			rb.Extra[string(key)] = append(json.RawMessage(nil), raw...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if settingsErr != nil {
		return fmt.Errorf("ExecutionSettings: %w", settingsErr)
	}
	rb.CredentialType = rb.credentialType.name
	return nil
}

// MarshalJSON writes the robot as a PATCH sends it: as read, without the
// password and the server-computed RobotId and MachineMappingsCount.
func (r UnattendedRobot) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.wire(nil))
}

// wire is the full object for a PATCH, with the password when given. The
// server computes RobotId and MachineMappingsCount: they are never sent.
func (r UnattendedRobot) wire(password *string) map[string]any {
	m := make(map[string]any, len(r.Extra)+7)
	for k, v := range r.Extra {
		m[k] = v
	}
	m["UserName"] = r.UserName
	if r.CredentialType != "" { // "" is not in the enum: leave the server's own
		m["CredentialType"] = credentialTypes.wire(r.CredentialType, r.credentialType)
	}
	if r.CredentialStoreID != nil {
		m["CredentialStoreId"] = *r.CredentialStoreID
	}
	if r.CredentialExternalName != "" {
		m["CredentialExternalName"] = r.CredentialExternalName
	}
	if r.ExecutionSettings != nil {
		m["ExecutionSettings"] = r.ExecutionSettings
	}
	m["LimitConcurrentExecution"] = r.LimitConcurrentExecution
	if password != nil {
		m["Password"] = *password
	}
	return m
}

// UnattendedCredentials are the Windows credentials an unattended robot
// signs in with. An empty UserName keeps the current one.
type UnattendedCredentials struct {
	UserName string
	Password secret.Value
}

// errNoOrchestrator explains a missing Orchestrator base.
var errNoOrchestrator = &kindError{KindBadRequest, fmt.Errorf("the Orchestrator address is unknown: set %s (or %s)", EnvTenant, EnvOrchestratorURI)}

func (s *OrchestratorUsersService) newRequest(ctx context.Context, method, rel string, body any) (*http.Request, error) {
	return s.client.orchestratorRequest(ctx, method, rel, body)
}

// orchestratorRequest builds a request to rel under the Orchestrator base,
// with the folder header when a folder is set.
func (c *Client) orchestratorRequest(ctx context.Context, method, rel string, body any) (*http.Request, error) {
	if c.endpoints.Orchestrator == "" {
		return nil, errNoOrchestrator
	}
	req, err := c.NewRequest(ctx, method, c.endpoints.Orchestrator+"/"+rel, body)
	if err != nil {
		return nil, err
	}
	if c.settings.FolderID != "" {
		req.Header.Set("X-UIPATH-OrganizationUnitId", c.settings.FolderID)
	}
	return req, nil
}

func userPath(key int64) string { return "odata/Users(" + strconv.FormatInt(key, 10) + ")" }

// Get reads one Orchestrator user by key (GET odata/Users({key})).
func (s *OrchestratorUsersService) Get(ctx context.Context, key int64) (OrchestratorUser, error) {
	req, err := s.newRequest(ctx, http.MethodGet, userPath(key), nil)
	if err != nil {
		return OrchestratorUser{}, err
	}
	var u OrchestratorUser
	_, err = s.client.Do(req, &u)
	return u, err
}

// FindByUserName returns the one user whose UserName is name
// (odata/Users?$filter=UserName eq '…'); a *LookupError otherwise.
func (s *OrchestratorUsersService) FindByUserName(ctx context.Context, name string) (OrchestratorUser, error) {
	req, err := s.newRequest(ctx, http.MethodGet, "odata/Users?$filter="+odataEq("UserName", name), nil)
	if err != nil {
		return OrchestratorUser{}, err
	}
	var list struct {
		Value []OrchestratorUser `json:"value"`
	}
	if _, err := s.client.Do(req, &list); err != nil {
		return OrchestratorUser{}, err
	}
	var found []OrchestratorUser
	for _, u := range list.Value {
		if strings.EqualFold(u.UserName, name) {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		return OrchestratorUser{}, &LookupError{Resource: "Orchestrator user", By: "UserName", Value: name, Matches: len(found)}
	}
	return found[0], nil
}

// orchestratorPage is how many users one list read asks for ($top; 1,000
// is Orchestrator's limit).
const orchestratorPage = 1000

// All pages through every Orchestrator user (odata/Users with $top, $skip
// and $count, ordered by Id), calling fn for each: ⌈users / 1,000⌉ GETs,
// the last page known by the count, not by an empty read.
func (s *OrchestratorUsersService) All(ctx context.Context, fn func(OrchestratorUser) error) error {
	return odataWalk(ctx, s.client, "Orchestrator users", "odata/Users?$orderby=Id%20asc&", fn)
}

// odataWalk calls fn for every item of the Orchestrator OData list at rel
// (a path with a query that ends in "?" or "&"), reading orchestratorPage
// items at a time with $top, $skip and $count: the last page is known by
// the count (or, without one, by a short page). what names the list in
// errors; an error from fn stops the walk and is returned as is. It is
// folderWalk in the client's own folder.
func odataWalk[T any](ctx context.Context, c *Client, what, rel string, fn func(T) error) error {
	return folderWalk(ctx, c, what, rel, 0, fn)
}

// ErrNoUnattendedRobot is in the chain of the error returned when the user
// has no unattended robot to set credentials on (kind validation).
var ErrNoUnattendedRobot = errors.New("the Orchestrator user has no unattended robot")

// ErrExternalCredential is in the chain of the error returned when the
// robot's password lives in an external credential store, which
// Orchestrator only refers to (kind validation).
var ErrExternalCredential = errors.New("the robot's credential lives in an external credential store")

// externalStore says where the robot's password lives when Orchestrator
// only refers to it (CredentialExternalName set: the key of the password in
// an external store), or "" when Orchestrator holds it. A CredentialStoreId
// alone is not enough: the built-in Orchestrator Database store has an id
// too, and robots whose password Orchestrator writes carry it.
func (r *UnattendedRobot) externalStore() string {
	switch {
	case r.CredentialExternalName == "":
		return ""
	case r.CredentialStoreID != nil:
		return fmt.Sprintf("credential store %d, under the name %q", *r.CredentialStoreID, r.CredentialExternalName)
	}
	return fmt.Sprintf("an external credential store, under the name %q", r.CredentialExternalName)
}

// ExternalStore says where the robot's password lives when Orchestrator
// only refers to it, or "" when Orchestrator holds it (and can set it).
func (r *UnattendedRobot) ExternalStore() string { return r.externalStore() }

// SetUnattendedCredentials sets the Windows credentials an unattended robot
// signs in with: it reads the user, merges the new user name and password
// into its existing UnattendedRobot (every other field, ExecutionSettings
// included, sent back as read, since PATCH replaces the nested object) and
// PATCHes odata/Users({key}). A robot whose password lives in an external
// credential store is refused before the PATCH (ErrExternalCredential):
// the password is rotated in that store. It never touches the deprecated top-level
// Password and never PUTs. It returns the user as patched. This changes
// Orchestrator's copy only, not the directory's password.
func (s *OrchestratorUsersService) SetUnattendedCredentials(ctx context.Context, key int64, creds UnattendedCredentials, opts ...WriteOption) (OrchestratorUser, error) {
	u, err := s.Get(ctx, key)
	if err != nil {
		return OrchestratorUser{}, err
	}
	return s.SetUnattendedCredentialsOf(ctx, u, creds, opts...)
}

// SetUnattendedCredentialsOf is SetUnattendedCredentials on a user already
// read whole (by Get, FindByUserName or All): it sends the PATCH only, its
// UnattendedRobot as read with the new user name and password merged in.
func (s *OrchestratorUsersService) SetUnattendedCredentialsOf(ctx context.Context, u OrchestratorUser, creds UnattendedCredentials, opts ...WriteOption) (OrchestratorUser, error) {
	key := u.ID
	if u.UnattendedRobot == nil {
		return OrchestratorUser{}, &kindError{KindValidation, fmt.Errorf("set credentials of Orchestrator user %d (%s): %w", key, u.UserName, ErrNoUnattendedRobot)}
	}
	if where := u.UnattendedRobot.externalStore(); where != "" {
		return OrchestratorUser{}, &kindError{KindValidation, fmt.Errorf("set credentials of Orchestrator user %d (%s): %w: %s; rotate it there (nothing was sent)", key, u.UserName, ErrExternalCredential, where)}
	}
	robot := *u.UnattendedRobot
	if creds.UserName != "" {
		robot.UserName = creds.UserName
	}
	var pw *string
	if !creds.Password.IsZero() {
		p := creds.Password.Reveal()
		pw = &p
	}
	body := map[string]any{"UnattendedRobot": robot.wire(pw)}
	req, err := s.newRequest(ctx, http.MethodPatch, userPath(key), body)
	if err != nil {
		return OrchestratorUser{}, err
	}
	if _, err := s.client.do(req, nil, []secret.Value{creds.Password}, opts...); err != nil {
		return OrchestratorUser{}, err
	}
	u.UnattendedRobot = &robot
	return u, nil
}
