// Package progress draws a run's progress bar on a terminal: rows done
// of the total, the recent rate, failures, and what the run waits for.
package progress

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/uipath-batch/batch/internal/client"
	"github.com/uipath-batch/batch/internal/report"
	"github.com/uipath-batch/batch/internal/worker"
)

// Bar shows done/total, the rate over the last half minute, failures, and
// what the run is waiting for (a request budget, a server's pause, the rows
// in flight after an interrupt) on a terminal's stderr. The zero Bar (from
// New without a terminal) does nothing, so callers never check.
type Bar struct {
	bar  *progressbar.ProgressBar
	what string
	// line, when set, gets the progress every tick instead of a bar
	// (NewLog); total is the rows of the run.
	line  func(done, total, failed int64, status string)
	every time.Duration
	total int64
	// waiting lists the budgets rows wait for (the limiter's Waiting).
	waiting func() []worker.Waiting
	drain   time.Duration

	done, failed, dispatched atomic.Int64

	// reading is the list the run reads before its rows can go on (see
	// Reading): nil when none.
	reading                 atomic.Pointer[string]
	readingDone, readingAll atomic.Int64
	doneOnce                sync.Once

	mu          sync.Mutex
	samples     []rateSample // rows done over time, oldest first
	interrupted time.Time    // when the run was interrupted; zero: not
	stop        chan struct{}
	stopped     chan struct{}
}

// rateSample is the count of rows done at a time.
type rateSample struct {
	at   time.Time
	done int64
}

// rateWindow is the span the rate is measured over.
const rateWindow = 30 * time.Second

// refreshEvery is how often the bar's status is redrawn, rows or not.
const refreshEvery = 500 * time.Millisecond

