package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// SeedFile is the format of Config.SeedFile, as JSON (.json) or YAML (.yaml,
// .yml); keys are matched case-insensitively. Every entity is added to the
// generated ones; ids must be unique. Example: testdata/seed.yaml.
//
//	groups:             # local groups, besides the built-in ones (and Finance when accounts are generated)
//	  - {id: GUID, name: Sales}  # id defaults to a GUID derived from the position
//	  - {name: Night shift, members: [user00002, jdoe@example.com, robot-night]}  # userNames, emails, robot names
//	users:              # id defaults to a GUID derived from the position
//	  - {id: GUID, userName: jdoe, email: jdoe@example.com, name: Jane, surname: Doe,
//	     displayName: Jane Doe, isActive: true, groupIDs: [GUID], password: "Secret-123"}
//	robotAccounts:
//	  - {id: GUID, name: robot-night, displayName: Night robot, groupIds: [GUID]}
//	credentialStores:   # besides store 1, the Orchestrator Database every tenant has
//	  - {id: 3, name: CyberArk, type: CyberArk, readOnly: true}
//	  - {id: 4, name: Key Vault, type: AzureKeyVault}
//	orchestratorUsers:  # id is the OData key; unattendedRobot.password is stored, never served
//	  - {id: 2001, userName: robot-night, type: Robot,
//	     unattendedRobot: {userName: 'CORP\svc-night', password: "Night-Pass-1", credentialType: Default}}
//	  - {id: 2002, userName: robot-vault, type: Robot,  # password in an external store
//	     unattendedRobot: {userName: 'CORP\svc-vault', credentialStoreId: 3, credentialExternalName: svc-vault}}
//	  - {id: 2003, userName: robot-card, type: Robot,   # signs in without a password
//	     unattendedRobot: {userName: 'CORP\svc-card', credentialType: SmartCard}}
//	  - {id: 2004, userName: jdoe, type: DirectoryUser, isActive: false,  # jdoe's Orchestrator user
//	     rolesList: [Allow to be Automation User]}
//	roles:              # custom roles, besides the built-in ones (Server.Roles)
//	  - {name: Auditor, type: Tenant}        # Tenant, Folder or Mixed
//	  - {name: Finance Clerk, type: Folder}
//	folders:            # by path; missing ancestors are made too
//	  - {path: Shared/Finance/AP, description: Accounts payable}
//	  - {path: Operations, id: 77}         # id defaults to the next folder id
//	folderAssignments:  # who holds which folder roles where (roles: [] assigns without roles)
//	  - {account: jdoe, folder: Shared/Finance, roles: [Automation User, Finance Clerk]}
//	  - {account: Finance, type: DirectoryGroup, folder: Shared, roles: [Folder Administrator]}
//	tenantRoles:        # an account's tenant roles (replacing its rolesList)
//	  - {account: robot-night, roles: [Robot, Auditor]}
//	assets:             # in a folder of the seed; passwords stored, never served
//	  - {folder: Shared/Finance, name: SAP login, credentialUsername: sap-bot, password: "Sap-Pass-1"}
//	  - {folder: Shared/Finance, name: API key, valueType: Secret, password: "k-123"}
//	  - {folder: Shared, name: Vault login, credentialUsername: v, credentialStoreId: 3, externalName: vault/v}
//	  - {folder: Shared, name: Mode, valueType: Text, value: batch}
//	  - {folder: Shared/Finance, name: Per robot, credentialUsername: d, password: "Default-1",  # PerRobot
//	     robotValues: [{robot: robot-night, credentialUsername: n, password: "Night-1"}],
//	     userValues: [{user: jdoe, machine: PC-01, credentialUsername: j, password: "Jdoe-1"}]}
//
// An account is named as Orchestrator knows it (an Orchestrator user's
// userName) or as Identity does (a user's userName or email, a robot
// account's name, a group's name); an Identity account or group
// Orchestrator does not know yet gets an Orchestrator user (DirectoryUser,
// DirectoryRobot, DirectoryGroup), as giving it access in UiPath does.
// type narrows the lookup to one of those types (or User, Robot). An
// orchestratorUsers entry of a Directory type whose userName is an
// Identity entity's stands for that entity. Roles are named by name; a
// tenant role cannot be given in a folder nor a folder role for the
// tenant.
//
// A credential store needs an id above 1, a name and a type; ids and
// names are unique; readOnly makes Orchestrator refuse to set a password there. An
// unattended robot's credentialType is Default, SmartCard, NCipher,
// SafeNet or NoCredential (or absent); its credentialStoreId may name a
// store the file does not declare, which is then not listed and counts
// as writable. An asset's fields: see SeedAsset and SeedAssetValue.
type SeedFile struct {
	Groups            []SeedGroup           `json:"groups"`
	Users             []SeedUser            `json:"users"`
	RobotAccounts     []SeedRobot           `json:"robotAccounts"`
	CredentialStores  []SeedCredentialStore `json:"credentialStores"`
	OrchestratorUsers []SeedOrchestrator    `json:"orchestratorUsers"`
	Roles             []SeedRole            `json:"roles"`
	Folders           []SeedFolder          `json:"folders"`
	FolderAssignments []SeedAssignment      `json:"folderAssignments"`
	TenantRoles       []SeedTenantRoles     `json:"tenantRoles"`
	Assets            []SeedAsset           `json:"assets"`
}

