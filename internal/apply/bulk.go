package apply

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// DoBulk executes a batch of rows of a phase that sends bulk requests:
// each row is read and checked on its own, then the rows' deletes go out
// as bulk deletes and their membership changes as one request per group.
// Every row keeps its own truth: a refused bulk request is split until
// each row has its own answer, and one whose answer was lost is settled
// by reading. A planner runs the rows one by one.
func (e *Executor) DoBulk(ctx context.Context, tasks []*Task) []report.Result {
	out := make([]report.Result, len(tasks))
	a, ok := e.rows.(*applier)
	if !ok {
		for i, t := range tasks {
			out[i] = e.Do(ctx, t)
		}
		return out
	}
	start := time.Now()
	rows := make([]*bulkRow, len(tasks))
	for i, t := range tasks {
		job := &t.Job
		out[i] = report.Result{Row: job.Row, Source: job.Source.String(), Op: string(job.Op), Target: job.Target.String()}
		rows[i] = &bulkRow{row: row{job: job, res: &out[i], prior: t.Prior}}
	}
	a.bulk(ctx, rows)
	for _, br := range rows {
		br.res.Duration = time.Since(start)
		if br.err != nil {
			setFailure(ctx, br.res, br.err, br.res.Attempts > 0)
		}
		a.recordNotSet(ctx, &br.row)
	}
	return out
}

// bulkRow is one row of a batch: its state, what reading it found, and
// its error once it has one.
type bulkRow struct {
	row
	l   look
	err error
	// recorded: its intent is in the journal (it leaves with the first
	// request that carries it).
	recorded bool
}

// item is one id a bulk request carries, for the row it comes from.
type item struct {
	id     string
	remove bool // a membership removal (else an addition)
	br     *bulkRow
}

// bulk reads each row, does what rows that cannot share a request need
// (a create), and sends the others' deletes and memberships together.
func (a *applier) bulk(ctx context.Context, rows []*bulkRow) {
	deletes := map[manifest.Op][]item{}
	members := map[string][]item{} // group id → items
	assigns := map[assignment][]item{}
	for _, br := range rows {
		r := &br.row
		l, err := a.look(ctx, r)
		switch {
		case err != nil:
			br.err = err
			continue
		case settled(r, l):
			continue
		case ensures(r.job.Op) && len(l.changes) == 0:
			r.res.Status = report.StatusUnchanged
			continue
		case !decide(a.mode, r.res, l.changes):
			continue
		}
		if br.err = a.recordUndo(r, l); br.err != nil {
			continue
		}
		if l.create {
			br.err = a.create(ctx, r, l)
			continue
		}
		if bulkAssignable(l) {
			br.l, r.sent = l, sentAssign
			r.res.Attempts = 0
			k := assignmentOf(l.access)
			assigns[k] = append(assigns[k], item{br: br})
			continue
		}
		if accessOp(r.job.Op) { // one by one: removals, directory accounts, tenant roles
			br.err = a.writeAccessRow(ctx, r, l)
			continue
		}
		br.l = l
		r.res.Attempts = 0 // attempts count the writes, not the reads before them
		if r.job.Op.Deletes() {
			r.sent = sentDelete
			deletes[r.job.Op] = append(deletes[r.job.Op], item{id: l.target, br: br})
			continue
		}
		r.sent = sentMembers
		n := 0
		member, groups, known := l.user.ID, l.user.GroupIDs, l.userKnown
		if l.robot.ID != "" {
			member, groups, known = l.robot.ID, l.robot.GroupIDs, l.robotKnown
		}
		for _, id := range l.job.GroupsToAdd {
			if !known || !hasGroup(groups, id) {
				members[id] = append(members[id], item{id: member, br: br})
				n++
			}
		}
		for _, id := range l.job.GroupsToRemove {
			if !known || hasGroup(groups, id) {
				members[id] = append(members[id], item{id: member, remove: true, br: br})
				n++
			}
		}
		if n == 0 {
			r.res.Status = report.StatusUnchanged
		}
	}
	for _, op := range slices.Sorted(func(yield func(manifest.Op) bool) {
		for op := range deletes {
			if !yield(op) {
				return
			}
		}
	}) {
		a.sendDeletes(ctx, op, deletes[op])
	}
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range members {
			if !yield(id) {
				return
			}
		}
	}) {
		g := a.resolver.GroupOf(id)
		readAt := a.resolver.GroupsReadAt()
		// The PUT carries the group's name: checked fresh before it
		// leaves (see freshGroup), and the name read then sent after.
		verify := func(ctx context.Context) error {
			err := a.retry(ctx, nil, func(ctx context.Context) error { return a.freshGroup(ctx, &g, readAt) })
			if err == nil {
				readAt = time.Now()
			}
			return err
		}
		a.sendSplit(ctx, members[id], verify, func(ctx context.Context, items []item, before BeforeSend) error {
			var add, remove []string
			for _, it := range items {
				if it.remove {
					remove = append(remove, it.id)
				} else {
					add = append(add, it.id)
				}
			}
			return a.writer.UpdateGroupMembers(ctx, g, add, remove, before)
		}, nil)
	}
	if len(assigns) > 0 {
		if err := a.sendAssignments(ctx, assigns); err != nil {
			for _, items := range assigns {
				fail(items, err)
			}
		}
	}
	for _, br := range rows {
		if br.err == nil && br.res.Status == "" && br.sent != "" {
			br.res.Status = report.StatusSucceeded
		}
	}
}

