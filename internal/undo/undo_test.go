package undo

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/secret"
)

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }

func job(op manifest.Op, kind manifest.TargetKind, value string) *manifest.Job {
	return &manifest.Job{Row: 1, Source: manifest.Source{File: "m.csv", Line: 7}, Op: op,
		Target: manifest.Target{Kind: kind, Value: value}}
}

func with(j *manifest.Job, f func(*manifest.Job)) *manifest.Job { f(j); return j }

// ann is a user as read before a row's write.
var ann = Before{Kind: KindUser, Exists: true, ID: "u-1", Email: "ann@example.com", UserName: "ann",
	Name: "Ann", Surname: "Lee", DisplayName: "Ann Lee", IsActive: true, Groups: []string{"Everyone", "Finance"}}

var bot = Before{Kind: KindRobot, Exists: true, ID: "r-1", Name: "bot-1", DisplayName: "Bot One", Groups: []string{"Robots"}}

func TestComputeEveryOp(t *testing.T) {
	tests := []struct {
		name   string
		job    *manifest.Job
		before Before
		rows   []entry
		notes  []string // substrings, one per note
	}{
		{
			name: "update_user fields and groups back to their values",
			job: with(job(manifest.OpUpdateUser, manifest.TargetUserID, "u-1"), func(j *manifest.Job) {
				j.Name, j.DisplayName, j.IsActive, j.InvitationAccepted = sp("Anna"), sp("Ann Lee"), bp(false), bp(true)
				j.GroupsToAdd, j.GroupsToRemove = []string{"Sales", "finance"}, []string{"FINANCE", "Nope"}
			}),
			before: ann,
			rows: []entry{{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: "ann@example.com",
				Name: sp("Ann"), IsActive: bp(true), Invitation: bp(false), Add: []string{"FINANCE"}, Remove: []string{"Sales"}}},
		},
		{
			name:   "update_user that changes nothing",
			job:    with(job(manifest.OpUpdateUser, manifest.TargetEmail, "ann@example.com"), func(j *manifest.Job) { j.Surname, j.GroupsToAdd = sp("Lee"), []string{"Everyone"} }),
			before: ann,
		},
		{
			name: "update_user exact groups turned into their delta",
			job: with(job(manifest.OpUpdateUser, manifest.TargetEmail, "ann@example.com"), func(j *manifest.Job) {
				j.Groups = []string{"everyone", "Sales"}
			}),
			before: ann,
			rows:   []entry{{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: "ann@example.com", Add: []string{"Finance"}, Remove: []string{"Sales"}}},
		},
		{
			name:   "update_user of a field empty before",
			job:    with(job(manifest.OpUpdateUser, manifest.TargetEmail, "bo@example.com"), func(j *manifest.Job) { j.Surname, j.Name = sp("Smith"), sp("Bo") }),
			before: Before{Kind: KindUser, Exists: true, ID: "u-2", Email: "bo@example.com", Name: "B"},
			rows:   []entry{{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: "bo@example.com", Name: sp("B")}},
			notes:  []string{"m.csv:7 update_user email=bo@example.com: surname was empty before the run"},
		},
		{
			name:   "update_user of a user without email is named by id",
			job:    with(job(manifest.OpUpdateUser, manifest.TargetUsername, "cy"), func(j *manifest.Job) { j.BypassBasicAuthRestriction = bp(true) }),
			before: Before{Kind: KindUser, Exists: true, ID: "u-3", UserName: "cy"},
			rows:   []entry{{Op: manifest.OpUpdateUser, T: manifest.TargetUserID, V: "u-3", Bypass: bp(false)}},
		},
		{
			name:   "ensure_user that creates is deleted",
			job:    with(job(manifest.OpEnsureUser, manifest.TargetEmail, "new@example.com"), func(j *manifest.Job) { j.Name, j.GroupsToAdd = sp("New"), []string{"Finance"} }),
			before: Before{Kind: KindUser},
			rows:   []entry{{Op: manifest.OpDeleteUser, T: manifest.TargetEmail, V: "new@example.com"}},
		},
		{
			name: "ensure_user on an existing user is an update back",
			job: with(job(manifest.OpEnsureUser, manifest.TargetEmail, "ann@example.com"), func(j *manifest.Job) {
				j.Surname, j.GroupsToAdd, j.GroupsToRemove = sp("Li"), []string{"Sales"}, []string{"Finance"}
				j.InitialPassword = &manifest.SecretRef{Kind: manifest.SecretGenerate}
			}),
			before: ann,
			rows: []entry{{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: "ann@example.com",
				Surname: sp("Lee"), Add: []string{"Finance"}, Remove: []string{"Sales"}}},
		},
		{
			name:   "delete_user is created again with its fields and groups",
			job:    job(manifest.OpDeleteUser, manifest.TargetUserID, "u-1"),
			before: with2(ann, func(b *Before) { b.IsActive, b.BypassBasicAuthRestriction = false, true }),
			rows: []entry{{Op: manifest.OpEnsureUser, T: manifest.TargetEmail, V: "ann@example.com", UserName: sp("ann"),
				Name: sp("Ann"), Surname: sp("Lee"), DisplayName: sp("Ann Lee"), Bypass: bp(true), Groups: []string{"Everyone", "Finance"}}},
			notes: []string{"m.csv:7 delete_user user_id=u-1: the user it deleted (id u-1) is created again with a new id and no password; it was inactive"},
		},
		{
			name:   "delete_user of a user without email",
			job:    job(manifest.OpDeleteUser, manifest.TargetUsername, "cy"),
			before: Before{Kind: KindUser, Exists: true, ID: "u-3", UserName: "cy"},
			notes:  []string{"had no email"},
		},
		{
			name:   "delete_user of a user gone already",
			job:    job(manifest.OpDeleteUser, manifest.TargetEmail, "gone@example.com"),
			before: Before{Kind: KindUser},
		},
		{
			name: "update_robot_account",
			job: with(job(manifest.OpUpdateRobotAccount, manifest.TargetRobotAccountID, "r-1"), func(j *manifest.Job) {
				j.DisplayName, j.GroupsToAdd, j.GroupsToRemove = sp("Bot 1"), []string{"Ops"}, []string{"robots"}
			}),
			before: bot,
			rows: []entry{{Op: manifest.OpUpdateRobotAccount, T: manifest.TargetRobotName, V: "bot-1",
				DisplayName: sp("Bot One"), Add: []string{"robots"}, Remove: []string{"Ops"}}},
		},
		{
			name:   "ensure_robot_account that creates is deleted",
			job:    job(manifest.OpEnsureRobotAccount, manifest.TargetRobotName, "bot-9"),
			before: Before{Kind: KindRobot},
			rows:   []entry{{Op: manifest.OpDeleteRobotAccount, T: manifest.TargetRobotName, V: "bot-9"}},
		},
		{
			name:   "ensure_robot_account on an existing one",
			job:    with(job(manifest.OpEnsureRobotAccount, manifest.TargetRobotName, "bot-1"), func(j *manifest.Job) { j.Groups = []string{"Ops"} }),
			before: bot,
			rows:   []entry{{Op: manifest.OpUpdateRobotAccount, T: manifest.TargetRobotName, V: "bot-1", Add: []string{"Robots"}, Remove: []string{"Ops"}}},
		},
		{
			name:   "delete_robot_account is created again",
			job:    job(manifest.OpDeleteRobotAccount, manifest.TargetRobotName, "bot-1"),
			before: bot,
			rows:   []entry{{Op: manifest.OpEnsureRobotAccount, T: manifest.TargetRobotName, V: "bot-1", DisplayName: sp("Bot One"), Groups: []string{"Robots"}}},
			notes:  []string{"(id r-1) is created again with a new id"},
		},
		{
			name:   "ensure_group that creates is deleted",
			job:    job(manifest.OpEnsureGroup, manifest.TargetGroupName, "Migrated"),
			before: Before{Kind: KindGroup},
			rows:   []entry{{Op: manifest.OpDeleteGroup, T: manifest.TargetGroupName, V: "Migrated"}},
		},
		{
			name:   "ensure_group of an existing group",
			job:    job(manifest.OpEnsureGroup, manifest.TargetGroupName, "Finance"),
			before: Before{Kind: KindGroup, Exists: true, ID: "g-1", Name: "Finance"},
		},
		{
			name:   "delete_group is created again with its members",
			job:    job(manifest.OpDeleteGroup, manifest.TargetGroupID, "g-2"),
			before: Before{Kind: KindGroup, Exists: true, ID: "g-2", Name: "Old", Members: []Member{{Email: "ann@example.com"}, {RobotName: "bot-1"}, {}}},
			rows: []entry{
				{Op: manifest.OpEnsureGroup, T: manifest.TargetGroupName, V: "Old"},
				{Op: manifest.OpUpdateUser, T: manifest.TargetEmail, V: "ann@example.com", Add: []string{"Old"}},
				{Op: manifest.OpUpdateRobotAccount, T: manifest.TargetRobotName, V: "bot-1", Add: []string{"Old"}},
			},
			notes: []string{"m.csv:7 delete_group group_id=g-2: the group it deleted (id g-2) is created again with a new id"},
		},
		{
			name:   "set_password is not undoable",
			job:    with(job(manifest.OpSetPassword, manifest.TargetEmail, "ann@example.com"), func(j *manifest.Job) { j.NewPassword = &manifest.SecretRef{Kind: manifest.SecretGenerate} }),
			before: ann,
			notes:  []string{"m.csv:7 set_password email=ann@example.com: the password it set cannot be put back"},
		},
		{
			name:  "change_password is not undoable",
			job:   job(manifest.OpChangePassword, manifest.TargetEmail, "ann@example.com"),
			notes: []string{"change_password email=ann@example.com: the password it set cannot be put back"},
		},
		{
			name:  "set_robot_credentials is not undoable",
			job:   with(job(manifest.OpSetRobotCredentials, manifest.TargetUsername, "svc"), func(j *manifest.Job) { j.RobotUsername = sp(`DOM\svc`) }),
			notes: []string{"set_robot_credentials username=svc: the robot password and robot_username it set cannot be put back"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := Compute(tt.job, tt.before)
			if err != nil {
				t.Fatal(err)
			}
			if tt.rows == nil && tt.notes == nil {
				if raw != nil {
					t.Fatalf("payload = %s, want none", raw)
				}
				return
			}
			var p payload
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("payload %s: %v", raw, err)
			}
			if p.Source != "m.csv:7" {
				t.Errorf("source = %q", p.Source)
			}
			if !reflect.DeepEqual(p.Rows, tt.rows) {
				t.Errorf("rows:\n got %s\nwant %s", dump(p.Rows), dump(tt.rows))
			}
			if len(p.Notes) != len(tt.notes) {
				t.Fatalf("notes = %q, want %d", p.Notes, len(tt.notes))
			}
			for i, n := range tt.notes {
				if !strings.Contains(p.Notes[i], n) {
					t.Errorf("note %d = %q, want it to hold %q", i, p.Notes[i], n)
				}
			}
		})
	}
}

