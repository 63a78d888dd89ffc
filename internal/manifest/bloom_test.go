package manifest

import (
	"fmt"
	"hash/maphash"
	"strings"
	"testing"
)

// TestConflictsExactDespiteBloomFalsePositives shrinks the filter until
// almost every key is a candidate: only true conflicts may be reported.
func TestConflictsExactDespiteBloomFalsePositives(t *testing.T) {
	saved := bloomBits
	t.Cleanup(func() { bloomBits = saved })
	var b strings.Builder
	b.WriteString("op,email,name,surname\n")
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "update_user,user%05d@example.com,N%d,\n", i, i)
	}
	b.WriteString("update_user,USER00007@example.com,,Seven\n") // line 502: another field, fine
	b.WriteString("update_user,user00042@example.com,Again,\n") // line 503: conflicts with line 43
	for _, bits := range []uint{6, 10, bloomLog2Bits} {
		bloomBits = bits
		got, rows := validateText(t, "m.csv", b.String(), Options{})
		if rows != 502 {
			t.Errorf("bits %d: rows = %d", bits, rows)
		}
		checkProblems(t, got, []want{{503, "email=user00042@example.com is already changed by line 43 (update_user): both rows change name"}})
	}
}

func TestBloomAddSeen(t *testing.T) {
	f := newBloom(16, 4, maphash.MakeSeed())
	if f.addSeen("a") {
		t.Error("first add seen")
	}
	if !f.addSeen("a") {
		t.Error("second add not seen")
	}
	fp := 0
	for i := 0; i < 1000; i++ {
		if f.addSeen(fmt.Sprint("k", i)) {
			fp++
		}
	}
	if fp > 20 {
		t.Errorf("%d false positives in 1000 keys over 65536 bits", fp)
	}
}

func TestSuggestions(t *testing.T) {
	for in, want := range map[string]string{"emial": "email", "usrname": "username", "dispaly_name": "display_name", "xyz": "", "group_id_to_add": "groups_to_add", "groups_to_ad": "groups_to_add"} {
		if got := suggestColumn(in); got != want {
			t.Errorf("suggestColumn(%q) = %q, want %q", in, got, want)
		}
	}
	// Names other tools give a column, and the column without its
	// separators, find it too.
	for in, want := range map[string]string{
		"first_name": "name", "firstname": "name", "given_name": "name",
		"lastname": "surname", "last_name": "surname", "family_name": "surname",
		"displayname": "display_name", "user_name": "username", "user id": "user_id", "e-mail": "email",
		"password": "new_password", "old_pass": "old_password",
		"groups_add": "groups_to_add", "add_groups": "groups_to_add", "group_ids_add": "groups_to_add",
		"groups_remove": "groups_to_remove", "remove_groups": "groups_to_remove",
		"groups_to_delete": "groups_to_remove", "member_of": "groups",
	} {
		if got := suggestColumn(normalizeColumn(in)); got != want {
			t.Errorf("suggestColumn(%q) = %q, want %q", in, got, want)
		}
	}
	if got := suggestOp("set_pasword"); got != "set_password" {
		t.Errorf("suggestOp = %q", got)
	}
}

// Every synonym names a known column and is no known column's own
// squashed name (which would shadow it), and no two known columns squash
// alike.
func TestColumnSynonymsAreSound(t *testing.T) {
	for name, col := range columnSynonyms {
		if _, ok := colIndex[col]; !ok {
			t.Errorf("synonym %q names %q, not a column", name, col)
		}
		if c, ok := squashedColumns[name]; ok {
			t.Errorf("synonym %q is the squashed name of %q", name, c)
		}
		if squashColumn(name) != name {
			t.Errorf("synonym %q is not squashed", name)
		}
	}
	if n := len(knownColumns) + len(columnAliases); len(squashedColumns) != n {
		t.Errorf("%d squashed names for %d columns and older names: two squash alike", len(squashedColumns), n)
	}
}

// An unknown column's problem suggests the column it probably means.
func TestUnknownColumnSuggestsTheColumnMeant(t *testing.T) {
	csv := "op,email,first_name,LastName,password,groups_add\nupdate_user,a@example.com,Ann,Lee,env:NEW_PASSWORD,Finance\n"
	got, _ := validateText(t, "m.csv", csv, Options{})
	checkProblems(t, got, []want{
		{1, `unknown column "first_name"; did you mean "name"?`},
		{1, `unknown column "LastName"; did you mean "surname"?`},
		{1, `unknown column "password"; did you mean "new_password"?`},
		{1, `unknown column "groups_add"; did you mean "groups_to_add"?`},
	})
	yaml := "rows:\n  - op: update_user\n    email: a@example.com\n    displayname: Ann\n    user_name: ann\n"
	got, _ = validateText(t, "m.yaml", yaml, Options{})
	checkProblems(t, got, []want{
		{4, `unknown key "displayname"; did you mean "display_name"?`},
		{5, `unknown key "user_name"; did you mean "username"?`},
	})
}

func TestConflictNamesTheEarliestOwner(t *testing.T) {
	csv := "op,username,name,surname,display_name\n" +
		"update_user,u1,A,,\n" + // line 2 owns name
		"update_user,u1,,B,\n" + // line 3 owns surname
		"update_user,u1,,C,D\n" + // line 4: surname is line 3's
		"update_user,u1,E,F,\n" // line 5: name (line 2) is the earliest
	got, _ := validateText(t, "m.csv", csv, Options{})
	checkProblems(t, got, []want{
		{4, "username=u1 is already changed by line 3 (update_user): both rows change surname,"},
		{5, "already changed by line 2 (update_user): both rows change name,"},
	})
}
