package client

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestIdentityResultDecodesLikeEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{"succeeded":true,"errors":[]}`,
		" {\"succeeded\":true,\"errors\":[]}\n",
		`{"succeeded": true, "errors": []}`,
		`{"succeeded":false,"errors":[{"code":"PasswordTooShort","description":"Too short."}]}`,
		`{"errors":[]}`,
		`{"succeeded":true}`,
	} {
		var fast, slow identityResult
		if err := fast.decodeBody([]byte(body)); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		type plain identityResult
		if err := json.Unmarshal([]byte(body), (*plain)(&slow)); err != nil {
			t.Fatal(err)
		}
		if (fast.Succeeded == nil) != (slow.Succeeded == nil) || (fast.Succeeded != nil && *fast.Succeeded != *slow.Succeeded) {
			t.Errorf("%s: succeeded %v, encoding/json says %v", body, fast.Succeeded, slow.Succeeded)
		}
		var fe, se any
		_ = json.Unmarshal(orNull(fast.Errors), &fe)
		_ = json.Unmarshal(orNull(slow.Errors), &se)
		if !reflect.DeepEqual(fe, se) {
			t.Errorf("%s: errors %s, encoding/json says %s", body, fast.Errors, slow.Errors)
		}
	}
	var r identityResult
	if err := r.decodeBody([]byte(`{"succeeded":`)); err == nil {
		t.Error("a torn body decoded")
	}
}

func orNull(m json.RawMessage) []byte {
	if len(m) == 0 {
		return []byte("null")
	}
	return m
}
