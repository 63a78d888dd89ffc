package apply

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// accessLook is what reading an access row found.
type accessLook struct {
	folder Folder
	// account is the target's Orchestrator user; known false when
	// Orchestrator does not list it yet (directory names it then).
	account   OrchestratorAccount
	known     bool
	directory DirectoryAccount
	// had and want are the roles held (assigned) before and after the
	// row, in the folder or for the tenant; roleIDs are want's ids.
	had, want []string
	roleIDs   []int64
	// create lists the folders an ensure_folder creates, parents first.
	create []string
	// unattended is the change of update_unattended_robot.
	unattended UnattendedUpdate
}

// lookEnsureFolder finds the folder and the ancestors the row creates.
func (rd *reading) lookEnsureFolder(ctx context.Context, r *row) (look, error) {
	if err := rd.loadAccess(ctx, r); err != nil {
		return look{}, err
	}
	var missing []string
	segs := manifest.FolderSegments(r.job.Target.Value)
	for i := range segs {
		path := strings.Join(segs[:i+1], manifest.FolderSeparator)
		if _, found, planned := rd.access.folder(path); !found && !planned {
			missing = append(missing, path)
		}
	}
	l := look{job: r.job, access: &accessLook{create: missing}}
	if len(missing) == 0 {
		return l, nil
	}
	parts := make([]string, len(missing))
	for i, p := range missing {
		parts[i] = "+" + p
		if rd.plan {
			rd.access.addFolder(Folder{Path: p}, true) // later phases see it
		}
	}
	l.changes = []report.Change{{Field: "folders", New: strings.Join(parts, " ")}}
	return l, nil
}

// loadAccess reads the folders, roles and Orchestrator accounts once.
func (rd *reading) loadAccess(ctx context.Context, r *row) error {
	return rd.retry(ctx, r.res, rd.access.load)
}

// lookAccess reads a set_folder_access, remove_folder_access or
// set_tenant_roles row: the folder, the account, and its roles.
func (rd *reading) lookAccess(ctx context.Context, r *row) (look, error) {
	if err := rd.loadAccess(ctx, r); err != nil {
		return look{}, err
	}
	job := r.job
	al := &accessLook{}
	inFolder := job.Op.FolderScoped()
	if inFolder {
		f, found, planned := rd.access.folder(job.Folder)
		if !found && !planned {
			return look{}, rd.access.unknownFolder(job.Folder)
		}
		al.folder = f
		if planned {
			al.folder.Path = job.Folder
		}
	}
	if err := rd.findAccount(ctx, r, al); err != nil {
		return look{}, err
	}
	var inherited []string
	switch {
	case !al.known:
	case inFolder && al.folder.ID != 0:
		var m FolderMember
		err := rd.retry(ctx, r.res, func(ctx context.Context) error {
			var err error
			m, err = rd.access.member(ctx, al.folder.ID, al.account.ID)
			return err
		})
		if err != nil {
			return look{}, err
		}
		al.had, inherited = m.Assigned, m.Inherited
	case !inFolder:
		al.had = al.account.TenantRoles
	}
	if job.Op == manifest.OpRemoveFolderAccess {
		l := look{job: job, access: al}
		if len(al.had) > 0 {
			l.changes = []report.Change{{Field: accessField(job), Old: strings.Join(al.had, ", "), New: "removed from the folder"}}
		} else if len(inherited) > 0 {
			l.note = "assigned in no role here; inherited, not written: " + strings.Join(inherited, ", ")
		}
		return l, nil
	}
	for _, names := range [][]string{job.Roles, job.RolesToAdd, job.RolesToRemove} {
		if _, err := rd.access.roleIDs(names, inFolder); err != nil {
			return look{}, err
		}
	}
	al.want = wantRoles(al.had, job, rd.access.roleName)
	ids, err := rd.access.roleIDs(al.want, inFolder)
	if err != nil {
		return look{}, err
	}
	al.roleIDs = ids
	l := look{job: job, access: al}
	if c, ok := roleChange(accessField(job), al.had, al.want, inherited); ok {
		l.changes = []report.Change{c}
	} else if len(inherited) > 0 {
		l.note = "inherited, not written: " + strings.Join(inherited, ", ")
	}
	return l, nil
}

// accessField names what an access row changes: the roles in a folder,
// or the tenant's.
func accessField(job *manifest.Job) string {
	if job.Op.FolderScoped() {
		return "roles in " + job.Folder
	}
	return "tenant roles"
}

