package manifest

import "strings"

// builtInGroups are the groups every organization has; the service
// refuses to rename or delete them.
var builtInGroups = []string{"Everyone", "Administrators", "Automation Users", "Automation Developers"}

// isBuiltInGroup reports whether name (compared case-insensitively, without
// surrounding spaces) is one of an organization's built-in groups:
// Everyone, Administrators, Automation Users, Automation Developers.
func isBuiltInGroup(name string) bool {
	name = strings.TrimSpace(name)
	for _, g := range builtInGroups {
		if strings.EqualFold(name, g) {
			return true
		}
	}
	return false
}
