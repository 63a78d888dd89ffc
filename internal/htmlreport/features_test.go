package htmlreport

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/report"
)

// sampleStart is when the sample runs started.
var sampleStart = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

// Names of groups with spaces and quotes, as the producer writes them in
// a membership change (Go-quoted when they hold a space or a quote).
const (
	sampleGroups    = `+"Automation Users" +"Automation Developers"`
	sampleMoves     = `+Finance −"Old Group" -"Say \"hi\""`
	sampleLongEmail = "email=averyveryverylongfirstname.lastname@subsidiary-department.example.com"
	sampleError     = "attempt 1, not retryable: PUT /acme/identity_/api/User/afb826bc-5241-4187-836b-caf33810fa46: 400 Bad Request (validation): One or more validation errors occurred."
)

// sampleRows are rows of each kind a run shows: a create with groups and
// a password, an update of fields and memberships, a delete, passwords
// and robot credentials set, failures with the retry loop's prefixes, an
// unchanged row, a group created. status is the status of the rows that
// change (succeeded for an apply, planned for a plan).
func sampleRows(status report.Status) []report.Result {
	at := func(d time.Duration) time.Time { return sampleStart.Add(d) }
	return []report.Result{
		{Row: 1, Source: "users.csv:2", Op: "ensure_user", Target: "email=new.person@example.com", Status: status, Attempts: 1,
			Duration: 12 * time.Millisecond, Finished: at(2 * time.Second), Changes: []report.Change{
				{Field: "account", New: "+ create"}, {Field: "username", New: `"new.person"`}, {Field: "name", New: `"New"`},
				{Field: "groups", New: sampleGroups}, {Field: "password", New: "***"}}},
		{Row: 2, Source: "users.csv:3", Op: "update_user", Target: sampleLongEmail, Status: status, Attempts: 1,
			Duration: 1234567 * time.Millisecond, Finished: at(4 * time.Second), Changes: []report.Change{
				{Field: "display_name", Old: `"Ann; the first"`, New: `"Anna → B"`}, {Field: "groups", New: sampleMoves}}},
		{Row: 3, Source: "users.csv:4", Op: "delete_user", Target: "email=gone@example.com", Status: status, Attempts: 1,
			Finished: at(6 * time.Second), Changes: []report.Change{{Field: "account", New: "− delete"}}},
		{Row: 4, Source: "users.csv:5", Op: "set_password", Target: "username=bob", Status: status, Attempts: 1,
			Finished: at(8 * time.Second), Changes: []report.Change{{Field: "password", Old: "***", New: "***"}}},
		{Row: 5, Source: "users.csv:6", Op: "set_robot_credentials", Target: "username=robot1", Status: status, Attempts: 2,
			Finished: at(5*time.Minute + 3*time.Second), Changes: []report.Change{{Field: `robot credentials (DOM\bot)`, Old: "***", New: "***"}}},
		{Row: 6, Source: "users.csv:7", Op: "update_user", Target: "username=carl", Status: report.StatusFailed, HTTPStatus: 400, Attempts: 1,
			Finished: at(5*time.Minute + 4*time.Second), ErrorCode: "validation", ErrorMessage: sampleError,
			ValidationErrors: report.FieldErrors{"name": {"too long"}}},
		{Row: 7, Source: "users.csv:8", Op: "update_user", Target: "username=dora", Status: report.StatusUnchanged, Attempts: 1,
			Finished: at(5*time.Minute + 5*time.Second)},
		{Row: 8, Source: "users.csv:9", Op: "ensure_group", Target: "group_name=Automation Users", Status: status, Attempts: 1,
			Finished: at(5*time.Minute + 6*time.Second), Changes: []report.Change{{Field: "group", New: "+ create"}}},
		{Row: 9, Source: "users.csv:10", Op: "update_user", Target: "username=eve", Status: report.StatusFailed, Attempts: 5,
			Finished: at(5*time.Minute + 7*time.Second), ErrorCode: "outcome_unknown",
			ErrorMessage: "gave up after 5 attempts: PUT /acme/identity_/api/User/x: connection reset"},
	}
}

// sampleSettings are an apply's settings, apply-only ones among them.
func sampleSettings() map[string]any {
	return map[string]any{
		"organization": "acme", "tenant": "Default", "target": "https://cloud.uipath.com/acme/Default",
		"workers": 8, "max_attempts": 5, "timeout": "30s", "limits": "none", "resumed": true,
		"bulk_size": 100, "max_failures": 0, "max_staleness": "60s", "skip_unchanged": false,
		"secrets": "secrets.age", "drain": "30s",
	}
}

