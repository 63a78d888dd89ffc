package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/secret"
)

// Folders reads every folder of the tenant.
func (a *ClientAdapter) Folders(ctx context.Context) ([]Folder, error) {
	fs, err := a.c.Folders().List(ctx)
	if err != nil {
		return nil, adaptErr(err)
	}
	out := make([]Folder, len(fs))
	for i, f := range fs {
		out[i] = Folder{ID: f.ID, Path: f.FullyQualifiedName}
	}
	return out, nil
}

// Roles reads every role of the tenant.
func (a *ClientAdapter) Roles(ctx context.Context) ([]Role, error) {
	rs, err := a.c.Roles().List(ctx)
	if err != nil {
		return nil, adaptErr(err)
	}
	out := make([]Role, len(rs))
	for i, r := range rs {
		out[i] = Role{ID: r.ID, Name: r.Name, Tenant: r.ForTenant(), Folder: r.ForFolders()}
	}
	return out, nil
}

// FolderMembers reads who holds roles in the folder, and which, assigned
// there or inherited from an ancestor.
func (a *ClientAdapter) FolderMembers(ctx context.Context, folderID int64) ([]FolderMember, error) {
	ms, err := a.c.Folders().Users(ctx, folderID, true)
	if err != nil {
		return nil, adaptErr(err)
	}
	out := make([]FolderMember, 0, len(ms))
	for _, m := range ms {
		fm := FolderMember{UserID: m.UserID}
		for _, r := range m.Roles {
			if r.Inherited {
				fm.Inherited = append(fm.Inherited, r.Name)
			} else {
				fm.Assigned = append(fm.Assigned, r.Name)
			}
		}
		out = append(out, fm)
	}
	return out, nil
}

// EachOrchestratorAccount pages through the tenant's Orchestrator users.
func (a *ClientAdapter) EachOrchestratorAccount(ctx context.Context, fn func(OrchestratorAccount) error) error {
	return adaptErr(a.c.OrchestratorUsers.All(ctx, func(o client.OrchestratorUser) error { return fn(accountOf(o)) }))
}

// accountOf is an Orchestrator user as the access rows name it.
func accountOf(o client.OrchestratorUser) OrchestratorAccount {
	return OrchestratorAccount{ID: o.ID, UserName: o.UserName, Email: o.EmailAddress, Class: accountClass(o.Type), TenantRoles: o.RolesList}
}

// accountClass is the class of account an Orchestrator user type stands
// for ("" for those no access row names).
func accountClass(typ string) string {
	switch typ {
	case client.TypeDirectoryUser, "User":
		return accountUser
	case client.TypeDirectoryRobot, "Robot":
		return accountRobot
	case client.TypeDirectoryGroup:
		return accountGroup
	}
	return ""
}

// directoryTypes are the Orchestrator user types of the account classes.
var directoryTypes = map[string]string{accountUser: client.TypeDirectoryUser, accountRobot: client.TypeDirectoryRobot, accountGroup: client.TypeDirectoryGroup}

// CreateFolder creates a folder under the parent (nil: at the root).
func (a *ClientAdapter) CreateFolder(ctx context.Context, name string, parentID *int64, before BeforeSend) (Folder, error) {
	var f client.Folder
	err := a.orchestrator(func() error {
		var err error
		f, err = a.c.Folders().Create(ctx, client.NewFolder{DisplayName: name, ParentID: parentID}, client.BeforeSend(before))
		return err
	})
	return Folder{ID: f.ID, Path: f.FullyQualifiedName}, err
}

// AssignFolderRoles makes roleIDs the users' roles in the folder, in one
// request.
func (a *ClientAdapter) AssignFolderRoles(ctx context.Context, userIDs []int64, folderID int64, roleIDs []int64, before BeforeSend) error {
	return a.orchestrator(func() error {
		return a.c.Folders().AssignUsers(ctx, userIDs, []client.FolderRoles{{FolderID: folderID, RoleIDs: roleIDs}}, client.BeforeSend(before))
	})
}

// AssignDirectoryAccount gives a directory account roles in a folder (0:
// in none), which makes its Orchestrator user.
func (a *ClientAdapter) AssignDirectoryAccount(ctx context.Context, d DirectoryAccount, folderID int64, roleIDs []int64, before BeforeSend) error {
	da := client.DirectoryAssignment{Type: directoryTypes[d.Class], DirectoryIdentifier: d.IdentityID, UserName: d.Name}
	if folderID != 0 {
		da.RolesPerFolder = []client.FolderRoles{{FolderID: folderID, RoleIDs: roleIDs}}
	}
	return a.orchestrator(func() error {
		return a.c.Folders().AssignDirectoryUser(ctx, da, client.BeforeSend(before))
	})
}

