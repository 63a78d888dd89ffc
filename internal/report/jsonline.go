package report

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// appendJSONLine appends r as one line of results.jsonl: the same bytes
// encoding/json writes for jsonResult with HTML escaping off (a test holds
// the two equal), without reflection, since every row of a run passes here.
func appendJSONLine(b []byte, r *Result) []byte {
	b = append(b, `{"row":`...)
	b = strconv.AppendInt(b, int64(r.Row), 10)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, r.Source)
	b = append(b, `,"op":`...)
	b = appendJSONString(b, r.Op)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, r.Target)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(r.Status))
	if r.HTTPStatus != 0 {
		b = append(b, `,"http_status":`...)
		b = strconv.AppendInt(b, int64(r.HTTPStatus), 10)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(r.Attempts), 10)
	if r.Throttled != 0 {
		b = append(b, `,"throttled":`...)
		b = strconv.AppendInt(b, int64(r.Throttled), 10)
	}
	if r.ErrorCode != "" {
		b = append(b, `,"error_code":`...)
		b = appendJSONString(b, string(r.ErrorCode))
	}
	if r.ErrorMessage != "" {
		b = append(b, `,"error_message":`...)
		b = appendJSONString(b, r.ErrorMessage)
	}
	if len(r.ValidationErrors) > 0 {
		b = append(b, `,"validation_errors":{`...)
		fields := make([]string, 0, len(r.ValidationErrors))
		for f := range r.ValidationErrors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for i, f := range fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f)
			b = append(b, ':')
			b = appendJSONStrings(b, r.ValidationErrors[f])
		}
		b = append(b, '}')
	}
	if r.TraceID != "" {
		b = append(b, `,"trace_id":`...)
		b = appendJSONString(b, r.TraceID)
	}
	if len(r.Changes) > 0 {
		b = append(b, `,"changes":[`...)
		for i, c := range r.Changes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"field":`...)
			b = appendJSONString(b, c.Field)
			if c.Old != "" {
				b = append(b, `,"old":`...)
				b = appendJSONString(b, c.Old)
			}
			b = append(b, `,"new":`...)
			b = appendJSONString(b, c.New)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendInt(b, r.Duration.Milliseconds(), 10)
	if !r.Finished.IsZero() {
		b = append(b, `,"finished_at":"`...)
		b = r.Finished.UTC().AppendFormat(b, FinishedLayout)
		b = append(b, '"')
	}
	return append(b, "}\n"...)
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping off:
// control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and
// U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
