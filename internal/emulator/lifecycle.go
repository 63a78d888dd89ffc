package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Helpers shared by the endpoints that create and delete accounts and
// groups.

// newGUID returns a random version-4 GUID, in lower case.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// bodyPartition answers problem details unless p names the organization's
// partition; the commands that carry it in their body need it.
func (s *Server) bodyPartition(c *call, p *string) bool {
	if p == nil || !strings.EqualFold(*p, s.cfg.PartitionID) {
		c.validationProblem("partitionGlobalId", "The partitionGlobalId field is required and must be the organization's partition.")
		return false
	}
	return true
}

// pathPartition reads the partition route parameter: problem details when
// it is not a GUID, 404 when it is not the organization's.
func (s *Server) pathPartition(c *call, raw string) bool {
	p, ok := pathGUID(c, "partitionGlobalId", raw)
	if !ok {
		return false
	}
	if !strings.EqualFold(p, s.cfg.PartitionID) {
		c.identityNotFound()
		return false
	}
	return true
}

// withinBulkMax answers 400 problem details naming the count when a bulk
// request carries more than the configured maximum of ids.
func (s *Server) withinBulkMax(c *call, field string, n int) bool {
	if n > s.cfg.BulkMax {
		c.validationProblem(field, fmt.Sprintf("A request may carry at most %d ids; this one carries %d.", s.cfg.BulkMax, n))
		return false
	}
	return true
}

// requiredName trims a name a command must carry; it answers 400 on Name
// when the name is absent or blank.
func requiredName(c *call, name *string) (string, bool) {
	if name == nil || strings.TrimSpace(*name) == "" {
		c.validationProblem("Name", "The Name field is required.")
		return "", false
	}
	return strings.TrimSpace(*name), true
}

// lowerIDs returns ids in lower case, each once, in order.
func lowerIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.ToLower(id); !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// notFoundAt answers 400 on field[i] for an id the organization does not
// hold: a bulk request is applied whole or not at all.
func notFoundAt(c *call, field string, i int, what, id string) {
	c.validationProblem(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%s '%s' does not exist in this organization.", what, id))
}

// memberGroups returns the group list of the live user or robot account
// with id, and the modification time to move on a change; nil when there
// is none. The caller holds the store's lock.
func (st *store) memberGroups(id string) (*[]string, *time.Time) {
	if u := st.users[id]; u != nil {
		return &u.GroupIDs, &u.LastModificationTime
	}
	if r := st.robots[id]; r != nil {
		return &r.GroupIDs, &r.LastModificationTime
	}
	return nil, nil
}

// deleteUsers soft-deletes the live users ids (lower case, each known):
// they leave every list, lookup and index. The caller holds the lock.
func (st *store) deleteUsers(ids []string, now time.Time) {
	gone := map[string]bool{}
	for _, id := range ids {
		u := st.users[id]
		gone[id] = true
		delete(st.users, id)
		if k := strings.ToLower(u.UserName); st.userByName[k] == id {
			delete(st.userByName, k)
		}
		if k := strings.ToLower(u.Email); st.userByEmail[k] == id {
			delete(st.userByEmail, k)
		}
		st.deletedUsers = append(st.deletedUsers, DeletedUser{User: u.User.clone(), DeletionTime: now})
	}
	isGone := func(id string) bool { return gone[id] }
	st.userOrder = slices.DeleteFunc(st.userOrder, isGone)
	st.userIDs.remove(isGone)
	st.dropDirectoryUsers(gone)
}

// deleteRobots deletes the robot accounts ids (lower case, each known).
// The caller holds the lock.
func (st *store) deleteRobots(ids []string, now time.Time) {
	gone := map[string]bool{}
	for _, id := range ids {
		r := st.robots[id]
		gone[id] = true
		delete(st.robots, id)
		if k := strings.ToLower(r.Name); st.robotByName[k] == id {
			delete(st.robotByName, k)
		}
		st.deletedRobots = append(st.deletedRobots, DeletedRobotAccount{RobotAccount: r.clone(), DeletionTime: now})
	}
	isGone := func(id string) bool { return gone[id] }
	st.robotOrder = slices.DeleteFunc(st.robotOrder, isGone)
	st.robotIDs.remove(isGone)
	st.dropDirectoryUsers(gone)
}

// deleteGroups deletes the local groups ids (lower case, each known) and
// takes them out of every user's and robot account's groups. The caller
// holds the lock.
func (st *store) deleteGroups(ids []string, now time.Time) {
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	st.groups = slices.DeleteFunc(st.groups, func(g Group) bool {
		if gone[g.ID] {
			st.deletedGroups = append(st.deletedGroups, DeletedGroup{Group: g, DeletionTime: now})
			return true
		}
		return false
	})
	for _, id := range ids {
		delete(st.groupTimes, id)
	}
	strip := func(groups *[]string, modified *time.Time) {
		before := len(*groups)
		*groups = slices.DeleteFunc(*groups, func(g string) bool { return gone[g] })
		if len(*groups) != before {
			*modified = nextModification(*modified)
		}
	}
	for _, u := range st.users {
		strip(&u.GroupIDs, &u.LastModificationTime)
	}
	for _, r := range st.robots {
		strip(&r.GroupIDs, &r.LastModificationTime)
	}
	st.dropDirectoryUsers(gone)
}

// deleteAllOrNone serves the rest of a bulk delete once its command is
// read: ids checked (at least one, GUIDs, within --bulk-max), then each
// must be live (else 400 naming its position) and not refused, and only
// then are all deleted (answerDeleted). refuse answers and reports true
// for an id that cannot be deleted; nil refuses none.
func (s *Server) deleteAllOrNone(c *call, field, what string, ids []string, live func(id string) bool,
	refuse func(i int, id string) bool, del func(ids []string, at time.Time)) {
	if len(ids) == 0 {
		c.validationProblem(field, fmt.Sprintf("The field %s must be a string or array type with a minimum length of '1'.", field))
		return
	}
	if !checkGUIDs(c, field, ids) || !s.withinBulkMax(c, field, len(ids)) {
		return
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, id := range ids {
		id = strings.ToLower(id)
		if !live(id) {
			notFoundAt(c, field, i, what, id)
			return
		}
		if refuse != nil && refuse(i, id) {
			return
		}
	}
	del(lowerIDs(ids), time.Now().UTC())
	s.answerDeleted(c)
}
