package emulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SeedAsset is an Orchestrator asset of a seed, in the folder at path
// Folder (a seed's folders are made before its assets). ValueType
// defaults to Credential; ValueScope to PerRobot when RobotValues or
// UserValues are given, else Global. Password is a Credential's or
// WindowsCredential's password, or a Secret's value; ExternalName puts
// it in an external store instead (CredentialStoreID names the store).
// Value is a Text's, Bool's ("true"), Integer's or connection string's
// value. HasDefaultValue (PerRobot only) defaults to whether the asset's
// own value is given. Tags are tag names. ID, when given, must be
// positive and free.
type SeedAsset struct {
	ID                                  int64
	Folder, Name, Description           string
	ValueType, ValueScope               string
	HasDefaultValue                     *bool
	Value, CredentialUsername, Password string
	CredentialStoreID                   *int64 `json:"credentialStoreId"`
	ExternalName                        string
	Tags                                []string
	RobotValues                         []SeedAssetValue
	UserValues                          []SeedAssetValue
}

// SeedAssetValue is one robot's (Robot: an Orchestrator user with an
// unattended robot, by UserName) or user's (User: an Orchestrator user
// that is no group, by UserName; Machine: a machine name, made up when
// new) value of a seed's PerRobot asset.
type SeedAssetValue struct {
	Robot, User, Machine                string
	Value, CredentialUsername, Password string
	CredentialStoreID                   *int64 `json:"credentialStoreId"`
	ExternalName                        string
}

// orchestratorUserNamed returns the Orchestrator user called name
// (case-insensitively) that ok accepts. The caller holds the store's lock.
func (st *store) orchestratorUserNamed(name string, ok func(*OrchestratorUser) bool) *OrchestratorUser {
	for _, id := range st.orchOrder {
		if o := st.orch[id]; strings.EqualFold(o.UserName, name) && ok(o) {
			return o
		}
	}
	return nil
}

// canonical returns the name of names that s spells (in any letter case).
func canonical(s string, names []string) (string, bool) {
	i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, s) })
	if i < 0 {
		return "", false
	}
	return names[i], true
}

// seedValue reads a seed's text as the value of an asset of type typ.
func seedValue(a *Asset, typ, value string) error {
	switch typ {
	case "Bool":
		if value == "" {
			return nil
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("value %q is no boolean", value)
		}
		a.BoolValue = b
	case "Integer":
		if value == "" {
			return nil
		}
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil {
			return fmt.Errorf("value %q is no 32-bit integer", value)
		}
		a.IntValue = int32(n)
	case "Text", "DBConnectionString", "HttpConnectionString":
		a.StringValue = value
	default:
		if value != "" {
			return fmt.Errorf("a %s takes no value (give a password or a credentialUsername)", typ)
		}
	}
	return nil
}

// seedSecret checks a seed value's password: a Credential or Secret
// needs one, or an external name; an external store holds the password,
// so both cannot be given; other types take none.
func (st *store) seedSecret(kind, password, externalName string, store *int64) error {
	switch {
	case kind == "" && (password != "" || externalName != ""):
		return fmt.Errorf("its type holds no password: give value instead")
	case password != "" && externalName != "":
		return fmt.Errorf("a password and an externalName: the external store holds the password")
	case kind != "" && password == "" && externalName == "":
		if store != nil {
			if cs, ok := st.credentialStore(*store); ok && cs.ReadOnly {
				return nil // the read-only store holds it
			}
		}
		return fmt.Errorf("needs a password (a Secret's value) or an externalName")
	}
	return nil
}

