package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/secret"
)

func TestEndpointsByDeployment(t *testing.T) {
	tests := []struct {
		name     string
		s        Settings
		identity string
		token    string
		orch     string
	}{
		{"automation cloud", Settings{Organization: "acme", Tenant: "Prod"},
			"https://cloud.uipath.com/acme/identity_", "https://cloud.uipath.com/identity_/connect/token",
			"https://cloud.uipath.com/acme/Prod/orchestrator_"},
		{"public sector", Settings{URI: "https://govcloud.uipath.us/", Organization: "acme", Tenant: "T"},
			"https://govcloud.uipath.us/acme/identity_", "https://govcloud.uipath.us/identity_/connect/token",
			"https://govcloud.uipath.us/acme/T/orchestrator_"},
		{"dedicated", Settings{URI: "https://x.dedicated.uipath.com", Organization: "acme"},
			"https://x.dedicated.uipath.com/acme/identity_", "https://x.dedicated.uipath.com/identity_/connect/token", ""},
		{"automation suite", Settings{URI: "https://suite.corp.example", Organization: "acme", Tenant: "T"},
			"https://suite.corp.example/acme/identity_", "https://suite.corp.example/identity_/connect/token",
			"https://suite.corp.example/acme/T/orchestrator_"},
		{"automation suite identity override", Settings{URI: "https://suite.corp.example", Organization: "acme", IdentityURI: "https://suite.corp.example/acme/identity_"},
			"https://suite.corp.example/acme/identity_", "https://suite.corp.example/identity_/connect/token", ""},
		{"standalone", Settings{URI: "https://orch.corp.example", IdentityURI: "https://orch.corp.example/identity/"},
			"https://orch.corp.example/identity", "https://orch.corp.example/identity/connect/token", "https://orch.corp.example"},
		{"overrides win", Settings{Organization: "acme", Tenant: "T", IdentityURI: "https://id.example/identity_",
			TokenURI: "https://login.example/identity_", OrchestratorURI: "https://orch.example/acme/T/orchestrator_/"},
			"https://id.example/identity_", "https://login.example/identity_/connect/token", "https://orch.example/acme/T/orchestrator_"},
		{"loopback http", Settings{URI: "http://127.0.0.1:8080", Organization: "demo-org", Tenant: "DefaultTenant"},
			"http://127.0.0.1:8080/demo-org/identity_", "http://127.0.0.1:8080/identity_/connect/token",
			"http://127.0.0.1:8080/demo-org/DefaultTenant/orchestrator_"},
		{"loopback ipv6 and localhost", Settings{URI: "http://[::1]:9", Organization: "o", OrchestratorURI: "http://localhost:9/o/t/orchestrator_"},
			"http://[::1]:9/o/identity_", "http://[::1]:9/identity_/connect/token", "http://localhost:9/o/t/orchestrator_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := tt.s.Endpoints()
			if err != nil {
				t.Fatalf("Endpoints: %v", err)
			}
			want := Endpoints{Identity: tt.identity, Token: tt.token, Orchestrator: tt.orch}
			if ep != want {
				t.Fatalf("Endpoints =\n %+v\nwant\n %+v", ep, want)
			}
		})
	}
}

func TestEndpointsRefused(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
		want []string
	}{
		{"plain http to a remote host", Settings{URI: "http://cloud.example", Organization: "o", Origins: map[string]string{EnvURI: "environment"}},
			[]string{"UIPATH_URI (from environment)", "http://", "refused"}},
		{"plain http identity override", Settings{IdentityURI: "http://10.0.0.5/identity", Origins: map[string]string{EnvIdentityURI: `profile "p" in /x`}},
			[]string{"UIPATH_IDENTITY_URI", `profile "p"`}},
		{"no organization", Settings{}, []string{"UIPATH_ORGANIZATION"}},
		{"not a URL", Settings{URI: "cloud.uipath.com", Organization: "o"}, []string{"UIPATH_URI", "absolute"}},
		{"credentials in URL", Settings{URI: "https://u:p@cloud.uipath.com", Organization: "o"}, []string{"must not carry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Endpoints()
			if err == nil {
				t.Fatal("Endpoints succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "u:p@") {
				t.Errorf("error shows URL credentials: %q", err)
			}
		})
	}
}

