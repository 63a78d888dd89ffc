package htmlreport

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/uipath-batch/batch/internal/report"
)

// verifyFileName is the verdicts `batch verify` writes into a run folder
// (internal/verify's FileName). It is read by its header's column names
// (internal/verify's Columns), so that a column added later does not
// break it; this package does not import internal/verify, which renders
// the page again once it has written the file.
const verifyFileName = "verify.csv"

// The verdicts, as internal/verify writes them.
const (
	verdictConfirmed       = "confirmed"
	verdictNotFound        = "not_found_in_audit"
	verdictChangedByOthers = "changed_by_others"
	verdictNotCheckable    = "not_checkable"
)

// verdictOrder is the order the section shows the verdicts in; rows not
// confirmed are listed in the same order (after confirmed), those of a
// verdict it does not know last.
var verdictOrder = []string{verdictConfirmed, verdictNotFound, verdictChangedByOthers, verdictNotCheckable}

// verdictMeaning says what each verdict means, for a person.
var verdictMeaning = map[string]string{
	verdictConfirmed: "UiPath's audit holds a record of this run's own client (its External Application) making this kind of change to the row's target within the run's window.",
	verdictNotFound: "The service answered success, but its audit holds no record of this run's client changing the target within the run's window: " +
		"check the target, as the change may not have taken effect.",
	verdictChangedByOthers: "Someone else (a person or another application, named under actor) changed the target within the run's window: " +
		"what the run set may have been overwritten since, or may have overwritten their change.",
	verdictNotCheckable: "The audit cannot say: an operation the audit does not record, a scope missing to read the audit, " +
		"a run signed in with a personal access token (its records cannot be told from a person's), or a record perhaps not written yet (verify again later). The reason says which.",
}

// Bounds of the section.
const (
	// verifyListRows caps the rows not confirmed that the section lists;
	// verify.csv has them all.
	verifyListRows = 1000
	// maxVerdictNames caps the distinct verdicts indexed for the table.
	maxVerdictNames = 255
)

// maxVerdicts caps the verdicts held in memory to show beside each row
// of the page's table (8 bytes each, 1.6 MB in all); a run with more
// verified rows shows them in the section only. Lowered by tests.
var maxVerdicts = 2 * MaxTableRows

// verifyRow is a row not confirmed, as the section lists it.
type verifyRow struct {
	Row                        int
	Op, Target, Verdict, Class string
	AuditTime, AuditID, Actor  string
	Reason                     string
}

// verification is what a run folder's verify.csv says: the verdicts
// counted, the first rows not confirmed by verdict, and each row's verdict
// while they are few enough to hold.
type verification struct {
	counts counts
	// lists holds, by verdict (not confirmed), about the verifyListRows
	// lowest rows.
	lists      map[string][]verifyRow
	notOK      int // rows not confirmed
	unreadable int
	// byRow holds row<<8 | the verdict's index in names, sorted by row
	// once read; nil when verify.csv holds more than maxVerdicts rows.
	byRow   []uint64
	names   []string
	nameIdx map[string]int
	dropped bool
}

// readVerification reads dir's verify.csv, in one pass and in bounded
// memory; nil without an error when the folder has none.
func readVerification(ctx context.Context, dir string) (*verification, error) {
	path := filepath.Join(dir, verifyFileName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	v := &verification{lists: map[string][]verifyRow{}, nameIdx: map[string]int{}}
	cr := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return v, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			v.unreadable++ // a malformed line: counted, the rest still read
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		rowNum, _ := strconv.Atoi(get(rec, "row"))
		verdict := get(rec, "verdict")
		v.counts.add(cut(verdict, refLimit))
		v.index(rowNum, verdict)
		if verdict == verdictConfirmed {
			continue
		}
		v.notOK++
		list := verdict
		if _, known := verdictMeaning[verdict]; !known {
			list = "" // a verdict this version does not know: listed last
		}
		v.lists[list] = keepLowest(v.lists[list], verifyRow{
			Row: rowNum, Op: cut(get(rec, "op"), 100), Target: cut(get(rec, "target"), refLimit),
			Verdict: cut(verdict, 40), Class: verdictClass(verdict),
			AuditTime: cut(get(rec, "audit_time"), 40), AuditID: cut(get(rec, "audit_id"), 100),
			Actor: cut(get(rec, "actor"), 100), Reason: cut(get(rec, "reason"), 300),
		}, verifyListRows, verifyRowOf)
	}
	if v.byRow != nil {
		slices.Sort(v.byRow)
	}
	return v, nil
}

func verifyRowOf(r verifyRow) int { return r.Row }

