package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func init() {
	register("1 overhead", benchOverhead)
	register("2 latency hiding", benchLatencyHiding)
	register("3 scale", benchScale)
	register("4 politeness, known budgets", benchPolitenessKnown)
	register("5 politeness, unknown budgets", benchPolitenessUnknown)
	register("7 request economy", benchRequestEconomy)
}

// benchRequestLog is the emulator's request-log ring in the bench: the
// scenarios read only its complete counters, and a ring of the default
// 200,000 requests would make the emulator's garbage collector, not the
// tool, the figure of runs with hundreds of thousands of requests.
const benchRequestLog = 1000

// startEmulator starts an in-process emulator on loopback.
func startEmulator(cfg emulator.Config) (*emulator.Server, error) {
	if cfg.RequestLogLimit == 0 {
		cfg.RequestLogLimit = benchRequestLog
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return srv, nil
}

// writeManifest writes a CSV manifest: header, then row(i) for i in 1..n.
func writeManifest(path, header string, n int, row func(i int) string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, header)
	for i := 1; i <= n; i++ {
		fmt.Fprintln(w, row(i))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeRenames writes a manifest of n update_user rows, user i (named by
// its id in ids, as userIDs lists them) renamed "<label> i".
func writeRenames(path string, ids map[string]string, n int, label string) error {
	return writeManifest(path, "op,user_id,display_name", n, func(i int) string {
		return fmt.Sprintf("update_user,%s,%s %d", ids[fmt.Sprintf("user%05d", i)], label, i)
	})
}

// cpuProfileDirEnv names a folder where each run of the tool writes its
// CPU profile (RUN_ID.pprof), for `go tool pprof bin/batch FILE`.
const cpuProfileDirEnv = "BATCH_BENCH_CPU_PROFILES"

// toolRun is one run of the binary with its summary.
type toolRun struct {
	measuredCommand
	Summary report.Summary
}

// runTool runs `batch ARGS` against srv and reads the run's summary.
func runTool(ctx context.Context, env *Env, srv *emulator.Server, runID string, args ...string) (toolRun, error) {
	reports := filepath.Join(env.Dir, "reports")
	args = append(args, "--report-dir", reports, "--run-id", runID, "--no-progress", "--log-format", "json", "--log-level", "warn")
	if dir := os.Getenv(cpuProfileDirEnv); dir != "" {
		args = append(args, "--cpu-profile", filepath.Join(dir, runID+".pprof"))
	}
	m, err := runMeasured(ctx, env.Bin, append(srv.Env(), "UIPATH_PROFILE=", "HOME="+env.Dir), args...)
	if err != nil {
		return toolRun{}, err
	}
	run := toolRun{measuredCommand: m}
	if m.ExitCode != 0 {
		return run, fmt.Errorf("batch %s exited %d: %s", strings.Join(args, " "), m.ExitCode, tail(m.Stderr))
	}
	run.Summary, err = report.ReadSummary(filepath.Join(reports, runID))
	return run, err
}

// perRowMicros is d spread over n rows, in microseconds.
func perRowMicros(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / float64(max(n, 1))
}

// gets counts a run's GET requests, every service's.
func gets(s report.Summary) int {
	n := 0
	for _, methods := range s.RequestsByService {
		n += methods["GET"].Requests
	}
	return n
}

func tail(s string) string {
	if len(s) > 600 {
		return "…" + s[len(s)-600:]
	}
	return s
}

// userIDs lists the emulator's user ids in user-number order.
func userIDs(srv *emulator.Server) map[string]string {
	ids := map[string]string{}
	for _, u := range srv.Users() {
		ids[u.UserName] = u.ID
	}
	return ids
}

func benchOverhead(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(50000, 500)
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 1})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	ids := userIDs(srv)
	manifest := filepath.Join(env.Dir, "overhead.csv")
	if err := writeRenames(manifest, ids, n, "Person"); err != nil {
		return nil, err
	}
	// The reference: the same requests, same concurrency, a plain loop in
	// a process of its own (see loop.go), measured before and after the
	// tool (the mean of both), so that a change in the machine's load
	// moves both sides.
	token, err := emulatorToken(ctx, srv.URL())
	if err != nil {
		return nil, err
	}
	urls := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		urls = append(urls, srv.URL()+"/"+emulator.DefaultOrg+"/identity_/api/User/"+ids[fmt.Sprintf("user%05d", i)])
	}
	// What the emulator spends serving each side (this process's CPU
	// while the other process runs) tells the tool's cost on the server
	// (its list reads) from its own.
	c0 := selfCPU()
	before, err := hammerPUTProcess(ctx, env.Dir, urls, token, n)
	if err != nil {
		return nil, fmt.Errorf("reference loop: %w", err)
	}
	c1 := selfCPU()
	tool, err := runTool(ctx, env, srv, "overhead", "apply", manifest, "--yes", "--limits", "none", "--workers", fmt.Sprint(emulatorCeilingWorkers))
	if err != nil {
		return nil, err
	}
	c2 := selfCPU()
	after, err := hammerPUTProcess(ctx, env.Dir, urls, token, n)
	if err != nil {
		return nil, fmt.Errorf("reference loop: %w", err)
	}
	c3 := selfCPU()
	ref := hammerResult{perSec: (before.perSec + after.perSec) / 2}
	perSec := float64(n) / tool.Wall.Seconds()
	ratio := perSec / ref.perSec
	return []Row{{
		Scenario: "1 overhead", Rows: n, RowsPerSec: perSec, Reference: "plain net/http loop (own process)", RefPerSec: ref.perSec,
		Ratio: ratio, Target: ">= 0.85", P50Ms: tool.Summary.LatencyP50Ms, P95Ms: tool.Summary.LatencyP95Ms,
		PeakRSSMB: tool.PeakRSSMB, Throttled: tool.Summary.Throttled, Pass: env.Smoke || ratio >= 0.85,
		Note: fmt.Sprintf("wall time of the whole process (validation, resolution, reports included); in-run rate %.0f rows/s; reference %.0f before, %.0f after; CPU per row %.0f µs (tool) against %.0f µs (loop), the emulator sharing the machine's cores with both (its CPU per row: %.0f µs serving the tool, list reads included, %.0f µs serving the loop)",
			tool.Summary.RowsPerSecond, before.perSec, after.perSec, perRowMicros(tool.CPU, n), perRowMicros((before.cpu+after.cpu)/2, n),
			perRowMicros(c2-c1, n), perRowMicros((c1-c0+c3-c2)/2, n)),
	}}, nil
}

