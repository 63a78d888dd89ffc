package export

import "testing"

// A folder glob matches name by name, in any case: * and ? within a
// name, ** across any number of names (none included).
func TestFolderGlobs(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"", "Anything/At/All", true},
		{"Finance", "Finance", true},
		{"Finance", "finance", true},
		{"finance", "Finance/AP", false},
		{"Finance/*", "Finance/AP", true},
		{"Finance/*", "Finance", false},
		{"Finance/*", "Finance/AP/2024", false},
		{"Finance/**", "Finance", true},
		{"Finance/**", "Finance/AP/2024", true},
		{"Finance/**", "Financial", false},
		{"**/AP", "Finance/AP", true},
		{"**/AP", "AP", true},
		{"**/AP", "Finance/AP/Archive", false},
		{"Fin*/A?", "Finance/AP", true},
		{"Fin*", "Finance/AP", false},
		{"**", "Shared/HR", true},
		{"/Finance/", "Finance", true},
		{`Ops/\*`, "Ops/*", true},
		{`Ops/\*`, "Ops/Night", false},
	} {
		if got := (Filter{Folder: tc.glob}).MatchesFolder(tc.path); got != tc.want {
			t.Errorf("--folder %q on %q: %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func TestNameGlobs(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"", "anything", true},
		{"db-*", "DB-Login", true},
		{"db-*", "sap-login", false},
		{"*login", "SAP Login", true},
		{"sap?login", "SAP Login", true},
	} {
		if got := (Filter{Name: tc.glob}).MatchesName(tc.name); got != tc.want {
			t.Errorf("--name %q on %q: %v, want %v", tc.glob, tc.name, got, tc.want)
		}
	}
}
