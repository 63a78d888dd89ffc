package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

// A groups-only robot account update sends the current display name: the
// emulator, like a strict server, blanks a display name the PUT leaves out.
func TestRobotAccountGroupsOnlyUpdateKeepsDisplayName(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{Robots: 2, SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
		want := s.RobotAccounts()[1]
		got, err := c.RobotAccounts.Update(testContext(t), want.ID, UpdateRobotAccount{GroupIDsToAdd: []string{groupFinance}})
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != want.DisplayName {
			t.Fatalf("display name after a groups-only update: %q, want %q", got.DisplayName, want.DisplayName)
		}
		put := rec.find(http.MethodPut)
		if put == nil || !strings.Contains(put.body, `"displayName":"`+want.DisplayName+`"`) {
			t.Fatalf("PUT body does not carry the display name: %+v", put)
		}
	})
}

const credentialSeed = `orchestratorUsers:
  - {id: 4001, userName: robot-untyped, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-untyped', password: "Old-Pass-1"}}
  - {id: 4002, userName: robot-vault, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-vault', credentialType: Default, credentialStoreId: 3, credentialExternalName: svc-vault}}
  - {id: 4003, userName: robot-named, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-named', credentialExternalName: 'secret/robots/named'}}
  - {id: 4004, userName: robot-database-store, type: Robot,
     unattendedRobot: {userName: 'CORP\svc-db', credentialType: Default, credentialStoreId: 1, password: "Old-Pass-4"}}
`

// A robot without a credential type is PATCHed without one: "" is not in
// the enum, and the emulator refuses it as the definition says.
func TestUnattendedCredentialsOmitEmptyCredentialType(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedFile: writeFile(t, "seed.yaml", credentialSeed, 0o600), SpecShapes: spec})
		rec := &recorder{base: http.DefaultTransport}
		c := newTestClient(t, s, withHTTPClient(&http.Client{Transport: rec}))
		if _, err := c.OrchestratorUsers.SetUnattendedCredentials(testContext(t), 4001, UnattendedCredentials{Password: secret.New("New-Pass-12")}); err != nil {
			t.Fatal(err)
		}
		if s.RobotPasswordOf(4001) != "New-Pass-12" {
			t.Fatal("password not set")
		}
		if patch := rec.find(http.MethodPatch); patch == nil || strings.Contains(patch.body, "CredentialType") {
			t.Fatalf("PATCH sends a CredentialType: %+v", patch)
		}
	})
}

// A robot whose password lives in an external credential store fails
// before the PATCH, saying where the credential lives.
func TestUnattendedCredentialsInExternalStoreAreNotSent(t *testing.T) {
	eachShape(t, func(t *testing.T, spec bool) {
		s := startEmulator(t, emulator.Config{SeedFile: writeFile(t, "seed.yaml", credentialSeed, 0o600), SpecShapes: spec})
		c := newTestClient(t, s)
		for _, tc := range []struct {
			key   int64
			where string
		}{{4002, `credential store 3, under the name "svc-vault"`}, {4003, `under the name "secret/robots/named"`}} {
			_, err := c.OrchestratorUsers.SetUnattendedCredentials(testContext(t), tc.key, UnattendedCredentials{Password: secret.New("Vault-Pass-12")})
			if !errors.Is(err, ErrExternalCredential) || KindOf(err) != KindValidation || !strings.Contains(err.Error(), tc.where) {
				t.Errorf("user %d: err = %v", tc.key, err)
			}
			if err != nil && strings.Contains(err.Error(), "Vault-Pass-12") {
				t.Errorf("the password appears in the error")
			}
		}
		if n := s.CountFor("PATCH", "/odata/Users({key})"); n != 0 {
			t.Fatalf("%d PATCHes sent for robots in an external store", n)
		}
	})
}

// A store id alone is the built-in Orchestrator Database store, which holds
// the password itself: such a robot is rotated like any other.
func TestUnattendedCredentialsInOrchestratorStoreAreSent(t *testing.T) {
	s := startEmulator(t, emulator.Config{SeedFile: writeFile(t, "seed.yaml", credentialSeed, 0o600)})
	c := newTestClient(t, s)
	if _, err := c.OrchestratorUsers.SetUnattendedCredentials(testContext(t), 4004, UnattendedCredentials{Password: secret.New("Db-Store-Pass-12")}); err != nil {
		t.Fatalf("robot in the Orchestrator Database store: %v", err)
	}
	if s.RobotPasswordOf(4004) != "Db-Store-Pass-12" {
		t.Fatal("password not set")
	}
}
