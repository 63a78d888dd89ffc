package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/emulator"
	"github.com/uipath-batch/batch/internal/secret"
)

// secretForBench is the token of the benchmarks' stub servers.
var secretForBench = secret.New("pat-value-for-benchmarks")

// BenchmarkNewRequest measures building one per-row request.
func BenchmarkNewRequest(b *testing.B) {
	c := &Client{userAgent: []string{"batch/bench"}}
	ctx := context.Background()
	url := "http://127.0.0.1:8765/demo-org/identity_/api/User/8a0b3c2e-7f1d-4e5a-9b6c-0d1e2f3a4b5c"
	name := "Ada"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.NewRequest(ctx, http.MethodPut, url, UpdateUser{Name: &name}.wire()); err != nil {
			b.Fatal(err)
		}
	}
}

// rawAnswer is the body the emulator answers to a GET of rel (under the
// Identity base, or the Orchestrator base with orchestrator), as read
// off the wire.
func rawAnswer(b *testing.B, c *Client, orchestrator bool, rel string) []byte {
	b.Helper()
	ctx := context.Background()
	var req *http.Request
	var err error
	if orchestrator {
		req, err = c.orchestratorRequest(ctx, http.MethodGet, rel, nil)
	} else {
		req, err = c.NewRequest(ctx, http.MethodGet, c.endpoints.Identity+"/"+rel, nil)
	}
	if err != nil {
		b.Fatal(err)
	}
	resp, err := c.Do(req, nil)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchShapes runs f once per answer shape of the emulator, as
// sub-benchmarks: the live service's and the published definitions'.
func benchShapes(b *testing.B, f func(b *testing.B, spec bool)) {
	for _, sh := range []struct {
		name string
		spec bool
	}{{"live", false}, {"spec", true}} {
		b.Run(sh.name, func(b *testing.B) { f(b, sh.spec) })
	}
}

// BenchmarkDecodeUsersPage measures reading one page of 1,000 users, as
// the emulator serves it, the way a list read decodes it.
func BenchmarkDecodeUsersPage(b *testing.B) {
	benchShapes(b, func(b *testing.B, spec bool) {
		srv := startEmulator(b, emulator.Config{Users: maxPageSize, Seed: 1, SpecShapes: spec})
		c := newTestClient(b, srv)
		partition, err := c.PartitionID(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		body := rawAnswer(b, c, false, "api/User/users/"+partition+"?sortBy=Id&top=1000")
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var p page[User]
			if err := decodeAnswer(body, &p); err != nil || len(p.Results) != maxPageSize {
				b.Fatalf("%d users, %v", len(p.Results), err)
			}
		}
	})
}

// benchRobots is how many robot accounts the robot benchmarks' emulator
// makes: as many as it can, a page's worth.
const benchRobots = 999

// BenchmarkDecodeRobotAccountsPage measures reading one page of 999
// robot accounts.
func BenchmarkDecodeRobotAccountsPage(b *testing.B) {
	benchShapes(b, func(b *testing.B, spec bool) {
		srv := startEmulator(b, emulator.Config{Robots: benchRobots, Seed: 1, SpecShapes: spec})
		c := newTestClient(b, srv)
		partition, err := c.PartitionID(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		body := rawAnswer(b, c, false, "api/RobotAccount/"+partition+"?sortBy=Id&top=1000")
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var p page[RobotAccount]
			if err := decodeAnswer(body, &p); err != nil || len(p.Results) != benchRobots {
				b.Fatalf("%d robot accounts, %v", len(p.Results), err)
			}
		}
	})
}

// BenchmarkDecodeOrchestratorUsersPage measures reading one page of
// Orchestrator users (each robot account's, with its unattended robot).
func BenchmarkDecodeOrchestratorUsersPage(b *testing.B) {
	benchShapes(b, func(b *testing.B, spec bool) {
		srv := startEmulator(b, emulator.Config{Robots: benchRobots, Seed: 1, SpecShapes: spec})
		c := newTestClient(b, srv)
		body := rawAnswer(b, c, true, "odata/Users?$orderby=Id%20asc&$top=1000&$skip=0&$count=true")
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var p odataPage[OrchestratorUser]
			if err := decodeAnswer(body, &p); err != nil || len(p.Value) == 0 {
				b.Fatalf("%d Orchestrator users, %v", len(p.Value), err)
			}
		}
	})
}