func benchLatencyHiding(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(12800, 128)
	const workers, latency = 64, 50 * time.Millisecond
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 2, Latency: latency})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "latency.csv")
	if err := writeRenames(manifest, userIDs(srv), n, "Person"); err != nil {
		return nil, err
	}
	tool, err := runTool(ctx, env, srv, "latency", "apply", manifest, "--yes", "--limits", "none", "--workers", fmt.Sprint(workers))
	if err != nil {
		return nil, err
	}
	ref := float64(workers) / latency.Seconds()
	perSec := float64(n) / tool.Wall.Seconds()
	return []Row{{
		Scenario: "2 latency hiding", Rows: n, RowsPerSec: perSec, Reference: "64 / 50 ms", RefPerSec: ref,
		Ratio: perSec / ref, Target: ">= 0.90", P50Ms: tool.Summary.LatencyP50Ms, P95Ms: tool.Summary.LatencyP95Ms,
		PeakRSSMB: tool.PeakRSSMB, Throttled: tool.Summary.Throttled, Pass: env.Smoke || perSec/ref >= 0.90,
	}}, nil
}

func benchScale(ctx context.Context, env *Env) ([]Row, error) {
	big := env.Size(1000000, 2000)
	small := big / 10
	// Each size runs against an organization of its own size, so that the
	// user list read for undo (one page per 1,000 rows) grows with the
	// rows as everything else does.
	orgs := map[int]*emulator.Server{}
	for _, n := range []int{small, big} {
		srv, err := startEmulator(emulator.Config{Users: n, Seed: 3})
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		orgs[n] = srv
	}
	var rows []Row
	var runs []toolRun
	// The small run goes before and after the big one, and the big one is
	// compared with their mean, so that a change in the machine's load
	// moves both sides.
	for i, n := range []int{small, big, small} {
		srv := orgs[n]
		manifest := filepath.Join(env.Dir, fmt.Sprintf("scale-%d-%d.csv", i, n))
		if err := writeRenames(manifest, userIDs(srv), n, fmt.Sprintf("Scaled %d", i)); err != nil {
			return nil, err
		}
		tool, err := runTool(ctx, env, srv, fmt.Sprintf("scale-%d-%d", i, n), "apply", manifest, "--yes", "--limits", "none", "--workers", "32")
		if err != nil {
			return nil, err
		}
		_ = os.Remove(manifest)
		if got := tool.Summary.UndoRows; got != n {
			return nil, fmt.Errorf("scale run of %d rows: its undo manifest holds %d rows, want one per row (the state before of every account)", n, got)
		}
		runs = append(runs, tool)
	}
	rate := func(r toolRun, n int) float64 { return float64(n) / r.Wall.Seconds() }
	smallRate := (rate(runs[0], small) + rate(runs[2], small)) / 2
	smallRSS := max(runs[0].PeakRSSMB, runs[2].PeakRSSMB)
	growth := runs[1].PeakRSSMB/smallRSS - 1
	speed := rate(runs[1], big) / smallRate
	pass := env.Smoke || (runs[1].PeakRSSMB < 128 && growth < 0.15 && math.Abs(speed-1) <= 0.10)
	target := "RSS < 128 MB, +< 15 %, rows/s ±10 %"
	rows = append(rows, Row{
		Scenario: "3 scale", Rows: small, RowsPerSec: smallRate, PeakRSSMB: smallRSS,
		P50Ms: runs[0].Summary.LatencyP50Ms, P95Ms: runs[0].Summary.LatencyP95Ms, Throttled: runs[0].Summary.Throttled + runs[2].Summary.Throttled,
		Target: target, Pass: pass,
	}, Row{
		Scenario: "3 scale", Rows: big, RowsPerSec: rate(runs[1], big), PeakRSSMB: runs[1].PeakRSSMB,
		P50Ms: runs[1].Summary.LatencyP50Ms, P95Ms: runs[1].Summary.LatencyP95Ms, Throttled: runs[1].Summary.Throttled,
		Target: target, Pass: pass, Reference: fmt.Sprintf("%d rows", small), RefPerSec: smallRate, Ratio: speed,
		Note: fmt.Sprintf("peak RSS %.1f MB → %.1f MB (%+.1f %%); %d rows at %.0f and %.0f rows/s before and after; each run against an organization of its size, undo rows = rows in every run (state before of every account, %d GETs in the big run)",
			smallRSS, runs[1].PeakRSSMB, 100*growth, small, rate(runs[0], small), rate(runs[2], small), gets(runs[1].Summary)),
	})
	return rows, nil
}

