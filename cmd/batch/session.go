package main

import (
	"os"

	"github.com/uipath-batch/batch/internal/client"
)

// settings resolves the connection settings: flags over environment over
// the uipathcli profile. Problems are usage errors (exit 2): nothing was
// sent.
func (c *connectionFlags) settings() (client.Settings, error) {
	load := client.LoadSettings
	if c.Profile != "" {
		load = func(env func(string) (string, bool), path string) (client.Settings, error) {
			return client.LoadProfileSettings(env, path, c.Profile)
		}
	}
	s, err := load(os.LookupEnv, client.DefaultConfigPath())
	if err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	override := func(dst *string, v, env, flag string) {
		if v != "" {
			*dst = v
			s.SetOrigin(env, flag+" flag")
		}
	}
	override(&s.URI, c.URI, "UIPATH_URI", "--uri")
	override(&s.Organization, c.Organization, "UIPATH_ORGANIZATION", "--organization")
	override(&s.Tenant, c.Tenant, "UIPATH_TENANT", "--tenant")
	override(&s.ClientID, c.ClientID, "UIPATH_CLIENT_ID", "--client-id")
	override(&s.IdentityURI, c.IdentityURI, "UIPATH_IDENTITY_URI", "--identity-uri")
	override(&s.OrchestratorURI, c.OrchestratorURI, "UIPATH_ORCHESTRATOR_URI", "--orchestrator-uri")
	override(&s.PartitionID, c.PartitionID, "UIPATH_PARTITION_ID", "--partition-id")
	override(&s.FolderID, c.FolderID, "UIPATH_FOLDER_ID", "--folder-id")
	if err := s.Validate(); err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	if _, err := s.Endpoints(); err != nil {
		return s, usageErrorf("connection settings: %w", err)
	}
	return s, nil
}
