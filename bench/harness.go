// Command bench measures the tool's speed, scale and politeness against the
// emulator and prints one table; every figure sits next to a reference
// measured in the same run, so a noisy shared machine moves both together.
//
// Run it with `make bench`; `go test ./bench` runs every scenario at tiny
// sizes so that the harness cannot rot.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// Env is what a scenario gets: the built binary, a scratch folder, and
// whether this is a smoke run (tiny sizes, no targets checked).
type Env struct {
	Bin   string
	Dir   string
	Smoke bool
	Log   io.Writer
}

// Size picks the full or the smoke figure.
func (e *Env) Size(full, smoke int) int {
	if e.Smoke {
		return smoke
	}
	return full
}

// Row is one line of the table.
type Row struct {
	Scenario   string  `json:"scenario"`
	Rows       int     `json:"rows"`
	RowsPerSec float64 `json:"rows_per_sec"`
	Reference  string  `json:"reference"`
	RefPerSec  float64 `json:"reference_rows_per_sec,omitempty"`
	Ratio      float64 `json:"ratio"`
	Target     string  `json:"target"`
	P50Ms      float64 `json:"p50_ms,omitempty"`
	P95Ms      float64 `json:"p95_ms,omitempty"`
	PeakRSSMB  float64 `json:"peak_rss_mb,omitempty"`
	Throttled  int     `json:"429s"`
	Pass       bool    `json:"pass"`
	Note       string  `json:"note,omitempty"`
}

type scenario struct {
	name string
	run  func(ctx context.Context, env *Env) ([]Row, error)
}

var scenarios []scenario

// register adds a scenario; the table keeps registration order by name.
func register(name string, run func(ctx context.Context, env *Env) ([]Row, error)) {
	scenarios = append(scenarios, scenario{name: name, run: run})
}

// runAll runs the scenarios whose name matches filter.
func runAll(ctx context.Context, env *Env, filter *regexp.Regexp) ([]Row, error) {
	sort.SliceStable(scenarios, func(i, j int) bool { return scenarios[i].name < scenarios[j].name })
	var all []Row
	for _, s := range scenarios {
		if filter != nil && !filter.MatchString(s.name) {
			continue
		}
		fmt.Fprintf(env.Log, "bench: %s ...\n", s.name)
		rows, err := s.run(ctx, env)
		if err != nil {
			return all, fmt.Errorf("scenario %s: %w", s.name, err)
		}
		all = append(all, rows...)
	}
	return all, nil
}

func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trows\trows/s\treference\tref rows/s\tratio\ttarget\tp50 ms\tp95 ms\tpeak RSS MB\t429s\tpass\t")
	for _, r := range rows {
		pass := "yes"
		if !r.Pass {
			pass = "NO"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%.0f\t%.2f\t%s\t%.2f\t%.2f\t%.1f\t%d\t%s\t\n",
			r.Scenario, r.Rows, r.RowsPerSec, r.Reference, r.RefPerSec, r.Ratio, r.Target,
			r.P50Ms, r.P95Ms, r.PeakRSSMB, r.Throttled, pass)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.Note != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.Scenario, r.Note)
		}
	}
}

// measuredCommand is a finished child process with its wall time and peak
// resident memory (from the kernel's rusage, so it counts the whole process).
type measuredCommand struct {
	Wall      time.Duration
	CPU       time.Duration // user and system time of the child
	PeakRSSMB float64
	Stdout    string
	Stderr    string
	ExitCode  int
}

// runMeasured runs the binary with args and measures it. Peak memory is the
// kernel's high-water mark of the child's own address space (VmHWM), read
// while it runs: the rusage figure would include the pages the child
// shared with this (large, emulator-hosting) process between fork and exec.
func runMeasured(ctx context.Context, bin string, env []string, args ...string) (measuredCommand, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measuredCommand{}, fmt.Errorf("run %s: %w", filepath.Base(bin), err)
	}
	peak := watchPeak(cmd.Process.Pid)
	err := cmd.Wait()
	m := measuredCommand{Wall: time.Since(start), Stdout: out.String(), Stderr: errOut.String(), PeakRSSMB: peak.done(), CPU: cpuOf(cmd)}
	return m, exited(cmd, &m, err)
}

// streamedCommand is a measuredCommand whose standard output was read a
// line at a time as the child wrote it, and not kept: how many lines
// came, and how long after the start the first one did.
type streamedCommand struct {
	measuredCommand
	Lines     int
	FirstLine time.Duration // 0 when no line came
}

// runStreamed is runMeasured reading the child's standard output as it
// comes, line by line, counting the lines and timing the first; a child
// printing a million lines costs this process no memory.
func runStreamed(ctx context.Context, bin string, env []string, args ...string) (streamedCommand, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return streamedCommand{}, fmt.Errorf("run %s: %w", filepath.Base(bin), err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return streamedCommand{}, fmt.Errorf("run %s: %w", filepath.Base(bin), err)
	}
	peak := watchPeak(cmd.Process.Pid)
	var s streamedCommand
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		if s.Lines++; s.Lines == 1 {
			s.FirstLine = time.Since(start)
		}
	}
	readErr := lines.Err()
	if readErr != nil {
		_, _ = io.Copy(io.Discard, stdout) // let the child finish
	}
	err = cmd.Wait()
	s.measuredCommand = measuredCommand{Wall: time.Since(start), Stderr: errOut.String(), PeakRSSMB: peak.done()}
	if err := exited(cmd, &s.measuredCommand, err); err != nil {
		return s, err
	}
	if readErr != nil {
		return s, fmt.Errorf("read the output of %s: %w", filepath.Base(bin), readErr)
	}
	return s, nil
}

// exited completes m from a child that Wait returned err for: its exit
// code, and its peak memory from rusage if polling caught none. err counts
// only when the child did not run to an exit.
func exited(cmd *exec.Cmd, m *measuredCommand, err error) error {
	if cmd.ProcessState != nil {
		m.ExitCode = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && m.PeakRSSMB == 0 {
			m.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
	}
	if err != nil && cmd.ProcessState == nil {
		return fmt.Errorf("run %s: %w", filepath.Base(cmd.Path), err)
	}
	return nil
}

// peakWatch polls a running child's peak memory.
type peakWatch struct {
	stop chan struct{}
	peak chan float64
}

// watchPeak starts polling the peak memory of process pid.
func watchPeak(pid int) *peakWatch {
	w := &peakWatch{stop: make(chan struct{}), peak: make(chan float64, 1)}
	go func() { w.peak <- watchPeakRSS(pid, w.stop) }()
	return w
}

// done stops the polling and returns the peak in MB (0 if never read).
func (w *peakWatch) done() float64 {
	close(w.stop)
	return <-w.peak
}

// watchPeakRSS polls /proc/PID/status for VmHWM (a high-water mark, so the
// last reading is the peak up to then) until stop closes.
func watchPeakRSS(pid int, stop <-chan struct{}) float64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	peak := 0.0
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(path); err == nil {
			for line := range strings.Lines(string(data)) {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb float64
					if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil && kb/1024 > peak {
						peak = kb / 1024
					}
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

func writeJSON(dir string, rows []Row) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "bench-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, append(data, '\n'), 0o644)
}

// cpuOf is the user and system time a finished child took (0 when it did
// not run).
func cpuOf(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
