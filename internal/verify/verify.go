// Package verify confirms a run's succeeded rows against UiPath's own
// audit logs: an audit record of this run's client for the row's target
// and kind of change confirms it; none is the forum's case (the service
// said 200 OK and nothing changed); a record of another actor for the same
// target in the run's window is a change by others. It reads each
// service's audit once, newest first, back to the run's start (a handful
// of requests, never one per row), and writes verify.csv beside the run's
// results.
package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/manifest"
)

// Verdict is what the audit says of a row.
type Verdict string

// The verdicts.
const (
	Confirmed       Verdict = "confirmed"
	NotFound        Verdict = "not_found_in_audit"
	ChangedByOthers Verdict = "changed_by_others"
	NotCheckable    Verdict = "not_checkable"
)

// Verdicts lists the verdicts in the order reports show them.
var Verdicts = []Verdict{Confirmed, NotFound, ChangedByOthers, NotCheckable}

// The services whose audit a row is found in.
const (
	Identity     = "identity"
	Orchestrator = "orchestrator"
)

// Record is one audit record, as verify matches it.
type Record struct {
	Service string
	ID      string
	Time    time.Time
	// Kind is Orchestrator's Component ("Users", "Folders") or
	// Identity's category ("User", "RobotAccount", "Group").
	Kind, Action string
	// Target names the resource acted on when the record does
	// (Orchestrator's DisplayName); EntityID its id.
	Target, EntityID string
	// Details is the record's free text (Identity's auditLogDetails,
	// Orchestrator's Parameters and OperationText): a target only named
	// there is matched as a word of it.
	Details string
	// Actor names who acted (a user name or email); ClientID the
	// External Application that acted, when one did.
	Actor, ClientID string
}

// Row is a succeeded row of the run, as results.jsonl has it.
type Row struct {
	Row      int
	Op       manifest.Op
	Target   manifest.Target
	Finished time.Time
}

// Check is one row's verdict.
type Check struct {
	Row     Row
	Verdict Verdict
	// Record is the record the verdict rests on (confirmed, changed by
	// others); zero otherwise.
	Record Record
	// Reason says why, for a person.
	Reason string
	// Lagging: not checkable only because the row's record may not be
	// written yet (read again later, it may be).
	Lagging bool
}

// expectation is where the audit records a row's change: the service,
// the kinds of record, and the actions that are this kind of change.
type expectation struct {
	service string
	kinds   []string
	actions []string
}

// expectations are, by op, the audit records that confirm a row of it.
var expectations = map[manifest.Op]expectation{
	manifest.OpUpdateUser:            {Identity, []string{"User"}, []string{"Update"}},
	manifest.OpSetPassword:           {Identity, []string{"User"}, []string{"Update", "ResetPassword", "SetPassword"}},
	manifest.OpChangePassword:        {Identity, []string{"User"}, []string{"ChangePassword", "Update"}},
	manifest.OpEnsureUser:            {Identity, []string{"User"}, []string{"Create", "Update"}},
	manifest.OpDeleteUser:            {Identity, []string{"User"}, []string{"Delete"}},
	manifest.OpUpdateRobotAccount:    {Identity, []string{"RobotAccount"}, []string{"Update"}},
	manifest.OpEnsureRobotAccount:    {Identity, []string{"RobotAccount"}, []string{"Create", "Update"}},
	manifest.OpDeleteRobotAccount:    {Identity, []string{"RobotAccount"}, []string{"Delete"}},
	manifest.OpEnsureGroup:           {Identity, []string{"Group"}, []string{"Create"}},
	manifest.OpDeleteGroup:           {Identity, []string{"Group"}, []string{"Delete"}},
	manifest.OpSetRobotCredentials:   {Orchestrator, []string{"Users"}, []string{"Update", "ChangePassword"}},
	manifest.OpUpdateUnattendedRobot: {Orchestrator, []string{"Users"}, []string{"Update", "Create"}},
	manifest.OpSetFolderAccess:       {Orchestrator, []string{"Users"}, []string{"Assign", "Update", "Create"}},
	manifest.OpRemoveFolderAccess:    {Orchestrator, []string{"Users"}, []string{"Unassign", "Update"}},
	manifest.OpSetTenantRoles:        {Orchestrator, []string{"Users"}, []string{"Update", "Create", "Assign"}},
	manifest.OpEnsureFolder:          {Orchestrator, []string{"Folders"}, []string{"Create"}},
	manifest.OpSetCredentialAsset:    {Orchestrator, []string{"Assets"}, []string{"Update"}},
}

// Options are what a verification compares with.
type Options struct {
	// ClientID is the External Application the run signed in as: its
	// records are the run's own. Empty (a personal access token): rows
	// cannot be told from a person's changes and are not checkable.
	ClientID string
	// Start and End bound the run's window.
	Start, End time.Time
	// Now is when the audit was read; Lag is how long a record may take
	// to be written: a row finished less than Lag before Now and not
	// found is not checkable yet.
	Now time.Time
	Lag time.Duration
}

// Audit holds the records read of each service, or why they could not
// be read.
type Audit struct {
	Records map[string][]Record
	// Unread says, by service, why its audit could not be read (a
	// missing scope): its rows are not checkable.
	Unread map[string]string
}

// Judge gives every row its verdict against the audit.
func Judge(rows []Row, audit Audit, o Options) []Check {
	byTarget := index(audit)
	out := make([]Check, 0, len(rows))
	for _, r := range rows {
		out = append(out, judge(r, byTarget, audit, o))
	}
	return out
}

