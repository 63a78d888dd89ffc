package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/secret"
)

// AssetsService reads Orchestrator's assets (odata/Assets) folder by
// folder and sets the password of a credential asset, or the value of a
// secret asset, one value at a time: its own (default) value, a robot's
// or a user's. Assets are folder-scoped: every call but AcrossFolders
// names its folder, sent as X-UIPATH-OrganizationUnitId. Reads need the
// scope OR.Assets.Read, writes OR.Assets.Write (or OR.Assets for both):
// a token asks for them only when the caller names OpListAssets and
// OpUpdateAsset (AssetOperations) with WithOperations.
type AssetsService service

// Assets returns the client's asset service.
func (c *Client) Assets() *AssetsService { return &AssetsService{client: c} }

// Enums of AssetDto, in the published definitions' order.
var (
	assetValueTypes  = enum{"DBConnectionString", "HttpConnectionString", "Text", "Bool", "Integer", "Credential", "WindowsCredential", "KeyValueList", "Secret"}
	assetValueScopes = enum{"Global", "PerRobot"}
)

// Asset is an Orchestrator asset (AssetDto) as read in one folder. A
// password or secret value is never kept: the service answers none (an
// empty CredentialPassword), and one it would send is dropped. Fields
// the client does not model are kept in Extra and sent back as read by
// SetCredentialOf, since a PUT replaces the whole asset; a field read as
// null is left out of Extra (a PUT clears an absent field as it does a
// null one), and so are OData's annotations.
type Asset struct {
	// ID is the asset's key, as in odata/Assets({key}).
	ID  int64
	Key string
	// Name is unique in its folder; Description may be empty.
	Name, Description string
	// ValueType is an AssetDto.ValueType name ("Text", "Bool", "Integer",
	// "Credential", "WindowsCredential", "KeyValueList", "Secret",
	// "DBConnectionString", "HttpConnectionString"), ValueScope "Global"
	// or "PerRobot"; both are read from the name or its integer code (an
	// unknown code is kept as UnknownEnumPrefix and the code) and sent
	// back in the spelling they came in.
	ValueType, ValueScope string
	// CredentialUsername is the user name of the asset's own (default)
	// credential value.
	CredentialUsername string
	// ExternalName is where an external credential store keeps the
	// default value ("" when Orchestrator holds it); CredentialStoreID
	// the store (nil when none is named).
	ExternalName      string
	CredentialStoreID *int64
	// HasDefaultValue tells that a PerRobot asset has a value of its own
	// besides its robots' and users' (a Global asset always has one).
	HasDefaultValue bool
	// FolderID is set by the client: the folder the asset was read in
	// (List, Get), where a write must go; 0 for an asset read across
	// folders, whose answer names no folder.
	FolderID int64
	// RobotValues are the per-robot values (AssetRobotValueDto),
	// UserValues the per-user ones (AssetUserValueDto, a user's value
	// possibly for one machine).
	RobotValues []AssetRobotValue
	UserValues  []AssetUserValue
	// Extra holds the fields the client does not model, as read.
	Extra map[string]json.RawMessage

	valueType, valueScope enumValue
	// Whether the answer carried these fields: they are sent back so.
	robotValuesRead, userValuesRead, hasDefaultRead bool
}

// AssetRobotValue is one robot's value of a per-robot asset
// (AssetRobotValueDto), without its password.
type AssetRobotValue struct {
	RobotID                                  int64
	RobotName, ValueType, CredentialUsername string
	ExternalName                             string
	CredentialStoreID                        *int64
	Extra                                    map[string]json.RawMessage
	valueType                                enumValue
}

// AssetUserValue is one user's value of a per-robot asset
// (AssetUserValueDto), for one machine when MachineID is set, without
// its password.
type AssetUserValue struct {
	UserID                           int64
	UserName                         string
	MachineID                        *int64
	MachineName, ValueType           string
	CredentialUsername, ExternalName string
	CredentialStoreID                *int64
	Extra                            map[string]json.RawMessage
	valueType                        enumValue
}

