package undo

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

// everyField is an undo row with every field set, to values a spool must
// not confuse with unset ones (an empty string, false, an empty list).
var everyField = entry{Op: manifest.OpEnsureUser, T: manifest.TargetEmail, V: "ann@example.com",
	UserName: ptr("ann"), Name: ptr(""), Surname: ptr("Lée"), DisplayName: ptr("Ann Lee"),
	IsActive: ptr(false), Bypass: ptr(true), Invitation: ptr(true),
	Groups: []string{"Everyone", "Sales;EU"}, Add: []string{}, Remove: []string{""},
	Folder: "Shared/Finance", Roles: []string{"Executor"}, RolesRemove: []string{"Admin"},
	RobotUser: ptr(`CORP\r`), CredentialType: ptr("smartcard"), ExecutionSettings: json.RawMessage(`{"a":[1,null]}`), Limit: ptr(false)}

// TestSpoolKeepsEveryField: the rows and notes spooled read back as they
// were, every field of an undo row included (a field added to entry and
// not to the spool fails here).
func TestSpoolKeepsEveryField(t *testing.T) {
	v := reflect.ValueOf(everyField)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("everyField does not set %s", v.Type().Field(i).Name)
		}
	}
	flipped := entry{Op: manifest.OpUpdateUser, T: manifest.TargetUserID, V: "u-1",
		IsActive: ptr(true), Bypass: ptr(false), Invitation: ptr(false), Limit: ptr(true), ExecutionSettings: json.RawMessage{}}
	spoolRoundTrip(t, []payload{
		{Source: "m.csv:2", Rows: []entry{everyField, flipped}, Notes: []string{"one", ""}},
		{},
		{Rows: []entry{{}}},
		{Notes: []string{string(bytes.Repeat([]byte("x"), 100<<10))}},
	})
}

// spoolRoundTrip fails t unless payloads, spooled, read back as they are.
func spoolRoundTrip(t *testing.T, payloads []payload) {
	t.Helper()
	var file bytes.Buffer
	w := newSpoolWriter(&file)
	for i := range payloads {
		if err := w.add(i+1, &payloads[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	r := newSpoolReader(bytes.NewReader(file.Bytes()), int64(file.Len()))
	var rec spooled
	for i, p := range payloads {
		if err := r.next(&rec); err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		if rec.line != i+1 || !slices.Equal(rec.notes, p.Notes) || len(rec.rows) != len(p.Rows) {
			t.Fatalf("record %d read back as line %d, notes %q, %d rows; spooled %q, %d rows", i+1, rec.line, rec.notes, len(rec.rows), p.Notes, len(p.Rows))
		}
		for j := range p.Rows {
			if !reflect.DeepEqual(rec.rows[j], p.Rows[j]) {
				t.Fatalf("record %d row %d read back as\n%+v\nspooled\n%+v", i+1, j+1, rec.rows[j], p.Rows[j])
			}
		}
	}
	if err := r.next(&rec); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last record: %v", err)
	}
}

// FuzzSpool: a payload that decodes from the journal reads back from the
// spool as it was; and bytes that are no spool read as an error, never a
// crash or an allocation beyond their size.
func FuzzSpool(f *testing.F) {
	for _, p := range []payload{{Source: "m.csv:2", Rows: []entry{everyField}, Notes: []string{"a note"}}, {}} {
		data, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"src":"m.csv:3","rows":[{"op":"update_user","t":"user_id","v":"u-1","display_name":"User 1","groups":[],"add":null,"is_active":true}]}`))
	f.Add([]byte(`{"rows":[{"op":"set_folder_access","t":"email","v":"a@b.c","folder":"F","roles":["x","y"],"execution_settings":null}],"notes":["n"]}`))
	f.Add([]byte{0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p payload
		if json.Unmarshal(data, &p) == nil {
			spoolRoundTrip(t, []payload{p})
		}
		r := newSpoolReader(bytes.NewReader(data), int64(len(data)))
		var rec spooled
		for {
			if err := r.next(&rec); err != nil {
				break
			}
		}
	})
}

// TestShapeTellsEveryField: a row with any one field set has another
// shape than a row without (a field added to entry and not to shape
// fails here), so that the columns noted for a shape are those of each
// of its rows.
func TestShapeTellsEveryField(t *testing.T) {
	full := reflect.ValueOf(everyField)
	var zero entry
	for i := range full.NumField() {
		var e entry
		reflect.ValueOf(&e).Elem().Field(i).Set(full.Field(i))
		if e.shape() == zero.shape() {
			t.Errorf("a row with %s set has the shape of a row without", full.Type().Field(i).Name)
		}
	}
	emptySet, someGroups := entry{Groups: []string{}}, entry{Groups: []string{"G"}}
	if emptySet.shape() == someGroups.shape() || emptySet.shape() == zero.shape() {
		t.Error("rows with no groups, an empty set and a set of groups share a shape")
	}
}