func hasGroup(groups []string, id string) bool {
	return slices.ContainsFunc(groups, func(g string) bool { return strings.EqualFold(g, id) })
}

// sendDeletes deletes the items' accounts or groups in bulk requests. A
// delete request is resent after a lost answer, and the server then
// refuses ids it has already deleted: a refusal after more than one
// attempt is settled by reading which targets are gone.
func (a *applier) sendDeletes(ctx context.Context, op manifest.Op, items []item) {
	send := func(ctx context.Context, items []item, before BeforeSend) error {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.id
		}
		switch op {
		case manifest.OpDeleteUser:
			return a.writer.DeleteUsers(ctx, ids, before)
		case manifest.OpDeleteRobotAccount:
			return a.writer.DeleteRobots(ctx, ids, before)
		}
		a.noteGroupDeletes(ids)
		return a.writer.DeleteGroups(ctx, ids, before)
	}
	settle := func(ctx context.Context, items []item) ([]item, error) {
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.id
		}
		there, err := a.stillThere(ctx, op, ids)
		if err != nil {
			return nil, err
		}
		var left []item
		for _, it := range items {
			if there[strings.ToLower(it.id)] {
				left = append(left, it)
			} else {
				it.br.res.Status = report.StatusSucceeded
			}
		}
		return left, nil
	}
	a.sendSplit(ctx, items, nil, send, settle)
	if op == manifest.OpDeleteGroup && len(items) > 1 {
		a.checkOtherGroups(ctx) // once the batch's bulk deletes are done
	}
}

// bulkSend sends one request carrying items through the Writer, with
// before as its before-send hook.
type bulkSend func(ctx context.Context, items []item, before BeforeSend) error

// sendSplit sends items in one request. When the request fails, settle
// (if any) first reads which items' changes landed anyway; then an error
// that names one item's position is that item's, and the others are sent
// again; an error naming none splits the request in two, down to single
// items, whose error is their row's. verify, when set, runs right before
// each request leaves (see sendBulk).
func (a *applier) sendSplit(ctx context.Context, items []item, verify func(context.Context) error, send bulkSend,
	settle func(context.Context, []item) ([]item, error)) {
	items = slices.DeleteFunc(slices.Clone(items), func(it item) bool { return it.br.err != nil })
	if len(items) == 0 {
		return
	}
	if limit := int(a.bulkLimit.Load()); limit > 0 && len(items) > limit {
		// The server said how many one request may carry.
		for chunk := range slices.Chunk(items, limit) {
			a.sendSplit(ctx, chunk, verify, send, settle)
		}
		return
	}
	attempts, err := a.sendBulk(ctx, items, verify, send)
	if limit, ok := client.BulkLimit(err); ok && limit < len(items) {
		a.bulkLimit.Store(int64(limit))
		a.sendSplit(ctx, items, verify, send, settle)
		return
	}
	if err == nil {
		return
	}
	var notSent *rowFailure
	if errors.As(err, &notSent) && (notSent.code == report.CodeCancelled || notSent.code == report.CodeJournal) {
		fail(items, err)
		return
	}
	if settle != nil && (attempts > 1 || worker.IsOutcomeUnknown(err) || isNotFound(err)) {
		left, serr := settle(ctx, items)
		if serr != nil {
			fail(items, outcomeUnknown(err))
			return
		}
		if len(left) < len(items) {
			a.sendSplit(ctx, left, verify, send, nil)
			return
		}
	}
	switch {
	case worker.IsOutcomeUnknown(err) || worker.IsRetryable(err) || ctx.Err() != nil:
		fail(items, err) // the retries are spent, or the run is stopping
	case len(items) == 1:
		fail(items, err)
	default:
		if i, ok := namedPosition(err, len(items)); ok && !errors.Is(err, client.ErrBulkTooLarge) {
			items[i].br.err = err
			a.sendSplit(ctx, append(items[:i:i], items[i+1:]...), verify, send, settle)
			return
		}
		half := len(items) / 2
		a.sendSplit(ctx, items[:half], verify, send, settle)
		a.sendSplit(ctx, items[half:], verify, send, settle)
	}
}