// SeedCredentialStore is an Orchestrator credential store of a seed file.
type SeedCredentialStore struct {
	ID         int64
	Name, Type string
	ReadOnly   bool `json:"readOnly"`
}

// SeedGroup is a local group of a seed file. Members name users (by
// userName or email) and robot accounts (by name), generated or seeded,
// that join the group besides those whose groupIDs name it.
type SeedGroup struct {
	ID, Name string
	Members  []string
}

// SeedUser is an identity user of a seed file.
type SeedUser struct {
	ID, UserName, Email, Name, Surname, DisplayName, Type string
	Password                                              string
	IsActive                                              *bool
	BypassBasicAuthRestriction, InvitationAccepted        bool
	GroupIDs                                              []string
}

// SeedRobot is an identity robot account of a seed file.
type SeedRobot struct {
	ID, Name, DisplayName string
	GroupIDs              []string `json:"groupIds"`
}

// SeedOrchestrator is an Orchestrator user of a seed file.
type SeedOrchestrator struct {
	ID                                               int64
	Key, UserName, Name, Surname, EmailAddress, Type string
	IsActive                                         *bool
	RolesList                                        []string
	UnattendedRobot                                  *SeedUnattended
}

// SeedUnattended is an unattended robot of a seed file.
type SeedUnattended struct {
	UserName, Password, CredentialType string
	ExecutionSettings                  map[string]any
	LimitConcurrentExecution           bool
	RobotID                            int64 `json:"robotId"`

	// CredentialStoreID and CredentialExternalName put the password in an
	// external credential store: Orchestrator refuses to set it.
	CredentialStoreID      *int64 `json:"credentialStoreId"`
	CredentialExternalName string
}

// LoadSeedFile reads a seed file in JSON or YAML.
func LoadSeedFile(path string) (*SeedFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed file: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		var generic any
		if err := yaml.Unmarshal(data, &generic); err != nil {
			return nil, fmt.Errorf("parse seed file %s: %w", path, err)
		}
		if data, err = json.Marshal(generic); err != nil {
			return nil, fmt.Errorf("parse seed file %s: %w", path, err)
		}
	case ".json":
	default:
		return nil, fmt.Errorf("seed file %s: want .json, .yaml or .yml", path)
	}
	var sf SeedFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return nil, fmt.Errorf("parse seed file %s: %w", path, err)
	}
	return &sf, nil
}

