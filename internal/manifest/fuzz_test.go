package manifest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addSeeds feeds the fuzzer the examples and every case of the rule table.
func addSeeds(f *testing.F, pattern string, pick func(ruleCase) string) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tc := range ruleCases {
		f.Add([]byte(pick(tc)))
	}
}

// checkManifest is the fuzz property for both formats: reading never
// panics, every problem has a line, problems come in line order, and the
// valid jobs written back as a manifest read again as the same number of
// valid jobs.
func checkManifest(t *testing.T, name string, data []byte, format Format) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{LookupEnv: testEnv, AllowLiteralSecrets: true}
	last := 0
	_, err := Validate(context.Background(), path, opts, func(p Problem) {
		if p.Source.Line < 1 || p.Message == "" {
			t.Errorf("problem without line or message: %+v", p)
		}
		if p.Source.Line < last {
			t.Errorf("problem at line %d after one at line %d: %+v", p.Source.Line, last, p)
		}
		last = p.Source.Line
	})
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format, nil)
	if err != nil {
		t.Fatal(err)
	}
	var written []Job
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			for _, p := range rowErr.Problems {
				if p.Source.Line < 1 {
					t.Errorf("row problem without line: %+v", p)
				}
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if job.Source.Line < 1 {
			t.Errorf("job without line: %+v", job)
		}
		if literal(job.NewPassword) || literal(job.OldPassword) || literal(job.InitialPassword) {
			continue // literals are not written back
		}
		written = append(written, job)
		if err := w.Write(job); err != nil {
			t.Fatalf("write back: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(t.TempDir(), "back"+format.Ext())
	if err := os.WriteFile(back, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, jobs, rowErrs := readAll(t, back, opts)
	if len(rowErrs) != 0 || len(jobs) != len(written) {
		t.Fatalf("written back: %d valid jobs of %d, problems %v\n%s", len(jobs), len(written), rowErrs, buf.String())
	}
	if format != CSV {
		return
	}
	// CSV cells neutralised against spreadsheet formulas are undone
	// exactly: every cell reads back as it was written.
	for i := range jobs {
		if got, want := jobs[i].Cells(), written[i].Cells(); !reflect.DeepEqual(got, want) {
			t.Errorf("row %d read back as %q, written as %q\n%s", i+1, got, want, buf.String())
		}
	}
}

// literal reports whether a secret cell holds the password itself.
func literal(r *SecretRef) bool { return r != nil && r.Kind == SecretLiteral }

func FuzzCSV(f *testing.F) {
	addSeeds(f, "*.csv", func(tc ruleCase) string { return tc.csv })
	f.Add([]byte("\ufeffop,email\r\nupdate_user,\"a\r\n@example.com\"\r\n"))
	// Cells neutralised against spreadsheet formulas, and names that
	// would need it, round trip through the writer and the reader.
	f.Add([]byte("op,username,name,surname,display_name\nupdate_user,bob,'=HYPERLINK(\"http://x\",\"click\"),'+1,'-2\n"))
	f.Add([]byte("op,username,name,surname,display_name\nupdate_user,bob,=HYPERLINK(\"http://x\"\"),@SUM(A1),\"\t=1\"\n"))
	f.Add([]byte("op,username,name,surname,display_name\nupdate_user,bob,\"'\r=1\",'''x,'\n"))
	f.Add([]byte("op,username,name\nupdate_user,'-bob,'@\tx\n"))
	// The access ops: folder paths, role lists, a JSON cell.
	f.Add([]byte("op,email,group_name,folder,roles,roles_to_add,roles_to_remove\nensure_folder,,,Shared/ Finance /AP,,,\n" +
		"set_folder_access,a@example.com,,'=Finance,Executor;executor,,\nset_tenant_roles,,G,,,A;B,C\nremove_folder_access,,G,Shared,,,\n"))
	f.Add([]byte("op,orchestrator_user_id,robot_username,credential_type,execution_settings,limit_concurrent_execution\n" +
		"update_unattended_robot,7,CORP\\r,smartcard,\"{\"\"b\"\": [1, {\"\"c\"\": null}], \"\"a\"\": \"\"<&>\"\"}\",yes\n"))
	// set_credential_asset: a folder and an asset name, whose value, a
	// user name, a secret reference.
	f.Add([]byte("op,folder,asset_name,value_for,credential_username,new_password\n" +
		"set_credential_asset, Shared / Finance ,SAP Login,,CORP\\sap,generate\n" +
		"set_credential_asset,Shared/Finance,sap login,'=robot-001,'  x ,generate:32\n" +
		"set_credential_asset,Finance,'-Key,ann,,env:NEW_PASSWORD\n" +
		"set_credential_asset,,Key,,,generate\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkManifest(t, "f.csv", data, CSV)
	})
}

func FuzzYAML(f *testing.F) {
	addSeeds(f, "*.yaml", func(tc ruleCase) string { return tc.yaml })
	f.Add([]byte("defaults: &d {op: update_user}\nrows:\n  - *d\n  - {<<: *d, email: a@example.com}\n"))
	f.Add([]byte("defaults: {op: set_folder_access, folder: Shared/Finance}\nrows:\n  - {email: a@example.com, roles: [Executor, ' x ']}\n" +
		"  - {op: update_unattended_robot, username: u, execution_settings: &s {b: [1, {c: ~}], a: '<&>'}}\n" +
		"  - {op: update_unattended_robot, robot_name: r, execution_settings: {<<: *s, d: 1.5}, limit_concurrent_execution: no}\n" +
		"  - {op: ensure_folder, folder: 'A/B'}\n  - {op: set_tenant_roles, group_name: G, roles_to_remove: [a;b, c]}\n"))
	// Problems shared by rows: defaults after the rows, an anchor in a row.
	f.Add([]byte("rows:\n  - &r {email: bad, is_active: nope}\n  - *r\n  - {email: a@example.com, name: &n '\\x01'}\n" +
		"  - {email: a@example.com, name: *n}\ndefaults:\n  op: update_user\n  groups_to_add: [Finance, '']\nextra: 1\n"))
	f.Add([]byte("defaults: {op: set_credential_asset, folder: Shared/Finance, new_password: generate}\nrows:\n" +
		"  - {asset_name: SAP Login, credential_username: 'CORP\\sap'}\n  - {asset_name: &a SAP Login, value_for: robot-001}\n" +
		"  - {asset_name: *a, value_for: [u], folder: ~}\n  - {asset_name: Key, value_for: 7, new_password: env:NEW_PASSWORD}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkManifest(t, "f.yaml", data, YAML)
	})
}
