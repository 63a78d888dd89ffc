package client

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// readerFields is what the reader tests read both with a jsonReader and
// with encoding/json: one Go field of each kind the reader fills.
type readerFields struct {
	S  string         `json:"s"`
	B  bool           `json:"b"`
	N  int64          `json:"n"`
	SP *string        `json:"sp"`
	NP *int64         `json:"np"`
	L  []string       `json:"l"`
	M  map[string]any `json:"m"`
	// Other is a second name equal to s regardless of case: encoding/json
	// matches a name to the first.
	Other string `json:"S"`
}

var readerFieldNames = jsonFields{"s", "b", "n", "sp", "np", "l", "m", "S"}

// readJSON reads the fields as encoding/json's Decoder with UseNumber
// would.
func (f *readerFields) readJSON(r *jsonReader) error {
	if r.null() {
		return nil
	}
	return r.object(func(name []byte) error {
		switch readerFieldNames.field(name) {
		case "s":
			return r.readString(&f.S)
		case "b":
			return r.readBool(&f.B)
		case "n":
			return r.readInt64(&f.N)
		case "sp":
			return r.readStringPtr(&f.SP)
		case "np":
			return r.readInt64Ptr(&f.NP)
		case "l":
			return r.readStrings(&f.L)
		case "m":
			return r.readAnyObject(&f.M)
		case "S":
			return r.readString(&f.Other)
		}
		return r.skip()
	})
}

// anyDocument is a document read whole as anyValue reads it.
type anyDocument struct{ v any }

func (d *anyDocument) readJSON(r *jsonReader) (err error) {
	d.v, err = r.anyValue()
	return err
}

// rawDocument is a document read whole as raw reads it.
type rawDocument struct{ raw json.RawMessage }

func (d *rawDocument) readJSON(r *jsonReader) error {
	raw, err := r.raw()
	d.raw = append(json.RawMessage(nil), raw...)
	return err
}

// decodeStd decodes data into v as encoding/json does, numbers kept as
// json.Number, one value and nothing after it.
func decodeStd(data []byte, v any) error {
	if !json.Valid(data) {
		return &json.SyntaxError{}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// readerSeeds are documents for FuzzJSONReader: well-formed and not, of
// every kind the reader tells apart.
var readerSeeds = []string{
	`{"s":"a","b":true,"n":12,"sp":"x","np":-3,"l":["a","b"],"m":{"k":[1,2.5,"x",null,true,{"z":1e3}]}}`,
	`{"s":null,"b":null,"n":null,"sp":null,"np":null,"l":null,"m":null}`,
	`{"S":"upper","s":"lower","Sp":"folded","NP":0,"L":[]}`,
	`{"l":["a","b"],"l":[null],"s":"first","s":"second","n":1,"n":null}`,
	`{"s":"esc \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x","k":"\u212a"}`,
	"{\"s\":\"bad utf-8 \xff\xfe and \xc3\"}", "{\"m\":{\"\xff\":\"\xed\xa0\x80\",\"\\ud800\":1}}",
	"{\"\xe2\x84\xaa\":1,\"\u017f\":\"long s\"}",
	`{"n":1.5}`, `{"n":1e2}`, `{"n":-0}`, `{"n":9223372036854775808}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":1e}`,
	`{"b":"true"}`, `{"s":1}`, `{"l":"x"}`, `{"l":[1]}`, `{"m":[]}`, `{"m":{"a":1,"a":2}}`,
	`[1,2]`, `"x"`, `null`, `nul`, `nullx`, `true`, ` {} `, `{}x`, `{} {}`, `{}{}`, `{"a":}`, `{"a" 1}`, `{,}`, `[1,]`, `{"a":1,}`,
	"{\"s\":\"ctl \x01\"}", `{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"unterminated`, ``, `   `, "\xef\xbb\xbf{}",
}

// FuzzJSONReader holds a jsonReader to encoding/json: it refuses exactly
// the documents encoding/json refuses as malformed, reads a value whole
// as the bytes encoding/json would hand a json.RawMessage, reads any
// value as encoding/json reads it into an interface{} (numbers as
// json.Number), and fills the Go fields of one struct as encoding/json
// does, failing where it fails.
func FuzzJSONReader(f *testing.F) {
	for _, s := range readerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		var raw rawDocument
		err := readDocument(data, &raw)
		if (err == nil) != valid {
			t.Fatalf("raw of %q: %v, but json.Valid = %v", data, err, valid)
		}
		if !valid {
			return
		}
		if !bytes.Equal(raw.raw, bytes.TrimSpace(data)) {
			t.Fatalf("raw of %q = %q", data, raw.raw)
		}
		var got anyDocument
		err = readDocument(data, &got)
		var want any
		if werr := decodeStd(data, &want); err != nil || werr != nil || !reflect.DeepEqual(got.v, want) {
			t.Fatalf("anyValue of %q = %#v, %v; encoding/json: %#v, %v", data, got.v, err, want, werr)
		}
		var mine, std readerFields
		err = readDocument(data, &mine)
		serr := decodeStd(data, &std)
		if (err == nil) != (serr == nil) {
			t.Fatalf("fields of %q: %v; encoding/json: %v", data, err, serr)
		}
		if err == nil && !reflect.DeepEqual(mine, std) {
			t.Fatalf("fields of %q:\n%#v\nencoding/json:\n%#v", data, mine, std)
		}
	})
}