// addSeed adds a seed's entities to the store. source ("seed" for the
// file) is part of the GUIDs made up for entities without an id, so that
// two seeds of one organization make different ones.
func (s *store) addSeed(seed int64, source string, sf *SeedFile) error {
	groupIDs := make([]string, len(sf.Groups))
	for i, sg := range sf.Groups {
		g := Group{ID: strings.ToLower(sg.ID), Name: sg.Name}
		if g.ID == "" {
			g.ID = deterministicGUID(seed, source+"-group", i+1)
		}
		if !isGUID(g.ID) || g.Name == "" {
			return fmt.Errorf("seed group %q: needs a GUID id and a name", sg.ID)
		}
		if s.hasGroup(g.ID) {
			return fmt.Errorf("seed group %s listed twice", g.ID)
		}
		if _, dup := s.groupNamed(g.Name); dup {
			return fmt.Errorf("seed group %q: the organization has a group of that name", g.Name)
		}
		s.addGroup(g, seedEpoch)
		groupIDs[i] = g.ID
	}
	checkGroups := func(what string, ids []string) ([]string, error) {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			id = strings.ToLower(id)
			if !s.hasGroup(id) {
				return nil, fmt.Errorf("%s: unknown group %q", what, id)
			}
			out = append(out, id)
		}
		return out, nil
	}
	for i, su := range sf.Users {
		id := strings.ToLower(su.ID)
		if id == "" {
			id = deterministicGUID(seed, source+"-user", i+1)
		}
		what := fmt.Sprintf("seed user %d (%s)", i+1, su.UserName)
		if !isGUID(id) || su.UserName == "" {
			return fmt.Errorf("%s: needs a userName and a GUID id", what)
		}
		if s.users[id] != nil {
			return fmt.Errorf("%s: id %s used twice", what, id)
		}
		groups, err := checkGroups(what, su.GroupIDs)
		if err != nil {
			return err
		}
		typ := "user"
		if su.Type != "" {
			i := slices.IndexFunc(userTypes, func(t string) bool { return strings.EqualFold(t, su.Type) })
			if i < 0 {
				return fmt.Errorf("%s: type %q is none of %s", what, su.Type, strings.Join(userTypes, ", "))
			}
			typ = userTypes[i]
		}
		active := su.IsActive == nil || *su.IsActive
		created := seedEpoch.Add(time.Duration(i) * time.Millisecond)
		u := &user{User: User{
			ID: id, UserName: su.UserName, Email: su.Email, EmailConfirmed: su.Email != "",
			Name: su.Name, Surname: su.Surname, DisplayName: su.DisplayName,
			IsActive: active, BypassBasicAuthRestriction: su.BypassBasicAuthRestriction,
			InvitationAccepted: su.InvitationAccepted, Type: typ, GroupIDs: groups,
			CreationTime: created, // never modified: lastModificationTime is null
		}, password: su.Password}
		s.addUser(u)
	}
	for i, sr := range sf.RobotAccounts {
		id := strings.ToLower(sr.ID)
		if id == "" {
			id = deterministicGUID(seed, source+"-robot", i+1)
		}
		what := fmt.Sprintf("seed robot account %d (%s)", i+1, sr.Name)
		if !isGUID(id) || sr.Name == "" {
			return fmt.Errorf("%s: needs a name and a GUID id", what)
		}
		if s.robots[id] != nil {
			return fmt.Errorf("%s: id %s used twice", what, id)
		}
		groups, err := checkGroups(what, sr.GroupIDs)
		if err != nil {
			return err
		}
		display := sr.DisplayName
		if display == "" {
			display = sr.Name
		}
		s.addRobot(&RobotAccount{ID: id, Name: sr.Name, DisplayName: display, GroupIDs: groups,
			CreationTime: seedEpoch, LastModificationTime: seedEpoch})
	}
	for i, sg := range sf.Groups {
		for _, m := range sg.Members {
			if err := s.joinSeedGroup(groupIDs[i], m); err != nil {
				return fmt.Errorf("seed group %q: %w", sg.Name, err)
			}
		}
	}
	if err := s.addSeedStores(sf.CredentialStores); err != nil {
		return err
	}
	if err := s.addSeedRoles(sf.Roles); err != nil {
		return err
	}
	for i, so := range sf.OrchestratorUsers {
		what := fmt.Sprintf("seed orchestrator user %d (%s)", i+1, so.UserName)
		if so.ID <= 0 || so.UserName == "" {
			return fmt.Errorf("%s: needs a positive id and a userName", what)
		}
		if s.orch[so.ID] != nil {
			return fmt.Errorf("%s: id %d used twice", what, so.ID)
		}
		key := strings.ToLower(so.Key)
		if key == "" {
			key = deterministicGUID(seed, source+"-orchestrator-user", i+1)
		}
		typ := so.Type
		if typ == "" {
			typ = "User"
		}
		if err := s.checkTenantRoles(so.RolesList); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		ou := &OrchestratorUser{
			ID: so.ID, Key: key, UserName: so.UserName, Name: so.Name, Surname: so.Surname,
			FullName: strings.TrimSpace(so.Name + " " + so.Surname), EmailAddress: so.EmailAddress,
			IsActive: so.IsActive == nil || *so.IsActive, Type: typ, RolesList: so.RolesList,
			CreationTime: seedEpoch, LastModificationTime: seedEpoch,
		}
		if e, ok := s.findDirectoryEntity(typ, "", so.UserName); ok {
			ou.DirectoryIdentifier = e.id
		}
		password := ""
		if ur := so.UnattendedRobot; ur != nil {
			if ur.CredentialType != "" && !credentialTypes[ur.CredentialType] {
				return fmt.Errorf("%s: credentialType %q is none of Default, SmartCard, NCipher, SafeNet, NoCredential", what, ur.CredentialType)
			}
			ou.MayHaveUnattended = true
			ou.UnattendedRobot = &UnattendedRobot{
				UserName: ur.UserName, CredentialType: ur.CredentialType,
				CredentialStoreID: ur.CredentialStoreID, CredentialExternalName: ur.CredentialExternalName,
				ExecutionSettings: ur.ExecutionSettings, LimitConcurrentExecution: ur.LimitConcurrentExecution,
				RobotID: ur.RobotID,
			}
			password = ur.Password
		}
		s.addOrchestratorUser(ou, password)
	}
	if err := s.addSeedAccess(seed, source, sf); err != nil {
		return err
	}
	return s.addSeedAssets(seed, source, sf.Assets)
}