// wantRoles is the set of roles the row leaves: its exact set, or the
// roles held with its additions and without its removals (the tenant's
// spelling, compared case-insensitively).
func wantRoles(had []string, job *manifest.Job, name func(string) string) []string {
	var want []string
	add := func(n string) {
		n = name(n)
		if !slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, n) }) {
			want = append(want, n)
		}
	}
	if job.Roles != nil {
		for _, n := range job.Roles {
			add(n)
		}
		return want
	}
	for _, n := range had {
		if !slices.ContainsFunc(job.RolesToRemove, func(rm string) bool { return strings.EqualFold(rm, n) }) {
			add(n)
		}
	}
	for _, n := range job.RolesToAdd {
		add(n)
	}
	return want
}

// roleChange renders the difference "+Automation User −Folder
// Administrator" (and the inherited roles, which are not written).
func roleChange(field string, had, want, inherited []string) (report.Change, bool) {
	var parts []string
	holds := func(set []string, n string) bool {
		return slices.ContainsFunc(set, func(s string) bool { return strings.EqualFold(s, n) })
	}
	for _, n := range want {
		if !holds(had, n) {
			parts = append(parts, "+"+n)
		}
	}
	for _, n := range had {
		if !holds(want, n) {
			parts = append(parts, "−"+n)
		}
	}
	if len(parts) == 0 {
		return report.Change{}, false
	}
	if len(inherited) > 0 {
		parts = append(parts, "(inherited, not written: "+strings.Join(inherited, ", ")+")")
	}
	return report.Change{Field: field, New: strings.Join(parts, " ")}, true
}

// findAccount finds the row's account in Orchestrator, or else in the
// organization (it is then given access as a directory account).
func (rd *reading) findAccount(ctx context.Context, r *row, al *accessLook) error {
	t := r.job.Target
	if a, ok := rd.access.account(t); ok {
		al.account, al.known = a, true
		return nil
	}
	d := DirectoryAccount{Name: t.Value}
	if rd.plan && rd.access.isPlanned(t) {
		al.directory = d // this plan creates it first
		return nil
	}
	err := rd.retry(ctx, r.res, func(ctx context.Context) error {
		switch t.Kind {
		case manifest.TargetEmail, manifest.TargetUsername:
			u, err := rd.resolver.DirectoryUser(ctx, t)
			d.Class, d.IdentityID, d.Name = accountUser, u.ID, u.UserName
			return err
		case manifest.TargetRobotName:
			rb, err := rd.resolver.DirectoryRobot(ctx, t)
			d.Class, d.IdentityID, d.Name = accountRobot, rb.ID, rb.Name
			return err
		case manifest.TargetGroupName:
			ids, err := rd.groupIDs([]string{t.Value})
			if err == nil {
				d.Class, d.IdentityID, d.Name = accountGroup, ids[0], rd.resolver.GroupName(ids[0])
			}
			return err
		}
		return failf(report.CodeValidation, "%s names no account Orchestrator access is given to", t)
	})
	if err != nil {
		return err
	}
	al.directory = d
	return nil
}

// lookUnattended reads an update_unattended_robot row: the robot's
// settings now, and those the row changes.
func (rd *reading) lookUnattended(ctx context.Context, r *row) (look, error) {
	job := r.job
	upd := UnattendedUpdate{UserName: job.RobotUsername, CredentialType: job.CredentialType,
		ExecutionSettings: job.ExecutionSettings, LimitConcurrentExecution: job.LimitConcurrentExecution}
	o, err := rd.robotUser(ctx, r, false) // one without a robot is given one
	if isNotFound(err) && job.Target.Kind != manifest.TargetOrchestratorUserID {
		// Orchestrator does not list the account yet: its user is made
		// with the robot (see updateUnattended).
		al := &accessLook{unattended: upd}
		if lerr := rd.loadAccess(ctx, r); lerr != nil {
			return look{}, lerr
		}
		if ferr := rd.findAccount(ctx, r, al); ferr != nil {
			return look{}, err
		}
		if !al.known {
			return look{job: job, access: al, changes: unattendedChanges(upd, OrchestratorUser{})}, nil
		}
		err = rd.retry(ctx, r.res, func(ctx context.Context) error {
			var gerr error
			o, gerr = rd.reader.GetOrchestratorUser(ctx, al.account.ID)
			return gerr
		})
	}
	if err != nil {
		return look{}, err
	}
	return look{job: job, orch: o, access: &accessLook{unattended: upd}, changes: unattendedChanges(upd, o)}, nil
}

