package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/session"
	"github.com/uipath-batch/batch/internal/verify"
)

// verifyRun applies content against emu and verifies the run.
func verifyRun(t *testing.T, base Config, content string) (Result, []verify.Check) {
	t.Helper()
	res := manifestRun(t, base, Apply, "v", "m.csv", content)
	run, err := verify.Load(t.Context(), res.Summary.ReportDir)
	if err != nil {
		t.Fatal(err)
	}
	checks, requests, err := Verify(t.Context(), run, base.Settings, base.Session, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Write(res.Summary.ReportDir, run, checks); err != nil {
		t.Fatal(err)
	}
	// A handful of requests, never one per row: each audit's pages.
	if n := requests["GET"]; n > 6 {
		t.Errorf("verify of %d rows sent %d GETs", len(run.Rows), n)
	}
	return res, checks
}

func byVerdict(checks []verify.Check) map[verify.Verdict][]int {
	out := map[verify.Verdict][]int{}
	for _, c := range checks {
		out[c.Verdict] = append(out[c.Verdict], c.Row.Row)
	}
	return out
}

const everyOp = `op,email,username,robot_name,group_name,folder,name,display_name,roles,robot_username,limit_concurrent_execution,groups_to_add,new_password,old_password
update_user,user00001@example.com,,,,,Ann,,,,,,,
ensure_user,new1@example.com,new1,,,,New,,,,,,,
ensure_group,,,,Night shift,,,,,,,,,
update_robot_account,,,robot-001,,,,Robot One,,,,,,
ensure_robot_account,,,robot-new,,,,Robot New,,,,,,
update_user,,user00002,,,,,,,,,Night shift,,
set_password,,user00005,,,,,,,,,,env:VERIFY_PW,
change_password,,user00006,,,,,,,,,,env:VERIFY_PW2,env:VERIFY_OLD
ensure_folder,,,,,Finance/AP,,,,,,,,
set_folder_access,,user00003,,,Finance/AP,,,Automation User,,,,,
set_tenant_roles,,user00004,,,,,,Allow to be Automation User,,,,,
update_unattended_robot,,,robot-002,,,,,,CORP\svc-2,true,,,
set_robot_credentials,,robot-003,,,,,,,,,,env:VERIFY_PW,
delete_user,,user00007,,,,,,,,,,,
delete_robot_account,,,robot-004,,,,,,,,,,
`

// An apply of every kind of op, then verify: every row confirmed, or not
// checkable with a reason; no false alarm.
func TestVerifyConfirmsAnApply(t *testing.T) {
	const pw, pw2 = "Verify-Pass-91x!", "Verify-Pass-92y!"
	t.Setenv("VERIFY_PW", pw)
	t.Setenv("VERIFY_PW2", pw2)
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 8, Robots: 4})
	for _, u := range emu.Users() {
		if u.UserName == "user00006" {
			t.Setenv("VERIFY_OLD", emu.PasswordOf(u.ID))
		}
	}
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 4, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	res, checks := verifyRun(t, base, everyOp)
	if n := res.Summary.ByStatus[report.StatusSucceeded]; n != 15 {
		t.Fatalf("the apply: %v", res.Summary.ByStatus)
	}
	for _, f := range []string{verify.FileName, report.SummaryJSON} {
		data, _ := os.ReadFile(filepath.Join(res.Summary.ReportDir, f))
		if strings.Contains(string(data), pw) || strings.Contains(string(data), pw2) {
			t.Errorf("%s holds a password", f)
		}
	}
	for _, c := range checks {
		if c.Verdict != verify.Confirmed && (c.Verdict != verify.NotCheckable || c.Reason == "") {
			t.Errorf("row %d %s %s: %s %s", c.Row.Row, c.Row.Op, c.Row.Target, c.Verdict, c.Reason)
		}
	}
	t.Logf("verdicts: %v", verify.Counts(checks))
}

