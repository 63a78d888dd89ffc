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
		if err := out.Record(context.Background(), jobFor(row), "new_password", fmt.Sprintf("user%05d@example.com", row), pw); err != nil {
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
		if !e.Password.Equal(pws[i]) || e.RunID != "run-1" || e.Target != fmt.Sprintf("username=user%05d", i+1) || e.Field != "new_password" ||
			e.Account != fmt.Sprintf("user%05d@example.com", i+1) {
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

// A password that was not set is followed by a line saying so, with no
// password: the last line for its target tells a person and a script
// that the account keeps its old password. A file of an older version
// (without the state column) is still read and appended to.
func TestNotSetLineFollowsARefusedPassword(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "secrets")
		var recipients []age.Recipient
		var ids []age.Identity
		if sealed {
			id, err := age.GenerateX25519Identity()
			if err != nil {
				t.Fatal(err)
			}
			recipients, ids = []age.Recipient{id.Recipient()}, []age.Identity{id}
		}
		out, err := Create(path, "run-1", recipients)
		if err != nil {
			t.Fatal(err)
		}
		pw := secret.New("Refused-Pass-123")
		ctx := context.Background()
		if err := out.Record(ctx, jobFor(1), "new_password", "", pw); err != nil {
			t.Fatal(err)
		}
		if err := out.Record(ctx, jobFor(2), "new_password", "", secret.New("Set-Pass-456")); err != nil {
			t.Fatal(err)
		}
		if err := out.NotSet(ctx, jobFor(1), "new_password", "400 password policy:\nToo short", false); err != nil {
			t.Fatal(err)
		}
		if err := out.Record(ctx, jobFor(3), "new_password", "", secret.New("Lost-Pass-789")); err != nil {
			t.Fatal(err)
		}
		if err := out.NotSet(ctx, jobFor(3), "new_password", "the answer was lost", true); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		entries, err := Read(path, ids...)
		if err != nil {
			t.Fatal(err)
		}
		last := InEffect(entries)
		one, two, three := last["username=user00001 new_password"], last["username=user00002 new_password"], last["username=user00003 new_password"]
		if one.Recorded() || !one.Password.IsZero() || one.State != "not set: 400 password policy: Too short" {
			t.Errorf("refused: %+v", one)
		}
		if !two.Recorded() || two.Password.Reveal() != "Set-Pass-456" || two.State != StateRecorded {
			t.Errorf("set: %+v", two)
		}
		if three.Recorded() || !strings.HasPrefix(three.State, StateUnknown+": ") {
			t.Errorf("lost: %+v", three)
		}
		if data, _ := os.ReadFile(path); sealed == strings.Contains(string(data), "Refused-Pass-123") {
			t.Errorf("sealed %v, yet the plain password is in the file %v", sealed, !sealed)
		}
	}

	// A file of the previous version: eight columns, no state.
	path := filepath.Join(t.TempDir(), "old.csv")
	old := "run_id,row,source,op,target,field,password,recorded_at\nrun-0,1,a.csv:2,set_password,username=user00001,new_password,Old-Pass-123,2026-01-01T00:00:00Z\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := Create(path, "run-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.NotSet(context.Background(), jobFor(1), "new_password", "refused", false); err != nil {
		t.Fatal(err)
	}
	_ = out.Close()
	entries, err := Read(path)
	if err != nil || len(entries) != 2 || !entries[0].Recorded() || entries[1].Recorded() {
		t.Fatalf("old file appended to: %+v, %v", entries, err)
	}
}