// unattendedChanges lists what upd changes of o's robot (every field it
// sets when o's robot was not read).
func unattendedChanges(upd UnattendedUpdate, o OrchestratorUser) []report.Change {
	var cs []report.Change
	var cur struct {
		user, cred, settings string
		limit                bool
	}
	known := o.read != nil && o.read.UnattendedRobot != nil
	if known {
		rb := o.read.UnattendedRobot
		cur.user, cur.cred, cur.limit = rb.UserName, rb.CredentialType, rb.LimitConcurrentExecution
		if rb.ExecutionSettings != nil {
			b, _ := json.Marshal(rb.ExecutionSettings)
			cur.settings = string(b)
		}
	}
	if v := upd.UserName; v != nil && (!known || !strings.EqualFold(*v, cur.user)) {
		cs = append(cs, report.Change{Field: "robot_username", Old: quote(cur.user), New: quote(*v)})
	}
	if v := upd.CredentialType; v != nil && (!known || !strings.EqualFold(*v, cur.cred)) {
		cs = append(cs, report.Change{Field: "credential_type", Old: cur.cred, New: *v})
	}
	if v := upd.ExecutionSettings; v != nil && (!known || !sameJSON(v, []byte(cur.settings))) {
		cs = append(cs, report.Change{Field: "execution_settings", Old: cur.settings, New: string(v)})
	}
	if v := upd.LimitConcurrentExecution; v != nil && (!known || *v != cur.limit) {
		cs = append(cs, report.Change{Field: "limit_concurrent_execution", Old: strconv.FormatBool(cur.limit), New: strconv.FormatBool(*v)})
	}
	if !known {
		for i := range cs {
			cs[i].Old = ""
		}
	}
	return cs
}

// sameJSON reports whether two JSON objects hold the same values.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// accessOp reports whether op is one of Orchestrator access's.
func accessOp(op manifest.Op) bool {
	return op.Access() || op == manifest.OpEnsureFolder || op == manifest.OpUpdateUnattendedRobot
}

// writeAccessRow writes one access row on its own.
func (a *applier) writeAccessRow(ctx context.Context, r *row, l look) error {
	switch r.job.Op {
	case manifest.OpEnsureFolder:
		return a.ensureFolder(ctx, r, l)
	case manifest.OpUpdateUnattendedRobot:
		return a.updateUnattended(ctx, r, l)
	}
	return a.writeAccess(ctx, r, l)
}

// accessWriter is the applier's Writer as an AccessWriter.
func (a *applier) accessWriter() (AccessWriter, error) {
	w, ok := a.writer.(AccessWriter)
	if !ok {
		return nil, failf(report.CodeValidation, "this run cannot change Orchestrator access")
	}
	return w, nil
}

// ensureFolder creates the folders l lists, parents first. A folder
// another row (or administrator) made meanwhile is not made twice: a
// refused or unanswered create reads the folders again.
func (a *applier) ensureFolder(ctx context.Context, r *row, l look) error {
	w, err := a.accessWriter()
	if err != nil {
		return err
	}
	for _, path := range l.access.create {
		if err := a.createFolder(ctx, r, w, path); err != nil {
			return err
		}
	}
	if r.res.Status == "" { // another row made every one first
		r.res.Status = report.StatusUnchanged
	}
	return nil
}

func (a *applier) createFolder(ctx context.Context, r *row, w AccessWriter, path string) error {
	d := a.access
	d.folderLock.Lock()
	defer d.folderLock.Unlock()
	ctx = worker.KeepWorker(ctx) // other rows wait for the lock (see worker.KeepWorker)
	if _, found, _ := d.folder(path); found {
		return nil
	}
	var parentID *int64
	if parent := manifest.FolderParent(path); parent != "" {
		p, found, _ := d.folder(parent)
		if !found {
			return failf(report.CodeNotFound, "folder %q: its parent %q is not there (nothing was sent)", path, parent)
		}
		parentID = &p.ID
	}
	segs := manifest.FolderSegments(path)
	name := segs[len(segs)-1]
	var made Folder
	err := a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
		var err error
		made, err = w.CreateFolder(ctx, name, parentID, before)
		return err
	})
	if err != nil {
		// A duplicate, or an answer lost: the folder may be there now.
		if rerr := a.retry(ctx, nil, d.refreshFolders); rerr == nil {
			if _, found, _ := d.folder(path); found {
				r.res.Status = report.StatusSucceeded
				return nil
			}
		}
		return err
	}
	if made.Path == "" {
		made.Path = path
	}
	d.addFolder(made, false)
	return nil
}

