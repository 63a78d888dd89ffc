package manifest

import (
	"io"
	"os"

	"github.com/uipath-batch/batch/internal/secret"
)

// Options tune reading and validation. The zero Options is valid.
type Options struct {
	// AllowLiteralSecrets accepts passwords written in the manifest itself.
	AllowLiteralSecrets bool
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// LookupEnv checks that env: references are set; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// MinGenerateLength is the shortest generate:LENGTH accepted; 0 means
	// secret.MinLength.
	MinGenerateLength int
	// DisplayName names stdin in FILE:LINE; "" means "-".
	DisplayName string
	// Hash, when set, is written the file's bytes as Validate's first read
	// of it goes (a hash of what was validated, without a read of its
	// own); other reads leave it alone.
	Hash io.Writer
	// OnOpen, when set, is called each time the file is opened for a
	// read (how often a command reads its manifest shows in its debug
	// log).
	OnOpen func()
}

// withoutHash is o for a read that must not feed Hash.
func (o Options) withoutHash() Options {
	o.Hash = nil
	return o
}

func (o *Options) lookupEnv() func(string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv
	}
	return os.LookupEnv
}

func (o *Options) minGenerate() int {
	if o.MinGenerateLength > 0 {
		return o.MinGenerateLength
	}
	return secret.MinLength
}

func (o *Options) stdin() io.Reader {
	if o.Stdin != nil {
		return o.Stdin
	}
	return os.Stdin
}

// displayName is the name of path in FILE:LINE.
func (o *Options) displayName(path string) string {
	if path == "-" && o.DisplayName != "" {
		return o.DisplayName
	}
	return path
}
