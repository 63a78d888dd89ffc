// Command stress is the standing kill-loop test: a mixed manifest of every
// operation the product has, applied by the real binary against the
// emulator with latency, 503s and dropped connections, the process
// SIGKILLed at random moments and resumed until the run is done; then the
// emulator's state and the run folder are checked against each other
// (see verify.go), and the numbers checked are printed.
//
// Run it with `make stress` (STRESS_SEED=N repeats a run); `go test
// ./stress` runs a small version, which `make test` includes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// Config sizes one stress run.
type Config struct {
	Bin  string // the batch binary
	Dir  string // a scratch folder (the manifest, the reports, the secrets output)
	Seed uint64
	Rows int
	// Kills is how many times the binary is SIGKILLed before the run is
	// let finish.
	Kills       int
	Workers     int
	MaxAttempts int
	Latency     time.Duration
	FaultRate   float64 // share of API requests answered 503
	ResetRate   float64 // share of API requests whose connection is dropped
	// MaxTimeKill bounds the kills drawn as a delay after start (the
	// others wait for the rows done to reach a point).
	MaxTimeKill time.Duration
	Log         io.Writer
}

// FullConfig is what `make stress` runs.
func FullConfig() Config {
	return Config{Rows: 600, Kills: 20, Workers: 16, MaxAttempts: 8, Latency: 60 * time.Millisecond,
		FaultRate: 0.05, ResetRate: 0.02, MaxTimeKill: 500 * time.Millisecond}
}

// SmallConfig is the version `make test` runs.
func SmallConfig() Config {
	return Config{Rows: 80, Kills: 20, Workers: 8, MaxAttempts: 8, Latency: 5 * time.Millisecond,
		FaultRate: 0.05, ResetRate: 0.02, MaxTimeKill: 60 * time.Millisecond}
}

const runID = "stress"

// kill is one SIGKILL: when it was drawn to land and when it did.
type kill struct {
	onJournal bool          // drawn as a point of progress (else as a delay)
	lines     int           // journal lines written during the killed run
	after     time.Duration // since the killed run started
	inFlight  int           // rows the journal holds an intent for but not done
}

// outcome is what a stress run did, for the checks and the printout.
type outcome struct {
	plan         *manifestPlan
	emu          *emulator.Server
	runDir       string
	secretsPath  string
	manifestPath string
	kills        []kill
	runs         int
	tokenFaults  int
	outputs      [][]byte // stdout and stderr of every run
	finalCode    int
	elapsed      time.Duration
}

// Run runs the kill loop and checks the result; it returns the report of
// what was checked, or the first contradiction found.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	start := time.Now()
	plan := planManifest(cfg.Seed, cfg.Rows)
	users, robots := plan.accounts()
	seedFile, err := writeGroupSeed(cfg.Dir, plan.consumes(oldGroupsPool), users)
	if err != nil {
		return nil, err
	}
	emu, err := emulator.New(emulator.Config{
		Users: users, Robots: robots, Seed: int64(cfg.Seed % (1 << 62)), SeedFile: seedFile,
		Latency: cfg.Latency, FaultRate: cfg.FaultRate, ResetRate: cfg.ResetRate,
		FaultStatuses: []int{503}, FaultSeed: int64(cfg.Seed % (1 << 62)),
	})
	if err != nil {
		return nil, err
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer emu.Close()
	var ids []string
	for _, u := range emu.Users() {
		ids = append(ids, u.ID)
	}
	plan.fill(ids)

	o := &outcome{plan: plan, emu: emu, runDir: filepath.Join(cfg.Dir, "reports", runID),
		secretsPath: filepath.Join(cfg.Dir, "secrets.csv"), manifestPath: filepath.Join(cfg.Dir, "stress.csv")}
	if err := os.WriteFile(o.manifestPath, []byte(plan.csv()), 0o600); err != nil {
		return nil, err
	}
	if err := o.killLoop(ctx, cfg); err != nil {
		return nil, err
	}
	// Requests of killed runs may still be inside the emulator: let them
	// finish before reading its state.
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := emu.Shutdown(sctx); err != nil {
		return nil, err
	}
	o.elapsed = time.Since(start)
	return verify(o)
}

// writeGroupSeed writes the seed file of the local groups the delete_group
// rows delete (Old group 1 … n), each with the first user as a member
// when there is one.
func writeGroupSeed(dir string, n, users int) (string, error) {
	type group struct {
		Name    string   `json:"name"`
		Members []string `json:"members"`
	}
	var seed struct {
		Groups []group `json:"groups"`
	}
	for k := 1; k <= n; k++ {
		g := group{Name: oldGroupName(k), Members: []string{}}
		if users > 0 {
			g.Members = append(g.Members, userName(1))
		}
		seed.Groups = append(seed.Groups, g)
	}
	data, err := json.Marshal(seed)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "seed.json")
	return path, os.WriteFile(path, data, 0o600)
}

// args is the binary's command line: a new run, or the resumed one.
func (o *outcome) args(cfg Config, resume bool) []string {
	a := []string{"apply", o.manifestPath, "--yes", "--limits", "none", "--workers", fmt.Sprint(cfg.Workers),
		"--max-attempts", fmt.Sprint(cfg.MaxAttempts), "--timeout", "10s", "--secrets-out", o.secretsPath,
		"--allow-literal-secrets", "--allow-deletes", "--no-progress", "--log-format", "json", "--log-level", "debug"}
	if resume {
		return append(a, "--resume", runID)
	}
	return append(a, "--run-id", runID)
}

