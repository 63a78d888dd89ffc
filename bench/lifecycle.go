package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func init() {
	register("9 lifecycle request economy", benchLifecycleEconomy)
	register("10 lifecycle copy on cloud budgets", benchLifecycleCopy)
}

// lifecycleBulk is the bulk size of the economy rows: the emulator's
// default maximum of ids per bulk request.
const lifecycleBulk = 100

// lifecycleLimits are UiPath's Identity budgets compressed 60 times, as in
// the politeness scenarios, DELETE's included.
const lifecycleLimits = scaledLimits + ",DELETE=160/5s"

// benchLifecycleEconomy counts the requests of two migrations, each run
// twice on the same manifest against a fresh emulator: with bulk requests
// (--bulk-size 100) and the one-request-per-row way (--bulk-size 1). Moving
// n users from one group to another may spend 2 × ⌈n/100⌉ + 5 PUTs (one
// series per group); deleting n users ⌈n/100⌉ + 5 DELETEs.
func benchLifecycleEconomy(ctx context.Context, env *Env) ([]Row, error) {
	n := env.Size(10000, 300)
	batches := (n + lifecycleBulk - 1) / lifecycleBulk
	move, err := lifecycleMove(ctx, env, n)
	if err != nil {
		return nil, err
	}
	del, err := lifecycleDelete(ctx, env, n)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for _, m := range []struct {
		label, method string
		bound         int
		runs          [2]economyRun
	}{
		{"move between groups", "PUT", 2*batches + 5, move},
		{"delete users", "DELETE", batches + 5, del},
	} {
		bulk, single := m.runs[0], m.runs[1]
		rows = append(rows, Row{
			Scenario: "9 lifecycle economy (" + m.label + ")", Rows: n, RowsPerSec: float64(n) / bulk.tool.Wall.Seconds(),
			Reference: fmt.Sprintf("--bulk-size 1: %d %ss", single.spent, m.method), RefPerSec: float64(n) / single.tool.Wall.Seconds(),
			Ratio:  float64(single.spent) / float64(max(bulk.spent, 1)),
			Target: fmt.Sprintf("%ss <= %d", m.method, m.bound), P50Ms: bulk.tool.Summary.LatencyP50Ms, P95Ms: bulk.tool.Summary.LatencyP95Ms,
			PeakRSSMB: bulk.tool.PeakRSSMB, Throttled: bulk.throttled,
			Pass: env.Smoke || (bulk.spent <= m.bound && bulk.correct && single.correct),
			Note: fmt.Sprintf("--bulk-size %d: %d %ss in %.1f s (%s); --bulk-size 1: %d %ss in %.1f s (%s); ratio is requests saved (reference / bulk)",
				lifecycleBulk, bulk.spent, m.method, bulk.tool.Wall.Seconds(), bulk.verdict, single.spent, m.method, single.tool.Wall.Seconds(), single.verdict),
		})
	}
	row, err := lifecycleMoveOnBudgets(ctx, env, n)
	if err != nil {
		return nil, err
	}
	return append(rows, row), nil
}

// lifecycleMoveOnBudgets moves the n users with bulk requests on UiPath's
// budgets compressed 60 times: the PUT budget (160 per window) binds, and
// the time is compared with the fastest schedule it allows for the PUTs
// the run sent.
func lifecycleMoveOnBudgets(ctx context.Context, env *Env, n int) (Row, error) {
	budgets, err := emulator.ParseLimits("cloud:60")
	if err != nil {
		return Row{}, err
	}
	srv, err := startEmulator(emulator.Config{Users: n, Seed: 10, SeedFile: filepath.Join(env.Dir, "move-seed.json"), Limits: budgets})
	if err != nil {
		return Row{}, err
	}
	defer srv.Close()
	tool, err := runTool(ctx, env, srv, "move-budgets", "apply", filepath.Join(env.Dir, "move.csv"), "--yes", "--limits", lifecycleLimits,
		"--workers", "32", "--bulk-size", fmt.Sprint(lifecycleBulk), "--max-attempts", "10")
	if err != nil {
		return Row{}, err
	}
	puts := srv.Counts()["PUT"]
	best := fastestSchedule(puts, budgets["PUT"])
	succeeded := tool.Summary.ByStatus[report.StatusSucceeded]
	row := againstFastest("9 lifecycle move on cloud budgets", n, tool, "fastest schedule", best)
	row.Target, row.Throttled = "every row once, ratio >= 0.80", srv.Throttled()
	row.Pass = env.Smoke || (succeeded == n && row.Ratio >= 0.80)
	row.Note = fmt.Sprintf("--limits cloud:60, --bulk-size %d: %d of %d rows succeeded with %d PUTs in %.1f s against %.1f s (PUT %d per %v)",
		lifecycleBulk, succeeded, n, puts, tool.Wall.Seconds(), best.Seconds(), budgets["PUT"].Requests, budgets["PUT"].Window)
	return row, nil
}

