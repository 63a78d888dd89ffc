package iostreams

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// On a terminal auto logs console lines in colour; off it, JSON lines;
// json and console force either.
func TestLoggerFormat(t *testing.T) {
	for _, tc := range []struct {
		format   string
		tty      bool
		wantJSON bool
		colour   bool
	}{
		{"auto", true, false, true},
		{"auto", false, true, false},
		{"", false, true, false},
		{"json", true, true, false},
		{"console", false, false, false},
		{"console", true, false, true},
	} {
		var errOut bytes.Buffer
		s := &IOStreams{ErrOut: &errOut, StderrTTY: tc.tty}
		log, err := s.Logger(tc.format, "info")
		if err != nil {
			t.Fatal(err)
		}
		log.Info().Msg("hello")
		log.Debug().Msg("hidden")
		line := errOut.String()
		if json.Valid([]byte(line)) != tc.wantJSON || s.JSONLogs(tc.format) != tc.wantJSON {
			t.Errorf("format %q tty %v: JSON %v, want %v: %q", tc.format, tc.tty, json.Valid([]byte(line)), tc.wantJSON, line)
		}
		if strings.Contains(line, "\x1b[") != tc.colour {
			t.Errorf("format %q tty %v: colour %v, want %v: %q", tc.format, tc.tty, !tc.colour, tc.colour, line)
		}
		if strings.Contains(line, "hidden") {
			t.Errorf("format %q: a debug line at level info: %q", tc.format, line)
		}
	}
	s := &IOStreams{}
	if _, err := s.Logger("xml", "info"); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("format xml: %v", err)
	}
	if _, err := s.Logger("auto", "loud"); err == nil || !strings.Contains(err.Error(), "--log-level") {
		t.Errorf("level loud: %v", err)
	}
}
