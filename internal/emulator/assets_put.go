package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// PUT odata/Assets({key}) replaces the asset whole: a field the body
// leaves out is cleared (a description, a tag, a value's user name, a
// robot's or user's value left out of RobotValues or UserValues), as a
// PUT does. Passwords and secret values are the exception, since no
// answer carries them: a value sent without one (absent, null or "")
// keeps the one it holds; a value that holds none (a new value, or a
// default value a PerRobot asset did not have) must be given one, unless
// an external store holds it. A password given is refused when it is
// blank (only spaces), when the value lives in an external store
// (ExternalName set, before or by the PUT) or in a read-only credential
// store. An unknown robot, user or machine in the values, a value given
// twice, values on a Global asset, a changed ValueType, a name another
// asset of the folder holds (409) are refused too, the whole PUT with
// them.

// assetBody is the AssetDto of a PUT; nil is absent.
type assetBody struct {
	given                                    []string
	name, description, valueScope, valueType *string
	hasDefault                               *bool
	def                                      assetValueBody
	tags                                     *[]AssetTag
	robotValues, userValues                  *[]assetValueBody
}

// assetValueBody is a value of a PUT: the asset's own, or a robot's
// (AssetRobotValueDto) or user's (AssetUserValueDto).
type assetValueBody struct {
	robotID, userID, machineID                                        *int64
	credentialUsername, credentialPassword, secretValue, externalName *string
	stringValue                                                       *string
	storeID                                                           *int64
	boolValue                                                         *bool
	intValue                                                          *int32
	keyValueList                                                      *[]AssetKeyValue
}

// secretOf is the password or secret the value was given for a value
// of kind (assetSecretKind).
func (v *assetValueBody) secretOf(kind string) *string {
	switch kind {
	case "password":
		return v.credentialPassword
	case "secret":
		return v.secretValue
	}
	return nil
}

// Read-only properties a PUT may carry (as read), ignored.
var (
	assetReadOnly = []string{"Id", "Key", "CanBeDeleted", "Value", "FoldersCount", "LastModificationTime",
		"LastModifierUserId", "CreationTime", "CreatorUserId", "AllowDirectApiAccess"}
	robotValueReadOnly = []string{"Id", "Name", "RobotName", "KeyTrail", "Value"}
	userValueReadOnly  = []string{"Id", "Name", "UserName", "MachineName", "Value"}
)

const (
	assetType      = "UiPath.Server.Configuration.OData.AssetDto"
	robotValueType = "UiPath.Server.Configuration.OData.AssetRobotValueDto"
	userValueType  = "UiPath.Server.Configuration.OData.AssetUserValueDto"
)

// props reads raw, a JSON object, property by property (names matched
// as OData matches them, case-sensitively): a reader per known property,
// the read-only ones accepted and ignored, others refused naming
// typeName. It returns the names given.
func props(raw json.RawMessage, typeName string, readers map[string]func(json.RawMessage) error, readOnly []string) ([]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("The value %s is not a valid %s.", raw, typeName)
	}
	var given []string
	for name, v := range m {
		if strings.HasPrefix(name, "@") || slices.Contains(readOnly, name) {
			continue
		}
		read := readers[name]
		if read == nil {
			return nil, unknownProperty(name, typeName)
		}
		if err := read(v); err != nil {
			return nil, err
		}
		given = append(given, name)
	}
	slices.Sort(given)
	return given, nil
}

// Readers of one property's value into dst; null reads as absent.
func strInto(name string, dst **string) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if isJSONNull(raw) {
			return nil
		}
		s, err := rawString(name, raw)
		*dst = s
		return err
	}
}

func int64Into(name string, dst **int64) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if json.Unmarshal(raw, dst) != nil {
			return wrongType(name, "Edm.Int64", raw)
		}
		return nil
	}
}

func boolInto(name string, dst **bool) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if json.Unmarshal(raw, dst) != nil {
			return wrongType(name, "Edm.Boolean", raw)
		}
		return nil
	}
}

// enumInto reads an enum by name (any letter case) or integer code.
func enumInto(name string, names []string, dst **string) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		if isJSONNull(raw) {
			return nil
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			for _, n := range names {
				if strings.EqualFold(n, s) {
					*dst = &n
					return nil
				}
			}
			return fmt.Errorf("The value '%s' is not valid for %s.", s, name)
		}
		var code int
		if json.Unmarshal(raw, &code) == nil && code >= 0 && code < len(names) {
			*dst = &names[code]
			return nil
		}
		return fmt.Errorf("The value '%s' is not valid for %s.", strings.Trim(string(raw), `"`), name)
	}
}

func isJSONNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

// valueReaders are the readers of a value's own properties, shared by
// AssetDto and its robot and user values.
func valueReaders(v *assetValueBody) map[string]func(json.RawMessage) error {
	return map[string]func(json.RawMessage) error{
		"CredentialUsername": strInto("CredentialUsername", &v.credentialUsername),
		"CredentialPassword": strInto("CredentialPassword", &v.credentialPassword),
		"SecretValue":        strInto("SecretValue", &v.secretValue),
		"ExternalName":       strInto("ExternalName", &v.externalName),
		"StringValue":        strInto("StringValue", &v.stringValue),
		"CredentialStoreId":  int64Into("CredentialStoreId", &v.storeID),
		"BoolValue":          boolInto("BoolValue", &v.boolValue),
		"IntValue": func(raw json.RawMessage) error {
			if json.Unmarshal(raw, &v.intValue) != nil {
				return wrongType("IntValue", "Edm.Int32", raw)
			}
			return nil
		},
		"KeyValueList": func(raw json.RawMessage) error {
			if json.Unmarshal(raw, &v.keyValueList) != nil {
				return wrongType("KeyValueList", "Collection(UiPath.Server.Configuration.OData.CustomKeyValuePair)", raw)
			}
			return nil
		},
		// A value's type is its asset's: accepted, as read.
		"ValueType": func(raw json.RawMessage) error {
			var ignored *string
			return enumInto("ValueType", assetValueTypes, &ignored)(raw)
		},
	}
}

// valuesInto reads RobotValues or UserValues: null or absent is none.
func valuesInto(name, typeName string, robot bool, dst **[]assetValueBody) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return wrongType(name, "Collection("+typeName+")", raw)
		}
		values := make([]assetValueBody, len(items))
		for i, item := range items {
			v := &values[i]
			readers := valueReaders(v)
			readOnly := userValueReadOnly
			if robot {
				readers["RobotId"] = int64Into("RobotId", &v.robotID)
				readOnly = robotValueReadOnly
			} else {
				readers["UserId"] = int64Into("UserId", &v.userID)
				readers["MachineId"] = int64Into("MachineId", &v.machineID)
			}
			if _, err := props(item, typeName, readers, readOnly); err != nil {
				return fmt.Errorf("%s[%d]: %w", name, i, err)
			}
		}
		*dst = &values
		return nil
	}
}

// parseAssetBody reads a PUT's AssetDto.
func parseAssetBody(body []byte) (*assetBody, error) {
	b := &assetBody{}
	readers := valueReaders(&b.def)
	readers["Name"] = strInto("Name", &b.name)
	readers["Description"] = strInto("Description", &b.description)
	readers["ValueScope"] = enumInto("ValueScope", assetValueScopes, &b.valueScope)
	readers["ValueType"] = enumInto("ValueType", assetValueTypes, &b.valueType)
	readers["HasDefaultValue"] = boolInto("HasDefaultValue", &b.hasDefault)
	readers["Tags"] = func(raw json.RawMessage) error {
		if json.Unmarshal(raw, &b.tags) != nil {
			return wrongType("Tags", "Collection(UiPath.Server.Configuration.OData.TagDto)", raw)
		}
		return nil
	}
	readers["RobotValues"] = valuesInto("RobotValues", robotValueType, true, &b.robotValues)
	readers["UserValues"] = valuesInto("UserValues", userValueType, false, &b.userValues)
	given, err := props(body, assetType, readers, assetReadOnly)
	if err != nil {
		return nil, err
	}
	b.given = given
	return b, nil
}

func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// heldSecret is where a value's secret lives before a PUT.
type heldSecret struct {
	existed  bool
	secret   string
	store    *int64
	external string
}

// errAssetRefused is a PUT's refusal, its message the service's.
type errAssetRefused struct{ msg string }

func (e *errAssetRefused) Error() string { return e.msg }

func refusedf(format string, args ...any) error {
	return &errAssetRefused{fmt.Sprintf(format, args...)}
}