// writeAccess makes an access row's change: the roles in a folder (or
// out of it), or the tenant roles. An account Orchestrator does not list
// yet is given its access as a directory account, which makes its
// Orchestrator user.
func (a *applier) writeAccess(ctx context.Context, r *row, l look) error {
	w, err := a.accessWriter()
	if err != nil {
		return err
	}
	al, job := l.access, l.job
	lock := a.access.lockAccount(job.Target)
	defer lock.Unlock()
	ctx = worker.KeepWorker(ctx) // the account's other rows wait for the lock
	if !al.known {               // another row of this account may have made it since
		if acc, ok := a.access.account(job.Target); ok {
			al.account, al.known = acc, true
		}
	}
	folderID := al.folder.ID
	if job.Op.FolderScoped() && folderID == 0 {
		f, found, _ := a.access.folder(job.Folder)
		if !found {
			return a.access.unknownFolder(job.Folder)
		}
		folderID = f.ID
	}
	switch {
	case job.Op == manifest.OpRemoveFolderAccess || (job.Op.FolderScoped() && len(al.want) == 0):
		err = a.replaceWrite(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.RemoveFromFolder(ctx, folderID, al.account.ID, before)
		})
	case !al.known && job.Op.FolderScoped():
		err = a.replaceWrite(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.AssignDirectoryAccount(ctx, al.directory, folderID, al.roleIDs, before)
		})
		if err == nil {
			// Its Orchestrator user is made; its id is read only if a
			// later row needs it (tenant roles, a robot): its other
			// folders go by Identity id too.
			a.access.madeDirectory(job.Target)
		}
	case job.Op.FolderScoped():
		err = a.replaceWrite(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.AssignFolderRoles(ctx, []int64{al.account.ID}, folderID, al.roleIDs, before)
		})
	case !al.known && a.access.wasMade(job.Target): // made by this run's folder access
		if err = a.learnAccount(ctx, r, al); err == nil {
			err = a.replaceWrite(ctx, r, func(ctx context.Context, before BeforeSend) error {
				return w.SetTenantRoles(ctx, al.account.ID, al.roleIDs, before)
			})
		}
	case !al.known: // tenant roles of an account Orchestrator does not list: its user is made with them
		return a.createOrchestratorUser(ctx, r, w, al, al.want, nil)
	default: // tenant roles
		err = a.replaceWrite(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.SetTenantRoles(ctx, al.account.ID, al.roleIDs, before)
		})
	}
	if err == nil && job.Op.FolderScoped() && al.known {
		a.access.setMember(folderID, FolderMember{UserID: al.account.ID, Assigned: al.want})
	}
	return err
}

// replaceWrite sends an assignment: the service replaces the roles it
// names, so a request whose answer was lost is sent again (the same state
// either way), within the row's attempts.
func (a *applier) replaceWrite(ctx context.Context, r *row, send sendFunc) error {
	err := a.write(ctx, r, send)
	for err != nil && worker.IsOutcomeUnknown(err) && r.res.Attempts < max(a.opts.Retry.MaxAttempts, 1) {
		if err = a.retry(ctx, r.res, resend(send)); err == nil {
			r.res.Status = report.StatusSucceeded
		}
	}
	return err
}

// createOrchestratorUser makes the Orchestrator user of an account
// Orchestrator does not list, with tenant roles and an unattended robot
// (either may be none). A create is not idempotent: one whose answer was
// lost (or refused as a duplicate after such a loss) is settled by
// finding the user — found, it landed as sent — and sent again only when
// it is not there.
func (a *applier) createOrchestratorUser(ctx context.Context, r *row, w AccessWriter, al *accessLook, roles []string, robot *UnattendedUpdate) error {
	var made OrchestratorAccount
	r.sent = sentCreate
	send := func(ctx context.Context, before BeforeSend) error {
		var err error
		made, err = w.CreateOrchestratorUser(ctx, al.directory, roles, robot, before)
		return err
	}
	err := a.write(ctx, r, send)
	for err != nil && (worker.IsOutcomeUnknown(err) || (isConflict(err) && r.res.Attempts > 1)) {
		lerr := a.learnAccount(ctx, r, al)
		switch {
		case lerr == nil:
			r.res.Status = report.StatusSucceeded
			return nil
		case !isNotFound(lerr), r.res.Attempts >= max(a.opts.Retry.MaxAttempts, 1):
			return outcomeUnknown(err)
		}
		if err = a.retry(ctx, r.res, resend(send)); err == nil {
			r.res.Status = report.StatusSucceeded
		}
	}
	if err != nil {
		return err
	}
	if made.UserName == "" {
		made.UserName = al.directory.Name
	}
	al.account, al.known = made, true
	a.access.remember(r.job.Target, made)
	return nil
}

