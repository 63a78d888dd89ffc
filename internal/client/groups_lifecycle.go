package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/google/uuid"
)

// NewGroup is a CreateGroupCommand: a local group and its first members.
type NewGroup struct {
	// ID is the id the group will have (a GUID): journal it before the
	// create to settle a lost one by reading that id. Empty makes Create
	// generate one, since the live service refuses a create without an id;
	// the group Create returns carries it.
	ID   string
	Name string
	// MemberIDs are users or robot accounts, by id.
	MemberIDs []string
}

// UpdateGroup is an UpdateGroupCommand. The PUT always carries the name
// (a server refuses one without): Name is the group's current name to
// keep it, or a new one.
type UpdateGroup struct {
	Name              string
	MemberIDsToAdd    []string
	MemberIDsToRemove []string
}

func (s *GroupsService) groupURL(partition, id string) string {
	return joinURL(s.client.endpoints.Identity, "api", "Group", url.PathEscape(partition), url.PathEscape(id))
}

// Create creates a local group (POST /api/Group) and returns it. A name
// already taken is an *Error (400 on Name); more members than the server
// allows in one request is an error matching ErrBulkTooLarge. A POST is
// not idempotent: a request sent without an answer has an unknown outcome
// (list the groups and look for its id, or its name, to settle it).
func (s *GroupsService) Create(ctx context.Context, g NewGroup, opts ...WriteOption) (Group, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return Group{}, err
	}
	if g.ID == "" {
		g.ID = uuid.NewString()
	}
	body := struct {
		PartitionGlobalID      string   `json:"partitionGlobalId"`
		ID                     string   `json:"id"`
		Name                   string   `json:"name"`
		DirectoryUserMemberIDs []string `json:"directoryUserMemberIDs,omitempty"`
	}{partition, g.ID, g.Name, g.MemberIDs}
	var out Group
	err = s.client.send(ctx, http.MethodPost, joinURL(s.client.endpoints.Identity, "api", "Group"), body, &out, opts...)
	if err == nil && out.ID == "" { // an answer without the group
		out = Group{ID: g.ID, Name: g.Name, Type: "custom"}
	}
	return out, checkBulk(err, len(g.MemberIDs))
}

// Update renames a group and adds and removes members in one request
// (PUT /api/Group/{groupId}) and returns the group as the server now has
// it. A built-in group keeps its name (400 on Name). More members (added
// and removed together) than the server allows is an error matching
// ErrBulkTooLarge.
func (s *GroupsService) Update(ctx context.Context, id string, upd UpdateGroup, opts ...WriteOption) (Group, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return Group{}, err
	}
	body := struct {
		PartitionGlobalID        string   `json:"partitionGlobalId"`
		Name                     string   `json:"name"`
		DirectoryUserIDsToAdd    []string `json:"directoryUserIDsToAdd,omitempty"`
		DirectoryUserIDsToRemove []string `json:"directoryUserIDsToRemove,omitempty"`
	}{partition, upd.Name, upd.MemberIDsToAdd, upd.MemberIDsToRemove}
	u := joinURL(s.client.endpoints.Identity, "api", "Group", url.PathEscape(id))
	var out Group
	err = s.client.send(ctx, http.MethodPut, u, body, &out, opts...)
	return out, checkBulk(err, len(upd.MemberIDsToAdd)+len(upd.MemberIDsToRemove))
}

// Delete deletes a local group (DELETE /api/Group/{partitionGlobalId}/{groupId});
// its members leave it. A built-in group is refused (400).
func (s *GroupsService) Delete(ctx context.Context, id string, opts ...WriteOption) error {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return err
	}
	return s.client.sendDelete(ctx, s.groupURL(partition, id), nil, opts...)
}

// BulkDelete deletes local groups in one request
// (DELETE /api/Group/{partitionGlobalId}); the server deletes all or none.
// More ids than the server allows is an error matching ErrBulkTooLarge.
func (s *GroupsService) BulkDelete(ctx context.Context, ids []string, opts ...WriteOption) error {
	return s.client.bulkDelete(ctx, "groups", ids, func(partition string) (string, any) {
		return joinURL(s.client.endpoints.Identity, "api", "Group", url.PathEscape(partition)), struct {
			GroupIDs []string `json:"groupIDs"`
		}{ids}
	}, opts...)
}
