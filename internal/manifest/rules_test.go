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
		csvWant:  nil, // a header alone is 0 rows, nothing to do
	},
	{
		name:     "YAML defaults: a bad default is reported once, at its line",
		yaml:     "defaults:\n  op: update_user\n  colour: red\n  is_active: sometimes\nrows:\n  - {email: a@example.com}\n  - {email: b@example.com}\n  - {email: c@example.com, is_active: false}\n",
		yamlWant: []want{{3, `defaults: unknown key "colour"`}, {4, `is_active "sometimes" is not a boolean`}},
		csv:      "op,email\n",
		csvWant:  nil,
	},
	{
		name:     "empty manifest",
		csv:      "",
		csvWant:  []want{{1, "the manifest is empty"}},
		yaml:     "",
		yamlWant: []want{{1, "the manifest is empty"}},
	},
	{
		name:     "no rows: a header alone, rows: [] (nothing to do, no problem)",
		csv:      "op,email,name\n",
		csvWant:  nil,
		yaml:     "defaults:\n  op: update_user\nrows: []\n",
		yamlWant: nil,
	},
	{
		name:     "a CSV saved with ';' as separator; a tab in YAML indentation",
		csv:      "op;email;name\nupdate_user;a@example.com;Ann\n",
		csvWant:  []want{{1, "this file uses ';' as separator"}},
		yaml:     "rows:\n  - op: update_user\n\t email: a@example.com\n",
		yamlWant: []want{{3, "a tab character (column 1)"}},
	},
	{
		name: "valid rows of every lifecycle op",
		csv: "op,user_id,email,username,robot_account_id,robot_name,group_id,group_name,name,display_name,groups,groups_to_add,group_ids_to_remove,initial_password\n" +
			"ensure_group,,,,,,,Finance Team,,,,,,\n" +
			"ensure_user,,ann@example.com,ann,,,,,Ann,Ann Lee,,Finance Team; " + groupAdmins + ",Sales,generate\n" +
			"ensure_user,,bo@example.com,,,,,,,,Everyone;Finance Team,,,env:NEW_PASSWORD\n" +
			"ensure_robot_account,,,,,robot-001,,,,Robot 001,,Automation Users,,\n" +
			"delete_user," + groupAdmins + ",cy@example.com,cy,,,,,,,,,,\n" +
			"delete_user,,,old-user,,,,,,,,,,\n" +
			"delete_robot_account,,,,,robot-009,,,,,,,,\n" +
			"delete_robot_account,,,,6F1B7C2A-0D4E-4C1A-9B7E-0000000000AA,,,,,,,,,\n" +
			"delete_group,,,,,,6F1B7C2A-0D4E-4C1A-9B7E-0000000000BB,,,,,,,\n" +
			"delete_group,,,,,,,Old Team,,,,,,\n",
		yaml: "rows:\n" +
			"  - {op: ensure_group, group_name: Finance Team}\n" +
			"  - op: ensure_user\n    email: ann@example.com\n    username: ann\n    name: Ann\n    surname: Lee\n    bypass_basic_auth_restriction: false\n" +
			"    groups_to_add: [Finance Team, " + groupAdmins + "]\n    groups_to_remove: [Sales]\n    initial_password: generate:24\n" +
			"  - {op: ensure_user, email: bo@example.com, groups: [Everyone, Finance Team]}\n" +
			"  - {op: ensure_robot_account, robot_name: robot-001, display_name: Robot 001, group_ids_to_add: [Automation Users]}\n" +
			"  - {op: delete_user, email: cy@example.com}\n" +
			"  - {op: delete_robot_account, robot_name: robot-009}\n" +
			"  - {op: delete_group, group_name: Old Team}\n" +
			"  - {op: delete_group, group_id: " + groupFinance + "}\n",
	},
	{
		name: "ensure_user is named by email; username is its field",
		csv: "op,user_id,email,username\n" +
			"ensure_user,,,ann\n" +
			"ensure_user," + groupAdmins + ",,\n" +
			"ensure_user,,bo@example.com,bo\n", // username beside email: a field, not a second target
		csvWant: []want{{2, "missing target: give exactly one of email for ensure_user"}, {3, "user_id is not a target of ensure_user: use one of email"}},
		yaml:    "rows:\n  - op: ensure_user\n    email: a@example.com\n    username: [a, b]\n  - {op: ensure_robot_account, email: r@example.com}\n",
		yamlWant: []want{{4, "username must be a single value, not a list"},
			{5, "email is not a target of ensure_robot_account: use one of robot_name"}},
	},
	{
		name: "fields the lifecycle ops do not take",
		csv: "op,email,username,robot_name,group_name,name,is_active,invitation_accepted,new_password\n" +
			"ensure_user,a@example.com,,,,,false,,\n" + // is_active: ensure_user takes it
			"ensure_user,b@example.com,,,,,,true,generate\n" +
			"delete_user,c@example.com,,,,Cy,,,\n" +
			"ensure_group,,,,Finance,Finance,,,\n",
		csvWant: []want{
			{3, "ensure_user does not take invitation_accepted (it takes: username, name, surname, display_name, is_active, bypass_basic_auth_restriction, groups, groups_to_add, groups_to_remove, initial_password)"},
			{3, "ensure_user does not take new_password"},
			{4, "delete_user does not take name (it takes: no fields, only its target)"},
			{5, "ensure_group does not take name (it takes: no fields, only its target)"}},
		yaml: "rows:\n  - {op: delete_robot_account, robot_name: r1, display_name: R}\n  - {op: update_user, email: a@example.com, initial_password: generate}\n" +
			"  - {op: delete_group, group_name: G, groups_to_add: [A]}\n",
		yamlWant: []want{{2, "delete_robot_account does not take display_name"}, {3, "update_user does not take initial_password"}, {4, "delete_group does not take groups_to_add"}},
	},
	{
		name: "group targets: a GUID, a single name, one of them",
		csv: "op,group_id,group_name\n" +
			"delete_group,finance,\n" +
			"delete_group," + groupFinance + ",Finance\n" +
			"ensure_group," + groupFinance + ",\n",
		csvWant: []want{{2, `group_id "finance" is not a GUID`}, {3, "more than one target (group_id, group_name)"},
			{4, "group_id is not a target of ensure_group: use one of group_name"}},
		yaml:     "rows:\n  - {op: ensure_group, group_name: [A, B]}\n  - {op: ensure_group}\n  - {op: update_user, group_name: A}\n",
		yamlWant: []want{{2, "group_name must be a single value, not a list"}, {3, "missing target: give exactly one of group_name for ensure_group"}, {4, "group_name is not a target of update_user"}},
	},
	{
		name: "built-in groups cannot be deleted",
		csv: "op,group_id,group_name\n" +
			"delete_group,,everyone\n" +
			"delete_group,,  Automation Users \n" +
			"delete_group,,Administrators Team\n" + // a local group of a similar name
			"ensure_group,,Automation Developers\n", // exists already: unchanged, not a problem
		csvWant:  []want{{2, `"everyone" is a built-in group, and built-in groups cannot be deleted`}, {3, `"Automation Users" is a built-in group`}},
		yaml:     "rows:\n  - op: delete_group\n    group_name: ADMINISTRATORS\n  - {op: delete_group, group_name: automation developers}\n",
		yamlWant: []want{{3, `"ADMINISTRATORS" is a built-in group, and built-in groups cannot be deleted (Everyone, Administrators, Automation Users, Automation Developers)`}, {4, "built-in"}},
	},
	{
		name: "group lists: names and GUIDs, empty items, GUID-shaped names",
		csv: "op,email,groups_to_add,groups_to_remove,groups\n" +
			"update_user,a@example.com,Finance;;Sales,,\n" +
			"update_user,b@example.com,Finance;,,\n" +
			"update_user,c@example.com,,6f1b7c2a-0d4e-4c1a-9b7e-00000000000g,\n" +
			"update_user,d@example.com,Finance; " + groupFinance + " ;Sales Team,,\n" +
			"ensure_user,e@example.com,,,Finance;6f1b7c2a-0d4e-4c1a-9b7e-00000000000x\n" + // the exact set too
			"ensure_user,f@example.com,,,Finance;;Sales;\n", // where empty items are left out
		csvWant: []want{{2, "groups_to_add: item 2 of 3 is empty"}, {3, "groups_to_add: item 2 of 2 is empty"},
			{4, `groups_to_remove: "6f1b7c2a-0d4e-4c1a-9b7e-00000000000g" is not a group GUID`},
			{6, `groups: "6f1b7c2a-0d4e-4c1a-9b7e-00000000000x" is not a group GUID`}},
		yaml:     "rows:\n  - op: update_user\n    email: a@example.com\n    groups_to_add: [Finance, ~, Sales]\n  - {op: update_user, email: b@example.com, groups_to_remove: ['', ' ']}\n",
		yamlWant: []want{{4, "groups_to_add: item 2 of 3 is empty: name a group (or give its GUID) in each item of the list"}},
	},
	{
		name:     "a group both added and removed, by name in any case",
		csv:      "op,email,groups_to_add,groups_to_remove\nensure_user,a@example.com,Finance;Sales,FINANCE\n",
		csvWant:  []want{{2, "group Finance is both in groups_to_add and groups_to_remove"}},
		yaml:     "rows:\n  - {op: ensure_robot_account, robot_name: r1, groups_to_add: [sales], group_ids_to_remove: [Sales]}\n",
		yamlWant: []want{{2, "group sales is both in groups_to_add and groups_to_remove"}},
	},
	{
		name:     "groups with the incremental columns",
		csv:      "op,email,groups,group_ids_to_add\nensure_user,a@example.com,Finance,Sales\n",
		csvWant:  []want{{2, "a row takes groups (the exact membership) or groups_to_add/groups_to_remove (changes to it), not both"}},
		yaml:     "rows:\n  - {op: ensure_robot_account, robot_name: r1, groups: [Finance], groups_to_remove: [Sales]}\n",
		yamlWant: []want{{2, "not both"}},
	},
	{
		name: "a column under its older name and its own",
		csv: "op,email,group_ids_to_add,groups_to_add,groups_to_remove\n" +
			"update_user,a@example.com,Finance,,\n" + // one of the two filled: fine
			"update_user,b@example.com,,Sales,\n" +
			"update_user,c@example.com,Finance,Sales,\n",
		csvWant:  []want{{4, "group_ids_to_add and groups_to_add are the same column (group_ids_to_add is the older name of groups_to_add): fill only one of them"}},
		yaml:     "defaults:\n  op: update_user\n  group_ids_to_remove: [Sales]\nrows:\n  - {email: a@example.com, groups_to_remove: [Finance]}\n  - email: b@example.com\n    groups_to_remove: [Finance]\n    group_ids_to_remove: [Sales]\n",
		yamlWant: []want{{8, "groups_to_remove and group_ids_to_remove are the same column (group_ids_to_remove is the older name of groups_to_remove)"}},
	},
	{
		name: "initial_password is a secret reference",
		csv: "op,email,initial_password\n" +
			"ensure_user,a@example.com,Hunter2-Hunter2\n" +
			"ensure_user,b@example.com,env:NOT_SET_ANYWHERE\n" +
			"ensure_user,c@example.com,generate:8\n" +
			"ensure_user,d@example.com,file:\n",
		csvWant: []want{{2, "initial_password: a password written in the manifest is refused; use env:NAME, file:PATH, generate or generate:LENGTH, or pass --allow-literal-secrets"},
			{3, "initial_password: environment variable NOT_SET_ANYWHERE is not set"}, {4, "initial_password: generate:8 is too short"},
			{5, "initial_password: file: needs a path"}},
		yaml:     "rows:\n  - {op: ensure_user, email: a@example.com, initial_password: [generate]}\n  - {op: ensure_user, email: b@example.com, initial_password: env:NEW_PASSWORD}\n",
		yamlWant: []want{{2, "initial_password must be a single reference"}},
	},
	{
		name: "initial_password literal allowed with the option",
		csv:  "op,email,initial_password\nensure_user,a@example.com,Hunter2-Hunter2\n",
		yaml: "rows:\n  - {op: ensure_user, email: a@example.com, initial_password: Hunter2-Hunter2}\n",
		opts: Options{AllowLiteralSecrets: true},
	},
	{
		name: "the same account or group named twice with conflicting ops",
		csv: "op,email,username,group_id,group_name,name,surname,initial_password,new_password\n" +
			"ensure_user,ann@example.com,,,,Ann,,,\n" +
			"delete_user,ANN@example.com,,,,,,,\n" + // line 3: deletes what line 2 ensures
			"ensure_group,,,,Finance,,,,\n" +
			"delete_group,,,,finance,,,,\n" + // line 5: group names compare case-insensitively
			"ensure_group,,,,Sales,,,,\n" +
			"ensure_group,,,,SALES,,,,\n" + // line 7: created twice
			"delete_group,,," + groupFinance + ",,,,,\n" +
			"delete_group,,,6F1B7C2A-0D4E-4C1A-9B7E-000000000005,,,,,\n" + // line 9: deleted twice
			"ensure_user,bo@example.com,,,,,,generate,\n" +
			"set_password,bo@example.com,,,,,,,generate\n" + // line 11: both set the password
			"ensure_user,cy@example.com,cy,,,Cy,,,\n" +
			"ensure_user,cy@example.com,,,,,Young,,\n", // line 13: both may create cy
		csvWant: []want{
			{3, "email=ANN@example.com is already named by line 2 (ensure_user), and this row deletes it"},
			{5, "group_name=finance is already named by line 4 (ensure_group), and this row deletes it"},
			{7, "group_name=SALES is already changed by line 6 (ensure_group): both rows change whether it exists"},
			{9, "is already named by line 8 (delete_group), and each deletes it"},
			{11, "email=bo@example.com is already changed by line 10 (ensure_user): both rows change the password"},
			{13, "already changed by line 12 (ensure_user): both rows change whether it exists"},
		},
		yaml: "rows:\n" +
			"  - {op: update_robot_account, robot_name: r1, display_name: R}\n" +
			"  - {op: delete_robot_account, robot_name: r1}\n" + // line 3
			"  - {op: ensure_robot_account, robot_name: r2, display_name: R2}\n" +
			"  - {op: update_robot_account, robot_name: r2, display_name: Two}\n" + // line 5
			"  - {op: delete_user, username: r3}\n" + // another name space than robot r3
			"  - {op: delete_robot_account, robot_name: r3}\n",
		yamlWant: []want{{3, "robot_name=r1 is already named by line 2 (update_robot_account), and this row deletes it"},
			{5, "robot_name=r2 is already changed by line 4 (ensure_robot_account): both rows change display_name"}},
	},
	{
		name: "ensure and update of one account: a conflict only where their fields meet",
		csv: "op,email,name,surname,is_active,groups_to_add\n" +
			"ensure_user,ann@example.com,Ann,,,Finance\n" +
			"update_user,ann@example.com,,,false,\n" + // other fields: fine, as update_user beside set_password
			"update_user,ANN@example.com,,Lee,,Sales\n", // group membership is line 2's
		csvWant:  []want{{4, "email=ANN@example.com is already changed by line 2 (ensure_user): both rows change group membership"}},
		yaml:     "rows:\n  - {op: ensure_user, email: a@example.com, initial_password: generate}\n  - {op: update_user, email: a@example.com, name: A}\n",
		yamlWant: nil,
	},
	{
		name: "comment lines",
		csv: "# exported 2026-11-30: what cannot be put back is listed below\n" +
			"op,email,is_active\n" +
			"# a comment between rows, with, commas and \"quotes\n" +
			"update_user,a@example.com,true\n" +
			"#update_user,b@example.com,nope\n" +
			"update_user,c@example.com,\"x\n# inside a quoted cell: not a comment\"\n" +
			"update_user,d@example.com,nope\n",
		csvWant:  []want{{6, `is_active "x\n# inside a quoted cell: not a comment" is not a boolean`}, {8, `is_active "nope"`}},
		yaml:     "# a comment\nrows:\n  # another\n  - {op: update_user, email: a@example.com, is_active: nope} # and one more\n",
		yamlWant: []want{{4, `is_active "nope"`}},
	},
	{
		name: "valid rows of every access op",
		csv: "op,email,username,robot_name,orchestrator_user_id,group_name,folder,roles,roles_to_add,roles_to_remove,robot_username,credential_type,execution_settings,limit_concurrent_execution\n" +
			"ensure_folder,,,,,,Finance,,,,,,,\n" +
			"ensure_folder,,,,,,Shared / Finance /AP ,,,,,,,\n" +
			"set_folder_access,ann@example.com,,,,,Finance/AP,Folder Administrator;Executor,,,,,,\n" +
			"set_folder_access,,,,,Finance Team,Finance,,Automation User,Executor,,,,\n" +
			"set_folder_access,,,robot-001,,,Finance/AP,,Robot,,,,,\n" +
			"remove_folder_access,,bo,,,,Finance/AP,,,,,,,\n" +
			"set_tenant_roles,ann@example.com,,,,,,Administrator,,,,,,\n" +
			"set_tenant_roles,,,,,Finance Team,,,,Allow to be Automation User,,,,\n" +
			"update_unattended_robot,,,,1001,,,,,,CORP\\svc-robot-001,smartcard,\"{\"\"TracingLevel\"\": \"\"Verbose\"\", \"\"ResolutionWidth\"\": 1920}\",yes\n" +
			"update_unattended_robot,,,robot-001,,,,,,,,NOCREDENTIAL,,\n" +
			"update_unattended_robot,,svc-robot,,,,,,,,,,{},0\n" +
			"ensure_user,cy@example.com,,,,,,,,,,,,\n" + // the account and its access: no conflict
			"set_folder_access,cy@example.com,,,,,Finance,Executor,,,,,,\n" +
			"set_folder_access,cy@example.com,,,,,Finance/AP,Executor,,,,,,\n", // another folder: fine
		yaml: "rows:\n" +
			"  - {op: ensure_folder, folder: Finance/AP}\n" +
			"  - op: set_folder_access\n    group_name: Finance Team\n    folder: Finance/AP\n    roles: [Executor, Folder Administrator]\n" +
			"  - {op: set_folder_access, username: bo, folder: Finance, roles_to_add: [Executor], roles_to_remove: [Automation User]}\n" +
			"  - {op: remove_folder_access, robot_name: robot-001, folder: Finance}\n" +
			"  - {op: set_tenant_roles, email: ann@example.com, roles_to_add: Administrator}\n" +
			"  - op: update_unattended_robot\n    orchestrator_user_id: 1001\n    credential_type: Default\n" +
			"    execution_settings:\n      TracingLevel: Verbose\n      ResolutionWidth: 1920\n      LoginToConsole: true\n    limit_concurrent_execution: false\n" +
			"  - {op: update_unattended_robot, robot_name: robot-002, execution_settings: '{\"TracingLevel\": \"Information\"}'}\n" +
			"  - {op: ensure_user, email: ann@example.com, is_active: false}\n",
	},
	{
		name: "folder paths: no empty folder name, none too long, one path",
		csv: "op,email,folder,roles\n" +
			"ensure_folder,,/Finance,\n" +
			"ensure_folder,,Finance/,\n" +
			"set_folder_access,a@example.com,Finance//AP,Executor\n" +
			"remove_folder_access,b@example.com, / ,\n" +
			"ensure_folder,,Finance/" + strings.Repeat("x", 116) + ",\n" +
			"ensure_folder,,Finance/" + strings.Repeat("é", 115) + ",\n", // 115 characters: fine
		csvWant: []want{
			{2, `folder "/Finance": folder name 1 of 2 is empty: a path names a folder between each pair of '/', with none at the start or end (like Finance/AP); '/' always separates folders, so no folder name holds one`},
			{3, `folder "Finance/": folder name 2 of 2 is empty`},
			{4, `folder "Finance//AP": folder name 2 of 3 is empty`},
			{5, `folder "/": folder name 1 of 2 is empty`},
			{6, "folder name 2 of 2 is longer than 115 characters, the longest Orchestrator keeps"},
		},
		yaml:     "rows:\n  - {op: ensure_folder, folder: [Finance, Sales]}\n  - {op: set_folder_access, email: a@example.com, folder: [Finance], roles: [Executor]}\n",
		yamlWant: []want{{2, "folder must be a single folder path, not a list"}, {3, "folder must be a single folder path, not a list: give each folder its own row"}},
	},
	{
		name: "access ops: targets, the folder they need, the roles they need",
		csv: "op,user_id,email,robot_name,orchestrator_user_id,folder,roles,roles_to_add,roles_to_remove,new_password\n" +
			"set_folder_access," + groupAdmins + ",,,,Finance,Executor,,,\n" +
			"set_folder_access,,a@example.com,,,,Executor,,,\n" +
			"set_folder_access,,a@example.com,,,Finance,,,,\n" +
			"remove_folder_access,,a@example.com,,,,,,,\n" +
			"remove_folder_access,,b@example.com,,,Finance,Executor,,,\n" +
			"set_tenant_roles,,a@example.com,,,,,,,\n" +
			"set_tenant_roles,,c@example.com,,,Finance,Administrator,,,\n" +
			"ensure_folder,,a@example.com,,,,,,,\n" +
			"ensure_folder,,,,,Finance,Executor,,,\n" +
			"update_unattended_robot,,,,1001,,,,,generate\n" +
			"update_unattended_robot,,d@example.com,,,,,,,\n",
		csvWant: []want{
			{2, "user_id is not a target of set_folder_access: use one of email, username, robot_name, group_name"},
			{3, "set_folder_access needs folder: the path of the folder, like Finance/AP"},
			{4, "set_folder_access needs roles (the exact set of roles) or roles_to_add/roles_to_remove (changes to them); to take every role in the folder away, use remove_folder_access"},
			{5, "remove_folder_access needs folder"},
			{6, "remove_folder_access does not take roles (it takes: folder); it takes every role in the folder away (set_folder_access with roles_to_remove takes some)"},
			{7, "set_tenant_roles needs roles (the exact set of roles) or roles_to_add/roles_to_remove (changes to them); to take tenant roles away, name them in roles_to_remove"},
			{8, "set_tenant_roles does not take folder (it takes: roles, roles_to_add, roles_to_remove)"},
			{9, "email is not a target of ensure_folder: use one of folder"},
			{10, "ensure_folder does not take roles (it takes: no fields, only its target); set_folder_access gives an account or group roles in a folder"},
			{11, "update_unattended_robot does not take new_password (it takes: robot_username, credential_type, execution_settings, limit_concurrent_execution); set_robot_credentials sets an unattended robot's password"},
			{11, "update_unattended_robot needs at least one of robot_username, credential_type, execution_settings, limit_concurrent_execution (it never sets a password: set_robot_credentials does)"},
			{12, "email is not a target of update_unattended_robot: use one of orchestrator_user_id, username, robot_name"},
			{12, "update_unattended_robot needs at least one of"},
		},
		yaml:     "rows:\n  - {op: ensure_folder}\n  - {op: set_folder_access, email: a@example.com, username: a, folder: F, roles: [R]}\n",
		yamlWant: []want{{2, "missing target: give exactly one of folder for ensure_folder"}, {3, "more than one target (email, username)"}},
	},
	{
		name: "roles: the exact set or changes to it, not both; each role once",
		csv: "op,email,folder,roles,roles_to_add,roles_to_remove\n" +
			"set_folder_access,a@example.com,Finance,Executor,Automation User,\n" +
			"set_folder_access,b@example.com,Finance,,Executor;Automation User,EXECUTOR\n" +
			"set_tenant_roles,c@example.com,,;,,\n" +
			"set_tenant_roles,d@example.com,,,Administrator;;Tenant Reader,\n" +
			"set_folder_access,e@example.com,Finance,Executor; executor ;Automation User;,,\n" + // empty items passed over in the set
			"set_tenant_roles,f@example.com,,,," + strings.Repeat("r", 65) + "\n",
		csvWant: []want{
			{2, "a row takes roles (the exact set of roles) or roles_to_add/roles_to_remove (changes to it), not both"},
			{3, "role Executor is both in roles_to_add and roles_to_remove: keep it in one"},
			{4, "roles names no role: give at least one (role names separated by ';'); to take tenant roles away, name them in roles_to_remove"},
			{5, "roles_to_add: item 2 of 3 is empty: name a role between each pair of ';', with none at the end"},
			{7, "is longer than 64 characters, the longest role name the service keeps"},
		},
		yaml: "rows:\n  - {op: set_tenant_roles, email: a@example.com, roles: [Administrator], roles_to_remove: [Tenant Reader]}\n" +
			"  - {op: set_folder_access, email: b@example.com, folder: F, roles_to_add: [Executor, ~]}\n" +
			"  - {op: set_folder_access, email: c@example.com, folder: F, roles: []}\n" +
			"  - {op: set_tenant_roles, email: d@example.com, roles: ['Administrator;Tenant Reader']}\n",
		yamlWant: []want{{2, "not both"}, {3, "roles_to_add: item 2 of 2 is empty: name a role in each item of the list"},
			{4, "set_folder_access needs roles"},
			{5, `roles: "Administrator;Tenant Reader" holds ';', which separates the items of a list: give each role its own item`}},
	},
	{
		name: "update_unattended_robot: credential type, execution settings, boolean",
		csv: "op,orchestrator_user_id,credential_type,execution_settings,limit_concurrent_execution\n" +
			"update_unattended_robot,1,smart card,,\n" +
			"update_unattended_robot,2,Password,,\n" +
			"update_unattended_robot,3,,[1],\n" +
			"update_unattended_robot,4,,\"{\"\"a\"\":1\",\n" +
			"update_unattended_robot,5,,\"{\"\"a\"\":1,\"\"b\"\":{\"\"c\"\":1,\"\"c\"\":2}}\",\n" +
			"update_unattended_robot,6,,{} {},\n" +
			"update_unattended_robot,7,,,maybe\n" +
			"update_unattended_robot,8,,TracingLevel=Verbose,\n",
		csvWant: []want{
			{2, `credential_type "smart card" is not a credential type; did you mean "SmartCard"? (Orchestrator's are Default, SmartCard, NCipher, SafeNet, NoCredential)`},
			{3, `credential_type "Password" is not a credential type (Orchestrator's are`},
			{4, "execution_settings: a JSON list, not an object"},
			{5, "execution_settings: not valid JSON"},
			{6, `execution_settings: the key "c" appears twice in one object`},
			{7, "execution_settings: more than one JSON value"},
			{8, `limit_concurrent_execution "maybe" is not a boolean`},
			{9, "execution_settings: not valid JSON: invalid character 'T' looking for beginning of value (at character 1)"},
		},
		yaml: "rows:\n  - {op: update_unattended_robot, username: u1, credential_type: [Default]}\n" +
			"  - op: update_unattended_robot\n    username: u2\n    execution_settings: [a, b]\n" +
			"  - op: update_unattended_robot\n    username: u3\n    execution_settings:\n      1: a\n" +
			"  - {op: update_unattended_robot, username: u4, display_name: {a: 1}}\n",
		yamlWant: []want{{2, "credential_type must be a single value, one of Default, SmartCard"},
			{5, "execution_settings must be a JSON object"},
			{9, "execution_settings: a mapping whose keys are all text"},
			{10, "display_name must be a value or a list, not a mapping"},
			{10, "update_unattended_robot needs at least one of"}},
	},
	{
		name: "access rows on the same account: a conflict in the same folder, or of the same roles",
		csv: "op,email,username,group_name,orchestrator_user_id,folder,roles,roles_to_add,robot_username,credential_type,new_password\n" +
			"set_folder_access,ann@example.com,,,,Finance/AP,Executor,,,,\n" +
			"set_folder_access,ANN@example.com,,,,finance/ap,,Automation User,,,\n" + // line 3: same folder
			"remove_folder_access,ann@example.com,,,,FINANCE / AP,,,,,\n" + // line 4: same folder
			"set_folder_access,ann@example.com,,,,Finance,Executor,,,,\n" + // another folder: fine
			"set_folder_access,,ann@example.com,,,Finance/AP,Executor,,,,\n" + // another target kind: fine
			"set_tenant_roles,,,Finance Team,,,Administrator,,,,\n" +
			"set_tenant_roles,,,finance team,,,,Tenant Reader,,,\n" + // line 8
			"set_folder_access,,,Finance Team,,Finance,Executor,,,,\n" + // the tenant roles' group in a folder: fine
			"ensure_folder,,,,,Finance,,,,,\n" +
			"ensure_folder,,,,,FINANCE,,,,,\n" + // line 11: the same folder twice
			"set_robot_credentials,,svc1,,,,,,,,generate\n" +
			"update_unattended_robot,,svc1,,,,,,,SmartCard,\n" + // line 13: both write the robot
			"update_unattended_robot,,,,7,,,,CORP\\x,,\n" +
			"update_unattended_robot,,,,7,,,,,Default,\n", // line 15: both write the robot
		csvWant: []want{
			{3, "email=ANN@example.com in folder finance/ap is already changed by line 2 (set_folder_access): both rows change its roles in that folder"},
			{4, "email=ann@example.com in folder FINANCE/AP is already changed by line 2 (set_folder_access): both rows change its roles in that folder"},
			{8, "group_name=finance team is already changed by line 7 (set_tenant_roles): both rows change its tenant roles"},
			{11, "folder=FINANCE is already ensured by line 10: the same folder twice; remove one of the two rows"},
			{13, "username=svc1 is already changed by line 12 (set_robot_credentials): both rows change the unattended robot (each write replaces it whole)"},
			{15, "orchestrator_user_id=7 is already changed by line 14 (update_unattended_robot): both rows change the unattended robot"},
		},
		yaml: "rows:\n" +
			"  - {op: ensure_user, email: a@example.com, groups: [Finance]}\n" +
			"  - {op: set_tenant_roles, email: a@example.com, roles: [Administrator]}\n" +
			"  - {op: set_folder_access, email: a@example.com, folder: F, roles: [Executor]}\n" +
			"  - {op: delete_user, email: a@example.com}\n" + // line 5: deletes what line 2 ensures, not its roles
			"  - {op: update_robot_account, robot_name: r1, display_name: R}\n" +
			"  - {op: update_unattended_robot, robot_name: r1, credential_type: Default}\n", // another space
		yamlWant: []want{{5, "email=a@example.com is already named by line 2 (ensure_user), and this row deletes it"}},
	},
	{
		name: "valid set_credential_asset rows",
		csv: "op,folder,asset_name,value_for,credential_username,new_password\n" +
			"set_credential_asset,Shared/Finance,SAP Login,,CORP\\sap-svc,generate\n" +
			"set_credential_asset,Shared/Finance,SAP Login,robot-001,,generate:32\n" + // another value of the asset: fine
			"set_credential_asset,Shared/Finance,SAP Login,ann,,env:NEW_PASSWORD\n" +
			"set_credential_asset,Shared/Finance/AP,SAP Login,,,generate\n" + // the same name in another folder: fine
			"set_credential_asset, Finance , API Key ,,,generate\n" +
			"set_credential_asset,Finance,'=Formula Key,,,generate\n" +
			"set_credential_asset,Finance," + strings.Repeat("é", 256) + ",,,generate\n", // 256 characters: fine
		yaml: "defaults: {op: set_credential_asset, folder: Shared/Finance, new_password: generate}\n" +
			"rows:\n" +
			"  - {asset_name: SAP Login, credential_username: 'CORP\\sap-svc'}\n" +
			"  - {asset_name: SAP Login, value_for: robot-001}\n" +
			"  - {asset_name: API Key, folder: Finance, new_password: env:NEW_PASSWORD}\n",
	},
	{
		name: "set_credential_asset: its target, the folder and the new password it needs, what it takes",
		csv: "op,username,robot_name,folder,asset_name,value_for,credential_username,robot_username,new_password\n" +
			"set_credential_asset,,,,SAP Login,,,,generate\n" +
			"set_credential_asset,,,Finance,SAP Login,,CORP\\sap,,\n" +
			"set_credential_asset,,,Finance,,,,,generate\n" +
			"set_credential_asset,,robot-001,Finance,SAP Login,,,,generate\n" +
			"set_credential_asset,ann,,Finance,,,,,generate\n" +
			"set_credential_asset,,,Finance,SAP Login,,,CORP\\sap,generate\n" +
			"set_robot_credentials,ann,,,,,CORP\\ann,,generate\n" +
			"update_user,ann,,,SAP Login,,,,\n" +
			"set_credential_asset,,,Finance/,SAP Login,,,,generate\n" +
			"set_credential_asset,,,Finance,SAP Login,,,,Literal-Pass-99\n" +
			"set_credential_asset,,,Finance," + strings.Repeat("x", 257) + ",,,,generate\n" +
			"set_credential_asset,,,Finance,Key,,x" + strings.Repeat("y", 512) + ",,generate\n",
		csvWant: []want{
			{2, "set_credential_asset needs folder: the path of the folder the asset is in (an asset's name is unique only within its folder), like Finance/AP"},
			{3, "set_credential_asset needs new_password (env:NAME, file:PATH, generate or generate:LENGTH): the credential's new password or the secret's new value; the user name alone is not rotated"},
			{4, "missing target: give exactly one of asset_name for set_credential_asset"},
			{5, "set_credential_asset does not take robot_name (it takes: folder, value_for, credential_username, new_password); to change one robot's or user's value of the asset, name the robot or user in value_for"},
			{6, "username is not a target of set_credential_asset: use one of asset_name; to change one robot's or user's value of the asset, name the robot or user in value_for"},
			{7, "set_credential_asset does not take robot_username (it takes: folder, value_for, credential_username, new_password); a credential asset's user name is credential_username"},
			{8, "set_robot_credentials does not take credential_username (it takes: robot_username, new_password); a robot's user name is robot_username (credential_username is a credential asset's)"},
			{9, "more than one target (username, asset_name)"},
			{10, `folder "Finance/": folder name 2 of 2 is empty`},
			{11, "new_password: a password written in the manifest is refused; use env:NAME, file:PATH, generate or generate:LENGTH, or pass --allow-literal-secrets"},
			{12, "is longer than 256 characters, the longest asset name Orchestrator keeps"},
			{13, "credential_username \"xyyyyyyyyyy"},
		},
		yaml: "rows:\n  - {op: set_credential_asset, folder: Finance, asset_name: [A, B], new_password: generate}\n" +
			"  - {op: set_credential_asset, folder: Finance, asset_name: A, value_for: [robot-001, robot-002], new_password: generate}\n" +
			"  - {op: set_credential_asset, folder: Finance, asset_name: B, credential_username: [a], new_password: generate}\n" +
			"  - {op: set_credential_asset, folder: Finance, asset_name: C, new_password: Literal-Pass-99}\n",
		yamlWant: []want{{2, "asset_name must be a single value, not a list"},
			{3, "value_for must be a single robot or user name, not a list: give each robot's or user's value its own row"},
			{4, "credential_username must be a single value, not a list"},
			{5, "new_password: a password written in the manifest is refused"}},
	},
	{
		name: "set_credential_asset rows on one asset: a conflict on the same value, none between values",
		csv: "op,email,folder,asset_name,value_for,credential_username,new_password\n" +
			"set_credential_asset,,Finance,SAP Login,,,generate\n" +
			"set_credential_asset,,FINANCE,sap login,,CORP\\x,generate\n" + // line 3: the asset's own value again
			"set_credential_asset,,Finance,SAP Login,robot-001,,generate\n" +
			"set_credential_asset,,Finance,SAP Login,Robot-001,CORP\\y,generate\n" + // line 5: robot-001's value again
			"set_credential_asset,,Finance,SAP Login,robot-002,,generate\n" +
			"set_credential_asset,,Finance/AP,SAP Login,,,generate\n" +
			"set_password,,,,,,generate\n" +
			"set_folder_access,,Finance,,,,\n",
		csvWant: []want{
			{3, "asset_name=sap login in folder FINANCE is already changed by line 2 (set_credential_asset): both rows change the password, and a run applies rows in parallel, in no fixed order; merge them into one row or move one to another manifest"},
			{5, "asset_name=SAP Login in folder Finance (its value for Robot-001) is already changed by line 4 (set_credential_asset): both rows change the password"},
			{8, "missing target"},
			{9, "missing target"},
			{9, "set_folder_access needs roles"},
		},
		yaml: "rows:\n" +
			"  - {op: set_credential_asset, folder: F, asset_name: A, value_for: u, credential_username: x, new_password: generate}\n" +
			"  - {op: set_credential_asset, folder: F, asset_name: A, value_for: U, new_password: generate:20}\n" +
			"  - {op: ensure_folder, folder: F}\n" + // the folder and an asset in it: fine
			"  - {op: set_folder_access, robot_name: u, folder: F, roles: [Executor]}\n",
		yamlWant: []want{{3, "asset_name=A in folder F (its value for U) is already changed by line 2 (set_credential_asset): both rows change the password"}},
	},
	{
		name:     "missing target of an unknown op lists every target column",
		csv:      "op,name\nmake_user,Ann\n",
		csvWant:  []want{{2, `unknown op "make_user"`}, {2, "missing target: give exactly one target column (user_id, email, username, robot_account_id, robot_name, orchestrator_user_id, group_id, group_name, folder, asset_name)"}},
		yaml:     "rows:\n  - {op: delete_users, group_name: G}\n",
		yamlWant: []want{{2, `unknown op "delete_users"; did you mean "delete_user"?`}},
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
