package export

import (
	"strings"
	"testing"
)

func TestChooseChecksKindAndRotation(t *testing.T) {
	for _, tc := range []struct {
		kind     Kind
		rotate   bool
		userName string
		rotation bool
		err      string
	}{
		{Users, false, "", false, ""},
		{RobotAccounts, false, "", false, ""},
		{Users, true, "", true, ""},
		{Users, true, "svc-*", true, ""},
		{RobotCredentials, false, "", true, ""},
		{RobotCredentials, false, "robot-0*", true, ""},
		{Groups, false, "", false, ""},
		{"teams", false, "", false, `export "teams"`},
		{Groups, true, "", false, "--rotate goes with export users"},
		{Groups, false, "x*", false, "--username narrows a rotation"},
		{RobotAccounts, true, "", false, "--rotate goes with export users"},
		{RobotCredentials, true, "", false, "--rotate goes with export users"},
		{Users, false, "svc-*", false, "--username narrows a rotation"},
		{RobotCredentials, false, "[", false, "pattern"},
	} {
		rot, err := Choose(tc.kind, tc.rotate, tc.userName)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s rotate=%v username=%q: err %v, want %q", tc.kind, tc.rotate, tc.userName, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s rotate=%v username=%q: %v", tc.kind, tc.rotate, tc.userName, err)
		case tc.err == "" && (rot != nil) != tc.rotation:
			t.Errorf("%s rotate=%v: rotation %+v, want one: %v", tc.kind, tc.rotate, rot, tc.rotation)
		case rot != nil && rot.UserName != tc.userName:
			t.Errorf("%s: rotation narrowed to %q, want %q", tc.kind, rot.UserName, tc.userName)
		}
	}
}

func TestLeftOutSaysWhereThePasswordsAreChanged(t *testing.T) {
	var none *Rotation
	if got := none.LeftOut(Users); got != "" {
		t.Errorf("a plain export left out %q", got)
	}
	if got := (&Rotation{}).LeftOut(RobotCredentials); got != "" {
		t.Errorf("nothing skipped, yet %q", got)
	}
	if got := (&Rotation{Skipped: 5}).LeftOut(RobotCredentials); !strings.Contains(got, "5 robots") || !strings.Contains(got, "external credential store") {
		t.Errorf("robots: %q", got)
	}
	if got := (&Rotation{Skipped: 2}).LeftOut(Users); !strings.Contains(got, "2 directory users") {
		t.Errorf("users: %q", got)
	}
}