// Fields each type reads (or drops: the secrets); the others go to Extra.
var (
	assetKnown = []string{"Id", "Key", "Name", "Description", "ValueType", "ValueScope", "CredentialUsername",
		"ExternalName", "CredentialStoreId", "HasDefaultValue", "RobotValues", "UserValues", "CredentialPassword", "SecretValue"}
	robotValueKnown = []string{"RobotId", "RobotName", "ValueType", "CredentialUsername", "ExternalName",
		"CredentialStoreId", "CredentialPassword", "SecretValue"}
	userValueKnown = []string{"UserId", "UserName", "MachineId", "MachineName", "ValueType", "CredentialUsername",
		"ExternalName", "CredentialStoreId", "CredentialPassword", "SecretValue"}
)

// jsonObject is one JSON object's fields, taken out one by one by name
// (in any letter case, as the service's JSON names match).
type jsonObject map[string]json.RawMessage

func readObject(what string, b []byte) (jsonObject, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s: not an object", what)
	}
	return m, nil
}

// take removes the field called name and returns its value (nil when
// absent).
func (o jsonObject) take(name string) json.RawMessage {
	if raw, ok := o[name]; ok {
		delete(o, name)
		return raw
	}
	for k, raw := range o {
		if strings.EqualFold(k, name) {
			delete(o, k)
			return raw
		}
	}
	return nil
}