// sampleSessions are the two sittings of a run interrupted and resumed.
func sampleSessions() []any {
	return []any{
		map[string]any{"started_at": sampleStart.Format(time.RFC3339Nano), "finished_at": sampleStart.Add(10 * time.Second).Format(time.RFC3339Nano), "requests": 40, "rows": 4},
		map[string]any{"started_at": sampleStart.Add(5 * time.Minute).Format(time.RFC3339Nano), "finished_at": sampleStart.Add(5*time.Minute + 10*time.Second).Format(time.RFC3339Nano), "requests": map[string]any{"GET": 3, "PUT": 7}, "rows": 5},
	}
}

// writeSample writes a run folder of rows with the report's own writer,
// then sets summary.json's settings to settings and its other fields to
// extra (fields the report's Summary may not know yet).
func writeSample(t testing.TB, dir, command string, rows []report.Result, settings map[string]any, extra map[string]any) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := journal.WriteMeta(dir, journal.Meta{RunID: filepath.Base(dir), Command: command, Manifest: "users.csv", Started: sampleStart}); err != nil {
		t.Fatal(err)
	}
	w, err := report.Create(report.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Append(rows[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(report.Summary{RunID: filepath.Base(dir), Command: command, Manifest: "users.csv", StartedAt: sampleStart,
		FinishedAt: sampleStart.Add(5*time.Minute + 10*time.Second)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, report.SummaryJSON)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if settings != nil {
		all["settings"] = settings
	}
	for k, v := range extra {
		all[k] = v
	}
	if data, err = json.MarshalIndent(all, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

// sampleApply and samplePlan write the sample run folders.
func sampleApply(t testing.TB, dir string) {
	t.Helper()
	writeSample(t, dir, "apply", sampleRows(report.StatusSucceeded), sampleSettings(), map[string]any{"sessions": sampleSessions()})
}

func samplePlan(t testing.TB, dir string) {
	t.Helper()
	writeSample(t, dir, "plan", sampleRows(report.StatusPlanned), sampleSettings(), nil)
}

func TestEachMemberReadsQuotedNames(t *testing.T) {
	type m struct {
		Added bool
		Name  string
	}
	for _, tc := range []struct {
		in   string
		want []m
	}{
		{sampleGroups, []m{{true, "Automation Users"}, {true, "Automation Developers"}}},
		{sampleMoves, []m{{true, "Finance"}, {false, "Old Group"}, {false, `Say "hi"`}}},
		// The bare form older folders hold: names with spaces unquoted.
		{"+Automation Users +Automation Developers", []m{{true, "Automation Users"}, {true, "Automation Developers"}}},
		{"+6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff −Sales", []m{{true, "6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff"}, {false, "Sales"}}},
		// A name with a "; " or " → " inside its quotes; a cut cell.
		{`+"A; B → C" −"unclosed na…`, []m{{true, "A; B → C"}, {false, "unclosed na…"}}},
	} {
		var got []m
		eachMember(tc.in, func(added bool, name string) { got = append(got, m{added, name}) })
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("eachMember(%q) = %v, want %v", tc.in, got, tc.want)
		}
		added, removed := countMembers(tc.in)
		wa, wr := 0, 0
		for _, w := range tc.want {
			if w.Added {
				wa++
			} else {
				wr++
			}
		}
		if tc.in != "+Automation Users +Automation Developers" && (added != wa || removed != wr) {
			t.Errorf("countMembers(%q) = +%d −%d, want +%d −%d", tc.in, added, removed, wa, wr)
		}
	}
}

func TestSplitChange(t *testing.T) {
	c := splitChange("groups", "", sampleGroups)
	if !reflect.DeepEqual(c.Added, []string{"Automation Users", "Automation Developers"}) || c.Removed != nil {
		t.Errorf("groups %q split as +%q −%q", sampleGroups, c.Added, c.Removed)
	}
	if c := splitChange("account", "", "+ create"); c.Lifecycle != "create" || c.Added != nil {
		t.Errorf("a create marker splits as %+v", c)
	}
	if c := splitChange("group", "", "− delete"); c.Lifecycle != "delete" || c.Removed != nil {
		t.Errorf("a delete marker splits as %+v", c)
	}
	if c := splitChange("name", `"A"`, `"B"`); !c.HasArrow || c.Added != nil || c.Lifecycle != "" {
		t.Errorf("a field change splits as %+v", c)
	}
}

func TestEachChangeTextReadsQuotedValuesWhole(t *testing.T) {
	r := report.Result{Changes: []report.Change{
		{Field: "account", New: "+ create"},
		{Field: "display_name", Old: `"Ann; the first"`, New: `"Anna → B"`},
		{Field: "groups", New: `+"X; Y" −Z`},
		{Field: "password", Old: "***", New: "***"},
		{Field: "name", Old: "?", New: `"say \"hi\"; bye"`},
	}}
	var got []report.Change
	eachChangeText(r.ChangesString(), func(field, old, nw string) { got = append(got, report.Change{Field: field, Old: old, New: nw}) })
	if !reflect.DeepEqual(got, r.Changes) {
		t.Errorf("results.csv's %q reads back as %+v, want %+v", r.ChangesString(), got, r.Changes)
	}
}

func TestDisplayError(t *testing.T) {
	for in, want := range map[string]string{
		sampleError: "PUT /acme/identity_/api/User/afb826bc-5241-4187-836b-caf33810fa46: 400 Bad Request (validation): One or more validation errors occurred.",
		"gave up after 5 attempts: attempt 5, outcome unknown, not retried: reset": "reset",
		"no user with username \"nobody\"":                                         "no user with username \"nobody\"",
		"attempt 1, not retryable: ":                                               "attempt 1, not retryable: ",
		"attempt x, not retryable: y":                                              "attempt x, not retryable: y",
	} {
		if got := displayError(in); got != want {
			t.Errorf("displayError(%q) = %q, want %q", in, got, want)
		}
	}
}

// The plan shows groups with spaces whole, creates and deletes as such,
// and only the settings a plan uses.
func TestPlanPageReadsAsAReviewerReadsIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	samplePlan(t, dir)
	page := render(t, dir)
	for _, want := range []string{
		`<ins>+Automation Users</ins> <ins>+Automation Developers</ins>`,
		`<ins>+Finance</ins> <del>−Old Group</del> <del>−Say &#34;hi&#34;</del>`,
		`<li class="lc">creates the <b>account</b>, setting:</li>`,
		`<li class="lc">deletes the <b>account</b></li>`,
		`<li class="lc">creates the <b>group</b></li>`,
		`<code>username</code>: <ins>&#34;new.person&#34;</ins>`,
		`<h3 class="kind-create">Creates: 2</h3>`,
		`<h3 class="kind-delete">Deletes: 1</h3>`,
		`<p class="target" id="target">against <b>https://cloud.uipath.com/acme/Default</b></p>`,
		`<th>workers</th>`, `<th>max_attempts</th>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan's page lacks %s", want)
		}
	}
	for _, bad := range []string{`<ins>+</ins>`, `<ins>+Automation</ins>`, `<ins>+create</ins>`, `: <ins>+ create</ins>`} {
		if strings.Contains(page, bad) {
			t.Errorf("the plan's page holds %s", bad)
		}
	}
	for _, applyOnly := range []string{"bulk_size", "max_failures", "max_staleness", "skip_unchanged", "secrets", "drain"} {
		if strings.Contains(page, "<th>"+applyOnly+"</th>") {
			t.Errorf("the plan's page shows the apply-only setting %s", applyOnly)
		}
	}
	if strings.Contains(page, `id="changed"`) {
		t.Error("a plan's page says what the run changed")
	}
	// The field counts leave the create and delete markers out.
	if strings.Contains(page, `<td><code>account</code></td>`) {
		t.Error("the plan counts a create or delete marker as a changed field")
	}
}

// A folder with results.csv only (text changes) reads the same.
func TestPlanFromResultsCSVReadsQuotedNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	samplePlan(t, dir)
	if err := os.Remove(filepath.Join(dir, report.ResultsJSONL)); err != nil {
		t.Fatal(err)
	}
	page := render(t, dir)
	for _, want := range []string{
		`<ins>+Automation Users</ins> <ins>+Automation Developers</ins>`,
		`<del>&#34;Ann; the first&#34;</del> → <ins>&#34;Anna → B&#34;</ins>`,
		`<li class="lc">creates the <b>account</b>, setting:</li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan's page read from results.csv lacks %s", want)
		}
	}
}

var (
	reBlockTags = regexp.MustCompile(`</?(?:li|tr|td|th|p|ul|ol|table|thead|tbody|h\d|div|section)\b[^>]*>`)
	reTags      = regexp.MustCompile(`<[^>]+>`)
)

// text is a piece of the page as text: tags dropped (a block's as a
// space), spaces folded.
func text(html string) string {
	return strings.Join(strings.Fields(reTags.ReplaceAllString(reBlockTags.ReplaceAllString(html, " "), "")), " ")
}

// section is the page's section of that id.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<section id="`+id+`">`)
	if i < 0 {
		t.Fatalf("the page has no %s section", id)
	}
	return page[i : i+strings.Index(page[i:], "</section>")]
}

func TestApplyPageSaysWhatChanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "apply")
	sampleApply(t, dir)
	page := render(t, dir)
	got := text(section(t, page, "changed"))
	for _, want := range []string{
		"6 rows changed the organization; 1 row already matched the manifest (unchanged).",
		"created: 1 user account, 1 group",
		"deleted: 1 user account",
		"updated: display_name on 1 row",
		"group memberships: 3 added, 2 removed",
		"set: 2 passwords, 1 robot credentials", // a created account's initial password among them
		"1 row failed with an unknown outcome",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("what the run changed lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(page, `id="changed"`) > strings.Index(page, `id="what-ran"`) {
		t.Error("what the run changed is not near the top")
	}
	if strings.Contains(got, "username") || strings.Contains(got, " name on") {
		t.Errorf("a created account's fields count as updates: %s", got)
	}
	for _, want := range []string{"<th>bulk_size</th>", "<th>max_staleness</th>", "<th>drain</th>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the apply's page lacks the setting %s", want)
		}
	}

	dir = filepath.Join(t.TempDir(), "nothing")
	writeSample(t, dir, "apply", []report.Result{
		{Row: 1, Op: "update_user", Target: "username=a", Status: report.StatusUnchanged, Attempts: 1},
		{Row: 2, Op: "update_user", Target: "username=b", Status: report.StatusFailed, Attempts: 1, ErrorCode: "not_found"},
	}, nil, nil)
	got = text(section(t, render(t, dir), "changed"))
	if !strings.Contains(got, "Nothing changed: no row changed the organization; 1 row already matched the manifest (unchanged).") {
		t.Errorf("a run that changed nothing says: %s", got)
	}
}

