package export

import (
	"fmt"
	"path"
	"strings"

	"github.com/uipath-batch/batch/internal/manifest"
)

// Filter narrows a rotation export of assets: by folder path and by asset
// name. An empty glob matches everything.
type Filter struct {
	// Folder is a glob a folder's path must match, case-insensitively,
	// name by name: * and ? stay within a folder name, ** stands for any
	// number of folder names (none included), so Finance/** is Finance
	// and every folder below it.
	Folder string
	// Name is a glob (path.Match, case-insensitive) the asset's name must
	// match.
	Name string
}

// check reports a glob of f that cannot be used.
func (f Filter) check() error {
	for _, seg := range manifest.FolderSegments(strings.ToLower(f.Folder)) {
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("--folder %q: %w", f.Folder, err)
		}
	}
	if _, err := path.Match(strings.ToLower(f.Name), ""); err != nil {
		return fmt.Errorf("--name %q: %w", f.Name, err)
	}
	return nil
}

// empty reports whether f narrows nothing.
func (f Filter) empty() bool { return f.Folder == "" && f.Name == "" }

// MatchesFolder reports whether the folder at folderPath is one f keeps.
func (f Filter) MatchesFolder(folderPath string) bool {
	if f.Folder == "" {
		return true
	}
	return matchSegments(manifest.FolderSegments(strings.ToLower(strings.Trim(f.Folder, "/"))),
		manifest.FolderSegments(strings.ToLower(folderPath)))
}

// MatchesName reports whether an asset named name is one f keeps.
func (f Filter) MatchesName(name string) bool {
	if f.Name == "" {
		return true
	}
	ok, _ := path.Match(strings.ToLower(f.Name), strings.ToLower(name))
	return ok
}

// matchSegments matches folder names against a pattern's, ** taking any
// number of names.
func matchSegments(pattern, names []string) bool {
	for len(pattern) > 0 {
		if pattern[0] == "**" {
			for skip := 0; skip <= len(names); skip++ {
				if matchSegments(pattern[1:], names[skip:]) {
					return true
				}
			}
			return false
		}
		if len(names) == 0 {
			return false
		}
		if ok, _ := path.Match(pattern[0], names[0]); !ok {
			return false
		}
		pattern, names = pattern[1:], names[1:]
	}
	return len(names) == 0
}
