package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Asset is an Orchestrator asset (AssetDto) as the emulator holds it, in
// one folder. Passwords and secret values are kept apart, never served
// and never in a copy Server.Assets returns (Server.AssetPasswordOf says
// them). A credential value's password lives in an external store when
// ExternalName is set: Orchestrator only refers to it there.
type Asset struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	FolderID int64  `json:"folderId"`
	// FolderPath is the folder's FullyQualifiedName, filled by
	// Server.Assets and the state snapshot.
	FolderPath  string `json:"folderPath"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// ValueType is one of assetValueTypes; ValueScope Global or PerRobot.
	ValueType  string `json:"valueType"`
	ValueScope string `json:"valueScope"`
	// HasDefaultValue: the asset's own value is set (always for Global).
	HasDefaultValue bool `json:"hasDefaultValue"`
	// The default value: a text, boolean, integer or key-value list, or a
	// credential's user name and store (its password apart).
	StringValue        string          `json:"stringValue,omitempty"`
	BoolValue          bool            `json:"boolValue,omitempty"`
	IntValue           int32           `json:"intValue,omitempty"`
	KeyValueList       []AssetKeyValue `json:"keyValueList,omitempty"`
	CredentialUsername string          `json:"credentialUsername,omitempty"`
	CredentialStoreID  *int64          `json:"credentialStoreId,omitempty"`
	ExternalName       string          `json:"externalName,omitempty"`
	// RobotValues and UserValues are a PerRobot asset's values.
	RobotValues          []AssetRobotValue `json:"robotValues,omitempty"`
	UserValues           []AssetUserValue  `json:"userValues,omitempty"`
	Tags                 []AssetTag        `json:"tags,omitempty"`
	CreationTime         time.Time         `json:"creationTime"`
	LastModificationTime time.Time         `json:"lastModificationTime,omitzero"`

	secret string // the default value's password or secret
}

// AssetRobotValue is one robot's value of a PerRobot asset
// (AssetRobotValueDto). RobotID is the robot's id (an Orchestrator
// user's UnattendedRobot.RobotId), RobotName the user's UserName.
type AssetRobotValue struct {
	ID                 int64  `json:"id"`
	RobotID            int64  `json:"robotId"`
	RobotName          string `json:"robotName"`
	CredentialUsername string `json:"credentialUsername,omitempty"`
	CredentialStoreID  *int64 `json:"credentialStoreId,omitempty"`
	ExternalName       string `json:"externalName,omitempty"`
	StringValue        string `json:"stringValue,omitempty"`

	secret string
}

// AssetUserValue is one user's value of a PerRobot asset
// (AssetUserValueDto): UserID is an Orchestrator user's id, MachineID
// (nil for none) a machine the emulator made up for the seed.
type AssetUserValue struct {
	ID                 int64  `json:"id"`
	UserID             int64  `json:"userId"`
	UserName           string `json:"userName"`
	MachineID          *int64 `json:"machineId,omitempty"`
	MachineName        string `json:"machineName,omitempty"`
	CredentialUsername string `json:"credentialUsername,omitempty"`
	CredentialStoreID  *int64 `json:"credentialStoreId,omitempty"`
	ExternalName       string `json:"externalName,omitempty"`
	StringValue        string `json:"stringValue,omitempty"`

	secret string
}

// AssetKeyValue is one pair of a KeyValueList asset (CustomKeyValuePair).
type AssetKeyValue struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// AssetTag is an asset's tag (TagDto).
type AssetTag struct {
	Name         string `json:"Name"`
	DisplayName  string `json:"DisplayName,omitempty"`
	Value        string `json:"Value,omitempty"`
	DisplayValue string `json:"DisplayValue,omitempty"`
}

// assetValueTypes are AssetDto's value types; assetValueScopes its scopes.
var (
	assetValueTypes  = []string{"DBConnectionString", "HttpConnectionString", "Text", "Bool", "Integer", "Credential", "WindowsCredential", "KeyValueList", "Secret"}
	assetValueScopes = []string{"Global", "PerRobot"}
)

// assetSecretKind says what a value of type typ holds apart: "password"
// (a credential: user name and password), "secret" (a Secret's value) or
// "" (nothing).
func assetSecretKind(typ string) string {
	switch typ {
	case "Credential", "WindowsCredential":
		return "password"
	case "Secret":
		return "secret"
	}
	return ""
}

// external reports whether a value's password lives in an external store.
func external(name string) bool { return name != "" }

// clone copies a, with its values, without any secret.
func (a *Asset) clone() Asset {
	c := *a
	c.secret = ""
	c.KeyValueList = slices.Clone(a.KeyValueList)
	c.Tags = slices.Clone(a.Tags)
	c.CredentialStoreID = cloneID(a.CredentialStoreID)
	c.RobotValues = make([]AssetRobotValue, len(a.RobotValues))
	for i, v := range a.RobotValues {
		v.secret, v.CredentialStoreID = "", cloneID(v.CredentialStoreID)
		c.RobotValues[i] = v
	}
	c.UserValues = make([]AssetUserValue, len(a.UserValues))
	for i, v := range a.UserValues {
		v.secret, v.CredentialStoreID, v.MachineID = "", cloneID(v.CredentialStoreID), cloneID(v.MachineID)
		c.UserValues[i] = v
	}
	if len(c.RobotValues) == 0 {
		c.RobotValues = nil
	}
	if len(c.UserValues) == 0 {
		c.UserValues = nil
	}
	return c
}

func cloneID(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// assetIDBase is where the asset ids of an organization generated from
// seed start.
func assetIDBase(seed int64) int64 { return 60_000 + 1000*seedSlot(seed) }

// assetValueIDBase is where the ids of robots' and users' values start.
func assetValueIDBase(seed int64) int64 { return 1_000_000 + 1000*seedSlot(seed) }

// machineIDBase is where the ids of the machines a seed names start.
func machineIDBase(seed int64) int64 { return 30_000 + 1000*seedSlot(seed) }

// addAsset stores a (its id the next one when 0) and returns it. The
// caller holds the store's write lock and has checked the name is free
// in the folder.
func (st *store) addAsset(a *Asset) *Asset {
	if a.ID == 0 {
		a.ID = st.lastAsset + 1
	}
	st.lastAsset = max(st.lastAsset, a.ID)
	st.assets[a.ID] = a
	i, _ := slices.BinarySearch(st.assetOrder, a.ID)
	st.assetOrder = slices.Insert(st.assetOrder, i, a.ID)
	return a
}

// nextAssetValueID is the id of a robot's or user's value made now.
func (st *store) nextAssetValueID() int64 {
	st.lastAssetValue++
	return st.lastAssetValue
}

// assetNamed returns the asset called name (case-insensitively) in the
// folder with id; nil when none. The caller holds the store's lock.
func (st *store) assetNamed(folder int64, name string) *Asset {
	for _, id := range st.assetOrder {
		if a := st.assets[id]; a.FolderID == folder && strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// robotIDOf is the robot id of the Orchestrator user o's unattended
// robot (its RobotId, or the user's id when it has none); 0 when o has
// no unattended robot.
func robotIDOf(o *OrchestratorUser) int64 {
	switch {
	case o.UnattendedRobot == nil:
		return 0
	case o.UnattendedRobot.RobotID != 0:
		return o.UnattendedRobot.RobotID
	}
	return o.ID
}

// robotByID returns the Orchestrator user whose robot has id. The
// caller holds the store's lock.
func (st *store) robotByID(id int64) *OrchestratorUser {
	for _, k := range st.orchOrder {
		if o := st.orch[k]; robotIDOf(o) == id {
			return o
		}
	}
	return nil
}

// assetUser returns the Orchestrator user with id that may hold a
// per-user value (any but a group). The caller holds the store's lock.
func (st *store) assetUser(id int64) *OrchestratorUser {
	if o := st.orch[id]; o != nil && o.Type != TypeDirectoryGroup {
		return o
	}
	return nil
}

// machine returns the id of the machine called name, made when new.
// The caller holds the store's write lock.
func (st *store) machine(seed int64, name string) int64 {
	for id, n := range st.machines {
		if strings.EqualFold(n, name) {
			return id
		}
	}
	if st.lastMachine == 0 {
		st.lastMachine = machineIDBase(seed)
	}
	st.lastMachine++
	st.machines[st.lastMachine] = name
	return st.lastMachine
}

// assetFields are the AssetDto properties a $filter compares.
var assetFields = odataFields[Asset]{
	typeName: "UiPath.Server.Configuration.OData.AssetDto",
	id:       func(a *Asset) int64 { return a.ID },
	text: map[string]func(*Asset) string{
		"Name":       func(a *Asset) string { return a.Name },
		"ValueType":  func(a *Asset) string { return a.ValueType },
		"ValueScope": func(a *Asset) string { return a.ValueScope },
	},
}

// assetDTO is AssetDto as the asset endpoints answer it. Live, what the
// service lacks is null (ExternalName, CredentialStoreId, Description,
// the modification and creator fields) and CredentialPassword and
// SecretValue are "", AllowDirectApiAccess is there; in spec shapes
// what is lacking is left out, passwords too. Across folders the value
// fields (Value, StringValue, CredentialUsername, ExternalName) are null
// (spec: left out): that list gives metadata only.
type assetDTO struct {
	Key                  string           `json:"Key"`
	Name                 string           `json:"Name"`
	CanBeDeleted         bool             `json:"CanBeDeleted"`
	ValueScope           string           `json:"ValueScope"`
	ValueType            string           `json:"ValueType"`
	Value                json.RawMessage  `json:"Value,omitempty"`
	StringValue          json.RawMessage  `json:"StringValue,omitempty"`
	BoolValue            bool             `json:"BoolValue"`
	IntValue             int32            `json:"IntValue"`
	CredentialUsername   json.RawMessage  `json:"CredentialUsername,omitempty"`
	CredentialPassword   *string          `json:"CredentialPassword,omitempty"`
	SecretValue          *string          `json:"SecretValue,omitempty"`
	ExternalName         json.RawMessage  `json:"ExternalName,omitempty"`
	CredentialStoreID    json.RawMessage  `json:"CredentialStoreId,omitempty"`
	KeyValueList         []AssetKeyValue  `json:"KeyValueList"`
	HasDefaultValue      bool             `json:"HasDefaultValue"`
	Description          json.RawMessage  `json:"Description,omitempty"`
	RobotValues          *[]robotValueDTO `json:"RobotValues,omitempty"`
	UserValues           *[]userValueDTO  `json:"UserValues,omitempty"`
	Tags                 []AssetTag       `json:"Tags"`
	FoldersCount         int              `json:"FoldersCount"`
	LastModificationTime json.RawMessage  `json:"LastModificationTime,omitempty"`
	LastModifierUserID   json.RawMessage  `json:"LastModifierUserId,omitempty"`
	CreationTime         string           `json:"CreationTime"`
	CreatorUserID        json.RawMessage  `json:"CreatorUserId,omitempty"`
	ID                   int64            `json:"Id"`
	AllowDirectAPIAccess *bool            `json:"AllowDirectApiAccess,omitempty"`
}

// valueDTO is what AssetRobotValueDto and AssetUserValueDto share: the
// value itself.
type valueDTO struct {
	ValueType          string          `json:"ValueType"`
	StringValue        string          `json:"StringValue"`
	BoolValue          bool            `json:"BoolValue"`
	IntValue           int32           `json:"IntValue"`
	Value              string          `json:"Value"`
	CredentialUsername string          `json:"CredentialUsername"`
	CredentialPassword *string         `json:"CredentialPassword,omitempty"`
	SecretValue        *string         `json:"SecretValue,omitempty"`
	ExternalName       json.RawMessage `json:"ExternalName,omitempty"`
	CredentialStoreID  json.RawMessage `json:"CredentialStoreId,omitempty"`
	KeyValueList       []AssetKeyValue `json:"KeyValueList"`
	ID                 int64           `json:"Id"`
}

// robotValueDTO is AssetRobotValueDto.
type robotValueDTO struct {
	RobotID   int64           `json:"RobotId"`
	RobotName string          `json:"RobotName"`
	KeyTrail  json.RawMessage `json:"KeyTrail,omitempty"`
	valueDTO
}

// userValueDTO is AssetUserValueDto.
type userValueDTO struct {
	UserID      int64           `json:"UserId"`
	UserName    string          `json:"UserName"`
	MachineID   json.RawMessage `json:"MachineId,omitempty"`
	MachineName json.RawMessage `json:"MachineName,omitempty"`
	valueDTO
}

// valueDTO is a robot's or user's value of an asset of type valueType as
// an answer carries it: its password or secret never.
func (s *Server) valueDTO(valueType, stringValue, userName, externalName string, store *int64, id int64) valueDTO {
	return valueDTO{ValueType: valueType, StringValue: stringValue,
		Value: assetValueText(valueType, stringValue, false, 0, userName), CredentialUsername: userName,
		CredentialPassword: s.hidden(), SecretValue: s.hidden(), ExternalName: s.text(externalName),
		CredentialStoreID: s.id(store), KeyValueList: []AssetKeyValue{}, ID: id}
}

// text is s as an answer carries it, absent when empty.
func (s *Server) text(v string) json.RawMessage {
	if v == "" {
		return s.absent()
	}
	b, _ := json.Marshal(v)
	return b
}

// id is p as an answer carries it, absent when nil.
func (s *Server) id(p *int64) json.RawMessage {
	if p == nil {
		return s.absent()
	}
	return json.RawMessage(strconv.FormatInt(*p, 10))
}

// hidden is a password or secret as an answer carries it: "" live, left
// out in spec shapes.
func (s *Server) hidden() *string {
	if s.cfg.SpecShapes {
		return nil
	}
	empty := ""
	return &empty
}

// quoted is v as a JSON string, even when empty.
func quoted(v string) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// assetValueText is AssetDto.Value, the value as text: a credential's
// user name, never a password or a secret.
func assetValueText(typ, str string, b bool, n int32, user string) string {
	switch typ {
	case "Bool":
		return strconv.FormatBool(b)
	case "Integer":
		return strconv.FormatInt(int64(n), 10)
	case "Credential", "WindowsCredential":
		return user
	case "Secret", "KeyValueList":
		return ""
	}
	return str
}

// assetExpansion says which value lists an answer carries.
type assetExpansion struct{ users bool }

// toAssetDTO shapes a. across gives the metadata only. The caller holds
// the store's lock.
func (s *Server) toAssetDTO(a *Asset, x assetExpansion, across bool) assetDTO {
	dto := assetDTO{
		Key: a.Key, Name: a.Name, CanBeDeleted: true, ValueScope: a.ValueScope, ValueType: a.ValueType,
		BoolValue: a.BoolValue, IntValue: a.IntValue, KeyValueList: append([]AssetKeyValue{}, a.KeyValueList...),
		HasDefaultValue: a.HasDefaultValue, Description: s.text(a.Description), Tags: append([]AssetTag{}, a.Tags...),
		FoldersCount: 1, LastModificationTime: nullableWireTime(s, a.LastModificationTime),
		LastModifierUserID: s.absent(), CreationTime: formatWireTime(a.CreationTime), CreatorUserID: s.absent(), ID: a.ID,
		CredentialStoreID: s.id(a.CredentialStoreID),
	}
	if !s.cfg.SpecShapes {
		no := false
		dto.AllowDirectAPIAccess = &no
	}
	if across {
		dto.Value, dto.StringValue, dto.CredentialUsername, dto.ExternalName = s.absent(), s.absent(), s.absent(), s.absent()
		return dto
	}
	dto.Value = quoted(assetValueText(a.ValueType, a.StringValue, a.BoolValue, a.IntValue, a.CredentialUsername))
	dto.StringValue, dto.CredentialUsername = quoted(a.StringValue), quoted(a.CredentialUsername)
	dto.CredentialPassword, dto.SecretValue = s.hidden(), s.hidden()
	dto.ExternalName = s.text(a.ExternalName)
	robots := make([]robotValueDTO, 0, len(a.RobotValues))
	for _, v := range a.RobotValues {
		robots = append(robots, robotValueDTO{RobotID: v.RobotID, RobotName: v.RobotName, KeyTrail: s.absent(),
			valueDTO: s.valueDTO(a.ValueType, v.StringValue, v.CredentialUsername, v.ExternalName, v.CredentialStoreID, v.ID)})
	}
	dto.RobotValues = &robots
	if x.users {
		users := make([]userValueDTO, 0, len(a.UserValues))
		for _, v := range a.UserValues {
			users = append(users, userValueDTO{UserID: v.UserID, UserName: v.UserName, MachineID: s.id(v.MachineID), MachineName: s.text(v.MachineName),
				valueDTO: s.valueDTO(a.ValueType, v.StringValue, v.CredentialUsername, v.ExternalName, v.CredentialStoreID, v.ID)})
		}
		dto.UserValues = &users
	}
	return dto
}

// nullableWireTime is t in the wire format, absent for the zero time.
func nullableWireTime(s *Server, t time.Time) json.RawMessage {
	if t.IsZero() {
		return s.absent()
	}
	return quoted(formatWireTime(t))
}

// assetExpand reads $expand: UserValues (a navigation property, in the
// answer only when expanded) and RobotValues (always there); another
// name is refused as OData refuses it. It answers when it refuses.
func assetExpand(c *call) (assetExpansion, bool) {
	var x assetExpansion
	raw := c.r.URL.Query().Get("$expand")
	if strings.TrimSpace(raw) == "" {
		return x, true
	}
	for _, p := range strings.Split(raw, ",") {
		switch p = strings.TrimSpace(p); {
		case strings.EqualFold(p, "UserValues"):
			x.users = true
		case strings.EqualFold(p, "RobotValues"):
		default:
			c.orchestratorInvalid("The query specified in the URI is not valid. Could not find a property named '"+p+"' on type 'UiPath.Server.Configuration.OData.AssetDto'.", 0)
			return x, false
		}
	}
	return x, true
}

// assetFolder reads the folder header an asset endpoint needs: 400 (1101)
// without it, 404 for a folder the tenant lacks. It answers when it
// refuses.
func (s *Server) assetFolder(c *call) (int64, bool) {
	raw := c.r.Header.Get("X-UIPATH-OrganizationUnitId")
	if raw == "" {
		body, _ := json.Marshal(map[string]any{"message": "An organization unit is required for this action.", "errorCode": 1101, "traceId": c.trace})
		c.json(http.StatusBadRequest, body)
		return 0, false
	}
	id, _ := strconv.ParseInt(raw, 10, 64) // authorize has checked it
	s.state.mu.RLock()
	f := s.state.folders[id]
	s.state.mu.RUnlock()
	if f == nil {
		c.orchestratorNotFound("Folder does not exist or the user does not have access to the folder.", 1100)
		return 0, false
	}
	return id, true
}

// listAssets serves GET /odata/Assets: the folder's assets, in id order,
// with $filter, $top, $skip and $expand.
func (s *Server) listAssets(c *call) {
	folder, ok := s.assetFolder(c)
	if !ok {
		return
	}
	x, ok := assetExpand(c)
	if !ok {
		return
	}
	serveODataList(s, c, "Assets", assetFields, func(st *store, skip, top int, match func(*Asset) bool) ([]assetDTO, int) {
		return pageOf(st.assetOrder, st.assets, skip, top, func(a *Asset) bool { return a.FolderID == folder && match(a) },
			func(a *Asset) assetDTO { return s.toAssetDTO(a, x, false) })
	})
}

// assetsAcrossFolders serves GET /odata/Assets/…GetAssetsAcrossFolders:
// every folder's assets but excludeFolderId's, metadata only. The folder
// header is not needed (UiPath's SDK sends none); one given must name a
// folder.
func (s *Server) assetsAcrossFolders(c *call) {
	if c.r.Header.Get("X-UIPATH-OrganizationUnitId") != "" {
		if _, ok := s.assetFolder(c); !ok {
			return
		}
	}
	var exclude int64
	if raw := c.r.URL.Query().Get("excludeFolderId"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			c.orchestratorInvalid("The value '"+raw+"' is not valid for excludeFolderId.", 0)
			return
		}
		exclude = n
	}
	serveODataList(s, c, "Assets", assetFields, func(st *store, skip, top int, match func(*Asset) bool) ([]assetDTO, int) {
		return pageOf(st.assetOrder, st.assets, skip, top, func(a *Asset) bool { return a.FolderID != exclude && match(a) },
			func(a *Asset) assetDTO { return s.toAssetDTO(a, assetExpansion{}, true) })
	})
}

// getAsset serves GET /odata/Assets({key}) in the folder of the header.
func (s *Server) getAsset(c *call) {
	folder, ok := s.assetFolder(c)
	if !ok {
		return
	}
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	x, ok := assetExpand(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	a := s.state.assets[key]
	found := a != nil && a.FolderID == folder
	var dto assetDTO
	if found {
		dto = s.toAssetDTO(a, x, false)
	}
	s.state.mu.RUnlock()
	if !found {
		c.orchestratorNotFound("Asset does not exist.", 1002)
		return
	}
	s.answerEntity(c, http.StatusOK, "Assets/$entity", dto)
}

// Assets returns copies of every asset, in id order, with their folder's
// path and their values' user names, never a password.
func (s *Server) Assets() []Asset {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.assetCopies()
}

// assetCopies copies every asset with its folder path. The caller holds
// the store's lock.
func (st *store) assetCopies() []Asset {
	out := make([]Asset, 0, len(st.assetOrder))
	for _, id := range st.assetOrder {
		a := st.assets[id].clone()
		if f := st.folders[a.FolderID]; f != nil {
			a.FolderPath = f.FullyQualifiedName
		}
		out = append(out, a)
	}
	return out
}

// AssetPasswordOf returns the password (or a Secret's value) of the asset
// called assetName in the folder at folderPath: its default value's when
// robotOrUserName is "", else the value of the robot (by its name) or
// user (by UserName; a user with values for several machines: the
// first) of that name. "" when there is none.
func (s *Server) AssetPasswordOf(folderPath, assetName, robotOrUserName string) string {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	f := st.folderByPath(folderPath)
	if f == nil {
		return ""
	}
	a := st.assetNamed(f.ID, assetName)
	switch {
	case a == nil:
		return ""
	case robotOrUserName == "":
		return a.secret
	}
	for _, v := range a.RobotValues {
		if strings.EqualFold(v.RobotName, robotOrUserName) {
			return v.secret
		}
	}
	for _, v := range a.UserValues {
		if strings.EqualFold(v.UserName, robotOrUserName) {
			return v.secret
		}
	}
	return ""
}

// AssetUserPasswordOf returns the password (or secret) of userName's
// value on the machine called machineName ("": the value without a
// machine) of the asset called assetName in the folder at folderPath;
// "" when there is none.
func (s *Server) AssetUserPasswordOf(folderPath, assetName, userName, machineName string) string {
	st := s.state
	st.mu.RLock()
	defer st.mu.RUnlock()
	f := st.folderByPath(folderPath)
	if f == nil {
		return ""
	}
	a := st.assetNamed(f.ID, assetName)
	if a == nil {
		return ""
	}
	for _, v := range a.UserValues {
		if strings.EqualFold(v.UserName, userName) && strings.EqualFold(v.MachineName, machineName) {
			return v.secret
		}
	}
	return ""
}

// auditedAsset is an asset as an audit record's values show it, never a
// password.
func auditedAsset(a *Asset) map[string]any {
	c := a.clone()
	robots := make([]map[string]any, 0, len(c.RobotValues))
	for _, v := range c.RobotValues {
		robots = append(robots, map[string]any{"RobotId": v.RobotID, "RobotName": v.RobotName,
			"CredentialUsername": v.CredentialUsername, "CredentialStoreId": v.CredentialStoreID, "ExternalName": v.ExternalName})
	}
	users := make([]map[string]any, 0, len(c.UserValues))
	for _, v := range c.UserValues {
		users = append(users, map[string]any{"UserId": v.UserID, "UserName": v.UserName, "MachineId": v.MachineID,
			"CredentialUsername": v.CredentialUsername, "CredentialStoreId": v.CredentialStoreID, "ExternalName": v.ExternalName})
	}
	return map[string]any{
		"Id": c.ID, "Key": c.Key, "Name": c.Name, "Description": c.Description, "ValueType": c.ValueType,
		"ValueScope": c.ValueScope, "HasDefaultValue": c.HasDefaultValue, "CredentialUsername": c.CredentialUsername,
		"CredentialStoreId": c.CredentialStoreID, "ExternalName": c.ExternalName, "RobotValues": robots, "UserValues": users,
	}
}
