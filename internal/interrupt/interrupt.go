// Package interrupt turns Ctrl-C (SIGINT) and SIGTERM into a run's two
// stops. The first cancels the context Notify returns: a run then sends
// nothing more, and waits (within its drain period) only for the
// requests already on the wire. The second closes Forced: the run stops
// at once, abandoning those requests (their outcome is unknown, and a
// resumed run settles them). A third ends the process.
package interrupt

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// ErrInterrupted is the cause of the context cancelled by the first
// interrupt.
var ErrInterrupted = errors.New("interrupted")

// Interrupt is the state of a process's interrupts.
type Interrupt struct {
	force     chan struct{}
	forceOnce sync.Once
}

// Forced is closed by the second interrupt (never, for a nil Interrupt).
func (i *Interrupt) Forced() <-chan struct{} {
	if i == nil {
		return nil
	}
	return i.force
}

// Notify returns a context the first SIGINT or SIGTERM cancels (cause
// ErrInterrupted), the Interrupt whose Forced the second closes, and the
// function that stops listening (call it when the command returns). A
// third signal exits the process with status 130.
func Notify(parent context.Context) (context.Context, *Interrupt, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	i := &Interrupt{force: make(chan struct{})}
	signals := make(chan os.Signal, 3)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-signals:
			}
			switch n {
			case 1:
				cancel(ErrInterrupted)
			case 2:
				i.forceOnce.Do(func() { close(i.force) })
			default:
				os.Exit(130)
			}
		}
	}()
	var once sync.Once
	return ctx, i, func() {
		once.Do(func() {
			signal.Stop(signals)
			close(done)
			cancel(nil)
		})
	}
}