// addSeedAssets adds a seed's assets, once its folders and Orchestrator
// users are in. source is part of the keys made up for them.
func (st *store) addSeedAssets(seed int64, source string, assets []SeedAsset) error {
	for i, sa := range assets {
		what := fmt.Sprintf("seed asset %d (%s in %s)", i+1, sa.Name, sa.Folder)
		f := st.folderByPath(sa.Folder)
		if f == nil {
			return fmt.Errorf("%s: no folder %q", what, sa.Folder)
		}
		if strings.TrimSpace(sa.Name) == "" {
			return fmt.Errorf("%s: needs a name", what)
		}
		if st.assetNamed(f.ID, sa.Name) != nil {
			return fmt.Errorf("%s: the folder has an asset of that name", what)
		}
		if sa.ID < 0 || (sa.ID > 0 && st.assets[sa.ID] != nil) {
			return fmt.Errorf("%s: id %d is not positive and free", what, sa.ID)
		}
		typ, ok := canonical(cmpOr(sa.ValueType, "Credential"), assetValueTypes)
		if !ok {
			return fmt.Errorf("%s: valueType %q is none of %s", what, sa.ValueType, strings.Join(assetValueTypes, ", "))
		}
		perValue := len(sa.RobotValues)+len(sa.UserValues) > 0
		scope := "Global"
		if perValue {
			scope = "PerRobot"
		}
		if scope, ok = canonical(cmpOr(sa.ValueScope, scope), assetValueScopes); !ok {
			return fmt.Errorf("%s: valueScope %q is none of Global, PerRobot", what, sa.ValueScope)
		}
		if scope == "Global" && perValue {
			return fmt.Errorf("%s: a Global asset has no robot or user values", what)
		}
		own := sa.Value != "" || sa.CredentialUsername != "" || sa.Password != "" || sa.ExternalName != ""
		a := &Asset{ID: sa.ID, Key: deterministicGUID(seed, source+"-asset", i+1), FolderID: f.ID, Name: sa.Name,
			Description: sa.Description, ValueType: typ, ValueScope: scope,
			HasDefaultValue: scope == "Global" || (sa.HasDefaultValue == nil && own) || (sa.HasDefaultValue != nil && *sa.HasDefaultValue),
			CreationTime:    seedEpoch}
		for _, t := range sa.Tags {
			a.Tags = append(a.Tags, AssetTag{Name: t, DisplayName: t})
		}
		kind := assetSecretKind(typ)
		if a.HasDefaultValue {
			if err := seedValue(a, typ, sa.Value); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if err := st.seedSecret(kind, sa.Password, sa.ExternalName, sa.CredentialStoreID); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			a.CredentialUsername, a.CredentialStoreID, a.ExternalName, a.secret = sa.CredentialUsername, sa.CredentialStoreID, sa.ExternalName, sa.Password
		} else if own {
			return fmt.Errorf("%s: hasDefaultValue is false, yet the asset's own value is given", what)
		}
		for j, sv := range sa.RobotValues {
			o := st.orchestratorUserNamed(sv.Robot, func(o *OrchestratorUser) bool { return o.UnattendedRobot != nil })
			vwhat := fmt.Sprintf("%s: robot value %d (%s)", what, j+1, sv.Robot)
			switch {
			case o == nil:
				return fmt.Errorf("%s: no Orchestrator user of that name has an unattended robot", vwhat)
			case slices.ContainsFunc(a.RobotValues, func(v AssetRobotValue) bool { return v.RobotID == robotIDOf(o) }):
				return fmt.Errorf("%s: the robot has a value already", vwhat)
			}
			if err := st.seedSecret(kind, sv.Password, sv.ExternalName, sv.CredentialStoreID); err != nil {
				return fmt.Errorf("%s: %w", vwhat, err)
			}
			a.RobotValues = append(a.RobotValues, AssetRobotValue{ID: st.nextAssetValueID(), RobotID: robotIDOf(o), RobotName: o.UserName,
				CredentialUsername: sv.CredentialUsername, CredentialStoreID: sv.CredentialStoreID, ExternalName: sv.ExternalName,
				StringValue: sv.Value, secret: sv.Password})
		}
		for j, sv := range sa.UserValues {
			o := st.orchestratorUserNamed(sv.User, func(o *OrchestratorUser) bool { return o.Type != TypeDirectoryGroup })
			vwhat := fmt.Sprintf("%s: user value %d (%s)", what, j+1, sv.User)
			if o == nil {
				return fmt.Errorf("%s: no Orchestrator user of that name (groups take no values)", vwhat)
			}
			v := AssetUserValue{UserID: o.ID, UserName: o.UserName, CredentialUsername: sv.CredentialUsername,
				CredentialStoreID: sv.CredentialStoreID, ExternalName: sv.ExternalName, StringValue: sv.Value, secret: sv.Password}
			if sv.Machine != "" {
				m := st.machine(seed, sv.Machine)
				v.MachineID, v.MachineName = &m, st.machines[m]
			}
			if slices.ContainsFunc(a.UserValues, func(u AssetUserValue) bool { return u.UserID == v.UserID && orZero(u.MachineID) == orZero(v.MachineID) }) {
				return fmt.Errorf("%s: the user has a value for that machine already", vwhat)
			}
			if err := st.seedSecret(kind, sv.Password, sv.ExternalName, sv.CredentialStoreID); err != nil {
				return fmt.Errorf("%s: %w", vwhat, err)
			}
			v.ID = st.nextAssetValueID()
			a.UserValues = append(a.UserValues, v)
		}
		st.addAsset(a)
	}
	return nil
}