// joinSeedGroup puts the user (by userName or email) or robot account (by
// name) called member into group.
func (s *store) joinSeedGroup(group, member string) error {
	k := strings.ToLower(member)
	id := s.userByName[k]
	if id == "" {
		id = s.userByEmail[k]
	}
	if id == "" {
		id = s.robotByName[k]
	}
	if id == "" {
		return fmt.Errorf("member %q is no user or robot account", member)
	}
	groups, _ := s.memberGroups(id)
	*groups = changeGroups(*groups, []string{group}, nil)
	return nil
}

// addSeedStores adds a seed file's credential stores, in id order.
func (s *store) addSeedStores(stores []SeedCredentialStore) error {
	for i, sc := range stores {
		what := fmt.Sprintf("seed credential store %d (%s)", i+1, sc.Name)
		if sc.ID <= orchestratorDatabase.ID || sc.Name == "" || sc.Type == "" {
			return fmt.Errorf("%s: needs an id above %d (the Orchestrator Database's), a name and a type", what, orchestratorDatabase.ID)
		}
		for _, cs := range s.credStores {
			if cs.ID == sc.ID || strings.EqualFold(cs.Name, sc.Name) {
				return fmt.Errorf("%s: id or name used twice", what)
			}
		}
		s.credStores = append(s.credStores, CredentialStore{ID: sc.ID, Name: sc.Name, Type: sc.Type, ReadOnly: sc.ReadOnly})
	}
	slices.SortFunc(s.credStores, func(a, b CredentialStore) int { return cmp.Compare(a.ID, b.ID) })
	return nil
}