// The failures show errors without the retry loop's prefixes, whole in a
// tooltip.
func TestFailureGroupsShowErrorsWithoutRetryNoise(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "apply")
	sampleApply(t, dir)
	page := section(t, render(t, dir), "failures")
	want := `<span class="msg" title="attempt 1, not retryable: PUT /acme/identity_/api/User/afb826bc-5241-4187-836b-caf33810fa46: 400 Bad Request (validation): One or more validation errors occurred.">PUT /acme/identity_/api/User/`
	if !strings.Contains(page, want) {
		t.Errorf("the failures do not show the error without its prefix, whole in its title:\n%s", page)
	}
	if strings.Contains(page, `">attempt 1`) || strings.Contains(page, `">gave up after`) {
		t.Error("a failure group shows the retry loop's prefix")
	}
}

func TestHeaderNamesTheTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "target")
	sampleApply(t, dir)
	page := render(t, dir)
	header := page[strings.Index(page, "<header>"):strings.Index(page, "</header>")]
	if !strings.Contains(header, `<p class="target" id="target">against <b>https://cloud.uipath.com/acme/Default</b></p>`) {
		t.Errorf("the header does not name the target:\n%s", header)
	}
	if ran := section(t, page, "what-ran"); !strings.Contains(ran, `<tr><th>target</th><td><code>https://cloud.uipath.com/acme/Default</code></td></tr>`) || strings.Count(ran, "<th>target</th>") != 1 {
		t.Error("what ran does not name the target once")
	}

	dir = filepath.Join(t.TempDir(), "no-target")
	s := sampleSettings()
	delete(s, "target")
	writeSample(t, dir, "apply", sampleRows(report.StatusSucceeded), s, nil)
	page = render(t, dir)
	if !strings.Contains(page, `<p class="target" id="target">against organization <b>acme</b>, tenant <b>Default</b></p>`) {
		t.Error("without a target, the header does not name the organization and tenant")
	}
	// The target at the top level of summary.json is shown all the same.
	dir = filepath.Join(t.TempDir(), "top-level")
	writeSample(t, dir, "apply", sampleRows(report.StatusSucceeded), s, map[string]any{"target": "https://host.example/org/tenant"})
	page = render(t, dir)
	if !strings.Contains(page, `<p class="target" id="target">against <b>https://host.example/org/tenant</b></p>`) || strings.Contains(page, "<code>&#34;https://host") {
		t.Error("a target at summary.json's top level is not named in the header, once")
	}
	// An old folder: the header names what it knows.
	page = render(t, filepath.Join("testdata", "old-apply"))
	if !strings.Contains(page, `against organization <b>demo-org</b>, tenant <b>DefaultTenant</b>`) {
		t.Error("an old folder's header does not name its organization and tenant")
	}
}

