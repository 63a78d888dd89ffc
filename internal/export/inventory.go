package export

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// Inventory is the kind that lists everything the organization shows that
// holds a secret, counted, with whether batch rotates it and the command
// that does: a CSV for an administrator planning a rotation, not a
// manifest.
const Inventory Kind = "inventory"

// InventoryColumns are the columns of the inventory's CSV.
var InventoryColumns = []string{"kind", "where", "name", "detail", "store", "rotated_by_batch", "command", "count"}

// InventoryOperations are the client operations an inventory reads
// through: the users and robot accounts of the organization, the
// Orchestrator users, and what export assets reads.
var InventoryOperations = append([]client.Operation{client.OpListUsers, client.OpListRobotAccounts, client.OpFindOrchestratorUser}, AssetOperations...)

// InventoryReader reads what an inventory counts.
type InventoryReader interface {
	AssetReader
	// EachUser pages through the organization's users.
	EachUser(ctx context.Context, fn func(apply.User) error) error
	// EachRobot pages through the organization's robot accounts.
	EachRobot(ctx context.Context, fn func(apply.Robot) error) error
	// EachOrchestratorUser pages through the tenant's Orchestrator
	// users, with their unattended robots.
	EachOrchestratorUser(ctx context.Context, fn func(client.OrchestratorUser) error) error
}

// The kinds of secret holder an inventory counts (InventoryLine.Kind).
const (
	HolderLocalUsers       = "local users"
	HolderDirectoryUsers   = "directory users"
	HolderOtherUsers       = "other users"
	HolderRobotAccounts    = "robot accounts"
	HolderRobotCredentials = "robot credentials"
	HolderAssets           = "assets"
	HolderConnections      = "connection strings"
)

// Whether batch rotates a holder (InventoryLine.RotatedByBatch).
const (
	RotatedYes      = "yes"
	RotatedNo       = "no"
	RotatedNoSecret = "no secret"
	// RotatedNotRead: the application may not read them (a scope it
	// lacks); the line's detail names it.
	RotatedNotRead = "not read"
)

// refused reports whether err is the service's refusal of a read (401,
// 403): a scope the External Application lacks.
func refused(err error) bool {
	ce, ok := client.AsError(err)
	return ok && (ce.StatusCode == http.StatusUnauthorized || ce.StatusCode == http.StatusForbidden)
}

// InventoryLine is one line of an inventory: a kind of secret holder in
// one place (and, for robot credentials and assets, one store), counted.
type InventoryLine struct {
	// Kind is one of the Holder… names; Where the organization, the
	// tenant or a folder's path; Name a credential or value type, or an
	// account type; Detail says what holds the secret, or why batch does
	// not rotate it.
	Kind, Where, Name, Detail string
	// Store is where the secrets live: Identity, the directory,
	// Orchestrator or a credential store by name.
	Store string
	// RotatedByBatch is RotatedYes, RotatedNo or RotatedNoSecret;
	// Command the command that writes the rotation manifest (when yes).
	RotatedByBatch, Command string
	// Count counts the accounts, robots or asset values.
	Count int
}

// Record is the line as the CSV writes it (InventoryColumns), every cell
// neutralised against spreadsheet formulas.
func (l InventoryLine) Record() []string {
	rec := []string{l.Kind, l.Where, l.Name, l.Detail, l.Store, l.RotatedByBatch, l.Command, strconv.Itoa(l.Count)}
	for i, c := range rec {
		rec[i] = manifest.NeutralizeCell(c)
	}
	return rec
}

