package htmlreport

import (
	"context"
	_ "image/png" // the screenshots' format
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/browsertest"
)

// lineBreaks lists the cells of the table whose text wraps where it
// should not: numbers (HTTP, attempts, ms) anywhere, targets other than
// after = / , - _ or a space, or before @ or . It also counts the target
// cells that wrap at all.
const lineBreaks = `(() => {
	const bad = [];
	let wrapped = 0;
	const range = document.createRange();
	const check = (td, ok) => {
		const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
		let top = null, prev = '', lines = 1;
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			for (let i = 0; i < n.length; i++) {
				range.setStart(n, i); range.setEnd(n, i + 1);
				const r = range.getClientRects()[0];
				const c = n.data[i];
				if (!r || r.width === 0) { prev = c; continue; }
				if (top !== null && r.top > top + 2) {
					lines++;
					if (!ok(prev, c)) bad.push(JSON.stringify(td.textContent) + ' breaks between ' + JSON.stringify(prev) + ' and ' + JSON.stringify(c));
				}
				top = r.top; prev = c;
			}
		}
		return lines;
	};
	document.querySelectorAll('#rows-body td.num').forEach(td => check(td, () => false));
	document.querySelectorAll('#rows-body td.tg').forEach(td => {
		if (check(td, (p, c) => '=/,-_ '.includes(p) || '@.'.includes(c)) > 1) wrapped++;
	});
	return {bad, wrapped};
})()`

