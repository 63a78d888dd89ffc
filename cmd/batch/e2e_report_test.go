package main

import (
	"bytes"
	"fmt"
	_ "image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"

	"github.com/uipath-batch/batch/internal/browsertest"
)

// Names that would run script if the page let them: one set on the server
// by an apply, read back by a plan.
const (
	hostileImg    = `<img src=x onerror=window.pwned=1>`
	hostileScript = `</script><script>window.pwned=2</script>`
)

// screenshotDir is where screenshots go: $BATCH_SCREENSHOT_DIR, else the
// test's temporary folder.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("BATCH_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// checkReportPage holds an open report.html against its run folder: the
// counts equal summary.json's, the status filter shows exactly the failed
// rows, and the page stayed quiet.
func checkReportPage(t *testing.T, bp *browsertest.Page, runDir string) {
	t.Helper()
	s := readSummary(t, runDir)
	var counts map[string]string
	bp.Eval(t, `Object.fromEntries([...document.querySelectorAll('[data-status-count]')].map(e => [e.dataset.statusCount, e.textContent]))`, &counts)
	for st, n := range s.ByStatus {
		if counts[string(st)] != strconv.Itoa(n) {
			t.Errorf("page shows %s %q, summary.json %d", st, counts[string(st)], n)
		}
	}
	if len(counts) != len(s.ByStatus) {
		t.Errorf("page counts statuses %v, summary.json %v", counts, s.ByStatus)
	}
	var total string
	bp.Eval(t, `document.getElementById('rows-total').textContent`, &total)
	if total != formatThousands(s.Rows) {
		t.Errorf("page shows %s rows, summary.json %d", total, s.Rows)
	}

	var failed struct {
		Rows  []int `json:"rows"`
		Shown int   `json:"shown"`
	}
	bp.Eval(t, `(() => {
		const s = document.getElementById('f-status');
		s.value = 'failed';
		s.dispatchEvent(new Event('change'));
		const rows = [];
		for (;;) {
			document.querySelectorAll('#rows-body tr').forEach(tr => rows.push(+tr.dataset.row));
			const next = document.getElementById('next');
			if (next.disabled) break;
			next.click();
		}
		return {rows, shown: +document.getElementById('shown-count').textContent};
	})()`, &failed)
	var want []int
	for _, r := range readResults(t, runDir) {
		if r.Status == report.StatusFailed {
			want = append(want, r.Row)
		}
	}
	slices.Sort(want)
	if !slices.Equal(failed.Rows, want) || failed.Shown != s.ByStatus[report.StatusFailed] {
		t.Errorf("status filter failed shows rows %v (count %d), want %v (summary %d)", failed.Rows, failed.Shown, want, s.ByStatus[report.StatusFailed])
	}
	bp.Eval(t, `(() => { const s = document.getElementById('f-status'); s.value = ''; s.dispatchEvent(new Event('change')); })()`, nil)
	bp.CheckQuiet(t)
}

// checkHostileIsText checks the page shows each name as text and ran none.
func checkHostileIsText(t *testing.T, bp *browsertest.Page, names ...string) {
	t.Helper()
	for _, name := range names {
		var found bool
		bp.Eval(t, fmt.Sprintf(`(() => { const q = %q; const s = document.getElementById('f-text'); s.value = 'window.pwned'; s.dispatchEvent(new Event('input')); const ok = document.body.innerText.includes(q); s.value = ''; s.dispatchEvent(new Event('input')); return ok; })()`, name), &found)
		if !found {
			t.Errorf("the page does not show %q as text", name)
		}
	}
	var state struct {
		Pwned   bool `json:"pwned"`
		Images  int  `json:"images"`
		Scripts int  `json:"scripts"`
	}
	bp.Eval(t, `({pwned: window.pwned !== undefined, images: document.images.length, scripts: document.scripts.length})`, &state)
	if state.Pwned || state.Images != 0 || state.Scripts != 4 {
		t.Errorf("hostile names were not kept as text: %+v (want no pwned, no images, the page's 4 scripts)", state)
	}
}

func formatThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// reportManifest is an apply whose rows succeed, meet each kind of refusal,
// and set hostile names on the server.
func reportManifest(n int) string {
	var b strings.Builder
	b.WriteString("op,username,name,display_name,group_ids_to_add,old_password,new_password\n")
	for i := 1; i <= n; i++ {
		switch i {
		case 2:
			fmt.Fprintf(&b, "update_user,user%05d,%s,,,,\n", i, csvQuote(hostileImg))
		case 3:
			fmt.Fprintf(&b, "update_user,user%05d,%s,,,,\n", i, csvQuote(hostileScript))
		case 4:
			fmt.Fprintf(&b, "update_user,user%05d,,,6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff,,\n", i)
		case 5:
			fmt.Fprintf(&b, "change_password,user%05d,,,,Initial-Pass-%05d!,short\n", i, i)
		case 6:
			b.WriteString("update_user,nobody,,Ghost,,,\n")
		case 7:
			fmt.Fprintf(&b, "set_password,user%05d,,,,,Report-Pass-%05d!\n", i, i)
		default:
			fmt.Fprintf(&b, "update_user,user%05d,,Report %d,,,\n", i, i)
		}
	}
	return b.String()
}

