package export

import (
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
)

func TestChooseChecksKindAndRotation(t *testing.T) {
	for _, tc := range []struct {
		kinds    Kinds
		rotate   bool
		userName string
		rotation bool
		err      string
	}{
		{Kinds{Users}, false, "", false, ""},
		{Kinds{RobotAccounts}, false, "", false, ""},
		{Kinds{Groups}, false, "", false, ""},
		{Kinds{Groups, Users, RobotAccounts}, false, "", false, ""},
		{Kinds{Access}, false, "", false, ""},
		{Kinds{Groups, Users, RobotAccounts, Access}, false, "", false, ""},
		{Kinds{Access}, true, "", false, "--rotate goes with export users"},
		{Kinds{Access, RobotCredentials}, false, "", false, "exported alone"},
		{Kinds{Access}, false, "x*", false, "--username narrows a rotation"},
		{Kinds{Users}, true, "", true, ""},
		{Kinds{Users}, true, "svc-*", true, ""},
		{Kinds{RobotCredentials}, false, "", true, ""},
		{Kinds{RobotCredentials}, false, "robot-0*", true, ""},
		{Kinds{Assets}, false, "", true, ""},
		{Kinds{Inventory}, false, "", false, ""},
		{nil, false, "", false, "name what to export"},
		{Kinds{"teams"}, false, "", false, `export "teams"`},
		{Kinds{Users, "teams"}, false, "", false, `export "teams"`},
		{Kinds{Users, Groups, Users}, false, "", false, "named twice"},
		{Kinds{Users, Groups}, true, "", false, "exported alone"},
		{Kinds{Groups, RobotCredentials}, false, "", false, "exported alone"},
		{Kinds{Assets, RobotCredentials}, false, "", false, "exported alone"},
		{Kinds{Users, Inventory}, false, "", false, "exported alone"},
		{Kinds{Groups}, true, "", false, "--rotate goes with export users"},
		{Kinds{Groups}, false, "x*", false, "--username narrows a rotation"},
		{Kinds{Users, Groups}, false, "x*", false, "--username narrows a rotation"},
		{Kinds{RobotAccounts}, true, "", false, "--rotate goes with export users"},
		{Kinds{RobotCredentials}, true, "", false, "--rotate goes with export users"},
		{Kinds{Assets}, true, "", false, "--rotate goes with export users"},
		{Kinds{Assets}, false, "svc-*", false, "--username narrows a rotation"},
		{Kinds{Inventory}, false, "svc-*", false, "--username narrows a rotation"},
		{Kinds{Users}, false, "svc-*", false, "--username narrows a rotation"},
		{Kinds{RobotCredentials}, false, "[", false, "pattern"},
	} {
		rot, err := Choose(tc.kinds, Options{Rotate: tc.rotate, UserName: tc.userName})
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s rotate=%v username=%q: err %v, want %q", tc.kinds, tc.rotate, tc.userName, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s rotate=%v username=%q: %v", tc.kinds, tc.rotate, tc.userName, err)
		case tc.err == "" && (rot != nil) != tc.rotation:
			t.Errorf("%s rotate=%v: rotation %+v, want one: %v", tc.kinds, tc.rotate, rot, tc.rotation)
		case rot != nil && rot.UserName != tc.userName:
			t.Errorf("%s: rotation narrowed to %q, want %q", tc.kinds, rot.UserName, tc.userName)
		}
	}
}

// --folder and --name narrow export assets alone, and a glob they cannot
// use is refused before anything is read.
func TestChooseTakesAssetFiltersForAssetsAlone(t *testing.T) {
	f := Filter{Folder: "Finance/**", Name: "db-*"}
	rot, err := Choose(Kinds{Assets}, Options{Filter: f})
	if err != nil || rot == nil || rot.Filter != f {
		t.Fatalf("assets: rotation %+v, %v", rot, err)
	}
	for _, tc := range []struct {
		kinds Kinds
		f     Filter
		err   string
	}{
		{Kinds{RobotCredentials}, Filter{Folder: "Finance"}, "--folder and --name narrow export assets"},
		{Kinds{Inventory}, Filter{Name: "x"}, "--folder and --name narrow export assets"},
		{Kinds{Users}, Filter{Name: "x"}, "--folder and --name narrow export assets"},
		{Kinds{Assets}, Filter{Folder: "Fin[ance"}, `--folder "Fin[ance"`},
		{Kinds{Assets}, Filter{Name: "db-[x"}, `--name "db-[x"`},
	} {
		if _, err := Choose(tc.kinds, Options{Filter: tc.f}); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %+v: err %v, want %q", tc.kinds, tc.f, err, tc.err)
		}
	}
}

// Several kinds share one manifest: the columns their rows fill, each
// once, in the manifest's canonical order (which the writer accepts).
func TestColumnsOfSeveralKinds(t *testing.T) {
	for _, tc := range []struct {
		kinds Kinds
		want  string
	}{
		{Kinds{Users}, "op,email,username,name,surname,display_name,is_active,bypass_basic_auth_restriction,groups"},
		{Kinds{RobotAccounts}, "op,robot_name,display_name,groups"},
		{Kinds{Groups}, "op,group_name"},
		{Kinds{RobotAccounts, Groups, Users}, "op,email,username,robot_name,group_name,name,surname,display_name,is_active,bypass_basic_auth_restriction,groups"},
		{Kinds{Access}, "op,email,username,robot_name,group_name,folder,roles,robot_username,credential_type,execution_settings,limit_concurrent_execution"},
		{Kinds{Groups, Users, RobotAccounts, Access}, "op,email,username,robot_name,group_name,folder,name,surname,display_name,is_active," +
			"bypass_basic_auth_restriction,groups,roles,robot_username,credential_type,execution_settings,limit_concurrent_execution"},
	} {
		cols := Columns(tc.kinds)
		if got := strings.Join(cols, ","); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.kinds, got, tc.want)
		}
		var buf strings.Builder
		w, err := manifest.NewWriter(&buf, manifest.CSV, cols)
		if err == nil {
			err = w.Close()
		}
		if err != nil || buf.String() != tc.want+"\n" {
			t.Errorf("%s: the writer's header %q, %v", tc.kinds, buf.String(), err)
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
	rot := &Rotation{}
	for _, why := range []string{skipExternal, skipExternal, skipReadOnly, "signing in with SmartCard", "signing in with NoCredential"} {
		rot.skip(why)
	}
	if got := rot.LeftOut(RobotCredentials); !strings.Contains(got, "5 robots") || !strings.Contains(got, "2 in an external credential store") ||
		!strings.Contains(got, "1 in a read-only credential store") || !strings.Contains(got, "1 signing in with SmartCard") {
		t.Errorf("robots: %q", got)
	}
	if got := (&Rotation{Skipped: 2}).LeftOut(Users); !strings.Contains(got, "2 directory users") {
		t.Errorf("users: %q", got)
	}
}
