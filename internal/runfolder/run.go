// Package runfolder keeps a run's report folder: created or found again for a
// resume, locked while the run works on it, with its metadata (run.json,
// the flags it started with included), and for a run that writes, its
// sealing key and journal. A new run that ends before it starts (not
// confirmed, refused sign-in) leaves nothing behind.
package runfolder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/journal"
)

// Options say which run to open and what it is.
type Options struct {
	// ReportDir holds the run folders (REPORT_DIR/RUN_ID/).
	ReportDir string
	// ID names a new run ("" for newID); Resume names the run to resume.
	ID, Resume string
	// Command is "plan" or "apply": a run resumes only as what it was.
	Command string
	// Writes: the run keeps a journal, its passwords sealed with a key of
	// its own.
	Writes bool
	// Manifest is the file the run reads (its hash ties a resume to it),
	// DisplayName its name as a person gave it. ManifestSHA256, when
	// set, is its hash as already read (the validation's): not read again.
	Manifest, DisplayName string
	ManifestSHA256        string
	// Flags are the flags given now (a resume's overrides included): what a
	// later resume starts from.
	Flags map[string][]string
}

// Run is a run's report folder, locked while the run works on it.
type Run struct {
	ID, Dir string
	Meta    journal.Meta
	// Journal records each row's intent and completion; nil for a run
	// that does not write.
	Journal *journal.Journal
	// State holds the interrupted run's rows (a resume that writes), or
	// is empty.
	State journal.State

	lock *journal.Lock
	// fresh: this process created the run (not a resume); dirExisted: its
	// folder was there before. started: the run got past sign-in, so its
	// folder is a report to keep.
	fresh, dirExisted, started bool
}