// index holds a row's verdict for the table, until there are too many.
func (v *verification) index(rowNum int, verdict string) {
	if v.dropped || rowNum <= 0 || rowNum >= 1<<48 {
		return
	}
	if len(v.byRow) >= maxVerdicts {
		v.byRow, v.dropped = nil, true
		return
	}
	i, ok := v.nameIdx[verdict]
	if !ok {
		if len(v.names) >= maxVerdictNames {
			return
		}
		i = len(v.names)
		v.names = append(v.names, cut(verdict, 40))
		v.nameIdx[verdict] = i
	}
	v.byRow = append(v.byRow, uint64(rowNum)<<8|uint64(i))
}

// verdictOf is a row's verdict, "" when verify.csv has none for it.
func (v *verification) verdictOf(rowNum int) string {
	if rowNum <= 0 || rowNum >= 1<<48 {
		return ""
	}
	key := uint64(rowNum) << 8
	i, _ := slices.BinarySearch(v.byRow, key)
	if i < len(v.byRow) && v.byRow[i]>>8 == uint64(rowNum) {
		return v.names[v.byRow[i]&0xff]
	}
	return ""
}

// verdictClass is the style class of a verdict: its own for those this
// version knows, else vd-other.
func verdictClass(verdict string) string {
	if _, known := verdictMeaning[verdict]; known {
		return "vd-" + verdict
	}
	return "vd-other"
}

// verifiedView is the section as the page shows it.
type verifiedView struct {
	// Checked counts the rows verified.
	Checked  int
	Verdicts []verdictLine
	// Rows are rows not confirmed, and More how many more verify.csv has.
	Rows  []verifyRow
	More  int
	Notes []string
}

// verdictLine is one verdict's count and meaning.
type verdictLine struct {
	Verdict, Class, Meaning string
	Count                   int
	X, W                    float64
}

// view lays out the section: the counts from summary.json's "verify"
// when it has them, else as verify.csv has them.
func (v *verification) view(fromSummary map[string]int) *verifiedView {
	byVerdict, other := v.counts.byKey, v.counts.other
	var notes []string
	if len(fromSummary) > 0 {
		byVerdict, other = map[string]int{}, 0
		summaryTotal := 0
		for _, k := range slices.Sorted(maps.Keys(fromSummary)) {
			n, key := max(fromSummary[k], 0), cut(k, refLimit)
			summaryTotal += n
			if _, known := byVerdict[key]; !known && len(byVerdict) >= maxGroups {
				other += n
				continue
			}
			byVerdict[key] += n
		}
		fileTotal := v.counts.other
		for _, n := range v.counts.byKey {
			fileTotal += n
		}
		if fileTotal != summaryTotal {
			notes = append(notes, fmt.Sprintf("summary.json counts %s verdicts; %s holds %s.", formatCount(summaryTotal), verifyFileName, formatCount(fileTotal)))
		}
	}
	p := &verifiedView{Notes: notes}
	var lines []verdictLine
	for _, k := range verdictOrder {
		lines = append(lines, verdictLine{Verdict: k, Class: verdictClass(k), Meaning: verdictMeaning[k], Count: byVerdict[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(byVerdict)) {
		if _, known := verdictMeaning[k]; !known && byVerdict[k] > 0 {
			lines = append(lines, verdictLine{Verdict: k, Class: verdictClass(k), Count: byVerdict[k]})
		}
	}
	for _, l := range lines {
		p.Checked += l.Count
	}
	x := 0.0
	for i := range lines {
		lines[i].X = x
		lines[i].W = 600 * float64(lines[i].Count) / float64(max(p.Checked, 1))
		x += lines[i].W
	}
	p.Verdicts = lines
	for _, k := range []string{verdictNotFound, verdictChangedByOthers, verdictNotCheckable, ""} {
		for _, r := range sortedRows(v.lists[k], verifyListRows, verifyRowOf) {
			if len(p.Rows) == verifyListRows {
				break
			}
			p.Rows = append(p.Rows, r)
		}
	}
	p.More = v.notOK - len(p.Rows)
	if v.unreadable > 0 {
		verb := "are"
		if v.unreadable == 1 {
			verb = "is"
		}
		p.Notes = append(p.Notes, fmt.Sprintf("%s of %s could not be read and %s left out.", report.Plural(v.unreadable, "line"), verifyFileName, verb))
	}
	if v.dropped {
		p.Notes = append(p.Notes, fmt.Sprintf("%s holds more than %s rows: the table of every row below does not show each row's verdict; %s does.", verifyFileName, formatCount(maxVerdicts), verifyFileName))
	}
	if other > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s rows carry verdicts beyond the first %d kinds and are not counted above.", formatCount(other), maxGroups))
	}
	return p
}
