package apply

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/worker"
)

// Asset is an Orchestrator credential or secret asset, as the client read
// it whole (a write sends it back whole: PUT replaces the object).
type Asset struct {
	ID, FolderID int64
	Name         string
	ReadAt       time.Time
	read         *client.Asset
}

// AssetValue names the value of an asset a row sets: the asset's own
// (zero), a robot's or a user's.
type AssetValue struct {
	RobotID, UserID int64
	// For is the robot's or user's name, for messages ("" for the own
	// value).
	For string
}

// AssetReader reads a folder's assets, and one asset again.
type AssetReader interface {
	FolderAssets(ctx context.Context, folderID int64) ([]Asset, error)
	GetAsset(ctx context.Context, folderID, id int64) (Asset, error)
}

// AssetWriter sets an asset value's credential (user name kept when
// userName is "") or secret, sending the asset whole as a read it.
type AssetWriter interface {
	AssetReader
	SetAssetCredential(ctx context.Context, a Asset, v AssetValue, userName string, password secret.Value, before BeforeSend) error
}

// assetLook is what reading a set_credential_asset row found.
type assetLook struct {
	asset Asset
	value AssetValue
}

// folderAssets caches each folder's assets, read once, and serializes
// the writes of one asset: each sends the asset whole, so a row writing
// one robot's value after another row wrote another's reads it again
// first, not to undo that row's change.
type folderAssets struct {
	mu     sync.Mutex
	by     map[int64]*assetList
	writes map[int64]*assetWrites
}

// assetWrites serializes the writes of one asset; last is the asset as
// the last write of the run left it (nil: not written yet).
type assetWrites struct {
	mu   sync.Mutex
	last *Asset
}

// lockAsset locks the writes of the asset with id; the caller unlocks.
func (fa *folderAssets) lockAsset(id int64) *assetWrites {
	fa.mu.Lock()
	if fa.writes == nil {
		fa.writes = map[int64]*assetWrites{}
	}
	w := fa.writes[id]
	if w == nil {
		w = &assetWrites{}
		fa.writes[id] = w
	}
	fa.mu.Unlock()
	w.mu.Lock()
	return w
}

type assetList struct {
	once   sync.Once
	err    error
	assets []Asset
}

// list reads a folder's assets the first time a row needs them.
func (fa *folderAssets) list(ctx context.Context, r AssetReader, folderID int64) ([]Asset, error) {
	fa.mu.Lock()
	if fa.by == nil {
		fa.by = map[int64]*assetList{}
	}
	l := fa.by[folderID]
	if l == nil {
		l = &assetList{}
		fa.by[folderID] = l
	}
	fa.mu.Unlock()
	// Rows of this folder wait for the read: it keeps its worker.
	l.once.Do(func() { l.assets, l.err = r.FolderAssets(worker.KeepWorker(ctx), folderID) })
	if l.err != nil {
		fa.mu.Lock()
		delete(fa.by, folderID) // the next row reads it again
		fa.mu.Unlock()
		return nil, l.err
	}
	return l.assets, nil
}

// lookAsset reads a set_credential_asset row: the folder, the asset, the
// value it sets, and whether Orchestrator can take it.
func (rd *reading) lookAsset(ctx context.Context, r *row) (look, error) {
	ar, ok := rd.reader.(AssetReader)
	if !ok {
		return look{}, failf(report.CodeValidation, "this run cannot read Orchestrator assets")
	}
	if err := rd.loadAccess(ctx, r); err != nil {
		return look{}, err
	}
	job := r.job
	f, found, _ := rd.access.folder(job.Folder)
	if !found {
		return look{}, rd.access.unknownFolder(job.Folder)
	}
	var assets []Asset
	err := rd.retry(ctx, r.res, func(ctx context.Context) error {
		var err error
		assets, err = rd.assets.list(ctx, ar, f.ID)
		return err
	})
	if err != nil {
		return look{}, err
	}
	i := slices.IndexFunc(assets, func(a Asset) bool { return strings.EqualFold(a.Name, job.Target.Value) })
	if i < 0 {
		names := make([]string, len(assets))
		for j, a := range assets {
			names[j] = a.Name
		}
		return look{}, failf(report.CodeNotFound, "asset %q: no such asset in folder %s%s", job.Target.Value, f.Path, nearest(job.Target.Value, names))
	}
	a := assets[i]
	v, kind, user, store, external, err := assetValue(a, job.ValueFor)
	if err != nil {
		return look{}, err
	}
	where := fmt.Sprintf("asset %s in %s", a.Name, f.Path)
	if v.For != "" {
		where += " (value of " + v.For + ")"
	}
	switch {
	case kind == "":
		return look{}, failf(report.CodeValidation, "%s holds no password or secret (nothing was sent)", where)
	case external != "":
		return look{}, failf(report.CodeValidation, "%s lives in an external credential store (as %q): rotate it there (nothing was sent)", where, external)
	case kind == "secret" && job.CredentialUsername != nil:
		return look{}, failf(report.CodeValidation, "%s is a secret asset: it has no credential_username", where)
	}
	if store != nil {
		st, found, err := rd.resolver.CredentialStore(ctx, *store)
		switch {
		case err != nil:
			return look{}, err
		case found && st.ReadOnly:
			return look{}, failf(report.CodeValidation, "%s is kept in the read-only credential store %q (%s): rotate it there (nothing was sent)", where, st.Name, st.Type)
		}
	}
	var cs []report.Change
	if job.CredentialUsername != nil && !strings.EqualFold(*job.CredentialUsername, user) {
		cs = append(cs, report.Change{Field: "credential_username", Old: quote(user), New: quote(*job.CredentialUsername)})
	}
	cs = append(cs, report.Change{Field: kind + " (" + where + ")", Old: secret.Redacted, New: secret.Redacted})
	return look{job: job, changes: cs, asset: &assetLook{asset: a, value: v}}, nil
}

