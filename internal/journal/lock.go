package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrLocked means another process is working on the run folder.
var ErrLocked = errors.New("another batch process is working on this run")

// Lock is an exclusive advisory lock on a run folder. The operating system
// releases it when the process ends, however it ends, so a killed run
// never leaves a stale lock behind.
type Lock struct{ f *os.File }

// Holder is who holds a run folder's lock, as its lock file records it.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started,omitzero"` // when it took the lock
}

// LockedError is the error of a run folder another process holds. It
// matches ErrLocked.
type LockedError struct {
	// Run names the run for the message ("" names it by Dir).
	Run string
	// Dir is the run folder.
	Dir string
	// Holder is what the lock file says of the process that holds it;
	// zero when it says nothing readable (an older batch, or a holder
	// that has not written it yet).
	Holder Holder
	// Now is when the lock was found taken, for "how long ago".
	Now time.Time
}

// Error says who holds the run, since when, and what to do.
func (e *LockedError) Error() string {
	run := "the run in " + e.Dir
	if e.Run != "" {
		run = "run " + e.Run
	}
	h := e.Holder
	if h.PID <= 0 {
		return fmt.Sprintf("%s is in use by another batch process (its lock file %s does not say which): wait for it to end, or, if that process is gone, try again: its lock ends with it",
			run, filepath.Join(e.Dir, LockName))
	}
	who := "pid " + strconv.Itoa(h.PID)
	if h.Host != "" {
		who += " on host " + h.Host
	}
	if !h.Started.IsZero() {
		who += " " + since(h.Started, e.Now)
	}
	return fmt.Sprintf("%s is in use by %s: wait for it to end, or, if that process is gone, try again: its lock ends with it (on a network folder, within a few minutes)", run, who)
}

// Is makes a LockedError match ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// since writes when a lock was taken, in local time, with how long ago:
// "since 15:04:05 (3m12s ago)", the date added when it is not today's.
func since(started, now time.Time) string {
	if now.IsZero() {
		now = time.Now()
	}
	s, n := started.Local(), now.Local()
	layout := "15:04:05"
	if y, m, d := s.Date(); y != n.Year() || m != n.Month() || d != n.Day() {
		layout = "2006-01-02 15:04:05"
	}
	ago := n.Sub(s).Round(time.Second)
	if ago < 0 {
		// The other host's clock is ahead of ours.
		return fmt.Sprintf("since %s (%s)", s.Format(layout), s.Format("MST"))
	}
	return fmt.Sprintf("since %s (%s, %s ago)", s.Format(layout), s.Format("MST"), ago)
}

// Acquire takes the run folder's lock without waiting, and records in the
// lock file who holds it (pid, host, start time) for a process that finds
// it taken. A folder another process holds gives a *LockedError naming
// that process.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open run lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Dir: dir, Holder: readHolder(f), Now: time.Now()}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	h := Holder{PID: os.Getpid(), Started: time.Now().UTC().Truncate(time.Second)}
	h.Host, _ = os.Hostname()
	data, err := json.Marshal(h)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("record run lock holder: %w", err)
	}
	// Best effort: the record only helps a person find the other run; the
	// lock is the flock.
	_ = f.Truncate(0)
	_, _ = f.WriteAt(append(data, '\n'), 0)
	return &Lock{f: f}, nil
}

// readHolder reads who holds a lock from its file: the JSON record, or the
// bare pid an older batch wrote. Anything else gives a zero Holder.
func readHolder(f *os.File) Holder {
	buf := make([]byte, 4<<10)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return Holder{}
	}
	text := strings.TrimSpace(string(buf[:n]))
	var h Holder
	if strings.HasPrefix(text, "{") {
		if json.Unmarshal([]byte(text), &h) != nil {
			return Holder{}
		}
	} else if pid, err := strconv.Atoi(text); err == nil {
		h.PID = pid
	}
	if h.PID <= 0 {
		return Holder{}
	}
	// The host name is printed: keep it to one short line.
	if len(h.Host) > 255 || !utf8.ValidString(h.Host) || strings.ContainsFunc(h.Host, unicode.IsControl) {
		h.Host = strconv.Quote(h.Host[:min(len(h.Host), 255)])
	}
	return h
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := errors.Join(syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN), l.f.Close())
	l.f = nil
	if err != nil {
		return fmt.Errorf("release run lock: %w", err)
	}
	return nil
}
