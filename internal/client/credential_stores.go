package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// CredentialStoresService reads Orchestrator's credential stores
// (odata/CredentialStores): where unattended robots' passwords live, and
// whether Orchestrator may write them. Its calls need the scope
// OR.Settings.Read (or OR.Settings): ask for it with
// OpListCredentialStores or OpGetCredentialStore.
type CredentialStoresService service

// CredentialStore is a credential store (CredentialStoreDto), the parts
// we use.
type CredentialStore struct {
	// ID is the store's key, as in odata/CredentialStores({key}) and an
	// unattended robot's CredentialStoreID.
	ID   int64
	Name string
	// Type is the store's kind as the server names it (such as "Database",
	// "CyberArk", "AzureKeyVault"); an integer sent for it is kept as its
	// text.
	Type string
	// ReadOnly tells that Orchestrator cannot write passwords into the
	// store (Details.IsReadOnly; false when the server sends no details).
	ReadOnly bool
}

// UnmarshalJSON reads a CredentialStoreDto: Type as a string or a number,
// Details null or absent.
func (s *CredentialStore) UnmarshalJSON(b []byte) error {
	var w struct {
		ID      int64           `json:"Id"`
		Name    string          `json:"Name"`
		Type    json.RawMessage `json:"Type"`
		Details *struct {
			IsReadOnly bool `json:"IsReadOnly"`
		} `json:"Details"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("credential store: %w", err)
	}
	*s = CredentialStore{ID: w.ID, Name: w.Name, Type: str(w.Type)}
	if w.Details != nil {
		s.ReadOnly = w.Details.IsReadOnly
	}
	return nil
}

// List reads every credential store of the tenant in one request
// (GET odata/CredentialStores).
func (s *CredentialStoresService) List(ctx context.Context) ([]CredentialStore, error) {
	req, err := s.client.orchestratorRequest(ctx, http.MethodGet, "odata/CredentialStores", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Value []CredentialStore `json:"value"`
	}
	if _, err := s.client.Do(req, &list); err != nil {
		return nil, fmt.Errorf("list credential stores: %w", err)
	}
	return list.Value, nil
}

// Get reads one credential store by key (GET odata/CredentialStores({key})).
func (s *CredentialStoresService) Get(ctx context.Context, id int64) (CredentialStore, error) {
	rel := "odata/CredentialStores(" + strconv.FormatInt(id, 10) + ")"
	req, err := s.client.orchestratorRequest(ctx, http.MethodGet, rel, nil)
	if err != nil {
		return CredentialStore{}, err
	}
	var cs CredentialStore
	if _, err := s.client.Do(req, &cs); err != nil {
		return CredentialStore{}, fmt.Errorf("read credential store %d: %w", id, err)
	}
	return cs, nil
}
