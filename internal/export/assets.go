package export

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
)

// Assets is the kind that exports a rotation manifest for the tenant's
// credential and secret assets whose secret Orchestrator holds.
const Assets Kind = "assets"

// AssetColumns are the columns of export assets: credential_username is
// written empty (the user name kept), for whoever wants to change it too.
var AssetColumns = []string{"op", "folder", "asset_name", "value_for", "credential_username", "new_password"}

// AssetOperations are the client operations export assets reads through
// (OR.Folders.Read, OR.Assets.Read, and OR.Settings.Read when an asset
// names a credential store).
var AssetOperations = []client.Operation{client.OpListFolders, client.OpListAssets, client.OpListCredentialStores}

// AssetReader reads what export assets writes: the folders, each
// folder's assets, and the credential stores.
type AssetReader interface {
	// Folders lists every folder of the tenant.
	Folders(ctx context.Context) ([]client.Folder, error)
	// Assets lists the assets of one folder, with their per-robot and
	// per-user values.
	Assets(ctx context.Context, folderID int64) ([]client.Asset, error)
	// CredentialStores lists the tenant's credential stores.
	CredentialStores(ctx context.Context) ([]client.CredentialStore, error)
}

// ClientAssets is the AssetReader of c; c needs AssetOperations.
func ClientAssets(c *client.Client) AssetReader { return clientAssets{c} }

type clientAssets struct{ c *client.Client }

func (a clientAssets) Folders(ctx context.Context) ([]client.Folder, error) {
	return a.c.Folders().List(ctx)
}

func (a clientAssets) Assets(ctx context.Context, folderID int64) ([]client.Asset, error) {
	return a.c.Assets().List(ctx, folderID)
}

func (a clientAssets) CredentialStores(ctx context.Context) ([]client.CredentialStore, error) {
	return a.c.CredentialStores.List(ctx)
}

// secretTypes are the asset value types whose value is a secret batch
// sets: a credential's password, a secret's value.
var secretTypes = []string{"Credential", "WindowsCredential", "Secret"}

// plainTypes are the asset value types that hold no secret (a connection
// string may carry a password, which batch does not change).
var plainTypes = []string{"Text", "Bool", "Integer", "KeyValueList", "DBConnectionString", "HttpConnectionString"}

// secretType reports whether an asset of value type t holds a secret
// batch sets.
func secretType(t string) bool { return oneOf(secretTypes, t) }

// unknownType reports whether t is a value type this version does not
// know (an integer code, or a name it has not met).
func unknownType(t string) bool { return !oneOf(secretTypes, t) && !oneOf(plainTypes, t) }

func oneOf(names []string, t string) bool {
	return slices.ContainsFunc(names, func(s string) bool { return strings.EqualFold(s, t) })
}

// typeName is a value type as a person reads it: "type code 9" for a code
// this version does not know.
func typeName(t string) string {
	if code, ok := client.UnknownEnum(t); ok {
		return "type code " + code
	}
	return cmp.Or(t, "no type")
}

// Whose value of an asset an assetValue is.
const (
	valueOwn   = "own"
	valueRobot = "robot"
	valueUser  = "user"
)

// assetValue is one secret value of an asset: its own, or a robot's or a
// user's.
type assetValue struct {
	folder string // the folder's path
	asset  string // the asset's name
	// whose is valueOwn, valueRobot or valueUser; valueFor names the
	// robot or user ("" for the asset's own value).
	whose, valueFor string
	valueType       string
	storeID         *int64
	external        string
}

// assetRead is what one read of the tenant's assets found.
type assetRead struct {
	// values are the secret values of the assets read, folder by folder
	// (parents first), asset by asset (by name), the asset's own value
	// first, then the robots', then the users' (by name).
	values []assetValue
	// secretAssets counts the credential and secret assets read, by
	// folder path; others the assets of other value types, by folder
	// path and value type.
	secretAssets map[string]int
	others       map[[2]string]int
	// shared counts the assets met again in another folder (an asset
	// linked into several folders): each is written once, in the first
	// folder by path.
	shared int
	// stores are the credential stores by id, read once when a value
	// names one (nil until then).
	stores map[int64]client.CredentialStore
	// named counts the values by key (assetValue.key).
	named map[string]int
}

