package client

import (
	"encoding/json"
	"testing"
)

// Every enum reads its names, its integer codes in the definition's order,
// and keeps what it does not know without failing.
func TestEnumDecodesNamesAndCodes(t *testing.T) {
	for _, tc := range []struct {
		e       enum
		raw     string
		want    string
		numeric bool
	}{
		{userTypes, `0`, "user", true},
		{userTypes, `5`, "application", true},
		{userTypes, `"robotAccount"`, "robotAccount", false},
		{userTypes, `"RobotAccount"`, "robotAccount", false},
		{userTypes, `9`, UnknownEnumPrefix + "9", true},
		{userTypes, `-1`, UnknownEnumPrefix + "-1", true},
		{userTypes, `"guest"`, "guest", false},
		{userTypes, `null`, "", false},
		{userTypes, ``, "", false},
		{userTypes, `true`, UnknownEnumPrefix + "true", false},
		{userCategories, `1`, "linkedLocal", true},
		{groupTypes, `1`, "custom", true},
		{groupTypes, `"builtIn"`, "builtIn", false},
		{orchestratorUserTypes, `4`, "DirectoryRobot", true},
		{credentialTypes, `4`, "NoCredential", true},
		{credentialTypes, `2.5`, UnknownEnumPrefix + "2.5", true},
	} {
		got, numeric := tc.e.decode(json.RawMessage(tc.raw))
		if got != tc.want || numeric != tc.numeric {
			t.Errorf("decode(%s) = %q, %v; want %q, %v", tc.raw, got, numeric, tc.want, tc.numeric)
		}
	}
	if code, ok := UnknownEnum("user"); ok || code != "user" {
		t.Errorf("UnknownEnum(user) = %q, %v", code, ok)
	}
}

// The credential types' codes are the definition's enum order.
func TestCredentialTypeCodes(t *testing.T) {
	for code, name := range []string{"Default", "SmartCard", "NCipher", "SafeNet", "NoCredential"} {
		if c, ok := credentialTypes.code(name); !ok || c != code {
			t.Errorf("code(%s) = %d, %v; want %d", name, c, ok, code)
		}
	}
}
