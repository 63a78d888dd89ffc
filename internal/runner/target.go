package runner

import (
	"errors"
	"fmt"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
)

// TargetError turns a list that answered 404 before any row into what a
// person fixes: the organization or tenant the settings name is not
// there, with where that setting came from. Other errors pass as they are.
func TargetError(s client.Settings, err error) error {
	var t *apply.TargetNotFoundError
	if !errors.As(err, &t) {
		return err
	}
	if t.Service == apply.ServiceOrchestrator {
		return fmt.Errorf("tenant %q of organization %q not found at %s: check %s (from %s), or %s; nothing was sent",
			s.Tenant, s.Organization, s.Target(), client.EnvTenant, s.Origin(client.EnvTenant), client.EnvOrchestratorURI)
	}
	return fmt.Errorf("organization %q not found at %s: check %s (from %s), or %s (from %s); nothing was sent",
		s.Organization, s.Target(), client.EnvOrganization, s.Origin(client.EnvOrganization), client.EnvPartitionID, s.Origin(client.EnvPartitionID))
}
