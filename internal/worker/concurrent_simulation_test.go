package worker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/uipath-batch/batch/internal/budget"
)

// simulateConcurrent runs count requests of method on workers goroutines
// inside a synctest bubble (time is simulated), each request retried through
// the limiter until accepted. Round trips take latency ± 50 %, half of it
// before the server sees the request.
func simulateConcurrent(t *testing.T, limits budget.Limits, server *rollingServer, method string, count, workers int, latency time.Duration) (res simResult, stats MethodStats) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(limits)
		var mu sync.Mutex
		var next, sent, throttled atomic.Int64
		start := time.Now()
		var lastAccepted time.Time
		var wg sync.WaitGroup
		for w := range workers {
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			wg.Go(func() {
				for next.Add(1) <= int64(count) {
					for {
						if err := l.Wait(context.Background(), method); err != nil {
							t.Errorf("Wait: %v", err)
							return
						}
						rtt := latency/2 + time.Duration(rnd.Int64N(int64(latency)+1))
						time.Sleep(rtt / 2)
						mu.Lock()
						sentAt := time.Now().Add(-rtt / 2)
						status, ra := server.handle(method, time.Now())
						if status == http.StatusOK && sentAt.After(lastAccepted) {
							lastAccepted = sentAt
						}
						mu.Unlock()
						time.Sleep(rtt / 2)
						l.Observe(method, status, ra)
						sent.Add(1)
						if status == http.StatusOK {
							break
						}
						throttled.Add(1)
					}
				}
			})
		}
		wg.Wait()
		res = simResult{elapsed: lastAccepted.Sub(start), sent: int(sent.Load()), throttled: int(throttled.Load())}
		stats = l.Stats()[method]
	})
	return res, stats
}

func TestLimiterConcurrentWorkersAgainstRollingServer(t *testing.T) {
	server := budget.Limits{"PUT": {Requests: 160, Window: 5 * time.Second}}
	for _, tc := range []struct {
		known, retryAfter bool
		workers           int
		latency           time.Duration
		minRatio, max429  float64
	}{
		{true, false, 8, 100 * time.Millisecond, 0.95, 0.01},
		{true, true, 32, 300 * time.Millisecond, 0.95, 0.01},
		{false, true, 8, 100 * time.Millisecond, 0.80, 0.05},
		{false, false, 8, 100 * time.Millisecond, 0.80, 0.05},
		{false, true, 32, 300 * time.Millisecond, 0.80, 0.05},
		{false, false, 16, 200 * time.Millisecond, 0.80, 0.05},
	} {
		name := fmt.Sprintf("known=%v-retryAfter=%v-workers=%d-latency=%v", tc.known, tc.retryAfter, tc.workers, tc.latency)
		t.Run(name, func(t *testing.T) {
			var limits budget.Limits
			if tc.known {
				limits = server
			}
			const count = 1000
			res, stats := simulateConcurrent(t, limits, newRollingServer(server, tc.retryAfter), "PUT", count, tc.workers, tc.latency)
			ideal := fastest(server["PUT"], count)
			ratio := ideal.Seconds() / res.elapsed.Seconds()
			share := float64(res.throttled) / float64(res.sent)
			t.Logf("elapsed %v (fastest %v): ratio %.3f; %d sent, %d throttled (%.2f %%); learned %v",
				res.elapsed, ideal, ratio, res.sent, res.throttled, 100*share, stats.Learned)
			if ratio < tc.minRatio {
				t.Errorf("throughput ratio %.3f, want ≥ %.2f", ratio, tc.minRatio)
			}
			if share > tc.max429 {
				t.Errorf("429 share %.3f, want ≤ %.2f", share, tc.max429)
			}
		})
	}
}