// Politeness: UiPath's budgets scaled to test time (windows / 60: PUT 160
// per 5 s, GET 300 per 5 s, POST 24,000 per 5 s).
const scaledLimits = "GET=300/5s,PUT=160/5s,PATCH=160/5s,POST=24000/5s"

// politeManifest mixes update_user (PUT) and change_password (POST) rows.
func politeManifest(env *Env, name string, puts, posts int) (string, error) {
	path := filepath.Join(env.Dir, name)
	return path, writeManifest(path, "op,username,display_name,old_password,new_password", puts+posts, func(i int) string {
		if i <= puts {
			return fmt.Sprintf("update_user,user%05d,Polite %d,,", i, i)
		}
		return fmt.Sprintf("change_password,user%05d,,Initial-Pass-%05d!,Changed-Pass-%05d!", i, i, i)
	})
}

// fastestSchedule is the shortest time the budget allows for n requests
// of one method: the first Requests go at once, then Requests per Window.
func fastestSchedule(n int, b emulator.Budget) time.Duration {
	windows := (n+b.Requests-1)/b.Requests - 1
	return time.Duration(max(windows, 0)) * b.Window
}

// againstFastest is the row of a run of rows rows that a budget paces,
// set against reference, the fastest schedule (best) for the same rows:
// both rates, their ratio (1 where no budget binds, best 0), the run's
// latencies and peak memory. The scenario adds its target, 429s, verdict
// and note.
func againstFastest(scenario string, rows int, tool toolRun, reference string, best time.Duration) Row {
	r := Row{
		Scenario: scenario, Rows: rows, RowsPerSec: float64(rows) / tool.Wall.Seconds(), Reference: reference, Ratio: 1,
		P50Ms: tool.Summary.LatencyP50Ms, P95Ms: tool.Summary.LatencyP95Ms, PeakRSSMB: tool.PeakRSSMB,
	}
	if best > 0 {
		r.RefPerSec, r.Ratio = float64(rows)/best.Seconds(), best.Seconds()/tool.Wall.Seconds()
	}
	return r
}

