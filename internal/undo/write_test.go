package undo_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/undo"
)

func sp(s string) *string { return &s }

func row(n int, op manifest.Op, kind manifest.TargetKind, value string) *manifest.Job {
	return &manifest.Job{Row: n, Source: manifest.Source{File: "m.csv", Line: n + 1}, Op: op,
		Target: manifest.Target{Kind: kind, Value: value}}
}

func compute(t *testing.T, j *manifest.Job, b undo.Before) []byte {
	t.Helper()
	p, err := undo.Compute(j, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// written is the undo manifest of dir read back: its rows (as CSV cells
// joined "col=value,…", sorted) and its comment lines.
func written(t *testing.T, dir string, format manifest.Format) (rows, comments []string) {
	t.Helper()
	path := filepath.Join(dir, undo.FileName(format))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "#") {
			comments = append(comments, l)
		}
	}
	t.Logf("%s:\n%s", path, data)
	r, err := manifest.Open(context.Background(), path, manifest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		j, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var cells []string
		for _, c := range j.Cells() {
			cells = append(cells, c.Column+"="+c.Value)
		}
		rows = append(rows, strings.Join(cells, ","))
	}
	slices.Sort(rows)
	var problems []string
	if _, err := manifest.Validate(context.Background(), path, manifest.Options{}, func(p manifest.Problem) { problems = append(problems, p.String()) }); err != nil {
		t.Fatal(err)
	}
	if len(rows) > 0 && len(problems) > 0 {
		t.Fatalf("the undo manifest does not validate:\n%s\n%s", strings.Join(problems, "\n"), data)
	}
	return rows, comments
}

var (
	ann = undo.Before{Kind: undo.KindUser, Exists: true, ID: "u-1", Email: "ann@example.com", UserName: "ann",
		Name: "Ann", Surname: "Lee", IsActive: true, Groups: []string{"Everyone", "Sales"}}
	bob = undo.Before{Kind: undo.KindUser, Exists: true, ID: "u-2", Email: "bob@example.com", UserName: "bob",
		Name: "Bob", IsActive: true, Groups: []string{"Everyone", "Old"}}
)

