package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The accounts as the client read them with encoding/json, each object
// decoded a second time by its own UnmarshalJSON: the reference the fuzz
// targets hold the one-pass decoders (decode.go) to. Kept as it was, not
// to be changed with the client.

// legacyDecodeEnum is enum.decode as it was.
func legacyDecodeEnum(e enum, raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		for _, n := range e {
			if strings.EqualFold(n, s) {
				return n
			}
		}
		return s
	}
	if n, err := strconv.Atoi(string(raw)); err == nil && n >= 0 && n < len(e) {
		return e[n]
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		raw = compact.Bytes()
	}
	return UnknownEnumPrefix + string(raw)
}

// legacyReadEnum is enum.read as it was.
func legacyReadEnum(e enum, raw json.RawMessage) enumValue {
	name := legacyDecodeEnum(e, raw)
	if name == "" {
		return enumValue{}
	}
	return enumValue{name: name, raw: append(json.RawMessage(nil), bytes.TrimSpace(raw)...)}
}

// legacyStr is str as it was.
func legacyStr(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if raw[0] == '{' || raw[0] == '[' {
		return ""
	}
	return string(raw)
}

// legacyAPITime is apiTime as it was.
type legacyAPITime struct{ t *time.Time }

var legacyTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02"}

func (a *legacyAPITime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || len(b) == 0 {
		a.t = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == "" {
		return nil
	}
	for _, layout := range legacyTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			a.t = &t
			return nil
		}
	}
	return fmt.Errorf("timestamp %q: unknown format", s)
}

// legacyUser is User as it was read.
type legacyUser User

func (u *legacyUser) UnmarshalJSON(b []byte) error {
	type plain User
	var w struct {
		plain
		Type                 json.RawMessage `json:"type"`
		Category             json.RawMessage `json:"category"`
		CreationTime         legacyAPITime   `json:"creationTime"`
		LastModificationTime legacyAPITime   `json:"lastModificationTime"`
		LastLoginTime        legacyAPITime   `json:"lastLoginTime"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	*u = legacyUser(w.plain)
	u.Type = legacyDecodeEnum(userTypes, w.Type)
	u.Category = legacyDecodeEnum(userCategories, w.Category)
	u.CreationTime, u.LastModificationTime, u.LastLoginTime = w.CreationTime.t, w.LastModificationTime.t, w.LastLoginTime.t
	return nil
}

// legacyRobotAccount is RobotAccount as it was read.
type legacyRobotAccount RobotAccount

func (r *legacyRobotAccount) UnmarshalJSON(b []byte) error {
	type plain RobotAccount
	var w struct {
		plain
		GroupIDsUpper        []string      `json:"groupIDs"`
		CreationTime         legacyAPITime `json:"creationTime"`
		LastLoginTime        legacyAPITime `json:"lastLoginTime"`
		LastModificationTime legacyAPITime `json:"lastModificationTime"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("robot account: %w", err)
	}
	*r = legacyRobotAccount(w.plain)
	if r.GroupIDs == nil {
		r.GroupIDs = w.GroupIDsUpper
	}
	r.CreationTime, r.LastLoginTime, r.LastModificationTime = w.CreationTime.t, w.LastLoginTime.t, w.LastModificationTime.t
	return nil
}

// legacyOrchestratorUser is OrchestratorUser as it was read.
type legacyOrchestratorUser OrchestratorUser

func (u *legacyOrchestratorUser) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              int64                  `json:"Id"`
		Key             json.RawMessage        `json:"Key"`
		UserName        string                 `json:"UserName"`
		Name            string                 `json:"Name"`
		Surname         string                 `json:"Surname"`
		FullName        string                 `json:"FullName"`
		EmailAddress    string                 `json:"EmailAddress"`
		Type            json.RawMessage        `json:"Type"`
		IsActive        bool                   `json:"IsActive"`
		UnattendedRobot *legacyUnattendedRobot `json:"UnattendedRobot"`
		RolesList       []string               `json:"RolesList"`
		DirectoryID     *string                `json:"DirectoryIdentifier"`
		Domain          *string                `json:"Domain"`
		MayUnattended   bool                   `json:"MayHaveUnattendedSession"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("Orchestrator user: %w", err)
	}
	*u = legacyOrchestratorUser{
		ID: w.ID, Key: legacyStr(w.Key), UserName: w.UserName, Name: w.Name, Surname: w.Surname,
		FullName: w.FullName, EmailAddress: w.EmailAddress, IsActive: w.IsActive,
		UnattendedRobot: (*UnattendedRobot)(w.UnattendedRobot), RolesList: w.RolesList, MayHaveUnattendedSession: w.MayUnattended,
	}
	if w.DirectoryID != nil {
		u.DirectoryIdentifier = *w.DirectoryID
	}
	if w.Domain != nil {
		u.Domain = *w.Domain
	}
	u.Type = legacyDecodeEnum(orchestratorUserTypes, w.Type)
	if u.ID == 0 {
		if n, err := strconv.ParseInt(u.Key, 10, 64); err == nil {
			u.ID = n
		}
	}
	return nil
}

// legacyUnattendedRobot is UnattendedRobot as it was read.
type legacyUnattendedRobot UnattendedRobot

func (r *legacyUnattendedRobot) UnmarshalJSON(b []byte) error {
	var w struct {
		UserName                 string          `json:"UserName"`
		CredentialType           json.RawMessage `json:"CredentialType"`
		CredentialStoreID        *int64          `json:"CredentialStoreId"`
		CredentialExternalName   string          `json:"CredentialExternalName"`
		LimitConcurrentExecution bool            `json:"LimitConcurrentExecution"`
		RobotID                  int64           `json:"RobotId"`
		MachineMappingsCount     int64           `json:"MachineMappingsCount"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("UnattendedRobot: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return fmt.Errorf("UnattendedRobot: %w", err)
	}
	ct := legacyReadEnum(credentialTypes, w.CredentialType)
	*r = legacyUnattendedRobot{
		UserName: w.UserName, CredentialType: ct.name, CredentialStoreID: w.CredentialStoreID,
		CredentialExternalName: w.CredentialExternalName, LimitConcurrentExecution: w.LimitConcurrentExecution,
		RobotID: w.RobotID, MachineMappingsCount: w.MachineMappingsCount, credentialType: ct,
	}
	if raw, ok := all["ExecutionSettings"]; ok && string(raw) != "null" {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&r.ExecutionSettings); err != nil {
			return fmt.Errorf("ExecutionSettings: %w", err)
		}
	}
	for k := range all {
		if slices.ContainsFunc(unattendedKnown, func(n string) bool { return strings.EqualFold(n, k) }) {
			delete(all, k)
		}
	}
	if len(all) > 0 {
		r.Extra = all
	}
	return nil
}

// legacyList converts a list read the old way, nil and empty kept apart.
func legacyList[T, L any](list []L, conv func(L) T) []T {
	if list == nil {
		return nil
	}
	out := make([]T, 0, len(list))
	for _, it := range list {
		out = append(out, conv(it))
	}
	return out
}
