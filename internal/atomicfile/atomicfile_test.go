package atomicfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The file is replaced, never rewritten in place: a hard link to the old
// file still holds the old content after the write, the new name holds the
// new one with the mode asked for, and no temporary file is left.
func TestWriteJSONReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := WriteJSON(path, map[string]int{"rows": 1}, 0o640); err != nil {
		t.Fatal(err)
	}
	witness := filepath.Join(t.TempDir(), "witness")
	if err := os.Link(path, witness); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := WriteJSON(path, map[string]int{"rows": 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(witness)
	if err != nil || string(old) != "{\n  \"rows\": 1\n}\n" {
		t.Fatalf("the old file changed in place: %q, %v", old, err)
	}
	var got map[string]int
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &got) != nil || got["rows"] != 2 {
		t.Fatalf("new content = %q, %v", data, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", st.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// A value that cannot be encoded leaves the old file whole and nothing else.
func TestWriteJSONFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	if err := WriteJSON(path, "old", 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(path, make(chan int), 0o640); err == nil {
		t.Fatal("encoding a channel succeeded")
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "\"old\"\n" {
		t.Fatalf("old file = %q, %v", data, err)
	}
	// A folder that is not there: the error names the file.
	err := WriteJSON(filepath.Join(dir, "missing", "run.json"), "x", 0o640)
	if err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
	// A rename that fails (a folder in the way) removes the temporary file.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(blocked, "x", 0o640); err == nil {
		t.Fatal("renaming over a folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("files left behind: %v", entries)
	}
}
