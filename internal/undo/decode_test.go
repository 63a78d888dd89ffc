package undo

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/uipath-batch/batch/internal/manifest"
)

// readSeeds are payloads as the journal records them, and near them:
// each is read from jsontext's tokens.
var readSeeds = []string{
	`{"src":"m.csv:2","rows":[{"op":"update_user","t":"user_id","v":"u-1","display_name":"User 1"}]}`,
	`{"src":"m.csv:3","rows":[{"op":"ensure_user","t":"email","v":"bob@example.com","username":"bob","name":"Bøb","bypass":true,"groups":["Everyone","Old"]}],"notes":["m.csv:3 delete_user email=bob@example.com: the user it deleted (id u-2) is created again with a new id and no password"]}`,
	`{"src":"m.csv:4","rows":[{"op":"update_user","t":"email","v":"a@b.c","is_active":false,"invitation_accepted":true,"add":["A"],"remove":["B"]}]}`,
	`{"src":"m.csv:5","rows":[{"op":"set_folder_access","t":"email","v":"a@b.c","folder":"Shared/F","roles":["Executor"],"roles_remove":[]}]}`,
	`{"src":"m.csv:6","rows":[{"op":"update_unattended_robot","t":"orchestrator_user_id","v":"7","robot_username":"corp.r","credential_type":"smartcard","limit_concurrent_execution":true}]}`,
	`{"src":"m.csv:7","notes":["x"]}`,
	`{}`,
	`{"rows":[]}`,
	`{"rows":[{}]}`,
	`{"src":"m.csv:8","rows":[{"op":"update_unattended_robot","t":"orchestrator_user_id","v":"7","execution_settings":{"a":1}}]}`,
	`{"rows":[{"execution_settings":{ "a" : [1, "x\u00e9", {"a":1,"a":2}] }}]}`,
	`{"rows":[{"execution_settings":null}]}`,
	`{"src":"a \u003c b"}`,
	`{"rows":[{"op":"update_user","v":"CORP\\r"}]}`,
	`{"s\u0072c":"x","rows":[{"op":"upd\u0061te_user"}]}`,
	`{"src":"\ud83d\ude00"}`,
	`{"rows":[{"v":"a"}] }`,
	`{ "src":"x"}`,
	"{\"src\":\"x\"}\r\n\t ",
}

// fallbackSeeds are payloads left to encoding/json.
var fallbackSeeds = []string{
	`{"src":"` + "\xff" + `"}`,
	`{"src":"\ud800"}`,
	`{"src":"x","src":"y"}`,
	`{"src":"x","s\u0072c":"y"}`,
	`{"Src":"x"}`,
	`{"other":1}`,
	`{"rows":[{"name":null}]}`,
	`{"rows":[{"is_active":1}]}`,
	`{"rows":[{"execution_settings":"` + "\xff" + `"}]}`,
	`{"src":"x"}{}`,
	`{"src":"x"} x`,
	`{"src":"x"`,
	`{"src":"x",}`,
	`[]`,
	`null`,
	``,
}

// TestDecodePayloadIsWhatJSONReads: the payloads Compute writes are read
// from jsontext's tokens, as encoding/json reads them.
func TestDecodePayloadIsWhatJSONReads(t *testing.T) {
	for _, data := range readSeeds {
		if !checkDecodePayload(t, []byte(data)) {
			t.Errorf("payload %q is left to encoding/json", data)
		}
	}
	for _, data := range fallbackSeeds {
		if checkDecodePayload(t, []byte(data)) {
			t.Errorf("payload %q is read from the tokens", data)
		}
	}
	job := &manifest.Job{Source: manifest.Source{File: "m.csv", Line: 2}, Op: manifest.OpDeleteUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "ann@example.com"}}
	data, err := Compute(job, Before{Kind: KindUser, Exists: true, ID: "u-1", Email: "ann@example.com", UserName: "ann", Name: "Ann", Groups: []string{"Sales"}})
	if err != nil {
		t.Fatal(err)
	}
	if !checkDecodePayload(t, data) {
		t.Fatalf("payload %s is left to encoding/json", data)
	}
}

// TestDecodePayloadNesting: execution settings nested as deep as
// encoding/json reads are read from the tokens; one level more is an
// error for both.
func TestDecodePayloadNesting(t *testing.T) {
	// The payload, its rows and the row hold the settings.
	const outer = 3
	for _, depth := range []int{10_000, 10_001} {
		settings := strings.Repeat("[", depth-outer) + strings.Repeat("]", depth-outer)
		data := []byte(`{"rows":[{"execution_settings":` + settings + `}]}`)
		if read := checkDecodePayload(t, data); read != (depth <= 10_000) {
			t.Errorf("depth %d: read from the tokens: %v", depth, read)
		}
		if err := decodePayload(data, &payload{}, interner{}); (err == nil) != (depth <= 10_000) {
			t.Errorf("depth %d: decodePayload = %v", depth, err)
		}
	}
}

// TestDecodePayloadInternsNames: payloads decoded with one interner share
// their ops' and target kinds' strings.
func TestDecodePayloadInternsNames(t *testing.T) {
	names := interner{}
	var a, b payload
	for _, p := range []*payload{&a, &b} {
		if err := decodePayload([]byte(readSeeds[0]), p, names); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []func(*payload) string{
		func(p *payload) string { return string(p.Rows[0].Op) },
		func(p *payload) string { return string(p.Rows[0].T) },
	} {
		if x, y := f(&a), f(&b); unsafe.StringData(x) != unsafe.StringData(y) {
			t.Errorf("%q is read into two strings", x)
		}
	}
	data := []byte(`{"rows":[{"op":"update_user","t":"user_id"}]}`)
	var r payloadReader
	p := new(payload)
	if allocs := testing.AllocsPerRun(100, func() {
		*p = payload{}
		if !r.read(data, p, names) {
			t.Fatalf("payload %s is left to encoding/json", data)
		}
	}); allocs > 1 {
		t.Errorf("a row with only an op and a target kind takes %v allocations; want 1 (the rows)", allocs)
	}
}

func FuzzDecodePayload(f *testing.F) {
	for _, data := range slices.Concat(readSeeds, fallbackSeeds) {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodePayload(t, data)
	})
}

// checkDecodePayload fails t unless decodePayload reads data as
// encoding/json does; it reports whether it read it from the tokens.
func checkDecodePayload(t *testing.T, data []byte) bool {
	t.Helper()
	var want payload
	werr := json.Unmarshal(data, &want)
	var got payload
	gerr := decodePayload(data, &got, interner{})
	if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %q decodes as %+v (%v); encoding/json reads %+v (%v)", data, got, gerr, want, werr)
	}
	var r payloadReader
	var read payload
	if !r.read(data, &read, interner{}) {
		return false
	}
	if werr != nil || !reflect.DeepEqual(read, want) {
		t.Fatalf("payload %q read from the tokens as %+v; encoding/json reads %+v (%v)", data, read, want, werr)
	}
	return true
}

// BenchmarkDecodePayload decodes the payload of a renamed user, as most
// journals record them, from jsontext's tokens and with encoding/json.
func BenchmarkDecodePayload(b *testing.B) {
	data := []byte(`{"src":"m.csv:12345","rows":[{"op":"update_user","t":"user_id","v":"u-12345","display_name":"User 12345"}]}`)
	b.Run("tokens", func(b *testing.B) {
		names := interner{}
		b.ReportAllocs()
		for b.Loop() {
			var p payload
			if err := decodePayload(data, &p, names); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p payload
			if err := json.Unmarshal(data, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
