// Package secretsout keeps the passwords a run generates, so that a
// password changed on the server can always be found again. Each password
// is written and synced to disk before the request that sets it is sent.
//
// The file is created readable by its owner only. It is a CSV file
// (a header line, then one line per password) or, with age recipients, a file of
// lines each holding one base64-encoded age message that decrypts to one
// CSV line (the first to the header), so that every password is sealed
// and on disk the moment it is recorded and no plaintext touches the disk.
// Such a file reads back with standard tools:
//
//	while read -r l; do echo "$l" | base64 -d | age -d -i key.txt; done < secrets.age
//
// Each line's state says what became of it. A password is recorded
// ("recorded") before the request that sets it leaves; when that request
// is then refused, or never leaves, a line follows for the same target and
// field with no password and the state "not set: REASON": the account
// keeps the password it had before. A request whose answer was lost is
// followed by "unknown: REASON": the recorded password may or may not be
// in effect. So, for each target and field, the last line tells: a
// password recorded (the row's line in results.csv says it succeeded), or
// that the last password recorded was not set. If a run is killed between
// recording a password and sending it, the last line can be a password
// that was never set (a resumed run sends that same password).
package secretsout

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/secret"
)

// header is the first line of a secrets file.
var header = []string{"run_id", "row", "source", "op", "target", "field", "password", "recorded_at", "state", "account"}

// oldHeader is the header of files written before lines had a state and
// an account.
var oldHeader = header[:8]

// The states of a line (see the package comment).
const (
	StateRecorded = "recorded"
	StateNotSet   = "not set"
	StateUnknown  = "unknown"
)

// File is an open secrets output. It is safe for concurrent use.
type File struct {
	mu         sync.Mutex
	f          *os.File
	path       string
	runID      string
	recipients []age.Recipient
	created    bool // this File created the file
	recorded   bool // a password was recorded
}

// ErrFormatMismatch is returned by Create when an existing file holds
// lines in the other format (plaintext CSV against age-encrypted lines):
// appending would mix plaintext passwords into an encrypted file, or
// sealed lines into a plain one.
var ErrFormatMismatch = errors.New("secrets output format mismatch")

// ParseRecipients parses age recipients ("age1…"), one per value.
func ParseRecipients(values []string) ([]age.Recipient, error) {
	if len(values) == 0 {
		return nil, nil
	}
	rs, err := age.ParseRecipients(strings.NewReader(strings.Join(values, "\n")))
	if err != nil {
		return nil, fmt.Errorf("--age-recipient: %w", err)
	}
	return rs, nil
}

// Create opens path for the generated passwords of run runID, encrypting
// each line to recipients when there are any. A new file is created with
// mode 0600; an existing one is appended to (a resumed run) only if no one
// but its owner can read it and its lines are in the format about to be
// written (age-encrypted with recipients, plaintext CSV without); otherwise
// the error wraps ErrFormatMismatch and nothing is written.
func Create(path, runID string, recipients []age.Recipient) (*File, error) {
	st, err := os.Stat(path)
	existed := err == nil
	switch {
	case err == nil && !st.Mode().IsRegular():
		return nil, fmt.Errorf("secrets output %s is not a regular file", path)
	case err == nil && st.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("secrets output %s can be read by others (mode %04o): run chmod 600 %s, or choose a new file", path, st.Mode().Perm(), path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	if existed && st.Size() > 0 {
		if err := checkFormat(path, len(recipients) > 0); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	// The mode given to OpenFile is filtered by the umask; make sure.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("secrets output: %w", err)
	}
	out := &File{f: f, path: path, runID: runID, recipients: recipients, created: !existed}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		if err := out.writeSynced(header); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return out, nil
}

// checkFormat reads the first line of an existing secrets file and says
// whether it is in the format about to be written: the plain header, or a
// base64 age message.
func checkFormat(path string, encrypted bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("secrets output: %w", err)
	}
	defer f.Close()
	first, err := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("secrets output %s: %w", path, err)
	}
	first = strings.TrimRight(first, "\r\n")
	plain := first == strings.Join(header, ",") || first == strings.Join(oldHeader, ",") || first == strings.Join(header[:9], ",")
	sealed := false
	if b, err := base64.StdEncoding.DecodeString(first); err == nil {
		sealed = bytes.HasPrefix(b, []byte("age-encryption.org/"))
	}
	switch {
	case encrypted && plain:
		return fmt.Errorf("%w: %s holds plaintext passwords, and --age-recipient would append encrypted lines to it: give a new --secrets-out file for encrypted output", ErrFormatMismatch, path)
	case !encrypted && sealed:
		return fmt.Errorf("%w: %s holds age-encrypted lines, and without --age-recipient plaintext passwords would be appended to it: give the same --age-recipient as the run that wrote it, or a new --secrets-out file", ErrFormatMismatch, path)
	case !plain && !sealed:
		return fmt.Errorf("%w: %s is not a secrets file written by batch (its first line is neither the header nor an age-encrypted line): choose a new --secrets-out file", ErrFormatMismatch, path)
	}
	return nil
}

// Discard closes the file and, when this File created it and recorded no
// password, removes it: a run that never started leaves nothing behind.
func (o *File) Discard() error {
	o.mu.Lock()
	remove := o.created && !o.recorded
	o.mu.Unlock()
	err := o.Close()
	if remove {
		if rerr := os.Remove(o.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("remove unused secrets output: %w", rerr))
		}
	}
	return err
}

