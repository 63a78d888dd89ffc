package manifest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// FolderSeparator separates the folder names of a folder path, as in
// Orchestrator's FullyQualifiedName (Finance/AP). It always separates: a
// folder name cannot hold it, in a manifest or in Orchestrator.
const FolderSeparator = "/"

// folderNameMax is the longest folder name Orchestrator keeps
// (FolderDto.DisplayName has maxLength 115).
const folderNameMax = 115

// FolderSegments splits a folder path (as a valid Job holds it) into its
// folder names, top first: "Finance/AP" is ["Finance", "AP"].
func FolderSegments(path string) []string { return strings.Split(path, FolderSeparator) }

// FolderParent is the path of a folder's parent, "" for a top-level one.
func FolderParent(path string) string {
	if i := strings.LastIndex(path, FolderSeparator); i >= 0 {
		return path[:i]
	}
	return ""
}

// cleanFolderPath checks a folder path and returns it with each folder
// name trimmed, or a message saying what is wrong with it: an empty path,
// an empty name (a '/' at the start or end, two in a row), a name longer
// than Orchestrator keeps.
func cleanFolderPath(col, v string) (string, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Sprintf("%s is empty: give a folder path, like Finance/AP", col)
	}
	segs := strings.Split(v, FolderSeparator)
	for i, s := range segs {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return "", fmt.Sprintf("%s %q: folder name %d of %d is empty: a path names a folder between each pair of '/', with none at the start or end (like Finance/AP); '/' always separates folders, so no folder name holds one",
				col, printable(v), i+1, len(segs))
		case utf8.RuneCountInString(s) > folderNameMax:
			return "", fmt.Sprintf("%s %q: folder name %d of %d is longer than %d characters, the longest Orchestrator keeps",
				col, printable(v), i+1, len(segs), folderNameMax)
		}
		segs[i] = s
	}
	return strings.Join(segs, FolderSeparator), ""
}

// folder reads a folder cell: one path, checked and cleaned.
func (b *jobBuilder) folder(c *rawCell) (string, bool) {
	if c.isList {
		b.problemAt(c.line, c.col, "%s must be a single folder path, not a list: give each folder its own row", c.col)
		return "", false
	}
	p, msg := cleanFolderPath(c.col, c.value)
	if msg != "" {
		b.problemAt(c.line, c.col, "%s", msg)
		return "", false
	}
	return p, true
}
