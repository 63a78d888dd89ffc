package main

import (
	"embed"
	"strings"
)

// helpFiles hold the commands' long help texts and examples.
//
//go:embed help/*.txt
var helpFiles embed.FS

// helpText is the text of help/NAME.txt without its final newline.
func helpText(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}
