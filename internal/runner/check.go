package runner

import (
	"context"
	"fmt"
	"io"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/journal"
	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
)

// DefaultMaxProblems is how many of a manifest's problems validate, plan
// and apply print unless --max-problems says otherwise: a screenful.
const DefaultMaxProblems = 50

// CheckOptions say what CheckManifest allows and how much it prints.
type CheckOptions struct {
	// Writes is set for a command that sends changes (apply): a manifest
	// that deletes is then refused unless AllowDeletes.
	Writes, AllowDeletes bool
	// MaxProblems is the most problems printed (0: every one); the rest
	// are counted.
	MaxProblems int
	// Done are the rows a resumed run finished: the census counts them
	// as resumed only.
	Done journal.State
}

// Check is CheckManifest printing at most DefaultMaxProblems problems.
func Check(ctx context.Context, path string, opts manifest.Options, out io.Writer, writes, allowDeletes bool) (*apply.Census, error) {
	return CheckManifest(ctx, path, opts, out, CheckOptions{Writes: writes, AllowDeletes: allowDeletes, MaxProblems: DefaultMaxProblems})
}

// CheckManifest validates the whole manifest at path before anything is
// sent, printing its problems to out as they are found, in line order (the
// first c.MaxProblems of them), and counts what the manifest asks for. A
// manifest with problems, or with deletes that an apply (writes) is not
// allowed to send, is an error: nothing was sent.
func CheckManifest(ctx context.Context, path string, opts manifest.Options, out io.Writer, c CheckOptions) (*apply.Census, error) {
	problems, err := NewProblemPrinter(out, c.MaxProblems)
	if err != nil {
		return nil, err
	}
	census := apply.NewCensus()
	rows, err := manifest.ValidateEach(ctx, path, opts, problems.Print, func(j *manifest.Job) { census.Add(j, c.Done) })
	if err != nil {
		return nil, err
	}
	if problems.Count() > 0 {
		return nil, fmt.Errorf("%s: %s, %s; nothing was sent", opts.DisplayName, report.Plural(rows, "row"), problems.Summary())
	}
	if accounts, groups := census.Deletes(); c.Writes && !c.AllowDeletes && accounts+groups > 0 {
		return nil, fmt.Errorf("%s: %s and %s would be deleted: apply them with --allow-deletes (plan shows them); nothing was sent", opts.DisplayName, report.Plural(accounts, "account"), report.Plural(groups, "group"))
	}
	return census, nil
}

// ProblemPrinter prints a manifest's problems, one a line as FILE:LINE:
// message, up to a cap, and counts every one: a manifest broken on every
// row does not print a million lines unless asked.
type ProblemPrinter struct {
	out   io.Writer
	max   int
	count int
}

// NewProblemPrinter prints to out the first limit problems (every one when
// limit is 0); a negative limit is an error.
func NewProblemPrinter(out io.Writer, limit int) (*ProblemPrinter, error) {
	if limit < 0 {
		return nil, fmt.Errorf("--max-problems %d: give the most problems to print, or 0 to print every one", limit)
	}
	return &ProblemPrinter{out: out, max: limit}, nil
}

// Print is a manifest.Validate onProblem: it prints p while under the cap
// and counts it.
func (p *ProblemPrinter) Print(problem manifest.Problem) {
	p.count++
	if p.max == 0 || p.count <= p.max {
		fmt.Fprintln(p.out, problem.String())
	}
}

// Count is the number of problems seen, printed or not.
func (p *ProblemPrinter) Count() int { return p.count }

// Summary is "N problems", and when the cap held some back, how many and
// how to print them.
func (p *ProblemPrinter) Summary() string {
	s := report.Plural(p.count, "problem")
	if p.max > 0 && p.count > p.max {
		s += fmt.Sprintf(": %d printed, and %s (--max-problems 0 prints them all)", p.max, report.Plural(p.count-p.max, "more problem"))
	}
	return s
}
