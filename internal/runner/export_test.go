package runner

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/session"
)

// exportSetup starts an emulator of cfg and returns an export of kinds to
// a file in a folder of its own.
func exportSetup(t *testing.T, cfg emulator.Config, kinds ...export.Kind) (*emulator.Server, ExportConfig) {
	t.Helper()
	emu, settings := emulatortest.Start(t, cfg)
	return emu, ExportConfig{Kinds: kinds, Format: manifest.CSV, Output: filepath.Join(t.TempDir(), "org.csv"), Settings: settings,
		Session: session.Options{Limits: "none", MaxAttempts: 1}, Log: zerolog.Nop()}
}

// Several kinds go into one manifest, with one read of the groups and
// one page of each list; what cannot be named portably is counted and
// said; the file appears under its name whole.
func TestExportWritesSeveralKindsIntoOneFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(seed, []byte(`{"users": [{"userName": "no-email"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	emu, cfg := exportSetup(t, emulator.Config{Users: 3, Robots: 2, SeedFile: seed}, export.Groups, export.Users, export.RobotAccounts)
	res, err := Export(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 6 || res.LeftOut != 1 || res.Gets != 3 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "left out 1 users without an email") {
		t.Errorf("result %+v", res)
	}
	if got := emu.Counts()["GET"]; got != 3 {
		t.Errorf("%d GETs, want 3: the groups, one page of users, one of robot accounts", got)
	}
	data, err := os.ReadFile(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	slices.Sort(lines[2:min(5, len(lines))]) // the users, in the list's order (by id)
	want := []string{"op,email,username,robot_name,group_name,name,surname,display_name,bypass_basic_auth_restriction,groups", "ensure_group,,,,Finance,,,,,"}
	if len(lines) != 7 || !slices.Equal(lines[:2], want) || !strings.HasPrefix(lines[2], "ensure_user,user00001@example.com,user00001,,,") ||
		!strings.HasPrefix(lines[6], "ensure_robot_account,,,robot-002,,,,Robot 002,,") {
		t.Errorf("the export:\n%s", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(cfg.Output)); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the export alone", len(entries))
	}
}

// Without the groups' names the file would not be portable: a failed
// group read stops the export before any account is read, and leaves no
// file.
func TestExportStopsWithoutTheGroupNames(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 3, FaultRate: 1, FaultStatuses: []int{503}}, export.Users)
	_, err := Export(t.Context(), cfg)
	var stop *StopError
	if !errors.As(err, &stop) || !strings.Contains(err.Error(), "read the organization's groups") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("err %v, want a stop naming the group read", err)
	}
	if got := emu.Counts()["GET"]; got != 1 {
		t.Errorf("%d GETs, want the group read alone", got)
	}
	if _, err := os.Stat(cfg.Output); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s (%v)", cfg.Output, err)
	}
}

// A rotation writes no groups: it does not read them (one GET: the page
// of users).
func TestRotationExportReadsNoGroups(t *testing.T) {
	emu, cfg := exportSetup(t, emulator.Config{Users: 3}, export.Users)
	cfg.Rotation, cfg.Output, cfg.Out = &export.Rotation{}, "", &bytes.Buffer{}
	res, err := Export(t.Context(), cfg)
	if err != nil || res.Rows != 3 || res.Gets != 1 || emu.Counts()["GET"] != 1 {
		t.Errorf("%+v, %v; %d GETs", res, err, emu.Counts()["GET"])
	}
}

// jobs is a sink in memory.
type jobs []manifest.Job

func (j *jobs) Write(job manifest.Job) error { *j = append(*j, job); return nil }

// The rows of several kinds are numbered on through the one manifest.
func TestExportKindsNumberRowsThroughTheManifest(t *testing.T) {
	_, cfg := exportSetup(t, emulator.Config{Users: 2, Robots: 1})
	c, err := client.New(t.Context(), cfg.Settings, client.WithOperations(client.OpListUsers, client.OpListRobotAccounts, client.OpListGroups))
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.Groups.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var sink jobs
	var res ExportResult
	if err := exportKinds(t.Context(), apply.NewClientAdapter(c), export.Kinds{export.Groups, export.Users, export.RobotAccounts}, &sink, groups, &res); err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || len(sink) != 4 {
		t.Fatalf("%+v, %d rows", res, len(sink))
	}
	for i, j := range sink {
		if j.Row != i+1 {
			t.Errorf("row %d (%s %s) is numbered %d", i+1, j.Op, j.Target, j.Row)
		}
	}
}
