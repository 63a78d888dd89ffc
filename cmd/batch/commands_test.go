package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/uipath-batch/batch/internal/demo"
	"github.com/uipath-batch/batch/internal/export"
	"github.com/uipath-batch/batch/internal/runner"
)

// quietStreams are streams that read nothing and keep nothing.
func quietStreams() *streams {
	return &streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
}

// parse runs cmd with args, its run hook replaced: the options it gets
// are what the flags parsed into.
func parse(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}

func TestPlanAndApplyFlags(t *testing.T) {
	var got runner.ManifestOptions
	capture := func(_ context.Context, o runner.ManifestOptions) error { got = o; return nil }

	parse(t, newPlanCmd(quietStreams(), capture), "m.csv", "--workers", "3", "--limits", "none", "--organization", "acme", "--report-dir", "r", "--run-id", "x1", "--log-format", "json")
	if got.Command != runner.Plan || got.Manifest != "m.csv" || got.Run.Workers != 3 || got.Run.Limits != "none" ||
		got.Conn.Organization != "acme" || got.Run.ReportDir != "r" || got.Run.RunID != "x1" || got.Run.Log.Format != "json" || got.Flags == nil {
		t.Errorf("plan parsed %+v (run %+v, conn %+v)", got, *got.Run, *got.Conn)
	}
	if err := runCmd(newPlanCmd(quietStreams(), capture), "m.csv", "--yes"); err == nil {
		t.Error("plan took --yes, a flag of apply's")
	}
	if parse(t, newPlanCmd(quietStreams(), capture), "m.csv", "--detailed-exitcode"); !got.Run.DetailedExitCode {
		t.Error("plan --detailed-exitcode did not set DetailedExitCode")
	}
	if err := runCmd(newApplyCmd(quietStreams(), capture), "m.csv", "--detailed-exitcode"); err == nil {
		t.Error("apply took --detailed-exitcode, a flag of plan's")
	}

	parse(t, newApplyCmd(quietStreams(), capture), "-", "--yes", "--allow-deletes", "--bulk-size", "7", "--max-staleness", "0s",
		"--secrets-out", "s.csv", "--age-recipient", "a", "--age-recipient", "b", "--resume", "r0", "--max-failures", "4", "--tenant", "t1", "--skip-unchanged")
	r := got.Run
	if got.Command != runner.Apply || got.Manifest != "-" || !r.Yes || !r.AllowDeletes || r.BulkSize != 7 || r.MaxStaleness != 0 ||
		r.SecretsOut != "s.csv" || strings.Join(r.AgeRecipients, ",") != "a,b" || r.Resume != "r0" || r.MaxFailures != 4 || got.Conn.Tenant != "t1" || !r.SkipUnchanged {
		t.Errorf("apply parsed %+v", *r)
	}
	if r.Workers != 8 || r.Timeout != 30*time.Second || r.Drain != 30*time.Second || r.MaxStaleness != 0 || r.ProgressEvery != time.Minute {
		t.Errorf("apply defaults %+v", *r)
	}
	if err := runCmd(newApplyCmd(quietStreams(), capture)); exitCodeFor(err) != exitInvalid || !strings.Contains(fmt.Sprint(err), "needs a manifest") {
		t.Errorf("apply without a manifest: %v", err)
	}
}

func TestExportFlags(t *testing.T) {
	var got runner.ExportOptions
	parse(t, newExportCmd(quietStreams(), func(_ context.Context, o runner.ExportOptions) error { got = o; return nil }),
		"users", "groups", "-o", "org.yaml", "--format", "yaml", "--profile", "old", "--limits", "cloud")
	if got.Kinds.String() != export.KindsOf([]string{"users", "groups"}).String() || got.Output != "org.yaml" || got.Format != "yaml" ||
		got.Conn.Profile != "old" || got.Run.Limits != "cloud" {
		t.Errorf("export parsed %+v", got)
	}
	parse(t, newExportCmd(quietStreams(), func(_ context.Context, o runner.ExportOptions) error { got = o; return nil }),
		"users", "--rotate", "--username", "svc-*")
	if !got.Rotate || got.UserName != "svc-*" {
		t.Errorf("export --rotate parsed %+v", got)
	}
}

func TestValidateReportVersionFlags(t *testing.T) {
	var v validateOptions
	parse(t, newValidateCmd(quietStreams(), func(_ context.Context, o validateOptions) error { v = o; return nil }), "m.yaml", "--allow-literal-secrets")
	if v.Manifest != "m.yaml" || !v.AllowLiteralSecrets {
		t.Errorf("validate parsed %+v", v)
	}
	var dir string
	parse(t, newReportCmd(quietStreams(), func(_ context.Context, _ *streams, d string) error { dir = d; return nil }), "reports/r1")
	if dir != "reports/r1" {
		t.Errorf("report parsed %q", dir)
	}
	ran := false
	parse(t, newVersionCmd(quietStreams(), func(context.Context, *streams) error { ran = true; return nil }))
	if !ran {
		t.Error("version did not run")
	}
	if err := runCmd(newVersionCmd(quietStreams(), nil), "extra"); err == nil {
		t.Error("version took an argument")
	}
}

