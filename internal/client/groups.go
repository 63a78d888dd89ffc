package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// GroupsService reads the organization's groups (/api/Group): the ids that
// users and robot accounts hold, with their names.
type GroupsService service

// Group is a GroupDto: a built-in or local group of the organization. Its
// members are not read: the server answers them empty, so membership is
// read from the users' and robot accounts' GroupIDs.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is "builtIn" or "custom" (a local group), read from the name or
	// its integer code (0, 1); an unknown code is kept as
	// UnknownEnumPrefix and the code (see UnknownEnum).
	Type string `json:"type"`
}

// UnmarshalJSON reads a GroupDto, its type as a name or an integer code.
func (g *Group) UnmarshalJSON(b []byte) error {
	var w struct {
		ID   string          `json:"id"`
		Name string          `json:"name"`
		Type json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("group: %w", err)
	}
	*g = Group{ID: w.ID, Name: w.Name}
	g.Type, _ = groupTypes.decode(w.Type)
	return nil
}

// List reads every built-in and local group of the organization in one
// request (GET /api/Group/{partitionGlobalId}; the list is not paged).
func (s *GroupsService) List(ctx context.Context) ([]Group, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return nil, err
	}
	u := joinURL(s.client.endpoints.Identity, "api", "Group", url.PathEscape(partition))
	var groups []Group
	if err := s.client.send(ctx, http.MethodGet, u, nil, &groups); err != nil {
		return nil, err
	}
	return groups, nil
}