func TestComputeRefusesAStateOfAnotherKind(t *testing.T) {
	if _, err := Compute(job(manifest.OpUpdateUser, manifest.TargetEmail, "a@example.com"), bot); err == nil {
		t.Fatal("a robot's state for an update_user row: no error")
	}
	if _, err := Compute(job("rename_user", manifest.TargetEmail, "a@example.com"), ann); err == nil {
		t.Fatal("an unknown op: no error")
	}
}

// TestComputeHoldsNoSecret: a payload never holds a password, whatever
// the row's secret cells say.
func TestComputeHoldsNoSecret(t *testing.T) {
	const pw = "Literal-Secret-7781!"
	for _, op := range []manifest.Op{manifest.OpSetPassword, manifest.OpChangePassword, manifest.OpSetRobotCredentials, manifest.OpEnsureUser} {
		j := with(job(op, manifest.TargetEmail, "ann@example.com"), func(j *manifest.Job) {
			lit := manifest.LiteralSecret(secret.New(pw))
			ref := &lit
			j.NewPassword, j.OldPassword, j.InitialPassword = ref, ref, ref
		})
		for _, b := range []Before{{}, {Kind: KindUser}, ann} {
			if b.Kind != 0 && kindOf(op) != b.Kind {
				continue
			}
			raw, err := Compute(j, b)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), pw) {
				t.Fatalf("%s: payload holds the password: %s", op, raw)
			}
		}
	}
}

func with2(b Before, f func(*Before)) Before { f(&b); return b }

func dump(v any) string { b, _ := json.Marshal(v); return string(b) }

// A row whose state was not read is listed as not undoable, with why.
func TestUnknownIsANote(t *testing.T) {
	j := with(job(manifest.OpUpdateUser, manifest.TargetUserID, "u-9"), func(j *manifest.Job) { j.Name = sp("X") })
	raw, err := Unknown(j, "its state before was not read")
	if err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 0 || len(p.Notes) != 1 || p.Notes[0] != "m.csv:7 update_user user_id=u-9: its state before was not read" {
		t.Fatalf("payload = %s", raw)
	}
}