func politeness(ctx context.Context, env *Env, scenario, label, limits string, noRetryAfter bool, target float64, max429 float64) (Row, error) {
	puts, posts := env.Size(800, 40), env.Size(200, 10)
	budgets, err := emulator.ParseLimits(scaledLimits)
	if err != nil {
		return Row{}, err
	}
	srv, err := startEmulator(emulator.Config{Users: puts + posts, Seed: 4, Limits: budgets, NoRetryAfter: noRetryAfter})
	if err != nil {
		return Row{}, err
	}
	defer srv.Close()
	manifest, err := politeManifest(env, "polite.csv", puts, posts)
	if err != nil {
		return Row{}, err
	}
	runID := strings.NewReplacer(" ", "-", ",", "", "/", "", "(", "", ")", "").Replace(scenario + "-" + label) // a run id is letters, digits, . - _
	tool, err := runTool(ctx, env, srv, runID, "apply", manifest, "--yes", "--allow-literal-secrets", "--limits", limits, "--workers", "16", "--max-attempts", "10")
	if err != nil {
		return Row{}, err
	}
	best := fastestSchedule(puts, budgets["PUT"])
	requests := 0
	for _, c := range srv.Counts() {
		requests += c
	}
	throttled := srv.Throttled()
	share := float64(throttled) / float64(max(requests, 1))
	rows := puts + posts
	row := againstFastest(scenario, rows, tool, "fastest schedule "+label, best)
	row.Target, row.Throttled = fmt.Sprintf(">= %.2f, 429s <= %.0f %%", target, 100*max429), throttled
	row.Pass = env.Smoke || (row.Ratio >= target && share <= max429 && tool.Summary.ByStatus[report.StatusSucceeded] == rows)
	row.Note = fmt.Sprintf("%s: %d requests, %d answered 429 (%.1f %%), %.1f s against %.1f s", label, requests, throttled, 100*share, tool.Wall.Seconds(), best.Seconds())
	return row, nil
}

func benchPolitenessKnown(ctx context.Context, env *Env) ([]Row, error) {
	row, err := politeness(ctx, env, "4 politeness, known budgets", "(--limits given)", scaledLimits, false, 0.95, 0.01)
	if err != nil {
		return nil, err
	}
	return []Row{row}, nil
}

