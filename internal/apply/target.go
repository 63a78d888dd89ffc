package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// The services a run's rows talk to, as TargetNotFoundError names them.
const (
	ServiceIdentity     = "identity"
	ServiceOrchestrator = "orchestrator"
)

// TargetNotFoundError says that a list of the whole organization (or
// tenant) answered 404 before any row ran: the settings name an
// organization or tenant that is not there, not an account that is
// missing. A run meeting it stops with nothing sent.
type TargetNotFoundError struct {
	// Service is ServiceIdentity (the organization) or
	// ServiceOrchestrator (the tenant).
	Service string
	Err     error
}

func (e *TargetNotFoundError) Error() string {
	return fmt.Sprintf("the %s list answered not found: %v", e.Service, e.Err)
}

func (e *TargetNotFoundError) Unwrap() error { return e.Err }

// Services says which services the rows still to run talk to.
func (c *Census) Services() (identity, orchestrator bool) {
	for op, n := range c.byOp {
		if n == 0 {
			continue
		}
		if op == manifest.OpSetRobotCredentials {
			orchestrator = true
		} else {
			identity = true
		}
	}
	return identity, orchestrator
}

// noteList records what a read of a whole list of service answered: a
// list that is not found means the organization or tenant is not.
func (rs *Resolver) noteList(service string, err error) {
	rs.listsMu.Lock()
	defer rs.listsMu.Unlock()
	if rs.listsRead == nil {
		rs.listsRead = map[string]bool{}
	}
	if f := asFailure(err); f != nil && f.Code() == report.CodeNotFound && rs.notFound == nil {
		rs.notFound = &TargetNotFoundError{Service: service, Err: err}
	}
	if err == nil || rs.notFound != nil {
		rs.listsRead[service] = true
	}
}

// orchestratorProber is a Reader that reads Orchestrator's user list for a
// probe without what a row's read entails (ClientAdapter keeps
// Orchestrator's refusal of the application for the rows that follow: a
// refused probe must leave that to the first row, which reports it).
type orchestratorProber interface {
	ProbeOrchestrator(ctx context.Context) error
}

// errProbed stops a probe's walk after its first page.
var errProbed = errors.New("probed")

// CheckTarget makes sure, before any row runs, that the organization and
// tenant the rows talk to are there: a list of each service the rows use
// that Prepare did not read is read for one page (a user list, a robot
// account list, or the groups; Orchestrator's users). A list answering
// 404 is a *TargetNotFoundError; other errors are left to the rows.
func (rs *Resolver) CheckTarget(ctx context.Context, c *Census) error {
	identity, orchestrator := c.Services()
	rows := func(ops ...manifest.Op) int {
		n := 0
		for _, op := range ops {
			n += c.byOp[op]
		}
		return n
	}
	robots := rows(manifest.OpUpdateRobotAccount, manifest.OpEnsureRobotAccount, manifest.OpDeleteRobotAccount)
	users := rows(manifest.OpUpdateUser, manifest.OpSetPassword, manifest.OpChangePassword, manifest.OpEnsureUser, manifest.OpDeleteUser)
	probe := func(service string, read func(context.Context) error) {
		rs.listsMu.Lock()
		done := rs.listsRead[service] || rs.notFound != nil
		rs.listsMu.Unlock()
		if done {
			return
		}
		err := rs.retried(ctx, read)
		if errors.Is(err, errProbed) || errors.Is(err, errListTooLong) {
			err = nil
		}
		rs.noteList(service, err)
	}
	if identity {
		probe(ServiceIdentity, func(ctx context.Context) error {
			// A list the rows' own scopes cover.
			switch {
			case robots > 0 && users == 0:
				return rs.reader.EachRobotWithTotal(ctx, tooLong(0), func(Robot) error { return errProbed })
			case users == 0:
				_, err := rs.reader.ListGroups(ctx)
				return err
			}
			return rs.reader.EachUserWithTotal(ctx, tooLong(0), func(User) error { return errProbed })
		})
	}
	if orchestrator {
		probe(ServiceOrchestrator, func(ctx context.Context) error {
			if p, ok := rs.reader.(orchestratorProber); ok {
				return p.ProbeOrchestrator(ctx)
			}
			return rs.reader.EachOrchestratorUser(ctx, func(OrchestratorUser) error { return errProbed })
		})
	}
	rs.listsMu.Lock()
	defer rs.listsMu.Unlock()
	if rs.notFound != nil {
		return rs.notFound
	}
	return nil
}
