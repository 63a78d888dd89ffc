package htmlreport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/report"
)

// writeRun writes a run folder with the report's own writer: run.json,
// the rows, and (when summary is set) summary.json.
func writeRun(t testing.TB, dir, command string, rows []report.Result, summary bool) report.Summary {
	t.Helper()
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := journal.WriteMeta(dir, journal.Meta{RunID: filepath.Base(dir), Command: command, Manifest: "users.csv", ManifestSHA256: strings.Repeat("ab", 32), Started: start}); err != nil {
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
	if !summary {
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		return report.Summary{}
	}
	s, err := w.Close(report.Summary{RunID: filepath.Base(dir), Command: command, Manifest: "users.csv", StartedAt: start,
		FinishedAt: start.Add(time.Minute), Settings: map[string]any{"organization": "acme", "tenant": "Default", "workers": 8}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func render(t testing.TB, dir string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(context.Background(), dir, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// embedded decodes the page's table: its rows and its string table.
func embedded(t testing.TB, page string) (rows [][]any, strs []string) {
	t.Helper()
	grab := func(id string) string {
		start := `<script type="application/json" id="` + id + `">`
		i := strings.Index(page, start)
		if i < 0 {
			t.Fatalf("no %s element", id)
		}
		rest := page[i+len(start):]
		return rest[:strings.Index(rest, "</script>")]
	}
	var chunks []json.RawMessage
	if err := json.Unmarshal([]byte(grab("rows-data")), &chunks); err != nil {
		t.Fatalf("rows-data is not JSON: %v", err)
	}
	for _, c := range chunks[:len(chunks)-1] {
		var rs [][]any
		if err := json.Unmarshal(c, &rs); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rs...)
	}
	if err := json.Unmarshal([]byte(grab("strings-data")), &strs); err != nil {
		t.Fatalf("strings-data is not JSON: %v", err)
	}
	return rows, strs
}

// cell reads a column that holds an index into the string table or a string.
func cell(v any, strs []string) string {
	if f, ok := v.(float64); ok {
		return strs[int(f)]
	}
	return v.(string)
}

func TestHostileStringsStayText(t *testing.T) {
	const img = `<img src=x onerror=alert(1)>`
	const script = `</script><script>alert(2)</script><!--`
	dir := filepath.Join(t.TempDir(), "hostile")
	rows := []report.Result{
		{Row: 1, Source: "users.csv:2", Op: "update_user", Target: "username=" + img, Status: report.StatusSucceeded, Attempts: 1,
			Changes: []report.Change{{Field: "name", Old: `"` + script + `"`, New: `"` + img + `"`}}},
		{Row: 2, Source: "users.csv:3", Op: "update_user", Target: "username=" + script, Status: report.StatusFailed, Attempts: 1,
			ErrorCode: "validation", ErrorMessage: "bad " + script, ValidationErrors: report.FieldErrors{img: {script}}, TraceID: img},
	}
	writeRun(t, dir, "apply", rows, true)
	page := render(t, dir)
	if n := strings.Count(page, "<script"); n != 4 {
		t.Errorf("page has %d script elements, want the 4 of its own", n)
	}
	for _, bad := range []string{"<img", "alert(1)>", "<!--"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	got, strs := embedded(t, page)
	if len(got) != 2 {
		t.Fatalf("table holds %d rows, want 2", len(got))
	}
	byRow := map[int][]any{}
	for _, r := range got {
		byRow[int(r[0].(float64))] = r
	}
	if byRow[1][3] != "username="+img || cell(byRow[1][13], strs) != rows[0].ChangesString() {
		t.Errorf("row 1 does not read back as written: %v", byRow[1])
	}
	if cell(byRow[2][10], strs) != rows[1].ErrorMessage || cell(byRow[2][11], strs) != rows[1].ValidationErrors.String() || byRow[2][12] != img {
		t.Errorf("row 2 does not read back as written: %v", byRow[2])
	}

	// Verified, with the same strings in every column of verify.csv.
	writeVerify(t, dir, [][]string{
		{"1", script, "username=" + img, script, img, script, img, "<script>alert(3)</script> " + img},
		{"5", "update_user", script, "not_found_in_audit", "", "", "", script},
	})
	page = render(t, dir)
	if n := strings.Count(page, "<script"); n != 4 {
		t.Errorf("the verified page has %d script elements, want the 4 of its own", n)
	}
	for _, bad := range []string{"<img", "alert(1)>", "<!--", "alert(3)</"} {
		if strings.Contains(page, bad) {
			t.Errorf("the verified page holds %q unescaped", bad)
		}
	}
	sec := section(t, page, "verified")
	if !strings.Contains(sec, `<span class="chip vd-other">&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;!--</span>`) {
		t.Errorf("a hostile verdict is not shown as text, styled as other:\n%s", sec)
	}
	got, strs = embedded(t, page)
	for _, r := range got {
		if r[0].(float64) == 1 && cell(r[14], strs) != script {
			t.Errorf("row 1's verdict reads back as %q", cell(r[14], strs))
		}
	}
}

var reCount = regexp.MustCompile(`data-status-count="(\w+)">(\d+)<`)

func pageCounts(page string) map[report.Status]int {
	out := map[report.Status]int{}
	for _, m := range reCount.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[2])
		out[report.Status(m[1])] = n
	}
	return out
}

func sameCounts(a, b map[report.Status]int) bool {
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

// TestOldRunFolders renders folders written before rows carried a finish
// time (testdata, as that version wrote them).
func TestOldRunFolders(t *testing.T) {
	for _, name := range []string{"old-apply", "old-plan"} {
		dir := filepath.Join("testdata", name)
		s, err := report.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		page := render(t, dir)
		if got := pageCounts(page); !sameCounts(got, s.ByStatus) {
			t.Errorf("%s: page counts %v, summary %v", name, got, s.ByStatus)
		}
		if rows, _ := embedded(t, page); len(rows) != s.Rows {
			t.Errorf("%s: table holds %d rows, summary %d", name, len(rows), s.Rows)
		}
		if name == "old-apply" && !strings.Contains(page, "no timeline") {
			t.Errorf("%s: a run without finish times should say it has no timeline", name)
		}
		if name == "old-plan" && !strings.Contains(page, `<ins>+6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff</ins>`) {
			t.Errorf("%s: the plan's group change is not shown as an addition", name)
		}
	}
}

// TestKilledRunAndCSVOnly renders a folder a killed run left (no
// summary.json) and one with results.csv only.
func TestKilledRunAndCSVOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "killed")
	var rows []report.Result
	for i := 1; i <= 30; i++ {
		st := report.StatusSucceeded
		if i%10 == 0 {
			st = report.StatusFailed
		}
		rows = append(rows, report.Result{Row: i, Op: "update_user", Target: fmt.Sprintf("username=u%d", i), Status: st, Attempts: 1, ErrorCode: map[bool]report.Code{true: report.CodeNotFound}[st == report.StatusFailed]})
	}
	writeRun(t, dir, "apply", rows, false)
	page := render(t, dir)
	want := map[report.Status]int{report.StatusSucceeded: 27, report.StatusFailed: 3}
	if got := pageCounts(page); !sameCounts(got, want) || !strings.Contains(page, `id="exit-code">unknown<`) {
		t.Errorf("killed run: counts %v, want %v, and an unknown exit code", got, want)
	}
	if err := os.Remove(filepath.Join(dir, report.ResultsJSONL)); err != nil {
		t.Fatal(err)
	}
	page = render(t, dir)
	if got := pageCounts(page); !sameCounts(got, want) || !strings.Contains(page, "Read from results.csv") {
		t.Errorf("results.csv only: counts %v, want %v", got, want)
	}
	if err := os.Remove(filepath.Join(dir, report.ResultsCSV)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, journal.MetaName)); err != nil {
		t.Fatal(err)
	}
	if err := Render(context.Background(), dir, &bytes.Buffer{}); err == nil {
		t.Error("a folder with no run rendered without an error")
	}
}

// TestTableKeepsFailuresFirst lowers the table's bound below a run's rows:
// every failed row stays, the others fill the rest.
func TestTableKeepsFailuresFirst(t *testing.T) {
	defer func(n int) { tableRows = n }(tableRows)
	tableRows = 50
	dir := filepath.Join(t.TempDir(), "big")
	var rows []report.Result
	for i := 1; i <= 120; i++ {
		st := report.StatusSucceeded
		if i%4 == 0 {
			st = report.StatusFailed
		}
		rows = append(rows, report.Result{Row: i, Op: "update_user", Target: "t", Status: st, Attempts: 1})
	}
	writeRun(t, dir, "apply", rows, true)
	page := render(t, dir)
	got, strs := embedded(t, page)
	failed := 0
	for _, r := range got {
		if cell(r[4], strs) == "failed" {
			failed++
		}
	}
	if len(got) != 50 || failed != 30 || !strings.Contains(page, "The table holds 50 of the 120 rows") {
		t.Errorf("table holds %d rows, %d failed; want 50 with all 30 failed, and a note", len(got), failed)
	}
	if counts := pageCounts(page); counts[report.StatusFailed] != 30 || counts[report.StatusSucceeded] != 90 {
		t.Errorf("counts cover the table, not the run: %v", counts)
	}
}

// bigRun is n rows as a 50,000-row migration writes them: a target by
// email, a trace id, a change or two; every 50th row fails with the
// server's field errors.
func bigRun(n int, start time.Time) []report.Result {
	rows := make([]report.Result, n)
	for i := range rows {
		row := i + 1
		r := report.Result{
			Row: row, Source: fmt.Sprintf("migrate-users.csv:%d", row+1), Op: "update_user",
			Target: fmt.Sprintf("email=user%06d@example.com", row), Status: report.StatusSucceeded, Attempts: 1,
			Duration: 40 * time.Millisecond, Finished: start.Add(time.Duration(row) * time.Millisecond),
			Changes: []report.Change{{Field: "name", Old: fmt.Sprintf(`"User %d"`, row), New: fmt.Sprintf(`"Person %d"`, row)}, {Field: "groups", New: "+6f1b7c2a-0d4e-4c1a-9b7e-000000000003"}},
		}
		if row%50 == 0 {
			r.Status, r.HTTPStatus, r.ErrorCode, r.Attempts, r.Throttled = report.StatusFailed, 400, "validation", 3, 2
			r.TraceID = fmt.Sprintf("00-55ff38190db27320%016x-b54cda58fbbee87e-00", row)
			r.ErrorMessage = "attempt 1, not retryable: PUT /acme/identity_/api/User/afb826bc-5241-4187-836b-caf33810fa46: 400 Bad Request (validation): One or more validation errors occurred."
			r.ValidationErrors = report.FieldErrors{"groupIDsToAdd": {"Group '6f1b7c2a-0d4e-4c1a-9b7e-0000000000ff' does not exist in this organization."}}
		}
		rows[i] = r
	}
	return rows
}

// TestSizeBound renders a 100,000-row run, verified: every row is in the
// table with its verdict and the page stays within the bound the package
// states.
func TestSizeBound(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100,000-row run")
	}
	const n = 100_000
	dir := filepath.Join(t.TempDir(), "large")
	rows := bigRun(n, time.Date(2026, 11, 30, 2, 0, 1, 0, time.UTC))
	writeRun(t, dir, "apply", rows, true)
	// Verified: the table's rows carry their verdicts.
	var verdicts [][]string
	for _, r := range rows {
		if r.Status == report.StatusSucceeded {
			v := map[bool]string{false: "confirmed", true: "not_checkable"}[r.Row%100 == 1]
			verdicts = append(verdicts, []string{strconv.Itoa(r.Row), r.Op, r.Target, v, "", "", "", ""})
		}
	}
	writeVerify(t, dir, verdicts)
	if err := Write(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	limit := MaxFixedBytes + n*MaxBytesPerRow
	t.Logf("report.html of %d rows: %d bytes (%.0f per row; bound %d)", n, len(data), float64(len(data))/n, limit)
	if len(data) > limit {
		t.Errorf("report.html is %d bytes, over the bound of %d", len(data), limit)
	}
	table, strs := embedded(t, string(data))
	if len(table) != n {
		t.Errorf("table holds %d rows, want %d", len(table), n)
	}
	if v := cell(table[n-1][14], strs); v != "confirmed" {
		t.Errorf("row %v's verdict is %q", table[n-1][0], v)
	}
	if counts := pageCounts(string(data)); counts[report.StatusFailed] != n/50 || counts[report.StatusSucceeded] != n-n/50 {
		t.Errorf("counts %v", counts)
	}
}

// TestTableStopsAtItsSizeBound lowers the table's byte bound below what
// long messages need: the page keeps the rows that fit, failures first.
func TestTableStopsAtItsSizeBound(t *testing.T) {
	defer func(n int) { tableBytes = n }(tableBytes)
	tableBytes = 64 << 10
	dir := filepath.Join(t.TempDir(), "long")
	var rows []report.Result
	for i := 1; i <= 400; i++ {
		st := report.StatusSucceeded
		if i%4 == 0 {
			st = report.StatusFailed
		}
		rows = append(rows, report.Result{Row: i, Op: "update_user", Target: "t", Status: st, Attempts: 1,
			ErrorMessage: strings.Repeat(fmt.Sprintf("message %d ", i), 40)})
	}
	writeRun(t, dir, "apply", rows, true)
	page := render(t, dir)
	got, strs := embedded(t, page)
	failed := 0
	for _, r := range got {
		if cell(r[4], strs) == "failed" {
			failed++
		}
	}
	if len(page) > MaxFixedBytes+tableBytes || len(got) == 0 || len(got) >= 400 || !strings.Contains(page, `"full":true`) {
		t.Errorf("page of %d bytes holds %d rows; want under %d bytes, some rows, and the table marked full", len(page), len(got), MaxFixedBytes+tableBytes)
	}
	if failed != 100 {
		t.Errorf("the table holds %d of the 100 failed rows; they come first", failed)
	}
}

// TestOneReadingOrTwo renders a run whose table fits in memory from one
// reading of its results, and again with no room, from two: the pages
// are the same.
func TestOneReadingOrTwo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "same")
	writeRun(t, dir, "apply", bigRun(2500, time.Date(2026, 11, 30, 2, 0, 1, 0, time.UTC)), true)
	rendered := regexp.MustCompile(`Rendered [^<]*`)
	once := rendered.ReplaceAllString(render(t, dir), "")
	defer func(n int) { memoryBytes = n }(memoryBytes)
	memoryBytes = 0
	twice := rendered.ReplaceAllString(render(t, dir), "")
	if once != twice {
		t.Error("the page rendered from one reading differs from the one rendered from two")
	}
	if rows, _ := embedded(t, once); len(rows) != 2500 {
		t.Errorf("table holds %d rows, want 2500", len(rows))
	}
}

