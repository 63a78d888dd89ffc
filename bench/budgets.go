package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func init() {
	register("4a budget windows 10x the timeout", benchLongBudgetWaits)
	register("4b politeness, two services", benchTwoServices)
}

// benchLongBudgetWaits rotates passwords under a PUT budget whose window is
// ten times the request timeout, as UiPath's 5-minute windows are against a
// 30 s timeout: most rows wait many timeouts for their slot, and every one
// must be sent once and succeed.
func benchLongBudgetWaits(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(100, 25)
	budget := emulator.Budget{Requests: 20, Window: 10 * time.Second}
	timeout := time.Second
	if env.Smoke {
		budget, timeout = emulator.Budget{Requests: 10, Window: 2 * time.Second}, 200*time.Millisecond
	}
	limits := fmt.Sprintf("PUT=%d/%s", budget.Requests, budget.Window)
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 8, Limits: map[string]emulator.Budget{"PUT": budget}})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "long-waits.csv")
	err = writeManifest(manifest, "op,username,new_password", n, func(i int) string {
		return fmt.Sprintf("set_password,user%05d,generate", i)
	})
	if err != nil {
		return nil, err
	}
	tool, err := runTool(ctx, env, srv, "long-waits", "apply", manifest, "--yes", "--limits", limits,
		"--timeout", timeout.String(), "--max-attempts", "2", "--workers", "8",
		"--secrets-out", filepath.Join(env.Dir, "long-waits-secrets.csv"))
	if err != nil {
		return nil, err
	}
	best := fastestSchedule(n, budget)
	puts := srv.Counts()["PUT"]
	succeeded := tool.Summary.ByStatus[report.StatusSucceeded]
	row := againstFastest("4a budget windows 10x the timeout", n, tool, "fastest schedule", best)
	row.Target, row.Throttled = "every row once, ratio >= 0.90", srv.Throttled()
	row.Pass = env.Smoke || (succeeded == n && puts == n && row.Ratio >= 0.90)
	row.Note = fmt.Sprintf("--limits %s, --timeout %s: %d of %d succeeded with %d PUTs, %.1f s against %.1f s", limits, timeout, succeeded, n, puts, tool.Wall.Seconds(), best.Seconds())
	return []Row{row}, nil
}

// benchTwoServices budgets both services (UiPath's Identity budgets scaled
// 60 times; Orchestrator's its own) and has Orchestrator answer 429 for a
// while early in a run mixing user updates and robot credentials: the user
// rows must keep the pace of Identity's budget, pause or not.
func benchTwoServices(ctx context.Context, env *Env) ([]Row, error) {
	// The pause spans two of Identity's (scaled) windows, so that the PUTs
	// answered in it measure the budget's pace rather than one burst.
	users, robots := env.Size(900, 45), env.Size(300, 15) // three user rows to one robot row
	pause := time.Duration(env.Size(10, 1)) * time.Second
	idBudgets, err := emulator.ParseLimits(scaledLimits)
	if err != nil {
		return nil, err
	}
	const orchLimits = "GET=200/5s,PATCH=100/5s"
	orchBudgets, err := emulator.ParseLimits(orchLimits)
	if err != nil {
		return nil, err
	}
	srv, err := startEmulator(emulator.Config{Users: users, Robots: robots, Seed: 9, Limits: idBudgets, OrchestratorLimits: orchBudgets, RequestLogLimit: 20000})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	manifest := filepath.Join(env.Dir, "two-services.csv")
	err = writeManifest(manifest, "op,username,display_name,robot_username,new_password", users+robots, func(i int) string {
		// Three user rows, then one robot row.
		if i%4 == 0 {
			r := i / 4
			return fmt.Sprintf("set_robot_credentials,robot-%03d,,CORP\\svc-robot-%03d,generate", r, r)
		}
		u := i - i/4
		return fmt.Sprintf("update_user,user%05d,Two Services %d,,", u, u)
	})
	if err != nil {
		return nil, err
	}
	// The pause starts once Orchestrator has answered a tenth of the
	// robot rows.
	var from atomic.Int64
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		for srv.CountFor("PATCH", "/odata/Users({key})") < max(robots/10, 1) {
			select {
			case <-watchCtx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		from.Store(time.Now().UnixNano())
		srv.ThrottleOrchestratorFor(pause)
	}()
	limits := scaledLimits + ",orchestrator:" + strings.ReplaceAll(orchLimits, ",", ",orchestrator:")
	tool, err := runTool(ctx, env, srv, "two-services", "apply", manifest, "--yes", "--limits", limits,
		"--workers", "16", "--max-attempts", "10", "--secrets-out", filepath.Join(env.Dir, "two-services-secrets.csv"))
	stopWatch()
	if err != nil {
		return nil, err
	}
	// The user rows' pace: from the first user PUT answered to the last,
	// against the fastest schedule Identity's PUT budget allows for them.
	start := time.Unix(0, from.Load())
	var first, last time.Time
	putsDuring, idThrottled := 0, 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/odata/") {
			continue
		}
		if r.Status == 429 {
			idThrottled++
		}
		if r.Method != "PUT" || r.Status != 200 {
			continue
		}
		if first.IsZero() {
			first = r.Time
		}
		last = r.Time
		if from.Load() != 0 && !r.Time.Before(start) && r.Time.Before(start.Add(pause)) {
			putsDuring++
		}
	}
	span := last.Sub(first)
	best := fastestSchedule(users, idBudgets["PUT"])
	ratio := best.Seconds() / max(span.Seconds(), 1e-9)
	rows := users + robots
	succeeded := tool.Summary.ByStatus[report.StatusSucceeded]
	orch := tool.Summary.RequestsByService["orchestrator"]
	return []Row{{
		Scenario: "4b politeness, two services", Rows: rows, RowsPerSec: float64(users) / max(span.Seconds(), 1e-9),
		Reference: "user rows' fastest schedule", RefPerSec: float64(users) / max(best.Seconds(), 1e-9), Ratio: ratio,
		Target: "user rows >= 0.90, no Identity 429", P50Ms: tool.Summary.LatencyP50Ms, P95Ms: tool.Summary.LatencyP95Ms,
		PeakRSSMB: tool.PeakRSSMB, Throttled: srv.Throttled(),
		Pass: env.Smoke || (ratio >= 0.90 && idThrottled == 0 && succeeded == rows),
		Note: fmt.Sprintf("%d user rows in %.1f s against %.1f s, %d of their PUTs during Orchestrator's %v pause; %d of %d rows succeeded in %.1f s; Orchestrator 429s %d, Identity 429s %d",
			users, span.Seconds(), best.Seconds(), putsDuring, pause, succeeded, rows, tool.Wall.Seconds(), orch["PATCH"].Throttled+orch["GET"].Throttled, idThrottled),
	}}, nil
}
