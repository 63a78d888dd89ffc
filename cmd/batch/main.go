// Command batch applies account changes to UiPath in bulk from a CSV or YAML
// manifest: validate it, preview the changes with a dry run, apply them
// through a rate-limited worker pool, and read a per-row report.
package main

import "os"

func main() { os.Exit(int(run(os.Args[1:], systemStreams()))) }