// TestPlanMarksDeletesAndCreates reads a plan as a reviewer does: each
// row's differences, deletes and creates marked.
func TestPlanMarksDeletesAndCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plan")
	writeRun(t, dir, "plan", []report.Result{
		{Row: 1, Op: "update_user", Target: "email=ann@example.com", Status: report.StatusPlanned,
			Changes: []report.Change{{Field: "name", Old: `"Ann"`, New: `"Anna"`}, {Field: "groups", New: "+Finance −Sales"}}},
		{Row: 2, Op: "delete_user", Target: "email=bo@example.com", Status: report.StatusPlanned},
		{Row: 3, Op: "ensure_user", Target: "email=cy@example.com", Status: report.StatusPlanned,
			Changes: []report.Change{{Field: "name", New: `"Cy"`}}},
		{Row: 4, Op: "update_user", Target: "email=di@example.com", Status: report.StatusUnchanged},
	}, true)
	page := render(t, dir)
	for _, want := range []string{
		`<del>&#34;Ann&#34;</del> → <ins>&#34;Anna&#34;</ins>`,
		`<ins>+Finance</ins> <del>−Sales</del>`,
		`<h3 class="kind-delete">Deletes: 1</h3>`,
		`<h3 class="kind-create">Creates: 1</h3>`,
		`<span class="kind kind-delete">delete</span>`,
		`<span class="kind kind-create">create</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the plan's differences lack %s", want)
		}
	}
	if strings.Contains(page, `<td><code></code></td>`) {
		t.Error("a row without changes counts as a change of no field")
	}
}

// TestFixedPartIsBounded renders a plan and an apply whose rows hold
// everything long and many: codes, fields, ops, changes, group ids,
// errors behind the retry loop's prefixes (shown whole in tooltips),
// creates, deletes and secrets of many kinds, sessions, verdicts. The page outside
// its table stays under MaxFixedBytes.
func TestFixedPartIsBounded(t *testing.T) {
	long := strings.Repeat("x", 1000)
	var ids strings.Builder
	for i := range 100 {
		fmt.Fprintf(&ids, "+%s-%d ", long[:60], i)
	}
	for _, command := range []string{"plan", "apply"} {
		status := report.StatusPlanned
		if command == "apply" {
			status = report.StatusSucceeded
		}
		var rows []report.Result
		for i := 1; i <= 1200; i++ {
			r := report.Result{Row: i, Op: fmt.Sprintf("op_%d_%s", i%80, long[:100]), Target: long, Status: status}
			switch i % 3 {
			case 1:
				r.Changes = append(r.Changes, report.Change{Field: fmt.Sprintf("thing %d %s", i%70, long[:50]), New: "+ create"})
			case 2:
				r.Changes = append(r.Changes, report.Change{Field: fmt.Sprintf("thing %d %s", i%70, long[:50]), New: "− delete"})
			}
			for c := range 12 {
				r.Changes = append(r.Changes, report.Change{Field: fmt.Sprintf("f%d_%d%s", c, i%7, long[:50]), Old: long, New: long})
			}
			r.Changes = append(r.Changes, report.Change{Field: "groups", New: ids.String()},
				report.Change{Field: fmt.Sprintf("secret %d%s", i%70, long[:50]), Old: "***", New: "***"})
			if i%2 == 0 {
				r.Status, r.ErrorCode, r.ErrorMessage = report.StatusFailed, report.Code(fmt.Sprintf("code_%d_%s", i%60, long[:100])), "attempt 1, not retryable: "+long
				r.ValidationErrors = report.FieldErrors{fmt.Sprintf("field_%d_%s", i%60, long[:100]): {long, long}}
			}
			rows = append(rows, r)
		}
		sessions := make([]any, 200)
		for i := range sessions {
			sessions[i] = map[string]any{"started_at": long, "finished_at": long, "rows": long, "requests": map[string]any{long: 1}}
		}
		dir := filepath.Join(t.TempDir(), "wide-"+command)
		writeSample(t, dir, command, rows, map[string]any{"target": long, "organization": long, long: long}, map[string]any{"sessions": sessions})
		// Verified, every row not confirmed, every text long (and in a
		// plan's folder, where it is not shown).
		var verdicts [][]string
		for i := 1; i <= 1200; i++ {
			v := []string{"not_found_in_audit", "changed_by_others", "not_checkable", "x" + long}[i%4]
			verdicts = append(verdicts, []string{strconv.Itoa(i), long, long, v, long, long, long, long})
		}
		writeVerify(t, dir, verdicts)
		page := render(t, dir)
		fixed := len(page)
		for _, id := range []string{"rows-data", "strings-data"} {
			start := `<script type="application/json" id="` + id + `">`
			i := strings.Index(page, start) + len(start)
			fixed -= strings.Index(page[i:], "</script>")
		}
		t.Logf("%s: page %d bytes, %d outside the table", command, len(page), fixed)
		if fixed > MaxFixedBytes {
			t.Errorf("%s: the page outside its table is %d bytes, over %d", command, fixed, MaxFixedBytes)
		}
	}
}

func TestHistogramWidensAndKeepsEveryRow(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHistogram(start)
	for i := range 3600 {
		h.add(start.Add(time.Duration(i)*time.Second), 2, 1)
	}
	total := 0
	for _, b := range h.buckets[:h.used] {
		total += b.rows
	}
	if total != 3600 || h.width*histBuckets < time.Hour || h.used > histBuckets {
		t.Fatalf("after an hour: %d rows in %d buckets of %v", total, h.used, h.width)
	}
	c := h.draw()
	if c == nil || len(c.Rate) == 0 || len(c.Rate) > maxBars || c.Retries != 3600 || c.Throttled != 3600 {
		t.Fatalf("chart: %+v", c)
	}
}

// Requests by service are shown in their place, per service and method,
// not again as raw JSON among the fields the page does not know.
func TestRequestsByServiceAreShownOnce(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	if err := journal.WriteMeta(dir, journal.Meta{RunID: "run", Command: "apply", Manifest: "robots.csv", Started: start}); err != nil {
		t.Fatal(err)
	}
	w, err := report.Create(report.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(report.Result{Row: 1, Source: "robots.csv:2", Op: "set_robot_credentials", Target: "username=robot-001", Status: report.StatusSucceeded, Attempts: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(report.Summary{RunID: "run", Command: "apply", Manifest: "robots.csv", StartedAt: start, FinishedAt: start.Add(time.Second),
		Requests: map[string]int{"GET": 1, "PATCH": 100},
		RequestsByService: map[string]map[string]report.RequestCount{
			"identity":     {"token": {Requests: 1}},
			"orchestrator": {"GET": {Requests: 1}, "PATCH": {Requests: 100, Throttled: 3}},
		}}); err != nil {
		t.Fatal(err)
	}
	page := render(t, dir)
	if !strings.Contains(page, "orchestrator PATCH 100 (429s: 3)") || !strings.Contains(page, "identity token 1 (429s: 0)") {
		t.Error("the requests by service are not shown per service and method")
	}
	if strings.Contains(page, "requests_by_service") {
		t.Error("the requests by service are shown again as raw JSON")
	}
}

// A row finished centuries after the run began (a hand-edited or corrupt
// finished_at) lands in the last bucket instead of widening without end.
func TestHistogramTakesARowCenturiesOff(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := newHistogram(start)
	h.add(start.Add(time.Second), 1, 0)
	h.add(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 1, 0)
	total := 0
	for _, b := range h.buckets[:h.used] {
		total += b.rows
	}
	if total != 2 || h.used > histBuckets || h.width <= 0 {
		t.Fatalf("%d rows in %d buckets of %v", total, h.used, h.width)
	}
}

// An apply's page names its undo manifest, beside it, once: not again as
// raw summary fields.
func TestApplyPageNamesItsUndoManifest(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	if err := journal.WriteMeta(dir, journal.Meta{RunID: "run", Command: "apply", Manifest: "users.csv", Started: start}); err != nil {
		t.Fatal(err)
	}
	w, err := report.Create(report.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(report.Result{Row: 1, Source: "users.csv:2", Op: "update_user", Target: "email=a@example.com", Status: report.StatusSucceeded, Attempts: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(report.Summary{RunID: "run", Command: "apply", Manifest: "users.csv", StartedAt: start, FinishedAt: start.Add(time.Second),
		UndoManifest: filepath.Join(dir, "undo.csv"), UndoRows: 1}); err != nil {
		t.Fatal(err)
	}
	page := render(t, dir)
	if !strings.Contains(page, `<a href="undo.csv"><code>undo.csv</code></a>: 1 row;`) {
		t.Error("the page does not name the undo manifest")
	}
	if strings.Contains(page, "undo_manifest") || strings.Contains(page, dir) {
		t.Error("the undo manifest is shown again as a raw field, or by its full path")
	}
}
