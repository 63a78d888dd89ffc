package runner

import (
	"fmt"
	"os"
	"time"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/runfolder"
)

// Command is what a manifest run may do: Plan only reads, Apply writes.
type Command struct {
	name   string
	writes bool
}

// The commands that run a manifest.
var (
	Plan  = Command{name: "plan"}
	Apply = Command{name: "apply", writes: true}
)

// String names the command as a person types it.
func (c Command) String() string { return c.name }

// Writes reports whether the command sends changes.
func (c Command) Writes() bool { return c.writes }

// RunOptions are the settings of plan, apply and export as the command
// line gives them (see the flags of each command); a command takes those
// it has flags for.
type RunOptions struct {
	Workers                    int
	Limits                     string
	MaxAttempts                int
	Timeout                    time.Duration
	ReportDir, RunID, Resume   string
	MaxFailures                int
	SecretsOut                 string
	AgeRecipients              []string
	Yes, SkipUnchanged         bool
	AllowLiteral, AllowDeletes bool
	BulkSize                   int
	Drain, MaxStaleness        time.Duration
	ProgressEvery              time.Duration
	Log                        LogOptions
	// DetailedExitCode (plan): a plan that finds changes ends with
	// ErrChanges rather than success.
	DetailedExitCode bool
	// Verify (apply): verify the run against the audit logs at its end,
	// waiting at most VerifyWait for records that lag (also its lag).
	Verify     bool
	VerifyWait time.Duration
	// MaxProblems is the most of the manifest's problems printed (0:
	// every one).
	MaxProblems int
	// GenerateOnly (apply): generate the rows' passwords and write the
	// manifest that applies them later; send nothing.
	GenerateOnly bool
}

// LogOptions say how a command logs: Format auto, json or console; Level
// a zerolog level; NoProgress turns the progress bar off.
type LogOptions struct {
	Format, Level string
	NoProgress    bool
}

// checkRanges refuses a setting out of its range, naming its flag: rows
// are the settings of a run of rows (plan, apply), writes those of apply.
func (o *RunOptions) checkRanges(rows, writes bool) error {
	for _, c := range []struct {
		bad        bool
		flag, want string
		v          any
	}{{rows && o.Workers < 1, "--workers", "at least 1", o.Workers}, {writes && o.BulkSize < 1, "--bulk-size", "at least 1", o.BulkSize},
		{o.MaxAttempts < 1, "--max-attempts", "at least 1", o.MaxAttempts}, {o.Timeout <= 0, "--timeout", "more than 0", o.Timeout},
		{writes && o.MaxStaleness < 0, "--max-staleness", "0 or more", o.MaxStaleness}, {o.ProgressEvery < 0, "--progress-every", "0 or more", o.ProgressEvery}} {
		if c.bad {
			return fmt.Errorf("%s must be %s, not %v; nothing was sent", c.flag, c.want, c.v)
		}
	}
	return nil
}

// checkIDs refuses a --run-id or --resume that cannot name one folder of
// the report folder.
func (o *RunOptions) checkIDs() error {
	for _, f := range []struct{ flag, id string }{{"--run-id", o.RunID}, {"--resume", o.Resume}} {
		if f.id == "" {
			continue
		}
		if err := runfolder.CheckID(f.id); err != nil {
			return fmt.Errorf("%s %q: %w; nothing was sent", f.flag, f.id, err)
		}
	}
	return nil
}

// Connection holds the connection settings given as flags: each set one
// overrides the environment, which overrides the uipathcli profile.
// Secrets have no flags: they would show in `ps` and shell history.
type Connection struct {
	Profile, URI, Organization, Tenant, ClientID string
	IdentityURI, OrchestratorURI, PartitionID    string
	FolderID                                     string
}

// Settings resolves the connection settings: flags over environment over
// the profile. An error means nothing was sent.
func (c *Connection) Settings() (client.Settings, error) {
	load := client.LoadSettings
	if c.Profile != "" {
		load = func(env func(string) (string, bool), path string) (client.Settings, error) {
			return client.LoadProfileSettings(env, path, c.Profile)
		}
	}
	s, err := load(os.LookupEnv, client.DefaultConfigPath())
	if err != nil {
		return s, fmt.Errorf("connection settings: %w", err)
	}
	for _, o := range []struct {
		dst          *string
		v, env, flag string
	}{
		{&s.URI, c.URI, "UIPATH_URI", "--uri"},
		{&s.Organization, c.Organization, "UIPATH_ORGANIZATION", "--organization"},
		{&s.Tenant, c.Tenant, "UIPATH_TENANT", "--tenant"},
		{&s.ClientID, c.ClientID, "UIPATH_CLIENT_ID", "--client-id"},
		{&s.IdentityURI, c.IdentityURI, "UIPATH_IDENTITY_URI", "--identity-uri"},
		{&s.OrchestratorURI, c.OrchestratorURI, "UIPATH_ORCHESTRATOR_URI", "--orchestrator-uri"},
		{&s.PartitionID, c.PartitionID, "UIPATH_PARTITION_ID", "--partition-id"},
		{&s.FolderID, c.FolderID, "UIPATH_FOLDER_ID", "--folder-id"},
	} {
		if o.v != "" {
			*o.dst = o.v
			s.SetOrigin(o.env, o.flag+" flag")
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("connection settings: %w", err)
	}
	if _, err := s.Endpoints(); err != nil {
		return s, fmt.Errorf("connection settings: %w", err)
	}
	return s, nil
}