// CreateOrchestratorUser makes d's Orchestrator user (POST odata/Users)
// with tenant roles and, when robot is not nil, an unattended robot.
func (a *ClientAdapter) CreateOrchestratorUser(ctx context.Context, d DirectoryAccount, tenantRoles []string, robot *UnattendedUpdate, before BeforeSend) (OrchestratorAccount, error) {
	nu := client.NewOrchestratorUser{Type: directoryTypes[d.Class], DirectoryIdentifier: d.IdentityID, UserName: d.Name, RolesList: tenantRoles}
	if robot != nil {
		rb := &client.UnattendedRobot{}
		if robot.UserName != nil {
			rb.UserName = *robot.UserName
		}
		if robot.CredentialType != nil {
			rb.CredentialType = *robot.CredentialType
		}
		if robot.ExecutionSettings != nil {
			if err := json.Unmarshal(robot.ExecutionSettings, &rb.ExecutionSettings); err != nil {
				return OrchestratorAccount{}, fmt.Errorf("execution_settings: %w", err)
			}
		}
		if robot.LimitConcurrentExecution != nil {
			rb.LimitConcurrentExecution = *robot.LimitConcurrentExecution
		}
		nu.UnattendedRobot = rb
	}
	var o client.OrchestratorUser
	err := a.orchestrator(func() error {
		var err error
		o, err = a.c.OrchestratorUsers.CreateDirectoryUser(ctx, nu, client.BeforeSend(before))
		return err
	})
	return OrchestratorAccount{ID: o.ID, UserName: o.UserName, Email: o.EmailAddress, Class: d.Class, TenantRoles: o.RolesList}, err
}

// RemoveFromFolder takes the user out of the folder.
func (a *ClientAdapter) RemoveFromFolder(ctx context.Context, folderID, userID int64, before BeforeSend) error {
	return a.orchestrator(func() error {
		return a.c.Folders().RemoveUser(ctx, folderID, userID, client.BeforeSend(before))
	})
}

// SetTenantRoles makes roleIDs the user's tenant roles.
func (a *ClientAdapter) SetTenantRoles(ctx context.Context, userID int64, roleIDs []int64, before BeforeSend) error {
	return a.orchestrator(func() error {
		return a.c.OrchestratorUsers.AssignTenantRoles(ctx, userID, roleIDs, client.BeforeSend(before))
	})
}

// UpdateUnattended sends o's unattended robot with u's changes: one PATCH
// carrying the robot as read with o (a read first when o was not read by
// this adapter).
func (a *ClientAdapter) UpdateUnattended(ctx context.Context, o OrchestratorUser, u UnattendedUpdate, before BeforeSend) error {
	return a.orchestrator(func() error {
		read := o.read
		if read == nil {
			got, err := a.c.OrchestratorUsers.Get(ctx, o.Key)
			if err != nil {
				return err
			}
			read = &got
		}
		var robot client.UnattendedRobot // a user without one is given one
		if read.UnattendedRobot != nil {
			robot = *read.UnattendedRobot
		}
		if u.UserName != nil {
			robot.UserName = *u.UserName
		}
		if u.CredentialType != nil && !strings.EqualFold(*u.CredentialType, robot.CredentialType) {
			robot.CredentialType = *u.CredentialType
		}
		if u.ExecutionSettings != nil {
			var settings map[string]any
			if err := json.Unmarshal(u.ExecutionSettings, &settings); err != nil {
				return fmt.Errorf("execution_settings: %w", err)
			}
			robot.ExecutionSettings = settings
		}
		if u.LimitConcurrentExecution != nil {
			robot.LimitConcurrentExecution = *u.LimitConcurrentExecution
		}
		_, err := a.c.OrchestratorUsers.UpdateUnattendedRobotOf(ctx, *read, robot, client.BeforeSend(before))
		return err
	})
}

// FolderAssets reads every asset of a folder.
func (a *ClientAdapter) FolderAssets(ctx context.Context, folderID int64) ([]Asset, error) {
	as, err := a.c.Assets().List(ctx, folderID)
	if err != nil {
		return nil, adaptErr(err)
	}
	now := time.Now()
	out := make([]Asset, len(as))
	for i := range as {
		out[i] = Asset{ID: as[i].ID, FolderID: folderID, Name: as[i].Name, ReadAt: now, read: &as[i]}
	}
	return out, nil
}

// GetAsset reads one asset again.
func (a *ClientAdapter) GetAsset(ctx context.Context, folderID, id int64) (Asset, error) {
	as, err := a.c.Assets().Get(ctx, folderID, id)
	if err != nil {
		return Asset{}, adaptErr(err)
	}
	return Asset{ID: as.ID, FolderID: folderID, Name: as.Name, ReadAt: time.Now(), read: &as}, nil
}

// SetAssetCredential sets the value's credential or secret: one PUT of
// the asset as read.
func (a *ClientAdapter) SetAssetCredential(ctx context.Context, as Asset, v AssetValue, userName string, password secret.Value, before BeforeSend) error {
	return a.orchestrator(func() error {
		read := *as.read
		read.FolderID = as.FolderID
		return a.c.Assets().SetCredentialOf(ctx, read, client.AssetValueTarget{RobotID: v.RobotID, UserID: v.UserID}, userName, password, client.BeforeSend(before))
	})
}
