package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/report"
)

func init() { register("11 access copy", benchAccessCopy) }

// accessBulk is the apply's default --bulk-size: the most users one
// AssignUsers request carries.
const accessBulk = 50

// accessCustomRoles are A's custom roles; B has roles of the same names
// (no op creates roles).
var accessCustomRoles = []emulator.SeedRole{{Name: "Finance Clerk", Type: "Folder"}, {Name: "Auditor", Type: "Tenant"}}

// accessRoleSets are the folder roles A's users hold, one set per user
// and folder.
var accessRoleSets = [][]string{{"Automation User"}, {"Automation User", "Finance Clerk"}, {"Folder Administrator"}, {"Automation Developer"}}

// accessFolders is A's folder tree: 3 roots of 3 children of 2 children
// each (30 folders, three levels), parents first.
func accessFolders() []string {
	var paths []string
	for _, root := range []string{"Shared", "Operations", "Regions"} {
		paths = append(paths, root)
		for c := 1; c <= 3; c++ {
			child := fmt.Sprintf("%s/Unit %d", root, c)
			paths = append(paths, child)
			for g := 1; g <= 2; g++ {
				paths = append(paths, fmt.Sprintf("%s/Team %d", child, g))
			}
		}
	}
	return paths
}

// accessGroupName names A's (and B's) i-th local group.
func accessGroupName(i int) string { return fmt.Sprintf("Crew %02d", i) }

// accessSource is organization A (besides its generated users and robot
// accounts): every user assigned in two folders and every robot account
// in two, each group in one, with built-in and custom roles; every 20th
// user and every 3rd robot account with tenant roles. users × 2 +
// robots × 2 + groups folder assignments.
func accessSource(users, robots, groups int) *emulator.SeedFile {
	folders := accessFolders()
	sf := &emulator.SeedFile{Roles: accessCustomRoles}
	for _, p := range folders {
		sf.Folders = append(sf.Folders, emulator.SeedFolder{Path: p})
	}
	for i := 1; i <= users; i++ {
		name := fmt.Sprintf("user%05d", i)
		for k, step := range []int{0, 11} {
			sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: name, Type: "User",
				Folder: folders[(i+step)%len(folders)], Roles: accessRoleSets[(i/len(folders)+k)%len(accessRoleSets)]})
		}
		if i%20 == 0 {
			sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: name, Type: "User", Roles: []string{"Allow to be Automation User", "Auditor"}})
		}
	}
	for j := 1; j <= robots; j++ {
		name := fmt.Sprintf("robot-%03d", j)
		for _, step := range []int{0, 7} {
			sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: name, Type: "Robot",
				Folder: folders[(j+step)%len(folders)], Roles: []string{"Automation User", "Robot"}})
		}
		if j%3 == 0 {
			sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: name, Type: "Robot", Roles: []string{"Robot"}})
		}
	}
	for g := 1; g <= groups; g++ {
		sf.Groups = append(sf.Groups, emulator.SeedGroup{Name: accessGroupName(g)})
		sf.FolderAssignments = append(sf.FolderAssignments, emulator.SeedAssignment{Account: accessGroupName(g), Type: emulator.TypeDirectoryGroup,
			Folder: folders[(3*g)%len(folders)], Roles: []string{"Automation User"}})
	}
	return sf
}

// accessTarget is organization B: the same accounts and groups (its
// generated users and robot accounts, the groups by name), A's custom
// role names, and no folders. listed: Orchestrator lists every account
// and group, with no role (as it lists one that was given access once, or
// signed in); otherwise only the robot accounts (each generated one has
// its Orchestrator user), as after a copy of the accounts alone.
func accessTarget(users, robots, groups int, listed bool) *emulator.SeedFile {
	sf := &emulator.SeedFile{Roles: accessCustomRoles}
	if !listed {
		for g := 1; g <= groups; g++ {
			sf.Groups = append(sf.Groups, emulator.SeedGroup{Name: accessGroupName(g)})
		}
		return sf
	}
	none := []string{}
	for i := 1; i <= users; i++ {
		sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: fmt.Sprintf("user%05d", i), Type: "User", Roles: none})
	}
	for j := 1; j <= robots; j++ {
		sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: fmt.Sprintf("robot-%03d", j), Type: "Robot", Roles: none})
	}
	for g := 1; g <= groups; g++ {
		sf.Groups = append(sf.Groups, emulator.SeedGroup{Name: accessGroupName(g)})
		sf.TenantRoles = append(sf.TenantRoles, emulator.SeedTenantRoles{Account: accessGroupName(g), Type: emulator.TypeDirectoryGroup, Roles: none})
	}
	return sf
}

