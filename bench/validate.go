package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() { register("3a validate 1M rows", benchValidate) }

// Memory targets of validation: flat in the number of rows.
const (
	validatePeakLimitMB = 64
	validateMaxGrowth   = 1.10
)

// benchValidate runs `batch validate` over a large manifest of distinct
// update_user rows and over one ten times smaller: peak memory must stay
// under the limit and grow less than 10 % between the two.
func benchValidate(ctx context.Context, env *Env) ([]Row, error) {
	big := env.Size(1000000, 2000)
	small := big / 10
	bigRun, err := validateGenerated(ctx, env, big)
	if err != nil {
		return nil, err
	}
	smallRun, err := validateGenerated(ctx, env, small)
	if err != nil {
		return nil, err
	}
	row := Row{
		Scenario:   "3a validate 1M rows",
		Rows:       big,
		RowsPerSec: float64(big) / bigRun.Wall.Seconds(),
		Reference:  rowsLabel(small),
		RefPerSec:  float64(small) / smallRun.Wall.Seconds(),
		Target:     fmt.Sprintf("peak < %d MB, growth < %.0f %%", validatePeakLimitMB, (validateMaxGrowth-1)*100),
		PeakRSSMB:  bigRun.PeakRSSMB,
		Note: fmt.Sprintf("peak RSS %.1f MB at %d rows, %.1f MB at %d rows",
			bigRun.PeakRSSMB, big, smallRun.PeakRSSMB, small),
	}
	if smallRun.PeakRSSMB > 0 {
		row.Ratio = bigRun.PeakRSSMB / smallRun.PeakRSSMB
	}
	row.Pass = env.Smoke || (row.PeakRSSMB < validatePeakLimitMB && row.Ratio < validateMaxGrowth)
	return []Row{row}, nil
}

// validateGenerated writes a manifest of n rows and validates it with the
// built binary, which must find no problem.
func validateGenerated(ctx context.Context, env *Env, n int) (measuredCommand, error) {
	path := filepath.Join(env.Dir, fmt.Sprintf("validate-%d.csv", n))
	if err := writeUpdateUserManifest(path, n, false); err != nil {
		return measuredCommand{}, err
	}
	defer os.Remove(path)
	m, err := runMeasured(ctx, env.Bin, nil, "validate", path)
	if err != nil {
		return m, err
	}
	if m.ExitCode != 0 {
		return m, fmt.Errorf("validate %d rows: exit %d: %s", n, m.ExitCode, lastLines(m.Stdout+m.Stderr, 5))
	}
	return m, nil
}

// writeUpdateUserManifest writes n update_user rows with distinct e-mail
// addresses, names, activation and group changes; with brokenEmails, no
// address has its @ (one problem a row, of the row alone, the same length).
func writeUpdateUserManifest(path string, n int, brokenEmails bool) error {
	at := "@"
	if brokenEmails {
		at = "#"
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create manifest: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "op,email,name,surname,display_name,is_active,group_ids_to_add,group_ids_to_remove")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "update_user,user%07d%sexample.com,Name%d,Surname%d,\"Surname%d, Name%d\",%t,6f1b7c2a-0d4e-4c1a-9b7e-%012d,6f1b7c2a-0d4e-4c1a-9b7e-000000000004\n",
			i, at, i, i, i, i, i%10 != 0, 1+i%3)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	return f.Close()
}

// rowsLabel is "100k rows", or "200 rows" under a thousand.
func rowsLabel(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk rows", n/1000)
	}
	return fmt.Sprintf("%d rows", n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
