package htmlreport

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/report"
)

// verifyHeader is verify.csv's header as internal/verify writes it.
var verifyHeader = []string{"row", "op", "target", "verdict", "audit_time", "actor", "audit_id", "reason"}

// copyRun copies a run folder of testdata into a new temporary folder.
func copyRun(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeVerify writes verify.csv into dir, the header first.
func writeVerify(t testing.TB, dir string, rows [][]string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, verifyFileName))
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(append([][]string{verifyHeader}, rows...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// setSummaryVerify puts counts into summary.json's "verify", or takes it
// out when counts is nil.
func setSummaryVerify(t testing.TB, dir string, counts map[string]int) {
	t.Helper()
	path := filepath.Join(dir, report.SummaryJSON)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if counts == nil {
		delete(all, "verify")
	} else {
		all["verify"] = counts
	}
	if data, err = json.MarshalIndent(all, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

// oldApplyVerdicts are verdicts of testdata/old-apply's succeeded rows
// (1, 2, 3 and 7), in the order verify writes them (the results').
var oldApplyVerdicts = [][]string{
	{"1", "update_user", "username=user00001", "confirmed", "2026-11-30T14:56:23Z", "External Application 5f1c", "a-1", ""},
	{"2", "update_user", "username=user00002", "not_checkable", "", "", "", "the audit may not be written yet (the row finished 3s before it was read; verify again later, or --wait)"},
	{"3", "update_user", "username=user00003", "changed_by_others", "2026-11-30T14:56:23Z", "admin@example.com", "a-9", "admin@example.com update it at 2026-11-30T14:56:23Z"},
	{"7", "set_password", "username=user00006", "not_found_in_audit", "", "", "", "no identity audit record of this client for username=user00006 (User Update) in the run's window"},
}

var (
	reVerdictCount = regexp.MustCompile(`data-verdict-count="(\w+)">([\d,]+)<`)
	reListedRow    = regexp.MustCompile(`<tr data-verdict="(\w+)"><td class="n"><a href="#row-(\d+)"`)
)

// verdictCounts reads the section's counts by verdict.
func verdictCounts(page string) map[string]int {
	out := map[string]int{}
	for _, m := range reVerdictCount.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
		out[m[1]] = n
	}
	return out
}

// listedRows reads the rows not confirmed the section lists, as
// "verdict row".
func listedRows(page string) []string {
	var out []string
	for _, m := range reListedRow.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func TestVerifiedSection(t *testing.T) {
	dir := copyRun(t, "old-apply")
	writeVerify(t, dir, oldApplyVerdicts)
	setSummaryVerify(t, dir, map[string]int{"confirmed": 1, "not_found_in_audit": 1, "changed_by_others": 1, "not_checkable": 1})
	page := render(t, dir)
	sec := section(t, page, "verified")
	want := map[string]int{"confirmed": 1, "not_found_in_audit": 1, "changed_by_others": 1, "not_checkable": 1}
	if got := verdictCounts(sec); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the section counts %v, want %v", got, want)
	}
	got := html.UnescapeString(text(sec))
	for _, w := range []string{
		"Verified against UiPath's audit logs",
		"4 succeeded rows were checked against UiPath's audit logs; verify.csv gives each row's verdict.",
		"confirmed 1 25.0% UiPath's audit holds a record of this run's own client",
		"not_found_in_audit 1 25.0% The service answered success, but its audit holds no record",
		"changed_by_others 1 25.0% Someone else",
		"not_checkable 1 25.0% The audit cannot say",
		"Rows not confirmed",
		"3 update_user username=user00003 changed_by_others 2026-11-30T14:56:23Z admin@example.com admin@example.com update it at 2026-11-30T14:56:23Z",
		"the audit may not be written yet (the row finished 3s before it was read; verify again later, or --wait)",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("the section lacks %q:\n%s", w, got)
		}
	}
	// Not found and changed by others first, then not checkable; the
	// confirmed row not at all.
	if rows := listedRows(sec); strings.Join(rows, ", ") != "not_found_in_audit 7, changed_by_others 3, not_checkable 2" {
		t.Errorf("the section lists %q", rows)
	}
	if !strings.Contains(sec, `<td class="at" title="audit record a-9">2026-11-30T14:56:23Z</td>`) {
		t.Error("the audit time of a change by others does not name its record")
	}
	if strings.Contains(sec, "more in") || strings.Contains(sec, "summary.json counts") {
		t.Error("the section says rows are left out, or that the counts disagree")
	}
	if i, j := strings.Index(page, `id="verified"`), strings.Index(page, `id="what-ran"`); i > j {
		t.Error("the verification is not near the top")
	}
	if strings.Contains(page, "<th>verify</th>") {
		t.Error("summary.json's verify counts are shown again as a raw field")
	}

	// Each succeeded row of the table carries its verdict; the others none.
	rows, strs := embedded(t, page)
	verdicts := map[int]string{}
	for _, r := range rows {
		if len(r) != 15 {
			t.Fatalf("a row of the table has %d columns, want 15: %v", len(r), r)
		}
		verdicts[int(r[0].(float64))] = cell(r[14], strs)
	}
	if fmt.Sprint(verdicts) != "map[1:confirmed 2:not_checkable 3:changed_by_others 4: 5: 6: 7:not_found_in_audit]" {
		t.Errorf("the table's verdicts are %v", verdicts)
	}
}

// Without summary.json's counts, the section counts verify.csv; with
// counts that disagree with it, it shows summary.json's and says so.
func TestVerifiedCountsFromEitherFile(t *testing.T) {
	dir := copyRun(t, "old-apply")
	writeVerify(t, dir, oldApplyVerdicts)
	sec := section(t, render(t, dir), "verified")
	want := map[string]int{"confirmed": 1, "not_found_in_audit": 1, "changed_by_others": 1, "not_checkable": 1}
	if got := verdictCounts(sec); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counted from verify.csv: %v, want %v", got, want)
	}
	if strings.Contains(sec, "summary.json counts") {
		t.Error("without summary.json's counts, the section says they disagree")
	}

	setSummaryVerify(t, dir, map[string]int{"confirmed": 1200, "not_checkable": 3, "a_later_verdict": 2})
	sec = section(t, render(t, dir), "verified")
	want = map[string]int{"confirmed": 1200, "not_found_in_audit": 0, "changed_by_others": 0, "not_checkable": 3, "a_later_verdict": 2}
	if got := verdictCounts(sec); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counted from summary.json: %v, want %v", got, want)
	}
	got := text(sec)
	for _, w := range []string{"1,205 succeeded rows were checked", "summary.json counts 1,205 verdicts; verify.csv holds 4.", "confirmed 1,200 99.6%"} {
		if !strings.Contains(got, w) {
			t.Errorf("the section lacks %q:\n%s", w, got)
		}
	}
	if !strings.Contains(sec, `<rect class="vd-other"`) {
		t.Error("a verdict this version does not know is not drawn as other")
	}
}

