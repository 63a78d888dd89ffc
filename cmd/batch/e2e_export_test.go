package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

// What export writes validates, and planned against the organization it
// came from every row is unchanged; an edited cell plans exactly that
// change.
func TestExportValidatePlanRoundTrip(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 40, Robots: 5})
	dir := t.TempDir()
	for _, tc := range []struct {
		kind, file string
		rows       int
	}{
		{"users", "users.csv", 40}, {"users", "users.yaml", 40}, {"robot-accounts", "robots.csv", 5}, {"robot-accounts", "robots.yaml", 5},
		{"groups", "groups.csv", 1}, {"groups", "groups.yaml", 1},
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
			if len(rows) != tc.rows {
				t.Fatalf("plan of the export: %d rows, want %d", len(rows), tc.rows)
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
		if strings.HasPrefix(l, "ensure_user,"+u3.Email+",") {
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

// The export is portable: users by email, robot accounts and local groups
// by name, memberships by name (built-in groups included), all in one
// manifest. Exported from A and planned against an empty B, every row is a
// create; applied, the file plans unchanged on B, and B exports exactly
// what A did. A user without an email is left out and counted; no id,
// activation or password is ever written.
func TestExportCopiesAnOrganization(t *testing.T) {
	dir := t.TempDir()
	const password = "Seeded-Export-Pass-77!"
	seed := `{"groups": [{"name": "Sales", "members": ["user00002", "robot-001", "ann@example.com"]}, {"name": "Night shift"}],
		"users": [{"userName": "ann", "email": "ann@example.com", "name": "Ann", "surname": "Lee", "displayName": "Ann Lee",
			"bypassBasicAuthRestriction": true, "password": "` + password + `", "groupIDs": ["` + emulator.GroupEveryone + `"]},
			{"userName": "no-email", "name": "No", "surname": "Mail"}]}`
	a := startEmulator(t, emulator.Config{Users: 6, Robots: 3, SeedFile: writeFile(t, t.TempDir(), "seed.json", seed)})
	b := startEmulator(t, emulator.Config{})
	export := func(emu *emulator.Server, file string) (content, stderr string) {
		t.Helper()
		res := runBatch(t, emu, dir, "export", "groups", "users", "robot-accounts", "-o", file, "--limits", "none", "--log-format", "console")
		if res.code != 0 {
			t.Fatalf("export to %s: exit %d\n%s", file, res.code, res.stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		return string(data), res.stderr
	}
	csvA, stderr := export(a, "a.csv")
	yamlA, _ := export(a, "a.yaml")
	if !strings.Contains(stderr, "exported 13 groups, users, robot-accounts to a.csv") || !strings.Contains(stderr, "left out 1 users without an email") {
		t.Errorf("export's summary does not count the rows or the user without an email:\n%s", stderr)
	}
	lines := strings.Split(csvA, "\n")
	want := []string{
		"op,email,username,robot_name,group_name,name,surname,display_name,is_active,bypass_basic_auth_restriction,groups",
		"ensure_group,,,,Finance,,,,,,", "ensure_group,,,,Night shift,,,,,,", "ensure_group,,,,Sales,,,,,,", // sorted by name
	}
	if !slices.Equal(lines[:4], want) {
		t.Errorf("a.csv begins\n%s\nwant\n%s", strings.Join(lines[:4], "\n"), strings.Join(want, "\n"))
	}
	for _, want := range []string{"ensure_user,ann@example.com,ann,,,Ann,Lee,Ann Lee,,true,Everyone;Sales",
		"ensure_robot_account,,,robot-001,,,,Robot 001,,,Automation Users;Everyone;Sales"} {
		if !slices.Contains(lines, want) {
			t.Errorf("a.csv lacks %q:\n%s", want, csvA)
		}
	}
	for _, leak := range []string{"no-email", "user_id", "robot_account_id", "password", strings.ToLower(userByName(t, a, "ann").ID)} {
		if strings.Contains(csvA, leak) || strings.Contains(yamlA, leak) {
			t.Errorf("the export holds %q", leak)
		}
	}
	assertNoSecrets(t, []string{password}, []string{csvA, yamlA, stderr}, dir)

	plan := func(file, runID string, want report.Status) {
		t.Helper()
		res := runBatch(t, b, dir, "plan", file, "--run-id", runID, "--limits", "none")
		if res.code != 0 {
			t.Fatalf("plan %s on B: exit %d\n%s%s", file, res.code, res.stdout, res.stderr)
		}
		rows := readResults(t, filepath.Join(dir, "reports", runID))
		if len(rows) != 13 {
			t.Errorf("plan %s on B: %d rows, want 13", file, len(rows))
		}
		for _, r := range rows {
			if r.Status != want || (want == report.StatusPlanned && !strings.Contains(r.ChangesString(), "create")) {
				t.Errorf("%s row %d (%s) on B: %s %s, want %s", file, r.Row, r.Target, r.Status, r.ChangesString(), want)
			}
		}
	}
	plan("a.csv", "before-csv", report.StatusPlanned)
	plan("a.yaml", "before-yaml", report.StatusPlanned)
	if c := b.Counts(); c["POST"]+c["PUT"]+c["PATCH"]+c["DELETE"] != 0 {
		t.Fatalf("plans sent writes to B: %v", c)
	}
	if res := runBatch(t, b, dir, "apply", "a.csv", "--yes", "--run-id", "copy", "--limits", "none"); res.code != 0 {
		t.Fatalf("apply on B: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	plan("a.csv", "after-csv", report.StatusUnchanged)
	plan("a.yaml", "after-yaml", report.StatusUnchanged)
	// The same rows; B lists its accounts in the order it created them
	// (concurrently), which is its own.
	if csvB, _ := export(b, "b.csv"); !slices.Equal(sortedRows(csvB, "\n"), sortedRows(csvA, "\n")) {
		t.Errorf("B exports\n%s\nA exported\n%s", csvB, csvA)
	}
	if yamlB, _ := export(b, "b.yaml"); !slices.Equal(sortedRows(yamlB, "\n  - "), sortedRows(yamlA, "\n  - ")) {
		t.Errorf("B exports\n%s\nA exported\n%s", yamlB, yamlA)
	}
}

// sortedRows is a manifest's text cut into rows at sep, sorted.
func sortedRows(text, sep string) []string {
	return slices.Sorted(slices.Values(strings.Split(strings.TrimSuffix(text, "\n"), sep)))
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
			if strings.Count(body, ","+u.Email+",") != 1 {
				t.Fatalf("%d users: user%05d exported %d times", n, i, strings.Count(body, ","+u.Email+","))
			}
		}
		pages := (n + 999) / 1000
		// One more for the groups' names.
		if gets := emu.Counts()["GET"]; gets > pages+2 {
			t.Fatalf("%d users: %d GETs, want at most %d", n, gets, pages+2)
		}
	}
}

// Export takes only the flags that shape its requests and its progress: a
// run's flags (workers, report folder, literal secrets) are refused, not
// ignored.
func TestExportRefusesFlagsThatDoNotApply(t *testing.T) {
	emu := startEmulator(t, emulator.Config{Users: 3})
	dir := t.TempDir()
	help := runBatch(t, emu, dir, "export", "--help")
	if help.code != 0 || !strings.Contains(help.stdout, "--limits") || !strings.Contains(help.stdout, "--timeout") || !strings.Contains(help.stdout, "--no-progress") {
		t.Fatalf("export --help exit %d, want the request flags listed:\n%s", help.code, help.stdout)
	}
	for _, flag := range []string{"--workers", "--report-dir", "--run-id", "--allow-literal-secrets", "--yes", "--secrets-out"} {
		if strings.Contains(help.stdout, flag) {
			t.Errorf("export --help lists %s, which export does not use", flag)
		}
	}
	if vhelp := runBatch(t, emu, dir, "verify", "--help"); strings.Contains(vhelp.stdout, "--progress-every") || strings.Contains(vhelp.stdout, "--no-progress") {
		t.Errorf("verify --help lists the progress flags, which verify does not use:\n%s", vhelp.stdout)
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
