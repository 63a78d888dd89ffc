package emulator

import (
	"maps"
	"time"
)

// Group is an identity group of the organization.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// User is an identity user as the emulator holds it (without the password).
type User struct {
	ID                         string            `json:"id"`
	UserName                   string            `json:"userName"`
	Email                      string            `json:"email"`
	EmailConfirmed             bool              `json:"emailConfirmed"`
	Name                       string            `json:"name"`
	Surname                    string            `json:"surname"`
	DisplayName                string            `json:"displayName"`
	IsActive                   bool              `json:"isActive"`
	BypassBasicAuthRestriction bool              `json:"bypassBasicAuthRestriction"`
	InvitationAccepted         bool              `json:"invitationAccepted"`
	Type                       string            `json:"type"`
	GroupIDs                   []string          `json:"groupIDs"`
	LegacyID                   int64             `json:"legacyId"`
	ExtensionAttributes        map[string]string `json:"extensionUserAttributes,omitempty"`
	CreationTime               time.Time         `json:"creationTime"`
	// LastModificationTime is zero for a user never modified since it was
	// created: the API answers null for it until the first change.
	LastModificationTime time.Time `json:"lastModificationTime,omitzero"`
}

// RobotAccount is an identity robot account; it has no password.
type RobotAccount struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	DisplayName          string    `json:"displayName"`
	GroupIDs             []string  `json:"groupIds"`
	CreationTime         time.Time `json:"creationTime"`
	LastModificationTime time.Time `json:"lastModificationTime"`
}

// UnattendedRobot is the Windows identity an Orchestrator user's unattended
// robot runs as. Its password is held apart and never returned.
type UnattendedRobot struct {
	UserName                 string         `json:"UserName"`
	CredentialType           string         `json:"CredentialType,omitempty"`
	CredentialStoreID        *int64         `json:"CredentialStoreId,omitempty"`
	CredentialExternalName   string         `json:"CredentialExternalName,omitempty"`
	ExecutionSettings        map[string]any `json:"ExecutionSettings,omitempty"`
	LimitConcurrentExecution bool           `json:"LimitConcurrentExecution"`
	RobotID                  int64          `json:"RobotId"`
}

// OrchestratorUser is a user of the Orchestrator tenant. ID is the OData key
// of Users({key}); Key is the entity's GUID. A user of type DirectoryUser,
// DirectoryRobot or DirectoryGroup stands for an Identity user, robot
// account or group, whose id DirectoryIdentifier holds.
type OrchestratorUser struct {
	ID                   int64            `json:"Id"`
	Key                  string           `json:"Key"`
	DirectoryIdentifier  string           `json:"DirectoryIdentifier,omitempty"`
	UserName             string           `json:"UserName"`
	Name                 string           `json:"Name"`
	Surname              string           `json:"Surname"`
	FullName             string           `json:"FullName"`
	EmailAddress         string           `json:"EmailAddress,omitempty"`
	Domain               string           `json:"Domain,omitempty"`
	IsActive             bool             `json:"IsActive"`
	Type                 string           `json:"Type"`
	RolesList            []string         `json:"RolesList"`
	MayHaveUnattended    bool             `json:"MayHaveUnattendedSession"`
	UnattendedRobot      *UnattendedRobot `json:"UnattendedRobot"`
	CreationTime         time.Time        `json:"CreationTime"`
	LastModificationTime time.Time        `json:"LastModificationTime"`
}

// user is the stored identity user: the public view plus its password.
type user struct {
	User
	password string
}

func (u User) clone() User {
	u.GroupIDs = append([]string(nil), u.GroupIDs...)
	if u.ExtensionAttributes != nil {
		u.ExtensionAttributes = maps.Clone(u.ExtensionAttributes)
	}
	return u
}

func (r RobotAccount) clone() RobotAccount {
	r.GroupIDs = append([]string(nil), r.GroupIDs...)
	return r
}

func (u UnattendedRobot) clone() UnattendedRobot {
	if u.ExecutionSettings != nil {
		u.ExecutionSettings = maps.Clone(u.ExecutionSettings)
	}
	if u.CredentialStoreID != nil {
		v := *u.CredentialStoreID
		u.CredentialStoreID = &v
	}
	return u
}

func (o OrchestratorUser) clone() OrchestratorUser {
	o.RolesList = append([]string(nil), o.RolesList...)
	if o.UnattendedRobot != nil {
		ur := o.UnattendedRobot.clone()
		o.UnattendedRobot = &ur
	}
	return o
}

// builtInGroupList are the groups every organization holds, in the
// listing order.
func builtInGroupList() []Group {
	return []Group{
		{GroupEveryone, "Everyone"},
		{GroupAdministrators, "Administrators"},
		{GroupAutomationUsers, "Automation Users"},
		{GroupAutomationDevelopers, "Automation Developers"},
	}
}

// financeGroup is the local group of the generated organization.
var financeGroup = Group{GroupFinance, "Finance"}

// DeletedUser is a soft-deleted user, as the state snapshot shows it: gone
// from every list and lookup.
type DeletedUser struct {
	User
	DeletionTime time.Time `json:"deletionTime"`
}

// DeletedRobotAccount is a deleted robot account, as the state snapshot
// shows it.
type DeletedRobotAccount struct {
	RobotAccount
	DeletionTime time.Time `json:"deletionTime"`
}

// DeletedGroup is a deleted local group, as the state snapshot shows it.
type DeletedGroup struct {
	Group
	DeletionTime time.Time `json:"deletionTime"`
}