// Without verify.csv the page is the page of before: no section, no
// verdict column, summary.json's verify counts (if any) shown as a field
// the page does not know. A plan's folder is never verified.
func TestNoVerifiedSectionWithoutVerifyCSV(t *testing.T) {
	rendered := regexp.MustCompile(`Rendered [^<]*`)
	for _, name := range []string{"old-apply", "old-plan"} {
		before := rendered.ReplaceAllString(render(t, filepath.Join("testdata", name)), "")
		dir := copyRun(t, name)
		if after := rendered.ReplaceAllString(render(t, dir), ""); after != before {
			t.Errorf("%s: the copied folder renders another page", name)
		}
		if strings.Contains(before, `id="verified"`) || strings.Contains(before, "<h2>Verified against") {
			t.Errorf("%s: a folder without verify.csv shows a verification", name)
		}
		rows, _ := embedded(t, before)
		for _, r := range rows {
			if len(r) != 14 {
				t.Fatalf("%s: a row of the table has %d columns, want 14", name, len(r))
			}
		}
	}

	dir := copyRun(t, "old-apply")
	setSummaryVerify(t, dir, map[string]int{"confirmed": 4})
	page := render(t, dir)
	if strings.Contains(page, `id="verified"`) || !strings.Contains(page, "<th>verify</th>") {
		t.Error("summary.json's counts without verify.csv: want no section, the counts as a raw field")
	}

	dir = copyRun(t, "old-plan")
	writeVerify(t, dir, oldApplyVerdicts)
	if page := render(t, dir); strings.Contains(page, `id="verified"`) {
		t.Error("a plan's page shows a verification")
	}
}