// TestPageInABrowser opens the pages of an apply and of a plan in
// headless Chromium, its window narrow enough that the table's cells wrap,
// and reads them as a person does: group names with spaces whole, numbers
// and addresses unbroken, a succeeded row's missing HTTP status as —,
// creates marked, errors without the retry loop's noise, the target in
// the header, what the run changed, its sessions.
func TestPageInABrowser(t *testing.T) {
	browsertest.Chromium(t)
	dir := t.TempDir()
	applyDir, planDir := filepath.Join(dir, "apply"), filepath.Join(dir, "plan")
	sampleApply(t, applyDir)
	writeVerify(t, applyDir, [][]string{
		{"1", "ensure_user", "email=new.person@example.com", "confirmed", "2026-11-30T02:00:02Z", "External Application 5f1c", "a-1", ""},
		{"2", "update_user", sampleLongEmail, "not_found_in_audit", "", "", "", "no identity audit record of this client for " + sampleLongEmail + " (User Update) in the run's window"},
		{"3", "delete_user", "email=gone@example.com", "changed_by_others", "2026-11-30T02:00:07Z", "admin@example.com", "a-7", "admin@example.com update it at 2026-11-30T02:00:07Z"},
		{"4", "set_password", "username=bob", "not_checkable", "", "", "", "the run signed in with a personal access token: its records cannot be told from a person's"},
		{"5", "set_robot_credentials", "username=robot1", "confirmed", "2026-11-30T02:05:03Z", "External Application 5f1c", "a-2", ""},
		{"8", "ensure_group", "group_name=Automation Users", "confirmed", "2026-11-30T02:05:06Z", "External Application 5f1c", "a-3", ""},
	})
	samplePlan(t, planDir)
	for _, d := range []string{applyDir, planDir} {
		if err := Write(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}

	b := browsertest.Open(t, filepath.Join(applyDir, FileName), 1000, "#rows-body")
	var rows map[string]struct {
		Ins     []string `json:"ins"`
		Del     []string `json:"del"`
		Kind    string   `json:"kind"`
		Change  string   `json:"change"`
		HTTP    string   `json:"http"`
		Error   string   `json:"error"`
		Title   string   `json:"title"`
		Verdict string   `json:"verdict"`
	}
	b.Eval(t, `Object.fromEntries([...document.querySelectorAll('#rows-body tr')].map(tr => [tr.dataset.row, {
		ins: [...tr.querySelectorAll('td.ch ins')].map(e => e.textContent),
		del: [...tr.querySelectorAll('td.ch del')].map(e => e.textContent),
		kind: (tr.querySelector('td.ch .kind') || {}).textContent || '',
		change: tr.querySelector('td.ch').innerText,
		http: tr.children[5].textContent,
		error: (tr.querySelector('td.er div:not(.err-code):not(.fe)') || {}).textContent || '',
		title: (tr.querySelector('td.er div:not(.err-code):not(.fe)') || {}).title || '',
		verdict: (tr.querySelector('td .vd .chip') || {}).textContent || '',
	}]))`, &rows)
	if r := rows["1"]; !slices.Equal(r.Ins, []string{"+Automation Users", "+Automation Developers"}) || r.Kind != "create" || !strings.HasPrefix(strings.ToLower(r.Change), "create account") {
		t.Errorf("row 1 (a create with groups) shows %+v; want the groups whole and the create marked", r)
	}
	if r := rows["2"]; !slices.Equal(r.Ins, []string{"+Finance"}) || !slices.Equal(r.Del, []string{"−Old Group", `−Say "hi"`}) ||
		!strings.Contains(r.Change, `display_name: "Ann; the first" → "Anna → B"`) {
		t.Errorf("row 2 (an update) shows %+v", r)
	}
	if r := rows["3"]; r.Kind != "delete" {
		t.Errorf("row 3 (a delete) shows %+v; want the delete marked", r)
	}
	if rows["1"].HTTP != "—" || rows["6"].HTTP != "400" {
		t.Errorf("the HTTP column shows %q for a succeeded row without a status and %q for a 400", rows["1"].HTTP, rows["6"].HTTP)
	}
	if r := rows["6"]; !strings.HasPrefix(r.Error, "PUT /acme/") || r.Title != sampleError {
		t.Errorf("row 6's error shows %q (title %q); want it without the retry loop's prefix, whole in its title", r.Error, r.Title)
	}
	if rows["2"].Verdict != "not found in audit" || rows["1"].Verdict != "confirmed" || rows["6"].Verdict != "" {
		t.Errorf("the table's verdicts: row 2 %q, row 1 %q, row 6 (failed) %q", rows["2"].Verdict, rows["1"].Verdict, rows["6"].Verdict)
	}
	var verified struct {
		Text    string   `json:"text"`
		Listed  []string `json:"listed"`
		Clicked string   `json:"clicked"`
	}
	b.Eval(t, `(() => {
		const text = document.getElementById('verified').innerText;
		const listed = [...document.querySelectorAll('#not-confirmed tbody tr')].map(tr => tr.children[0].innerText + ' ' + tr.children[3].innerText);
		document.querySelector('#not-confirmed a[data-goto="3"]').click();
		const tr = document.getElementById('row-3');
		return {text, listed, clicked: tr ? tr.className : 'none'};
	})()`, &verified)
	if !strings.Contains(verified.Text, "6 succeeded rows were checked") || !slices.Equal(verified.Listed, []string{"2 not_found_in_audit", "3 changed_by_others", "4 not_checkable"}) {
		t.Errorf("the verification lists %q, saying:\n%s", verified.Listed, verified.Text)
	}
	if verified.Clicked != "hl" {
		t.Errorf("a listed row's link does not show the row in the table (%q)", verified.Clicked)
	}
	var breaks struct {
		Bad     []string `json:"bad"`
		Wrapped int      `json:"wrapped"`
	}
	b.Eval(t, lineBreaks, &breaks)
	for _, bad := range breaks.Bad {
		t.Errorf("a cell wraps where it should not: %s", bad)
	}
	if breaks.Wrapped == 0 {
		t.Error("no target wraps in a narrow window: the line-break check checks nothing")
	}
	var top struct {
		Target   string   `json:"target"`
		Changed  string   `json:"changed"`
		Sessions []string `json:"sessions"`
		Pauses   int      `json:"pauses"`
		First    string   `json:"first"`
	}
	b.Eval(t, `({
		target: document.getElementById('target').innerText,
		changed: document.getElementById('changed').innerText,
		sessions: [...document.querySelectorAll('#sessions tbody tr')].map(tr => tr.innerText),
		pauses: document.querySelectorAll('#timeline svg .paused, #timeline svg .resume').length,
		first: document.querySelector('section').id,
	})`, &top)
	if top.Target != "against https://cloud.uipath.com/acme/Default" {
		t.Errorf("the header names the target as %q", top.Target)
	}
	if top.First != "changed" || !strings.Contains(top.Changed, "created: 1 user account, 1 group") || !strings.Contains(top.Changed, "group memberships: 3 added, 2 removed") {
		t.Errorf("the page's first section is %q, saying:\n%s", top.First, top.Changed)
	}
	if len(top.Sessions) != 3 || !strings.Contains(top.Sessions[1], "interrupted") || top.Pauses != 2 {
		t.Errorf("the sessions show as %q with %d marks on the timeline; want 2 sessions, the interruption between, marked", top.Sessions, top.Pauses)
	}
	b.Screenshot(t, "", "report-apply.png")
	b.CheckQuiet(t)

	b = browsertest.Open(t, filepath.Join(planDir, FileName), 1300, "#rows-body")
	var plan struct {
		Ins      []string `json:"ins"`
		Del      []string `json:"del"`
		Lc       []string `json:"lc"`
		Settings []string `json:"settings"`
	}
	b.Eval(t, `({
		ins: [...document.querySelectorAll('#changes ol.diff ins')].map(e => e.textContent),
		del: [...document.querySelectorAll('#changes ol.diff del')].map(e => e.textContent),
		lc: [...document.querySelectorAll('#changes li.lc')].map(e => e.innerText),
		settings: [...document.querySelectorAll('#what-ran th')].map(e => e.textContent),
	})`, &plan)
	for _, want := range []string{"+Automation Users", "+Automation Developers", "+Finance"} {
		if !slices.Contains(plan.Ins, want) {
			t.Errorf("the plan's differences do not show %q whole: %q", want, plan.Ins)
		}
	}
	if !slices.Contains(plan.Del, "−Old Group") || !slices.Equal(plan.Lc, []string{"creates the account, setting:", "deletes the account", "creates the group"}) {
		t.Errorf("the plan's differences show removals %q and creates/deletes %q", plan.Del, plan.Lc)
	}
	for _, s := range []string{"bulk_size", "max_failures", "max_staleness", "drain", "secrets"} {
		if slices.Contains(plan.Settings, s) {
			t.Errorf("the plan shows the apply-only setting %s", s)
		}
	}
	b.Screenshot(t, "", "report-plan.png")
	b.CheckQuiet(t)
}