// fail gives err to every item's row that has no error yet.
func fail(items []item, err error) {
	for _, it := range items {
		if it.br.err == nil {
			it.br.err = err
		}
	}
}

// sendBulk sends one bulk request under the retry policy. Right before it
// leaves (once it has its budget slot), verify (when set) checks what it
// carries is fresh, then the intents of the rows it carries are recorded
// with one sync: a resumed run settles those rows by reading. A request
// whose carried state changed (errStale) is built and sent again. Each row
// counts the request's attempts.
func (a *applier) sendBulk(ctx context.Context, items []item, verify func(context.Context) error, send bulkSend) (int, error) {
	for try := 1; ; try++ {
		n, err := a.sendBulkOnce(ctx, items, verify, send)
		if !errors.Is(err, errStale) || try >= staleTries {
			return n, keptChanging(err)
		}
	}
}

// sendBulkOnce is one try of sendBulk.
func (a *applier) sendBulkOnce(ctx context.Context, items []item, verify func(context.Context) error, send bulkSend) (int, error) {
	var notSent error
	leaving := false
	hook := &sendHook{fn: func() error {
		leaving = true
		if verify != nil {
			if notSent = verify(ctx); notSent != nil {
				return notSent
			}
		}
		notSent = a.recordBulk(items)
		return notSent
	}}
	n, err := worker.Retry(ctx, a.policy, func(ctx context.Context, _ int) error { return send(ctx, items, hook.run) })
	if notSent != nil {
		return 0, notSent
	}
	if err != nil && !leaving && (ctx.Err() != nil || errors.Is(err, worker.ErrStopping)) {
		return 0, failf(report.CodeCancelled, "not sent: the run stopped while the row waited to send it: %v", stopCause(ctx, err))
	}
	seen := map[*bulkRow]bool{}
	for _, it := range items {
		if !seen[it.br] {
			seen[it.br] = true
			it.br.res.Attempts += n
		}
	}
	return n, err
}

// recordBulk records the intents of the rows of a bulk request not yet
// recorded, with one sync.
func (a *applier) recordBulk(items []item) error {
	if a.opts.Journal == nil {
		return nil
	}
	var ins []journal.Intent
	for _, it := range items {
		if !it.br.recorded {
			it.br.recorded = true
			ins = append(ins, a.intent(&it.br.row))
		}
	}
	if err := a.opts.Journal.Note(ins...); err != nil { // see journalIntent
		return failf(report.CodeJournal, "nothing was sent: %v", err)
	}
	return nil
}

// positionInField finds "[3]" in a field error's key ("userIds[3]").
var positionInField = regexp.MustCompile(`\[(\d+)\]`)

// namedPosition returns the position of the one id a refusal names, if it
// names exactly one within n.
func namedPosition(err error, n int) (int, bool) {
	f := asFailure(err)
	if f == nil {
		return 0, false
	}
	found := -1
	for key := range f.FieldErrors() {
		m := positionInField.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		i, perr := strconv.Atoi(m[1])
		if perr != nil || i >= n || (found >= 0 && found != i) {
			return 0, false
		}
		found = i
	}
	return found, found >= 0
}

// stillThere reads which of ids (accounts or groups of op's kind) exist:
// one read per id for a few, one pass over the list for more.
func (a *applier) stillThere(ctx context.Context, op manifest.Op, ids []string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[strings.ToLower(id)] = true
	}
	there := map[string]bool{}
	mark := func(id string) {
		if id = strings.ToLower(id); want[id] {
			there[id] = true
		}
	}
	read := func(ctx context.Context) error {
		clear(there)
		switch {
		case op == manifest.OpDeleteGroup:
			gs, err := a.reader.ListGroups(ctx)
			for _, g := range gs {
				mark(g.ID)
			}
			return err
		case len(ids) <= IndexThreshold:
			for _, id := range ids {
				found, err := a.lookup(ctx, op, id, "")
				if err != nil {
					return err
				}
				if found {
					mark(id)
				}
			}
			return nil
		case op == manifest.OpDeleteUser:
			return a.reader.EachUser(ctx, func(u User) error { mark(u.ID); return nil })
		}
		return a.reader.EachRobot(ctx, func(r Robot) error { mark(r.ID); return nil })
	}
	if err := a.retry(ctx, nil, read); err != nil {
		return nil, fmt.Errorf("read which deletes landed: %w", err)
	}
	return there, nil
}
