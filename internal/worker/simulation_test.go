package worker

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// rollingServer answers like a server enforcing per-method rolling-window
// budgets: a request is accepted when fewer than Requests accepted requests
// of its method arrived in the last Window.
type rollingServer struct {
	limits     budget.Limits
	retryAfter bool // send Retry-After: the time until the oldest leaves
	roundUp    bool // round Retry-After up to whole seconds, as HTTP does
	accepted   map[string][]time.Time
}

func newRollingServer(limits budget.Limits, retryAfter bool) *rollingServer {
	return &rollingServer{limits: limits, retryAfter: retryAfter, accepted: map[string][]time.Time{}}
}

func (s *rollingServer) handle(method string, at time.Time) (int, time.Duration) {
	b, ok := s.limits[method]
	if !ok {
		return http.StatusOK, 0
	}
	log := s.accepted[method]
	for len(log) > 0 && !log[0].After(at.Add(-b.Window)) {
		log = log[1:]
	}
	if len(log) < b.Requests {
		s.accepted[method] = append(log, at)
		return http.StatusOK, 0
	}
	s.accepted[method] = log
	if !s.retryAfter {
		return http.StatusTooManyRequests, 0
	}
	ra := log[0].Add(b.Window).Sub(at)
	if s.roundUp {
		ra = (ra + time.Second - 1).Truncate(time.Second)
	}
	return http.StatusTooManyRequests, ra
}

// simResult is the outcome of a simulated run.
type simResult struct {
	elapsed   time.Duration // from the first send to the last accepted one
	sent      int
	throttled int
}

// simulate sends count requests of method one after the other through l,
// each retried (through the limiter) until accepted, against server;
// latency is the round trip, of which half is spent before arrival.
func simulate(t *testing.T, l *Limiter, clock *fakeClock, server *rollingServer, method string, count int, latency time.Duration) simResult {
	t.Helper()
	ctx := context.Background()
	start := clock.Now()
	var res simResult
	for range count {
		for {
			if err := l.Wait(ctx, method); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			sentAt := clock.Now()
			status, ra := server.handle(method, sentAt.Add(latency/2))
			clock.Advance(latency)
			l.Observe(method, status, ra)
			res.sent++
			if status == http.StatusOK {
				res.elapsed = sentAt.Sub(start)
				break
			}
			res.throttled++
			if res.sent > 50*count {
				t.Fatalf("no progress: %d sends for %d requests", res.sent, count)
			}
		}
	}
	return res
}

// fastest is the shortest time in which count requests can start under b:
// a full budget at once, then one more full budget per window.
func fastest(b budget.Budget, count int) time.Duration {
	return time.Duration((count-1)/b.Requests) * b.Window
}

func TestLimiterAgainstRollingServer(t *testing.T) {
	server := budget.Limits{
		"PUT":  {Requests: 160, Window: 5 * time.Second},
		"POST": {Requests: 24000, Window: 5 * time.Second},
	}
	cases := []struct {
		method     string
		count      int
		known      bool
		retryAfter bool
		roundUp    bool
		minRatio   float64
		max429     float64
	}{
		{"PUT", 1000, true, true, false, 0.95, 0.01},
		{"PUT", 1000, true, false, false, 0.95, 0.01},
		{"POST", 100000, true, false, false, 0.95, 0.01},
		{"PUT", 1000, false, true, false, 0.80, 0.05},
		{"PUT", 1000, false, false, false, 0.80, 0.05},
		{"PUT", 1000, false, true, true, 0.80, 0.05},
		{"PUT", 3000, false, false, false, 0.80, 0.05},
		{"POST", 100000, false, true, false, 0.80, 0.05},
		{"POST", 100000, false, false, false, 0.80, 0.05},
		{"PUT", 1000, false, false, false, 0.80, 0.05}, // with PUT configured 10× too high, below
	}
	for i, tc := range cases {
		name := fmt.Sprintf("%s-%d-known=%v-retryAfter=%v-roundUp=%v", tc.method, tc.count, tc.known, tc.retryAfter, tc.roundUp)
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock(true)
			var limits budget.Limits
			if tc.known {
				limits = server
			}
			if i == len(cases)-1 {
				limits = budget.Limits{"PUT": {Requests: 1600, Window: 5 * time.Second}}
				name = "configured too high"
			}
			t.Logf("%s, limits %v", name, limits)
			l := newLimiter(limits, withClock(clock))
			srv := newRollingServer(server, tc.retryAfter)
			srv.roundUp = tc.roundUp
			latency := 20 * time.Millisecond
			if tc.method == "POST" {
				latency = 0
			}
			res := simulate(t, l, clock, srv, tc.method, tc.count, latency)
			ideal := fastest(server[tc.method], tc.count)
			ratio := ideal.Seconds() / res.elapsed.Seconds()
			share := float64(res.throttled) / float64(res.sent)
			t.Logf("elapsed %v (fastest %v): ratio %.3f; %d sent, %d throttled (%.2f %%); stats %+v",
				res.elapsed, ideal, ratio, res.sent, res.throttled, 100*share, l.Stats()[tc.method])
			if ratio < tc.minRatio {
				t.Errorf("throughput ratio %.3f, want ≥ %.2f", ratio, tc.minRatio)
			}
			if share > tc.max429 {
				t.Errorf("429 share %.3f, want ≤ %.2f", share, tc.max429)
			}
		})
	}
}

// TestLimiterRecoversFromA429Burst: a server refuses some early requests of
// a run (somebody else's traffic used the budget, or a gateway throttled
// for a moment), then accepts everything. Whatever budget the limiter
// learns from that burst is far too low; it must grow back to the
// round-trip-bound speed in a few windows, not one request per window.
func TestLimiterRecoversFromA429Burst(t *testing.T) {
	const count, burst = 2000, 5
	for _, tc := range []struct {
		acceptedFirst int
		minRatio      float64
	}{{0, 0.95}, {3, 0.5}} {
		t.Run(fmt.Sprintf("accepted-first=%d", tc.acceptedFirst), func(t *testing.T) {
			latency := 20 * time.Millisecond
			clock := newFakeClock(true)
			l := newLimiter(nil, withClock(clock))
			ctx := context.Background()
			start := clock.Now()
			sent := 0
			for done := 0; done < count; {
				if err := l.Wait(ctx, "PUT"); err != nil {
					t.Fatal(err)
				}
				sent++
				status, ra := http.StatusOK, time.Duration(0)
				if sent > tc.acceptedFirst && sent <= tc.acceptedFirst+burst {
					status, ra = http.StatusTooManyRequests, time.Second
				}
				clock.Advance(latency)
				l.Observe("PUT", status, ra)
				if status == http.StatusOK {
					done++
				}
			}
			elapsed := clock.Now().Sub(start)
			bound := time.Duration(count)*latency + time.Duration(burst)*time.Second
			ratio := bound.Seconds() / elapsed.Seconds()
			t.Logf("elapsed %v for %d requests (round-trip bound %v): ratio %.2f; %d sent; stats %+v", elapsed, count, bound, ratio, sent, l.Stats()["PUT"])
			if ratio < tc.minRatio {
				t.Errorf("after a burst of %d 429s the run took %v, ratio %.2f to the round-trip bound %v (want ≥ %.2f): the learned budget did not grow back",
					burst, elapsed, ratio, bound, tc.minRatio)
			}
		})
	}
}
