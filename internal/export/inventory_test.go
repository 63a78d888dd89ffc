package export

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
)

// holdings is an InventoryReader in memory: the sample vault's tenant and
// an organization's accounts.
type holdings struct {
	*vault
	org *org
}

func (h holdings) EachUser(ctx context.Context, fn func(apply.User) error) error {
	return h.org.EachUser(ctx, fn)
}

func (h holdings) EachRobot(ctx context.Context, fn func(apply.Robot) error) error {
	return h.org.EachRobot(ctx, fn)
}

func unattended(name, credentialType string, store *int64, external string) client.OrchestratorUser {
	return client.OrchestratorUser{UserName: name, Type: "Robot",
		UnattendedRobot: &client.UnattendedRobot{UserName: `CORP\` + name, CredentialType: credentialType, CredentialStoreID: store, CredentialExternalName: external}}
}

// The inventory counts every kind of secret holder, and says for each
// whether batch rotates it and with which command: users by kind, robot
// accounts, robot credentials by credential type and store, asset values
// by folder, type and store, connection strings; lines of nothing are
// written only for the accounts.
func TestInventoryCountsEverySecretHolder(t *testing.T) {
	v := sampleVault()
	v.users = []client.OrchestratorUser{
		unattended("robot-a", "", nil, ""), unattended("robot-b", "Default", id(1), ""), unattended("robot-c", "Default", nil, ""),
		unattended("robot-card", "SmartCard", nil, ""), unattended("robot-vault", "Default", id(3), "svc-vault"),
		unattended("robot-ro", "Default", id(3), ""), {UserName: "jdoe", Type: "DirectoryUser"},
	}
	o := &org{
		users: []apply.User{{Type: "user", Category: "local"}, {Type: "user", Category: "local"}, {Type: "user"},
			{Type: "directoryUser", Category: "directory"}, {Type: "code:9"}, {Type: "robot"}},
		robots: []apply.Robot{{Name: "robot-a"}, {Name: "robot-b"}},
	}
	lines, err := TakeInventory(t.Context(), holdings{v, o})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := WriteInventory(&buf, lines); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(records))
	for i, r := range records {
		// kind, where, name, store, rotated_by_batch, command, count
		got[i] = strings.Join([]string{r[0], r[1], r[2], r[4], r[5], r[6], r[7]}, "|")
	}
	want := []string{
		"kind|where|name|store|rotated_by_batch|command|count",
		"local users|organization||Identity|yes|batch export users --rotate|3",
		"directory users|organization||directory|no||1",
		"other users|organization|type 9, a code this version does not know|Identity|no||1",
		"other users|organization|type robot|Identity|no||1",
		"robot accounts|organization|||no secret||2",
		"robot credentials|tenant|Default|CyberArk (CyberArk, read-only)|no||1",
		"robot credentials|tenant|Default|CyberArk (CyberArk, read-only)|no||1",
		"robot credentials|tenant|Default|Orchestrator|yes|batch export robot-credentials|2",
		"robot credentials|tenant|Default|Orchestrator Database (Database)|yes|batch export robot-credentials|1",
		"robot credentials|tenant|SmartCard|Orchestrator|no||1",
		"assets|Finance|Credential|Key Vault (AzureKeyVault)|no||1",
		"assets|Finance|Credential|Orchestrator|yes|batch export assets --folder 'Finance'|2",
		"assets|Finance|Secret|Key Vault (AzureKeyVault)|yes|batch export assets --folder 'Finance'|1",
		"assets|Finance/AP|Secret|CyberArk (CyberArk, read-only)|no||1",
		"assets|Finance/AP|Secret|Orchestrator|yes|batch export assets --folder 'Finance/AP'|1",
		"assets|Operations|WindowsCredential|CyberArk (CyberArk, read-only)|no||1",
		"assets|Operations|WindowsCredential|Orchestrator|yes|batch export assets --folder 'Operations'|2",
		"assets|Operations|WindowsCredential|Orchestrator|no||2",
		"assets|Operations|WindowsCredential|Orchestrator Database (Database)|yes|batch export assets --folder 'Operations'|1",
		"connection strings|Operations|DBConnectionString|Orchestrator|no||1",
		"assets|Operations|type code 42||no||1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the inventory:\n%s\nwant:\n%s\n\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), buf.String())
	}
	rotated, not := InventoryTotals(lines)
	if rotated != 3+3+3+1+3 || not != 1+2+3+1+1+1+2+1+1 {
		t.Errorf("totals %d rotated, %d not", rotated, not)
	}
}

// An application that may read the accounts but not the assets still
// gets its inventory, with a line saying what it could not read and
// which scope it lacks; any other failure stops it.
func TestInventoryWithoutTheAssetsScope(t *testing.T) {
	v := sampleVault()
	v.failOn, v.failErr = "folders", &client.Error{StatusCode: 403}
	lines, err := TakeInventory(t.Context(), holdings{v, &org{users: []apply.User{{Type: "user"}}}})
	if err != nil {
		t.Fatal(err)
	}
	last := lines[len(lines)-1]
	if last.Kind != HolderAssets || last.RotatedByBatch != RotatedNotRead || !strings.Contains(last.Detail, "OR.Folders.Read") || lines[0].Count != 1 {
		t.Errorf("lines %+v", lines)
	}
	v.failErr = nil
	if _, err := TakeInventory(t.Context(), holdings{v, &org{}}); err == nil || !strings.Contains(err.Error(), "read the folders") {
		t.Errorf("a failed read: %v", err)
	}
}