// settleSecret decides what a value (what names it) of kind holds after
// a PUT that sent sent for it and put it in store under external. The
// caller holds the store's lock.
func (st *store) settleSecret(kind, what string, sent *string, old heldSecret, store *int64, externalName string) (string, error) {
	word := "password"
	switch kind {
	case "":
		return "", nil
	case "secret":
		word = "secret value"
	}
	if pw := orZero(sent); pw != "" {
		if strings.TrimSpace(pw) == "" {
			return "", refusedf("The %s of %s is blank.", word, what)
		}
		if external(externalName) || (old.existed && external(old.external)) {
			return "", refusedf("The %s of %s is kept in an external credential store; set it in that store.", word, what)
		}
		for _, id := range []*int64{old.store, store} {
			if id == nil {
				continue
			}
			if cs, ok := st.credentialStore(*id); ok && cs.ReadOnly {
				return "", refusedf("The credential store '%s' (Id %d) is read-only: the %s of %s cannot be set from Orchestrator; change it in the store.", cs.Name, cs.ID, word, what)
			}
		}
		return pw, nil
	}
	switch {
	case external(externalName):
		return "", nil
	case old.existed && old.secret != "" && !external(old.external):
		return old.secret, nil
	}
	if store != nil {
		if cs, ok := st.credentialStore(*store); ok && cs.ReadOnly {
			return "", nil // the read-only store holds it
		}
	}
	return "", refusedf("The %s of %s is required.", word, what)
}

