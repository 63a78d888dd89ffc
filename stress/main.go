package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
)

func main() {
	cfg := FullConfig()
	flag.StringVar(&cfg.Bin, "bin", "bin/batch", "the built batch binary")
	seed := flag.String("seed", os.Getenv("STRESS_SEED"), "the run's seed (default $STRESS_SEED, else random)")
	flag.IntVar(&cfg.Rows, "rows", cfg.Rows, "manifest rows")
	flag.IntVar(&cfg.Kills, "kills", cfg.Kills, "SIGKILLs before the run is let finish")
	flag.IntVar(&cfg.Workers, "workers", cfg.Workers, "the binary's --workers")
	flag.DurationVar(&cfg.Latency, "latency", cfg.Latency, "the emulator's added latency per request")
	flag.Float64Var(&cfg.FaultRate, "fault-rate", cfg.FaultRate, "share of API requests answered 503")
	flag.Float64Var(&cfg.ResetRate, "reset-rate", cfg.ResetRate, "share of API requests whose connection is dropped")
	flag.Parse()

	bin, err := filepath.Abs(cfg.Bin) // the binary runs in a folder of its own
	if err != nil {
		fmt.Fprintln(os.Stderr, "stress:", err)
		os.Exit(2)
	}
	cfg.Bin = bin
	cfg.Seed = rand.Uint64() % 1_000_000
	if *seed != "" {
		n, err := parseSeed(*seed)
		if err != nil {
			fmt.Fprintln(os.Stderr, "stress:", err)
			os.Exit(2)
		}
		cfg.Seed = n
	}
	dir, err := os.MkdirTemp("", "batch-stress-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg.Dir, cfg.Log = dir, os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Printf("stress: seed %d (STRESS_SEED=%d make stress repeats it), %d rows, %d kills, %d workers, latency %s, %.0f%% 503s, %.0f%% dropped connections\n",
		cfg.Seed, cfg.Seed, cfg.Rows, cfg.Kills, cfg.Workers, cfg.Latency, 100*cfg.FaultRate, 100*cfg.ResetRate)
	rep, err := Run(ctx, cfg)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	if err != nil {
		fmt.Printf("FAIL (the run folder is kept in %s)\n%v\n", dir, err)
		os.Exit(1)
	}
	_ = os.RemoveAll(dir)
	fmt.Println("PASS")
}

func parseSeed(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("seed %q is not a number", s)
	}
	return n, nil
}