// economyRun is one run of an economy manifest: the requests of the
// method that counts, and whether the organization ended as it should.
type economyRun struct {
	tool      toolRun
	spent     int
	throttled int
	correct   bool
	verdict   string
}

// lifecycleMove moves n users from the group Old team to New team, with
// bulk requests and without.
func lifecycleMove(ctx context.Context, env *Env, n int) ([2]economyRun, error) {
	var runs [2]economyRun
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf("user%05d", i+1)
	}
	seed, err := json.Marshal(map[string]any{"groups": []map[string]any{{"name": "Old team", "members": members}, {"name": "New team"}}})
	if err != nil {
		return runs, err
	}
	seedPath := filepath.Join(env.Dir, "move-seed.json")
	if err := os.WriteFile(seedPath, seed, 0o600); err != nil {
		return runs, err
	}
	manifest := filepath.Join(env.Dir, "move.csv")
	err = writeManifest(manifest, "op,email,groups_to_remove,groups_to_add", n, func(i int) string {
		return fmt.Sprintf("update_user,user%05d@example.com,Old team,New team", i)
	})
	if err != nil {
		return runs, err
	}
	for i, bulk := range []int{lifecycleBulk, 1} {
		srv, err := startEmulator(emulator.Config{Users: n, Seed: 10, SeedFile: seedPath})
		if err != nil {
			return runs, err
		}
		tool, err := runTool(ctx, env, srv, fmt.Sprintf("move-bulk-%d", bulk), "apply", manifest, "--yes", "--limits", "none",
			"--workers", "32", "--bulk-size", fmt.Sprint(bulk))
		if err != nil {
			srv.Close()
			return runs, err
		}
		ids := map[string]string{}
		for _, g := range srv.Groups() {
			ids[g.Name] = g.ID
		}
		moved := 0
		for _, u := range srv.Users() {
			if slices.Contains(u.GroupIDs, ids["New team"]) && !slices.Contains(u.GroupIDs, ids["Old team"]) {
				moved++
			}
		}
		ok := tool.Summary.ByStatus[report.StatusSucceeded] == n && moved == n
		runs[i] = economyRun{tool: tool, spent: srv.Counts()["PUT"], throttled: srv.Throttled(), correct: ok,
			verdict: fmt.Sprintf("%d of %d moved", moved, n)}
		srv.Close()
	}
	return runs, nil
}

// lifecycleDelete deletes n users by email, with bulk requests and
// without.
func lifecycleDelete(ctx context.Context, env *Env, n int) ([2]economyRun, error) {
	var runs [2]economyRun
	manifest := filepath.Join(env.Dir, "retire.csv")
	err := writeManifest(manifest, "op,email", n, func(i int) string {
		return fmt.Sprintf("delete_user,user%05d@example.com", i)
	})
	if err != nil {
		return runs, err
	}
	for i, bulk := range []int{lifecycleBulk, 1} {
		srv, err := startEmulator(emulator.Config{Users: n, Seed: 11})
		if err != nil {
			return runs, err
		}
		tool, err := runTool(ctx, env, srv, fmt.Sprintf("retire-bulk-%d", bulk), "apply", manifest, "--yes", "--allow-deletes", "--limits", "none",
			"--workers", "32", "--bulk-size", fmt.Sprint(bulk))
		if err != nil {
			srv.Close()
			return runs, err
		}
		deleted := len(srv.Snapshot().DeletedUsers)
		ok := tool.Summary.ByStatus[report.StatusSucceeded] == n && deleted == n && len(srv.Users()) == 0
		runs[i] = economyRun{tool: tool, spent: srv.Counts()["DELETE"], throttled: srv.Throttled(), correct: ok,
			verdict: fmt.Sprintf("%d of %d deleted", deleted, n)}
		srv.Close()
	}
	return runs, nil
}