// A jsonReader nests as deeply as encoding/json, and no deeper.
func TestJSONReaderDepthLimit(t *testing.T) {
	for _, data := range []string{
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"m":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat("}", 9998) + `}`,
		`{"m":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat("}", 9999) + `}`,
	} {
		valid := json.Valid([]byte(data))
		var raw rawDocument
		if err := readDocument([]byte(data), &raw); (err == nil) != valid {
			t.Errorf("%d bytes: raw %v, json.Valid %v", len(data), err, valid)
		}
		var mine, std readerFields
		err, serr := readDocument([]byte(data), &mine), decodeStd([]byte(data), &std)
		if (err == nil) != (serr == nil) {
			t.Errorf("%d bytes: read %v, encoding/json %v", len(data), err, serr)
		}
	}
}

// The reader's errors say where and what.
func TestJSONReaderErrors(t *testing.T) {
	for data, want := range map[string]string{
		`{"s":1}`:             `a number where a string belongs, at "/s"`,
		`{"s":"a"`:            "unexpected EOF",
		`{"s":"a"} x`:         `invalid character 'x'`,
		`{"s":"a"} {}`:        "another value after the document's",
		`{"n":1.5}`:           `number 1.5 is not an int64, at "/n"`,
		`{"s":"\q"}`:          "invalid escape sequence `\\q`",
		`{"l":["a",]}`:        "invalid character ','",
		`{"l":"x"}`:           `a string where an array belongs, at "/l"`,
		`{"m":[1]}`:           `an array where an object belongs, at "/m"`,
		`{"s":tru}`:           "invalid character '}'",
		`{"b":"true"}`:        `a string where a boolean belongs, at "/b"`,
		`{"l":["a",{"x":1}]}`: `an object where a string belongs, at "/l/1"`,
	} {
		var f readerFields
		err := readDocument([]byte(data), &f)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to say %q", data, err, want)
		}
	}
}

// jsonFields matches a name equal to a field's first, then the first
// field equal to it regardless of case, as encoding/json does.
func TestJSONFieldsField(t *testing.T) {
	f := jsonFields{"groupIds", "groupIDs", "name"}
	for name, want := range map[string]string{
		"groupIDs": "groupIDs", "groupIds": "groupIds", "GROUPIDS": "groupIds", "NAME": "name",
		"nam": "", "\u212aey": "", "na\u212ae": "", "Name\x00": "",
	} {
		if got := f.field([]byte(name)); got != want {
			t.Errorf("field(%q) = %q, want %q", name, got, want)
		}
	}
	if got := (jsonFields{"key"}).field([]byte("\u212aey")); got != "key" {
		t.Errorf("the Kelvin sign folds to k: got %q", got)
	}
}
