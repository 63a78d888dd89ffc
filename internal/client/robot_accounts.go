package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RobotAccountsService reads and changes Identity robot accounts
// (/api/RobotAccount). A robot account has no password; unattended
// credentials live on the Orchestrator user (OrchestratorUsersService).
type RobotAccountsService service

// RobotAccount is an Identity robot account (RobotAccountDto).
type RobotAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	// GroupIDs is nil for an account in no groups (the server sends null).
	GroupIDs      []string   `json:"groupIds"`
	CreationTime  *time.Time `json:"creationTime"`
	LastLoginTime *time.Time `json:"lastLoginTime"`
	// LastModificationTime is set when the server sends it (not in the
	// published definition).
	LastModificationTime *time.Time `json:"lastModificationTime"`
}

// UnmarshalJSON reads a RobotAccountDto, accepting UiPath's timestamp forms
// and either spelling of groupIds.
func (r *RobotAccount) UnmarshalJSON(b []byte) error {
	if err := readDocument(b, r); err != nil {
		return fmt.Errorf("robot account: %w", err)
	}
	return nil
}

// robotAccountFields are RobotAccountDto's names RobotAccount reads, in
// the order encoding/json matched them: a key equal to both groupIds and
// groupIDs regardless of case is groupIds.
var robotAccountFields = jsonFields{"id", "name", "displayName", "groupIds", "groupIDs",
	"creationTime", "lastLoginTime", "lastModificationTime"}

// readJSON reads a RobotAccountDto (null: the zero RobotAccount): groupIds,
// else groupIDs.
func (ra *RobotAccount) readJSON(r *jsonReader) error {
	*ra = RobotAccount{}
	if r.null() {
		return nil
	}
	var groupIDsUpper []string
	var times [3]apiTime
	err := r.object(func(key []byte) error {
		switch robotAccountFields.field(key) {
		case "id":
			return r.readString(&ra.ID)
		case "name":
			return r.readString(&ra.Name)
		case "displayName":
			return r.readString(&ra.DisplayName)
		case "groupIds":
			return r.readStrings(&ra.GroupIDs)
		case "groupIDs":
			return r.readStrings(&groupIDsUpper)
		case "creationTime":
			return times[0].read(r)
		case "lastLoginTime":
			return times[1].read(r)
		case "lastModificationTime":
			return times[2].read(r)
		}
		return r.skip()
	})
	if err != nil {
		return err
	}
	if ra.GroupIDs == nil {
		ra.GroupIDs = groupIDsUpper
	}
	timePointers(times[:], &ra.CreationTime, &ra.LastLoginTime, &ra.LastModificationTime)
	return nil
}

// UpdateRobotAccount is an UpdateRobotAccountCommand: only the display name
// and group membership can change (the name is read-only).
type UpdateRobotAccount struct {
	DisplayName      *string
	GroupIDsToAdd    []string
	GroupIDsToRemove []string
}

// accountURL is a robot account's address within its partition, for a
// read or a delete.
func (s *RobotAccountsService) accountURL(partition, id string) string {
	return joinURL(s.client.endpoints.Identity, "api", "RobotAccount", url.PathEscape(partition), url.PathEscape(id))
}

// Get reads one robot account (GET /api/RobotAccount/{partition}/{id}).
func (s *RobotAccountsService) Get(ctx context.Context, id string) (RobotAccount, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return RobotAccount{}, err
	}
	var r RobotAccount
	err = s.client.send(ctx, http.MethodGet, s.accountURL(partition, id), nil, &r)
	return r, err
}

// list reads one page of robot accounts (GET /api/RobotAccount/{partition}).
func (s *RobotAccountsService) list(ctx context.Context, opts listOptions) (page[RobotAccount], error) {
	return listPage[RobotAccount](ctx, s.client, opts, "api", "RobotAccount")
}

// All calls fn for every robot account, paging 1,000 at a time. An error
// from fn stops the walk and is returned as is. ListTotal tells the caller
// the list's length first.
func (s *RobotAccountsService) All(ctx context.Context, fn func(RobotAccount) error, opts ...ListOption) error {
	return walkPages(ctx, "", s.list, robotAccountID, totalOf(opts), fn)
}

// walk calls fn for every robot account the server matches with searchTerm.
func (s *RobotAccountsService) walk(ctx context.Context, searchTerm string, fn func(RobotAccount) error) error {
	return walkPages(ctx, searchTerm, s.list, robotAccountID, nil, fn)
}

// FindByName returns the one robot account named exactly name (case
// insensitive); a *LookupError when there is none or several.
func (s *RobotAccountsService) FindByName(ctx context.Context, name string) (RobotAccount, error) {
	return findOne(ctx, s.walk, "robot account", "name", name, func(r RobotAccount) bool { return strings.EqualFold(r.Name, name) })
}

// Update changes a robot account's display name and groups
// (PUT /api/RobotAccount/{id}) and returns it as the server now has it.
// The PUT always carries a display name: what it does without one is
// undocumented (a server may blank it), so an update that leaves the
// display name unchanged first reads the current one.
func (s *RobotAccountsService) Update(ctx context.Context, id string, upd UpdateRobotAccount, opts ...WriteOption) (RobotAccount, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return RobotAccount{}, err
	}
	if upd.DisplayName == nil {
		current, err := s.Get(ctx, id)
		if err != nil {
			return RobotAccount{}, err
		}
		upd.DisplayName = &current.DisplayName
	}
	body := struct {
		PartitionGlobalID string   `json:"partitionGlobalId"`
		DisplayName       *string  `json:"displayName,omitempty"`
		GroupIDsToAdd     []string `json:"groupIDsToAdd,omitempty"`
		GroupIDsToRemove  []string `json:"groupIDsToRemove,omitempty"`
	}{partition, upd.DisplayName, upd.GroupIDsToAdd, upd.GroupIDsToRemove}
	u := joinURL(s.client.endpoints.Identity, "api", "RobotAccount", url.PathEscape(id))
	var r RobotAccount
	err = s.client.send(ctx, http.MethodPut, u, body, &r, opts...)
	return r, err
}

// robotAccountID is a robot account's id, what a walk de-duplicates by.
func robotAccountID(r RobotAccount) string { return r.ID }