// TestReportHTMLInABrowser applies and then plans against the emulator
// (with 503s and a PUT budget the client does not know, so rows retry and
// meet 429s) and opens each run's report.html in headless Chromium.
func TestReportHTMLInABrowser(t *testing.T) {
	browsertest.Chromium(t)
	const n = 150
	emu := startEmulator(t, emulator.Config{
		Users: n, FaultRate: 0.05, FaultStatuses: []int{503}, FaultSeed: 7,
		Limits: map[string]emulator.Budget{"PUT": {Requests: 60, Window: time.Second}},
	})
	dir := t.TempDir()
	m := writeFile(t, dir, "report.csv", reportManifest(n))
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "shown", "--limits", "none",
		"--allow-literal-secrets", "--max-attempts", "10", "--workers", "8", "--no-progress")
	if res.code != 1 {
		t.Fatalf("apply exit %d, want 1 (some rows fail)\n%s", res.code, res.stderr)
	}
	applyDir := filepath.Join(dir, "reports", "shown")
	s := readSummary(t, applyDir)
	throttled, retried := 0, 0
	for _, r := range readResults(t, applyDir) {
		throttled += r.Throttled
		if r.Attempts > 1 {
			retried++
		}
	}
	data, err := os.ReadFile(filepath.Join(applyDir, report.ResultsJSONL))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var r struct {
			Row      int       `json:"row"`
			Finished time.Time `json:"finished_at"`
		}
		decodeJSON(t, line, &r)
		if r.Finished.Before(s.StartedAt.Truncate(time.Millisecond)) || r.Finished.After(s.FinishedAt) {
			t.Errorf("row %d finished at %v, outside the run (%v to %v)", r.Row, r.Finished, s.StartedAt, s.FinishedAt)
		}
	}
	if s.Throttled == 0 || throttled != s.Throttled || retried == 0 {
		t.Errorf("rows count %d 429s and %d retried rows; the run saw %d 429s", throttled, retried, s.Throttled)
	}

	shots := screenshotDir(t)
	bp := browsertest.Open(t, filepath.Join(applyDir, "report.html"), 1300, "#rows-body")
	checkReportPage(t, bp, applyDir)
	checkHostileIsText(t, bp, hostileImg, hostileScript)
	var bars struct {
		Rate  int `json:"rate"`
		T429  int `json:"t429"`
		Retry int `json:"retry"`
	}
	var jump struct {
		Want string `json:"want"`
		Got  string `json:"got"`
	}
	bp.Eval(t, `(() => {
		const a = document.querySelectorAll('#by-code a[data-goto]')[0];
		a.click();
		const hl = document.querySelector('#rows-body tr.hl');
		return {want: a.dataset.goto, got: hl ? hl.dataset.row : ''};
	})()`, &jump)
	if jump.Want == "" || jump.Got != jump.Want {
		t.Errorf("a failure group's link to row %s shows row %q", jump.Want, jump.Got)
	}
	bp.Eval(t, `({rate: document.querySelectorAll('#timeline rect.rate').length, t429: document.querySelectorAll('#timeline rect.t429').length, retry: document.querySelectorAll('#timeline rect.retry').length})`, &bars)
	if bars.Rate == 0 || bars.T429 == 0 || bars.Retry == 0 {
		t.Errorf("timeline draws %+v bars; want rows/s, 429s and retries", bars)
	}
	bp.Screenshot(t, shots, "report-apply.png")
	bp.CheckQuiet(t)

	// The plan reads the hostile names back from the server.
	pm := writeFile(t, dir, "plan.csv", "op,username,name,group_ids_to_add\n"+
		"update_user,user00002,Ann,\nupdate_user,user00003,Bo,6f1b7c2a-0d4e-4c1a-9b7e-000000000005\nupdate_user,nobody,Ghost,\nupdate_user,user00008,,\n")
	res = runBatch(t, emu, dir, "plan", pm, "--run-id", "planned", "--limits", "none", "--no-progress")
	if res.code != 1 {
		t.Fatalf("plan exit %d, want 1 (a row fails)\n%s", res.code, res.stderr)
	}
	planDir := filepath.Join(dir, "reports", "planned")
	bp = browsertest.Open(t, filepath.Join(planDir, "report.html"), 1300, "#rows-body")
	checkReportPage(t, bp, planDir)
	checkHostileIsText(t, bp, `name: "`+hostileImg+`" → "Ann"`, `name: "`+hostileScript+`" → "Bo"`)
	var diff string
	bp.Eval(t, `document.querySelector('#changes ol.diff').innerText`, &diff)
	if !strings.Contains(diff, hostileImg) || !strings.Contains(diff, "groups: +Finance") {
		t.Errorf("the plan's differences do not read as a reviewer reads them:\n%s", diff)
	}
	bp.Screenshot(t, shots, "report-plan.png")
	bp.CheckQuiet(t)

	assertNoSecrets(t, []string{"Report-Pass-00007!", "Initial-Pass-00005!", emulator.DefaultClientSecret},
		[]string{res.stdout, res.stderr}, applyDir, planDir)
}

