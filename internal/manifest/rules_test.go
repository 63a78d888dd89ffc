package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ruleCase is one validation rule exercised in both formats.
type ruleCase struct {
	name     string
	csv      string
	csvWant  []want
	yaml     string
	yamlWant []want
	opts     Options
}

var ruleCases = []ruleCase{
	{
		name: "valid rows of every op",
		csv: "op,user_id,email,username,robot_name,orchestrator_user_id,name,is_active,group_ids_to_add,robot_username,old_password,new_password\n" +
			"update_user,,ann@example.com,,,,Ann,yes," + groupEveryone + ";" + groupFinance + ",,,\n" +
			"set_password,,,user00002,,,,,,,,generate\n" +
			"change_password," + groupAdmins + ",,,,,,,,,env:OLD_PASSWORD,env:NEW_PASSWORD\n" +
			"update_robot_account,,,,robot-001,,,,,,,\n" +
			"set_robot_credentials,,,,,1001,,,,CORP\\svc-robot-001,,generate:32\n",
		yaml: "rows:\n" +
			"  - {op: update_user, email: ann@example.com, name: Ann, is_active: yes, group_ids_to_add: [" + groupEveryone + ", " + groupFinance + "]}\n" +
			"  - {op: set_password, username: user00002, new_password: generate}\n" +
			"  - op: change_password\n    user_id: " + groupAdmins + "\n    old_password: env:OLD_PASSWORD\n    new_password: env:NEW_PASSWORD\n" +
			"  - op: update_robot_account\n    robot_name: robot-001\n" +
			"  - op: set_robot_credentials\n    orchestrator_user_id: 1001\n    robot_username: CORP\\svc-robot-001\n    new_password: generate:32\n",
	},
	{
		name:     "unknown column with a suggestion",
		csv:      "op,emial,name\nupdate_user,a@example.com,Ann\n",
		csvWant:  []want{{1, `unknown column "emial"; did you mean "email"?`}, {2, "missing target"}},
		yaml:     "rows:\n  - op: update_user\n    emial: a@example.com\n",
		yamlWant: []want{{3, `unknown key "emial"; did you mean "email"?`}, {2, "missing target"}},
	},
	{
		name:     "unknown column without a near name lists the known ones",
		csv:      "op,email,favourite_colour\nupdate_user,a@example.com,blue\n",
		csvWant:  []want{{1, "known columns: op, user_id"}},
		yaml:     "rows:\n  - op: update_user\n    email: a@example.com\n    favourite_colour: blue\n",
		yamlWant: []want{{4, "known columns: op, user_id"}},
	},
	{
		name:     "missing target",
		csv:      "op,email,name\nupdate_user,,Ann\n",
		csvWant:  []want{{2, "missing target: give exactly one of user_id, email, username for update_user"}},
		yaml:     "rows:\n  - op: update_user\n    name: Ann\n",
		yamlWant: []want{{2, "missing target: give exactly one of user_id, email, username"}},
	},
	{
		name:     "more than one target",
		csv:      "op,user_id,username,name\nset_password,," + "u1,\nupdate_robot_account,,,\n",
		csvWant:  []want{{2, "set_password needs new_password"}, {3, "missing target"}},
		yaml:     "rows:\n  - op: update_robot_account\n    robot_name: r1\n    robot_account_id: " + groupAdmins + "\n",
		yamlWant: []want{{3, "more than one target (robot_account_id, robot_name)"}},
	},
	{
		name:     "target kind not valid for the op",
		csv:      "op,robot_name\nupdate_user,robot-001\n",
		csvWant:  []want{{2, "robot_name is not a target of update_user: use one of user_id, email, username"}},
		yaml:     "rows:\n  - op: set_robot_credentials\n    email: a@example.com\n    new_password: generate\n",
		yamlWant: []want{{3, "email is not a target of set_robot_credentials: use one of orchestrator_user_id, username"}},
	},
	{
		name:     "malformed GUID, e-mail, boolean and Orchestrator id",
		csv:      "op,user_id,email,is_active,group_ids_to_remove\nupdate_user,not-a-guid,,,\nupdate_user,,ann.example.com,,\nupdate_user,,a@example.com,maybe,\nupdate_user,,b@example.com,,6f1b7c2a-0d4e-4c1a-9b7e-00000000zzzz\n",
		csvWant:  []want{{2, `user_id "not-a-guid" is not a GUID`}, {3, `email "ann.example.com" is not an e-mail address`}, {4, `is_active "maybe" is not a boolean`}, {5, `"6f1b7c2a-0d4e-4c1a-9b7e-00000000zzzz" is not a group GUID`}},
		yaml:     "rows:\n  - op: set_robot_credentials\n    orchestrator_user_id: -3\n    new_password: generate\n  - op: update_user\n    email: a@example.com\n    invitation_accepted: 2\n",
		yamlWant: []want{{3, "orchestrator_user_id \"-3\" is not a positive whole number"}, {7, `invitation_accepted "2" is not a boolean`}},
	},
	{
		name:    "booleans in every accepted spelling",
		csv:     "op,email,is_active,bypass_basic_auth_restriction,invitation_accepted\nupdate_user,a@example.com,TRUE,No,1\nupdate_user,b@example.com,False,YES,0\n",
		yaml:    "rows:\n  - {op: update_user, email: a@example.com, is_active: true, bypass_basic_auth_restriction: no, invitation_accepted: 1}\n",
		csvWant: nil, yamlWant: nil,
	},
	{
		name:     "field the op does not take",
		csv:      "op,robot_name,name\nupdate_robot_account,robot-001,Robby\n",
		csvWant:  []want{{2, "update_robot_account does not take name (it takes: display_name, groups, groups_to_add, groups_to_remove)"}},
		yaml:     "rows:\n  - op: set_password\n    username: u1\n    new_password: generate\n    display_name: U One\n",
		yamlWant: []want{{5, "set_password does not take display_name"}},
	},
	{
		name:    "e-mail change",
		csv:     "op,username,email\nupdate_user,user00001,new@example.com\n",
		csvWant: []want{{2, "update_user cannot change an e-mail address"}},
		// Named by id, the email is a label the account is checked against
		// (in plan and apply); a malformed one is still a problem.
		yaml:     "rows:\n  - op: update_user\n    user_id: " + groupAdmins + "\n    email: new.example.com\n",
		yamlWant: []want{{4, `email "new.example.com" is not an e-mail address`}},
	},
	{
		name: "the same target twice with conflicting operations",
		csv: "op,email,username,name,surname,new_password,old_password\n" +
			"update_user,A@example.com,,Ann,,,\n" +
			"update_user,a@example.com,,,Archer,,\n" + // other field: fine
			"update_user,a@EXAMPLE.com,,Anna,,,\n" +
			"set_password,,u1,,,generate,\n" +
			"change_password,,U1,,,generate,env:OLD_PASSWORD\n",
		csvWant: []want{{4, "is already changed by line 2 (update_user): both rows change name"}, {6, "already changed by line 5 (set_password): both rows change the password"}},
		yaml: "rows:\n" +
			"  - {op: set_password, username: u1, new_password: generate}\n" +
			"  - {op: set_robot_credentials, username: u1, new_password: generate}\n" + // another account space
			"  - {op: set_password, username: u1, new_password: generate:20}\n",
		yamlWant: []want{{4, "already changed by line 2"}},
	},
	{
		name:     "a group both added and removed",
		csv:      "op,email,group_ids_to_add,group_ids_to_remove\nupdate_user,a@example.com," + groupFinance + ";" + groupAdmins + "," + groupFinance + "\n",
		csvWant:  []want{{2, "group " + groupFinance + " is both in groups_to_add and groups_to_remove"}},
		yaml:     "rows:\n  - op: update_user\n    email: a@example.com\n    group_ids_to_add: " + groupFinance + "\n    group_ids_to_remove:\n      - " + groupFinance + "\n",
		yamlWant: []want{{6, "is both in groups_to_add and groups_to_remove"}},
	},
	{
		name:     "generate length under the minimum or not a number",
		csv:      "op,username,new_password\nset_password,u1,generate:8\nset_password,u2,generate:long\n",
		csvWant:  []want{{2, "generate:8 is too short: the minimum length is 20"}, {3, "generate:LENGTH needs a whole number"}},
		yaml:     "rows:\n  - {op: set_password, username: u1, new_password: 'generate:16'}\n",
		yamlWant: []want{{2, "generate:16 is too short: the minimum length is 20"}},
		opts:     Options{MinGenerateLength: 20},
	},
	{
		name:     "env variable unset",
		csv:      "op,username,new_password\nset_password,u1,env:NOT_SET_ANYWHERE\nset_password,u2,env:\n",
		csvWant:  []want{{2, "environment variable NOT_SET_ANYWHERE is not set"}, {3, "env: needs a variable name"}},
		yaml:     "rows:\n  - {op: set_password, username: u1, new_password: env:NOT_SET_ANYWHERE}\n",
		yamlWant: []want{{2, "environment variable NOT_SET_ANYWHERE is not set"}},
	},
	{
		name:     "literal secret refused",
		csv:      "op,username,old_password,new_password\nchange_password,u1,Old-Pass-1!,env:NEW_PASSWORD\n",
		csvWant:  []want{{2, "old_password: a password written in the manifest is refused; use env:NAME, file:PATH, generate or generate:LENGTH, or pass --allow-literal-secrets"}},
		yaml:     "rows:\n  - op: set_password\n    username: u1\n    new_password: Hunter2-Hunter2\n",
		yamlWant: []want{{4, "--allow-literal-secrets"}},
	},
	{
		name: "literal secret allowed with the option",
		csv:  "op,username,new_password\nset_password,u1,Hunter2-Hunter2\n",
		yaml: "rows:\n  - {op: set_password, username: u1, new_password: Hunter2-Hunter2}\n",
		opts: Options{AllowLiteralSecrets: true},
	},
	{
		name:     "passwords required by the op",
		csv:      "op,username,old_password,new_password\nchange_password,u1,,\nset_password,u2,,\n",
		csvWant:  []want{{2, "change_password needs new_password"}, {2, "change_password needs old_password"}, {3, "set_password needs new_password"}},
		yaml:     "rows:\n  - {op: change_password, username: u1, new_password: generate}\n",
		yamlWant: []want{{2, "change_password needs old_password"}},
	},
	{
		name:     "op missing or unknown",
		csv:      "op,email\n,a@example.com\nupdte_user,b@example.com\nremove_user,c@example.com\n",
		csvWant:  []want{{2, "missing op: set op to one of update_user, set_password, change_password, update_robot_account, set_robot_credentials"}, {3, `unknown op "updte_user"; did you mean "update_user"?`}, {4, `unknown op "remove_user"`}},
		yaml:     "rows:\n  - email: a@example.com\n  - op: reset_password\n    email: b@example.com\n",
		yamlWant: []want{{2, "missing op"}, {3, "valid ops: update_user, set_password"}},
	},
	{
		name:     "op column missing from the header",
		csv:      "email,name\na@example.com,Ann\n",
		csvWant:  []want{{2, "missing op"}},
		yaml:     "defaults:\n  op: update_user\nrows:\n  - {email: a@example.com, name: Ann}\n",
		yamlWant: nil,
	},
	{
		name:     "empty rows skipped with lines kept",
		csv:      "op,email,is_active\n\nupdate_user,a@example.com,true\n,,\n  , ,\nupdate_user,b@example.com,perhaps\n",
		csvWant:  []want{{6, "is_active \"perhaps\""}},
		yaml:     "rows:\n  -\n  - {}\n  - op: update_user\n    email: b@example.com\n    is_active: perhaps\n",
		yamlWant: []want{{6, "is_active \"perhaps\""}},
	},
	{
		name:     "a row with more cells than the header",
		csv:      "op,email,name\nupdate_user,a@example.com,Smith, Ann\nupdate_user,b@example.com,Bo,\n",
		csvWant:  []want{{2, "the row has 4 cells but the header has 3 columns"}},
		yaml:     "rows:\n  - [update_user, a@example.com]\n",
		yamlWant: []want{{2, "a row must be a mapping"}},
	},
	{
		name:     "repeated columns and keys",
		csv:      "op,email,Email\nupdate_user,a@example.com,\n",
		csvWant:  []want{{1, `column "email" appears twice`}},
		yaml:     "rows:\n  - op: update_user\n    email: a@example.com\n    name: A\n    NAME: B\n",
		yamlWant: []want{{5, `key "name" appears twice`}},
	},
	{
		name:     "header names: case, order and spaces",
		csv:      " EMAIL ,Name,  Op\na@example.com,Ann,UPDATE_USER\n",
		yaml:     "rows:\n  - {Email: a@example.com, ' Name ': Ann, OP: update_user}\n",
		csvWant:  nil,
		yamlWant: nil,
	},
	{
		name:     "CSV syntax error and YAML syntax error",
		csv:      "op,email,name\nupdate_user,a@example.com,An\"n\nupdate_user,b@example.com,x\n",
		csvWant:  []want{{2, "a \" inside an unquoted cell"}},
		yaml:     "rows:\n  - op: x\n    email: a\n    name: b: c\n",
		yamlWant: []want{{4, "YAML syntax: mapping values are not allowed in this context"}},
	},
	{
		name:     "YAML structure: unknown top-level key, defaults and rows shapes",
		yaml:     "default:\n  op: update_user\nrows:\n  - {email: a@example.com, name: [A, B]}\n  - {op: update_user, email: b@example.com, display_name: {first: B}}\n",
		yamlWant: []want{{1, `unknown top-level key "default"; did you mean "defaults"?`}, {4, "missing op"}, {4, "name must be a single value"}, {5, "display_name must be a value or a list"}},
		csv:      "op\n",
		csvWant:  []want{{1, "0 rows"}},
	},
	{
		name:     "YAML defaults: a bad default is reported once, at its line",
		yaml:     "defaults:\n  op: update_user\n  colour: red\n  is_active: sometimes\nrows:\n  - {email: a@example.com}\n  - {email: b@example.com}\n  - {email: c@example.com, is_active: false}\n",
		yamlWant: []want{{3, `defaults: unknown key "colour"`}, {4, `is_active "sometimes" is not a boolean`}},
		csv:      "op,email\n",
		csvWant:  []want{{1, "0 rows"}},
	},
	{
		name:     "empty manifest",
		csv:      "",
		csvWant:  []want{{1, "the manifest is empty"}},
		yaml:     "",
		yamlWant: []want{{1, "the manifest is empty"}},
	},
	{
		name:     "no rows: a header alone, rows: []",
		csv:      "op,email,name\n",
		csvWant:  []want{{1, "0 rows"}},
		yaml:     "defaults:\n  op: update_user\nrows: []\n",
		yamlWant: []want{{1, "0 rows"}},
	},
	{
		name:     "a CSV saved with ';' as separator; a tab in YAML indentation",
		csv:      "op;email;name\nupdate_user;a@example.com;Ann\n",
		csvWant:  []want{{1, "this file uses ';' as separator"}},
		yaml:     "rows:\n  - op: update_user\n\t email: a@example.com\n",
		yamlWant: []want{{3, "a tab character (column 1)"}},
	},
}

func TestValidateRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name+"/csv", func(t *testing.T) {
			got, _ := validateText(t, "m.csv", tc.csv, tc.opts)
			checkProblems(t, got, tc.csvWant)
		})
		t.Run(tc.name+"/yaml", func(t *testing.T) {
			got, _ := validateText(t, "m.yaml", tc.yaml, tc.opts)
			checkProblems(t, got, tc.yamlWant)
		})
	}
}

func TestValidateSecretFiles(t *testing.T) {
	dir := t.TempDir()
	private := filepath.Join(dir, "private.txt")
	shared := filepath.Join(dir, "shared.txt")
	for path, mode := range map[string]os.FileMode{private: 0o600, shared: 0o644} {
		if err := os.WriteFile(path, []byte("A-Password-123\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing.txt")
	csv := "op,username,new_password\n" +
		"set_password,u1,file:" + private + "\n" +
		"set_password,u2,file:" + shared + "\n" +
		"set_password,u3,file:" + missing + "\n" +
		"set_password,u4,file:" + dir + "\n"
	got, rows := validateText(t, "m.csv", csv, Options{})
	if rows != 4 {
		t.Errorf("rows = %d, want 4", rows)
	}
	checkProblems(t, got, []want{
		{3, "is readable by group or others (mode 0644); run chmod 600"},
		{4, "file " + missing + " does not exist"},
		{5, "is not a regular file"},
	})
	yaml := "rows:\n  - op: set_password\n    username: u1\n    new_password: file:" + shared + "\n"
	got, _ = validateText(t, "m.yml", yaml, Options{})
	checkProblems(t, got, []want{{4, "chmod 600"}})
}

// Problems arrive in line order whichever check found them: the conflict
// of rows 2 and 3 is found after row 4's own problem, but printed before.
func TestProblemsComeInLineOrder(t *testing.T) {
	text := "op,email,name\n" +
		"update_user,a@example.com,A\n" +
		"update_user,a@example.com,B\n" +
		"update_user,not-an-email,C\n"
	got, _ := validateText(t, "m.csv", text, Options{})
	if len(got) < 2 {
		t.Fatalf("problems %v, want a conflict and a bad email", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Source.Line < got[i-1].Source.Line {
			t.Fatalf("problems out of line order: %v", got)
		}
	}
}

func TestGroupsColumnIsAnExactSet(t *testing.T) {
	got, _ := validateText(t, "m.csv", "op,user_id,groups,group_ids_to_add\n"+
		"update_user,6f1b7c2a-0d4e-4c1a-9b7e-0000000000aa,Administrators;6F1B7C2A-0D4E-4C1A-9B7E-000000000003;administrators,\n"+
		"update_user,6f1b7c2a-0d4e-4c1a-9b7e-0000000000ab,Finance,6f1b7c2a-0d4e-4c1a-9b7e-000000000003\n", Options{})
	checkProblems(t, got, []want{{3, "not both"}})
	r, err := Open(t.Context(), writeManifest(t, "m.csv", "op,user_id,groups\nupdate_user,6f1b7c2a-0d4e-4c1a-9b7e-0000000000aa,Administrators;6F1B7C2A-0D4E-4C1A-9B7E-000000000003;administrators\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	job, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(job.Groups, "|") != "Administrators|6f1b7c2a-0d4e-4c1a-9b7e-000000000003" {
		t.Fatalf("groups = %q", job.Groups)
	}
}