// accessManifest is an exported manifest: its records (header first),
// its rows by op, and the (folder, roles) list of each set_folder_access
// row in file order (rows of one list may share an AssignUsers request).
type accessManifest struct {
	records [][]string
	byOp    map[string]int
	lists   []string
}

// rows is how many rows the manifest holds.
func (m accessManifest) rows() int { return len(m.records) - 1 }

// listCount is how many (folder, roles) lists the rows fall in.
func (m accessManifest) listCount() int {
	return len(slices.Compact(slices.Sorted(slices.Values(m.lists))))
}

// idealAssigns is the fewest AssignUsers requests the set_folder_access
// rows need at a bulk size: ⌈rows/bulk⌉ per list.
func (m accessManifest) idealAssigns(bulk int) int {
	n := map[string]int{}
	for _, l := range m.lists {
		n[l]++
	}
	total := 0
	for _, c := range n {
		total += (c + bulk - 1) / bulk
	}
	return total
}

// batchedAssigns is the AssignUsers requests the apply sends: it takes
// the phase's rows in file order, bulk at a time, and sends one request
// per list in each batch.
func (m accessManifest) batchedAssigns(bulk int) int {
	total := 0
	for batch := range slices.Chunk(m.lists, bulk) {
		total += len(slices.Compact(slices.Sorted(slices.Values(batch))))
	}
	return total
}

