package runner

import (
	"fmt"

	"github.com/uipath-batch/batch/internal/apply"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// OpenSecretsOut opens the secrets output of run runID at path, before
// anything is sent: a file that cannot take this run's passwords (others
// can read it, or it holds the other format) stops the run there, and rows
// that generate passwords need one. No path and no generated passwords is
// no file (nil).
func OpenSecretsOut(path string, ageRecipients []string, census *apply.Census, runID string) (*secretsout.File, error) {
	if census.Generated > 0 && path == "" {
		return nil, fmt.Errorf("%s generate passwords: give --secrets-out FILE so that every generated password can be found again", report.Plural(census.Generated, "row"))
	}
	if path == "" {
		return nil, nil
	}
	recipients, err := secretsout.ParseRecipients(ageRecipients)
	if err != nil {
		return nil, fmt.Errorf("%w; nothing was sent", err)
	}
	f, err := secretsout.Create(path, runID, recipients)
	if err != nil {
		return nil, fmt.Errorf("%w; nothing was sent", err)
	}
	return f, nil
}