// learnAccount finds the Orchestrator user a directory assignment made,
// for the account's later rows.
func (a *applier) learnAccount(ctx context.Context, r *row, al *accessLook) error {
	var o OrchestratorUser
	err := a.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		o, err = a.reader.FindOrchestratorUser(ctx, al.directory.Name)
		return err
	})
	if err != nil {
		return fmt.Errorf("find the Orchestrator user made for %s: %w", al.directory.Name, err)
	}
	al.account = OrchestratorAccount{ID: o.Key, UserName: o.UserName, Class: al.directory.Class}
	al.known = true
	a.access.remember(r.job.Target, al.account)
	return nil
}

// updateUnattended sends the robot's settings whole with the row's
// changes, read again first when too old (as setRobotCredentials does).
func (a *applier) updateUnattended(ctx context.Context, r *row, l look) error {
	w, err := a.accessWriter()
	if err != nil {
		return err
	}
	if l.orch.Key == 0 && !l.access.known { // an account Orchestrator does not list yet
		lock := a.access.lockAccount(r.job.Target)
		defer lock.Unlock()
		ctx = worker.KeepWorker(ctx) // the account's other rows wait for the lock
		acc, ok := a.access.account(r.job.Target)
		switch {
		case !ok && a.access.wasMade(r.job.Target): // made by this run's folder access
			if err := a.learnAccount(ctx, r, l.access); err != nil {
				return err
			}
			acc = l.access.account
		case !ok:
			return a.createOrchestratorUser(ctx, r, w, l.access, nil, &l.access.unattended)
		}
		err := a.retry(ctx, r.res, func(ctx context.Context) error { // made meanwhile by another row
			var gerr error
			l.orch, gerr = a.reader.GetOrchestratorUser(ctx, acc.ID)
			return gerr
		})
		if err != nil {
			return err
		}
	}
	o := l.orch
	r.verify = func(ctx context.Context) error {
		return a.retry(ctx, nil, func(ctx context.Context) error { return a.freshOrchestratorUser(ctx, &o) })
	}
	defer func() { r.verify = nil }()
	for try := 1; ; try++ {
		sent := o
		err := a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.UpdateUnattended(ctx, sent, l.access.unattended, before)
		})
		if !errors.Is(err, errStale) || try >= staleTries {
			return keptChanging(err)
		}
	}
}

// sentAssign marks a row whose folder roles go out in a bulk assignment:
// an assignment replaces, so a resumed run sends it again.
const sentAssign = "assign"

// bulkAssignable reports whether a row's access goes out in a bulk
// assignment: roles in a folder, for an account Orchestrator lists.
func bulkAssignable(l look) bool {
	al := l.access
	return l.job.Op == manifest.OpSetFolderAccess && al != nil && al.known && al.folder.ID != 0 && len(al.want) > 0
}

// assignment names the request a bulk-assignable row shares: the folder
// and the exact roles (users given the same roles in one folder go in one
// AssignUsers request).
type assignment struct {
	folderID int64
	roles    string
}

func assignmentOf(al *accessLook) assignment {
	ids := slices.Clone(al.roleIDs)
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return assignment{al.folder.ID, strings.Join(parts, ",")}
}

// sendAssignments sends each assignment's rows in AssignUsers requests of
// up to the bulk size (sendSplit splits a refused one until each row has
// its own answer). A request whose answer was lost is sent again: it
// replaces, so the state is the same either way.
func (a *applier) sendAssignments(ctx context.Context, assigns map[assignment][]item) error {
	w, err := a.accessWriter()
	if err != nil {
		return err
	}
	keys := slices.SortedFunc(maps.Keys(assigns), func(x, y assignment) int {
		return cmp.Or(cmp.Compare(x.folderID, y.folderID), strings.Compare(x.roles, y.roles))
	})
	for _, k := range keys {
		items := assigns[k]
		roleIDs := items[0].br.l.access.roleIDs
		a.sendSplit(ctx, items, nil, func(ctx context.Context, items []item, before BeforeSend) error {
			ids := make([]int64, len(items))
			for i, it := range items {
				ids[i] = it.br.l.access.account.ID
			}
			err := w.AssignFolderRoles(ctx, ids, k.folderID, roleIDs, before)
			for try := 1; err != nil && worker.IsOutcomeUnknown(err) && try < max(a.opts.Retry.MaxAttempts, 1); try++ {
				err = w.AssignFolderRoles(ctx, ids, k.folderID, roleIDs, nil)
			}
			return err
		}, nil)
		for _, it := range items {
			if it.br.err == nil {
				al := it.br.l.access
				a.access.setMember(al.folder.ID, FolderMember{UserID: al.account.ID, Assigned: al.want})
			}
		}
	}
	return nil
}
