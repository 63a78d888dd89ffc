package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func init() { register("4b mixed services", benchMixedServices) }

// mixedOrchestratorLimits is Orchestrator's PATCH budget in the mixed
// scenario, given to the emulator and to the tool: robot credentials go
// out at 100 per 5 s, whatever Identity's PUT budget does.
const mixedOrchestratorLimits = "PATCH=100/5s"

// benchMixedServices runs a manifest of user updates (Identity PUT, 160
// per 5 s) and robot credentials (Orchestrator PATCH, 100 per 5 s): once
// Identity's budget is used up, its rows wait for their slots, and the
// robot rows must not wait behind them. Two orders: every user row first
// (the robot rows are the manifest's last), and one robot row after every
// three user rows. The robot rows' last finish is set against their own
// budget's fastest schedule, the user rows' against theirs.
func benchMixedServices(ctx context.Context, env *Env) ([]Row, error) {
	var rows []Row
	for _, interleaved := range []bool{false, true} {
		row, err := mixedServices(ctx, env, interleaved)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func mixedServices(ctx context.Context, env *Env, interleaved bool) (Row, error) {
	users, robots := env.Size(1000, 40), env.Size(300, 12)
	idBudgets, err := emulator.ParseLimits(scaledLimits)
	if err != nil {
		return Row{}, err
	}
	orchBudgets, err := emulator.ParseLimits(mixedOrchestratorLimits)
	if err != nil {
		return Row{}, err
	}
	srv, err := startEmulator(emulator.Config{Users: users, Robots: robots, Seed: 41, Limits: idBudgets, OrchestratorLimits: orchBudgets})
	if err != nil {
		return Row{}, err
	}
	defer srv.Close()
	order, name := "user rows first", "mixed-users-first"
	if interleaved {
		order, name = "one robot row in four", "mixed-interleaved"
	}
	manifest := filepath.Join(env.Dir, name+".csv")
	userRow := func(u int) string { return fmt.Sprintf("update_user,user%05d,Mixed %d,,", u, u) }
	robotRow := func(r int) string {
		return fmt.Sprintf("set_robot_credentials,robot-%03d,,CORP\\svc-robot-%03d,generate", r, r)
	}
	err = writeManifest(manifest, "op,username,display_name,robot_username,new_password", users+robots, func(i int) string {
		switch {
		case !interleaved && i <= users:
			return userRow(i)
		case !interleaved:
			return robotRow(i - users)
		case i%4 == 0 && i/4 <= robots:
			return robotRow(i / 4)
		}
		return userRow(i - min(i/4, robots))
	})
	if err != nil {
		return Row{}, err
	}
	limits := scaledLimits + ",orchestrator:" + mixedOrchestratorLimits
	tool, err := runTool(ctx, env, srv, name, "apply", manifest, "--yes", "--limits", limits, "--workers", "16",
		"--secrets-out", filepath.Join(env.Dir, name+"-secrets.csv"))
	if err != nil {
		return Row{}, err
	}
	lastUser, lastRobot, err := lastFinishes(filepath.Join(env.Dir, "reports", name))
	if err != nil {
		return Row{}, err
	}
	userTime, robotTime := lastUser.Sub(tool.Summary.StartedAt), lastRobot.Sub(tool.Summary.StartedAt)
	userBest := fastestSchedule(users, idBudgets["PUT"])
	robotBest := fastestSchedule(robots, orchBudgets["PATCH"])
	// A schedule of no whole window (a smoke run's few robots) is set
	// against one second: finishing within it is as fast as it gets.
	robotFloor := max(robotBest, time.Second)
	robotRatio := robotTime.Seconds() / robotFloor.Seconds()
	userRatio := 1.0 // no window binds a smoke run's few users
	if userBest > 0 {
		userRatio = userBest.Seconds() / max(userTime.Seconds(), 1e-9)
	}
	succeeded := tool.Summary.ByStatus[report.StatusSucceeded]
	throttled := srv.Throttled()
	byService := tool.Summary.RequestsByService
	return Row{
		Scenario: "4b mixed services (" + order + ")", Rows: users + robots,
		RowsPerSec: float64(robots) / max(robotTime.Seconds(), 1e-9),
		Reference:  "robot rows' fastest schedule", RefPerSec: float64(robots) / robotFloor.Seconds(), Ratio: robotRatio,
		Target: "robots <= 1.10 × fastest, users >= 0.95, no 429", P50Ms: tool.Summary.LatencyP50Ms, P95Ms: tool.Summary.LatencyP95Ms,
		PeakRSSMB: tool.PeakRSSMB, Throttled: throttled,
		Pass: env.Smoke || (robotRatio <= 1.10 && userRatio >= 0.95 && throttled == 0 && succeeded == users+robots),
		Note: fmt.Sprintf("last robot row %.1f s after the start (fastest %.1f s: %d PATCHes at %s), last user row %.1f s (fastest %.1f s: %d PUTs at PUT=160/5s, ratio %.2f); %d of %d rows succeeded, %.1f s wall; 429s: Identity PUT %d, Orchestrator PATCH %d",
			robotTime.Seconds(), robotBest.Seconds(), robots, mixedOrchestratorLimits, userTime.Seconds(), userBest.Seconds(), users, userRatio,
			succeeded, users+robots, tool.Wall.Seconds(), byService["identity"]["PUT"].Throttled, byService["orchestrator"]["PATCH"].Throttled),
	}, nil
}

// lastFinishes reads a run's results.jsonl and returns when its last
// update_user row and its last set_robot_credentials row finished.
func lastFinishes(runDir string) (lastUser, lastRobot time.Time, err error) {
	f, err := os.Open(filepath.Join(runDir, report.ResultsJSONL))
	if err != nil {
		return lastUser, lastRobot, err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		var r struct {
			Op         string `json:"op"`
			FinishedAt string `json:"finished_at"`
		}
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			return lastUser, lastRobot, fmt.Errorf("read %s: %w", report.ResultsJSONL, err)
		}
		at := report.ParseFinished(r.FinishedAt)
		switch r.Op {
		case "update_user":
			lastUser = later(lastUser, at)
		case "set_robot_credentials":
			lastRobot = later(lastRobot, at)
		}
	}
	if err := lines.Err(); err != nil {
		return lastUser, lastRobot, fmt.Errorf("read %s: %w", report.ResultsJSONL, err)
	}
	if lastUser.IsZero() || lastRobot.IsZero() {
		return lastUser, lastRobot, fmt.Errorf("%s holds no finish time of a user row or of a robot row", report.ResultsJSONL)
	}
	return lastUser, lastRobot, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
