package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/session"
)

// set_credential_asset against the emulator: a credential's password
// (its user name kept), a secret, a robot's value; an asset in an
// external store and an unknown asset fail their rows, saying why, with
// nothing sent for them; no password shows in the report.
func TestSetCredentialAsset(t *testing.T) {
	const pw = "Asset-Pass-77q!"
	t.Setenv("ASSET_PW", pw)
	seed := &emulator.SeedFile{
		Folders: []emulator.SeedFolder{{Path: "Finance"}},
		Assets: []emulator.SeedAsset{
			{Folder: "Finance", Name: "SAP login", ValueType: "Credential", CredentialUsername: "sap-bot", Password: "Old-Pass-1"},
			{Folder: "Finance", Name: "API key", ValueType: "Secret", Password: "old-secret"},
			{Folder: "Finance", Name: "Per robot", ValueType: "Credential", ValueScope: "PerRobot",
				RobotValues: []emulator.SeedAssetValue{{Robot: "robot-001", CredentialUsername: "r1", Password: "Old-Pass-2"}}},
			{Folder: "Finance", Name: "Vaulted", ValueType: "Credential", CredentialUsername: "v", ExternalName: "vault/key"},
		},
	}
	emu, settings := emulatortest.Start(t, emulator.Config{Robots: 2, SeedData: seed})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 2, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	res := manifestRun(t, base, Apply, "assets", "assets.csv", `op,folder,asset_name,value_for,credential_username,new_password
set_credential_asset,Finance,SAP login,,,env:ASSET_PW
set_credential_asset,Finance,API key,,,env:ASSET_PW
set_credential_asset,Finance,Per robot,robot-001,r1-new,env:ASSET_PW
set_credential_asset,Finance,Vaulted,,,env:ASSET_PW
set_credential_asset,Finance,SAP logon,,,env:ASSET_PW
`)
	rows := results(t, res.Summary.ReportDir)
	for n := 1; n <= 3; n++ {
		if rows[n].Status != report.StatusSucceeded {
			t.Errorf("row %d: %s %s", n, rows[n].Status, rows[n].ErrorMessage)
		}
	}
	if r := rows[4]; r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, "external credential store") {
		t.Errorf("the vaulted asset: %s %s", r.Status, r.ErrorMessage)
	}
	if r := rows[5]; r.Status != report.StatusFailed || !strings.Contains(r.ErrorMessage, `did you mean "SAP login"`) {
		t.Errorf("the unknown asset: %s %s", r.Status, r.ErrorMessage)
	}
	for _, c := range []struct{ asset, value string }{{"SAP login", ""}, {"API key", ""}, {"Per robot", "robot-001"}} {
		if got := emu.AssetPasswordOf("Finance", c.asset, c.value); got != pw {
			t.Errorf("%s %s: the value in effect is not the row's", c.asset, c.value)
		}
	}
	for _, a := range emu.Assets() {
		if a.Name == "SAP login" && a.CredentialUsername != "sap-bot" {
			t.Errorf("SAP login's user name became %q: it was to be kept", a.CredentialUsername)
		}
	}
	if got := emu.AssetPasswordOf("Finance", "Vaulted", ""); got == pw {
		t.Error("the vaulted asset was changed")
	}
	filepath.WalkDir(res.Summary.ReportDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(pw)) {
				t.Errorf("%s holds the password", path)
			}
		}
		return nil
	})
}
