package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodingJSONLine is what encoding/json writes for a result line.
func encodingJSONLine(t testing.TB, r *Result) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	jr := jsonResult{Result: r, DurationMs: r.Duration.Milliseconds()}
	if !r.Finished.IsZero() {
		jr.FinishedAt = r.Finished.UTC().Format(FinishedLayout)
	}
	if err := enc.Encode(jr); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONLineIsEncodingJSONs(t *testing.T) {
	for _, st := range []Status{StatusSucceeded, StatusFailed, StatusSkipped} {
		r := result(7, st)
		if got, want := appendJSONLine(nil, &r), encodingJSONLine(t, &r); !bytes.Equal(got, want) {
			t.Errorf("%s row:\n got %s\nwant %s", st, got, want)
		}
	}
	odd := Result{Row: 1, Throttled: 3, Finished: time.Date(2026, 11, 30, 14, 56, 23, 658464869, time.FixedZone("x", 3600)), ValidationErrors: FieldErrors{"a": nil, "<b>": {"x\u2028y", "\x00\x1f\b\f\n\r\t\"\\"}}, Changes: []Change{{Field: "f", New: "\xff&<>"}}, Duration: 1500 * time.Microsecond}
	if got, want := appendJSONLine(nil, &odd), encodingJSONLine(t, &odd); !bytes.Equal(got, want) {
		t.Errorf("odd row:\n got %s\nwant %s", got, want)
	}
}

func FuzzJSONLine(f *testing.F) {
	f.Add("m.csv:2", "user=ann", "name: too long", "Ann \"the\" <first>", "é\u2029\xfe", 400, int64(12))
	f.Add("", "", "", "", "", 0, int64(0))
	f.Fuzz(func(t *testing.T, source, target, message, old, newValue string, status int, ms int64) {
		r := Result{
			Row: status + 1, Source: source, Op: "update_user", Target: target, Status: StatusFailed,
			HTTPStatus: status, Attempts: 2, Throttled: status % 3, Finished: time.UnixMilli(ms), ErrorCode: Code(message), ErrorMessage: message, TraceID: old,
			ValidationErrors: FieldErrors{message: {old, newValue}, target: {}},
			Changes:          []Change{{Field: source, Old: old, New: newValue}},
			Duration:         time.Duration(ms) * time.Millisecond,
		}
		if got, want := appendJSONLine(nil, &r), encodingJSONLine(t, &r); !bytes.Equal(got, want) {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	})
}
