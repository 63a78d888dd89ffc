package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// assetKey names an asset value as the emulator's inspection does.
type assetKey struct{ folder, name, value string }

// assetValues are every value of every asset, with whether its password
// lives in an external store.
func assetValues(emu *emulator.Server) map[assetKey]bool {
	out := map[assetKey]bool{}
	for _, a := range emu.Assets() {
		if a.ValueType != "Credential" && a.ValueType != "WindowsCredential" && a.ValueType != "Secret" {
			continue
		}
		if a.ValueScope != "PerRobot" || a.HasDefaultValue {
			out[assetKey{a.FolderPath, a.Name, ""}] = a.ExternalName != ""
		}
		for _, v := range a.RobotValues {
			out[assetKey{a.FolderPath, a.Name, v.RobotName}] = v.ExternalName != ""
		}
	}
	return out
}

// inEffect maps each recorded asset value (by its account text) to the
// last password recorded for it, and counts the distinct passwords each
// was given.
func inEffect(t *testing.T, path string) (map[string]string, map[string]map[string]bool) {
	t.Helper()
	entries, err := secretsout.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	last, distinct := map[string]string{}, map[string]map[string]bool{}
	for _, e := range entries {
		if !e.Recorded() {
			continue
		}
		last[e.Account] = e.Password.Reveal()
		if distinct[e.Account] == nil {
			distinct[e.Account] = map[string]bool{}
		}
		distinct[e.Account][e.Password.Reveal()] = true
	}
	return last, distinct
}

// accountOf is the secrets output's account text of an asset value.
func accountOf(k assetKey) string {
	s := fmt.Sprintf("asset %s in %s", k.name, k.folder)
	if k.value != "" {
		s += " (value of " + k.value + ")"
	}
	return s
}

// checkRotated checks every asset value in a writable store holds the
// last password the secrets output recorded for it, and every one in an
// external store its old one. A value recorded with a second password
// (at most inFlight of them: rows a kill caught after their password was
// recorded and before their intent was, so before it left) is allowed.
func checkRotated(t *testing.T, emu *emulator.Server, before map[assetKey]string, secrets string, inFlight int) {
	t.Helper()
	last, distinct := inEffect(t, secrets)
	rotated, twice := 0, 0
	for k, external := range assetValues(emu) {
		got := emu.AssetPasswordOf(k.folder, k.name, k.value)
		want, recorded := last[accountOf(k)]
		switch {
		case external && (recorded || got != before[k]):
			t.Errorf("%v in an external store was rotated", k)
		case external:
		case !recorded || got != want:
			t.Errorf("%v: the password in effect is not the last one recorded (recorded %v)", k, recorded)
		case len(distinct[accountOf(k)]) > 2:
			t.Errorf("%v was recorded with %d passwords", k, len(distinct[accountOf(k)]))
		default:
			rotated++
			if len(distinct[accountOf(k)]) == 2 {
				twice++
			}
		}
	}
	if rotated == 0 {
		t.Fatal("no asset was rotated")
	}
	if twice > inFlight {
		t.Errorf("%d asset values were recorded with two passwords; at most %d rows were in flight", twice, inFlight)
	}
	t.Logf("%d asset values rotated", rotated)
}

// passwords reads every asset value's password now.
func passwords(emu *emulator.Server) map[assetKey]string {
	out := map[assetKey]string{}
	for k := range assetValues(emu) {
		out[k] = emu.AssetPasswordOf(k.folder, k.name, k.value)
	}
	return out
}

// 2,000 credential assets across 20 folders (per-robot values, some in an
// external store): export assets, then apply with generate: every value
// in a writable store has a new password that the secrets output
// recovers, nothing else of the assets changed, no password anywhere
// else, and at most 1.05 requests per row besides the list reads.
func TestRotateEveryCredentialAsset(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Robots: 6, Assets: 2000, AssetFolders: 20})
	dir := t.TempDir()
	before, shape := passwords(emu), assetShapes(emu)
	if res := runBatch(t, emu, dir, "export", "assets", "-o", "assets.csv", "--limits", "none"); res.code != 0 {
		t.Fatalf("export assets: exit %d\n%s", res.code, res.stderr)
	}
	secrets := filepath.Join(dir, "assets.secrets.csv")
	puts, gets := emu.Counts()["PUT"], emu.Counts()["GET"]
	res := runBatch(t, emu, dir, "apply", "assets.csv", "--yes", "--limits", "none", "--run-id", "a", "--secrets-out", secrets, "--no-progress")
	if res.code != 0 {
		t.Fatalf("apply: exit %d\n%s", res.code, res.stderr)
	}
	rows := readResults(t, filepath.Join(dir, "reports", "a"))
	for _, r := range rows {
		if r.Status != report.StatusSucceeded {
			t.Fatalf("row %d: %s %s", r.Row, r.Status, r.ErrorMessage)
		}
	}
	checkRotated(t, emu, before, secrets, 0)
	if got := assetShapes(emu); got != shape {
		t.Error("the rotation changed something of the assets besides their passwords")
	}
	putN, getN := emu.Counts()["PUT"]-puts, emu.Counts()["GET"]-gets
	if float64(putN) > 1.05*float64(len(rows)) || getN > 2*20+10 {
		t.Errorf("%d rows sent %d PUTs and %d GETs: want at most 1.05 PUTs a row, and the lists read once", len(rows), putN, getN)
	}
	t.Logf("%d rows: %d PUTs, %d GETs (the lists: folders, their assets, credential stores)", len(rows), putN, getN)
	last, _ := inEffect(t, secrets)
	var all []string
	for _, p := range last {
		all = append(all, p)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports", "a"))
}

// assetShapes renders every asset but its passwords, to compare.
func assetShapes(emu *emulator.Server) string {
	var b strings.Builder
	for _, a := range emu.Assets() {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%s\n", a.FolderPath, a.Name, a.ValueType, a.ValueScope, a.CredentialUsername, a.ExternalName, a.Description)
		for _, v := range a.RobotValues {
			fmt.Fprintf(&b, "  %s|%s|%s\n", v.RobotName, v.CredentialUsername, v.ExternalName)
		}
	}
	return b.String()
}

// A rotation of assets killed mid-run and resumed: every asset value
// rotated, the last password recorded for it in effect (a row whose
// intent was journaled sends the same sealed password again), every row
// once in the report.
func TestKillDuringAssetRotationThenResume(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, emulator.Config{Robots: 4, Assets: 300, AssetFolders: 5, Latency: 5 * time.Millisecond})
	dir := t.TempDir()
	before := passwords(emu)
	if res := runBatch(t, emu, dir, "export", "assets", "-o", "assets.csv", "--limits", "none"); res.code != 0 {
		t.Fatalf("export assets: exit %d\n%s", res.code, res.stderr)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "assets.csv"))
	n := strings.Count(string(data), "set_credential_asset")
	secrets := filepath.Join(dir, "assets.secrets.csv")
	killThenResume(t, emu, dir, "rot", killPoint{name: "mid-run", method: "PUT", requests: n / 3},
		"apply", "assets.csv", "--yes", "--limits", "none", "--workers", "8", "--no-progress", "--secrets-out", secrets)
	runDir := filepath.Join(dir, "reports", "rot")
	checkEveryRowOnce(t, runDir, n, report.StatusSucceeded)
	checkCSVRowsOnce(t, runDir, n)
	checkRotated(t, emu, before, secrets, 8)
}