func TestVerifyFlags(t *testing.T) {
	var got runner.VerifyOptions
	parse(t, newVerifyCmd(quietStreams(), func(_ context.Context, o runner.VerifyOptions) error { got = o; return nil }),
		"reports/r1", "--wait", "5m", "--lag", "30s", "--profile", "org", "--max-attempts", "7")
	if got.Dir != "reports/r1" || got.Wait != 5*time.Minute || got.Lag != 30*time.Second || got.Conn.Profile != "org" || got.Run.MaxAttempts != 7 {
		t.Errorf("verify parsed %+v", got)
	}
	var m runner.ManifestOptions
	parse(t, newApplyCmd(quietStreams(), func(_ context.Context, o runner.ManifestOptions) error { m = o; return nil }), "m.csv", "--verify")
	if !m.Run.Verify {
		t.Error("apply --verify not parsed")
	}
}

func TestEmulatorAndDemoFlags(t *testing.T) {
	var e emulatorOptions
	parse(t, newEmulatorCmd(quietStreams(), func(_ context.Context, o emulatorOptions) error { e = o; return nil }),
		"--listen", "127.0.0.1:0", "--users", "7", "--spec-shapes", "--meddle-after", "5", "--limits", "cloud:10", "--env-only")
	if e.listen != "127.0.0.1:0" || e.Users != 7 || !e.SpecShapes || e.MeddleAfter != 5 || e.limits != "cloud:10" || !e.envOnly || e.Robots != 20 {
		t.Errorf("emulator parsed %+v", e)
	}
	var d demoOptions
	parse(t, newDemoCmd(quietStreams(), func(_ context.Context, o demoOptions) error { d = o; return nil }), "--examples", "ex", "--report-dir", "rd")
	if d.examples != "ex" || d.reportDir != "rd" {
		t.Errorf("demo parsed %+v", d)
	}
}

// runCmd runs cmd with args and returns its error.
func runCmd(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.ExecuteContext(context.Background())
}

// Every exit code of the README's table is what exitCodeFor gives the
// outcome the table names, and the help text lists the same codes.
func TestExitCodesAsDocumented(t *testing.T) {
	documented := readmeExitCodes(t)
	outcomes := map[exitCode][]error{
		exitOK:       {nil},
		exitRowsFail: {runner.ErrRowsFailed, &runner.Shown{Err: runner.ErrRowsFailed}, &runner.RowsError{Err: errors.New("key not removed")}, fmt.Errorf("demo: %w", &demo.StepError{})},
		exitInvalid:  {errors.New("manifest m.csv: 2 problems"), &runner.Shown{Err: errors.New("problems")}, runCmd(newPlanCmd(quietStreams(), nil), "--no-such-flag", "m.csv")},
		exitStopped:  {&runner.StopError{Err: errors.New("interrupted")}, &runner.Shown{Err: &runner.StopError{Err: errors.New("max failures")}}},
		exitAudit:    {runner.ErrUnconfirmed, &runner.Shown{Err: runner.ErrUnconfirmed}},
		exitChanges:  {runner.ErrChanges, &runner.Shown{Err: runner.ErrChanges}},
	}
	for code, errs := range outcomes {
		if _, ok := documented[int(code)]; !ok {
			t.Errorf("exit %d is not in the README's table", code)
		}
		for _, err := range errs {
			if got := exitCodeFor(err); got != code {
				t.Errorf("exitCodeFor(%v) = %d, want %d", err, got, code)
			}
		}
	}
	for code := range documented {
		if _, ok := outcomes[exitCode(code)]; !ok {
			t.Errorf("the README documents exit %d, which no outcome gives", code)
		}
	}
	help := helpText("exit-codes")
	for code := range documented {
		if !regexp.MustCompile(`(?m)^\s+` + strconv.Itoa(code) + `\s`).MatchString(help) {
			t.Errorf("help/exit-codes.txt does not list exit %d", code)
		}
	}
}

// readmeExitCodes reads the table under the README's "Exit codes".
func readmeExitCodes(t *testing.T) map[int]string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes := map[int]string{}
	in := false
	row := regexp.MustCompile(`^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$`)
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Exit codes"
		case in:
			if m := row.FindStringSubmatch(line); m != nil {
				n, _ := strconv.Atoi(m[1])
				codes[n] = m[2]
			}
		}
	}
	if len(codes) == 0 {
		t.Fatal("no exit codes found under the README's ## Exit codes")
	}
	return codes
}