const profileYAML = `profiles:
- name: default
  uri: https://cloud.uipath.com/
  organization: prof-org
  tenant: prof-tenant
  auth:
    clientId: prof-client
    clientSecret: prof-secret-value
- name: onprem
  uri: https://orch.corp.example
  auth:
    pat: prof-pat-value
    uri: https://orch.corp.example/identity
`

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSettings(t *testing.T) {
	cfg := writeFile(t, "config", profileYAML, 0o600)
	goodSecret := writeFile(t, "secret", "file-secret-value\n", 0o600)

	t.Run("profile only", func(t *testing.T) {
		s, err := LoadSettings(envLookup(nil), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if s.Organization != "prof-org" || s.Tenant != "prof-tenant" || s.ClientID != "prof-client" ||
			s.ClientSecret.Reveal() != "prof-secret-value" || s.URI != "https://cloud.uipath.com/" {
			t.Fatalf("settings = %+v", s)
		}
		if !strings.Contains(s.Origins[EnvClientID], `profile "default"`) {
			t.Fatalf("origin of client id = %q", s.Origins[EnvClientID])
		}
	})
	t.Run("environment over profile", func(t *testing.T) {
		s, err := LoadSettings(envLookup([]string{"UIPATH_ORGANIZATION=env-org", "UIPATH_CLIENT_ID=env-client", "UIPATH_FOLDER_ID=42"}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if s.Organization != "env-org" || s.ClientID != "env-client" || s.Tenant != "prof-tenant" || s.FolderID != "42" {
			t.Fatalf("settings = %+v", s)
		}
		if s.Origins[EnvOrganization] != "environment" {
			t.Fatalf("origin = %q", s.Origins[EnvOrganization])
		}
	})
	t.Run("named profile", func(t *testing.T) {
		s, err := LoadSettings(envLookup([]string{"UIPATH_PROFILE=onprem"}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := s.Endpoints()
		if err != nil {
			t.Fatal(err)
		}
		if s.PAT.Reveal() != "prof-pat-value" || ep.Token != "https://orch.corp.example/identity/connect/token" {
			t.Fatalf("settings %+v endpoints %+v", s, ep)
		}
	})
	t.Run("unknown profile", func(t *testing.T) {
		_, err := LoadSettings(envLookup([]string{"UIPATH_PROFILE=nope"}), cfg)
		if err == nil || !strings.Contains(err.Error(), `"nope"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing file is fine without a named profile", func(t *testing.T) {
		s, err := LoadSettings(envLookup(nil), filepath.Join(t.TempDir(), "none"))
		if err != nil || s.URI != DefaultURI {
			t.Fatalf("s = %+v, err = %v", s, err)
		}
	})
	t.Run("secret file", func(t *testing.T) {
		s, err := LoadSettings(envLookup([]string{"UIPATH_CLIENT_SECRET_FILE=" + goodSecret}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if s.ClientSecret.Reveal() != "file-secret-value" {
			t.Fatal("secret file not read or newline not trimmed")
		}
	})
	t.Run("secret file readable by others", func(t *testing.T) {
		for _, mode := range []os.FileMode{0o644, 0o604, 0o660, 0o620} {
			open := writeFile(t, "open", "file-secret-value\n", mode)
			_, err := LoadSettings(envLookup([]string{"UIPATH_CLIENT_SECRET_FILE=" + open}), "")
			if err == nil || !strings.Contains(err.Error(), "readable by others or writable by group or others") {
				t.Fatalf("mode %04o: err = %v", mode, err)
			}
			if strings.Contains(err.Error(), "file-secret-value") {
				t.Fatal("error shows the secret")
			}
		}
	})
	t.Run("secret file of a Kubernetes Secret with fsGroup", func(t *testing.T) {
		// The kubelet mounts it 0440: the pod's group may read it.
		s, err := LoadSettings(envLookup([]string{"UIPATH_CLIENT_SECRET_FILE=" + writeFile(t, "k8s", "file-secret-value\n", 0o440)}), "")
		if err != nil || s.ClientSecret.Reveal() != "file-secret-value" {
			t.Fatalf("0440: %v", err)
		}
	})
	t.Run("an explicit profile and variables that would override it", func(t *testing.T) {
		_, err := LoadProfileSettings(envLookup([]string{"UIPATH_ORGANIZATION=old-org", "UIPATH_CLIENT_SECRET=emulator-secret", "UIPATH_PROFILE=x"}), cfg, "onprem")
		if err == nil || !strings.Contains(err.Error(), "--profile onprem was given, but UIPATH_ORGANIZATION, UIPATH_CLIENT_SECRET are set") ||
			!strings.Contains(err.Error(), "unset UIPATH_ORGANIZATION UIPATH_CLIENT_SECRET") || strings.Contains(err.Error(), "emulator-secret") {
			t.Fatalf("err = %v", err)
		}
		s, err := LoadProfileSettings(envLookup([]string{"UIPATH_PROFILE=other"}), cfg, "onprem")
		if err != nil || s.Profile != "onprem" {
			t.Fatalf("profile alone: %+v, %v", s, err)
		}
		if _, err := LoadProfileSettings(envLookup(nil), cfg, "nosuch"); err == nil || !strings.Contains(err.Error(), "(from --profile)") || strings.Contains(err.Error(), "UIPATH_PROFILE") {
			t.Fatalf("unknown profile: %v", err)
		}
	})
	t.Run("secret twice", func(t *testing.T) {
		_, err := LoadSettings(envLookup([]string{"UIPATH_CLIENT_SECRET_FILE=" + goodSecret, "UIPATH_CLIENT_SECRET=x"}), "")
		if err == nil {
			t.Fatal("both secret sources accepted")
		}
	})
	t.Run("printing settings hides secrets", func(t *testing.T) {
		s, _ := LoadSettings(envLookup([]string{"UIPATH_PAT=env-pat-value"}), cfg)
		for _, f := range []string{"%v", "%+v", "%#v"} {
			out := sprintf(f, s)
			if strings.Contains(out, "prof-secret-value") || strings.Contains(out, "env-pat-value") {
				t.Fatalf("%s of Settings shows a secret: %s", f, out)
			}
		}
	})
}

func TestValidateNamesVariables(t *testing.T) {
	err := Settings{}.Validate()
	for _, name := range []string{EnvClientID, EnvClientSecret, EnvClientSecretFile, EnvPAT} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("Validate() = %v, want it to name %s", err, name)
		}
	}
	if err := (Settings{ClientID: "x"}).Validate(); err == nil || !strings.Contains(err.Error(), EnvClientSecretFile) {
		t.Fatalf("missing secret: %v", err)
	}
}

// A uipathcli profile for a standalone Orchestrator (auth.uri ending in
// /identity) gets standalone paths even when it also names an
// organization: the identity URI says which deployment it is.
func TestStandaloneProfileWithOrganizationGetsStandalonePaths(t *testing.T) {
	for _, authURI := range []string{"https://orch.corp.example/identity", "https://orch.corp.example/identity/", "https://orch.corp.example/identity/connect/token"} {
		cfg := writeFile(t, "config", `profiles:
- name: default
  uri: https://orch.corp.example
  organization: corp
  tenant: Default
  auth:
    clientId: c
    clientSecret: s-value
    uri: `+authURI+"\n", 0o600)
		s, err := LoadSettings(envLookup(nil), cfg)
		if err != nil {
			t.Fatal(err)
		}
		ep, err := s.Endpoints()
		if err != nil {
			t.Fatal(err)
		}
		want := Endpoints{Identity: "https://orch.corp.example/identity", Token: "https://orch.corp.example/identity/connect/token", Orchestrator: "https://orch.corp.example"}
		if ep != want {
			t.Errorf("auth.uri %s: Endpoints =\n %+v\nwant\n %+v", authURI, ep, want)
		}
	}
	// A cloud profile's auth.uri keeps cloud paths.
	s := Settings{URI: "https://cloud.uipath.com", Organization: "acme", Tenant: "T", TokenURI: "https://cloud.uipath.com/identity_"}
	ep, err := s.Endpoints()
	if err != nil {
		t.Fatal(err)
	}
	if want := (Endpoints{Identity: "https://cloud.uipath.com/acme/identity_", Token: "https://cloud.uipath.com/identity_/connect/token", Orchestrator: "https://cloud.uipath.com/acme/T/orchestrator_"}); ep != want {
		t.Errorf("cloud profile: Endpoints =\n %+v\nwant\n %+v", ep, want)
	}
}

// UIPATH_FOLDER_ID becomes a header value: it must be a folder's integer id.
func TestFolderIDMustBeAnInteger(t *testing.T) {
	for _, id := range []string{"abc", "12x", "1.5", "-3", "0", "4\r\nX-Evil: 1", "99999999999999999999"} {
		s := Settings{ClientID: "c", ClientSecret: secret.New("s"), FolderID: id}
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), EnvFolderID) {
			t.Errorf("folder id %q: Validate = %v, want an error naming %s", id, err, EnvFolderID)
		}
	}
	for _, id := range []string{"", "1", "42", "9223372036854775807"} {
		s := Settings{ClientID: "c", ClientSecret: secret.New("s"), FolderID: id}
		if err := s.Validate(); err != nil {
			t.Errorf("folder id %q: %v", id, err)
		}
	}
}
