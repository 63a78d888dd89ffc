package htmlreport

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds of what the page shows outside its table.
const (
	// firstRows is how many rows each group (error code, field error,
	// changed field) lists.
	firstRows = 10
	// maxGroups caps the groups of one kind (a server could name any
	// number of fields); the rest are counted under "other".
	maxGroups = 50
	// planRows is how many rows' differences the plan section spells out,
	// planChanges how many changes of each, planIDs how many group ids.
	planRows    = 200
	planChanges = 10
	planIDs     = 20
	// refLimit cuts a target or a detail in a group's list, titleLimit
	// the whole text a detail's tooltip shows.
	refLimit   = 200
	titleLimit = 400
	// cellLimit cuts a text cell (a message, a list of changes) in the page;
	// results.csv keeps it whole.
	cellLimit = 1000
)

// statusOrder is the order statuses are shown in.
var statusOrder = []string{"succeeded", "unchanged", "planned", "failed", "skipped", "invalid"}

// rowRef is a row a group lists.
type rowRef struct {
	Row    int
	Target string
	Detail string
	// Full is the detail as written, for its tooltip, when Detail shows
	// it shortened (an error without the retry loop's prefixes).
	Full string
}

// group is rows sharing a cause (an error code, a field) or a change.
type group struct {
	Key   string
	Count int
	First []rowRef
}

// groups counts rows by key, keeping the first rows of each.
type groups struct {
	byKey map[string]*group
	other int
}

func (g *groups) add(key string, ref rowRef) {
	if g.byKey == nil {
		g.byKey = map[string]*group{}
	}
	key = cut(key, refLimit)
	ref.Target, ref.Detail, ref.Full = cut(ref.Target, refLimit), cut(ref.Detail, refLimit), cut(ref.Full, titleLimit)
	gr, ok := g.byKey[key]
	if !ok {
		if len(g.byKey) >= maxGroups {
			g.other++
			return
		}
		gr = &group{Key: key}
		g.byKey[key] = gr
	}
	gr.Count++
	gr.First = keepLowest(gr.First, ref, firstRows, func(r rowRef) int { return r.Row })
}

// keepLowest adds v to vs, keeping about the n lowest rows (rows finish out
// of order); the result is sorted once more than 2n are held, and by
// sortedRows at the end.
func keepLowest[T any](vs []T, v T, n int, rowOf func(T) int) []T {
	vs = append(vs, v)
	if len(vs) >= 2*n {
		vs = sortedRows(vs, n, rowOf)
	}
	return vs
}

// sortedRows sorts vs by row and keeps the n lowest.
func sortedRows[T any](vs []T, n int, rowOf func(T) int) []T {
	slices.SortFunc(vs, func(a, b T) int { return cmp.Compare(rowOf(a), rowOf(b)) })
	return vs[:min(len(vs), n)]
}

