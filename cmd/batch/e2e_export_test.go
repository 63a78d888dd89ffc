package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func TestExportValidatePlanRoundTrip(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 40, Robots: 5})
	dir := t.TempDir()
	for _, tc := range []struct{ kind, file string }{
		{"users", "users.csv"}, {"users", "users.yaml"}, {"robot-accounts", "robots.csv"}, {"robot-accounts", "robots.yaml"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			res := runBatch(t, emu, dir, "export", tc.kind, "-o", tc.file, "--limits", "none")
			if res.code != 0 {
				t.Fatalf("export exit %d\n%s", res.code, res.stderr)
			}
			if res := runBatch(t, emu, dir, "validate", tc.file); res.code != 0 {
				t.Fatalf("validate of the export: exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			runID := "rt-" + strings.ReplaceAll(tc.file, ".", "-")
			res = runBatch(t, emu, dir, "plan", tc.file, "--run-id", runID, "--limits", "none")
			if res.code != 0 {
				t.Fatalf("plan exit %d\n%s", res.code, res.stderr)
			}
			rows := readResults(t, filepath.Join(dir, "reports", runID))
			want := 40
			if tc.kind == "robot-accounts" {
				want = 5
			}
			if len(rows) != want {
				t.Fatalf("plan of the export: %d rows, want %d", len(rows), want)
			}
			for _, r := range rows {
				if r.Status != report.StatusUnchanged {
					t.Fatalf("row %d of a fresh export is %s: %s", r.Row, r.Status, r.ChangesString())
				}
			}
		})
	}

	// Edit one cell: the plan shows exactly that change.
	data, err := os.ReadFile(filepath.Join(dir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	u3 := userByName(t, emu, "user00003")
	for i, l := range lines {
		if strings.Contains(l, strings.ToLower(u3.ID)) {
			lines[i] = strings.Replace(l, ","+u3.Surname+",", ",Edited,", 1)
		}
	}
	writeFile(t, dir, "edited.csv", strings.Join(lines, "\n"))
	res := runBatch(t, emu, dir, "plan", "edited.csv", "--run-id", "edited", "--limits", "none")
	if res.code != 0 {
		t.Fatalf("plan exit %d\n%s", res.code, res.stderr)
	}
	planned := 0
	for _, r := range readResults(t, filepath.Join(dir, "reports", "edited")) {
		if r.Status == report.StatusPlanned {
			planned++
			if want := `surname: "` + u3.Surname + `" → "Edited"`; r.ChangesString() != want {
				t.Fatalf("edited row plans %q, want %q", r.ChangesString(), want)
			}
		}
	}
	if planned != 1 {
		t.Fatalf("%d rows planned after editing one cell", planned)
	}
}

func TestExportPagesLargeAndEmptyTenants(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 users")
	}
	for _, n := range []int{0, 999, 1000, 1001, 10000} {
		emu := startEmulator(t, emulator.Config{Users: n})
		dir := t.TempDir()
		res := runBatch(t, emu, dir, "export", "users", "-o", "users.csv", "--limits", "default")
		if res.code != 0 {
			t.Fatalf("%d users: export exit %d\n%s", n, res.code, res.stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, "users.csv"))
		if err != nil {
			t.Fatal(err)
		}
		body := strings.TrimSpace(string(data))
		got := strings.Count(body, "\n") // the header line has no newline before it
		if got != n {
			t.Fatalf("%d users: export holds %d rows", n, got)
		}
		// Every user once: first, middle and last are there.
		for _, i := range []int{1, n / 2, n} {
			if n == 0 {
				break
			}
			u := userByName(t, emu, "user"+pad5(i))
			if strings.Count(body, strings.ToLower(u.ID)) != 1 {
				t.Fatalf("%d users: user%05d exported %d times", n, i, strings.Count(body, strings.ToLower(u.ID)))
			}
		}
		pages := (n + 999) / 1000
		// One more for the groups' names.
		if gets := emu.Counts()["GET"]; gets > pages+2 {
			t.Fatalf("%d users: %d GETs, want at most %d", n, gets, pages+2)
		}
	}
}

// Export takes only the flags that shape its requests: a run's flags
// (workers, report folder, literal secrets) are refused, not ignored.
func TestExportRefusesFlagsThatDoNotApply(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	help := runBatch(t, emu, dir, "export", "--help")
	if help.code != 0 || !strings.Contains(help.stdout, "--limits") || !strings.Contains(help.stdout, "--timeout") {
		t.Fatalf("export --help exit %d, want the request flags listed:\n%s", help.code, help.stdout)
	}
	for _, flag := range []string{"--workers", "--report-dir", "--run-id", "--allow-literal-secrets", "--no-progress", "--yes", "--secrets-out"} {
		if strings.Contains(help.stdout, flag) {
			t.Errorf("export --help lists %s, which export does not use", flag)
		}
	}
	res := runBatch(t, emu, dir, "export", "users", "-o", "users.csv", "--workers", "4")
	if res.code != 2 || !strings.Contains(res.stderr, "unknown flag: --workers") {
		t.Fatalf("export --workers: exit %d, want 2 naming the flag\n%s", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "users.csv")); !os.IsNotExist(err) {
		t.Fatalf("export with a refused flag wrote users.csv (stat: %v)", err)
	}
	if n := emu.Counts()["GET"]; n != 0 {
		t.Fatalf("export with a refused flag sent %d GETs", n)
	}
}
