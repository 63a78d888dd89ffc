package manifest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds feeds the fuzzer the examples and every case of the rule table.
func addSeeds(f *testing.F, pattern string, pick func(ruleCase) string) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tc := range ruleCases {
		f.Add([]byte(pick(tc)))
	}
}

// checkManifest is the fuzz property for both formats: reading never
// panics, every problem has a line, and the valid jobs written back as a
// manifest read again as the same number of valid jobs.
func checkManifest(t *testing.T, name string, data []byte, format Format) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	opts := Options{LookupEnv: testEnv, AllowLiteralSecrets: true}
	_, err := Validate(context.Background(), path, opts, func(p Problem) {
		if p.Source.Line < 1 || p.Message == "" {
			t.Errorf("problem without line or message: %+v", p)
		}
	})
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	r, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format, nil)
	if err != nil {
		t.Fatal(err)
	}
	valid := 0
	for {
		job, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			for _, p := range rowErr.Problems {
				if p.Source.Line < 1 {
					t.Errorf("row problem without line: %+v", p)
				}
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if job.Source.Line < 1 {
			t.Errorf("job without line: %+v", job)
		}
		if job.NewPassword != nil && job.NewPassword.Kind == SecretLiteral || job.OldPassword != nil && job.OldPassword.Kind == SecretLiteral {
			continue // literals are not written back
		}
		valid++
		if err := w.Write(job); err != nil {
			t.Fatalf("write back: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(t.TempDir(), "back"+format.Ext())
	if err := os.WriteFile(back, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, jobs, rowErrs := readAllQuiet(t, back, opts)
	if len(rowErrs) != 0 || jobs != valid {
		t.Errorf("written back: %d valid jobs of %d, problems %v\n%s", jobs, valid, rowErrs, buf.String())
	}
}

func readAllQuiet(t *testing.T, path string, opts Options) (*Reader, int, []*RowError) {
	r, jobs, rowErrs := readAll(t, path, opts)
	return r, len(jobs), rowErrs
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "*.csv", func(tc ruleCase) string { return tc.csv })
	f.Add([]byte("\ufeffop,email\r\nupdate_user,\"a\r\n@example.com\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkManifest(t, "f.csv", data, CSV)
	})
}

func FuzzYAML(f *testing.F) {
	addSeeds(f, "*.yaml", func(tc ruleCase) string { return tc.yaml })
	f.Add([]byte("defaults: &d {op: update_user}\nrows:\n  - *d\n  - {<<: *d, email: a@example.com}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkManifest(t, "f.yaml", data, YAML)
	})
}
