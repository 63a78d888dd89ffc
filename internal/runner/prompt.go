package runner

import (
	"fmt"
	"strings"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
)

// Prompt is the question an apply asks a person before a mass change:
// how many rows, of which kinds, to which organization and tenant, what
// it deletes, and where the report goes.
func Prompt(c *apply.Census, s client.Settings, reportDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "About to apply %s (%s) to %s (organization %q", report.Plural(c.Rows-c.Resumed, "row"), c, s.Target(), s.Organization)
	if s.Tenant != "" {
		fmt.Fprintf(&b, ", tenant %q", s.Tenant)
	}
	b.WriteString(")")
	if accounts, groups := c.Deletes(); accounts+groups > 0 {
		fmt.Fprintf(&b, ".\nIt DELETES %s and %s", report.Plural(accounts, "account"), report.Plural(groups, "group"))
	}
	fmt.Fprintf(&b, ".\nReport: %s\nType yes to continue: ", reportDir)
	return b.String()
}
