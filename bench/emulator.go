package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uipath-batch/batch/internal/emulator"
)

func init() { register("6 emulator ceiling", benchEmulatorCeiling) }

// emulatorCeilingWorkers is the number of concurrent client goroutines.
const emulatorCeilingWorkers = 32

// benchEmulatorCeiling measures how many PUT /api/User/{id} requests per
// second the emulator answers, next to a bare net/http handler doing the same
// decode-and-answer, both driven by the same plain keep-alive client.
func benchEmulatorCeiling(ctx context.Context, env *Env) ([]Row, error) {
	rows := env.Size(200000, 2000)
	srv, err := emulator.New(emulator.Config{Users: 2000, Seed: 1, RequestLogLimit: benchRequestLog})
	if err != nil {
		return nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	defer srv.Close()
	token, err := emulatorToken(ctx, srv.URL())
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, u := range srv.Users() {
		urls = append(urls, srv.URL()+"/"+emulator.DefaultOrg+"/identity_/api/User/"+u.ID)
	}
	ref, err := startBareReference()
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	defer ref.close()
	// Alternate the two in rounds, so that load from elsewhere on a shared
	// machine falls on both alike.
	var emu, bare hammerTotals
	const rounds = 4
	for r := 0; r < rounds; r++ {
		n := rows / rounds
		if r == rounds-1 {
			n = rows - n*(rounds-1)
		}
		if err := emu.add(hammerPUTRaw(ctx, urls, token, n)); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		if err := bare.add(hammerPUTRaw(ctx, ref.urls, "reference", n)); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
	}
	emuPerSec, refPerSec := emu.perSec(), bare.perSec()
	emuP50, emuP95 := emu.percentiles()
	refP50, _ := bare.percentiles()
	row := Row{
		Scenario: "6 emulator ceiling", Rows: rows, RowsPerSec: emuPerSec,
		Reference: "bare net/http", RefPerSec: refPerSec,
		Target: ">= 15000 rows/s or >= 0.5 × bare", P50Ms: emuP50, P95Ms: emuP95,
		Throttled: srv.Throttled(),
		// 15,000 against the 30,000 a bare handler does on a quiet 2-core
		// machine: half the bare handler, which on a loaded machine
		// falls with it.
		Pass: env.Smoke || emuPerSec >= 15000 || emuPerSec >= refPerSec/2,
		Note: fmt.Sprintf("PUT /api/User/{id}, %d client goroutines, keep-alive, %d alternating rounds; reference p50 %.2f ms",
			emulatorCeilingWorkers, rounds, refP50),
	}
	if refPerSec > 0 {
		row.Ratio = emuPerSec / refPerSec
	}
	return []Row{row}, nil
}

func emulatorToken(ctx context.Context, base string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.DefaultClientID}, "client_secret": {emulator.DefaultClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/identity_/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token answer (status %d): %v", resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

// hammerResult is the rate and latency percentiles of one measured run.
type hammerResult struct {
	perSec, p50, p95 float64
	cpu              time.Duration // the loop's process's CPU time, when it ran in one
}

// hammerTotals accumulates measured requests over runs.
type hammerTotals struct {
	requests  int
	elapsed   time.Duration
	latencies []float64 // milliseconds
}

func (h *hammerTotals) add(r hammerTotals, err error) error {
	if err != nil {
		return err
	}
	h.requests += r.requests
	h.elapsed += r.elapsed
	h.latencies = append(h.latencies, r.latencies...)
	return nil
}

func (h *hammerTotals) perSec() float64 {
	if h.elapsed <= 0 {
		return 0
	}
	return float64(h.requests) / h.elapsed.Seconds()
}

func (h *hammerTotals) percentiles() (p50, p95 float64) {
	if len(h.latencies) == 0 {
		return 0, 0
	}
	sort.Float64s(h.latencies)
	return h.latencies[len(h.latencies)/2], h.latencies[len(h.latencies)*95/100]
}

// hammerPUT sends n PUT requests (name changes) spread over urls from
// emulatorCeilingWorkers goroutines and measures them.
func hammerPUT(ctx context.Context, urls []string, token string, n int) (hammerResult, error) {
	var t hammerTotals
	if err := t.add(hammerPUTRaw(ctx, urls, token, n)); err != nil {
		return hammerResult{}, err
	}
	p50, p95 := t.percentiles()
	return hammerResult{perSec: t.perSec(), p50: p50, p95: p95}, nil
}

// hammerPUTRaw is hammerPUT with the raw measurements.
func hammerPUTRaw(ctx context.Context, urls []string, token string, n int) (hammerTotals, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: emulatorCeilingWorkers, MaxConnsPerHost: emulatorCeilingWorkers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var errOnce sync.Once
	latencies := make([]float64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < emulatorCeilingWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				body := []byte(`{"name":"Name-` + strconv.Itoa(i) + `"}`)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPut, urls[i%len(urls)], bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				latencies[i] = float64(time.Since(t0)) / float64(time.Millisecond)
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return hammerTotals{}, err
	}
	if f := failed.Load(); f > 0 {
		return hammerTotals{}, fmt.Errorf("%d of %d requests failed, first: %v", f, n, firstErr)
	}
	return hammerTotals{requests: n, elapsed: elapsed, latencies: latencies}, nil
}

// bareReference is a plain handler that decodes the same body and answers
// the same IdentityResult.
type bareReference struct {
	srv  *http.Server
	urls []string
}

func startBareReference() (*bareReference, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	names := map[string]string{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cmd struct {
			Name *string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&cmd); err != nil || cmd.Name == nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		names[r.URL.Path] = *cmd.Name
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"succeeded":true,"errors":[]}`))
	})}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String() + "/api/User/"
	urls := make([]string, 2000)
	for i := range urls {
		urls[i] = base + strconv.Itoa(i)
	}
	return &bareReference{srv: srv, urls: urls}, nil
}

func (b *bareReference) close() { _ = b.srv.Close() }
