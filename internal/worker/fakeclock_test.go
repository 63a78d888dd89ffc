package worker

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock for tests. In auto mode every timer fires at once and
// moves the clock to its deadline (for single-goroutine simulations); in
// manual mode timers fire only when Advance passes their deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	timers []*fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(auto bool) *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), auto: auto}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 || c.auto {
		c.now = c.now.Add(max(d, 0))
		ch <- c.now
		return ch, func() bool { return false }
	}
	t := &fakeTimer{at: c.now.Add(d), ch: ch}
	c.timers = append(c.timers, t)
	stop := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, other := range c.timers {
			if other == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
	return ch, stop
}

// Advance moves the clock on by d, firing the timers that come due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- t.at
	}
	c.timers = kept
}

// pending returns the number of timers not yet fired or stopped.
func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// waitForTimers blocks (in real time, briefly) until n timers are pending.
func (c *fakeClock) waitForTimers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("timeout: %d timers pending, want %d", c.pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitForDeadlines blocks (in real time, briefly) until the pending timers
// are due exactly at the given offsets from start, in any order.
func (c *fakeClock) waitForDeadlines(t *testing.T, start time.Time, offsets ...time.Duration) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		want := map[time.Time]int{}
		for _, o := range offsets {
			want[start.Add(o)]++
		}
		for _, tm := range c.timers {
			want[tm.at]--
		}
		c.mu.Unlock()
		same := true
		for _, n := range want {
			same = same && n == 0
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			c.mu.Lock()
			var got []time.Duration
			for _, tm := range c.timers {
				got = append(got, tm.at.Sub(start))
			}
			c.mu.Unlock()
			t.Fatalf("timeout waiting for timers due at %v; pending %v", offsets, got)
		}
		time.Sleep(time.Millisecond)
	}
}