// readAssets reads the folders, then the assets of each folder f keeps,
// and the credential stores once if a value names one.
func readAssets(ctx context.Context, r AssetReader, f Filter) (*assetRead, error) {
	folders, err := r.Folders(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the folders%s: %w", scopeHint(err, "OR.Folders.Read"), err)
	}
	paths := make([]accessFolder, 0, len(folders))
	for _, fo := range folders {
		if p := folderPath(fo); f.MatchesFolder(p) {
			paths = append(paths, accessFolder{Folder: fo, path: p})
		}
	}
	slices.SortStableFunc(paths, func(a, b accessFolder) int { return comparePaths(a.path, b.path) })
	rd := &assetRead{secretAssets: map[string]int{}, others: map[[2]string]int{}}
	seen := map[int64]bool{}
	for _, fo := range paths {
		assets, err := r.Assets(ctx, fo.ID)
		if err != nil {
			return nil, fmt.Errorf("read the assets of folder %s%s: %w", fo.path, scopeHint(err, "OR.Assets.Read"), err)
		}
		slices.SortStableFunc(assets, func(a, b client.Asset) int {
			return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Name, b.Name))
		})
		for _, a := range assets {
			if !f.MatchesName(a.Name) {
				continue
			}
			if seen[a.ID] {
				rd.shared++
				continue
			}
			seen[a.ID] = true
			if !secretType(a.ValueType) {
				rd.others[[2]string{fo.path, a.ValueType}]++
				continue
			}
			rd.secretAssets[fo.path]++
			rd.values = append(rd.values, valuesOf(fo.path, a)...)
		}
	}
	rd.named = make(map[string]int, len(rd.values))
	for _, v := range rd.values {
		rd.named[v.key()]++
	}
	for _, v := range rd.values {
		if v.storeID != nil && v.external == "" {
			if err := rd.readStores(ctx, r); err != nil {
				return nil, err
			}
			break
		}
	}
	return rd, nil
}

// valuesOf are the secret values of asset a of the folder at path: its
// own value when it has one, then one per robot and per user.
func valuesOf(path string, a client.Asset) []assetValue {
	var vs []assetValue
	if a.ValueScope == "Global" || a.HasDefaultValue { // a per-robot asset may have none of its own
		vs = append(vs, assetValue{folder: path, asset: a.Name, whose: valueOwn, valueType: a.ValueType,
			storeID: a.CredentialStoreID, external: a.ExternalName})
	}
	robots := slices.Clone(a.RobotValues)
	slices.SortStableFunc(robots, func(x, y client.AssetRobotValue) int {
		return strings.Compare(strings.ToLower(x.RobotName), strings.ToLower(y.RobotName))
	})
	for _, rv := range robots {
		vs = append(vs, assetValue{folder: path, asset: a.Name, whose: valueRobot, valueFor: rv.RobotName,
			valueType: cmp.Or(rv.ValueType, a.ValueType), storeID: rv.CredentialStoreID, external: rv.ExternalName})
	}
	users := slices.Clone(a.UserValues)
	slices.SortStableFunc(users, func(x, y client.AssetUserValue) int {
		return strings.Compare(strings.ToLower(x.UserName), strings.ToLower(y.UserName))
	})
	for _, uv := range users {
		vs = append(vs, assetValue{folder: path, asset: a.Name, whose: valueUser, valueFor: uv.UserName,
			valueType: cmp.Or(uv.ValueType, a.ValueType), storeID: uv.CredentialStoreID, external: uv.ExternalName})
	}
	return vs
}

