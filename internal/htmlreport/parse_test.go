package htmlreport

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/uipath-batch/batch/internal/report"
)

// rp reads every line decodeBoth reads, as one reads a file's lines.
var rp rowParser

// decodeBoth reads line with parseRow and with encoding/json; when
// parseRow takes the line, both must agree.
func decodeBoth(t *testing.T, line []byte) (took bool) {
	t.Helper()
	var fast, std row
	if !rp.parseRow(line, &fast) {
		return false
	}
	if err := json.Unmarshal(line, &std); err != nil {
		t.Fatalf("parseRow took a line encoding/json refuses (%v): %q", err, line)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("parseRow and encoding/json differ on %q:\n fast %#v\n  std %#v", line, fast, std)
	}
	return true
}

// TestParseRowIsEncodingJSONs reads every line the report writer writes
// for a range of rows (the fixtures of an older version, and a new run
// with field errors, changes, 429s and finish times) both ways.
func TestParseRowIsEncodingJSONs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	rows := bigRun(200, time.Date(2026, 11, 30, 2, 0, 1, 0, time.UTC))
	rows = append(rows, report.Result{Row: 201, Source: "é\u2028\x01\"\\<>&", Status: report.StatusFailed, Op: "x",
		ValidationErrors: report.FieldErrors{"a": nil, "b": {}, "\u00e9": {"\t\n"}}, Changes: []report.Change{{Field: "f"}}})
	writeRun(t, dir, "apply", rows, true)
	files := []string{filepath.Join(dir, report.ResultsJSONL), "testdata/old-apply/results.jsonl", "testdata/old-plan/results.jsonl"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			if len(line) > 0 && !decodeBoth(t, line) {
				t.Errorf("parseRow leaves a line the writer wrote to encoding/json: %q", line)
			}
		}
	}
}

// FuzzJSString holds appendJSString to its promise: JSON that reads back
// as the string (invalid UTF-8 as U+FFFD), with no byte that could end or
// open anything in HTML.
func FuzzJSString(f *testing.F) {
	for _, s := range []string{"", "plain", `</script><script>alert(1)</script>`, "<!--", "]]>", "a\u2028b\u2029c", "\xff\x00\x1f'\"&", "é😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSString(nil, s)
		if i := bytes.IndexAny(b, "<>&'\u2028\u2029"); i >= 0 {
			t.Fatalf("%q encodes with a raw %q: %s", s, b[i], b)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encodes as invalid JSON %s: %v", s, b, err)
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); back != want && utf8.ValidString(s) {
			t.Fatalf("%q reads back as %q", s, back)
		}
	})
}

func FuzzParseRow(f *testing.F) {
	for _, s := range []string{
		`{"row":1,"source":"m.csv:2","op":"update_user","target":"username=a","status":"failed","http_status":400,"attempts":2,"throttled":1,"error_code":"validation","error_message":"x \"y\" \u003c","validation_errors":{"name":["too long"],"x":null},"trace_id":"t","changes":[{"field":"name","old":"\"A\"","new":"\"B\""}],"duration_ms":12,"finished_at":"2026-11-30T02:00:01.000Z"}` + "\n",
		`{"row":2,"status":"succeeded","changes":[],"validation_errors":{}}`,
		`{"row":3,"row":4,"attempts":-0,"source":"\ud83d\ude00"}`,
		`{"ROW":5}`, `{"row":1e2}`, `{"row":"1"}`, "{\"op\":\"\xff\"}", `{}`, ` { "row" : 7 , "op" : "a\/b" } `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) { decodeBoth(t, line) })
}