// putAsset serves PUT /odata/Assets({key}) in the folder of the header.
func (s *Server) putAsset(c *call) {
	folder, ok := s.assetFolder(c)
	if !ok {
		return
	}
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	body, err := readBody(c)
	if err != nil {
		c.orchestratorInvalid("The request body could not be read.", 0)
		return
	}
	b, err := parseAssetBody(body)
	if err != nil {
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	name := strings.TrimSpace(orZero(b.name))
	switch {
	case name == "":
		c.orchestratorInvalid("The Name field is required.", 0)
		return
	case len([]rune(name)) > 256:
		c.orchestratorInvalid("The field Name must be a string with a maximum length of 256.", 0)
		return
	case b.valueScope == nil:
		c.orchestratorInvalid("The ValueScope field is required.", 0)
		return
	case len([]rune(orZero(b.description))) > 250:
		c.orchestratorInvalid("The field Description must be a string with a maximum length of 250.", 0)
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	a := st.assets[key]
	if a == nil || a.FolderID != folder {
		c.orchestratorNotFound("Asset does not exist.", 1002)
		return
	}
	if dup := st.assetNamed(folder, name); dup != nil && dup != a {
		c.orchestratorConflict(fmt.Sprintf("An asset named '%s' already exists in this folder.", dup.Name), 0)
		return
	}
	if b.valueType != nil && *b.valueType != a.ValueType {
		c.orchestratorInvalid(fmt.Sprintf("The type of asset '%s' cannot be changed: it is %s.", a.Name, a.ValueType), 0)
		return
	}
	next, set, err := st.replacedAsset(a, b, name)
	if err != nil {
		var refused *errAssetRefused
		if errors.As(err, &refused) {
			c.orchestratorInvalid(refused.msg, 0)
			return
		}
		c.orchestratorInvalid(err.Error(), 0)
		return
	}
	before := auditedAsset(a)
	*a = *next
	a.LastModificationTime = nextModification(a.LastModificationTime)
	st.auditOrchestrator(s.actorOf(c), orchestratorChange{component: AuditAssets, action: AuditUpdate, method: "Put",
		displayName: a.Name, entityID: a.ID, entityName: "Asset",
		parameters: map[string]any{"key": key, "properties": b.given, "secretsSet": set},
		before:     before, after: auditedAsset(a)})
	c.empty(http.StatusOK)
}

// replacedAsset is a after the PUT b, renamed name, and which values it
// gave a password or secret (named, never the value). The caller holds
// the store's write lock.
func (st *store) replacedAsset(a *Asset, b *assetBody, name string) (*Asset, []string, error) {
	kind := assetSecretKind(a.ValueType)
	next := &Asset{ID: a.ID, Key: a.Key, FolderID: a.FolderID, Name: name, Description: orZero(b.description),
		ValueType: a.ValueType, ValueScope: *b.valueScope, Tags: orZero(b.tags),
		CreationTime: a.CreationTime, LastModificationTime: a.LastModificationTime}
	var set []string
	note := func(what string, sent *string) {
		if orZero(sent) != "" {
			set = append(set, what)
		}
	}
	global := next.ValueScope == "Global"
	next.HasDefaultValue = global || orZero(b.hasDefault)
	if next.HasDefaultValue {
		v := &b.def
		next.StringValue, next.BoolValue, next.IntValue = orZero(v.stringValue), orZero(v.boolValue), orZero(v.intValue)
		next.KeyValueList, next.CredentialUsername = orZero(v.keyValueList), orZero(v.credentialUsername)
		next.CredentialStoreID, next.ExternalName = v.storeID, orZero(v.externalName)
		held := heldSecret{a.HasDefaultValue, a.secret, a.CredentialStoreID, a.ExternalName}
		secret, err := st.settleSecret(kind, "the default value", v.secretOf(kind), held, next.CredentialStoreID, next.ExternalName)
		if err != nil {
			return nil, nil, err
		}
		next.secret = secret
		note("the default value", v.secretOf(kind))
	}
	robots, users := orZero(b.robotValues), orZero(b.userValues)
	if global && len(robots)+len(users) > 0 {
		return nil, nil, refusedf("A Global asset has no per-robot or per-user values: send ValueScope PerRobot.")
	}
	for i, v := range robots {
		id := orZero(v.robotID)
		o := st.robotByID(id)
		switch {
		case v.robotID == nil:
			return nil, nil, refusedf("RobotValues[%d]: the RobotId field is required.", i)
		case o == nil:
			return nil, nil, refusedf("RobotValues[%d]: robot %d does not exist.", i, id)
		case slices.ContainsFunc(next.RobotValues, func(r AssetRobotValue) bool { return r.RobotID == id }):
			return nil, nil, refusedf("RobotValues[%d]: robot %d has a value already.", i, id)
		}
		nv := AssetRobotValue{RobotID: id, RobotName: o.UserName, CredentialUsername: orZero(v.credentialUsername),
			CredentialStoreID: v.storeID, ExternalName: orZero(v.externalName), StringValue: orZero(v.stringValue)}
		var held heldSecret
		if j := slices.IndexFunc(a.RobotValues, func(r AssetRobotValue) bool { return r.RobotID == id }); j >= 0 {
			old := a.RobotValues[j]
			nv.ID, held = old.ID, heldSecret{true, old.secret, old.CredentialStoreID, old.ExternalName}
		} else {
			nv.ID = st.nextAssetValueID()
		}
		what := fmt.Sprintf("robot %s's value", o.UserName)
		secret, err := st.settleSecret(kind, what, v.secretOf(kind), held, nv.CredentialStoreID, nv.ExternalName)
		if err != nil {
			return nil, nil, err
		}
		nv.secret = secret
		note(what, v.secretOf(kind))
		next.RobotValues = append(next.RobotValues, nv)
	}
	for i, v := range users {
		id := orZero(v.userID)
		o := st.assetUser(id)
		machine := orZero(v.machineID)
		machineName, machineKnown := st.machines[machine]
		sameKey := func(u AssetUserValue) bool { return u.UserID == id && orZero(u.MachineID) == machine }
		switch {
		case v.userID == nil:
			return nil, nil, refusedf("UserValues[%d]: the UserId field is required.", i)
		case o == nil:
			return nil, nil, refusedf("UserValues[%d]: user %d does not exist.", i, id)
		case v.machineID != nil && !machineKnown:
			return nil, nil, refusedf("UserValues[%d]: machine %d does not exist.", i, machine)
		case slices.ContainsFunc(next.UserValues, sameKey):
			return nil, nil, refusedf("UserValues[%d]: user %d has a value for that machine already.", i, id)
		}
		nv := AssetUserValue{UserID: id, UserName: o.UserName, MachineID: v.machineID, MachineName: machineName,
			CredentialUsername: orZero(v.credentialUsername), CredentialStoreID: v.storeID, ExternalName: orZero(v.externalName),
			StringValue: orZero(v.stringValue)}
		var held heldSecret
		if j := slices.IndexFunc(a.UserValues, sameKey); j >= 0 {
			old := a.UserValues[j]
			nv.ID, held = old.ID, heldSecret{true, old.secret, old.CredentialStoreID, old.ExternalName}
		} else {
			nv.ID = st.nextAssetValueID()
		}
		what := fmt.Sprintf("user %s's value", o.UserName)
		if machineName != "" {
			what = fmt.Sprintf("user %s's value on %s", o.UserName, machineName)
		}
		secret, err := st.settleSecret(kind, what, v.secretOf(kind), held, nv.CredentialStoreID, nv.ExternalName)
		if err != nil {
			return nil, nil, err
		}
		nv.secret = secret
		note(what, v.secretOf(kind))
		next.UserValues = append(next.UserValues, nv)
	}
	return next, set, nil
}
