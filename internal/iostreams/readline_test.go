package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadLineReadsOneLine(t *testing.T) {
	s := &IOStreams{In: strings.NewReader("yes\nmore\n")}
	if got, err := s.ReadLine(context.Background()); got != "yes\n" || err != nil {
		t.Errorf("ReadLine = %q, %v; want \"yes\\n\"", got, err)
	}
}

func TestReadLineEndsWithItsContext(t *testing.T) {
	r, w := io.Pipe() // nothing is ever written: the read blocks
	defer w.Close()
	s := &IOStreams{In: r}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := s.ReadLine(ctx); got != "" || !errors.Is(err, context.Canceled) {
		t.Errorf("ReadLine = %q, %v; want the context's error", got, err)
	}
}
