package client

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/uipath-batch/batch/internal/secret"
)

// robotUser is an Orchestrator user whose robot has credentialType as its
// CredentialType JSON.
func robotUser(credentialType string) string {
	return `{"Id":7,"UserName":"robot-7","Type":1,"UnattendedRobot":{"UserName":"CORP\\svc-7","Password":null,` +
		`"CredentialType":` + credentialType + `,"CredentialStoreId":1,"ExecutionSettings":{"a":1},` +
		`"LimitConcurrentExecution":false,"RobotId":4007,"robotID":4007,"MachineMappingsCount":3,"Future":true}}`
}

// patchRecorder answers GET odata/Users(7) with user and keeps the
// UnattendedRobot of every PATCH.
type patchRecorder struct {
	user string

	mu      sync.Mutex
	patches []map[string]json.RawMessage
}

func (p *patchRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		_, _ = io.WriteString(w, p.user)
	case http.MethodPatch:
		var body struct {
			UnattendedRobot map[string]json.RawMessage
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.patches = append(p.patches, body.UnattendedRobot)
		p.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

// A PATCH sends the robot whole but for the server-computed RobotId and
// MachineMappingsCount (in any letter case), and its CredentialType in the
// spelling it came in: an integer code as the integer, a name as the name.
func TestPatchBodyLeavesServerFieldsAndKeepsCredentialTypeSpelling(t *testing.T) {
	for _, tc := range []struct{ read, change, want string }{
		{`2`, "", `2`},
		{`"NCipher"`, "", `"NCipher"`},
		{`"ncipher"`, "", `"ncipher"`},
		{`9`, "", `9`},
		{`1`, "Default", `0`},
		{`"SmartCard"`, "Default", `"Default"`},
		{`null`, "", ``},
	} {
		t.Run(tc.read+"→"+tc.change, func(t *testing.T) {
			rec := &patchRecorder{user: robotUser(tc.read)}
			c := stubClient(t, canned{})
			c.endpoints.Orchestrator = stubServer(t, rec.ServeHTTP)
			ctx := testContext(t)
			u, err := c.OrchestratorUsers.Get(ctx, 7)
			if err != nil {
				t.Fatal(err)
			}
			if tc.change != "" {
				u.UnattendedRobot.CredentialType = tc.change
			}
			if _, err := c.OrchestratorUsers.SetUnattendedCredentialsOf(ctx, u, UnattendedCredentials{Password: secret.New("New-Pass-7")}); err != nil {
				t.Fatal(err)
			}
			if len(rec.patches) != 1 {
				t.Fatalf("%d PATCHes", len(rec.patches))
			}
			sent := rec.patches[0]
			for k := range sent {
				if strings.EqualFold(k, "RobotId") || strings.EqualFold(k, "MachineMappingsCount") {
					t.Errorf("PATCH sends the server-computed %s", k)
				}
			}
			if got := string(sent["CredentialType"]); got != tc.want {
				t.Errorf("CredentialType sent as %s, want %s", got, tc.want)
			}
			if string(sent["Password"]) != `"New-Pass-7"` || string(sent["ExecutionSettings"]) != `{"a":1}` || string(sent["Future"]) != `true` || string(sent["CredentialStoreId"]) != `1` {
				t.Errorf("PATCH robot = %v", sent)
			}
		})
	}
}

// A robot marshalled on its own is what a PATCH sends, without password.
func TestUnattendedRobotMarshalsWithoutServerFields(t *testing.T) {
	var u OrchestratorUser
	if err := json.Unmarshal([]byte(robotUser(`3`)), &u); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(u.UnattendedRobot)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"RobotId", "robotID", "MachineMappingsCount", "Password"} {
		if strings.Contains(string(out), `"`+k+`"`) {
			t.Errorf("marshalled robot has %s: %s", k, out)
		}
	}
	if !strings.Contains(string(out), `"CredentialType":3`) || u.UnattendedRobot.CredentialType != "SafeNet" || u.UnattendedRobot.RobotID != 4007 {
		t.Errorf("robot %+v marshals as %s", u.UnattendedRobot, out)
	}
}

// Only a robot of the credential type Default (or none given) signs in
// with a password.
func TestPasswordSignIn(t *testing.T) {
	for ct, want := range map[string]bool{
		"": true, "Default": true, "SmartCard": false, "NCipher": false, "SafeNet": false,
		"NoCredential": false, UnknownEnumPrefix + "9": false, "Kerberos": false,
	} {
		r := UnattendedRobot{CredentialType: ct}
		if got := r.PasswordSignIn(); got != want {
			t.Errorf("PasswordSignIn with %q = %v, want %v", ct, got, want)
		}
	}
	for code, want := range map[string]bool{`0`: true, `1`: false, `2`: false, `3`: false, `4`: false, `9`: false, `null`: true} {
		var r UnattendedRobot
		if err := json.Unmarshal([]byte(`{"CredentialType":`+code+`}`), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.PasswordSignIn(); got != want {
			t.Errorf("PasswordSignIn with code %s (%q) = %v, want %v", code, r.CredentialType, got, want)
		}
	}
}
