package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
)

// CredentialStore is an Orchestrator credential store: where unattended
// robots' passwords are kept. Orchestrator cannot write to a read-only
// one (an external vault it only reads).
type CredentialStore struct {
	ID       int64  `json:"Id"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
	ReadOnly bool   `json:"IsReadOnly"`
}

// orchestratorDatabase is the store every tenant has: Orchestrator's own
// database, id 1, writable.
var orchestratorDatabase = CredentialStore{ID: 1, Name: "Orchestrator Database", Type: "Database"}

// credentialStoreDTO is CredentialStoreDto of orchestrator.yaml.
type credentialStoreDTO struct {
	ID                      int64                    `json:"Id"`
	Name                    string                   `json:"Name"`
	Type                    string                   `json:"Type"`
	Details                 credentialStoreDetails   `json:"Details"`
	DefaultCredentialStores []defaultCredentialStore `json:"DefaultCredentialStores"`
}

type credentialStoreDetails struct {
	IsReadOnly bool `json:"IsReadOnly"`
}

type defaultCredentialStore struct {
	ResourceType string `json:"ResourceType"`
}

func toCredentialStoreDTO(cs *CredentialStore) credentialStoreDTO {
	dto := credentialStoreDTO{ID: cs.ID, Name: cs.Name, Type: cs.Type, Details: credentialStoreDetails{cs.ReadOnly},
		DefaultCredentialStores: []defaultCredentialStore{}}
	if cs.ID == orchestratorDatabase.ID {
		// The database is where robot and asset credentials go by default.
		dto.DefaultCredentialStores = []defaultCredentialStore{{"AssetCredential"}, {"RobotCredential"}}
	}
	return dto
}

// credentialStoreFields are the CredentialStoreDto properties a $filter
// compares.
var credentialStoreFields = odataFields[CredentialStore]{
	typeName: "UiPath.Server.Configuration.OData.CredentialStoreDto",
	id:       func(cs *CredentialStore) int64 { return cs.ID },
	text: map[string]func(*CredentialStore) string{
		"Name": func(cs *CredentialStore) string { return cs.Name },
		"Type": func(cs *CredentialStore) string { return cs.Type },
	},
}

// credentialStore returns the store with id, if the tenant has it. The
// caller holds the store's lock.
func (st *store) credentialStore(id int64) (*CredentialStore, bool) {
	i, found := slices.BinarySearchFunc(st.credStores, id, func(cs CredentialStore, id int64) int { return cmp.Compare(cs.ID, id) })
	if !found {
		return nil, false
	}
	return &st.credStores[i], true
}

// readOnlyStore returns the read-only store that robot (as stored) or
// next (as a write gives it) keeps its password in, if either does. The
// caller holds the store's lock.
func (st *store) readOnlyStore(robot, next *UnattendedRobot) (*CredentialStore, bool) {
	for _, r := range []*UnattendedRobot{robot, next} {
		if r == nil || r.CredentialStoreID == nil {
			continue
		}
		if cs, ok := st.credentialStore(*r.CredentialStoreID); ok && cs.ReadOnly {
			return cs, true
		}
	}
	return nil, false
}

// listCredentialStores serves GET /odata/CredentialStores with $filter,
// $top and $skip.
func (s *Server) listCredentialStores(c *call) {
	serveODataList(s, c, "CredentialStores", credentialStoreFields, func(st *store, skip, top int, match func(*CredentialStore) bool) ([]credentialStoreDTO, int) {
		values := []credentialStoreDTO{}
		count := 0
		for i := range st.credStores {
			if cs := &st.credStores[i]; match(cs) {
				if count >= skip && len(values) < top {
					values = append(values, toCredentialStoreDTO(cs))
				}
				count++
			}
		}
		return values, count
	})
}

// getCredentialStore serves GET /odata/CredentialStores({key}).
func (s *Server) getCredentialStore(c *call) {
	key, ok := orchestratorKey(c)
	if !ok {
		return
	}
	s.state.mu.RLock()
	cs, found := s.state.credentialStore(key)
	var dto credentialStoreDTO
	if found {
		dto = toCredentialStoreDTO(cs)
	}
	s.state.mu.RUnlock()
	if !found {
		c.orchestratorNotFound("Credential store does not exist.", 1002)
		return
	}
	body, _ := json.Marshal(struct {
		Context string `json:"@odata.context"`
		credentialStoreDTO
	}{s.odataContext(c, "CredentialStores/$entity"), dto})
	c.json(http.StatusOK, body)
}

// CredentialStores returns the tenant's credential stores, in id order.
func (s *Server) CredentialStores() []CredentialStore {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return slices.Clone(s.state.credStores)
}
