package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The plain loop of scenario 1 runs in a process of its own, as the tool
// does: in the bench's own process it would share one Go scheduler with the
// emulator and skip the switches between processes that every client of a
// separate server pays (about a fifth more requests per second on this
// machine), which is the machine's cost, not the tool's.
const (
	loopURLsEnv  = "BATCH_BENCH_LOOP_URLS"
	loopTokenEnv = "BATCH_BENCH_LOOP_TOKEN"
	loopCountEnv = "BATCH_BENCH_LOOP_N"
)

// runLoopChildIfAsked runs the loop and exits when this process was started
// as the loop's child; otherwise it returns.
func runLoopChildIfAsked() {
	file := os.Getenv(loopURLsEnv)
	if file == "" {
		return
	}
	if err := runLoopChild(file, os.Getenv(loopTokenEnv), os.Getenv(loopCountEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "loop:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

type loopReport struct {
	PerSec float64 `json:"per_sec"`
	P50    float64 `json:"p50_ms"`
	P95    float64 `json:"p95_ms"`
}

func runLoopChild(file, token, count string) error {
	n, err := strconv.Atoi(count)
	if err != nil {
		return fmt.Errorf("request count %q: %w", count, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		urls = append(urls, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return err
	}
	r, err := hammerPUT(context.Background(), urls, token, n)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(loopReport{PerSec: r.perSec, P50: r.p50, P95: r.p95})
}

// hammerPUTProcess is hammerPUT run in a child process (see above).
func hammerPUTProcess(ctx context.Context, dir string, urls []string, token string, n int) (hammerResult, error) {
	exe, err := os.Executable()
	if err != nil {
		return hammerResult{}, err
	}
	file := filepath.Join(dir, "loop-urls.txt")
	if err := os.WriteFile(file, []byte(strings.Join(urls, "\n")+"\n"), 0o600); err != nil {
		return hammerResult{}, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), loopURLsEnv+"="+file, loopTokenEnv+"="+token, loopCountEnv+"="+strconv.Itoa(n))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return hammerResult{}, fmt.Errorf("loop process: %w: %s", err, tail(stderr.String()))
	}
	var rep loopReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return hammerResult{}, fmt.Errorf("loop process answered %q: %w", out, err)
	}
	return hammerResult{perSec: rep.PerSec, p50: rep.P50, p95: rep.P95, cpu: cpuOf(cmd)}, nil
}
