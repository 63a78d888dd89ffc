package manifest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples validates every manifest in examples/: the broken ones list
// their problems, the others are clean.
func TestExamples(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"*.csv", "*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
		paths = append(paths, m...)
	}
	if len(paths) < 4 {
		t.Fatalf("examples: found only %v", paths)
	}
	brokenWant := map[string][]want{
		"broken.csv": {
			{1, `unknown column "dispaly_name"; did you mean "display_name"?`},
			{2, "is not a group GUID"},
			{3, `is_active "maybe" is not a boolean`},
			{4, "update_user cannot change an e-mail address"},
			{7, "already changed by line 5"},
			{9, `unknown op "remove_user"`},
			{8, "--allow-literal-secrets"},
			{10, "missing target"},
			{11, "set_password does not take name"},
			{11, "generate:8 is too short"},
		},
		"broken.yaml": {
			{5, `unknown top-level key "row"`},
			{13, "does not take is_active"},
			{14, "email is not a target of update_robot_account"},
			{18, `unknown key "robot_usrname"`},
			{19, "BATCH_EXAMPLE_UNSET_VARIABLE is not set"},
			{20, "change_password needs old_password"},
			// Line 9's row is valid (plan finds whether its group
			// exists), and line 23's changes its display name too.
			{23, "already changed by line 9"},
		},
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			var got []Problem
			rows, err := Validate(context.Background(), path, Options{LookupEnv: testEnv}, func(p Problem) { got = append(got, p) })
			if err != nil {
				t.Fatal(err)
			}
			if rows == 0 {
				t.Error("no rows")
			}
			wants, broken := brokenWant[name]
			if !broken && !strings.HasPrefix(name, "broken") {
				checkProblems(t, got, nil)
				return
			}
			if len(got) == 0 {
				t.Fatal("a broken example validates clean")
			}
			checkProblems(t, got, wants)
			for _, p := range got {
				if !strings.HasPrefix(p.String(), fmt.Sprintf("%s:%d: ", path, p.Source.Line)) {
					t.Errorf("problem %q is not FILE:LINE: message", p)
				}
			}
		})
	}
}