// WriteInventory writes lines as CSV: a header (InventoryColumns), then
// one record per line.
func WriteInventory(w io.Writer, lines []InventoryLine) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(InventoryColumns); err != nil {
		return err
	}
	for _, l := range lines {
		if err := cw.Write(l.Record()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// InventoryTotals says how many secrets an inventory counted that batch
// rotates, and how many it does not.
func InventoryTotals(lines []InventoryLine) (rotated, not int) {
	for _, l := range lines {
		switch l.RotatedByBatch {
		case RotatedYes:
			rotated += l.Count
		case RotatedNo:
			not += l.Count
		}
	}
	return rotated, not
}

// TakeInventory reads the organization's users and robot accounts, the
// Orchestrator users and the tenant's folders and assets (each list once,
// each folder's assets once, the credential stores once when a robot or
// a value names one) and counts what holds a secret: local users
// (password in Identity: batch export users --rotate), directory users
// (rotated in the directory), robot accounts (no password), unattended
// robots' credentials by credential type and store (batch export
// robot-credentials, unless the store is external or read-only or the
// robot signs in without a password), credential and secret asset values
// by folder, value type and store (batch export assets, with the same
// exceptions), and connection-string assets by folder (a password batch
// does not change). Lines of accounts come first, then robot
// credentials, then assets folder by folder (parents first).
func TakeInventory(ctx context.Context, r InventoryReader) ([]InventoryLine, error) {
	lines, err := accountLines(ctx, r)
	if err != nil {
		return nil, err
	}
	var robots []client.UnattendedRobot
	err = r.EachOrchestratorUser(ctx, func(o client.OrchestratorUser) error {
		if o.UnattendedRobot != nil {
			robots = append(robots, *o.UnattendedRobot)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the Orchestrator users: %w", err)
	}
	rd, err := readAssets(ctx, r, Filter{})
	switch {
	case refused(err):
		// The application may read the accounts and not the assets: the
		// rest of the inventory still helps, and the line says what it
		// lacks.
		lines = append(lines, InventoryLine{Kind: HolderAssets, Where: "tenant", Detail: "not read: " + err.Error(), RotatedByBatch: RotatedNotRead})
		rd = &assetRead{}
	case err != nil:
		return nil, err
	}
	if slices.ContainsFunc(robots, func(u client.UnattendedRobot) bool { return u.CredentialStoreID != nil }) {
		if err := rd.readStores(ctx, r); err != nil {
			return nil, err
		}
	}
	lines = append(lines, robotCredentialLines(robots, rd)...)
	return append(lines, assetLines(rd)...), nil
}

// accountLines count the organization's users by kind and its robot
// accounts: a line for local users, directory users and robot accounts
// each (counted 0 when there are none), and one per other type.
func accountLines(ctx context.Context, r InventoryReader) ([]InventoryLine, error) {
	local, directory, robots := 0, 0, 0
	other := map[string]int{}
	err := r.EachUser(ctx, func(u apply.User) error {
		switch {
		case unknownCode(u) != "":
			other[unknownCode(u)+", a code this version does not know"]++
		case u.Local():
			local++
		case strings.EqualFold(u.Type, "directoryUser") || strings.EqualFold(u.Category, "directory"):
			directory++
		default:
			other["type "+u.Type]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the users: %w", err)
	}
	if err := r.EachRobot(ctx, func(apply.Robot) error { robots++; return nil }); err != nil {
		return nil, fmt.Errorf("read the robot accounts: %w", err)
	}
	lines := []InventoryLine{
		{Kind: HolderLocalUsers, Where: "organization", Detail: "Identity holds their password", Store: "Identity",
			RotatedByBatch: RotatedYes, Command: "batch export users --rotate", Count: local},
		{Kind: HolderDirectoryUsers, Where: "organization", Detail: "their password is the directory's: change it there", Store: "directory",
			RotatedByBatch: RotatedNo, Count: directory},
	}
	for _, name := range slices.Sorted(maps.Keys(other)) {
		lines = append(lines, InventoryLine{Kind: HolderOtherUsers, Where: "organization", Name: name,
			Detail: "users batch sets no password for: check them in the organization", Store: "Identity", RotatedByBatch: RotatedNo, Count: other[name]})
	}
	return append(lines, InventoryLine{Kind: HolderRobotAccounts, Where: "organization",
		Detail:         "Identity holds no password for a robot account; an unattended robot's Windows password is among the robot credentials",
		RotatedByBatch: RotatedNoSecret, Count: robots}), nil
}

// holderKey groups secrets into inventory lines.
type holderKey struct{ where, name, store, why string }

// robotCredentialLines count the unattended robots by credential type and
// store, and whether batch sets their password.
func robotCredentialLines(robots []client.UnattendedRobot, rd *assetRead) []InventoryLine {
	counts := map[holderKey]int{}
	for _, u := range robots {
		name := cmp.Or(u.CredentialType, "Default")
		why := ""
		switch {
		case !u.PasswordSignIn():
			why = "signs in with " + name + ", not a password: there is none to rotate"
		case u.CredentialExternalName != "":
			why = "the password lives in the external store: rotate it there"
		case u.CredentialStoreID != nil && rd.stores[*u.CredentialStoreID].ReadOnly:
			why = "the store is read-only to Orchestrator: rotate the password there"
		}
		counts[holderKey{"tenant", name, rd.storeLabel(u.CredentialStoreID, u.CredentialExternalName), why}]++
	}
	lines := make([]InventoryLine, 0, len(counts))
	for k, n := range counts {
		l := InventoryLine{Kind: HolderRobotCredentials, Where: k.where, Name: k.name, Store: k.store, Count: n,
			Detail: k.why, RotatedByBatch: RotatedNo}
		if k.why == "" {
			l.Detail, l.RotatedByBatch, l.Command = "Orchestrator holds the unattended robot's Windows password", RotatedYes, "batch export robot-credentials"
		}
		lines = append(lines, l)
	}
	slices.SortFunc(lines, func(a, b InventoryLine) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Store, b.Store), strings.Compare(a.Detail, b.Detail))
	})
	return lines
}

// storeLabel names where a secret lives: Orchestrator itself (no store
// named), a store by name and type, or an external store.
func (rd *assetRead) storeLabel(id *int64, external string) string {
	if id == nil {
		if external != "" {
			return "an external store"
		}
		return "Orchestrator"
	}
	s, ok := rd.stores[*id]
	switch {
	case !ok:
		return fmt.Sprintf("credential store %d", *id)
	case s.ReadOnly:
		return fmt.Sprintf("%s (%s, read-only)", s.Name, s.Type)
	}
	return fmt.Sprintf("%s (%s)", s.Name, s.Type)
}

// assetLines count the secret values of credential and secret assets by
// folder, value type and store, and the connection-string assets by
// folder and type.
func assetLines(rd *assetRead) []InventoryLine {
	type tally struct {
		assets           map[string]bool
		own, robot, user int
	}
	counts := map[holderKey]*tally{}
	var keys []holderKey // in the values' order: folders parents first
	for _, v := range rd.values {
		why := assetWhy[rd.whyNot(v)]
		k := holderKey{v.folder, v.valueType, rd.storeLabel(v.storeID, v.external), why}
		t := counts[k]
		if t == nil {
			t = &tally{assets: map[string]bool{}}
			counts[k] = t
			keys = append(keys, k)
		}
		t.assets[strings.ToLower(v.asset)] = true
		switch v.whose {
		case valueOwn:
			t.own++
		case valueRobot:
			t.robot++
		case valueUser:
			t.user++
		}
	}
	slices.SortStableFunc(keys, func(a, b holderKey) int {
		return cmp.Or(comparePaths(a.where, b.where), strings.Compare(a.name, b.name), strings.Compare(a.store, b.store), strings.Compare(a.why, b.why))
	})
	var lines []InventoryLine
	for _, k := range keys {
		t := counts[k]
		l := InventoryLine{Kind: HolderAssets, Where: k.where, Name: k.name, Store: k.store, Count: t.own + t.robot + t.user,
			Detail: fmt.Sprintf("values of %s: %d own, %d per robot, %d per user", report.Plural(len(t.assets), "asset"), t.own, t.robot, t.user), RotatedByBatch: RotatedNo}
		if k.why != "" {
			l.Detail += "; " + k.why
		} else {
			l.RotatedByBatch, l.Command = RotatedYes, "batch export assets --folder "+shellQuote(escapeGlob(k.where))
		}
		lines = append(lines, l)
	}
	conns := slices.Collect(maps.Keys(rd.others))
	slices.SortFunc(conns, func(a, b [2]string) int { return cmp.Or(comparePaths(a[0], b[0]), strings.Compare(a[1], b[1])) })
	for _, k := range conns {
		switch {
		case strings.HasSuffix(k[1], "ConnectionString"):
			lines = append(lines, InventoryLine{Kind: HolderConnections, Where: k[0], Name: k[1], Count: rd.others[k], Store: "Orchestrator",
				Detail: "assets whose connection string may carry a password: batch does not change it", RotatedByBatch: RotatedNo})
		case unknownType(k[1]):
			lines = append(lines, InventoryLine{Kind: HolderAssets, Where: k[0], Name: typeName(k[1]), Count: rd.others[k],
				Detail: "assets of a value type this version does not know: check them in Orchestrator", RotatedByBatch: RotatedNo})
		}
	}
	slices.SortStableFunc(lines, func(a, b InventoryLine) int { return comparePaths(a.Where, b.Where) })
	return lines
}

// assetWhy says, for each reason export assets leaves a value out, why
// batch does not rotate it and where it is changed instead.
var assetWhy = map[string]string{
	skipExternal:  "the secret lives in the external store: rotate it there",
	skipReadOnly:  "the store is read-only to Orchestrator: rotate the secret there",
	skipUnnamed:   "no manifest can carry the folder path or the asset name: set it in Orchestrator",
	skipNoValueOf: "the value's robot or user has no name a manifest can carry: set it in Orchestrator",
	skipTwice:     "a user's values on several machines, which value_for cannot tell apart: set them in Orchestrator",
}

// escapeGlob is s as a glob that matches s alone.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shellQuote is s quoted for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