// Open creates a new run's folder, or opens the one of the run to resume
// after checking that it was the same command on the same manifest. Its
// errors are the caller's usage problems: nothing has been sent.
func Open(o Options) (*Run, error) {
	sum, err := o.ManifestSHA256, error(nil)
	if sum == "" {
		if sum, err = journal.HashFile(o.Manifest); err != nil {
			return nil, err
		}
	}
	r := &Run{State: journal.State{}}
	if o.Resume != "" {
		if err := r.find(o, sum); err != nil {
			return nil, err
		}
	} else if err := r.create(o, sum); err != nil {
		return nil, err
	}
	r.Meta.Flags = o.Flags
	if err := os.MkdirAll(r.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create report folder: %w", err)
	}
	if r.lock, err = journal.Acquire(r.Dir); err != nil {
		if le := (*journal.LockedError)(nil); errors.As(err, &le) {
			le.Run = r.ID
		}
		return nil, err
	}
	if err := journal.WriteMeta(r.Dir, r.Meta); err != nil {
		_ = r.Close()
		return nil, err
	}
	if !o.Writes {
		return r, nil
	}
	if err := r.openJournal(o); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// find opens the run to resume: the same command, the same manifest.
func (r *Run) find(o Options, sum string) (err error) {
	if o.ID != "" && o.ID != o.Resume {
		return errors.New("--run-id and --resume name different runs")
	}
	r.ID, r.Dir = o.Resume, filepath.Join(o.ReportDir, o.Resume)
	if r.Meta, err = journal.ReadMeta(r.Dir); err != nil {
		return fmt.Errorf("--resume %s: %w", r.ID, err)
	}
	if r.Meta.Command != o.Command {
		return fmt.Errorf("--resume %s: that run was %s, not %s: resume it with batch %s", r.ID, withArticle(r.Meta.Command), withArticle(o.Command), r.Meta.Command)
	}
	if r.Meta.ManifestSHA256 != sum {
		if r.Meta.Manifest != o.DisplayName || o.DisplayName == "-" {
			return fmt.Errorf("--resume %s: that run was started with %s (sha256 %s), not %s (sha256 %s); resume it with the manifest it started with, or start a new run",
				r.ID, manifestName(r.Meta.Manifest), short(r.Meta.ManifestSHA256), manifestName(o.DisplayName), short(sum))
		}
		return fmt.Errorf("--resume %s: the manifest changed since that run started (%s's sha256 was %s, is %s); resume with the manifest as it was, or start a new run",
			r.ID, o.DisplayName, short(r.Meta.ManifestSHA256), short(sum))
	}
	return nil
}

// manifestName names a manifest, as given, for a message.
func manifestName(display string) string {
	switch display {
	case "":
		return "a manifest it did not record"
	case "-":
		return "a manifest on standard input"
	}
	return display
}

// withArticle puts "a" or "an" before a command's name: "a plan", "an
// apply".
func withArticle(command string) string {
	if command != "" && strings.ContainsRune("aeiou", rune(command[0])) {
		return "an " + command
	}
	return "a " + command
}

// create names a new run; a run of that name must not exist.
func (r *Run) create(o Options, sum string) error {
	r.ID = o.ID
	if r.ID == "" {
		r.ID = newID()
	}
	r.Dir = filepath.Join(o.ReportDir, r.ID)
	if _, err := os.Stat(filepath.Join(r.Dir, journal.MetaName)); err == nil {
		if !o.Writes {
			return fmt.Errorf("run %s already exists in %s: choose another --run-id", r.ID, o.ReportDir)
		}
		return fmt.Errorf("run %s already exists in %s: resume it with --resume %s, or choose another --run-id", r.ID, o.ReportDir, r.ID)
	}
	r.Meta = journal.Meta{RunID: r.ID, Command: o.Command, Manifest: o.DisplayName, ManifestSHA256: sum, Started: time.Now().UTC()}
	r.fresh = true
	if _, err := os.Stat(r.Dir); err == nil {
		r.dirExisted = true
	}
	return nil
}

// openJournal reads a resumed run's journal, then opens it for appending
// with the run's sealing key (made on first use).
func (r *Run) openJournal(o Options) (err error) {
	if o.Resume != "" {
		if r.State, err = journal.Read(r.Dir); err != nil {
			return fmt.Errorf("--resume %s: %w", r.ID, err)
		}
	}
	sealer, err := journal.LoadSealer(r.Dir)
	if err == nil && sealer == nil {
		sealer, err = journal.NewSealer(r.Dir)
	}
	if err != nil {
		return err
	}
	r.Journal, err = journal.Open(r.Dir, sealer)
	return err
}

func short(sum string) string { return sum[:min(12, len(sum))] }

// Start marks the run as started (it got past sign-in): from now on its
// folder is a report to keep, whatever happens.
func (r *Run) Start() { r.started = true }

// Started reports whether Start was called.
func (r *Run) Started() bool { return r.started }

// Keep says which rows' earlier results a resumed run carries over (nil:
// none, a new run).
func (r *Run) Keep() func(int) bool {
	if len(r.State) == 0 {
		return nil
	}
	return func(row int) bool {
		s, ok := r.State[row]
		return ok && s.Done
	}
}

// Finish ends a run that dispatched every row: its sealing key goes, so
// the passwords sealed in its journal can no longer be opened. A key that
// could not be removed is an error: it still opens them.
func (r *Run) Finish() error {
	if r.Journal == nil {
		return nil
	}
	if err := journal.RemoveKey(r.Dir); err != nil {
		return fmt.Errorf("%w: the passwords sealed in the run's journal can still be opened with it; delete %s", err, filepath.Join(r.Dir, journal.KeyName))
	}
	return nil
}

// Close closes the journal (synced to disk: a resume relies on it) and
// releases the folder's lock. A new run that never started removes what it
// created: nothing was sent, so there is nothing to report or resume.
func (r *Run) Close() error {
	var err error
	if r.Journal != nil {
		err = r.Journal.Close()
	}
	_ = r.lock.Release()
	if r.fresh && !r.started {
		for _, name := range []string{journal.FileName, journal.KeyName, journal.LockName, journal.MetaName} {
			_ = os.Remove(filepath.Join(r.Dir, name))
		}
		if !r.dirExisted {
			_ = os.Remove(r.Dir)
		}
	}
	return err
}

// PeekState reads the journal of the run id to resume, before its folder is
// opened (and its manifest checked): which rows it finished, for counting
// the rows left while the manifest is validated. A run without one has no
// state yet (nil, no error); Open checks the rest.
func PeekState(reportDir, id string) (journal.State, error) {
	if id == "" || CheckID(id) != nil {
		return nil, nil
	}
	st, err := journal.Read(filepath.Join(reportDir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return st, err
}
