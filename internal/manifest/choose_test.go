package manifest

import (
	"strings"
	"testing"
)

func TestFormatNamedTakesTheFlagThenTheFileName(t *testing.T) {
	for _, c := range []struct {
		format, output string
		want           Format
	}{
		{"", "", CSV}, {"", "-", CSV}, {"", "users.csv", CSV}, {"", "robots.YAML", YAML}, {"", "r.yml", YAML},
		{"csv", "robots.yaml", CSV}, {"yaml", "", YAML}, {"yml", "out.csv", YAML},
	} {
		got, err := FormatNamed(c.format, c.output)
		if err != nil || got != c.want {
			t.Errorf("FormatNamed(%q, %q) = %v, %v; want %v", c.format, c.output, got, err, c.want)
		}
	}
	for _, c := range []struct{ format, output, want string }{
		{"json", "", `--format "json": want csv or yaml`},
		{"", "users.txt", "-o users.txt: manifest users.txt: the name must end in .csv, .yaml or .yml (or be - for CSV on stdin) (or give --format)"},
	} {
		if _, err := FormatNamed(c.format, c.output); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FormatNamed(%q, %q) error %v, want %q", c.format, c.output, err, c.want)
		}
	}
}
