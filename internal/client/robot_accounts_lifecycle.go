package client

import (
	"context"
	"net/http"
	"net/url"
)

// NewRobotAccount is a CreateRobotAccountCommand.
type NewRobotAccount struct {
	Name string
	// DisplayName empty sends none (the account then has none).
	DisplayName string
	// GroupIDs are joined besides Everyone.
	GroupIDs []string
}

// Create creates a robot account (POST /api/RobotAccount) and returns it.
// A name already taken is an *Error (400 on Name). A POST is not
// idempotent: a request sent without an answer has an unknown outcome
// (find the account by name to settle it).
func (s *RobotAccountsService) Create(ctx context.Context, r NewRobotAccount, opts ...WriteOption) (RobotAccount, error) {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return RobotAccount{}, err
	}
	body := struct {
		PartitionGlobalID string   `json:"partitionGlobalId"`
		Name              string   `json:"name"`
		DisplayName       string   `json:"displayName,omitempty"`
		GroupIDsToAdd     []string `json:"groupIDsToAdd,omitempty"`
	}{partition, r.Name, r.DisplayName, r.GroupIDs}
	var out RobotAccount
	err = s.client.send(ctx, http.MethodPost, joinURL(s.client.endpoints.Identity, "api", "RobotAccount"), body, &out, opts...)
	return out, err
}

// Delete deletes one robot account
// (DELETE /api/RobotAccount/{partitionGlobalId}/{robotAccountId}).
func (s *RobotAccountsService) Delete(ctx context.Context, id string, opts ...WriteOption) error {
	partition, err := s.client.PartitionID(ctx)
	if err != nil {
		return err
	}
	return s.client.sendDelete(ctx, s.accountURL(partition, id), nil, opts...)
}

// BulkDelete deletes robot accounts in one request
// (DELETE /api/RobotAccount/{partitionGlobalId}); the server deletes all or
// none. More ids than the server allows is an error matching
// ErrBulkTooLarge.
func (s *RobotAccountsService) BulkDelete(ctx context.Context, ids []string, opts ...WriteOption) error {
	return s.client.bulkDelete(ctx, "robot accounts", ids, func(partition string) (string, any) {
		return joinURL(s.client.endpoints.Identity, "api", "RobotAccount", url.PathEscape(partition)), struct {
			RobotAccountIDs []string `json:"robotAccountIDs"`
		}{ids}
	}, opts...)
}
