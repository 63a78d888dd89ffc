package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// groupDTO is GroupDto of identity.yaml. Type and Members follow the
// shapes in effect (see live.go); members are never listed.
type groupDTO struct {
	ID                   string  `json:"id"`
	Name                 string  `json:"name"`
	DisplayName          string  `json:"displayName"`
	Type                 any     `json:"type"`
	CreationTime         string  `json:"creationTime"`
	LastModificationTime *string `json:"lastModificationTime"`
	Members              []any   `json:"members"`
}

// builtInGroups are the groups every organization has and cannot rename or
// delete; every other group (Finance, a seed file's) is a local one.
var builtInGroups = map[string]bool{
	GroupEveryone: true, GroupAdministrators: true, GroupAutomationUsers: true, GroupAutomationDevelopers: true,
}

// toGroupDTO shapes a group as GroupDto. The caller holds the store's lock.
func (s *Server) toGroupDTO(g Group) groupDTO {
	dto := groupDTO{ID: g.ID, Name: g.Name, DisplayName: g.Name, Type: s.groupTypeValue(builtInGroups[g.ID]), Members: s.groupMembers()}
	if t := s.state.groupTimes[g.ID]; t != nil {
		dto.CreationTime = formatWireTime(t.created)
		if !t.modified.IsZero() {
			m := formatWireTime(t.modified)
			dto.LastModificationTime = &m
		}
	}
	return dto
}

// listGroups serves GET /api/Group/{partitionGlobalId}: every built-in and
// local group of the organization, in one answer (the list is not paged).
// The ids are the ones users and robot accounts hold in groupIDs.
func (s *Server) listGroups(c *call) {
	if !s.pathPartition(c, c.params[0]) {
		return
	}
	s.state.mu.RLock()
	out := make([]groupDTO, 0, len(s.state.groups))
	for _, g := range s.state.groups {
		out = append(out, s.toGroupDTO(g))
	}
	s.state.mu.RUnlock()
	body, _ := json.Marshal(out)
	c.json(http.StatusOK, body)
}

// missingGroup returns the first of ids the organization has no group
// for; ok when it has them all. The caller holds the store's lock.
func (st *store) missingGroup(ids []string) (id string, ok bool) {
	for _, g := range ids {
		if !st.hasGroup(strings.ToLower(g)) {
			return g, false
		}
	}
	return "", true
}

// groupMissing answers the problem the service sends for a groupIDsToAdd
// entry the organization has no group for.
func (c *call) groupMissing(id string) {
	c.validationProblem("groupIDsToAdd", "Group '"+id+"' does not exist in this organization.")
}

// changeGroups returns a copy of groups with add joined (lower case, once
// each) and remove taken out.
func changeGroups(groups, add, remove []string) []string {
	out := slices.Clone(groups)
	for _, g := range add {
		if g = strings.ToLower(g); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	for _, g := range remove {
		g = strings.ToLower(g)
		out = slices.DeleteFunc(out, func(x string) bool { return x == g })
	}
	return out
}
