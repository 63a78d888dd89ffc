package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
)

func main() {
	runLoopChildIfAsked()
	bin := flag.String("bin", "bin/batch", "the built batch binary")
	only := flag.String("run", "", "run only scenarios matching this regular expression")
	smoke := flag.Bool("smoke", false, "tiny sizes, to check the harness itself")
	out := flag.String("out", "reports/bench", "folder for the JSON copy of the table")
	flag.Parse()

	var filter *regexp.Regexp
	if *only != "" {
		filter = regexp.MustCompile(*only)
	}
	dir, err := os.MkdirTemp("", "batch-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := &Env{Bin: *bin, Dir: dir, Smoke: *smoke, Log: os.Stderr}
	rows, err := runAll(ctx, env, filter)
	printTable(os.Stdout, rows)
	if path, werr := writeJSON(*out, rows); werr == nil {
		fmt.Printf("\nwritten to %s\n", path)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
