package main

import "fmt"

// maxRunIDLength keeps a run id a reasonable folder name.
const maxRunIDLength = 128

// checkRunIDs refuses a --run-id or --resume that is not one safe path
// segment, before anything is read, sent or written: the run's folder is
// REPORT_DIR/RUN_ID, and an id such as ../../elsewhere would put it (and
// its journal and sealing key) outside the report folder.
func (r *runFlags) checkRunIDs() error {
	for _, f := range []struct{ flag, id string }{{"--run-id", r.RunID}, {"--resume", r.Resume}} {
		if f.id == "" {
			continue
		}
		if err := checkRunID(f.id); err != nil {
			return usageErrorf("%s %q: %w; nothing was sent", f.flag, f.id, err)
		}
	}
	return nil
}

// checkRunID reports whether id is one safe folder name: 1 to 128
// letters, digits, '.', '-' and '_', beginning with a letter or a digit
// (so never "." or "..", never a path, never hidden, never taken for a
// flag).
func checkRunID(id string) error {
	if len(id) > maxRunIDLength {
		return fmt.Errorf("a run id is at most %d characters", maxRunIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum || !alnum && c != '.' && c != '-' && c != '_' {
			return fmt.Errorf("a run id names one folder: letters, digits, '.', '-' and '_', beginning with a letter or a digit")
		}
	}
	return nil
}