// New starts a bar of total rows drawn on out, a terminal; with a nil out
// or no rows it returns the zero Bar. what names the command, waiting
// lists the budgets rows wait for (the limiter's Waiting), and drain is
// how long rows in flight may take after an interrupt (ctx cancelled).
// Done stops it.
func New(ctx context.Context, out io.Writer, total int, what string, waiting func() []worker.Waiting, drain time.Duration) *Bar {
	if out == nil || total <= 0 {
		return &Bar{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	p := &Bar{bar: bar, what: what, waiting: waiting, drain: drain, every: refreshEvery, total: int64(total),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	p.sample(time.Now())
	go p.refresh(ctx)
	return p
}

// NewLog reports progress without a terminal (a scheduled run): every
// every, line gets the rows done of the total, the failures, and the
// status a bar would show (rate, time left at that rate, what the run
// waits for). With every zero or no rows it returns the zero Bar.
func NewLog(ctx context.Context, line func(done, total, failed int64, status string), every time.Duration, total int, what string, waiting func() []worker.Waiting, drain time.Duration) *Bar {
	if line == nil || every <= 0 || total <= 0 {
		return &Bar{}
	}
	p := &Bar{line: line, every: every, what: what, waiting: waiting, drain: drain, total: int64(total),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	p.sample(time.Now())
	go p.refresh(ctx)
	return p
}

// NewReading starts a bar for a command that has no rows, only lists to
// read (export): on out, a terminal, a spinner and the status (see
// Reading, and waiting as for New); with a nil out, the zero Bar.
func NewReading(ctx context.Context, out io.Writer, what string, waiting func() []worker.Waiting) *Bar {
	if out == nil {
		return &Bar{}
	}
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSpinnerType(14),
		// The library's own spinner goroutine reads its state unlocked
		// (a data race): the bar is redrawn by refresh instead.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	p := &Bar{bar: bar, what: what, waiting: waiting, every: refreshEvery, stop: make(chan struct{}), stopped: make(chan struct{})}
	go p.refresh(ctx)
	return p
}

// NewReadingLog is NewReading without a terminal: every every, line gets
// the status. With every zero it returns the zero Bar.
func NewReadingLog(ctx context.Context, line func(status string), every time.Duration, what string, waiting func() []worker.Waiting) *Bar {
	if line == nil || every <= 0 {
		return &Bar{}
	}
	p := &Bar{line: func(_, _, _ int64, status string) { line(status) }, every: every, what: what, waiting: waiting,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go p.refresh(ctx)
	return p
}

// active reports whether the bar shows anything (not the zero Bar).
func (p *Bar) active() bool { return p.stop != nil }

// refresh redraws the status until Done, and notes the interrupt.
func (p *Bar) refresh(ctx context.Context) {
	defer close(p.stopped)
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	interrupt := ctx.Done()
	for {
		select {
		case <-p.stop:
			return
		case <-interrupt:
			interrupt = nil
			p.mu.Lock()
			p.interrupted = time.Now()
			p.mu.Unlock()
		case <-tick.C:
		}
		now := time.Now()
		p.sample(now)
		if p.bar != nil {
			p.bar.Describe(p.status(now))
		} else {
			p.line(p.done.Load(), p.total, p.failed.Load(), p.status(now))
		}
	}
}

// sample records the rows done at now and forgets samples older than the
// rate window (keeping one at or before its start).
func (p *Bar) sample(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.samples = append(p.samples, rateSample{at: now, done: p.done.Load()})
	cut := 0
	for cut+1 < len(p.samples) && now.Sub(p.samples[cut+1].at) >= rateWindow {
		cut++
	}
	p.samples = p.samples[cut:]
}

// status is the text after the bar: rate, failures, the list being read,
// and what the run waits for.
func (p *Bar) status(now time.Time) string {
	parts := []string{p.what}
	list := p.reading.Load()
	if list != nil {
		read, all := p.readingDone.Load(), p.readingAll.Load()
		count := report.Plural(int(read), "account")
		if all > 0 {
			count = fmt.Sprintf("%d of %s", read, report.Plural(int(all), "account"))
		}
		parts = append(parts, "reading "+*list+": "+count)
	}
	p.mu.Lock()
	rate, ok := 0.0, false
	if len(p.samples) > 0 {
		first := p.samples[0]
		if span := now.Sub(first.at); span >= time.Second {
			rate, ok = float64(p.done.Load()-first.done)/span.Seconds(), true
		}
	}
	interrupted := p.interrupted
	p.mu.Unlock()
	if ok && list == nil { // no rate while no row can go on
		parts = append(parts, fmt.Sprintf("%.1f rows/s", rate))
		if left := p.total - p.done.Load(); rate > 0 && left > 0 && interrupted.IsZero() {
			parts = append(parts, "about "+roughly(time.Duration(float64(left)/rate*float64(time.Second)))+" left")
		}
	}
	if n := p.failed.Load(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", n))
	}
	switch {
	case !interrupted.IsZero() && p.total > 0:
		inFlight := max(p.dispatched.Load()-p.done.Load(), 0)
		left := max(p.drain-now.Sub(interrupted), 0)
		msg := fmt.Sprintf("interrupted: finishing %s in flight", report.Plural(int(inFlight), "row"))
		if p.drain > 0 {
			msg += fmt.Sprintf(" (up to %s)", seconds(left))
		}
		parts = append(parts, msg)
	case p.waiting != nil:
		if w := describeWaits(p.waiting()); w != "" {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, " · ")
}

// describeWaits says what the longest waits are for; waits shorter than a
// second are not worth a word.
func describeWaits(waits []worker.Waiting) string {
	services := map[string]bool{}
	for _, w := range waits {
		svc, _ := client.SplitThrottleKey(w.Key)
		services[svc] = true
	}
	var out []string
	for _, w := range waits {
		if w.Next < time.Second || len(out) == 2 {
			continue
		}
		svc, method := client.SplitThrottleKey(w.Key)
		name := method
		if svc != client.ServiceIdentity || len(services) > 1 {
			name = serviceName(svc) + " " + method
		}
		if w.Paused {
			out = append(out, fmt.Sprintf("%s paused by the server (next try in %s)", name, seconds(w.Next)))
		} else {
			out = append(out, fmt.Sprintf("waiting for %s budget (next slot in %s)", name, seconds(w.Next)))
		}
	}
	return strings.Join(out, "; ")
}

// serviceName is how a person calls a service.
func serviceName(svc string) string {
	switch svc {
	case client.ServiceIdentity:
		return "Identity"
	case client.ServiceOrchestrator:
		return "Orchestrator"
	}
	return svc
}

// roughly writes a time left as a person reads it: seconds, minutes,
// then hours and minutes.
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return seconds(d)
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64(math.Ceil(d.Minutes())))
	}
	return fmt.Sprintf("%d h %d min", int64(d.Hours()), int64(d.Minutes())%60)
}

// seconds writes d rounded up to a whole second ("42 s").
func seconds(d time.Duration) string {
	return fmt.Sprintf("%d s", int64(math.Ceil(d.Seconds())))
}

// Resumed counts rows an interrupted run finished, without counting them
// in the rate.
func (p *Bar) Resumed(n int) {
	if !p.active() || n <= 0 {
		return
	}
	p.mu.Lock()
	p.done.Add(int64(n))
	p.dispatched.Add(int64(n))
	for i := range p.samples {
		p.samples[i].done += int64(n)
	}
	p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

// Dispatched counts a row handed to the workers.
func (p *Bar) Dispatched() {
	if p.active() {
		p.dispatched.Add(1)
	}
}

// Row counts one finished row.
func (p *Bar) Row(failed bool) {
	if !p.active() {
		return
	}
	p.done.Add(1)
	if failed {
		p.failed.Add(1) // shown by the next refresh: a run failing every row redraws no more often
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

// Reading shows that the run reads a whole list before rows can go on
// (an organization's accounts: minutes on a large one, at the service's
// budget): list names it ("the user list"), read and total (0: not known
// yet) count its accounts. An empty list ends it; the rate counts rows
// from then on.
func (p *Bar) Reading(list string, read, total int64) {
	if !p.active() {
		return
	}
	if list == "" {
		if p.reading.Swap(nil) != nil {
			p.mu.Lock()
			p.samples = append(p.samples[:0], rateSample{at: time.Now(), done: p.done.Load()})
			p.mu.Unlock()
		}
		return
	}
	if cur := p.reading.Load(); cur == nil || *cur != list {
		p.reading.Store(&list)
	}
	p.readingDone.Store(read)
	p.readingAll.Store(total)
}

// Done removes the bar before the summary is printed; once, however often
// it is called.
func (p *Bar) Done() {
	if !p.active() {
		return
	}
	p.doneOnce.Do(func() {
		close(p.stop)
		<-p.stopped
		if p.bar != nil {
			_ = p.bar.Finish()
		}
	})
}
