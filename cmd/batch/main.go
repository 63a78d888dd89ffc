// Command batch applies account changes to UiPath in bulk from a CSV or YAML
// manifest: validate it, preview the changes with a dry run, apply them
// through a rate-limited worker pool, and read a per-row report.
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	tuneGC()
	os.Exit(int(run(os.Args[1:], systemStreams())))
}

// tuneGC sets a soft memory limit that brings collection back before the
// heap could grow large; GOMEMLIMIT, when set, wins. See gcForRequests.
func tuneGC() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(96 << 20)
	}
}

// gcForRequests trades a few MB for CPU while rows are sent: they stream
// through, so the live heap is small and flat, and collecting an eighth as
// often leaves more CPU for requests (about a quarter more rows/s against
// the emulator than the default, for a peak near 55 MB instead of 30; the
// soft limit of tuneGC caps it). The manifest passes before it keep the
// default, which holds their peak memory flat in the number of rows. GOGC,
// when set, wins.
func gcForRequests() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(800)
	}
}