// killLoop starts the binary, SIGKILLs it at a random moment, and resumes,
// cfg.Kills times; then it resumes until the run ends by itself.
func (o *outcome) killLoop(ctx context.Context, cfg Config) error {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x4b111))
	journalPath := filepath.Join(o.runDir, journal.FileName)
	// Each kill lands at the latest when the rows done reach a point drawn
	// in advance within the first 70% of the manifest, so the kills cannot
	// outlast the rows; most wait for that point (and a new journal line of
	// their own run), a third land after a random delay from the start if
	// that comes first (during sign-in, reading the lists, settling).
	points := make([]int, cfg.Kills)
	for i := range points {
		points[i] = 1 + rng.IntN(max(1, cfg.Rows*7/10))
	}
	slices.Sort(points)
	for len(o.kills) < cfg.Kills {
		if rng.IntN(3) == 0 {
			// A sign-in that fails first: the token request is retried.
			o.emu.FailNextTokenRequests(503)
			o.tokenFaults++
		}
		point := points[len(o.kills)]
		onJournal := rng.IntN(3) != 0
		delay := time.Duration(rng.Int64N(int64(cfg.MaxTimeKill) + 1))
		before := countLines(journalPath)
		cmd, out := o.start(ctx, cfg, o.started())
		started := time.Now()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		o.runs++
		var waitErr error
		killed := false
	watch:
		for {
			select {
			case waitErr = <-exited:
				break watch
			case <-time.After(time.Millisecond):
			}
			journalNow, done := journalProgress(journalPath)
			if journalNow > before && done >= point || !onJournal && time.Since(started) >= delay {
				_ = cmd.Process.Kill()
				waitErr = <-exited
				killed = true
				break watch
			}
		}
		o.outputs = append(o.outputs, out.Bytes())
		if !killed || !signalled(waitErr) {
			// The run ended before its kill moment.
			code := exitCode(waitErr)
			if code == 0 || code == 1 {
				return fmt.Errorf("the run was done after %d of %d kills: make the manifest larger or the kills fewer", len(o.kills), cfg.Kills)
			}
			return fmt.Errorf("run %d ended with exit %d before it was killed:\n%s", o.runs, code, o.tail(out.Bytes()))
		}
		o.kills = append(o.kills, kill{onJournal: onJournal, lines: countLines(journalPath) - before, after: time.Since(started), inFlight: inFlightRows(o.runDir)})
	}
	// Resume until the run ends by itself.
	for attempt := 0; attempt < 3; attempt++ {
		cmd, out := o.start(ctx, cfg, o.started())
		err := cmd.Wait()
		o.runs++
		o.outputs = append(o.outputs, out.Bytes())
		o.finalCode = exitCode(err)
		if o.finalCode == 0 || o.finalCode == 1 {
			return nil
		}
		fmt.Fprintf(cfg.Log, "stress: the resumed run ended with exit %d; resuming again\n%s\n", o.finalCode, o.tail(out.Bytes()))
	}
	return fmt.Errorf("the run did not complete after %d resumes (exit %d)", 3, o.finalCode)
}

// started reports whether a run wrote its folder's run.json: later runs
// resume it (a run killed before that starts afresh).
func (o *outcome) started() bool {
	_, err := os.Stat(filepath.Join(o.runDir, journal.MetaName))
	return err == nil
}

// start starts the binary with the emulator's settings and nothing of the
// caller's environment; its output goes to one buffer.
func (o *outcome) start(ctx context.Context, cfg Config, resume bool) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, cfg.Bin, o.args(cfg, resume)...)
	cmd.Dir = cfg.Dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + cfg.Dir, "TMPDIR=" + os.TempDir()}, o.emu.Env()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		out.WriteString(err.Error())
	}
	return cmd, &out
}

// inFlightRows counts the rows whose intent the journal holds without
// their completion: their write may or may not have reached the server.
func inFlightRows(runDir string) int {
	st, err := journal.Read(runDir)
	if err != nil {
		return 0
	}
	n := 0
	for _, s := range st {
		if !s.Done && s.Intent != nil {
			n++
		}
	}
	return n
}

// journalProgress returns how many lines the journal holds and how many
// of them record a row done.
func journalProgress(path string) (lines, done int) {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte("\n")), bytes.Count(data, []byte(`"k":"done"`))
}

func countLines(path string) int {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte("\n"))
}

func signalled(err error) bool {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
			return ws.Signaled() && ws.Signal() == syscall.SIGKILL
		}
	}
	return false
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// tail is the end of a run's output, for an error message.
func (o *outcome) tail(b []byte) string {
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	// Printed before the leak check has run: a secret the output should
	// never hold is masked here, and the check still fails on it.
	entries, _ := secretsout.Read(o.secretsPath)
	text := string(b)
	for _, s := range o.secrets(entries) {
		if s != "" {
			text = strings.ReplaceAll(text, s, secret.Redacted)
		}
	}
	return text
}
