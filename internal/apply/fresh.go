package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/report"
)

// Some writes send back state read earlier, whole: a robot's unattended
// settings (Orchestrator's PATCH replaces the nested object), a group's
// name (a group PUT needs it), a robot account's display name. On a live
// organization a run lasts hours and other administrators change things
// meanwhile: sending back what was listed at the start would undo their
// changes. So such a write, once it has its budget slot and right before
// it leaves, checks the age of what it carries: older than
// Options.MaxStaleness, it is read again; unchanged, the write leaves as
// built; changed, the write is not sent and is built again from the
// fresh state (the check runs where the slot is held, so a long wait for
// the slot cannot age the state after the check).

// errStale says a write was not sent because the state it carried changed
// since it was read; the write is built again from the state read now.
var errStale = errors.New("the state this write sends back changed since it was read")

// staleTries bounds how often one write is built again because what it
// sends back keeps changing under it.
const staleTries = 3

// keptChanging is the row's failure when its write was built again
// staleTries times and what it sends back changed each time.
func keptChanging(err error) error {
	if !errors.Is(err, errStale) {
		return err
	}
	return failf(report.CodeConflict, "%v %d times in a row: someone keeps changing this account or group; nothing was sent", errStale, staleTries)
}

// freshness keeps what the staleness checks of a run share: the groups
// read again (one read serves every group PUT for MaxStaleness), and how
// many reads the checks cost.
type freshness struct {
	mu       sync.Mutex
	groups   map[string]Group // lower-case id → group, as read at groupsAt
	groupsAt time.Time
	reads    atomic.Int64
	// deleted are the groups this run's deletes named (lower-case ids).
	deleted map[string]bool
}

// stale reports whether state read at readAt is too old to send back now
// (a zero time is of unknown age: too old).
func (a *applier) stale(readAt time.Time) bool {
	return readAt.IsZero() || time.Since(readAt) > a.opts.MaxStaleness
}

// StaleReads is how many reads the run spent checking that what
// whole-object writes send back is fresh (see Options.MaxStaleness).
func (e *Executor) StaleReads() int64 {
	if a, ok := e.rows.(*applier); ok {
		return a.fresh.reads.Load()
	}
	return 0
}

// freshOrchestratorUser reads o again when it is too old to send back: it
// returns errStale, with *o the user read now, when its robot's settings
// changed since.
func (a *applier) freshOrchestratorUser(ctx context.Context, o *OrchestratorUser) error {
	if !a.stale(o.ReadAt) {
		return nil
	}
	a.fresh.reads.Add(1)
	now, err := a.reader.GetOrchestratorUser(ctx, o.Key)
	if err != nil {
		return err
	}
	if now.ReadAt.IsZero() {
		now.ReadAt = time.Now()
	}
	same := sameRobot(*o, now)
	*o = now
	if !same {
		return errStale
	}
	return nil
}

// freshRobot reads rb again when too old: errStale, with *rb read now,
// when its display name changed since.
func (a *applier) freshRobot(ctx context.Context, rb *Robot) error {
	if !a.stale(rb.ReadAt) {
		return nil
	}
	a.fresh.reads.Add(1)
	now, err := a.reader.GetRobot(ctx, rb.ID)
	if err != nil {
		return err
	}
	if now.ReadAt.IsZero() {
		now.ReadAt = time.Now()
	}
	same := now.DisplayName == rb.DisplayName
	*rb = now
	if !same {
		return errStale
	}
	return nil
}

// freshGroup checks the name a group PUT carries: read at readAt, it is
// checked against the organization's groups read again (one read for
// every group, once per MaxStaleness). errStale, with *g as read now,
// when the name changed; not found when the group is gone.
func (a *applier) freshGroup(ctx context.Context, g *Group, readAt time.Time) error {
	if !a.stale(readAt) {
		return nil
	}
	f := &a.fresh
	f.mu.Lock()
	defer f.mu.Unlock()
	if a.stale(f.groupsAt) {
		f.reads.Add(1)
		gs, err := a.reader.ListGroups(ctx)
		if err != nil {
			return err
		}
		f.groups = make(map[string]Group, len(gs))
		for _, x := range gs {
			f.groups[strings.ToLower(x.ID)] = x
		}
		f.groupsAt = time.Now()
	}
	now, ok := f.groups[strings.ToLower(g.ID)]
	if !ok {
		return failf(report.CodeNotFound, "the group %q (%s) was deleted during the run; nothing was sent", g.Name, g.ID)
	}
	if now.Name != g.Name {
		g.Name = now.Name
		return errStale
	}
	return nil
}

// A bulk group delete is one request that names the groups it deletes;
// one of UiPath's pages describes the same endpoint as deleting every
// local group. So after each, the groups are read again, and a group gone
// that no delete of this run named stops the run, loudly.

// noteGroupDeletes records the groups a delete of this run names.
func (a *applier) noteGroupDeletes(ids []string) {
	a.fresh.mu.Lock()
	defer a.fresh.mu.Unlock()
	if a.fresh.deleted == nil {
		a.fresh.deleted = map[string]bool{}
	}
	for _, id := range ids {
		a.fresh.deleted[strings.ToLower(id)] = true
	}
}

// checkOtherGroups reads the groups after a bulk group delete and halts
// the run when a group that no delete of the run named is gone.
func (a *applier) checkOtherGroups(ctx context.Context) {
	var now []Group
	err := a.retry(ctx, nil, func(ctx context.Context) (err error) {
		now, err = a.reader.ListGroups(ctx)
		return err
	})
	if err != nil {
		a.halt(fmt.Errorf("after a bulk group delete the groups could not be read again to check that no other group went with it (%w): the run stops; check the organization's groups", err))
		return
	}
	there := make(map[string]bool, len(now))
	for _, g := range now {
		there[strings.ToLower(g.ID)] = true
	}
	a.fresh.mu.Lock()
	var gone []string
	for _, g := range a.resolver.Groups() {
		if id := strings.ToLower(g.ID); !there[id] && !a.fresh.deleted[id] {
			gone = append(gone, fmt.Sprintf("%q (%s)", g.Name, id))
		}
	}
	a.fresh.mu.Unlock()
	if len(gone) > 0 {
		slices.Sort(gone)
		a.halt(fmt.Errorf("after a bulk group delete, %d groups that no row deletes are gone too: %s (the bulk delete took more than it named, or someone else deleted them meanwhile); the run stops: check the organization's groups now", len(gone), strings.Join(gone, ", ")))
	}
}

// halt stops the run with why (the first reason is kept).
func (a *applier) halt(why error) { a.halted.CompareAndSwap(nil, &why) }

// Halted is why the executor asks the run to stop, or nil.
func (e *Executor) Halted() error {
	if a, ok := e.rows.(*applier); ok {
		if p := a.halted.Load(); p != nil {
			return *p
		}
	}
	return nil
}