// rest drops the known fields, those read as null and OData's
// annotations ("@odata.context"), and returns what remains (nil when
// nothing does).
func (o jsonObject) rest(known []string) map[string]json.RawMessage {
	for _, n := range known {
		o.take(n)
	}
	for k, raw := range o {
		if isNull(raw) || strings.HasPrefix(k, "@") {
			delete(o, k)
		}
	}
	if len(o) == 0 {
		return nil
	}
	return o
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// int64Field reads an integer sent as a number or as digits in a string;
// null or absent is nil.
func int64Field(name string, raw json.RawMessage) (*int64, error) {
	if isNull(raw) {
		return nil, nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return &n, nil
	}
	if n, err := strconv.ParseInt(str(raw), 10, 64); err == nil {
		return &n, nil
	}
	return nil, fmt.Errorf("%s: %s is not an integer", name, raw)
}

func idField(name string, raw json.RawMessage) (int64, error) {
	n, err := int64Field(name, raw)
	if n == nil {
		return 0, err
	}
	return *n, err
}

// UnmarshalJSON reads an AssetDto: enums as names or integer codes,
// nulls where the service has nothing, values when expanded.
func (a *Asset) UnmarshalJSON(b []byte) error {
	o, err := readObject("asset", b)
	if err != nil {
		return err
	}
	id, err := idField("asset Id", o.take("Id"))
	if err != nil {
		return err
	}
	*a = Asset{ID: id, Key: str(o.take("Key")), Name: str(o.take("Name")), Description: str(o.take("Description")),
		CredentialUsername: str(o.take("CredentialUsername")), ExternalName: str(o.take("ExternalName"))}
	a.valueType = assetValueTypes.read(o.take("ValueType"))
	a.valueScope = assetValueScopes.read(o.take("ValueScope"))
	a.ValueType, a.ValueScope = a.valueType.name, a.valueScope.name
	if a.CredentialStoreID, err = int64Field("asset CredentialStoreId", o.take("CredentialStoreId")); err != nil {
		return err
	}
	if raw := o.take("HasDefaultValue"); !isNull(raw) {
		if err := json.Unmarshal(raw, &a.HasDefaultValue); err != nil {
			return fmt.Errorf("asset HasDefaultValue: %w", err)
		}
		a.hasDefaultRead = true
	}
	if raw := o.take("RobotValues"); !isNull(raw) {
		if err := json.Unmarshal(raw, &a.RobotValues); err != nil {
			return fmt.Errorf("asset %s RobotValues: %w", a.Name, err)
		}
		a.robotValuesRead = true
	}
	if raw := o.take("UserValues"); !isNull(raw) {
		if err := json.Unmarshal(raw, &a.UserValues); err != nil {
			return fmt.Errorf("asset %s UserValues: %w", a.Name, err)
		}
		a.userValuesRead = true
	}
	a.Extra = o.rest(assetKnown)
	return nil
}

// UnmarshalJSON reads an AssetRobotValueDto, dropping its password.
func (v *AssetRobotValue) UnmarshalJSON(b []byte) error {
	o, err := readObject("asset robot value", b)
	if err != nil {
		return err
	}
	robot, err := idField("RobotId", o.take("RobotId"))
	if err != nil {
		return err
	}
	*v = AssetRobotValue{RobotID: robot, RobotName: str(o.take("RobotName")),
		CredentialUsername: str(o.take("CredentialUsername")), ExternalName: str(o.take("ExternalName"))}
	v.valueType = assetValueTypes.read(o.take("ValueType"))
	v.ValueType = v.valueType.name
	if v.CredentialStoreID, err = int64Field("CredentialStoreId", o.take("CredentialStoreId")); err != nil {
		return err
	}
	v.Extra = o.rest(robotValueKnown)
	return nil
}

// UnmarshalJSON reads an AssetUserValueDto, dropping its password.
func (v *AssetUserValue) UnmarshalJSON(b []byte) error {
	o, err := readObject("asset user value", b)
	if err != nil {
		return err
	}
	user, err := idField("UserId", o.take("UserId"))
	if err != nil {
		return err
	}
	*v = AssetUserValue{UserID: user, UserName: str(o.take("UserName")), MachineName: str(o.take("MachineName")),
		CredentialUsername: str(o.take("CredentialUsername")), ExternalName: str(o.take("ExternalName"))}
	if v.MachineID, err = int64Field("MachineId", o.take("MachineId")); err != nil {
		return err
	}
	v.valueType = assetValueTypes.read(o.take("ValueType"))
	v.ValueType = v.valueType.name
	if v.CredentialStoreID, err = int64Field("CredentialStoreId", o.take("CredentialStoreId")); err != nil {
		return err
	}
	v.Extra = o.rest(userValueKnown)
	return nil
}

// withExtra starts a wire object from extra.
func withExtra(extra map[string]json.RawMessage, n int) map[string]any {
	m := make(map[string]any, len(extra)+n)
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// setCredential writes the parts of a credential value the client
// models into m: what is empty or nil is left out.
func setCredential(m map[string]any, userName, externalName string, store *int64) {
	if userName != "" {
		m["CredentialUsername"] = userName
	}
	if externalName != "" {
		m["ExternalName"] = externalName
	}
	if store != nil {
		m["CredentialStoreId"] = *store
	}
}

// wire is the whole asset as a PUT sends it: as read, without any
// password (the service keeps the passwords of the values a PUT sends
// without one).
func (a Asset) wire() map[string]any {
	m := withExtra(a.Extra, 12)
	if a.ID != 0 {
		m["Id"] = a.ID
	}
	if a.Key != "" {
		m["Key"] = a.Key
	}
	m["Name"] = a.Name
	if a.ValueScope != "" {
		m["ValueScope"] = assetValueScopes.wire(a.ValueScope, a.valueScope)
	}
	if a.ValueType != "" {
		m["ValueType"] = assetValueTypes.wire(a.ValueType, a.valueType)
	}
	if a.Description != "" {
		m["Description"] = a.Description
	}
	setCredential(m, a.CredentialUsername, a.ExternalName, a.CredentialStoreID)
	if a.hasDefaultRead || a.HasDefaultValue {
		m["HasDefaultValue"] = a.HasDefaultValue
	}
	if a.robotValuesRead || len(a.RobotValues) > 0 {
		values := make([]map[string]any, len(a.RobotValues))
		for i, v := range a.RobotValues {
			values[i] = v.wire()
		}
		m["RobotValues"] = values
	}
	if a.userValuesRead || len(a.UserValues) > 0 {
		values := make([]map[string]any, len(a.UserValues))
		for i, v := range a.UserValues {
			values[i] = v.wire()
		}
		m["UserValues"] = values
	}
	return m
}

func (v AssetRobotValue) wire() map[string]any {
	m := withExtra(v.Extra, 6)
	m["RobotId"] = v.RobotID
	if v.RobotName != "" {
		m["RobotName"] = v.RobotName
	}
	if v.ValueType != "" {
		m["ValueType"] = assetValueTypes.wire(v.ValueType, v.valueType)
	}
	setCredential(m, v.CredentialUsername, v.ExternalName, v.CredentialStoreID)
	return m
}

func (v AssetUserValue) wire() map[string]any {
	m := withExtra(v.Extra, 8)
	m["UserId"] = v.UserID
	if v.UserName != "" {
		m["UserName"] = v.UserName
	}
	if v.MachineID != nil {
		m["MachineId"] = *v.MachineID
	}
	if v.MachineName != "" {
		m["MachineName"] = v.MachineName
	}
	if v.ValueType != "" {
		m["ValueType"] = assetValueTypes.wire(v.ValueType, v.valueType)
	}
	setCredential(m, v.CredentialUsername, v.ExternalName, v.CredentialStoreID)
	return m
}

// MarshalJSON writes the asset as a PUT sends it: as read, without any
// password.
func (a Asset) MarshalJSON() ([]byte, error) { return json.Marshal(a.wire()) }

// assetPath is the OData path of the asset with id, followed by query.
func assetPath(id int64, query string) string {
	return "odata/Assets(" + strconv.FormatInt(id, 10) + ")" + query
}

// assetExpand is the $expand every read of a folder's assets sends: a
// user's values are a navigation property, not in the answer unless
// expanded (a PUT without them would drop them); RobotValues come
// without one.
const assetExpand = "$expand=UserValues"

// folderRequest builds a request to rel under the Orchestrator base in
// the folder with id (X-UIPATH-OrganizationUnitId); 0 sends the
// client's own folder, if it has one.
func (c *Client) folderRequest(ctx context.Context, method, rel string, folderID int64, body any) (*http.Request, error) {
	req, err := c.orchestratorRequest(ctx, method, rel, body)
	if err != nil {
		return nil, err
	}
	if folderID != 0 {
		req.Header.Set("X-UIPATH-OrganizationUnitId", strconv.FormatInt(folderID, 10))
	}
	return req, nil
}

// folderWalk calls fn for every item of the Orchestrator OData list at
// rel in the folder with id (0: the client's own; see odataWalk).
func folderWalk[T any](ctx context.Context, c *Client, what, rel string, folderID int64, fn func(T) error) error {
	for skip := 0; ; {
		req, err := c.folderRequest(ctx, http.MethodGet, fmt.Sprintf("%s$top=%d&$skip=%d&$count=true", rel, orchestratorPage, skip), folderID, nil)
		if err != nil {
			return err
		}
		var page odataPage[T]
		if _, err := c.Do(req, &page); err != nil {
			return fmt.Errorf("list %s from %d: %w", what, skip, err)
		}
		for _, it := range page.Value {
			if err := fn(it); err != nil {
				return err
			}
		}
		skip += len(page.Value)
		var total int64
		if page.Count != nil {
			total = *page.Count
		}
		if pageDone(len(page.Value), orchestratorPage, skip, total) {
			return nil
		}
	}
}

// List reads every asset of the folder with id, with their robots' and
// users' values (GET odata/Assets?$expand=UserValues with $top, $skip
// and $count, in id order): ⌈assets / 1,000⌉ GETs. Each asset's FolderID
// is folderID. An asset met twice on pages of a list that changed under
// them is handed on once.
func (s *AssetsService) List(ctx context.Context, folderID int64) ([]Asset, error) {
	var out []Asset
	seen := map[int64]bool{}
	err := folderWalk(ctx, s.client, fmt.Sprintf("assets of folder %d", folderID),
		"odata/Assets?"+assetExpand+"&$orderby=Id%20asc&", folderID, func(a Asset) error {
			if !seen[a.ID] {
				seen[a.ID] = true
				a.FolderID = folderID
				out = append(out, a)
			}
			return nil
		})
	return out, err
}

// AcrossFolders reads every asset of every folder the token may see
// (GET odata/Assets/UiPath.Server.Configuration.OData.GetAssetsAcrossFolders
// with $top, $skip and $count, in id order), in one list: what the
// service gives there is the assets' metadata only (names, types,
// scopes, stores, descriptions), without values, user names or the
// folder each is in, so FolderID is 0. It sends no folder header (the
// definitions mark it required; UiPath's own SDK sends none, and the
// client's folder, when it has one, is sent). To change an asset, read it
// in its folder (List, Get).
func (s *AssetsService) AcrossFolders(ctx context.Context) ([]Asset, error) {
	var out []Asset
	seen := map[int64]bool{}
	err := folderWalk(ctx, s.client, "assets across folders",
		"odata/Assets/"+odataActions+"GetAssetsAcrossFolders?$orderby=Id%20asc&", 0, func(a Asset) error {
			if !seen[a.ID] {
				seen[a.ID] = true
				out = append(out, a)
			}
			return nil
		})
	return out, err
}

// Get reads one asset of the folder with folderID, with its values
// (GET odata/Assets({key})?$expand=UserValues).
func (s *AssetsService) Get(ctx context.Context, folderID, id int64) (Asset, error) {
	req, err := s.client.folderRequest(ctx, http.MethodGet, assetPath(id, "?"+assetExpand), folderID, nil)
	if err != nil {
		return Asset{}, err
	}
	var a Asset
	if _, err := s.client.Do(req, &a); err != nil {
		return Asset{}, fmt.Errorf("read asset %d of folder %d: %w", id, folderID, err)
	}
	a.FolderID = folderID
	return a, nil
}

// AssetValueTarget names which value of an asset a write changes: the
// zero target is the asset's own (default) value; RobotID a robot's
// value (AssetRobotValue.RobotID); UserID a user's (AssetUserValue.UserID),
// narrowed to one machine's by MachineID when the user has values for
// several machines (0: the user's only value).
type AssetValueTarget struct {
	RobotID, UserID, MachineID int64
}

// String names the target in messages.
func (t AssetValueTarget) String() string {
	switch {
	case t.RobotID != 0:
		return fmt.Sprintf("the value of robot %d", t.RobotID)
	case t.UserID != 0 && t.MachineID != 0:
		return fmt.Sprintf("the value of user %d on machine %d", t.UserID, t.MachineID)
	case t.UserID != 0:
		return fmt.Sprintf("the value of user %d", t.UserID)
	}
	return "the default value"
}

// Refusals of SetCredentialOf, in the chain of its error (kind
// validation; nothing was sent).
var (
	// ErrBlankPassword: the new password or secret is empty or blank;
	// Orchestrator never gets a blank value.
	ErrBlankPassword = errors.New("the new password is blank")
	// ErrExternalAssetValue: the value lives in an external credential
	// store (its ExternalName is set), which Orchestrator only refers
	// to: it is rotated in that store.
	ErrExternalAssetValue = errors.New("the asset's value lives in an external credential store")
	// ErrNoAssetValue: the asset has no such value (no value of that
	// robot or user, or a per-robot asset without a default value), or
	// the target names several.
	ErrNoAssetValue = errors.New("the asset has no such value")
	// ErrAssetHoldsNoSecret: the value's type holds no password or
	// secret (only Credential, WindowsCredential and Secret do), or a
	// user name was given for a Secret.
	ErrAssetHoldsNoSecret = errors.New("the asset holds no password or secret")
	// ErrAssetNotInFolder: the asset was not read in a folder (read
	// across folders): where to write it is unknown.
	ErrAssetNotInFolder = errors.New("the asset was not read in a folder")
)

// refuse is a KindValidation error about asset a, saying nothing was
// sent.
func refuse(a Asset, t AssetValueTarget, err error, detail string) error {
	if detail != "" {
		detail = ": " + detail
	}
	return &kindError{KindValidation, fmt.Errorf("set %s of asset %q (id %d, folder %d): %w%s (nothing was sent)", t, a.Name, a.ID, a.FolderID, err, detail)}
}

// CredentialKind says what an asset value of type typ holds:
// "credential" (a user name and a password), "secret" (one value) or ""
// (neither).
func CredentialKind(typ string) string {
	switch typ {
	case "Credential", "WindowsCredential":
		return "credential"
	case "Secret":
		return "secret"
	}
	return ""
}

// assetTarget is the value of an asset a write changes, in the wire
// object: its object, its type and where its password lives.
type assetTarget struct {
	obj          map[string]any
	valueType    string
	externalName string
	store        *int64
}

// find locates t's value in body, a's wire object.
func (a Asset) find(t AssetValueTarget, body map[string]any) (assetTarget, error) {
	switch {
	case t.RobotID != 0 && t.UserID != 0:
		return assetTarget{}, refuse(a, t, ErrNoAssetValue, "name a robot or a user, not both")
	case t.RobotID != 0:
		i := slices.IndexFunc(a.RobotValues, func(v AssetRobotValue) bool { return v.RobotID == t.RobotID })
		if i < 0 {
			return assetTarget{}, refuse(a, t, ErrNoAssetValue, "")
		}
		v := a.RobotValues[i]
		return assetTarget{body["RobotValues"].([]map[string]any)[i], cmpOr(v.ValueType, a.ValueType), v.ExternalName, v.CredentialStoreID}, nil
	case t.UserID != 0:
		var found []int
		for i, v := range a.UserValues {
			if v.UserID == t.UserID && (t.MachineID == 0 || (v.MachineID != nil && *v.MachineID == t.MachineID)) {
				found = append(found, i)
			}
		}
		if len(found) != 1 {
			detail := ""
			if len(found) > 1 {
				detail = fmt.Sprintf("the user has %d values, one per machine: name the machine", len(found))
			}
			return assetTarget{}, refuse(a, t, ErrNoAssetValue, detail)
		}
		v := a.UserValues[found[0]]
		return assetTarget{body["UserValues"].([]map[string]any)[found[0]], cmpOr(v.ValueType, a.ValueType), v.ExternalName, v.CredentialStoreID}, nil
	}
	if a.ValueScope != "Global" && !a.HasDefaultValue {
		return assetTarget{}, refuse(a, t, ErrNoAssetValue, "the per-robot asset has no default value")
	}
	return assetTarget{body, a.ValueType, a.ExternalName, a.CredentialStoreID}, nil
}

func cmpOr(s, or string) string {
	if s != "" {
		return s
	}
	return or
}

// SetCredentialOf sets one value's password (PUT odata/Assets({key}) in
// the asset's folder): a, as read by List or Get, is sent back whole,
// every field as read, with target's value changed: for a Credential or
// WindowsCredential value its CredentialPassword, and its
// CredentialUsername when userName is not "" (else kept); for a Secret
// value its SecretValue. The other values go without a password, which
// the service keeps. A PUT replaces the whole asset: read it just before
// (Get), not at the start of a long run. Refused before anything is sent
// (KindValidation): a blank password (ErrBlankPassword), a value kept in
// an external store (ErrExternalAssetValue: rotate it there), a target
// the asset lacks (ErrNoAssetValue), a value that holds no password
// (ErrAssetHoldsNoSecret), an asset read across folders
// (ErrAssetNotInFolder). The password is never in an error or a log.
func (s *AssetsService) SetCredentialOf(ctx context.Context, a Asset, target AssetValueTarget, userName string, password secret.Value, opts ...WriteOption) error {
	if a.FolderID == 0 {
		return refuse(a, target, ErrAssetNotInFolder, "read it with List or Get in its folder")
	}
	if strings.TrimSpace(password.Reveal()) == "" {
		return refuse(a, target, ErrBlankPassword, "")
	}
	body := a.wire()
	t, err := a.find(target, body)
	if err != nil {
		return err
	}
	switch CredentialKind(t.valueType) {
	case "credential":
		if userName != "" {
			t.obj["CredentialUsername"] = userName
		}
		t.obj["CredentialPassword"] = password.Reveal()
	case "secret":
		if userName != "" {
			return refuse(a, target, ErrAssetHoldsNoSecret, "a Secret has no user name")
		}
		t.obj["SecretValue"] = password.Reveal()
	default:
		return refuse(a, target, ErrAssetHoldsNoSecret, "its type is "+cmpOr(t.valueType, "unknown"))
	}
	if t.externalName != "" {
		where := "an external credential store"
		if t.store != nil {
			where = fmt.Sprintf("credential store %d", *t.store)
		}
		return refuse(a, target, ErrExternalAssetValue, fmt.Sprintf("%s, under the name %q; rotate it there", where, t.externalName))
	}
	req, err := s.client.folderRequest(ctx, http.MethodPut, assetPath(a.ID, ""), a.FolderID, body)
	if err != nil {
		return err
	}
	if _, err := s.client.do(req, nil, []secret.Value{password}, opts...); err != nil {
		return fmt.Errorf("set %s of asset %q (id %d, folder %d): %w", target, a.Name, a.ID, a.FolderID, err)
	}
	return nil
}

// SetCredential is SetCredentialOf on the asset as Get reads it just
// before: one GET, then the PUT.
func (s *AssetsService) SetCredential(ctx context.Context, folderID, id int64, target AssetValueTarget, userName string, password secret.Value, opts ...WriteOption) error {
	a, err := s.Get(ctx, folderID, id)
	if err != nil {
		return err
	}
	return s.SetCredentialOf(ctx, a, target, userName, password, opts...)
}