// index groups the records by service and lower-case target name (and
// entity id), for a lookup per row.
func index(a Audit) map[string][]Record {
	idx := map[string][]Record{}
	for service, recs := range a.Records {
		for _, rec := range recs {
			for _, key := range recordKeys(rec) {
				k := service + "|" + key
				idx[k] = append(idx[k], rec)
			}
		}
	}
	return idx
}

// recordKeys are the names a record may be found under: its target, its
// entity id, and every word of its details (a name or email there).
func recordKeys(rec Record) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			keys = append(keys, s)
		}
	}
	add(rec.Target)
	add(rec.EntityID)
	for _, w := range strings.FieldsFunc(rec.Details, func(c rune) bool {
		return strings.ContainsRune(" \t\r\n\"'{}[],:;=()", c)
	}) {
		add(w)
	}
	// A quoted value of the details (JSON text, most often) is a name
	// too, spaces and all ("Night shift").
	parts := strings.Split(rec.Details, `"`)
	for i := 1; i < len(parts); i += 2 {
		add(parts[i])
	}
	return keys
}

// rowKey is the name a row's target is found under: its value, and for a
// folder path its last folder's name (the record names the folder).
func rowKey(r Row) string {
	v := strings.ToLower(strings.TrimSpace(r.Target.Value))
	if r.Target.Kind == manifest.TargetFolder {
		segs := manifest.FolderSegments(v)
		v = segs[len(segs)-1]
	}
	return v
}

func judge(r Row, idx map[string][]Record, audit Audit, o Options) Check {
	c := Check{Row: r}
	exp, ok := expectations[r.Op]
	switch {
	case !ok:
		c.Verdict, c.Reason = NotCheckable, fmt.Sprintf("the audit does not record what %s changes", r.Op)
		return c
	case audit.Unread[exp.service] != "":
		c.Verdict, c.Reason = NotCheckable, audit.Unread[exp.service]
		return c
	case o.ClientID == "":
		c.Verdict, c.Reason = NotCheckable, "the run signed in with a personal access token: its records cannot be told from a person's"
		return c
	}
	var ours, others []Record
	for _, rec := range idx[exp.service+"|"+rowKey(r)] {
		if !hasFold(exp.kinds, rec.Kind) || rec.Time.Before(o.Start) || (!o.End.IsZero() && rec.Time.After(o.End)) {
			continue
		}
		if strings.EqualFold(rec.ClientID, o.ClientID) {
			if hasFold(exp.actions, rec.Action) {
				ours = append(ours, rec)
			}
			continue
		}
		others = append(others, rec)
	}
	switch {
	case len(others) > 0:
		rec := others[0]
		c.Verdict, c.Record = ChangedByOthers, rec
		c.Reason = fmt.Sprintf("%s %s it at %s", actorOf(rec), strings.ToLower(rec.Action), rec.Time.UTC().Format(time.RFC3339))
	case len(ours) > 0:
		c.Verdict, c.Record = Confirmed, ours[0]
	case !r.Finished.IsZero() && o.Now.Sub(r.Finished) < o.Lag:
		c.Verdict, c.Lagging = NotCheckable, true
		c.Reason = fmt.Sprintf("the audit may not be written yet (the row finished %s before it was read; verify again later, or --wait)", o.Now.Sub(r.Finished).Round(time.Second))
	default:
		c.Verdict = NotFound
		c.Reason = fmt.Sprintf("no %s audit record of this client for %s (%s %s) in the run's window: the service answered success, but its audit does not show the change", exp.service, r.Target, strings.Join(exp.kinds, "/"), strings.Join(exp.actions, "/"))
	}
	return c
}

// actorOf names who acted in a record.
func actorOf(rec Record) string {
	switch {
	case rec.Actor != "" && rec.ClientID != "":
		return fmt.Sprintf("%s (External Application %s)", rec.Actor, rec.ClientID)
	case rec.Actor != "":
		return rec.Actor
	case rec.ClientID != "":
		return "External Application " + rec.ClientID
	}
	return "someone"
}

func hasFold(set []string, s string) bool {
	for _, x := range set {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Reader reads a service's audit, newest first, back to since.
type Reader interface {
	Audit(ctx context.Context, service string, since time.Time, fn func(Record) error) error
}

// Read reads the audit of the services the rows need, each once; a
// service whose audit is refused for want of a scope (forbidden) leaves
// its rows not checkable instead of failing.
func Read(ctx context.Context, r Reader, rows []Row, since time.Time, forbidden func(error) bool) (Audit, error) {
	a := Audit{Records: map[string][]Record{}, Unread: map[string]string{}}
	need := map[string]bool{}
	for _, row := range rows {
		if exp, ok := expectations[row.Op]; ok {
			need[exp.service] = true
		}
	}
	for _, service := range []string{Identity, Orchestrator} {
		if !need[service] {
			continue
		}
		err := r.Audit(ctx, service, since, func(rec Record) error {
			rec.Service = service
			a.Records[service] = append(a.Records[service], rec)
			return nil
		})
		switch {
		case err != nil && forbidden != nil && forbidden(err):
			a.Unread[service] = fmt.Sprintf("the %s audit could not be read: %v (give the External Application the audit read scope)", service, err)
		case err != nil:
			return a, fmt.Errorf("read the %s audit: %w", service, err)
		}
	}
	return a, nil
}