var reHTMLCount = regexp.MustCompile(`data-status-count="(\w+)">(\d+)<`)

// htmlCounts reads the status counts of a report.html without a browser.
func htmlCounts(t *testing.T, path string) map[report.Status]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[report.Status]int{}
	for _, m := range reHTMLCount.FindAllSubmatch(data, -1) {
		n, _ := strconv.Atoi(string(m[2]))
		out[report.Status(m[1])] = n
	}
	return out
}

// TestReportHTMLAfterStopAndResume stops an apply at its first failure and
// resumes it: each end writes report.html, the resumed one covering every
// row of the run.
func TestReportHTMLAfterStopAndResume(t *testing.T) {
	const n = 40
	emu := startEmulator(t, emulator.Config{Users: n})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,username,display_name\n")
	for i := 1; i <= n; i++ {
		user := fmt.Sprintf("user%05d", i)
		if i == 5 {
			user = "nobody"
		}
		fmt.Fprintf(&b, "update_user,%s,Resumed %d\n", user, i)
	}
	m := writeFile(t, dir, "stop.csv", b.String())
	res := runBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "stop", "--limits", "none", "--workers", "1", "--max-failures", "1", "--no-progress")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3 (stopped)\n%s", res.code, res.stderr)
	}
	runDir := filepath.Join(dir, "reports", "stop")
	page := filepath.Join(runDir, "report.html")
	got := htmlCounts(t, page)
	if got[report.StatusSkipped] == 0 || !mapsEqual(got, readSummary(t, runDir).ByStatus) {
		t.Errorf("stopped run's page counts %v, summary.json %v", got, readSummary(t, runDir).ByStatus)
	}
	if data, _ := os.ReadFile(page); !bytes.Contains(data, []byte(`id="exit-code">3<`)) {
		t.Error("stopped run's page does not say exit code 3")
	}

	res = runBatch(t, emu, dir, "apply", m, "--yes", "--resume", "stop", "--limits", "none", "--no-progress")
	if res.code != 1 {
		t.Fatalf("resume exit %d, want 1 (row 5 failed)\n%s", res.code, res.stderr)
	}
	got = htmlCounts(t, page)
	want := map[report.Status]int{report.StatusSucceeded: n - 1, report.StatusFailed: 1}
	if !mapsEqual(got, want) || !mapsEqual(readSummary(t, runDir).ByStatus, want) {
		t.Errorf("resumed run's page counts %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[report.Status]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestReportCommandRendersAnOldRun renders run folders written before the
// report carried finish times or report.html (kept in testdata, as that
// version wrote them), and refuses a folder that holds no run.
func TestReportCommandRendersAnOldRun(t *testing.T) {
	for _, name := range []string{"old-apply", "old-plan"} {
		runDir := filepath.Join(t.TempDir(), name)
		if err := os.CopyFS(runDir, os.DirFS(filepath.Join(repoRoot(t), "internal", "htmlreport", "testdata", name))); err != nil {
			t.Fatal(err)
		}
		res := runBatch(t, nil, t.TempDir(), "report", runDir)
		page := filepath.Join(runDir, "report.html")
		if res.code != 0 || strings.TrimSpace(res.stdout) != page {
			t.Fatalf("batch report %s: exit %d, stdout %q\n%s", name, res.code, res.stdout, res.stderr)
		}
		if got, want := htmlCounts(t, page), readSummary(t, runDir).ByStatus; !mapsEqual(got, want) {
			t.Errorf("%s: page counts %v, summary.json %v", name, got, want)
		}
	}
	res := runBatch(t, nil, t.TempDir(), "report", t.TempDir())
	if res.code != 2 || !strings.Contains(res.stderr, "holds no run") {
		t.Errorf("an empty folder: exit %d, %q; want 2 and why", res.code, res.stderr)
	}
}

// TestReportHTMLOf100000Rows renders a 100,000-row run folder (written by
// the report's own writer, as an apply writes it) with `batch report` and
// opens it: the page holds every row, pages and filters them.
func TestReportHTMLOf100000Rows(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and opens a 100,000-row report")
	}
	browsertest.Chromium(t)
	const n = 100_000
	runDir := filepath.Join(t.TempDir(), "large")
	w, err := report.Create(report.Options{Dir: runDir})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Minute)
	for i := 1; i <= n; i++ {
		r := report.Result{
			Row: i, Source: fmt.Sprintf("migrate-users.csv:%d", i+1), Op: "update_user", Target: fmt.Sprintf("email=user%06d@example.com", i),
			Status: report.StatusSucceeded, Attempts: 1, Duration: 30 * time.Millisecond, Finished: start.Add(time.Duration(i) * 500 * time.Microsecond),
			Changes: []report.Change{{Field: "name", Old: fmt.Sprintf(`"User %d"`, i), New: fmt.Sprintf(`"Person %d"`, i)}},
		}
		if i%50 == 0 {
			r.Status, r.HTTPStatus, r.ErrorCode, r.ErrorMessage = report.StatusFailed, 400, "validation", "One or more validation errors occurred."
			r.ValidationErrors = report.FieldErrors{"name": {"The field Name must be a string with a maximum length of 64."}}
		}
		if err := w.Append(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(report.Summary{RunID: "large", Command: "apply", Manifest: "migrate-users.csv", StartedAt: start}); err != nil {
		t.Fatal(err)
	}
	if res := runBatch(t, nil, t.TempDir(), "report", runDir); res.code != 0 {
		t.Fatalf("batch report: exit %d\n%s", res.code, res.stderr)
	}
	page := filepath.Join(runDir, "report.html")
	st, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report.html of %d rows: %.1f MB", n, float64(st.Size())/(1<<20))

	opened := time.Now()
	bp := browsertest.Open(t, page, 1300, "#rows-body")
	var shown struct {
		Count int `json:"count"`
		Rows  int `json:"rows"`
		Info  string
	}
	bp.Eval(t, `({count: +document.getElementById('shown-count').textContent, rows: document.querySelectorAll('#rows-body tr').length, info: document.getElementById('page-info').textContent})`, &shown)
	t.Logf("opened and filled in %s: %+v", time.Since(opened).Round(time.Millisecond), shown)
	if shown.Count != n || shown.Rows != 100 || shown.Info != "page 1 of 1000" {
		t.Errorf("page shows %+v; want %d rows, a first page of 100, 1000 pages", shown, n)
	}
	var jump struct {
		Row  string `json:"row"`
		Info string `json:"info"`
	}
	bp.Eval(t, `(() => {
		const a = document.createElement('a');
		a.setAttribute('data-goto', '54321');
		document.body.appendChild(a);
		a.click();
		const hl = document.querySelector('#rows-body tr.hl');
		return {row: hl ? hl.dataset.row : '', info: document.getElementById('page-info').textContent};
	})()`, &jump)
	if jump.Row != "54321" || jump.Info != "page 544 of 1000" {
		t.Errorf("a link to row 54321 shows %+v; want it highlighted on page 544", jump)
	}
	checkReportPage(t, bp, runDir)
}

// TestReportHTMLAfterInterrupt interrupts an apply with SIGINT: the page
// is written as the run stops, its counts those of summary.json, with the
// rows not run as skipped.
func TestReportHTMLAfterInterrupt(t *testing.T) {
	const n = 300
	emu := startEmulator(t, emulator.Config{Users: n, Latency: 5 * time.Millisecond})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("op,username,display_name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "update_user,user%05d,Interrupted %d\n", i, i)
	}
	m := writeFile(t, dir, "int.csv", b.String())
	runDir := filepath.Join(dir, "reports", "int")
	cmd, out := startBatch(t, emu, dir, "apply", m, "--yes", "--run-id", "int", "--limits", "none", "--workers", "2", "--no-progress")
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	waitLines(t, filepath.Join(runDir, report.ResultsJSONL), 20, done)
	_ = cmd.Process.Signal(syscall.SIGINT)
	<-done
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("interrupted run exit %d, want 3\n%s", code, out)
	}
	page := filepath.Join(runDir, "report.html")
	got, want := htmlCounts(t, page), readSummary(t, runDir).ByStatus
	if got[report.StatusSkipped] == 0 || !mapsEqual(got, want) {
		t.Errorf("interrupted run's page counts %v, summary.json %v", got, want)
	}
	if data, _ := os.ReadFile(page); !bytes.Contains(data, []byte(`id="exit-code">3<`)) {
		t.Error("interrupted run's page does not say exit code 3")
	}
}
