package manifest

import "fmt"

// FormatNamed picks the format of a manifest to write: format when given
// (csv, yaml or yml), else the one output's name ends in; standard output
// ("" or "-") is CSV.
func FormatNamed(format, output string) (Format, error) {
	switch format {
	case "csv":
		return CSV, nil
	case "yaml", "yml":
		return YAML, nil
	case "":
		if output == "" || output == "-" {
			return CSV, nil
		}
		f, err := FormatFor(output)
		if err != nil {
			return f, fmt.Errorf("-o %s: %w (or give --format)", output, err)
		}
		return f, nil
	}
	return 0, fmt.Errorf("--format %q: want csv or yaml", format)
}
