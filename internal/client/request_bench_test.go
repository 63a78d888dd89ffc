package client

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkNewRequest measures building one per-row request.
func BenchmarkNewRequest(b *testing.B) {
	c := &Client{userAgent: "batch/bench"}
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
