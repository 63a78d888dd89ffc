package iostreams

import (
	"bufio"
	"context"
)

// ReadLine reads one line from In, or returns ctx's error when ctx ends
// first. A read of a terminal cannot be cancelled: it is left behind.
func (s *IOStreams) ReadLine(ctx context.Context) (string, error) {
	read := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		read <- line
	}()
	select {
	case line := <-read:
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