func TestSessionsAreListedAndMarkedOnTheTimeline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "resumed")
	sampleApply(t, dir)
	page := render(t, dir)
	sessions := text(page[strings.Index(page, `<table class="sessions"`):])
	for _, want := range []string{
		"1 2026-11-30 02:00:00 UTC 2026-11-30 02:00:10 UTC 10.0s 4 40",
		"interrupted; resumed 4m50s later with --resume",
		"2 2026-11-30 02:05:00 UTC 2026-11-30 02:05:10 UTC 10.0s 5 10",
	} {
		if !strings.Contains(sessions, want) {
			t.Errorf("the sessions lack %q:\n%.400s", want, sessions)
		}
	}
	timeline := section(t, page, "timeline")
	if !strings.Contains(timeline, `<rect class="paused"`) || !strings.Contains(timeline, "interrupted at 02:00:10, resumed at 02:05:00 (4m50s later)") {
		t.Errorf("the timeline does not mark the interruption:\n%s", timeline)
	}
	if strings.Contains(page, "<th>sessions</th><td><code>") {
		t.Error("the sessions are shown again as a raw field")
	}

	// No sessions: the page as before. Sessions of an unknown shape: shown
	// as written, the page still rendered.
	for name, extra := range map[string]map[string]any{
		"none":  nil,
		"odd":   {"sessions": map[string]any{"count": 2}},
		"loose": {"sessions": []any{map[string]any{"started_at": "yesterday", "rows": "many", "requests": []int{1}}}},
	} {
		dir := filepath.Join(t.TempDir(), name)
		writeSample(t, dir, "apply", sampleRows(report.StatusSucceeded), sampleSettings(), extra)
		page := render(t, dir)
		switch name {
		case "none":
			if strings.Contains(page, `class="sessions"`) || strings.Contains(page, `class="paused"`) {
				t.Error("a run without sessions lists sessions")
			}
		case "odd":
			if !strings.Contains(page, `<tr><th>sessions</th><td><code>{`) || !strings.Contains(page, `&#34;count&#34;: 2`) {
				t.Error("sessions of an unknown shape are not shown as written")
			}
		case "loose":
			if !strings.Contains(text(page), "1 yesterday many") || strings.Contains(page, `class="paused"`) {
				t.Error("a session with loose fields is not shown as written")
			}
		}
	}
}

