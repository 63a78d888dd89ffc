// Package planview prints a plan from its report folder: counts by op
// first, then each row's changes and failures, a bounded number per op.
package planview

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/report"
)

// planRowLimit caps the rows printed per op; the report folder has all.
const planRowLimit = 200

// Print writes a finished plan as a reviewer reads it: counts first,
// then each op's rows with their differences, coloured when color.
func Print(w io.Writer, color bool, dir string, s report.Summary) error {
	paint := func(code, text string) string {
		if !color {
			return text
		}
		return "\x1b[" + code + "m" + text + "\x1b[0m"
	}
	byOp := map[string][]report.Result{}
	counts := map[string]map[report.Status]int{}
	err := eachResult(dir, func(r report.Result) {
		if counts[r.Op] == nil {
			counts[r.Op] = map[report.Status]int{}
		}
		counts[r.Op][r.Status]++
		if len(byOp[r.Op]) < planRowLimit && r.Status != report.StatusUnchanged {
			byOp[r.Op] = append(byOp[r.Op], r)
		}
	})
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	target := ""
	if t, ok := s.Settings["target"].(string); ok && t != "" {
		target = " for " + t
	}
	fmt.Fprintf(w, "Plan%s: %s — %d to change, %d unchanged, %d failing\n", target, report.Plural(s.Rows, "row"),
		s.ByStatus[report.StatusPlanned], s.ByStatus[report.StatusUnchanged], s.ByStatus[report.StatusFailed])
	for _, op := range slices.Sorted(maps.Keys(counts)) {
		c := counts[op]
		fmt.Fprintf(w, "\n%s: %d to change, %d unchanged, %d failing\n", paint("1", op),
			c[report.StatusPlanned], c[report.StatusUnchanged], c[report.StatusFailed])
		rows := byOp[op]
		slices.SortFunc(rows, func(a, b report.Result) int { return a.Row - b.Row })
		for _, r := range rows {
			switch r.Status {
			case report.StatusPlanned:
				mark, color, changes := "~", "33", r.Changes
				if len(changes) > 0 && strings.HasPrefix(changes[0].New, "+ ") {
					mark, color, changes = changes[0].New, "32", changes[1:] // "+ create": what it sets follows
				} else if len(changes) > 0 && strings.HasPrefix(changes[0].New, "− ") {
					mark, color, changes = changes[0].New, "31", changes[1:]
				}
				fmt.Fprintf(w, "  %s %s (%s)\n", paint(color, mark), r.Target, r.Source)
				for _, ch := range changes {
					fmt.Fprintf(w, "      %s\n", ch.String())
				}
			case report.StatusFailed:
				fmt.Fprintf(w, "  %s %s (%s): %s: %s\n", paint("31", "!"), r.Target, r.Source, r.ErrorCode, r.ErrorMessage)
			}
		}
		if shown := len(rows); shown < c[report.StatusPlanned]+c[report.StatusFailed] {
			fmt.Fprintf(w, "  … %d more in %s\n", c[report.StatusPlanned]+c[report.StatusFailed]-shown, filepath.Join(dir, report.ResultsCSV))
		}
	}
	fmt.Fprintln(w)
	return nil
}

// eachResult hands fn each row of the run folder dir's results.jsonl.
func eachResult(dir string, fn func(report.Result)) error {
	f, err := os.Open(filepath.Join(dir, report.ResultsJSONL))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var res report.Result
			if jerr := json.Unmarshal(line, &res); jerr != nil {
				return jerr
			}
			fn(res)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