// With 200 OK answered to some robot PATCHes that change nothing (the
// forum's case), verify lists exactly those rows as not found in the
// audit.
func TestVerifyFindsPatchesThatChangedNothing(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Robots: 60, UnchangedPatchRate: 0.05, FaultSeed: 7})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 4, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	var m strings.Builder
	m.WriteString("op,robot_name,robot_username,limit_concurrent_execution\n")
	for j := 1; j <= 60; j++ {
		fmt.Fprintf(&m, "update_unattended_robot,robot-%03d,CORP\\svc-%03d,true\n", j, j)
	}
	_, checks := verifyRun(t, base, m.String())
	unchanged := emu.UnchangedPatches()
	if len(unchanged) == 0 {
		t.Fatal("the fault answered no PATCH without applying it")
	}
	names := map[int64]string{}
	for _, o := range emu.OrchestratorUsers() {
		names[o.ID] = strings.ToLower(o.UserName)
	}
	var want []string
	for _, id := range unchanged {
		want = append(want, names[id])
	}
	var got []string
	for _, c := range checks {
		switch c.Verdict {
		case verify.NotFound:
			got = append(got, strings.ToLower(c.Row.Target.Value))
		case verify.Confirmed:
		default:
			t.Errorf("row %d: %s %s", c.Row.Row, c.Verdict, c.Reason)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("not found in the audit: %v, want the PATCHes that changed nothing: %v", got, want)
	}
}

// With a second administrator changing targets mid-run, exactly those
// rows are changed by others, naming the actor.
func TestVerifyNamesChangesByOthers(t *testing.T) {
	emu, settings := emulatortest.Start(t, emulator.Config{Users: 30, Robots: 10, MeddleAfter: 5})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 1, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	var m strings.Builder
	m.WriteString("op,robot_name,display_name,folder\n")
	for j := 1; j <= 10; j++ {
		fmt.Fprintf(&m, "update_robot_account,robot-%03d,Robot %d renamed,\n", j, j)
		fmt.Fprintf(&m, "ensure_folder,,,Team %d\n", j) // nobody else touches folders
	}
	_, checks := verifyRun(t, base, m.String())
	names := map[string]string{}
	for _, r := range emu.RobotAccounts() {
		names[strings.ToLower(r.ID)] = strings.ToLower(r.Name)
	}
	meddled := map[string]bool{}
	for _, md := range emu.Meddled() {
		if md.Kind == "robotAccount" {
			meddled[names[strings.ToLower(md.ID)]] = true
		}
	}
	if len(meddled) == 0 {
		t.Fatal("the second administrator changed nothing")
	}
	for _, c := range checks {
		want := verify.Confirmed
		if meddled[strings.ToLower(c.Row.Target.Value)] {
			want = verify.ChangedByOthers
		}
		if c.Verdict != want || (want == verify.ChangedByOthers && !strings.Contains(c.Reason, "@")) {
			t.Errorf("row %d %s: %s (%s), want %s", c.Row.Row, c.Row.Target, c.Verdict, c.Reason, want)
		}
	}
}

// While the audit does not show rows yet (its records take a while to be
// written), verify says it waits, and for how many rows, each time it
// reads again: a wait of minutes is not silent. Then every row is found.
func TestVerifySaysWhileItWaitsForTheAudit(t *testing.T) {
	t.Parallel()
	_, settings := emulatortest.Start(t, emulator.Config{Users: 3, AuditLag: 1500 * time.Millisecond})
	base := Config{Settings: settings, Session: session.Options{Limits: "none", MaxAttempts: 3}, Workers: 2, Log: zerolog.Nop(), Warnings: &bytes.Buffer{}}
	res := manifestRun(t, base, Apply, "v", "m.csv", "op,username,name\nupdate_user,user00001,A\nupdate_user,user00002,B\n")
	run, err := verify.Load(t.Context(), res.Summary.ReportDir)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	so := base.Session
	so.Log = zerolog.New(&logged)
	checks, _, err := Verify(t.Context(), run, base.Settings, so, 30*time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := byVerdict(checks)[verify.Confirmed]; len(got) != 2 {
		t.Errorf("confirmed rows %v, want both: %v", got, verify.Counts(checks))
	}
	if !strings.Contains(logged.String(), `"rows":2`) || !strings.Contains(logged.String(), "the audit does not show every row yet") {
		t.Errorf("no line said verify waits for the audit:\n%s", logged.String())
	}
}