// The table's rows carry what the script renders: a succeeded row's
// missing HTTP status as 0 (shown as —) and the error whole (the script
// shortens it).
func TestTableKeepsWholeValues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "apply")
	sampleApply(t, dir)
	rows, strs := embedded(t, render(t, dir))
	for _, r := range rows {
		switch int(r[0].(float64)) {
		case 1:
			if r[5].(float64) != 0 || !strings.Contains(cell(r[13], strs), sampleGroups) {
				t.Errorf("row 1: %v", r)
			}
		case 6:
			if cell(r[10], strs) != sampleError {
				t.Errorf("row 6's error is %q, want it whole", cell(r[10], strs))
			}
		}
	}
}

// FuzzChangeText holds the readers of change text to what the producer
// writes: Go-quoted values and group names read back whole, whatever
// they hold, and no input makes them fail.
func FuzzChangeText(f *testing.F) {
	for _, s := range [][2]string{{"Ann", "Automation Users"}, {"a; b", "c → d"}, {`"`, `\`}, {"", " "}, {"+ create", "− delete"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := report.Result{Changes: []report.Change{
			{Field: "name", Old: strconv.Quote(a), New: strconv.Quote(b)},
			{Field: "groups", New: "+" + strconv.Quote(a) + " −" + strconv.Quote(b)},
		}}
		var got []report.Change
		eachChangeText(r.ChangesString(), func(field, old, nw string) { got = append(got, report.Change{Field: field, Old: old, New: nw}) })
		if !reflect.DeepEqual(got, r.Changes) {
			t.Fatalf("%q reads back as %q", r.ChangesString(), got)
		}
		var names []string
		eachMember(r.Changes[1].New, func(added bool, name string) { names = append(names, name) })
		if len(names) != 2 || names[0] != a || names[1] != b {
			t.Fatalf("%q reads back as groups %q", r.Changes[1].New, names)
		}
		// Anything at all: no panic.
		eachChangeText(a+"; "+b, func(string, string, string) {})
		eachMember(a, func(bool, string) {})
		countMembers(b)
		displayError(a)
	})
}
