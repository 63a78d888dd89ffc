package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // the screenshots' format
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds headless Chromium for the browser test: $BATCH_CHROMIUM,
// else chromium on PATH. Without it the test skips, except in CI (CI=true),
// which installs it (.ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BATCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const how = "no Chromium found for the report.html browser test: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set BATCH_CHROMIUM=/path/to/chrome"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// browser is a page open in headless Chromium, with the console errors
// it logged and the requests it made.
type browser struct {
	ctx      context.Context
	url      string
	mu       sync.Mutex
	problems []string
}

// open loads the page at path in a fresh headless Chromium whose window
// is width pixels wide.
func open(t *testing.T, path string, width int64) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{ctx: ctx, url: (&url.URL{Scheme: "file", Path: abs}).String()}
	chromedp.ListenTarget(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
				b.problems = append(b.problems, fmt.Sprintf("console.%s %v", ev.Type, ev.Args))
			}
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError || ev.Entry.Level == log.LevelWarning {
				b.problems = append(b.problems, fmt.Sprintf("log %s: %s", ev.Entry.Source, ev.Entry.Text))
			}
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != b.url {
				b.problems = append(b.problems, "request: "+ev.Request.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), network.Enable(), runtime.Enable(),
		chromedp.Navigate(b.url), chromedp.WaitReady("#rows-body", chromedp.ByID)); err != nil {
		t.Fatalf("open %s in Chromium: %v", path, err)
	}
	return b
}

// eval runs js in the page and decodes its value into out.
func (b *browser) eval(t *testing.T, js string, out any) {
	t.Helper()
	if err := chromedp.Run(b.ctx, chromedp.Evaluate(js, out)); err != nil {
		t.Fatalf("evaluate %q: %v", js, err)
	}
}

// checkQuiet fails on any console error, exception or request so far.
func (b *browser) checkQuiet(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("the page: %s", p)
	}
}

// screenshot writes the whole page as a PNG named name into
// $BATCH_SCREENSHOT_DIR (else the test's temporary folder).
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("BATCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	if err := chromedp.Run(b.ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(buf)); err != nil || format != "png" {
		t.Fatalf("screenshot is not a PNG: %s %v", format, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

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
	chromium(t)
	dir := t.TempDir()
	applyDir, planDir := filepath.Join(dir, "apply"), filepath.Join(dir, "plan")
	sampleApply(t, applyDir)
	samplePlan(t, planDir)
	for _, d := range []string{applyDir, planDir} {
		if err := Write(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}

	b := open(t, filepath.Join(applyDir, FileName), 1000)
	var rows map[string]struct {
		Ins    []string `json:"ins"`
		Del    []string `json:"del"`
		Kind   string   `json:"kind"`
		Change string   `json:"change"`
		HTTP   string   `json:"http"`
		Error  string   `json:"error"`
		Title  string   `json:"title"`
	}
	b.eval(t, `Object.fromEntries([...document.querySelectorAll('#rows-body tr')].map(tr => [tr.dataset.row, {
		ins: [...tr.querySelectorAll('td.ch ins')].map(e => e.textContent),
		del: [...tr.querySelectorAll('td.ch del')].map(e => e.textContent),
		kind: (tr.querySelector('td.ch .kind') || {}).textContent || '',
		change: tr.querySelector('td.ch').innerText,
		http: tr.children[5].textContent,
		error: (tr.querySelector('td.er div:not(.err-code):not(.fe)') || {}).textContent || '',
		title: (tr.querySelector('td.er div:not(.err-code):not(.fe)') || {}).title || '',
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
	var breaks struct {
		Bad     []string `json:"bad"`
		Wrapped int      `json:"wrapped"`
	}
	b.eval(t, lineBreaks, &breaks)
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
	b.eval(t, `({
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
	b.screenshot(t, "report-apply.png")
	b.checkQuiet(t)

	b = open(t, filepath.Join(planDir, FileName), 1300)
	var plan struct {
		Ins      []string `json:"ins"`
		Del      []string `json:"del"`
		Lc       []string `json:"lc"`
		Settings []string `json:"settings"`
	}
	b.eval(t, `({
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
	b.screenshot(t, "report-plan.png")
	b.checkQuiet(t)
}
