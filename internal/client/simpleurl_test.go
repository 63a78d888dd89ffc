package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/uipath-batch/batch/internal/secret"
)

// urlCases are request URLs of every shape: the per-row ones simpleURL
// takes, and the ones it must leave to url.Parse.
var urlCases = []string{
	"https://cloud.uipath.com/acme/identity_/api/User/8a0b3c2e-7f1d-4e5a-9b6c-0d1e2f3a4b5c",
	"http://127.0.0.1:8765/demo-org/identity_/api/User/0d1e2f3a/changepassword",
	"https://uipath.example.com/identity/api/RobotAccount/abc",
	"http://localhost:1/a//b/./c~d_e",
	"https://host/",
	"https://HOST.Example.COM:443/x",
	"https://host:/x",
	"https://host:8a/x",
	"https://:80/x",
	"https://host",
	"https://host?x=1",
	"https://host/a?$filter=UserName%20eq%20'x'",
	"https://host/a%2Fb",
	"https://user:pw@host/x",
	"https://[::1]:80/x",
	"https://host/a b",
	"https://host/a#frag",
	"HTTPS://host/x",
	"ftp://host/x",
	"https://host:1:2/x",
	"https://ho%41st/x",
	"",
}

func TestSimpleURLParsesAsURLParseDoes(t *testing.T) {
	taken := 0
	for _, raw := range urlCases {
		if checkSimpleURL(t, raw) {
			taken++
		}
	}
	if taken < 6 {
		t.Fatalf("simpleURL took %d of the cases; the per-row shapes (at least 6) must take the short path", taken)
	}
}

func FuzzSimpleURL(f *testing.F) {
	for _, raw := range urlCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) { checkSimpleURL(t, raw) })
}

// checkSimpleURL fails t unless simpleURL(raw), when it answers, equals
// url.Parse(raw); it reports whether simpleURL answered.
func checkSimpleURL(t *testing.T, raw string) bool {
	t.Helper()
	got, ok := simpleURL(raw)
	if !ok {
		return false
	}
	want, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("simpleURL(%q) = %#v, but url.Parse refuses it: %v", raw, got, err)
	}
	if got != *want {
		t.Fatalf("simpleURL(%q) = %#v, url.Parse = %#v", raw, got, want)
	}
	return true
}

func TestNewRequestBuildsWhatNetHTTPBuilds(t *testing.T) {
	c := &Client{userAgent: []string{"batch/test"}}
	ctx := context.Background()
	for _, raw := range urlCases[:14] {
		for _, body := range []any{nil, map[string]string{"name": "Ada"}} {
			got, err := c.NewRequest(ctx, http.MethodPut, raw, body)
			var rd io.Reader
			if body != nil {
				rd = bytes.NewReader([]byte(`{"name":"Ada"}`))
			}
			want, werr := http.NewRequestWithContext(ctx, http.MethodPut, raw, rd)
			if (err == nil) != (werr == nil) {
				t.Fatalf("%q: NewRequest error %v, net/http error %v", raw, err, werr)
			}
			if err != nil {
				continue
			}
			if body != nil {
				want.Header.Set("Content-Type", "application/json")
			}
			want.Header.Set("Accept", "application/json")
			want.Header.Set("User-Agent", "batch/test")
			if !reflect.DeepEqual(got.URL, want.URL) || got.Host != want.Host || got.Method != want.Method ||
				got.ContentLength != want.ContentLength || (got.GetBody == nil) != (want.GetBody == nil) ||
				!reflect.DeepEqual(got.Header, want.Header) || got.Context() != want.Context() {
				t.Fatalf("%q body %v:\n got %+v\nwant %+v", raw, body, got, want)
			}
		}
	}
}

func TestDoLeavesTheCallersRequestWithoutTheToken(t *testing.T) {
	var seen []string
	srv := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"succeeded":true,"errors":[]}`)
	})
	c, err := New(context.Background(), Settings{URI: srv, Organization: "org", PAT: secret.New("pat-leak-check-1"), PartitionID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := c.NewRequest(context.Background(), http.MethodPut, c.Users.userURL("u1"), map[string]string{"name": "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	before := req.Header.Clone()
	if _, err := c.Do(req, nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "Bearer pat-leak-check-1" {
		t.Fatalf("server saw Authorization %q; want the bearer token once", seen)
	}
	if !reflect.DeepEqual(req.Header, before) || strings.Contains(strings.Join(req.Header.Values("Authorization"), ""), "pat-leak") {
		t.Fatalf("the caller's request changed to %v (was %v)", req.Header, before)
	}
}
