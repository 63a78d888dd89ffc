package client

import (
	"context"
	"net/http"
	"net/url"
)

// GroupsService reads the organization's groups (/api/Group): the ids that
// users and robot accounts hold, with their names.
type GroupsService service

// Group is a GroupDto: a built-in or local group of the organization.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is "builtIn" or "custom" (a local group).
	Type string `json:"type"`
}

// List reads every built-in and local group of the organization in one
// request (GET /api/Group/{partitionGlobalId}; the list is not paged).
func (s *GroupsService) List(ctx context.Context) ([]Group, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return nil, err
	}
	u := joinURL(s.client.endpoints.Identity, "api", "Group", url.PathEscape(partition))
	req, err := s.client.NewRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var groups []Group
	if _, err := s.client.Do(req, &groups); err != nil {
		return nil, err
	}
	return groups, nil
}
