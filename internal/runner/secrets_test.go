package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/apply"
)

func TestOpenSecretsOutWantsAFileForGeneratedPasswords(t *testing.T) {
	for n, want := range map[int]string{1: "1 row generate passwords: give --secrets-out FILE", 3: "3 rows generate passwords: give --secrets-out FILE"} {
		f, err := OpenSecretsOut("", nil, &apply.Census{Rows: 5, Generated: n}, "run-1")
		if f != nil || err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%d generated, no file: %v, %v; want %q", n, f, err, want)
		}
	}
	if f, err := OpenSecretsOut("", nil, &apply.Census{Rows: 5}, "run-1"); f != nil || err != nil {
		t.Errorf("nothing generated, no file: %v, %v; want neither", f, err)
	}
}

func TestOpenSecretsOutCreatesAPrivateFileOrRefusesBeforeAnythingIsSent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.csv")
	f, err := OpenSecretsOut(path, nil, &apply.Census{Rows: 1, Generated: 1}, "run-1")
	if err != nil || f == nil {
		t.Fatalf("OpenSecretsOut: %v, %v", f, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, %v; want mode 0600", st, err)
	}

	shared := filepath.Join(dir, "shared.csv")
	if err := os.WriteFile(shared, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		path       string
		recipients []string
	}{
		"readable by others": {shared, nil},
		"bad age recipient":  {filepath.Join(dir, "new.age"), []string{"not-a-recipient"}},
	} {
		f, err := OpenSecretsOut(c.path, c.recipients, &apply.Census{Rows: 1, Generated: 1}, "run-1")
		if f != nil || err == nil || !strings.HasSuffix(err.Error(), "; nothing was sent") {
			t.Errorf("%s: %v, %v; want an error ending in \"; nothing was sent\"", name, f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.age")); !os.IsNotExist(err) {
		t.Errorf("a file was created for a bad recipient: %v", err)
	}
}
