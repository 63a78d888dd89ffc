package main

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows done/total, rate, ETA and failures on a terminal's stderr.
// The zero progress (from newProgress when disabled) does nothing, so
// callers never check.
type progress struct {
	bar    *progressbar.ProgressBar
	what   string
	failed atomic.Int64
}

func newProgress(io *streams, disabled bool, total int, what string) *progress {
	if disabled || !io.IsStderrTTY() || total <= 0 {
		return &progress{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(io.ErrOut),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	return &progress{bar: bar, what: what}
}

// Row counts one finished row.
func (p *progress) Row(failed bool) {
	if p.bar == nil {
		return
	}
	if failed {
		n := p.failed.Add(1)
		p.bar.Describe(fmt.Sprintf("%s (%d failed)", p.what, n))
	}
	_ = p.bar.Add(1)
}

// Done removes the bar before the summary is printed.
func (p *progress) Done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
