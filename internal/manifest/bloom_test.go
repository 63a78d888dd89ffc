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
	if got := suggestOp("set_pasword"); got != "set_password" {
		t.Errorf("suggestOp = %q", got)
	}
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
