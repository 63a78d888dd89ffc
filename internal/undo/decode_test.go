package undo

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

// decodeSeeds are payloads as the journal records them, and near them.
var decodeSeeds = []string{
	`{"src":"m.csv:2","rows":[{"op":"update_user","t":"user_id","v":"u-1","display_name":"User 1"}]}`,
	`{"src":"m.csv:3","rows":[{"op":"ensure_user","t":"email","v":"bob@example.com","username":"bob","name":"Bøb","bypass":true,"groups":["Everyone","Old"]}],"notes":["m.csv:3 delete_user email=bob@example.com: the user it deleted (id u-2) is created again with a new id and no password"]}`,
	`{"src":"m.csv:4","rows":[{"op":"update_user","t":"email","v":"a@b.c","is_active":false,"invitation_accepted":true,"add":["A"],"remove":["B"]}]}`,
	`{"src":"m.csv:5","rows":[{"op":"set_folder_access","t":"email","v":"a@b.c","folder":"Shared/F","roles":["Executor"],"roles_remove":[]}]}`,
	`{"src":"m.csv:6","rows":[{"op":"update_unattended_robot","t":"orchestrator_user_id","v":"7","robot_username":"corp.r","credential_type":"smartcard","limit_concurrent_execution":true}]}`,
	`{"src":"m.csv:7","notes":["x"]}`,
	`{}`,
	`{"rows":[]}`,
	`{"rows":[{}]}`,
	// Left to encoding/json.
	`{"src":"m.csv:8","rows":[{"op":"update_unattended_robot","t":"orchestrator_user_id","v":"7","execution_settings":{"a":1}}]}`,
	`{"src":"a \u003c b"}`,
	`{"rows":[{"op":"update_user","v":"CORP\\r"}]}`,
	`{"src":"` + "\xff" + `"}`,
	`{"src":"x","src":"y"}`,
	`{"Src":"x"}`,
	`{"other":1}`,
	`{"rows":[{"name":null}]}`,
	`{"rows":[{"is_active":1}]}`,
	`{"rows":[{"v":"a"}] }`,
	`{ "src":"x"}`,
	`{"src":"x"}{}`,
	`{"src":"x"`,
	`[]`,
	``,
}

// TestDecodePayloadIsWhatJSONReads: the payloads Compute writes are read
// by their bytes, as encoding/json reads them.
func TestDecodePayloadIsWhatJSONReads(t *testing.T) {
	fast := 0
	for _, data := range decodeSeeds {
		if checkDecodePayload(t, []byte(data)) {
			fast++
		}
	}
	if fast != 9 {
		t.Errorf("%d payloads were read by their bytes; want the first 9", fast)
	}
	job := &manifest.Job{Source: manifest.Source{File: "m.csv", Line: 2}, Op: manifest.OpDeleteUser, Target: manifest.Target{Kind: manifest.TargetEmail, Value: "ann@example.com"}}
	data, err := Compute(job, Before{Kind: KindUser, Exists: true, ID: "u-1", Email: "ann@example.com", UserName: "ann", Name: "Ann", Groups: []string{"Sales"}})
	if err != nil {
		t.Fatal(err)
	}
	if !checkDecodePayload(t, data) {
		t.Fatalf("payload %s is not read by its bytes", data)
	}
}

func FuzzDecodePayload(f *testing.F) {
	for _, data := range decodeSeeds {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodePayload(t, data)
	})
}

// checkDecodePayload fails t unless decodePayload reads data as
// encoding/json does; it reports whether it read it by its bytes.
func checkDecodePayload(t *testing.T, data []byte) bool {
	t.Helper()
	var want payload
	werr := json.Unmarshal(data, &want)
	var got payload
	gerr := decodePayload(data, &got, interner{})
	if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %q decodes as %+v (%v); encoding/json reads %+v (%v)", data, got, gerr, want, werr)
	}
	s := payloadScan{b: data}
	var fast payload
	if !s.payload(&fast) || s.i != len(data) {
		return false
	}
	if werr != nil || !reflect.DeepEqual(fast, want) {
		t.Fatalf("payload %q read by its bytes as %+v; encoding/json reads %+v (%v)", data, fast, want, werr)
	}
	return true
}