// sortedByList is the manifest with its set_folder_access rows sorted by
// folder and roles (after the other rows, which keep their order).
func (m accessManifest) sortedByList(opCol int, key func([]string) string) accessManifest {
	out := accessManifest{records: [][]string{m.records[0]}, byOp: m.byOp}
	var access [][]string
	for _, rec := range m.records[1:] {
		if rec[opCol] == "set_folder_access" {
			access = append(access, rec)
		} else {
			out.records = append(out.records, rec)
		}
	}
	slices.SortStableFunc(access, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	for _, rec := range access {
		out.records = append(out.records, rec)
		out.lists = append(out.lists, key(rec))
	}
	return out
}

// write writes the manifest as CSV.
func (m accessManifest) write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(m.records); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// readAccessManifest reads an exported CSV manifest, and returns with it
// its op column and the key of a record's (folder, roles) list.
func readAccessManifest(path string) (accessManifest, int, func([]string) string, error) {
	f, err := os.Open(path)
	if err != nil {
		return accessManifest{}, 0, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment, r.FieldsPerRecord = '#', -1
	records, err := r.ReadAll()
	if err != nil {
		return accessManifest{}, 0, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(records) == 0 {
		return accessManifest{}, 0, nil, fmt.Errorf("%s is empty", path)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"op", "folder", "roles"} {
		if _, ok := col[h]; !ok {
			return accessManifest{}, 0, nil, fmt.Errorf("%s has no %s column", path, h)
		}
	}
	key := func(rec []string) string {
		roles := strings.Split(strings.ToLower(rec[col["roles"]]), ";")
		slices.Sort(roles)
		return strings.ToLower(rec[col["folder"]]) + "|" + strings.Join(roles, ";")
	}
	m := accessManifest{records: records, byOp: map[string]int{}}
	for _, rec := range records[1:] {
		m.byOp[rec[col["op"]]]++
		if rec[col["op"]] == "set_folder_access" {
			m.lists = append(m.lists, key(rec))
		}
	}
	return m, col["op"], key, nil
}

// accessAssignments lists an organization's folder assignments by folder
// path, account and roles, ids aside.
func accessAssignments(srv *emulator.Server) string {
	var lines []string
	for _, a := range srv.FolderAssignments() {
		roles := slices.Clone(a.Roles)
		slices.Sort(roles)
		lines = append(lines, a.FolderPath+"|"+strings.ToLower(a.UserName)+"|"+strings.Join(roles, ";"))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// benchAccessCopy copies A's Orchestrator access, exported with `export
// access`, onto B, which has the accounts already and where Orchestrator
// lists them: the rows of such accounts are the ones that go out in bulk.
// It counts the GETs of the plan on B against ⌈accounts/1000⌉ +
// ⌈folders/1000⌉ + a few, and the requests of the apply per row against
// the same apply with --bulk-size 1 on another such B (one request per
// row), measured in the same run; every apply must leave B's assignments
// A's. The apply batches the phase's rows in file order, --bulk-size at a
// time, and shares requests within a batch only: the same rows sorted by
// folder and roles are applied too, to show what the order costs. Last,
// the rows go onto a B whose Orchestrator does not list the users and
// groups yet (as after copying the accounts alone), where each one's
// first access is a request of its own (AssignDomainUser).
func benchAccessCopy(ctx context.Context, env *Env) ([]Row, error) {
	users, robots, groups := env.Size(2400, 48), env.Size(90, 6), env.Size(20, 4)
	source, err := startEmulator(emulator.Config{Users: users, Robots: robots, Seed: 21, SeedData: accessSource(users, robots, groups)})
	if err != nil {
		return nil, err
	}
	defer source.Close()
	assignedInA := accessAssignments(source)
	path := filepath.Join(env.Dir, "access-copy.csv")
	exp, err := runMeasured(ctx, env.Bin, append(source.Env(), "UIPATH_PROFILE=", "HOME="+env.Dir),
		"export", "access", "-o", path, "--limits", "none")
	if err != nil {
		return nil, err
	}
	if exp.ExitCode != 0 {
		return nil, fmt.Errorf("export exited %d: %s", exp.ExitCode, tail(exp.Stderr))
	}
	m, opCol, listKey, err := readAccessManifest(path)
	if err != nil {
		return nil, err
	}
	sorted := m.sortedByList(opCol, listKey)
	sortedPath := filepath.Join(env.Dir, "access-copy-sorted.csv")
	if err := sorted.write(sortedPath); err != nil {
		return nil, err
	}
	accounts, folders := users+robots+groups, len(accessFolders())
	const few = 5
	bound := (accounts+999)/1000 + (folders+999)/1000 + few
	target := func(listed bool) (*emulator.Server, error) {
		return startEmulator(emulator.Config{Users: users, Robots: robots, Seed: 22, SeedData: accessTarget(users, robots, groups, listed)})
	}

	// The plan on B, before the copy (its folders are still to be made,
	// so no member list is read) and after it (every row unchanged: each
	// folder's members read once).
	b, err := target(true)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	planGETs := func(runID string) (toolRun, int, string, error) {
		before := b.RequestSummary()
		tool, err := runTool(ctx, env, b, runID, "plan", path, "--limits", "none", "--workers", "32")
		after := b.RequestSummary()
		return tool, after.ByMethod["GET"] - before.ByMethod["GET"], requestsBetween(before, after, "GET "), err
	}
	plan, firstGETs, firstReads, err := planGETs("access-plan")
	if err != nil {
		return nil, err
	}
	applied, err := accessApply(ctx, env, b, path, "access-apply", accessBulk, assignedInA)
	if err != nil {
		return nil, err
	}
	again, againGETs, againReads, err := planGETs("access-replan")
	if err != nil {
		return nil, err
	}
	unchanged := again.Summary.ByStatus[report.StatusUnchanged]

	// The reference, one request per row, the sorted rows, and the rows
	// on a B whose Orchestrator lists none of the users and groups yet,
	// each on a B of its own.
	var single, bySorted, unlisted accessRun
	for _, run := range []struct {
		runID, manifest string
		bulk            int
		listed          bool
		out             *accessRun
	}{
		{"access-apply-single", path, 1, true, &single},
		{"access-apply-sorted", sortedPath, accessBulk, true, &bySorted},
		{"access-apply-unlisted", path, accessBulk, false, &unlisted},
	} {
		srv, err := target(run.listed)
		if err != nil {
			return nil, err
		}
		*run.out, err = accessApply(ctx, env, srv, run.manifest, run.runID, run.bulk, assignedInA)
		srv.Close()
		if err != nil {
			return nil, err
		}
	}

	n := m.rows()
	others := n - m.byOp["set_folder_access"]
	// What an apply may spend: the plan's reads and one member list per
	// folder, one request for every row but set_folder_access, and the
	// AssignUsers requests of its batches.
	applyBound := func(m accessManifest) int { return bound + folders + others + m.batchedAssigns(accessBulk) }
	rows := []Row{{
		Scenario: "11 access copy (plan)", Rows: n, RowsPerSec: float64(n) / plan.Wall.Seconds(),
		Reference: fmt.Sprintf("⌈accounts/1000⌉ + ⌈folders/1000⌉ + %d = %d GETs", few, bound),
		Ratio:     float64(bound) / float64(max(firstGETs, 1)), Target: fmt.Sprintf("GETs <= %d (+ %d member lists after)", bound, folders),
		P50Ms: plan.Summary.LatencyP50Ms, P95Ms: plan.Summary.LatencyP95Ms, PeakRSSMB: plan.PeakRSSMB,
		Pass: env.Smoke || (firstGETs <= bound && againGETs <= bound+folders && unchanged == n),
		Note: fmt.Sprintf("%d accounts (%d users, %d robot accounts, %d groups), %d folders: %d GETs before the copy (%s); after it, every row unchanged (%d of %d), %d GETs, %d of them one member list per folder (%s)",
			accounts, users, robots, groups, folders, firstGETs, firstReads, unchanged, n, againGETs, folders, againReads),
	}}
	for _, r := range []struct {
		label string
		m     accessManifest
		run   accessRun
	}{{"apply", m, applied}, {"apply, rows sorted by folder and roles", sorted, bySorted}} {
		rows = append(rows, Row{
			Scenario: "11 access copy (" + r.label + ")", Rows: n, RowsPerSec: float64(n) / r.run.tool.Wall.Seconds(),
			Reference: fmt.Sprintf("--bulk-size 1: %.3f requests/row", float64(single.spent)/float64(n)), RefPerSec: float64(n) / single.tool.Wall.Seconds(),
			Ratio:  float64(single.spent) / float64(max(r.run.spent, 1)),
			Target: fmt.Sprintf("requests <= %d, B = A", applyBound(r.m)), P50Ms: r.run.tool.Summary.LatencyP50Ms, P95Ms: r.run.tool.Summary.LatencyP95Ms,
			PeakRSSMB: r.run.tool.PeakRSSMB, Throttled: r.run.throttled,
			Pass: env.Smoke || (r.run.spent <= applyBound(r.m) && r.run.correct && single.correct),
			Note: fmt.Sprintf("--bulk-size %d: %d requests, %.3f per row (%s; %s); %d set_folder_access rows in %d (folder, roles) lists: %d AssignUsers in batches of %d rows in file order, %d at best (one per list and bulk size)",
				accessBulk, r.run.spent, float64(r.run.spent)/float64(n), r.run.requests, r.run.verdict,
				len(r.m.lists), r.m.listCount(), r.m.batchedAssigns(accessBulk), accessBulk, r.m.idealAssigns(accessBulk)),
		})
	}
	firstAccess := users + groups
	rows = append(rows, Row{
		Scenario: "11 access copy (apply, accounts Orchestrator does not list)", Rows: n, RowsPerSec: float64(n) / unlisted.tool.Wall.Seconds(),
		Reference: fmt.Sprintf("--bulk-size 1: %.3f requests/row", float64(single.spent)/float64(n)), RefPerSec: float64(n) / single.tool.Wall.Seconds(),
		Ratio:  float64(single.spent) / float64(max(unlisted.spent, 1)),
		Target: "B = A", P50Ms: unlisted.tool.Summary.LatencyP50Ms, P95Ms: unlisted.tool.Summary.LatencyP95Ms,
		PeakRSSMB: unlisted.tool.PeakRSSMB, Throttled: unlisted.throttled,
		Pass: env.Smoke || unlisted.correct,
		Note: fmt.Sprintf("the same rows on a B where Orchestrator lists the %d robot accounts only (as after copying the accounts alone): --bulk-size %d: %d requests, %.3f per row (%s; %s); each of the %d users and groups Orchestrator does not list gets its access by its Identity id (AssignDomainUser, one request per row: the ids come from one read of the organization's lists, and the Orchestrator user made is read only for a row that needs its id)",
			robots, accessBulk, unlisted.spent, float64(unlisted.spent)/float64(n), unlisted.requests, unlisted.verdict, firstAccess),
	})
	rows[1].Note = fmt.Sprintf("%d rows (%s); %s; --bulk-size 1: %d requests (%s; %s); ratio is requests saved (reference / bulk)",
		n, opCounts(m.byOp), rows[1].Note, single.spent, methods(single.tool.Summary), single.verdict)
	return rows, nil
}

// accessApply applies the manifest on srv at a bulk size and checks that
// srv's folder assignments are then want (A's). It returns too the
// requests the apply sent, by method and path template.
func accessApply(ctx context.Context, env *Env, srv *emulator.Server, path, runID string, bulk int, want string) (accessRun, error) {
	before := srv.RequestSummary()
	tool, err := runTool(ctx, env, srv, runID, "apply", path, "--yes", "--limits", "none",
		"--workers", "32", "--bulk-size", fmt.Sprint(bulk))
	if err != nil {
		return accessRun{}, err
	}
	after := srv.RequestSummary()
	failed := tool.Summary.ByStatus[report.StatusFailed]
	same := accessAssignments(srv) == want
	verdict := fmt.Sprintf("%d rows failed, B's assignments A's: %v", failed, same)
	run := economyRun{tool: tool, spent: after.Total - before.Total, throttled: srv.Throttled(), correct: failed == 0 && same, verdict: verdict}
	return accessRun{run, requestsBetween(before, after, "")}, nil
}

// accessRun is an apply of the copy, with its requests by method and path
// template.
type accessRun struct {
	economyRun
	requests string
}

// methods renders a run's requests by method ("GET 36, POST 140").
func methods(s report.Summary) string {
	var parts []string
	for _, m := range slices.Sorted(maps.Keys(s.Requests)) {
		parts = append(parts, fmt.Sprintf("%s %d", m, s.Requests[m]))
	}
	return strings.Join(parts, ", ")
}

// requestsBetween renders the requests of a method ("": every method)
// the emulator answered between two of its summaries, by path template
// ("GET /odata/Folders 1, POST /odata/Folders 30").
func requestsBetween(before, after emulator.RequestSummary, method string) string {
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(after.ByTemplate)) {
		if n := after.ByTemplate[t] - before.ByTemplate[t]; n > 0 && strings.HasPrefix(t, method) {
			parts = append(parts, fmt.Sprintf("%s %d", shortTemplate(t), n))
		}
	}
	return strings.Join(parts, ", ")
}

// shortTemplate drops the namespace of an OData action's name.
func shortTemplate(t string) string {
	return strings.ReplaceAll(t, "UiPath.Server.Configuration.OData.", "")
}

// opCounts renders a manifest's rows by op.
func opCounts(byOp map[string]int) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(byOp)) {
		parts = append(parts, fmt.Sprintf("%d %s", byOp[op], op))
	}
	return strings.Join(parts, ", ")
}
