package journal

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// run.json is replaced, never rewritten in place: a reader (or a crash)
// sees the old whole file or the new whole file, never a torn one. A hard
// link to the old file shows it: a write in place would change it too.
func TestWriteMetaReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	old := Meta{RunID: "r1", Command: "apply", Manifest: "m.csv", ManifestSHA256: "aaaa", Started: time.Unix(1, 0).UTC()}
	if err := WriteMeta(dir, old); err != nil {
		t.Fatal(err)
	}
	witness := filepath.Join(t.TempDir(), "witness")
	if err := os.Link(filepath.Join(dir, MetaName), witness); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	before, err := os.ReadFile(witness)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteMeta(dir, Meta{RunID: "r1", Command: "apply", Manifest: "m.csv", ManifestSHA256: "bbbb"}); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(witness)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("run.json was rewritten in place:\n%s", after)
	}
	m, err := ReadMeta(dir)
	if err != nil || m.ManifestSHA256 != "bbbb" {
		t.Fatalf("ReadMeta = %+v, %v", m, err)
	}
	st, err := os.Stat(filepath.Join(dir, MetaName))
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("run.json mode = %v, %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// A key that cannot be removed is an error: it still opens the sealed
// passwords.
func TestRemoveKeyReportsFailure(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewSealer(dir); err != nil {
		t.Fatal(err)
	}
	if err := RemoveKey(dir); err != nil {
		t.Fatal(err)
	}
	if err := RemoveKey(dir); err != nil {
		t.Fatalf("removing a key already gone: %v", err)
	}
	// Something in the way: a folder of that name that is not empty.
	if err := os.MkdirAll(filepath.Join(dir, KeyName, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := RemoveKey(dir); err == nil {
		t.Fatal("RemoveKey reported success for a key it could not remove")
	}
}
