package jsonread

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fields is what the tests read both with a Reader and with encoding/json:
// one Go field of each kind the Decode methods fill.
type fields struct {
	S  string         `json:"s"`
	B  bool           `json:"b"`
	N  int64          `json:"n"`
	SP *string        `json:"sp"`
	NP *int64         `json:"np"`
	L  []string       `json:"l"`
	M  map[string]any `json:"m"`
	// Other is a second name equal to s regardless of case: encoding/json
	// matches a key to the first.
	Other string `json:"S"`
}

var testFields = Fields{"s", "b", "n", "sp", "np", "l", "m", "S"}

// read reads data into f with a Reader, as encoding/json's Decoder with
// UseNumber would.
func (f *fields) read(data []byte) error {
	r := NewReader(data)
	if r.Null() {
		return r.End()
	}
	err := r.Object(func(key []byte) error {
		switch testFields.Name(key) {
		case "s":
			return r.DecodeString(&f.S)
		case "b":
			return r.DecodeBool(&f.B)
		case "n":
			return r.DecodeInt64(&f.N)
		case "sp":
			return r.DecodeStringPtr(&f.SP)
		case "np":
			return r.DecodeInt64Ptr(&f.NP)
		case "l":
			return r.DecodeStrings(&f.L)
		case "m":
			return r.DecodeObject(&f.M)
		case "S":
			return r.DecodeString(&f.Other)
		}
		return r.Skip()
	})
	if err != nil {
		return err
	}
	return r.End()
}

// decodeStd decodes data into v as encoding/json does, numbers kept as
// json.Number, one value and nothing after it.
func decodeStd(data []byte, v any) error {
	if !json.Valid(data) {
		return &Error{Msg: "invalid"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// readerSeeds are documents for the fuzz targets: well-formed and not, of
// every kind the reader tells apart.
var readerSeeds = []string{
	`{"s":"a","b":true,"n":12,"sp":"x","np":-3,"l":["a","b"],"m":{"k":[1,2.5,"x",null,true,{"z":1e3}]}}`,
	`{"s":null,"b":null,"n":null,"sp":null,"np":null,"l":null,"m":null}`,
	`{"S":"upper","s":"lower","Sp":"folded","NP":0,"L":[]}`,
	`{"l":["a","b"],"l":[null],"s":"first","s":"second","n":1,"n":null}`,
	`{"s":"esc \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x","k":"\u212a"}`,
	"{\"s\":\"bad utf-8 \xff\xfe and \xc3\"}",
	"{\"\xe2\x84\xaa\":1,\"\u017f\":\"long s\"}",
	`{"n":1.5}`, `{"n":1e2}`, `{"n":-0}`, `{"n":9223372036854775808}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":1e}`,
	`{"b":"true"}`, `{"s":1}`, `{"l":"x"}`, `{"l":[1]}`, `{"m":[]}`, `{"m":{"a":1,"a":2}}`,
	`[1,2]`, `"x"`, `null`, `nul`, `nullx`, `true`, ` {} `, `{}x`, `{"a":}`, `{"a" 1}`, `{,}`, `[1,]`, `{"a":1,}`,
	"{\"s\":\"ctl \x01\"}", `{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"unterminated`, ``, `   `,
}

// A Reader nests as deeply as encoding/json, and no deeper.
func TestReaderDepthLimit(t *testing.T) {
	for _, data := range []string{
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"m":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat("}", 9998) + `}`,
		`{"m":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat("}", 9999) + `}`,
	} {
		valid := json.Valid([]byte(data))
		err := NewReader([]byte(data)).Skip()
		if (err == nil) != valid {
			t.Errorf("%d bytes: Skip %v, json.Valid %v", len(data), err, valid)
		}
		var mine, std fields
		err, serr := mine.read([]byte(data)), decodeStd([]byte(data), &std)
		if (err == nil) != (serr == nil) {
			t.Errorf("%d bytes: read %v, encoding/json %v", len(data), err, serr)
		}
	}
}

// FuzzReader holds a Reader to encoding/json: it refuses exactly the
// documents encoding/json refuses as malformed, reads a value whole as
// the bytes encoding/json would hand a json.RawMessage, reads any value
// as encoding/json reads it into an interface{} (numbers as
// json.Number), and fills the Go fields of one struct as encoding/json
// does, failing where it fails.
func FuzzReader(f *testing.F) {
	for _, s := range readerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		r := NewReader(data)
		raw, err := r.Raw()
		if err == nil {
			err = r.End()
		}
		if (err == nil) != valid {
			t.Fatalf("Skip of %q: %v, but json.Valid = %v", data, err, valid)
		}
		if !valid {
			return
		}
		if !bytes.Equal(raw, bytes.TrimSpace(data)) {
			t.Fatalf("Raw of %q = %q", data, raw)
		}
		got, err := NewReader(data).Any()
		var want any
		if werr := decodeStd(data, &want); err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Any of %q = %#v, %v; encoding/json: %#v, %v", data, got, err, want, werr)
		}
		var mine, std fields
		err = mine.read(data)
		serr := decodeStd(data, &std)
		if (err == nil) != (serr == nil) {
			t.Fatalf("fields of %q: %v; encoding/json: %v", data, err, serr)
		}
		if err == nil && !reflect.DeepEqual(mine, std) {
			t.Fatalf("fields of %q:\n%#v\nencoding/json:\n%#v", data, mine, std)
		}
	})
}

// The reader's errors say where and what.
func TestReaderErrors(t *testing.T) {
	for data, want := range map[string]string{
		`{"s":1}`:      "a number where a string belongs",
		`{"s":"a"`:     "',' or '}' must follow",
		`{"s":"a"} x`:  `'x' after the value`,
		`{"n":1.5}`:    "number 1.5 is not an int64",
		`{"s":"\q"}`:   `invalid escape character 'q'`,
		`{"l":["a",]}`: "invalid character ']'",
		`{"l":"x"}`:    "a string where an array belongs",
		`{"m":[1]}`:    "an array where an object belongs",
		`{"s":tru}`:    "invalid character 't'",
		`{"b":"true"}`: "a string where a boolean belongs",
	} {
		var f fields
		err := f.read([]byte(data))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to say %q", data, err, want)
		}
	}
}

// Fields matches a key equal to a name first, then the first name equal
// to it regardless of case, as encoding/json does.
func TestFieldsName(t *testing.T) {
	f := Fields{"groupIds", "groupIDs", "name"}
	for key, want := range map[string]string{
		"groupIDs": "groupIDs", "groupIds": "groupIds", "GROUPIDS": "groupIds", "NAME": "name",
		"nam": "", "\u212aey": "", "na\u212ae": "", "Name\x00": "",
	} {
		if got := f.Name([]byte(key)); got != want {
			t.Errorf("Name(%q) = %q, want %q", key, got, want)
		}
	}
	if got := (Fields{"key"}).Name([]byte("\u212aey")); got != "key" {
		t.Errorf("the Kelvin sign folds to k: got %q", got)
	}
}