// InitialAssetPassword is the password (or secret) generated asset i's
// own value starts with; robot j's value of it starts with
// InitialAssetRobotPassword(i, j).
func InitialAssetPassword(i int) string { return fmt.Sprintf("Initial-Asset-%05d!", i) }

// InitialAssetRobotPassword is the password generated robot j's value of
// generated asset i starts with.
func InitialAssetRobotPassword(i, j int) string {
	return fmt.Sprintf("Initial-Asset-%05d-R%03d!", i, j)
}

// GeneratedVault is the credential store of the generated assets whose
// passwords an external store holds (Config.Assets).
var GeneratedVault = CredentialStore{ID: 2, Name: "Generated Vault", Type: "AzureKeyVault"}

// generateAssets makes n credential assets spread over folders folders
// (0: one per 100 assets), deterministically from seed: folders
// "Assets/Team 01"…; asset i named "cred-%05d" in folder (i-1) mod
// folders, a Credential with the user name CORP\svc-cred-%05d and
// InitialAssetPassword(i), but every 10th a Secret, every 7th (of those
// left) kept in GeneratedVault under an external name, and, when the
// organization has generated robots, every 4th PerRobot with values for
// two of them (InitialAssetRobotPassword). The caller holds the store
// (it is being built).
func (st *store) generateAssets(seed int64, n, folders, robots int) {
	if n == 0 {
		return
	}
	if folders <= 0 {
		folders = (n + 99) / 100
	}
	st.credStores = append(st.credStores, GeneratedVault)
	slices.SortFunc(st.credStores, func(a, b CredentialStore) int { return int(a.ID - b.ID) })
	root := st.newFolder(0, 0, "Assets", deterministicGUID(seed, "asset-folder", 0))
	ids := make([]int64, folders)
	for k := range folders {
		ids[k] = st.newFolder(0, root.ID, fmt.Sprintf("Team %02d", k+1), deterministicGUID(seed, "asset-folder", k+1)).ID
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0xa55e7))
	vault := GeneratedVault.ID
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("cred-%05d", i)
		a := &Asset{Key: deterministicGUID(seed, "asset", i), FolderID: ids[(i-1)%folders], Name: name,
			ValueType: "Credential", ValueScope: "Global", HasDefaultValue: true,
			CredentialUsername: fmt.Sprintf(`CORP\svc-%s`, name), secret: InitialAssetPassword(i),
			CreationTime: seedEpoch.Add(time.Duration(i) * time.Second)}
		switch {
		case i%10 == 0:
			a.ValueType, a.CredentialUsername = "Secret", ""
		case i%7 == 0:
			a.CredentialStoreID, a.ExternalName, a.secret = &vault, "vault/"+name, ""
		case robots > 0 && i%4 == 0:
			a.ValueScope = "PerRobot"
			first := rng.IntN(robots)
			for k := range min(2, robots) {
				j := (first+k)%robots + 1
				o := st.orch[int64(1000+j)]
				a.RobotValues = append(a.RobotValues, AssetRobotValue{ID: st.nextAssetValueID(), RobotID: robotIDOf(o), RobotName: o.UserName,
					CredentialUsername: fmt.Sprintf(`CORP\svc-%s-r%03d`, name, j), secret: InitialAssetRobotPassword(i, j)})
			}
		}
		st.addAsset(a)
	}
}

func cmpOr(s, or string) string {
	if s != "" {
		return s
	}
	return or
}