// benchLifecycleCopy copies an organization of n users and robot
// accounts (exported from a generated one: users by email and robot
// accounts by name, in built-in groups and Finance) into an empty one on
// UiPath's budgets compressed 60 times. The copy needs one POST per account
// (and a PUT per inactive user) and a few GETs: the budgets (POST 24,000
// and GET 300 per window) admit the POSTs and GETs at once, so the
// fastest schedule they allow is the tool's own pace, measured by the
// same copy into another empty organization without budgets, or PUT's
// budget's schedule when that is longer; the ratio is that time over the
// budgeted one.
func benchLifecycleCopy(ctx context.Context, env *Env) ([]Row, error) {
	n, robots := env.Size(5000, 100), env.Size(100, 5)
	source, err := startEmulator(emulator.Config{Users: n, Robots: robots, Seed: 12})
	if err != nil {
		return nil, err
	}
	defer source.Close()
	manifest := filepath.Join(env.Dir, "copy.csv")
	exp, err := runMeasured(ctx, env.Bin, append(source.Env(), "UIPATH_PROFILE=", "HOME="+env.Dir),
		"export", "groups", "users", "robot-accounts", "-o", manifest, "--limits", "none")
	if err != nil {
		return nil, err
	}
	if exp.ExitCode != 0 {
		return nil, fmt.Errorf("export exited %d: %s", exp.ExitCode, tail(exp.Stderr))
	}
	budgets, err := emulator.ParseLimits("cloud:60")
	if err != nil {
		return nil, err
	}
	// Unbudgeted first, then budgeted, then unbudgeted again (the mean of
	// both), so that a change in the machine's load moves both sides.
	copyInto := func(runID string, limits map[string]emulator.Budget, flag string) (toolRun, *emulator.Server, error) {
		target, err := startEmulator(emulator.Config{Limits: limits})
		if err != nil {
			return toolRun{}, nil, err
		}
		tool, err := runTool(ctx, env, target, runID, "apply", manifest, "--yes", "--limits", flag, "--workers", "32", "--max-attempts", "10")
		if err != nil {
			target.Close()
		}
		return tool, target, err
	}
	before, free1, err := copyInto("copy-free-1", nil, "none")
	if err != nil {
		return nil, err
	}
	free1.Close()
	tool, target, err := copyInto("copy", budgets, lifecycleLimits)
	if err != nil {
		return nil, err
	}
	defer target.Close()
	after, free2, err := copyInto("copy-free-2", nil, "none")
	if err != nil {
		return nil, err
	}
	free2.Close()
	fastest := (before.Wall + after.Wall) / 2
	counts := target.Counts()
	var waits []string
	for _, m := range []string{"GET", "POST", "PUT"} {
		b := budgets[m]
		if counts[m] == 0 {
			continue
		}
		wait := fastestSchedule(counts[m], b)
		// The export's inactive users are made so by an update after
		// their create (Identity's create takes no isActive): their PUTs
		// wait for PUT's budget, which the fastest schedule cannot beat.
		fastest = max(fastest, wait)
		waits = append(waits, fmt.Sprintf("%s %d of %d per %v: %v of waiting", m, counts[m], b.Requests, b.Window, wait))
	}
	rows := n + robots + 1 // the accounts and Finance
	succeeded := tool.Summary.ByStatus[report.StatusSucceeded]
	created := len(target.Users()) + len(target.RobotAccounts())
	row := againstFastest("10 lifecycle copy on cloud budgets", rows, tool, "fastest schedule (no budget binds)", fastest)
	row.Target, row.Throttled = "every account once, no 429, >= 0.75", target.Throttled()
	row.Pass = env.Smoke || (succeeded == rows && created == n+robots && target.Throttled() == 0 && row.Ratio >= 0.75)
	row.Note = fmt.Sprintf("--limits cloud:60: %d accounts created in %.2f s (%s); the fastest schedule is the longer of PUT's budget's and the same copy without budgets: %.2f s and %.2f s",
		created, tool.Wall.Seconds(), strings.Join(waits, ", "), before.Wall.Seconds(), after.Wall.Seconds())
	return []Row{row}, nil
}