// assetValue finds the value of a that forName names ("" the asset's
// own): what it holds ("credential", "secret" or ""), its user name, its
// store, and its external name when it lives outside Orchestrator.
func assetValue(a Asset, forName string) (v AssetValue, kind, user string, store *int64, external string, err error) {
	c := a.read
	if forName == "" {
		return v, client.CredentialKind(c.ValueType), c.CredentialUsername, c.CredentialStoreID, c.ExternalName, nil
	}
	for _, rv := range c.RobotValues {
		if strings.EqualFold(rv.RobotName, forName) {
			return AssetValue{RobotID: rv.RobotID, For: rv.RobotName}, client.CredentialKind(cmp.Or(rv.ValueType, c.ValueType)), rv.CredentialUsername, rv.CredentialStoreID, rv.ExternalName, nil
		}
	}
	for _, uv := range c.UserValues {
		if strings.EqualFold(uv.UserName, forName) {
			return AssetValue{UserID: uv.UserID, For: uv.UserName}, client.CredentialKind(cmp.Or(uv.ValueType, c.ValueType)), uv.CredentialUsername, uv.CredentialStoreID, uv.ExternalName, nil
		}
	}
	var names []string
	for _, rv := range c.RobotValues {
		names = append(names, rv.RobotName)
	}
	for _, uv := range c.UserValues {
		names = append(names, uv.UserName)
	}
	return v, "", "", nil, "", failf(report.CodeNotFound, "asset %s has no value for %q%s", a.Name, forName, nearest(forName, names))
}

// setAsset sends the asset whole with the row's new credential or
// secret, read again first when older than --max-staleness (another
// administrator's change is not undone); a secret the row generated is
// recorded before it leaves, sealed in the journal, as passwords are.
func (a *applier) setAsset(ctx context.Context, r *row, l look) error {
	w, ok := a.writer.(AssetWriter)
	if !ok {
		return failf(report.CodeValidation, "this run cannot change Orchestrator assets")
	}
	pw, err := a.secretFor(ctx, r, "new_password", r.job.NewPassword)
	if err != nil {
		return err
	}
	user := ""
	if r.job.CredentialUsername != nil {
		user = *r.job.CredentialUsername
	}
	asset, v := l.asset.asset, l.asset.value
	lock := a.assets.lockAsset(asset.ID)
	defer lock.mu.Unlock()
	ctx = worker.KeepWorker(ctx) // the asset's other rows wait for the lock
	if lock.last != nil {        // another row of this run wrote it since it was read
		asset = *lock.last
	}
	r.account = fmt.Sprintf("asset %s in %s", asset.Name, r.job.Folder)
	if v.For != "" {
		r.account += " (value of " + v.For + ")"
	}
	r.verify = func(ctx context.Context) error {
		return a.retry(ctx, nil, func(ctx context.Context) error { return a.freshAsset(ctx, w, &asset) })
	}
	defer func() { r.verify = nil }()
	for try := 1; ; try++ {
		sent := asset
		err := a.write(ctx, r, func(ctx context.Context, before BeforeSend) error {
			return w.SetAssetCredential(ctx, sent, v, user, pw, before)
		})
		if err == nil {
			written := withUserName(sent, v, user)
			lock.last = &written
		}
		if !errors.Is(err, errStale) || try >= staleTries {
			return keptChanging(err)
		}
	}
}

// withUserName is a as a write of value v with userName ("": kept) left
// it, for the next row of the run writing it.
func withUserName(a Asset, v AssetValue, userName string) Asset {
	c := *a.read
	c.RobotValues = slices.Clone(c.RobotValues)
	c.UserValues = slices.Clone(c.UserValues)
	if userName != "" {
		switch {
		case v.RobotID != 0:
			for i := range c.RobotValues {
				if c.RobotValues[i].RobotID == v.RobotID {
					c.RobotValues[i].CredentialUsername = userName
				}
			}
		case v.UserID != 0:
			for i := range c.UserValues {
				if c.UserValues[i].UserID == v.UserID {
					c.UserValues[i].CredentialUsername = userName
				}
			}
		default:
			c.CredentialUsername = userName
		}
	}
	a.read = &c
	return a
}

// freshAsset reads a again when too old: errStale, with *a read now, when
// anything of it changed since.
func (a *applier) freshAsset(ctx context.Context, r AssetReader, as *Asset) error {
	if !a.stale(as.ReadAt) {
		return nil
	}
	a.fresh.reads.Add(1)
	now, err := r.GetAsset(ctx, as.FolderID, as.ID)
	if err != nil {
		return err
	}
	before, _ := json.Marshal(as.read)
	after, _ := json.Marshal(now.read)
	*as = now
	if string(before) != string(after) {
		return errStale
	}
	return nil
}