// TestWriteTakesTheSucceededRowsOfEveryRun: a journal written as runs
// write it, with a stopped run resumed: only rows done "succeeded" are
// undone, each from its last intent, and an intent after a row is done
// counts for nothing.
func TestWriteTakesTheSucceededRowsOfEveryRun(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	rename := func(n int, to string) *manifest.Job {
		r := row(n, manifest.OpUpdateUser, manifest.TargetEmail, "u"+string(rune('0'+n))+"@example.com")
		r.Name = sp(to)
		return r
	}
	user := func(n int, name string) undo.Before {
		return undo.Before{Kind: undo.KindUser, Exists: true, ID: "id", Email: "u" + string(rune('0'+n)) + "@example.com", Name: name}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// First run: 1 succeeds, 2 fails, 3 is unchanged (no intent), 4, 7
	// and 8 are in flight when the run is killed, 5 is a password row that
	// succeeds.
	must(j.Intent(journal.Intent{Row: 1, Undo: compute(t, rename(1, "New1"), user(1, "Old1"))}))
	must(j.Intent(journal.Intent{Row: 2, Undo: compute(t, rename(2, "New2"), user(2, "Old2"))}))
	must(j.Intent(journal.Intent{Row: 4, Undo: compute(t, rename(4, "New4"), user(4, "Old4"))}))
	pw := row(5, manifest.OpSetPassword, manifest.TargetEmail, "u5@example.com")
	must(j.Intent(journal.Intent{Row: 5, Undo: compute(t, pw, user(5, "x"))}))
	must(j.Note(journal.Intent{Row: 7, Undo: compute(t, rename(7, "New7"), user(7, "Old7"))}))
	must(j.Note(journal.Intent{Row: 8, Undo: compute(t, rename(8, "New8"), user(8, "Old8"))}))
	must(j.DoneAll([]journal.Completion{{Row: 1, Status: "succeeded"}, {Row: 2, Status: "failed"}, {Row: 3, Status: "unchanged"}, {Row: 5, Status: "succeeded"}}))
	must(j.Close())

	// The resumed run re-records row 4's intent (its state read before
	// the first send), and runs row 6; an intent for row 1, done, is
	// ignored.
	j, err = journal.Open(dir, nil)
	must(err)
	must(j.Intent(journal.Intent{Row: 4, Undo: compute(t, rename(4, "New4"), user(4, "Old4"))}))
	must(j.Intent(journal.Intent{Row: 6, Undo: compute(t, rename(6, "New6"), user(6, "Old6"))}))
	must(j.Intent(journal.Intent{Row: 1, Undo: compute(t, rename(1, "Other"), user(1, "Wrong"))}))
	// Row 7, in flight too, is re-recorded without a payload: the one
	// recorded before its first send stands. Row 8's write landed before
	// the kill: the resumed run finds it unchanged, and it is undone.
	must(j.Note(journal.Intent{Row: 7, Write: "members"}))
	must(j.DoneAll([]journal.Completion{{Row: 4, Status: "succeeded"}, {Row: 6, Status: "succeeded"}, {Row: 7, Status: "succeeded"}, {Row: 8, Status: "unchanged"}}))
	must(j.Close())

	n, err := undo.Write(context.Background(), dir, manifest.CSV)
	must(err)
	rows, comments := written(t, dir, manifest.CSV)
	want := []string{
		"op=update_user,email=u1@example.com,name=Old1",
		"op=update_user,email=u4@example.com,name=Old4",
		"op=update_user,email=u6@example.com,name=Old6",
		"op=update_user,email=u7@example.com,name=Old7",
		"op=update_user,email=u8@example.com,name=Old8",
	}
	if !slices.Equal(rows, want) || n != len(want) {
		t.Fatalf("undo rows (%d):\n%s\nwant:\n%s", n, strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if !hasLine(comments, "# not undoable: m.csv:6 set_password email=u5@example.com: the password it set cannot be put back") {
		t.Fatalf("comments do not list the password row:\n%s", strings.Join(comments, "\n"))
	}
	if hasLine(comments, "--allow-deletes") {
		t.Fatalf("no row deletes, yet the header asks for --allow-deletes:\n%s", strings.Join(comments, "\n"))
	}
	info, err := os.Stat(filepath.Join(dir, "undo.csv"))
	must(err)
	if info.Mode().Perm()&0o007 != 0 {
		t.Fatalf("undo.csv mode %v: readable by others", info.Mode().Perm())
	}
}

// TestWriteMergesRowsOfOneTarget: a run that deleted a group, moved one
// of its members out of another group, deleted a user who was in it, and
// created a user that joined it writes one row per target, which
// validates, and puts back every membership.
func TestWriteMergesRowsOfOneTarget(t *testing.T) {
	for _, format := range []manifest.Format{manifest.CSV, manifest.YAML} {
		t.Run(format.String(), func(t *testing.T) {
			dir := t.TempDir()
			j, err := journal.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ins []journal.Intent
			add := func(j *manifest.Job, b undo.Before) {
				ins = append(ins, journal.Intent{Row: j.Row, Undo: compute(t, j, b)})
			}
			// Accounts phase: carl is created in Old; ann leaves Sales and
			// her surname changes.
			carl := row(1, manifest.OpEnsureUser, manifest.TargetEmail, "carl@example.com")
			carl.GroupsToAdd = []string{"Old"}
			add(carl, undo.Before{Kind: undo.KindUser})
			mv := row(2, manifest.OpUpdateUser, manifest.TargetUserID, "u-1")
			mv.Surname, mv.GroupsToRemove = sp("Li"), []string{"Sales"}
			add(mv, ann)
			// Deletes phase: Old goes (ann had been put in it by hand, carl
			// by row 1), then bob, whose state no longer shows Old.
			add(row(3, manifest.OpDeleteGroup, manifest.TargetGroupName, "Old"), undo.Before{Kind: undo.KindGroup, Exists: true, ID: "g-old", Name: "Old",
				Members: []undo.Member{{Email: "ann@example.com"}, {Email: "carl@example.com"}, {Email: "bob@example.com"}, {RobotName: "bot-1"}}})
			bobAfter := bob
			bobAfter.Groups = []string{"Everyone"}
			add(row(4, manifest.OpDeleteUser, manifest.TargetEmail, "bob@example.com"), bobAfter)
			add(row(5, manifest.OpEnsureGroup, manifest.TargetGroupName, "New"), undo.Before{Kind: undo.KindGroup})
			if err := j.Note(ins...); err != nil {
				t.Fatal(err)
			}
			var done []journal.Completion
			for r := 1; r <= 5; r++ {
				done = append(done, journal.Completion{Row: r, Status: "succeeded"})
			}
			if err := j.DoneAll(done); err != nil {
				t.Fatal(err)
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := undo.Write(context.Background(), dir, format); err != nil {
				t.Fatal(err)
			}
			rows, comments := written(t, dir, format)
			want := []string{
				"op=delete_group,group_name=New",
				"op=delete_user,email=carl@example.com",
				"op=ensure_group,group_name=Old",
				"op=ensure_user,email=bob@example.com,username=bob,name=Bob,groups=Everyone;Old",
				"op=update_robot_account,robot_name=bot-1,groups_to_add=Old",
				"op=update_user,email=ann@example.com,surname=Lee,groups_to_add=Sales;Old",
			}
			if !slices.Equal(rows, want) {
				t.Fatalf("undo rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
			for _, c := range []string{"--allow-deletes", "get new ids", "m.csv:5 delete_user email=bob@example.com: the user it deleted (id u-2) is created again"} {
				if !hasLine(comments, c) {
					t.Errorf("no comment line holds %q:\n%s", c, strings.Join(comments, "\n"))
				}
			}
		})
	}
}

// TestWriteWithNothingToUndo: a run that changed nothing still leaves an
// undo manifest, with no rows.
func TestWriteWithNothingToUndo(t *testing.T) {
	dir := t.TempDir()
	n, err := undo.Write(context.Background(), dir, manifest.CSV)
	if err != nil || n != 0 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if rows, _ := written(t, dir, manifest.CSV); len(rows) != 0 {
		t.Fatalf("rows = %q", rows)
	}
}

func hasLine(lines []string, part string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, part) })
}

// renamed is an update_user row n renaming the user of email from name
// to the row's new name, and its payload.
func renamed(t *testing.T, n int, email, from, to string) []byte {
	t.Helper()
	r := row(n, manifest.OpUpdateUser, manifest.TargetEmail, email)
	r.Name = sp(to)
	return compute(t, r, undo.Before{Kind: undo.KindUser, Exists: true, ID: "id-" + email, Email: email, Name: from})
}

// TestWriteTakesEachRowsLastCompletion: no run writes a row done twice (a
// resumed run skips rows done), but a journal that does is read as
// before: the last completion says whether the row changed its target,
// and the payload is the last one recorded before the first.
func TestWriteTakesEachRowsLastCompletion(t *testing.T) {
	for _, name := range []string{"agreeing", "disagreeing"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			j, err := journal.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			// Row 3 is done twice, changing its target both times: one
			// reading. Its intent between is too late to count.
			must(j.Note(journal.Intent{Row: 3, Undo: renamed(t, 3, "u3@example.com", "Old3", "New3")}))
			must(j.Done(3, "succeeded"))
			must(j.Note(journal.Intent{Row: 3, Undo: renamed(t, 3, "u3@example.com", "Wrong3", "New3")}))
			must(j.Done(3, "unchanged"))
			want := []string{"op=update_user,email=u3@example.com,name=Old3"}
			if name == "disagreeing" {
				// Row 1 failed, then succeeded: undone. Row 2 succeeded,
				// then failed: not undone.
				must(j.Note(journal.Intent{Row: 1, Undo: renamed(t, 1, "u1@example.com", "Old1", "New1")}))
				must(j.Note(journal.Intent{Row: 2, Undo: renamed(t, 2, "u2@example.com", "Old2", "New2")}))
				must(j.DoneAll([]journal.Completion{{Row: 1, Status: "failed"}, {Row: 2, Status: "succeeded"}}))
				must(j.Note(journal.Intent{Row: 1, Undo: renamed(t, 1, "u1@example.com", "Wrong1", "New1")}))
				must(j.DoneAll([]journal.Completion{{Row: 1, Status: "succeeded"}, {Row: 2, Status: "failed"}}))
				want = []string{"op=update_user,email=u1@example.com,name=Old1", want[0]}
			}
			must(j.Close())
			n, err := undo.Write(context.Background(), dir, manifest.CSV)
			must(err)
			if rows, _ := written(t, dir, manifest.CSV); !slices.Equal(rows, want) || n != len(want) {
				t.Fatalf("undo rows (%d):\n%s\nwant:\n%s", n, strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
			onlyFiles(t, dir, journal.FileName, "undo.csv")
		})
	}
}

// TestWriteMergesInTheOrderOfIntents: rows of one target done in another
// order than their intents were written merge as the run wrote them: the
// earlier row's value is the one put back.
func TestWriteMergesInTheOrderOfIntents(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ins := []journal.Intent{
		{Row: 1, Undo: renamed(t, 1, "ann@example.com", "Ann", "Anna")},
		{Row: 2, Undo: renamed(t, 2, "ann@example.com", "Anna", "Annie")},
		{Row: 3, Undo: renamed(t, 3, "bob@example.com", "Bob", "Rob")},
	}
	if err := j.Note(ins...); err != nil {
		t.Fatal(err)
	}
	if err := j.DoneAll([]journal.Completion{{Row: 2, Status: "succeeded"}, {Row: 3, Status: "succeeded"}, {Row: 1, Status: "succeeded"}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	for _, format := range []manifest.Format{manifest.CSV, manifest.YAML} {
		n, err := undo.Write(context.Background(), dir, format)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"op=update_user,email=ann@example.com,name=Ann", "op=update_user,email=bob@example.com,name=Bob"}
		if rows, _ := written(t, dir, format); !slices.Equal(rows, want) || n != len(want) {
			t.Fatalf("%s: undo rows (%d):\n%s\nwant:\n%s", format, n, strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestWriteOfAPayloadThatDoesNotDecode: a chosen payload that is not an
// undo payload fails the write, naming its line, and leaves no file
// behind, the undo manifest there before included.
func TestWriteOfAPayloadThatDoesNotDecode(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Note(journal.Intent{Row: 1, Undo: []byte(`{"rows":"not a list"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Done(1, "succeeded"); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	previous := filepath.Join(dir, "undo.csv")
	if err := os.WriteFile(previous, []byte("op\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = undo.Write(context.Background(), dir, manifest.CSV)
	if err == nil || !strings.Contains(err.Error(), "line 1: undo of row 1") {
		t.Fatalf("Write = %v, want an error naming line 1", err)
	}
	onlyFiles(t, dir, journal.FileName, "undo.csv")
	if data, err := os.ReadFile(previous); err != nil || string(data) != "op\n" {
		t.Fatalf("the undo manifest there before reads %q, %v", data, err)
	}
}

// TestWriteRemovesWhatAKilledWriteLeft: the spool and temporary manifest
// of a Write killed half way are removed by the next.
func TestWriteRemovesWhatAKilledWriteLeft(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Note(journal.Intent{Row: 1, Undo: renamed(t, 1, "ann@example.com", "Ann", "Anna")}); err != nil {
		t.Fatal(err)
	}
	if err := j.Done(1, "succeeded"); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".undo.123.spool", ".undo.csv.456.tmp", ".undo.yaml.789.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("left"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := undo.Write(context.Background(), dir, manifest.CSV); err != nil || n != 1 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	onlyFiles(t, dir, journal.FileName, "undo.csv")
}

// onlyFiles fails t unless dir holds just the files named: no temporary
// file is left behind.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
}

// Rows that cannot be put back are named one by one up to NotesListed of
// each op and reason; the rest are counted in one line, however many,
// whatever the manifest's path (a Windows path often holds spaces).
func TestWriteCountsRowsItCannotUndoPastAScreenful(t *testing.T) {
	for _, file := range []string{"m.csv", `C:\Users\Ann Lee\my rotation.csv`} {
		t.Run(file, func(t *testing.T) { countsRowsItCannotUndo(t, file) })
	}
}

func countsRowsItCannotUndo(t *testing.T, file string) {
	dir := t.TempDir()
	j, err := journal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const passwords, robots = undo.NotesListed + 130, 3
	var done []journal.Completion
	for n := 1; n <= passwords+robots; n++ {
		op, kind := manifest.OpSetPassword, undo.KindUser
		if n > passwords {
			op, kind = manifest.OpSetRobotCredentials, undo.KindRobot
		}
		r := row(n, op, manifest.TargetEmail, fmt.Sprintf("u%d@example.com", n))
		r.Source.File = file
		if err := j.Note(journal.Intent{Row: n, Undo: compute(t, r, undo.Before{Kind: kind, Exists: true})}); err != nil {
			t.Fatal(err)
		}
		done = append(done, journal.Completion{Row: n, Status: "succeeded"})
	}
	if err := j.DoneAll(done); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := undo.Write(context.Background(), dir, manifest.CSV); err != nil {
		t.Fatal(err)
	}
	_, comments := written(t, dir, manifest.CSV)
	var named, counted []string
	for _, c := range comments {
		switch {
		case strings.Contains(c, "more set_password rows"):
			counted = append(counted, c)
		case strings.Contains(c, file+":"):
			named = append(named, c)
		}
	}
	if len(named) != undo.NotesListed+robots {
		t.Errorf("%d rows named one by one, want %d", len(named), undo.NotesListed+robots)
	}
	want := fmt.Sprintf("# not undoable: %d more set_password rows (%d in all; each is in results.csv): the password it set cannot be put back: the old one is never read", passwords-undo.NotesListed, passwords)
	if len(counted) != 1 || counted[0] != want {
		t.Errorf("counted lines %q, want [%q]", counted, want)
	}
}