// Record writes one generated password and syncs it to disk. account
// names, for whoever sets the same password elsewhere, the account it is
// for ("CORP\svc-robot-001 (Orchestrator user robot-001)", an email).
func (o *File) Record(_ context.Context, job *manifest.Job, field, account string, v secret.Value) error {
	o.mu.Lock()
	o.recorded = true
	o.mu.Unlock()
	return o.writeSynced([]string{
		o.runID, fmt.Sprint(job.Row), job.Source.String(), string(job.Op), job.Target.String(),
		field, v.Reveal(), time.Now().UTC().Format(time.RFC3339Nano), StateRecorded, account,
	})
}

// NotSet writes, after a password recorded for job's field, that it was
// not set (state StateNotSet) or, with maybeSet, may not have been
// (StateUnknown), and why, and syncs it. The reason must not hold a
// secret.
func (o *File) NotSet(_ context.Context, job *manifest.Job, field, reason string, maybeSet bool) error {
	state := StateNotSet
	if maybeSet {
		state = StateUnknown
	}
	return o.writeSynced([]string{
		o.runID, fmt.Sprint(job.Row), job.Source.String(), string(job.Op), job.Target.String(),
		field, "", time.Now().UTC().Format(time.RFC3339Nano), state + ": " + oneLine(reason), "",
	})
}

// oneLine folds a reason onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (o *File) writeSynced(record []string) error {
	var line bytes.Buffer
	w := csv.NewWriter(&line)
	if err := w.Write(record); err != nil {
		return fmt.Errorf("write secrets output: %w", err)
	}
	w.Flush()
	data := line.Bytes()
	if len(o.recipients) > 0 {
		sealed, err := seal(data, o.recipients)
		if err != nil {
			return err
		}
		data = sealed
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return errors.New("secrets output is closed")
	}
	if _, err := o.f.Write(data); err != nil {
		return fmt.Errorf("write secrets output: %w", err)
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("sync secrets output: %w", err)
	}
	return nil
}

// seal encrypts one CSV line into one base64 line.
func seal(line []byte, recipients []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, fmt.Errorf("encrypt secrets output: %w", err)
	}
	if _, err := w.Write(line); err != nil {
		return nil, fmt.Errorf("encrypt secrets output: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt secrets output: %w", err)
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(buf.Len())+1)
	base64.StdEncoding.Encode(out, buf.Bytes())
	out[len(out)-1] = '\n'
	return out, nil
}

// Close closes the file.
func (o *File) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	return err
}

// Entry is one line read back: a recorded password, or that the last one
// recorded for its target and field was not set (see State).
type Entry struct {
	RunID, Row, Source, Op, Target, Field string
	Password                              secret.Value
	RecordedAt                            string
	// State is StateRecorded, or StateNotSet or StateUnknown followed by
	// ": " and the reason (a file of an older version: "").
	State string
	// Account names the account the password is for (see Record).
	Account string
}

// Recorded reports whether the entry holds a password.
func (e Entry) Recorded() bool { return e.State == "" || e.State == StateRecorded }

// InEffect returns, for each target and field (joined by a space), the
// last entry read: the password recorded, or a line saying it was not set.
func InEffect(entries []Entry) map[string]Entry {
	out := make(map[string]Entry, len(entries))
	for _, e := range entries {
		out[e.Target+" "+e.Field] = e
	}
	return out
}

// Read reads a secrets file back, decrypting it with identities when it
// was written for age recipients (pass none for a plain file).
func Read(path string, identities ...age.Identity) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read secrets output: %w", err)
	}
	defer f.Close()
	var plain io.Reader = f
	if len(identities) > 0 {
		var buf bytes.Buffer
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 1; sc.Scan(); n++ {
			sealed, err := base64.StdEncoding.DecodeString(sc.Text())
			if err != nil {
				return nil, fmt.Errorf("secrets output %s line %d: %w", path, n, err)
			}
			r, err := age.Decrypt(bytes.NewReader(sealed), identities...)
			if err != nil {
				return nil, fmt.Errorf("secrets output %s line %d: %w", path, n, err)
			}
			if _, err := io.Copy(&buf, r); err != nil {
				return nil, fmt.Errorf("secrets output %s line %d: %w", path, n, err)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read secrets output: %w", err)
		}
		plain = &buf
	}
	cr := csv.NewReader(plain)
	cr.FieldsPerRecord = -1 // a file of an older version has lines without a state
	records, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read secrets output %s: %w", path, err)
	}
	var out []Entry
	for i, r := range records {
		if len(r) < len(oldHeader) || len(r) > len(header) {
			return nil, fmt.Errorf("secrets output %s record %d: %d fields, want %d", path, i+1, len(r), len(header))
		}
		if i == 0 || (r[0] == header[0] && r[6] == header[6]) {
			continue // the header (again, when a resumed run appended)
		}
		e := Entry{RunID: r[0], Row: r[1], Source: r[2], Op: r[3], Target: r[4], Field: r[5], Password: secret.New(r[6]), RecordedAt: r[7]}
		if len(r) > 8 {
			e.State = r[8]
		}
		if len(r) > 9 {
			e.Account = r[9]
		}
		out = append(out, e)
	}
	return out, nil
}
