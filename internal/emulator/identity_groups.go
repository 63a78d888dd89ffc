package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// groupDTO is GroupDto of identity.yaml (members are left out: the list
// answers null for them, as the service does for a plain list).
type groupDTO struct {
	ID                   string  `json:"id"`
	Name                 string  `json:"name"`
	DisplayName          string  `json:"displayName"`
	Type                 string  `json:"type"`
	CreationTime         string  `json:"creationTime"`
	LastModificationTime *string `json:"lastModificationTime"`
	Members              []any   `json:"members"`
}

// builtInGroups are the groups every organization has and cannot rename or
// delete; every other group (Finance, a seed file's) is a local one.
var builtInGroups = map[string]bool{
	GroupEveryone: true, GroupAdministrators: true, GroupAutomationUsers: true, GroupAutomationDevelopers: true,
}

// listGroups serves GET /api/Group/{partitionGlobalId}: every built-in and
// local group of the organization, in one answer (the list is not paged).
// The ids are the ones users and robot accounts hold in groupIDs.
func (s *Server) listGroups(c *call) {
	partition, ok := pathGUID(c, "partitionGlobalId", c.params[0])
	if !ok {
		return
	}
	if !strings.EqualFold(partition, s.cfg.PartitionID) {
		c.identityNotFound()
		return
	}
	s.state.mu.RLock()
	out := make([]groupDTO, 0, len(s.state.groups))
	for _, g := range s.state.groups {
		typ := "custom"
		if builtInGroups[g.ID] {
			typ = "builtIn"
		}
		out = append(out, groupDTO{ID: g.ID, Name: g.Name, DisplayName: g.Name, Type: typ, CreationTime: formatWireTime(seedEpoch)})
	}
	s.state.mu.RUnlock()
	body, _ := json.Marshal(out)
	c.json(http.StatusOK, body)
}
