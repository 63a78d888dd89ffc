package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// SeedRole is a custom Orchestrator role of a seed: Type is Tenant, Folder
// or Mixed; DisplayName defaults to Name.
type SeedRole struct {
	Name, DisplayName, Type string
}

// SeedFolder is an Orchestrator folder of a seed, by its path
// ("Shared/Finance/AP"); ancestors the seed does not list are made too.
// ID, when given, must be positive and free; otherwise the folder takes the
// next id.
type SeedFolder struct {
	ID                int64
	Path, Description string
}

// SeedAssignment gives Account the folder roles Roles (names) in the
// folder at path Folder. Type, when given, says what Account names
// (User, Robot, DirectoryUser, DirectoryRobot, DirectoryGroup); see
// SeedFile for how accounts are found.
type SeedAssignment struct {
	Account, Type, Folder string
	Roles                 []string
}

// SeedTenantRoles gives Account the tenant roles Roles (names), replacing
// those it held.
type SeedTenantRoles struct {
	Account, Type string
	Roles         []string
}

// addSeedRoles adds a seed's custom roles after the built-in ones. The
// caller holds the store (it is being built).
func (s *store) addSeedRoles(roles []SeedRole) error {
	for i, sr := range roles {
		what := fmt.Sprintf("seed role %d (%s)", i+1, sr.Name)
		if strings.TrimSpace(sr.Name) == "" {
			return fmt.Errorf("%s: needs a name", what)
		}
		if s.roleNamed(sr.Name) != nil {
			return fmt.Errorf("%s: the tenant has a role of that name", what)
		}
		if !slices.Contains(roleTypes, sr.Type) {
			return fmt.Errorf("%s: type %q is none of %s", what, sr.Type, strings.Join(roleTypes, ", "))
		}
		s.addRole(Role{Name: sr.Name, DisplayName: sr.DisplayName, Type: sr.Type, IsEditable: true})
	}
	return nil
}

// checkTenantRoles reports an error unless every name is a role that may
// be given for the tenant.
func (s *store) checkTenantRoles(names []string) error {
	for _, n := range names {
		r := s.roleNamed(n)
		if r == nil {
			return fmt.Errorf("no role %q", n)
		}
		if !r.forTenant() {
			return fmt.Errorf("role %q is a folder role: it is given in a folder, not for the tenant", n)
		}
	}
	return nil
}

// addSeedAccess adds a seed's folders, folder assignments and tenant
// roles, once its accounts and roles are in.
func (s *store) addSeedAccess(seed int64, source string, sf *SeedFile) error {
	made := 0
	listed := map[int64]bool{}
	for i, sfo := range sf.Folders {
		what := fmt.Sprintf("seed folder %d (%s)", i+1, sfo.Path)
		names := strings.Split(strings.Trim(sfo.Path, folderPathDivider), folderPathDivider)
		if f := s.folderByPath(sfo.Path); f != nil {
			// Made already: listed twice, or made as an ancestor.
			if listed[f.ID] || (sfo.ID != 0 && sfo.ID != f.ID) {
				return fmt.Errorf("%s: listed twice, or given an id after a subfolder made it (list it first)", what)
			}
			listed[f.ID] = true
			f.Description = sfo.Description
			continue
		}
		if sfo.ID < 0 || (sfo.ID > 0 && s.folders[sfo.ID] != nil) {
			return fmt.Errorf("%s: id %d is not positive and free", what, sfo.ID)
		}
		var parent int64
		for depth, name := range names {
			if msg := folderNameProblem(name); msg != "" {
				return fmt.Errorf("%s: %s", what, msg)
			}
			if f := s.childNamed(parent, name); f != nil {
				parent = f.ID
				continue
			}
			made++
			var id int64
			if depth == len(names)-1 {
				id = sfo.ID
			}
			f := s.newFolder(id, parent, name, deterministicGUID(seed, source+"-folder", made))
			if depth == len(names)-1 {
				f.Description = sfo.Description
				listed[f.ID] = true
			}
			parent = f.ID
		}
	}
	for i, sa := range sf.FolderAssignments {
		what := fmt.Sprintf("seed folder assignment %d (%s in %s)", i+1, sa.Account, sa.Folder)
		f := s.folderByPath(sa.Folder)
		if f == nil {
			return fmt.Errorf("%s: no folder %q", what, sa.Folder)
		}
		o, err := s.seedAccount(seed, source, sa.Account, sa.Type)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		ids := make([]int64, 0, len(sa.Roles))
		for _, n := range sa.Roles {
			r := s.roleNamed(n)
			if r == nil {
				return fmt.Errorf("%s: no role %q", what, n)
			}
			if !r.forFolders() {
				return fmt.Errorf("%s: role %q is a tenant role: it cannot be given in a folder", what, n)
			}
			ids = append(ids, r.ID)
		}
		s.setFolderRoles(f.ID, o.ID, ids)
	}
	for i, st := range sf.TenantRoles {
		what := fmt.Sprintf("seed tenant roles %d (%s)", i+1, st.Account)
		if err := s.checkTenantRoles(st.Roles); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		o, err := s.seedAccount(seed, source, st.Account, st.Type)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		o.RolesList = make([]string, 0, len(st.Roles))
		for _, n := range st.Roles {
			o.RolesList = append(o.RolesList, s.roleNamed(n).Name)
		}
	}
	return nil
}

// seedAccount finds the Orchestrator user a seed names (see SeedFile),
// making one for an Identity account or group Orchestrator does not know
// yet. typ narrows the lookup ("" looks everywhere: Orchestrator users,
// then Identity users, robot accounts and groups).
func (s *store) seedAccount(seed int64, source, name, typ string) (*OrchestratorUser, error) {
	known := []string{"User", "Robot", TypeDirectoryUser, TypeDirectoryRobot, TypeDirectoryGroup}
	if typ != "" && !slices.Contains(known, typ) {
		return nil, fmt.Errorf("account type %q is none of %s", typ, strings.Join(known, ", "))
	}
	for _, key := range s.orchOrder {
		o := s.orch[key]
		if strings.EqualFold(o.UserName, name) && (typ == "" || o.Type == typ) {
			return o, nil
		}
	}
	dirTypes := []string{TypeDirectoryUser, TypeDirectoryRobot, TypeDirectoryGroup}
	switch typ {
	case "":
	case "User":
		dirTypes = []string{TypeDirectoryUser}
	case "Robot":
		dirTypes = []string{TypeDirectoryRobot}
	default:
		dirTypes = []string{typ}
	}
	for _, dt := range dirTypes {
		if e, ok := s.findDirectoryEntity(dt, "", name); ok {
			made := len(s.orchOrder) + 1
			return s.provision(e, deterministicGUID(seed, source+"-directory-user", made), seedEpoch), nil
		}
	}
	return nil, fmt.Errorf("no Orchestrator user, Identity user, robot account or group %q", name)
}
