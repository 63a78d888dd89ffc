package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/uipath-batch/batch/internal/manifest"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/runfolder"
	"github.com/uipath-batch/batch/internal/secret"
	"github.com/uipath-batch/batch/internal/secretsout"
)

// ApplyLaterName is the manifest --generate-only writes in its run folder:
// the rotation's rows, each generated password replaced by a file:
// reference to the file it was written to.
func ApplyLaterName(f manifest.Format) string { return "apply-later" + f.Ext() }

// generateOnly is apply --generate-only: for a directory-first rotation,
// the rows' generated passwords are made and recorded in the secrets
// output (sealed to its recipients), each written to a file of its own
// in SECRETS_OUT.d (0600, in a 0700 folder), and apply-later.csv
// (.yaml) holds the rows with file: references to them, to apply once the
// directory has the new passwords. Nothing is sent: no settings are read,
// no token is asked for.
func generateOnly(ctx context.Context, opts ManifestOptions, path string, mopts manifest.Options, r *runfolder.Run, out io.Writer) (err error) {
	ro := opts.Run
	if ro.SecretsOut == "" {
		return errors.New("--generate-only hands the generated passwords off through --secrets-out FILE: give one; nothing was sent")
	}
	recipients, err := secretsout.ParseRecipients(ro.AgeRecipients)
	if err != nil {
		return fmt.Errorf("%w; nothing was sent", err)
	}
	secrets, err := secretsout.Create(ro.SecretsOut, r.ID, recipients)
	if err != nil {
		return fmt.Errorf("%w; nothing was sent", err)
	}
	r.Start()
	defer func() { err = errors.Join(err, secrets.Close()) }()
	src, err := manifest.Open(ctx, path, mopts)
	if err != nil {
		return err
	}
	defer src.Close()
	// Beside the secrets output, which holds them too: the run folder
	// holds none.
	dir, err := filepath.Abs(ro.SecretsOut + ".d")
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	later := filepath.Join(r.Dir, ApplyLaterName(src.Format()))
	f, err := os.OpenFile(later, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w, err := manifest.NewWriter(f, src.Format(), src.Columns())
	if err != nil {
		return err
	}
	generated, rows := 0, 0
	for {
		job, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rows++
		for _, cell := range []struct {
			field string
			ref   **manifest.SecretRef
		}{{"new_password", &job.NewPassword}, {"initial_password", &job.InitialPassword}} {
			ref := *cell.ref
			if ref == nil || ref.Kind != manifest.SecretGenerate {
				continue
			}
			v, err := ref.Resolve(ctx, nil)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", job.Source, cell.field, err)
			}
			file := filepath.Join(dir, strconv.Itoa(job.Row)+"-"+cell.field)
			if err := writeSecretFile(file, v); err != nil {
				return err
			}
			if err := secrets.Record(ctx, &job, cell.field, handOffAccount(&job), v); err != nil {
				return fmt.Errorf("%s: record the generated %s: %w", job.Source, cell.field, err)
			}
			*cell.ref = &manifest.SecretRef{Kind: manifest.SecretFile, Name: file}
			generated++
		}
		if err := w.Write(job); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %s for %s into %s; nothing was sent.\nOnce the directory has them, apply them with: batch apply %s\n(then remove %s: it holds them in plaintext, as the secrets output does)\n",
		report.Plural(generated, "password"), report.Plural(rows, "row"), ro.SecretsOut, later, dir)
	return r.Finish()
}

// writeSecretFile writes a password to a new file only its owner reads.
func writeSecretFile(path string, v secret.Value) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write a generated password: %w", err)
	}
	_, werr := f.WriteString(v.Reveal())
	return errors.Join(werr, f.Sync(), f.Close())
}

// handOffAccount names, for the person setting the password in the
// directory, the account a row's password is for: a robot's Windows
// account when the row names it, else the row's target.
func handOffAccount(job *manifest.Job) string {
	if job.RobotUsername != nil && *job.RobotUsername != "" {
		return *job.RobotUsername + " (" + job.Target.String() + ")"
	}
	return job.Target.String()
}