// sorted lists the groups, largest first.
func (g *groups) sorted() []*group {
	out := make([]*group, 0, len(g.byKey))
	for _, gr := range g.byKey {
		gr.First = sortedRows(gr.First, firstRows, func(r rowRef) int { return r.Row })
		out = append(out, gr)
	}
	slices.SortFunc(out, func(a, b *group) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// opCount is one op's rows by status.
type opCount struct {
	Op       string
	Total    int
	ByStatus map[string]int
}

// planRow is a row whose differences the plan section spells out.
type planRow struct {
	Row     int
	Op      string
	Target  string
	Status  string
	Kind    string // "delete", "create" or ""
	Changes []change
	More    int // changes beyond planChanges
}

// change is one field's difference, split for display.
type change struct {
	Field     string
	Old, New  string
	Added     []string // group membership: +name or id
	Removed   []string // group membership: −name or id
	MoreIDs   int      // ids beyond planIDs
	HasArrow  bool
	Sensitive bool
	// Lifecycle is "create" or "delete" for the change that marks a row
	// creating or deleting what Field names ("account", "group").
	Lifecycle string
}

// tally is what one pass over the rows learns.
type tally struct {
	rows       int
	byStatus   map[string]int
	byOp       map[string]*opCount
	codes      groups
	fields     groups
	changed    groups // plan: rows by changed field
	deletes    groups // plan: delete rows (one group)
	creates    groups // plan: create rows (one group)
	planned    []planRow
	applied    applied // apply: what the succeeded rows changed
	timeline   *histogram
	noFinish   int // rows that ran but carry no finish time
	bytes      int // the rows' size in the results file
	unreadable int
	// interesting counts rows the table keeps first when it cannot keep
	// all: failed, skipped, invalid.
	interesting int
}

func newTally(start time.Time) *tally {
	return &tally{byStatus: map[string]int{}, byOp: map[string]*opCount{}, timeline: newHistogram(start)}
}

// isInteresting says whether a row is kept first in a table that cannot
// hold every row.
func isInteresting(status string) bool {
	return status == "failed" || status == "skipped" || status == "invalid"
}

func (t *tally) add(r *row, plan bool) {
	t.rows++
	t.bytes += r.size
	// A folder's statuses and ops are few; one that is not gets them
	// bounded all the same.
	status := r.Status
	if _, known := t.byStatus[status]; !known && len(t.byStatus) >= maxGroups {
		status = "(other)"
	}
	t.byStatus[status]++
	op := r.Op
	if _, known := t.byOp[op]; !known && len(t.byOp) >= maxGroups {
		op = "(other)"
	}
	oc, ok := t.byOp[op]
	if !ok {
		oc = &opCount{Op: cut(op, refLimit), ByStatus: map[string]int{}}
		t.byOp[op] = oc
	}
	oc.Total++
	oc.ByStatus[status]++
	if isInteresting(r.Status) {
		t.interesting++
	}
	if r.Status == "failed" || r.Status == "invalid" {
		code := r.ErrorCode
		if code == "" {
			code = "(none)"
		}
		ref := rowRef{Row: r.Row, Target: r.Target, Detail: displayError(r.ErrorMessage)}
		if len(ref.Detail) != len(r.ErrorMessage) {
			ref.Full = r.ErrorMessage
		}
		t.codes.add(code, ref)
		if r.ValidationErrors != nil {
			for f, msgs := range r.ValidationErrors {
				t.fields.add(f, rowRef{Row: r.Row, Target: r.Target, Detail: strings.Join(msgs, " ")})
			}
		} else if r.fieldErrorsText != "" {
			for _, part := range strings.Split(r.fieldErrorsText, "; ") {
				f, msg, _ := strings.Cut(part, ": ")
				t.fields.add(f, rowRef{Row: r.Row, Target: r.Target, Detail: msg})
			}
		}
	}
	if r.Status != "skipped" && r.Status != "invalid" {
		if fin := r.finished(); !fin.IsZero() {
			t.timeline.add(fin, r.Attempts, r.Throttled)
		} else {
			t.noFinish++
		}
	}
	if plan {
		t.addPlan(r)
	} else {
		t.applied.add(r)
	}
}

// addPlan collects a plan row's differences as a reviewer reads them.
func (t *tally) addPlan(r *row) {
	if r.Status != "planned" && !(r.Status == "failed" && (r.Changes != nil || r.changesText != "")) {
		return
	}
	pr := planRow{Row: r.Row, Op: cut(r.Op, refLimit), Target: cut(r.Target, refLimit), Status: r.Status, Kind: opKind(r.Op)}
	ref := rowRef{Row: r.Row, Target: r.Target}
	r.eachChange(func(field, old, nw string) {
		c := splitChange(field, old, nw)
		if c.Lifecycle != "" {
			pr.Kind = c.Lifecycle
		} else {
			t.changed.add(field, ref)
			if pr.Kind == "" && isCreate(r.Op, field, old, nw) {
				pr.Kind = "create"
			}
		}
		pr.addChange(c)
	})
	switch pr.Kind {
	case "delete":
		t.deletes.add("delete", ref)
	case "create":
		t.creates.add("create", ref)
	}
	t.planned = keepLowest(t.planned, pr, planRows, planRowOf)
}

func planRowOf(p planRow) int { return p.Row }

// addChange adds a change to those the row spells out, up to planChanges.
func (p *planRow) addChange(c change) {
	if len(p.Changes) < planChanges {
		p.Changes = append(p.Changes, c)
	} else {
		p.More++
	}
}

// opKind marks the ops that remove an account or group.
func opKind(op string) string {
	if strings.HasPrefix(op, "delete_") {
		return "delete"
	}
	if strings.HasPrefix(op, "create_") {
		return "create"
	}
	return ""
}

// isCreate says whether an ensure_* row's change creates what it names,
// in a folder written before creates were marked "+ create": a change
// with no old side other than a membership.
func isCreate(op, field, old, nw string) bool {
	return strings.HasPrefix(op, "ensure_") && (field == "created" || field == "create" || old == "" && field != "groups" && !isMembership(old, nw))
}

// splitChange splits a difference for display: "old → new"; for a
// membership change the groups added and removed (names Go-quoted when
// they hold a space are shown whole, unquoted); for the change that
// marks a create or delete, what is created or deleted.
func splitChange(field, old, nw string) change {
	c := change{Field: cut(field, refLimit), Old: cut(old, refLimit), New: cut(nw, refLimit), HasArrow: old != "", Sensitive: isSecretChange(old, nw)}
	if c.Lifecycle = lifecycle(nw); c.Lifecycle != "" {
		return c
	}
	if isMembership(old, nw) {
		eachMember(nw, func(added bool, name string) {
			if len(c.Added)+len(c.Removed) >= planIDs {
				c.MoreIDs++
				return
			}
			if added {
				c.Added = append(c.Added, cut(name, 100))
			} else {
				c.Removed = append(c.Removed, cut(name, 100))
			}
		})
	}
	return c
}

// cut shortens s to about n bytes on a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// ops lists the ops by rows, largest first.
func (t *tally) ops() []*opCount {
	out := make([]*opCount, 0, len(t.byOp))
	for _, oc := range t.byOp {
		out = append(out, oc)
	}
	slices.SortFunc(out, func(a, b *opCount) int {
		if c := cmp.Compare(b.Total, a.Total); c != 0 {
			return c
		}
		return strings.Compare(a.Op, b.Op)
	})
	return out
}

// statuses lists the statuses present, in display order, then any unknown.
func (t *tally) statuses() []string {
	var out []string
	for _, s := range statusOrder {
		if t.byStatus[s] > 0 {
			out = append(out, s)
		}
	}
	var rest []string
	for s := range t.byStatus {
		if !slices.Contains(statusOrder, s) {
			rest = append(rest, s)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}
