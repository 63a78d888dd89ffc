package client

import (
	"context"
	"fmt"
	"net/http"
)

// UpdateUnattendedRobotOf sends u's unattended robot as robot (PATCH
// odata/Users({key})): robot is u.UnattendedRobot as read, with the
// fields to change changed, since PATCH replaces the nested object whole.
// It never carries a password (SetUnattendedCredentialsOf does). A user
// without an unattended robot is given one (MayHaveUnattendedSession
// then goes with it). It returns the user as patched.
func (s *OrchestratorUsersService) UpdateUnattendedRobotOf(ctx context.Context, u OrchestratorUser, robot UnattendedRobot, opts ...WriteOption) (OrchestratorUser, error) {
	body := map[string]any{"UnattendedRobot": robot.wire(nil)}
	if u.UnattendedRobot == nil {
		body["MayHaveUnattendedSession"] = true
	}
	req, err := s.newRequest(ctx, http.MethodPatch, userPath(u.ID), body)
	if err != nil {
		return OrchestratorUser{}, err
	}
	if _, err := s.client.Do(req, nil, opts...); err != nil {
		return OrchestratorUser{}, fmt.Errorf("update the robot of Orchestrator user %d (%s): %w", u.ID, u.UserName, err)
	}
	u.UnattendedRobot = &robot
	return u, nil
}