// BenchmarkDecodePagesEncodingJSON reads the same pages as the Decode
// benchmarks (the live shapes) the way the client read them before
// #29, with encoding/json and each account's own UnmarshalJSON
// (decode_legacy_test.go): the cost the one-pass decoders are measured
// against.
func BenchmarkDecodePagesEncodingJSON(b *testing.B) {
	b.Run("users", func(b *testing.B) {
		srv := startEmulator(b, emulator.Config{Users: maxPageSize, Seed: 1})
		c := newTestClient(b, srv)
		partition, err := c.PartitionID(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		body := rawAnswer(b, c, false, "api/User/users/"+partition+"?sortBy=Id&top=1000")
		benchLegacy[legacyUser](b, body, func(p *page[legacyUser]) int { return len(p.Results) })
	})
	b.Run("robot-accounts", func(b *testing.B) {
		srv := startEmulator(b, emulator.Config{Robots: benchRobots, Seed: 1})
		c := newTestClient(b, srv)
		partition, err := c.PartitionID(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		body := rawAnswer(b, c, false, "api/RobotAccount/"+partition+"?sortBy=Id&top=1000")
		benchLegacy[legacyRobotAccount](b, body, func(p *page[legacyRobotAccount]) int { return len(p.Results) })
	})
	b.Run("orchestrator-users", func(b *testing.B) {
		srv := startEmulator(b, emulator.Config{Robots: benchRobots, Seed: 1})
		c := newTestClient(b, srv)
		body := rawAnswer(b, c, true, "odata/Users?$orderby=Id%20asc&$top=1000&$skip=0&$count=true")
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var p odataPage[legacyOrchestratorUser]
			if err := json.Unmarshal(body, &p); err != nil || len(p.Value) == 0 {
				b.Fatalf("%d Orchestrator users, %v", len(p.Value), err)
			}
		}
	})
}

// benchLegacy measures json.Unmarshal of body, an Identity page of T.
func benchLegacy[T any](b *testing.B, body []byte, count func(*page[T]) int) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p page[T]
		if err := json.Unmarshal(body, &p); err != nil || count(&p) == 0 {
			b.Fatalf("%d read, %v", count(&p), err)
		}
	}
}

// BenchmarkUpdateUser measures one PUT /api/User/{id} as a run sends it
// (with a BeforeSend hook), against a loopback server answering the
// canonical success: the client's cost per row beyond the server's.
// BenchmarkPlainPUT is the same request from a bare net/http loop.
func BenchmarkUpdateUser(b *testing.B) {
	url := identityResultServer(b)
	st := Settings{URI: url, Organization: "org", Tenant: "tenant", PAT: secretForBench,
		PartitionID: "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	c, err := New(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	name := "Ada"
	hook := BeforeSend(func() error { return nil })
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Users.Update(ctx, "8a0b3c2e-7f1d-4e5a-9b6c-0d1e2f3a4b5c", UpdateUser{Name: &name}, hook); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainPUT is BenchmarkUpdateUser's request from a bare net/http
// loop: the floor the client's cost is measured from.
func BenchmarkPlainPUT(b *testing.B) {
	url := identityResultServer(b) + "/org/identity_/api/User/8a0b3c2e-7f1d-4e5a-9b6c-0d1e2f3a4b5c"
	hc := &http.Client{Transport: sharedTransport()}
	body := []byte(`{"name":"Ada"}`)
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secretForBench.Reveal())
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}

// identityResultServer answers every PUT with Identity's canonical
// success, on loopback.
func identityResultServer(b *testing.B) string {
	b.Helper()
	return stubServer(b, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(identitySucceeded)
	})
}