// readStores reads the credential stores, once.
func (rd *assetRead) readStores(ctx context.Context, r AssetReader) error {
	if rd.stores != nil {
		return nil
	}
	list, err := r.CredentialStores(ctx)
	if err != nil {
		return fmt.Errorf("read the credential stores, to tell the read-only ones%s: %w", scopeHint(err, "OR.Settings.Read"), err)
	}
	rd.stores = make(map[int64]client.CredentialStore, len(list))
	for _, s := range list {
		rd.stores[s.ID] = s
	}
	return nil
}

// whyNot says why export assets leaves out v (one of the skip… phrases),
// or is "": its secret lives in an external or read-only credential
// store, no manifest can name it, or value_for cannot tell it from
// another value of its asset (a user's values on several machines).
func (rd *assetRead) whyNot(v assetValue) string {
	switch {
	case v.external != "":
		return skipExternal
	case v.storeID != nil && rd.stores[*v.storeID].ReadOnly:
		return skipReadOnly
	case !carriablePath(v.folder) || !plainName(v.asset):
		return skipUnnamed
	case v.whose != valueOwn && !plainName(v.valueFor):
		return skipNoValueOf
	case rd.named[v.key()] > 1:
		return skipTwice
	}
	return ""
}

// key names v as a row does: folder, asset name and value_for, in any
// case.
func (v assetValue) key() string {
	return strings.ToLower(v.folder + "\x00" + v.asset + "\x00" + v.valueFor)
}

// Why an asset value is left out of export assets, besides its store.
const (
	skipUnnamed   = "whose folder path or asset name no manifest can carry"
	skipNoValueOf = "of a robot or user without a name"
	skipTwice     = "of a robot or user named by more than one value of its asset (a user's values on several machines, a robot and a user of one name)"
)

// AssetRows reads the tenant's folders and their assets (rot.Filter
// narrows them by folder path and asset name) and writes one
// set_credential_asset row (new_password generate, the user name kept)
// per secret value Orchestrator holds: the own value of each Credential,
// WindowsCredential and Secret asset that has one, and each of its
// per-robot and per-user values (value_for the robot's or user's name).
// Rows come folder by folder, parents first, then by asset name. Values
// whose secret lives in an external or read-only credential store are
// counted in rot.SkippedBy, not written; so are values no manifest can
// name, or that value_for cannot tell apart. Assets of the other value
// types batch knows hold no secret and are not counted; assets of a type
// it does not know are noted, as are assets linked into several folders
// (written once).
// It returns the rows written and notes on what else it met; an error
// names what failed to be read (the caller names the export).
func AssetRows(ctx context.Context, r AssetReader, sink Sink, rot *Rotation) (int, []string, error) {
	rd, err := readAssets(ctx, r, rot.Filter)
	if err != nil {
		return 0, nil, err
	}
	n := 0
	for _, v := range rd.values {
		if why := rd.whyNot(v); why != "" {
			rot.skip(why)
			continue
		}
		n++
		pw := generate
		if err := sink.Write(manifest.Job{
			Row: n, Op: manifest.OpSetCredentialAsset,
			Target: manifest.Target{Kind: manifest.TargetAssetName, Value: v.asset},
			Folder: v.folder, ValueFor: v.valueFor, NewPassword: &pw,
		}); err != nil {
			return n, nil, err
		}
	}
	var notes []string
	unknown := map[string]int{}
	for k, n := range rd.others {
		if unknownType(k[1]) {
			unknown[typeName(k[1])] += n
		}
	}
	for _, t := range slices.Sorted(maps.Keys(unknown)) {
		notes = append(notes, fmt.Sprintf("left out %d assets of %s, a value type this version does not know: check them in Orchestrator", unknown[t], t))
	}
	if rd.shared > 0 {
		notes = append(notes, fmt.Sprintf("%d assets are linked into more than one folder: each is written once, in the first folder by path", rd.shared))
	}
	return n, notes, nil
}
