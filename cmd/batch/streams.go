package main

import "github.com/uipath-batch/batch/internal/iostreams"

// streams are the terminal's three streams (iostreams.IOStreams); tests
// swap them.
type streams = iostreams.IOStreams

func systemStreams() *streams { return iostreams.System() }