// A run with more rows not confirmed than the section lists: not found
// and changed by others first, then not checkable, each by row, and how
// many more verify.csv has.
func TestVerifiedListIsBounded(t *testing.T) {
	const n = 1500
	dir := filepath.Join(t.TempDir(), "many")
	var results []report.Result
	var verdicts [][]string
	for i := 1; i <= n; i++ {
		target := fmt.Sprintf("username=u%04d", i)
		results = append(results, report.Result{Row: i, Op: "update_user", Target: target, Status: report.StatusSucceeded, Attempts: 1})
		v := "not_checkable"
		switch {
		case i%3 == 0:
			v = "not_found_in_audit"
		case i%5 == 0:
			v = "changed_by_others"
		case i%7 == 0:
			v = "confirmed"
		}
		verdicts = append(verdicts, []string{strconv.Itoa(i), "update_user", target, v, "", "", "", "why " + strconv.Itoa(i)})
	}
	// verify.csv is in the results' order, not the rows'.
	for i, j := 0, len(verdicts)-1; i < j; i, j = i+1, j-1 {
		verdicts[i], verdicts[j] = verdicts[j], verdicts[i]
	}
	writeRun(t, dir, "apply", results, true)
	writeVerify(t, dir, verdicts)
	page := render(t, dir)
	sec := section(t, page, "verified")
	counts := verdictCounts(sec)
	notOK := n - counts["confirmed"]
	rows := listedRows(sec)
	if len(rows) != verifyListRows || !strings.Contains(text(sec), fmt.Sprintf("and %d more in verify.csv.", notOK-verifyListRows)) {
		t.Fatalf("the section lists %d rows of %d not confirmed, saying:\n%.300s", len(rows), notOK, text(sec[strings.Index(sec, "</table>"):]))
	}
	var want []string
	for _, v := range []string{"not_found_in_audit", "changed_by_others", "not_checkable"} {
		for i := 1; i <= n; i++ {
			if verdicts[n-i][3] == v { // verdicts is reversed: row i is at n-i
				want = append(want, v+" "+strconv.Itoa(i))
			}
		}
	}
	if strings.Join(rows, ",") != strings.Join(want[:verifyListRows], ",") {
		t.Errorf("the section lists\n%q…\nwant\n%q…", rows[:5], want[:5])
	}
	if !strings.Contains(sec, "<h3>Rows not confirmed (the first 1,000)</h3>") {
		t.Error("the list's heading does not say it holds the first rows only")
	}
}

// A run with more verified rows than the page holds verdicts for shows
// them in the section only, and says so.
func TestVerdictsBeyondTheBoundStayOutOfTheTable(t *testing.T) {
	defer func(n int) { maxVerdicts = n }(maxVerdicts)
	maxVerdicts = 3
	dir := copyRun(t, "old-apply")
	writeVerify(t, dir, oldApplyVerdicts)
	page := render(t, dir)
	if !strings.Contains(html.UnescapeString(text(section(t, page, "verified"))), "verify.csv holds more than 3 rows: the table of every row below does not show each row's verdict") {
		t.Error("the section does not say the table leaves the verdicts out")
	}
	rows, _ := embedded(t, page)
	for _, r := range rows {
		if len(r) != 14 {
			t.Fatalf("a row of the table has %d columns, want 14", len(r))
		}
	}
	if len(listedRows(page)) != 3 {
		t.Error("the section does not list the rows not confirmed")
	}
}

// An empty verify.csv (a run without succeeded rows) and one with torn
// lines render.
func TestVerifiedSectionOfOddFiles(t *testing.T) {
	dir := copyRun(t, "old-apply")
	writeVerify(t, dir, nil)
	sec := text(section(t, render(t, dir), "verified"))
	if !strings.Contains(sec, "No row was checked") {
		t.Errorf("an empty verify.csv says: %s", sec)
	}
	data := "row,verdict,reason\n1,confirmed,\n2,not_found_in_audit,\"torn\n" // a quote never closed
	if err := os.WriteFile(filepath.Join(dir, verifyFileName), []byte(data), 0o640); err != nil {
		t.Fatal(err)
	}
	sec = text(section(t, render(t, dir), "verified"))
	if !strings.Contains(sec, "1 line of verify.csv could not be read") || !strings.Contains(sec, "1 succeeded row was checked") {
		t.Errorf("a torn verify.csv says: %s", sec)
	}
}
