package runner

import (
	"os"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/export"
)

// An export's reads are retried under --max-attempts: with a third of the
// answers a 503, the export of every kind, access included, is whole and
// equals the one read without faults.
func TestExportRetriesItsReads(t *testing.T) {
	seed := &emulator.SeedFile{Folders: []emulator.SeedFolder{{Path: "Ops/Night"}},
		FolderAssignments: []emulator.SeedAssignment{{Account: "user00001", Folder: "Ops", Roles: []string{"Automation User"}}}}
	kinds := []export.Kind{export.Groups, export.Users, export.RobotAccounts, export.Access}
	_, clean := exportSetup(t, emulator.Config{Users: 30, Robots: 3, SeedData: seed}, kinds...)
	if _, err := Export(t.Context(), clean); err != nil {
		t.Fatal(err)
	}
	emu, faulty := exportSetup(t, emulator.Config{Users: 30, Robots: 3, SeedData: seed, FaultRate: 0.34, FaultStatuses: []int{503}, FaultSeed: 3}, kinds...)
	faulty.Session.MaxAttempts = 12
	if _, err := Export(t.Context(), faulty); err != nil {
		t.Fatalf("export through 503s: %v", err)
	}
	want, _ := os.ReadFile(clean.Output)
	got, _ := os.ReadFile(faulty.Output)
	if string(got) != string(want) || !strings.Contains(string(got), "set_folder_access") {
		t.Errorf("the export through faults differs:\n%s\nwant\n%s", got, want)
	}
	if n := emu.RequestSummary().ByStatus["503"]; n == 0 {
		t.Fatal("no 503 was injected")
	}
}

// The reads of export assets and export inventory are retried too: with
// a third of the answers a 503, each writes what it writes without
// faults.
func TestAssetAndInventoryExportsRetryTheirReads(t *testing.T) {
	for _, kind := range []export.Kind{export.Assets, export.Inventory} {
		_, clean := exportSetup(t, emulator.Config{Users: 30, Robots: 3, SeedData: vaultSeed()}, kind)
		if _, err := Export(t.Context(), clean); err != nil {
			t.Fatal(err)
		}
		emu, faulty := exportSetup(t, emulator.Config{Users: 30, Robots: 3, SeedData: vaultSeed(), FaultRate: 0.34, FaultStatuses: []int{503}, FaultSeed: 5}, kind)
		faulty.Session.MaxAttempts = 12
		if _, err := Export(t.Context(), faulty); err != nil {
			t.Fatalf("export %s through 503s: %v", kind, err)
		}
		want, _ := os.ReadFile(clean.Output)
		got, _ := os.ReadFile(faulty.Output)
		if string(got) != string(want) || len(want) == 0 {
			t.Errorf("export %s through faults differs:\n%s\nwant\n%s", kind, got, want)
		}
		if n := emu.RequestSummary().ByStatus["503"]; n == 0 {
			t.Errorf("export %s: no 503 was injected", kind)
		}
	}
}
