package runfolder

import "testing"

func TestResumeCommandNamesTheManifestTheRunAndAGivenReportFolder(t *testing.T) {
	for _, c := range []struct {
		display string
		args    []string
		want    string
	}{
		{"users.csv", []string{"--workers", "4", "--secrets-out", "s.csv"}, "batch apply users.csv --resume run-1"},
		{"my users.csv", []string{"--report-dir", "night runs"}, "batch apply 'my users.csv' --resume run-1 --report-dir 'night runs'"},
		{"-", []string{"--report-dir", "reports"}, "batch apply - --resume run-1 --report-dir reports"},
	} {
		if got := ResumeCommand("", c.display, flagSet(t, c.args...), "run-1"); got != c.want {
			t.Errorf("ResumeCommand(%q, %v) = %q, want %q", c.display, c.args, got, c.want)
		}
	}
}

// The command names the binary as it was invoked.
func TestResumeCommandNamesTheBinaryAsInvoked(t *testing.T) {
	for program, want := range map[string]string{"./bin/batch": "./bin/batch apply u.csv --resume r", "/opt/my tools/batch": "'/opt/my tools/batch' apply u.csv --resume r"} {
		if got := ResumeCommand(program, "u.csv", flagSet(t), "r"); got != want {
			t.Errorf("ResumeCommand(%q) = %q, want %q", program, got, want)
		}
	}
}
