package manifest

import "strings"

// A spreadsheet opening a CSV file runs a cell that begins with =, +, -
// or @ as a formula (and a leading tab or carriage return can hide one), so
// a name a user chose for themselves could run in an administrator's
// spreadsheet. Every CSV file batch writes therefore neutralises such a
// cell with a leading ', the spreadsheets' own "this is text" mark. A cell
// that already begins with ' gets one more, and so does one that begins
// or ends with white space (which a reader would trim), so the mapping is
// one to one and the CSV manifest reader undoes it exactly: it removes one
// leading ' from every cell and takes the rest as written.

// formulaQuote is the mark that neutralises a cell.
const formulaQuote = '\''

// NeutralizeCell returns s as a CSV cell that no spreadsheet runs as a
// formula: s with a leading ' when it begins with =, +, -, @, a tab, a
// carriage return or ', or begins or ends with other white space; s itself
// otherwise. The CSV manifest reader undoes it (see unneutralizeCell).
func NeutralizeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', formulaQuote:
		return string(formulaQuote) + s
	}
	if strings.TrimSpace(s) != s {
		return string(formulaQuote) + s
	}
	return s
}

// unneutralizeCell undoes NeutralizeCell: it removes one leading ' and
// reports whether there was one (the rest is then taken as written).
func unneutralizeCell(s string) (string, bool) {
	if s != "" && s[0] == formulaQuote {
		return s[1:], true
	}
	return s, false
}
