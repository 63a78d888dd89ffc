package runner

import (
	"context"
	"fmt"
	"io"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// Check validates the whole manifest at path before anything is sent,
// printing each problem to out as it is found, and counts what the
// manifest asks for. A manifest with problems, or with deletes that an
// apply (writes) is not allowed to send, is an error: nothing was sent.
func Check(ctx context.Context, path string, opts manifest.Options, out io.Writer, writes, allowDeletes bool) (*apply.Census, error) {
	problems := 0
	census := apply.NewCensus()
	rows, err := manifest.ValidateEach(ctx, path, opts, func(p manifest.Problem) {
		problems++
		fmt.Fprintln(out, p.String())
	}, func(j *manifest.Job) { census.Add(j, nil) })
	if err != nil {
		return nil, err
	}
	if problems > 0 {
		return nil, fmt.Errorf("%s: %s, %s; nothing was sent", opts.DisplayName, report.Plural(rows, "row"), report.Plural(problems, "problem"))
	}
	if accounts, groups := census.Deletes(); writes && !allowDeletes && accounts+groups > 0 {
		return nil, fmt.Errorf("%s: %s and %s would be deleted: apply them with --allow-deletes (plan shows them); nothing was sent", opts.DisplayName, report.Plural(accounts, "account"), report.Plural(groups, "group"))
	}
	return census, nil
}
