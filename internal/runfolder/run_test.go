package runfolder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/journal"
)

// manifestFile writes a manifest to hash; its content is all Open reads.
func manifestFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func newApply(t *testing.T, reportDir, id, manifest string) Options {
	t.Helper()
	return Options{ReportDir: reportDir, ID: id, Command: "apply", Writes: true,
		Manifest: manifest, DisplayName: "users.csv", Flags: map[string][]string{"workers": {"4"}}}
}

// A new run that never started (not confirmed, refused sign-in) leaves
// nothing behind: not its files, not the folder it created.
func TestNewRunNotStartedLeavesNothing(t *testing.T) {
	reports := t.TempDir()
	r, err := Open(newApply(t, reports, "r1", manifestFile(t, "a\n")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{journal.MetaName, journal.LockName, journal.KeyName} {
		if !exists(filepath.Join(r.Dir, name)) {
			t.Errorf("an open run that writes has no %s", name)
		}
	}
	if r.Journal == nil {
		t.Fatal("a run that writes has no journal")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if exists(r.Dir) {
		entries, _ := os.ReadDir(r.Dir)
		t.Errorf("a run that never started left its folder behind: %v", entries)
	}
}

// A folder that was there before the run (a --run-id naming an existing
// folder without run.json) stays, even empty; only the run's own files go.
func TestNewRunNotStartedKeepsAFolderThatWasThere(t *testing.T) {
	reports := t.TempDir()
	dir := filepath.Join(reports, "r1")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	r, err := Open(newApply(t, reports, "r1", manifestFile(t, "a\n")))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("closing a run that never started removed a folder it did not create: %v", err)
	}
	if len(entries) != 0 {
		t.Errorf("the run's own files are still there: %v", entries)
	}
}

// A started run keeps its folder; Finish removes its sealing key (the
// passwords in its journal can no longer be opened) and nothing else.
func TestStartedRunKeepsItsReportAndFinishRemovesTheKey(t *testing.T) {
	reports := t.TempDir()
	r, err := Open(newApply(t, reports, "r1", manifestFile(t, "a\n")))
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	if !r.Started() {
		t.Fatal("Started after Start is false")
	}
	if err := r.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(r.Dir, journal.KeyName)) {
		t.Error("a finished run kept its sealing key")
	}
	meta, err := journal.ReadMeta(r.Dir)
	if err != nil {
		t.Fatalf("a started run lost its run.json: %v", err)
	}
	if meta.RunID != "r1" || meta.Command != "apply" || meta.Manifest != "users.csv" || meta.Flags["workers"][0] != "4" {
		t.Errorf("run.json = %+v", meta)
	}
}

// A plan keeps no journal and no key: it writes nothing to resume.
func TestPlanHasNoJournal(t *testing.T) {
	reports := t.TempDir()
	o := newApply(t, reports, "p1", manifestFile(t, "a\n"))
	o.Command, o.Writes = "plan", false
	r, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Journal != nil || exists(filepath.Join(r.Dir, journal.KeyName)) {
		t.Error("a plan has a journal or a sealing key")
	}
	if err := r.Finish(); err != nil {
		t.Errorf("Finish of a plan: %v", err)
	}
}

// A locked run cannot be opened twice, and a run id in use is refused.
func TestRunInUseAndRunThatExists(t *testing.T) {
	reports := t.TempDir()
	m := manifestFile(t, "a\n")
	r, err := Open(newApply(t, reports, "r1", m))
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	resume := newApply(t, reports, "", m)
	resume.Resume = "r1"
	if _, err := Open(resume); err == nil {
		t.Error("a run was opened again while it was locked")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(newApply(t, reports, "r1", m))
	if err == nil || !strings.Contains(err.Error(), "--resume r1") {
		t.Errorf("a new apply named after an existing run: %v, want a hint to --resume r1", err)
	}
	plan := newApply(t, reports, "r1", m)
	plan.Command, plan.Writes = "plan", false
	_, err = Open(plan)
	if err == nil || strings.Contains(err.Error(), "--resume") {
		t.Errorf("a new plan named after an existing run: %v, want an error without --resume", err)
	}
}

// A resume reads the interrupted run's journal, carries over its done rows
// only, and refuses another command, another manifest or another run id.
func TestResume(t *testing.T) {
	reports := t.TempDir()
	m := manifestFile(t, "a\n")
	r, err := Open(newApply(t, reports, "r1", m))
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	if r.Keep() != nil {
		t.Error("a new run keeps earlier results")
	}
	if err := r.Journal.Done(2, "succeeded"); err != nil {
		t.Fatal(err)
	}
	if err := r.Journal.Intent(journal.Intent{Row: 3}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	resume := newApply(t, reports, "", m)
	resume.Resume = "r1"
	resume.Flags = map[string][]string{"workers": {"2"}}
	again, err := Open(resume)
	if err != nil {
		t.Fatal(err)
	}
	keep := again.Keep()
	if keep == nil || !keep(2) || keep(3) || keep(4) {
		t.Errorf("a resume keeps the wrong rows (state %+v)", again.State)
	}
	if again.State[3].Intent == nil {
		t.Error("the intent of a row in flight was lost")
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(reports, "r1", journal.FileName)) {
		t.Error("closing a resume removed the run's journal")
	}
	if meta, _ := journal.ReadMeta(filepath.Join(reports, "r1")); meta.Flags["workers"][0] != "2" {
		t.Errorf("a resume's flags are not what the next resume starts from: %v", meta.Flags)
	}

	for name, change := range map[string]func(*Options){
		"another command":  func(o *Options) { o.Command, o.Writes = "plan", false },
		"another manifest": func(o *Options) { o.Manifest = manifestFile(t, "b\n") },
		"another run id":   func(o *Options) { o.ID = "r2" },
		"an unknown run":   func(o *Options) { o.Resume = "r9" },
	} {
		o := resume
		change(&o)
		if _, err := Open(o); err == nil {
			t.Errorf("a resume with %s was accepted", name)
		}
	}
}

// A resume that is refused says why in words a person can act on: the
// command the run was (with its article), the manifest it was started
// with and the one given now.
func TestResumeRefusalsNameWhatDiffers(t *testing.T) {
	reports := t.TempDir()
	m := manifestFile(t, "a\n")
	r, err := Open(newApply(t, reports, "r1", m))
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		change func(*Options)
		want   []string
	}{
		{"another command", func(o *Options) { o.Command, o.Writes = "plan", false },
			[]string{"--resume r1: that run was an apply, not a plan: resume it with batch apply"}},
		{"another manifest file", func(o *Options) { o.Manifest, o.DisplayName = manifestFile(t, "b\n"), "other.csv" },
			[]string{"--resume r1: that run was started with users.csv (sha256 ", "), not other.csv (sha256 ", "resume it with the manifest it started with"}},
		{"the same file changed", func(o *Options) { o.Manifest = manifestFile(t, "b\n") },
			[]string{"--resume r1: the manifest changed since that run started (users.csv's sha256 was "}},
		{"standard input", func(o *Options) { o.Manifest, o.DisplayName = manifestFile(t, "b\n"), "-" },
			[]string{"that run was started with users.csv (sha256 ", "), not a manifest on standard input (sha256 "}},
	} {
		o := newApply(t, reports, "", m)
		o.Resume = "r1"
		c.change(&o)
		_, err := Open(o)
		if err == nil {
			t.Errorf("%s: resume accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to contain %q", c.name, err, w)
			}
		}
	}

	plan := newApply(t, reports, "p1", m)
	plan.Command, plan.Writes = "plan", false
	if r, err = Open(plan); err != nil {
		t.Fatal(err)
	}
	r.Start()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	o := newApply(t, reports, "", m)
	o.Resume = "p1"
	if _, err := Open(o); err == nil || !strings.Contains(err.Error(), "that run was a plan, not an apply: resume it with batch plan") {
		t.Errorf("resume of a plan as an apply: %v", err)
	}
}

// A run another process holds is refused naming that process (pid, host,
// since when) and the run, and the error is journal.ErrLocked.
func TestRunInUseNamesItsHolder(t *testing.T) {
	reports := t.TempDir()
	m := manifestFile(t, "a\n")
	r, err := Open(newApply(t, reports, "r1", m))
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	defer r.Close()
	o := newApply(t, reports, "", m)
	o.Resume = "r1"
	_, err = Open(o)
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("Open of a held run = %v, want ErrLocked", err)
	}
	host, _ := os.Hostname()
	want := fmt.Sprintf("run r1 is in use by pid %d on host %s since ", os.Getpid(), host)
	if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "wait for it to end, or, if that process is gone, try again") {
		t.Errorf("Open of a held run = %v\nwant it to start %q", err, want)
	}
}

func TestNewIDAndCheckID(t *testing.T) {
	a, b := newID(), newID()
	if a == b || CheckID(a) != nil {
		t.Errorf("newID: %q, %q", a, b)
	}
	for _, ok := range []string{"r1", "before-window", "2026.11_22"} {
		if err := CheckID(ok); err != nil {
			t.Errorf("CheckID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{".hidden", "-x", "a/b", "..", "a b", strings.Repeat("a", maxIDLength+1)} {
		if CheckID(bad) == nil {
			t.Errorf("CheckID(%q) accepted", bad)
		}
	}
}