func benchPolitenessUnknown(ctx context.Context, env *Env) ([]Row, error) {
	var rows []Row
	for _, noRA := range []bool{false, true} {
		label := "(Retry-After)"
		if noRA {
			label = "(no Retry-After)"
		}
		row, err := politeness(ctx, env, "5 politeness, unknown budgets", label, "none", noRA, 0.80, 0.05)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func benchRequestEconomy(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(10000, 300)
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 5})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "economy.csv")
	err = writeManifest(manifest, "op,email,display_name", n, func(i int) string {
		return fmt.Sprintf("update_user,user%05d@example.com,Economy %d", i, i)
	})
	if err != nil {
		return nil, err
	}
	pages := (n + 999) / 1000
	var rows []Row
	for _, cmd := range []string{"plan", "apply"} {
		before := sumCounts(srv)
		args := []string{cmd, manifest, "--limits", "none", "--workers", "32"}
		if cmd == "apply" {
			args = append(args, "--yes")
		}
		tool, err := runTool(ctx, env, srv, "economy-"+cmd, args...)
		if err != nil {
			return nil, err
		}
		spent := sumCounts(srv) - before
		floor := pages
		if cmd == "apply" {
			floor += n
		}
		perRow := float64(spent) / float64(n)
		ratio := float64(floor) / float64(spent)
		rows = append(rows, Row{
			Scenario: "7 request economy (" + cmd + ")", Rows: n, RowsPerSec: float64(n) / tool.Wall.Seconds(),
			Reference: fmt.Sprintf("%d requests", floor), Ratio: ratio, Target: "requests = writes + ⌈users/1000⌉",
			PeakRSSMB: tool.PeakRSSMB, Pass: env.Smoke || spent <= floor,
			Note: fmt.Sprintf("%d requests (%.4f per row): %v", spent, perRow, tool.Summary.Requests),
		})
	}
	for _, staleness := range []string{"", "0s"} {
		row, err := robotRotationEconomy(ctx, env, staleness)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// robotRotationEconomy applies an incident rotation: one
// set_robot_credentials row (by user name, new_password generate) per
// Orchestrator user. The users are paged once into an index and each row
// is one PATCH: at most 1.05 requests per row while the run lasts less
// than --max-staleness (the default here). With maxStaleness set ("0":
// a run longer than its window from the first row on), each PATCH reads
// its robot again first: the row reports those reads.
func robotRotationEconomy(ctx context.Context, env *Env, maxStaleness string) (Row, error) {
	n := env.Size(3000, 30)
	seed := filepath.Join(env.Dir, "rotation-seed.json")
	var b strings.Builder
	b.WriteString(`{"orchestratorUsers": [`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d, "userName": "robot-%05d", "type": "Robot", "unattendedRobot": {"userName": "CORP\\svc-%05d", "password": "Seed-%d", "credentialType": "Default"}}`, 10000+i, i, i, i)
	}
	b.WriteString("]}")
	if err := os.WriteFile(seed, []byte(b.String()), 0o600); err != nil {
		return Row{}, err
	}
	srv, err := startEmulator(emulator.Config{SeedFile: seed})
	if err != nil {
		return Row{}, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "rotation.csv")
	err = writeManifest(manifest, "op,username,new_password", n, func(i int) string {
		return fmt.Sprintf("set_robot_credentials,robot-%05d,generate", i)
	})
	if err != nil {
		return Row{}, err
	}
	secrets := filepath.Join(env.Dir, "rotation-secrets.csv")
	_ = os.Remove(secrets)
	before := sumCounts(srv)
	args := []string{"apply", manifest, "--yes", "--limits", "none", "--workers", "32", "--secrets-out", secrets}
	if maxStaleness != "" {
		args = append(args, "--max-staleness", maxStaleness)
	}
	tool, err := runTool(ctx, env, srv, "economy-rotation"+strings.ReplaceAll(maxStaleness, ".", "-"), args...)
	if err != nil {
		return Row{}, err
	}
	spent := sumCounts(srv) - before
	floor := (n+999)/1000 + n
	perRow := float64(spent) / float64(n)
	row := Row{
		Scenario: "7 request economy (robot rotation)", Rows: n, RowsPerSec: float64(n) / tool.Wall.Seconds(),
		Reference: fmt.Sprintf("%d requests", floor), Ratio: float64(floor) / float64(spent), Target: "requests per set_robot_credentials row <= 1.05",
		PeakRSSMB: tool.PeakRSSMB, Pass: perRow <= 1.05,
		Note: fmt.Sprintf("%d requests (%.4f per row), %d staleness reads: %v", spent, perRow, tool.Summary.StalenessReads, tool.Summary.Requests),
	}
	if maxStaleness != "" {
		// Every PATCH reads its robot again: one GET and one PATCH a row.
		floor = (n+999)/1000 + 2*n
		row.Scenario = "7 request economy (robot rotation, --max-staleness " + maxStaleness + ")"
		row.Reference, row.Ratio = fmt.Sprintf("%d requests", floor), float64(floor)/float64(spent)
		row.Target = "staleness reads reported; <= 2.05 requests per row"
		row.Pass = perRow <= 2.05 && tool.Summary.StalenessReads == int64(n)
	}
	return row, nil
}

// sumCounts is every API request the emulator answered.
func sumCounts(srv *emulator.Server) int {
	n := 0
	for _, c := range srv.Counts() {
		n += c
	}
	return n
}
