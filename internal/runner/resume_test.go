package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/emulatortest"
	"github.com/uipath-batch/batch/internal/iostreams"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/syncbuf"
)

// A resumed run reads its manifest twice: once to validate it (its hash
// and the rows left counted on the way), once to run it (its debug log
// says each time the manifest is opened).
func TestResumeReadsTheManifestTwice(t *testing.T) {
	emu, _ := emulatortest.Start(t, emulator.Config{Users: 300, Latency: 2 * time.Millisecond})
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("HOME", t.TempDir())
	var m strings.Builder
	m.WriteString("op,username,name\n")
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&m, "update_user,user%05d,Name %d\n", i, i)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(path, []byte(m.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, extra func(*RunOptions)) (string, error) {
		ro := &RunOptions{Workers: 1, Limits: "none", MaxAttempts: 3, Timeout: time.Minute, ReportDir: filepath.Join(dir, "reports"), Yes: true,
			BulkSize: 50, MaxStaleness: time.Minute, Drain: time.Second, MaxProblems: 50, Log: LogOptions{Format: "json", Level: "debug", NoProgress: true}}
		extra(ro)
		var out, errOut syncbuf.Buffer // the log is written from several goroutines, as to a file
		err := RunManifest(ctx, ManifestOptions{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			Command: Apply, Manifest: path, Conn: &Connection{}, Run: ro, Flags: pflag.NewFlagSet("apply", pflag.ContinueOnError)})
		return errOut.String(), err
	}
	// The first run is interrupted part way.
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for emu.Counts()["PUT"] < 50 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var stop *StopError
	if _, err := run(ctx, func(ro *RunOptions) { ro.RunID = "r1" }); !errors.As(err, &stop) {
		t.Fatalf("the interrupted run ended with %v", err)
	}
	log, err := run(t.Context(), func(ro *RunOptions) { ro.Resume = "r1" })
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	t.Logf("the resume opened the manifest %d times", strings.Count(log, `"manifest opened"`))
	if n := strings.Count(log, `"manifest opened"`); n > 2 || n == 0 {
		t.Errorf("the resume opened the manifest %d times, want at most 2", n)
	}
	rows := results(t, filepath.Join(dir, "reports", "r1"))
	if len(rows) != 300 {
		t.Fatalf("%d rows reported, want 300", len(rows))
	}
	for n, r := range rows {
		if r.Status != report.StatusSucceeded {
			t.Errorf("row %d: %s", n, r.Status)
		}
	}
}
