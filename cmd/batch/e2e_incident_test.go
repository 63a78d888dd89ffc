package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// incidentSeed is a seed file of plain Orchestrator users (keys from 10001,
// each with an unattended robot whose password Orchestrator holds) and
// external ones whose robot credential lives in an external credential
// store (keys from 9001).
func incidentSeed(t *testing.T, dir string, plain, external int) string {
	var b strings.Builder
	b.WriteString("orchestratorUsers:\n")
	for i := 1; i <= plain; i++ {
		fmt.Fprintf(&b, "  - {id: %d, userName: robot-%d, type: Robot, unattendedRobot: {userName: 'CORP\\svc-robot-%d', password: Seed-Pass-%d, credentialType: Default, robotId: %d, executionSettings: {LoggingLevel: Information}}}\n", 10000+i, i, i, i, 50000+i)
	}
	for i := 1; i <= external; i++ {
		fmt.Fprintf(&b, "  - {id: %d, userName: vault-%d, type: Robot, unattendedRobot: {userName: 'CORP\\svc-vault-%d', password: Vault-Pass-%d, credentialStoreId: 3, credentialExternalName: svc-vault-%d, credentialType: Default}}\n", 9000+i, i, i, i, i)
	}
	return writeFile(t, dir, "seed.yaml", b.String())
}

// readCSV reads a whole CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#' // batch's manifests may say things on comment lines
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestIncidentRotationOfEveryRobotCredential is the README's two commands on
// 3,000 Orchestrator users, 5 of them with an externally stored credential:
// the export pages (⌈3,000 / 1,000⌉ GETs), the apply reads the same pages
// once and PATCHes each robot once, every new password is in the age file
// and nowhere else, and the robots are otherwise sent back as read.
func TestIncidentRotationOfEveryRobotCredential(t *testing.T) {
	const robots, external, page = 2995, 5, 1000
	dir := t.TempDir()
	emu := startEmulator(t, emulator.Config{SeedFile: incidentSeed(t, dir, robots, external)})
	total := robots + external
	pages := (total + page - 1) / page

	res := runBatch(t, emu, dir, "export", "robot-credentials", "-o", "rotate.csv")
	if res.code != 0 {
		t.Fatalf("export: exit %d\n%s", res.code, res.stderr)
	}
	if gets := emu.Counts()["GET"]; gets > pages+2 {
		t.Errorf("export sent %d GETs, want at most %d", gets, pages+2)
	}
	if !strings.Contains(res.stderr, fmt.Sprintf(`"rows":%d`, robots)) || !strings.Contains(res.stderr, fmt.Sprintf(`"left_out":%d`, external)) {
		t.Errorf("export stderr: %s", res.stderr)
	}
	rows := readCSV(t, filepath.Join(dir, "rotate.csv"))
	if len(rows) != robots+1 || strings.Join(rows[0], ",") != "op,orchestrator_user_id,robot_username,new_password" {
		t.Fatalf("rotate.csv: %d lines, header %v", len(rows), rows[0])
	}
	account := map[string]string{}
	for _, r := range rows[1:] {
		if r[0] != "set_robot_credentials" || r[3] != "generate" || strings.HasPrefix(r[1], "900") {
			t.Fatalf("row %v", r)
		}
		if account[r[1]] != "" {
			t.Fatalf("user %s exported twice", r[1])
		}
		account[r[1]] = r[2]
	}

	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	before := emu.Counts()
	res = runBatch(t, emu, dir, "apply", "rotate.csv", "--yes", "--run-id", "incident", "--limits", "none",
		"--secrets-out", "rotate.age", "--age-recipient", id.Recipient().String())
	if res.code != 0 {
		t.Fatalf("apply: exit %d\n%s", res.code, res.stderr)
	}
	after := emu.Counts()
	gets, patches := after["GET"]-before["GET"], after["PATCH"]-before["PATCH"]
	if patches != robots || gets > pages+2 {
		t.Errorf("apply sent %d GETs and %d PATCHes, want at most %d and %d", gets, patches, pages+2, robots)
	}
	t.Logf("apply: %d GETs, %d PATCHes for %d rows", gets, patches, robots)
	if perRow := float64(gets+patches) / robots; perRow > 1.05 {
		t.Errorf("%.4f requests per row, want at most 1.05", perRow)
	}

	entries, err := secretsout.Read(filepath.Join(dir, "rotate.age"), id)
	if err != nil {
		t.Fatal(err)
	}
	last := lastPasswords(entries)
	if len(last) != robots {
		t.Fatalf("the secrets file names %d targets, want %d", len(last), robots)
	}
	var all []string
	for _, o := range emu.OrchestratorUsers() {
		key := strconv.FormatInt(o.ID, 10)
		got := emu.RobotPasswordOf(o.ID)
		if o.ID < 10000 {
			if want := "Vault-Pass-" + strconv.FormatInt(o.ID-9000, 10); got != want {
				t.Errorf("user %s: an externally stored credential was changed", key)
			}
			continue
		}
		want := last["orchestrator_user_id="+key]
		if want == "" || got != want {
			t.Fatalf("user %s: the server's password is not the last one the secrets file holds", key)
		}
		if got == "Seed-Pass-"+strconv.FormatInt(o.ID-10000, 10) {
			t.Fatalf("user %s: not rotated", key)
		}
		r := o.UnattendedRobot
		if r == nil || r.UserName != account[key] || r.ExecutionSettings["LoggingLevel"] != "Information" || r.RobotID != 40000+o.ID || r.CredentialType != "Default" {
			t.Fatalf("user %s: the robot was not sent back as read: %+v", key, r)
		}
		all = append(all, got)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "rotate.age"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range all {
		if strings.Contains(string(raw), pw) {
			t.Fatal("the age secrets file holds a plaintext password")
		}
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, dir)
}

// export users --rotate writes a set_password row per local user (users of
// a directory left out and counted), --username narrows it, and applying
// the manifest sets every local user's password to the one the secrets
// file holds, and no other.
func TestExportUsersRotateCoversLocalUsers(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	seed := writeFile(t, dir, "seed.yaml", `users:
  - {userName: ad-one, email: ad-one@example.com, type: directoryUser, password: Dir-Pass-1}
  - {userName: ad-two, email: ad-two@example.com, type: directoryUser, password: Dir-Pass-2}
`)
	emu := startEmulator(t, emulator.Config{Users: n, SeedFile: seed})

	res := runBatch(t, emu, dir, "export", "users", "--rotate", "--username", "USER0001*", "-o", "some.csv")
	if res.code != 0 || !strings.Contains(res.stderr, `"rows":10`) {
		t.Fatalf("export --username: exit %d\n%s", res.code, res.stderr)
	}
	res = runBatch(t, emu, dir, "export", "users", "--rotate", "-o", "rotate.csv")
	if res.code != 0 || !strings.Contains(res.stderr, fmt.Sprintf(`"rows":%d`, n)) || !strings.Contains(res.stderr, `"left_out":2`) {
		t.Fatalf("export --rotate: exit %d\n%s", res.code, res.stderr)
	}
	rows := readCSV(t, filepath.Join(dir, "rotate.csv"))
	if len(rows) != n+1 || strings.Join(rows[0], ",") != "op,user_id,email,username,new_password" {
		t.Fatalf("rotate.csv: %d lines, header %v", len(rows), rows[0])
	}
	res = runBatch(t, emu, dir, "apply", "rotate.csv", "--yes", "--run-id", "rot", "--limits", "none", "--secrets-out", "rotate.secrets")
	if res.code != 0 {
		t.Fatalf("apply: exit %d\n%s", res.code, res.stderr)
	}
	entries, err := secretsout.Read(filepath.Join(dir, "rotate.secrets"))
	if err != nil {
		t.Fatal(err)
	}
	last := lastPasswords(entries)
	var all []string
	for _, u := range emu.Users() {
		got := emu.PasswordOf(u.ID)
		if u.Type != "user" {
			if !strings.HasPrefix(got, "Dir-Pass-") {
				t.Errorf("%s: a directory user's password was changed", u.UserName)
			}
			continue
		}
		if want := last["user_id="+strings.ToLower(u.ID)]; want == "" || got != want {
			t.Fatalf("%s: the server's password is not the one the secrets file holds", u.UserName)
		}
		all = append(all, got)
	}
	assertNoSecrets(t, all, []string{res.stdout, res.stderr}, filepath.Join(dir, "reports"), filepath.Join(dir, "rotate.csv"))

	for _, args := range [][]string{
		{"export", "robot-accounts", "--rotate"},
		{"export", "users", "--username", "user*"},
		{"export", "robot-credentials", "--username", "[x"},
	} {
		if res := runBatch(t, emu, dir, args...); res.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, res.code, res.stderr)
		}
	}
}

