package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/uipath-batch/batch/internal/secret"
)

// DefaultURI is the platform URL when none is configured.
const DefaultURI = "https://cloud.uipath.com"

// Environment variables read by LoadSettings (the names of UiPath's own CLI,
// plus ours).
const (
	EnvURI              = "UIPATH_URI"
	EnvOrganization     = "UIPATH_ORGANIZATION"
	EnvTenant           = "UIPATH_TENANT"
	EnvClientID         = "UIPATH_CLIENT_ID"
	EnvClientSecret     = "UIPATH_CLIENT_SECRET"
	EnvClientSecretFile = "UIPATH_CLIENT_SECRET_FILE"
	EnvPAT              = "UIPATH_PAT"
	EnvIdentityURI      = "UIPATH_IDENTITY_URI"
	EnvOrchestratorURI  = "UIPATH_ORCHESTRATOR_URI"
	EnvPartitionID      = "UIPATH_PARTITION_ID"
	EnvFolderID         = "UIPATH_FOLDER_ID"
	EnvProfile          = "UIPATH_PROFILE"
	// settingTokenURI has no variable of its own: it is a profile's auth.uri.
	settingTokenURI = "auth.uri"
)

// Settings are the connection settings: where UiPath is and how to sign in.
// Secrets are secret.Values and never print.
type Settings struct {
	URI             string
	Organization    string
	Tenant          string
	ClientID        string
	ClientSecret    secret.Value
	PAT             secret.Value
	IdentityURI     string
	OrchestratorURI string
	// TokenURI is a profile's auth.uri: the token endpoint, or the identity
	// base it hangs under.
	TokenURI    string
	PartitionID string
	// FolderID is sent as X-UIPATH-OrganizationUnitId to Orchestrator.
	FolderID string
	Profile  string
	// Origins records where each setting came from, keyed by its
	// environment variable name (e.g. "environment", `profile "default" in
	// ~/.uipath/config`, "--uri flag"). Flags set on top should record theirs.
	Origins map[string]string
}

// SetOrigin records where the setting named by its environment variable came from.
func (s *Settings) SetOrigin(name, origin string) {
	if s.Origins == nil {
		s.Origins = map[string]string{}
	}
	s.Origins[name] = origin
}

// Origin describes where the setting named by its environment variable
// came from ("environment", a profile, a flag, "default"), for messages.
func (s Settings) Origin(name string) string { return s.origin(name) }

// origin describes where a setting came from, for error messages.
func (s Settings) origin(name string) string {
	if o, ok := s.Origins[name]; ok {
		return o
	}
	return "default"
}

// DefaultConfigPath is uipathcli's configuration file, ~/.uipath/config.
func DefaultConfigPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".uipath", "config")
}

// profileFile is the part of uipathcli's configuration file we read.
type profileFile struct {
	Profiles []profile `yaml:"profiles"`
}

type profile struct {
	Name         string `yaml:"name"`
	URI          string `yaml:"uri"`
	Organization string `yaml:"organization"`
	Tenant       string `yaml:"tenant"`
	Auth         struct {
		ClientID     string `yaml:"clientId"`
		ClientSecret string `yaml:"clientSecret"`
		PAT          string `yaml:"pat"`
		URI          string `yaml:"uri"`
	} `yaml:"auth"`
}

