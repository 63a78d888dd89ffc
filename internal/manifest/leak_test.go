package manifest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/secret"
)

func secretValue(s string) secret.Value { return secret.New(s) }

// TestLiteralPasswordNeverLeaks puts a literal password in every position
// that can go wrong and checks that no problem, error or printed job holds it.
func TestLiteralPasswordNeverLeaks(t *testing.T) {
	const pw = "Tr0ub4dor-and-3"
	manifests := map[string]string{
		"m.csv": "op,username,old_password,new_password\n" +
			"set_password,u1,," + pw + "\n" +
			"change_password,u2," + pw + "," + pw + "\n" +
			"update_user,u3,," + pw + "\n" + // a field the op does not take
			"set_password,u4,\"" + pw + "\"\"x\",\n" + // malformed quoting around it
			"set_password,u5,," + pw + "," + pw + "\n", // more cells than the header
		"m.yaml": "rows:\n" +
			"  - {op: set_password, username: u1, new_password: " + pw + "}\n" +
			"  - {op: set_password, username: u2, new_password: [" + pw + "]}\n" +
			"  - {op: set_password, username: u3, new_password: {a: " + pw + "}}\n" +
			"  - {op: update_robot_account, robot_name: r, new_password: " + pw + "}\n",
		"bad.yaml": "rows:\n  - {op: set_password, username: u1, new_password: " + pw + ": x}\n",
		"initial.csv": "op,email,username,initial_password,new_password\n" +
			"ensure_user,a@example.com,,," + pw + "\n" + // a field ensure_user does not take
			"ensure_user,b@example.com,b," + pw + ",\n" +
			"update_user,c@example.com,,," + pw + "\n" + // not a field of update_user
			"ensure_user,d@example.com,,\"" + pw + "\"\"x\",\n" + // malformed quoting around it
			"ensure_user,b@example.com,,generate:8" + pw + ",\n" + // a malformed reference, and a conflict with line 3
			"delete_user,e@example.com,,," + pw + "\n",
		"initial.yaml": "rows:\n" +
			"  - {op: ensure_user, email: a@example.com, initial_password: " + pw + "}\n" +
			"  - {op: ensure_user, email: b@example.com, initial_password: [" + pw + "]}\n" +
			"  - {op: ensure_robot_account, robot_name: r, initial_password: " + pw + "}\n" +
			"  - {op: ensure_group, group_name: g, initial_password: {a: " + pw + "}}\n",
		"asset.csv": "op,folder,asset_name,value_for,credential_username,new_password\n" +
			"set_credential_asset,Finance,SAP Login,,CORP\\sap," + pw + "\n" +
			"set_credential_asset,Finance,sap login,,," + pw + "\n" + // the same value again: a conflict
			"set_credential_asset,,API Key,robot-001,," + pw + "\n" + // no folder
			"set_credential_asset,Finance,API Key,robot-001,,generate:8" + pw + "\n",
		"asset.yaml": "rows:\n" +
			"  - {op: set_credential_asset, folder: F, asset_name: A, new_password: " + pw + "}\n" +
			"  - {op: set_credential_asset, folder: F, asset_name: B, new_password: [" + pw + "]}\n" +
			"  - {op: set_credential_asset, folder: F, asset_name: C, value_for: [r], new_password: {a: " + pw + "}}\n",
	}
	for name, content := range manifests {
		for _, allow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/allow=%v", name, allow), func(t *testing.T) {
				opts := Options{AllowLiteralSecrets: allow}
				got, _ := validateText(t, name, content, opts)
				if !allow && len(got) == 0 {
					t.Fatal("no problems reported")
				}
				var texts []string
				for _, p := range got {
					texts = append(texts, p.String(), p.Error(), p.Column, fmt.Sprintf("%v %+v %#v", p, p, p))
				}
				_, jobs, rowErrs := readAll(t, writeManifest(t, name, content), opts)
				for _, e := range rowErrs {
					texts = append(texts, e.Error(), fmt.Sprintf("%+v %#v", e, e))
				}
				for _, j := range jobs {
					texts = append(texts, fmt.Sprintf("%v %+v %#v", j, j, j))
					for _, c := range j.Cells() {
						texts = append(texts, c.Value)
					}
					for _, ref := range []*SecretRef{j.NewPassword, j.OldPassword, j.InitialPassword} {
						if ref != nil {
							texts = append(texts, ref.String(), fmt.Sprintf("%v %+v %#v", *ref, *ref, *ref))
						}
					}
					// Written back as a manifest, with comments.
					for _, f := range []Format{CSV, YAML} {
						var buf strings.Builder
						w, err := NewWriter(&buf, f, nil)
						if err != nil {
							t.Fatal(err)
						}
						if err := w.Comment(fmt.Sprintf("row %d: %s", j.Row, j.Target)); err != nil {
							t.Fatal(err)
						}
						if err := w.Write(j); err != nil {
							t.Fatal(err)
						}
						if err := w.Close(); err != nil {
							t.Fatal(err)
						}
						texts = append(texts, buf.String())
					}
				}
				for _, s := range texts {
					if strings.Contains(s, pw) || strings.Contains(s, "Tr0ub4dor") {
						t.Errorf("secret leaked: %s", s)
					}
				}
			})
		}
	}
}

func TestSecretRefResolve(t *testing.T) {
	ctx := context.Background()
	pwFile := writeManifest(t, "pw.txt", "From-File-Pass-1\r\n")
	tests := []struct {
		ref  SecretRef
		want string
	}{
		{SecretRef{Kind: SecretEnv, Name: "NEW_PASSWORD"}, "from-env-Value-1!"},
		{SecretRef{Kind: SecretFile, Name: pwFile}, "From-File-Pass-1"},
		{LiteralSecret(secret.New("Lit-Pass-1")), "Lit-Pass-1"},
	}
	for _, tc := range tests {
		v, err := tc.ref.Resolve(ctx, testEnv)
		if err != nil || v.Reveal() != tc.want {
			t.Errorf("%s: %q, %v", tc.ref, v.Reveal(), err)
		}
	}
	a, err := SecretRef{Kind: SecretGenerate}.Resolve(ctx, nil)
	b, err2 := SecretRef{Kind: SecretGenerate, Length: 32}.Resolve(ctx, nil)
	if err != nil || err2 != nil || len(a.Reveal()) != secret.DefaultLength || len(b.Reveal()) != 32 || a.Equal(b) {
		t.Errorf("generate: %d, %d, %v, %v", len(a.Reveal()), len(b.Reveal()), err, err2)
	}
	if _, err := (SecretRef{Kind: SecretEnv, Name: "UNSET"}).Resolve(ctx, testEnv); err == nil || !strings.Contains(err.Error(), "UNSET") {
		t.Errorf("unset env: %v", err)
	}
	if _, err := (SecretRef{Kind: SecretFile, Name: pwFile + ".missing"}).Resolve(ctx, nil); err == nil {
		t.Error("missing file resolved")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (SecretRef{Kind: SecretGenerate}).Resolve(cancelled, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	for ref, want := range map[string]string{"env:X": "env:X", "file:/a b": "file:/a b", "generate": "generate", "generate:40": "generate:40", "plain": "***"} {
		r, msg := parseSecretRef(ref, 12)
		if msg != "" || r.String() != want {
			t.Errorf("parse %q = %q, %q", ref, r.String(), msg)
		}
	}
}
