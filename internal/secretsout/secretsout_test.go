package secretsout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/secret"
)

func jobFor(row int) *manifest.Job {
	return &manifest.Job{
		Row: row, Source: manifest.Source{File: "rotate.csv", Line: row + 1}, Op: manifest.OpSetPassword,
		Target: manifest.Target{Kind: manifest.TargetUsername, Value: fmt.Sprintf("user%05d", row)},
	}
}

func record(t *testing.T, out *File, n int) []secret.Value {
	t.Helper()
	var pws []secret.Value
	for row := 1; row <= n; row++ {
		pw, err := secret.Generate(secret.DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if err := out.Record(context.Background(), jobFor(row), "new_password", pw); err != nil {
			t.Fatal(err)
		}
		pws = append(pws, pw)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return pws
}

func TestPlainFileIsPrivateAndReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.csv")
	out, err := Create(path, "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	pws := record(t, out, 5)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %04o, want 0600", fi.Mode().Perm())
	}
	entries, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("entries = %d, want 5", len(entries))
	}
	for i, e := range entries {
		if !e.Password.Equal(pws[i]) || e.RunID != "run-1" || e.Target != fmt.Sprintf("username=user%05d", i+1) || e.Field != "new_password" {
			t.Fatalf("entry %d = %+v", i, e)
		}
	}

	// A resumed run appends without a second header in the entries.
	out, err = Create(path, "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	record(t, out, 1)
	if entries, err := Read(path); err != nil || len(entries) != 6 {
		t.Fatalf("after append: %d entries, %v", len(entries), err)
	}
}

func TestRefusesFilesOthersCanRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.csv")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Create(path, "r", nil)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Create on a 0644 file = %v, want a refusal naming chmod 600", err)
	}
	if _, err := Create(dir, "r", nil); err == nil {
		t.Fatal("Create accepted a directory")
	}
}

func TestCreatedPrivateDespiteUmask(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	out, err := Create(path, "r", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	fi, _ := os.Stat(path)
	if fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("mode = %04o", fi.Mode().Perm())
	}
}

func TestAgeFileHoldsNoPlaintextAndDecrypts(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ParseRecipients([]string{id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "secrets.age")
	out, err := Create(path, "run-age", rs)
	if err != nil {
		t.Fatal(err)
	}
	pws := record(t, out, 4)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range pws {
		if strings.Contains(string(raw), pw.Reveal()) {
			t.Fatal("age secrets file holds a password in plaintext")
		}
	}
	for _, s := range []string{"user00001", "run-age", "password"} {
		if strings.Contains(string(raw), s) {
			t.Fatalf("age secrets file shows %q in plaintext", s)
		}
	}
	entries, err := Read(path, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("entries = %d", len(entries))
	}
	for i, e := range entries {
		if !e.Password.Equal(pws[i]) {
			t.Fatalf("entry %d does not decrypt to the recorded password", i)
		}
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := Read(path, other); err == nil {
		t.Fatal("a wrong identity decrypted the file")
	}
	if _, err := ParseRecipients([]string{"not-a-recipient"}); err == nil {
		t.Fatal("ParseRecipients accepted garbage")
	}
}

// An existing secrets file is appended to only in its own format: no
// plaintext password ever lands in an encrypted file, and no sealed line
// in a plain one.
func TestRefusesToMixFormats(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	recipients := []age.Recipient{id.Recipient()}
	dir := t.TempDir()

	sealedPath := filepath.Join(dir, "secrets.age")
	out, err := Create(sealedPath, "run-1", recipients)
	if err != nil {
		t.Fatal(err)
	}
	record(t, out, 1)
	before, _ := os.ReadFile(sealedPath)
	if _, err := Create(sealedPath, "run-2", nil); !errors.Is(err, ErrFormatMismatch) {
		t.Fatalf("plain Create over an encrypted file: err = %v, want ErrFormatMismatch", err)
	}
	if after, _ := os.ReadFile(sealedPath); string(after) != string(before) {
		t.Fatal("the encrypted file changed")
	}
	// Same format: appended.
	out, err = Create(sealedPath, "run-2", recipients)
	if err != nil {
		t.Fatalf("encrypted Create over an encrypted file: %v", err)
	}
	record(t, out, 1)

	plainPath := filepath.Join(dir, "secrets.csv")
	out, err = Create(plainPath, "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	record(t, out, 1)
	if _, err := Create(plainPath, "run-2", recipients); !errors.Is(err, ErrFormatMismatch) {
		t.Fatalf("encrypted Create over a plain file: err = %v, want ErrFormatMismatch", err)
	}
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(other, "run-1", nil); !errors.Is(err, ErrFormatMismatch) {
		t.Fatalf("Create over a foreign file: err = %v, want ErrFormatMismatch", err)
	}
}

func TestDiscardRemovesAnUnusedNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.csv")
	out, err := Create(path, "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("unused new secrets file left behind: %v", err)
	}
}