// A set_robot_credentials row for a robot whose credential lives in an
// external store fails in the plan (what the read reveals), and apply sends
// nothing for it while the other rows go on.
func TestExternalCredentialFailsInPlanAndIsNotSent(t *testing.T) {
	dir := t.TempDir()
	emu := startEmulator(t, emulator.Config{SeedFile: incidentSeed(t, dir, 2, 1)})
	writeFile(t, dir, "m.csv", "op,username,new_password\nset_robot_credentials,robot-1,generate\nset_robot_credentials,vault-1,generate\n")
	for _, args := range [][]string{
		{"plan", "m.csv", "--run-id", "plan", "--limits", "none"},
		{"apply", "m.csv", "--run-id", "apply", "--yes", "--limits", "none", "--secrets-out", "s.csv"},
	} {
		res := runBatch(t, emu, dir, args...)
		if res.code != 1 {
			t.Fatalf("%s: exit %d, want 1\n%s", args[0], res.code, res.stderr)
		}
		rs := byRow(t, readResults(t, filepath.Join(dir, "reports", args[3])))
		if r := rs[2]; r.Status != report.StatusFailed || r.ErrorCode != report.CodeValidation || !strings.Contains(r.ErrorMessage, "rotate it there") {
			t.Errorf("%s: vault row %s %s %q", args[0], r.Status, r.ErrorCode, r.ErrorMessage)
		}
		if r := rs[1]; r.Status == report.StatusFailed {
			t.Errorf("%s: plain row failed: %q", args[0], r.ErrorMessage)
		}
	}
	if emu.Counts()["PATCH"] != 1 || emu.RobotPasswordOf(9001) != "Vault-Pass-1" {
		t.Errorf("%d PATCHes, want 1 (the plain row only)", emu.Counts()["PATCH"])
	}
}
