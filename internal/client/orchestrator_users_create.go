package client

import (
	"context"
	"fmt"
	"net/http"
)

// NewOrchestratorUser is the Orchestrator user to make for an Identity
// user (Type TypeDirectoryUser), robot account (TypeDirectoryRobot) or
// group (TypeDirectoryGroup) that Orchestrator does not list yet.
type NewOrchestratorUser struct {
	Type string
	// DirectoryIdentifier is the account's Identity id, the surest link
	// (UserDto.DirectoryIdentifier); UserName names it otherwise: a
	// user's userName (or email), a robot account's or group's name.
	// Give at least one; give UserName too, since it is how
	// FindByUserName finds the user after a lost answer.
	DirectoryIdentifier string
	UserName            string
	// Domain is the directory the account comes from, when it has one.
	Domain string
	// RolesList names the tenant roles to give (RoleDto.Name, as
	// OrchestratorUser.RolesList reads them); a folder role is refused.
	RolesList []string
	// UnattendedRobot, when given, is the user's unattended robot; the
	// user may then have an unattended session. Its password is never
	// sent (set it afterwards with SetUnattendedCredentials), nor the
	// server-computed RobotID and MachineMappingsCount. CredentialStoreID
	// is sent as given: store ids differ between organizations.
	UnattendedRobot *UnattendedRobot
}

// CreateDirectoryUser makes the Orchestrator user of an Identity user,
// robot account or group that Orchestrator does not list yet (POST
// odata/Users with a UserDto of Type u.Type), with its tenant roles and
// unattended robot, and returns it as the service answers (201). It gives
// no folder access (FoldersService.AssignUsers does, by the user's ID),
// and it is what lets an account without folder access hold tenant roles
// or an unattended robot: Orchestrator otherwise makes such a user only
// when folder access is given (AssignDirectoryUser).
//
// A type other than the three, or neither DirectoryIdentifier nor
// UserName, is refused before anything is sent (KindValidation). The
// service refuses an account its directory does not have, an unknown role
// or a folder role (400), and an account it lists already (409,
// KindConflict; a service may say so with a 400). A create is not
// idempotent: after a lost answer (KindOutcomeUnknown), look the user up
// with FindByUserName before sending it again. Needs OR.Users.Write
// (OpCreateOrchestratorUser).
func (s *OrchestratorUsersService) CreateDirectoryUser(ctx context.Context, u NewOrchestratorUser, opts ...WriteOption) (OrchestratorUser, error) {
	who := u.UserName
	if who == "" {
		who = u.DirectoryIdentifier
	}
	switch {
	case u.Type != TypeDirectoryUser && u.Type != TypeDirectoryRobot && u.Type != TypeDirectoryGroup:
		return OrchestratorUser{}, &kindError{KindValidation, fmt.Errorf("create Orchestrator user %s: type %q is none of %s, %s, %s (nothing was sent)",
			who, u.Type, TypeDirectoryUser, TypeDirectoryRobot, TypeDirectoryGroup)}
	case who == "":
		return OrchestratorUser{}, &kindError{KindValidation, fmt.Errorf("create Orchestrator user: a %s needs its DirectoryIdentifier or UserName (nothing was sent)", u.Type)}
	}
	req, err := s.newRequest(ctx, http.MethodPost, "odata/Users", newUserBody(u))
	if err != nil {
		return OrchestratorUser{}, err
	}
	var made OrchestratorUser
	if _, err := s.client.Do(req, &made, opts...); err != nil {
		return OrchestratorUser{}, fmt.Errorf("create Orchestrator user for %s %s: %w", u.Type, who, err)
	}
	return made, nil
}

// newUserBody is the UserDto that creates u. Type and CredentialType go
// by name, as the definitions declare them (a credential type read as an
// integer code is sent by its name); RolesList is [] rather than null for
// none.
func newUserBody(u NewOrchestratorUser) map[string]any {
	roles := u.RolesList
	if roles == nil {
		roles = []string{}
	}
	body := map[string]any{"Type": u.Type, "RolesList": roles}
	for k, v := range map[string]string{"UserName": u.UserName, "DirectoryIdentifier": u.DirectoryIdentifier, "Domain": u.Domain} {
		if v != "" {
			body[k] = v
		}
	}
	if r := u.UnattendedRobot; r != nil {
		robot := r.wire(nil)
		if r.CredentialType != "" {
			robot["CredentialType"] = credentialTypes.wire(r.CredentialType, enumValue{})
		}
		body["UnattendedRobot"] = robot
		body["MayHaveUnattendedSession"] = true
	}
	return body
}