// LoadSettings reads the settings: the environment (through lookupEnv) over
// the profile named by UIPATH_PROFILE ("default" when unset) of the
// uipathcli configuration file at configPath ("" reads no file). A missing
// file is fine unless a profile was asked for by name. The file is never written.
func LoadSettings(lookupEnv func(string) (string, bool), configPath string) (Settings, error) {
	s := Settings{Profile: "default"}
	env := func(name string) (string, bool) {
		v, ok := lookupEnv(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	named := false
	if p, ok := env(EnvProfile); ok {
		s.Profile, named = p, true
	}
	if err := s.applyProfile(configPath, named); err != nil {
		return Settings{}, err
	}
	strs := []struct {
		name string
		dst  *string
	}{
		{EnvURI, &s.URI}, {EnvOrganization, &s.Organization}, {EnvTenant, &s.Tenant},
		{EnvClientID, &s.ClientID}, {EnvIdentityURI, &s.IdentityURI},
		{EnvOrchestratorURI, &s.OrchestratorURI}, {EnvPartitionID, &s.PartitionID},
		{EnvFolderID, &s.FolderID},
	}
	for _, f := range strs {
		if v, ok := env(f.name); ok {
			*f.dst = v
			s.SetOrigin(f.name, "environment")
		}
	}
	if v, ok := lookupEnv(EnvPAT); ok && v != "" {
		s.PAT = secret.New(strings.TrimSpace(v))
		s.SetOrigin(EnvPAT, "environment")
	}
	secretEnv, hasSecretEnv := lookupEnv(EnvClientSecret)
	hasSecretEnv = hasSecretEnv && secretEnv != ""
	if path, ok := env(EnvClientSecretFile); ok {
		if hasSecretEnv {
			return Settings{}, fmt.Errorf("both %s and %s are set; set only one", EnvClientSecret, EnvClientSecretFile)
		}
		v, err := readSecretFile(path)
		if err != nil {
			return Settings{}, fmt.Errorf("%s: %w", EnvClientSecretFile, err)
		}
		s.ClientSecret = v
		s.SetOrigin(EnvClientSecret, "file "+path+" ("+EnvClientSecretFile+")")
	} else if hasSecretEnv {
		s.ClientSecret = secret.New(secretEnv)
		s.SetOrigin(EnvClientSecret, "environment")
	}
	if s.URI == "" {
		s.URI = DefaultURI
	}
	return s, nil
}

// profileVariables are the variables that override what a profile sets
// (or that belong to one organization or tenant), so that setting one
// beside a profile named on the command line targets something else than
// that profile says.
var profileVariables = []string{EnvURI, EnvOrganization, EnvTenant, EnvClientID, EnvClientSecret, EnvClientSecretFile,
	EnvPAT, EnvIdentityURI, EnvOrchestratorURI, EnvPartitionID, EnvFolderID}

// LoadProfileSettings is LoadSettings for a profile named on the command
// line (--profile): the profile must exist, and a UIPATH_* variable set
// beside it that would silently override it (an organization, a client,
// a partition of another organization) is an error naming the variables
// and how to unset them.
func LoadProfileSettings(lookupEnv func(string) (string, bool), configPath, profile string) (Settings, error) {
	var set []string
	for _, name := range profileVariables {
		if v, ok := lookupEnv(name); ok && strings.TrimSpace(v) != "" {
			set = append(set, name)
		}
	}
	if len(set) > 0 {
		return Settings{}, fmt.Errorf("--profile %s was given, but %s %s set in the environment and would override it (they may point at another organization): unset them (unset %s), or leave out --profile",
			profile, strings.Join(set, ", "), map[bool]string{true: "is", false: "are"}[len(set) == 1], strings.Join(set, " "))
	}
	s, err := LoadSettings(func(name string) (string, bool) {
		if name == EnvProfile {
			return profile, true
		}
		return lookupEnv(name)
	}, configPath)
	if err != nil {
		return s, errors.New(strings.NewReplacer("(from "+EnvProfile+")", "(from --profile)", "asked for by "+EnvProfile, "asked for by --profile").Replace(err.Error()))
	}
	return s, nil
}

// Target is the organization (and tenant) the settings point at, as a
// person checks it: https://host/organization/tenant.
func (s Settings) Target() string {
	t := strings.TrimRight(s.URI, "/")
	if s.IdentityURI != "" && s.Organization == "" {
		t = strings.TrimRight(s.IdentityURI, "/")
	}
	for _, seg := range []string{s.Organization, s.Tenant} {
		if seg != "" {
			t += "/" + seg
		}
	}
	return t
}

// applyProfile fills s from the named profile of the configuration file.
func (s *Settings) applyProfile(path string, named bool) error {
	if path == "" {
		if named {
			return fmt.Errorf("profile %q asked for by %s, but no configuration file is set", s.Profile, EnvProfile)
		}
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read uipath configuration: %w", err)
	}
	var f profileFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("parse uipath configuration %s: %w", path, err)
	}
	for _, p := range f.Profiles {
		if p.Name != s.Profile {
			continue
		}
		origin := fmt.Sprintf("profile %q in %s", p.Name, path)
		set := func(name, v string, dst *string) {
			if v != "" {
				*dst = v
				s.SetOrigin(name, origin)
			}
		}
		set(EnvURI, p.URI, &s.URI)
		set(EnvOrganization, p.Organization, &s.Organization)
		set(EnvTenant, p.Tenant, &s.Tenant)
		set(EnvClientID, p.Auth.ClientID, &s.ClientID)
		set(settingTokenURI, p.Auth.URI, &s.TokenURI)
		if p.Auth.ClientSecret != "" {
			s.ClientSecret = secret.New(p.Auth.ClientSecret)
			s.SetOrigin(EnvClientSecret, origin)
		}
		if p.Auth.PAT != "" {
			s.PAT = secret.New(p.Auth.PAT)
			s.SetOrigin(EnvPAT, origin)
		}
		return nil
	}
	if named {
		return fmt.Errorf("profile %q (from %s) not found in %s", s.Profile, EnvProfile, path)
	}
	return nil
}

// readSecretFile reads a secret from a file only its owner can read,
// dropping one trailing newline.
func readSecretFile(path string) (secret.Value, error) {
	info, err := os.Stat(path)
	if err != nil {
		return secret.Value{}, fmt.Errorf("read secret file: %w", err)
	}
	// Group read is allowed: Kubernetes mounts a Secret with fsGroup as
	// 0440, readable by the pod's group only. Read by others, or
	// writable by anyone but the owner, is refused.
	if info.Mode().Perm()&0o026 != 0 {
		return secret.Value{}, fmt.Errorf("secret file %s is readable by others or writable by group or others (mode %04o); run chmod 600 %s (0440 for a group, as a Kubernetes Secret with fsGroup, is accepted)", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return secret.Value{}, fmt.Errorf("read secret file: %w", err)
	}
	v := string(data)
	v = strings.TrimSuffix(v, "\n")
	v = strings.TrimSuffix(v, "\r")
	if v == "" {
		return secret.Value{}, fmt.Errorf("secret file %s is empty", path)
	}
	return secret.New(v), nil
}

// Validate checks that the settings name a way to sign in, and that the
// folder, when set, is a folder's id (it is sent as a header).
func (s Settings) Validate() error {
	if s.FolderID != "" {
		if id, err := strconv.ParseInt(s.FolderID, 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("%s (from %s): %q is not a folder id: it is the folder's whole-number Id", EnvFolderID, s.origin(EnvFolderID), printableSetting(s.FolderID))
		}
	}
	if !s.PAT.IsZero() {
		return nil
	}
	switch {
	case s.ClientID == "" && s.ClientSecret.IsZero():
		return fmt.Errorf("no credentials: set %s and %s (or %s), or %s, or a profile (%s)",
			EnvClientID, EnvClientSecret, EnvClientSecretFile, EnvPAT, EnvProfile)
	case s.ClientID == "":
		return fmt.Errorf("client id missing: set %s (the External Application's App ID)", EnvClientID)
	case s.ClientSecret.IsZero():
		return fmt.Errorf("client secret missing for client id %q: set %s or %s", s.ClientID, EnvClientSecret, EnvClientSecretFile)
	}
	return nil
}

// printableSetting shortens a setting for a message and makes control
// characters visible.
func printableSetting(v string) string {
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strings.ToValidUTF8(v, "?")
}
