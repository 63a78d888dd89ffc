package htmlreport

import (
	"cmp"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/report"
)

// applied counts what an apply's rows changed, from the changes of its
// succeeded rows: what was created and deleted, the fields updated, group
// memberships added and removed, secrets set. It does no more per row than
// walk the row's changes.
type applied struct {
	rows           int    // succeeded rows that changed something
	created        counts // by what ("account", "robot account", "group")
	deleted        counts
	updated        counts // rows by field updated
	secrets        counts // rows by secret set ("password", "robot credentials")
	added, removed int    // group memberships
	unchanged      int    // rows already as the manifest says
	unknown        int    // failed rows whose outcome is unknown
}

// counts counts by key, up to maxGroups keys; the rest are other.
type counts struct {
	byKey map[string]int
	other int
}

func (c *counts) add(key string) {
	if c.byKey == nil {
		c.byKey = map[string]int{}
	}
	if _, known := c.byKey[key]; !known && len(c.byKey) >= maxGroups {
		c.other++
		return
	}
	c.byKey[key]++
}

// keyCount is one key's count.
type keyCount struct {
	Key   string
	Count int
}

// sorted lists the counts, largest first.
func (c *counts) sorted() []keyCount {
	out := make([]keyCount, 0, len(c.byKey))
	for k, n := range c.byKey {
		out = append(out, keyCount{k, n})
	}
	slices.SortFunc(out, func(a, b keyCount) int {
		if d := cmp.Compare(b.Count, a.Count); d != 0 {
			return d
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// add counts what one row changed.
func (a *applied) add(r *row) {
	switch r.Status {
	case string(report.StatusUnchanged):
		a.unchanged++
		return
	case string(report.StatusFailed):
		if r.ErrorCode == string(report.CodeOutcomeUnknown) {
			a.unknown++
		}
		return
	case string(report.StatusSucceeded):
	default:
		return
	}
	changed, creating := false, false
	r.eachChange(func(field, old, nw string) {
		changed = true
		switch lifecycle(nw) {
		case "create":
			creating = true
			a.created.add(cut(field, refLimit))
			return
		case "delete":
			a.deleted.add(cut(field, refLimit))
			return
		}
		switch {
		case isMembership(old, nw):
			ad, rm := countMembers(nw)
			a.added += ad
			a.removed += rm
		case isSecretChange(old, nw):
			a.secrets.add(secretLabel(field))
		case !creating: // a created account's fields are part of its create
			a.updated.add(cut(field, refLimit))
		}
	})
	if changed {
		a.rows++
	}
}

// secretLabel names a secret change without what varies from row to row:
// "robot credentials (DOMAIN\\bot)" counts as "robot credentials".
func secretLabel(field string) string {
	if i := strings.Index(field, " ("); i > 0 {
		field = field[:i]
	}
	return cut(field, refLimit)
}

// changedView is the apply's "what this run changed" section.
type changedView struct {
	Rows      string // "12 rows"
	Lines     []changedLine
	Nothing   bool
	Unchanged string // "3 rows", when some were
	Unknown   string // "2 rows", failed with an unknown outcome
	Other     int    // kinds counted beyond maxGroups
}

// changedLine is one kind of change: "created: 3 user accounts, 1 group".
type changedLine struct {
	ID    string // the line's id, for tests and links
	Head  string
	Items []changedItem
}

// changedItem is a count and what it counts; Code shows What as a field
// name, counted in Unit ("rows").
type changedItem struct {
	N    string
	What string
	Code bool
	Unit string
}

// view lays the counts out for the page.
func (a *applied) view() *changedView {
	v := &changedView{Nothing: a.rows == 0}
	v.Rows = report.Plural(a.rows, "row")
	if a.unchanged > 0 {
		v.Unchanged = report.Plural(a.unchanged, "row")
	}
	if a.unknown > 0 {
		v.Unknown = report.Plural(a.unknown, "row")
	}
	nouns := func(c *counts) []changedItem {
		var items []changedItem
		for _, kc := range c.sorted() {
			items = append(items, changedItem{N: formatCount(kc.Count), What: plural(kc.Count, thingName(kc.Key))})
		}
		return items
	}
	if items := nouns(&a.created); len(items) > 0 {
		v.Lines = append(v.Lines, changedLine{ID: "created", Head: "created", Items: items})
	}
	if items := nouns(&a.deleted); len(items) > 0 {
		v.Lines = append(v.Lines, changedLine{ID: "deleted", Head: "deleted", Items: items})
	}
	if fields := a.updated.sorted(); len(fields) > 0 {
		l := changedLine{ID: "updated", Head: "updated"}
		for _, kc := range fields {
			l.Items = append(l.Items, changedItem{N: formatCount(kc.Count), What: kc.Key, Code: true, Unit: plural(kc.Count, "row")})
		}
		v.Lines = append(v.Lines, l)
	}
	if a.added+a.removed > 0 {
		l := changedLine{ID: "memberships", Head: "group memberships"}
		if a.added > 0 {
			l.Items = append(l.Items, changedItem{N: formatCount(a.added), What: "added"})
		}
		if a.removed > 0 {
			l.Items = append(l.Items, changedItem{N: formatCount(a.removed), What: "removed"})
		}
		v.Lines = append(v.Lines, l)
	}
	if items := nouns(&a.secrets); len(items) > 0 {
		v.Lines = append(v.Lines, changedLine{ID: "secrets", Head: "set", Items: items})
	}
	v.Other = a.created.other + a.deleted.other + a.updated.other + a.secrets.other
	return v
}

// thingName is what a create's, delete's or secret's field names, as a
// person says it.
func thingName(field string) string {
	switch field {
	case "account":
		return "user account"
	case "password":
		return "password"
	}
	return field
}

// plural is noun for n of it: "1 group", "2 groups"; a noun that ends in
// "s" ("robot credentials") stays as it is.
func plural(n int, noun string) string {
	if n == 1 || strings.HasSuffix(noun, "s") {
		return noun
	}
	return noun + "s"
}
