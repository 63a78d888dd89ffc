// Package browsertest opens a page in headless Chromium for tests: the
// report.html browser tests of cmd/batch and internal/htmlreport share
// it. It records what a self-contained page must never do: console
// errors, exceptions, requests for anything but the page, and dialogs.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // the screenshots' format
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium finds headless Chromium: $BATCH_CHROMIUM, else chromium on
// PATH. Without it the test skips, except in CI (CI=true), which installs
// it (.ci/run).
func Chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BATCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const how = "no Chromium found for the report.html browser test: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set BATCH_CHROMIUM=/path/to/chrome"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// Page is a page open in headless Chromium, with what it did.
type Page struct {
	ctx      context.Context
	url      string
	mu       sync.Mutex
	errors   []string
	requests []string
	dialogs  []string
}

// Open loads the file at path in a fresh headless Chromium whose window
// is width pixels wide, and waits for the element waitFor (a CSS
// selector) to be ready.
func Open(t *testing.T, path string, width int, waitFor string) *Page {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profileDir(t)),
		chromedp.WindowSize(width, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Page{ctx: ctx, url: (&url.URL{Scheme: "file", Path: abs}).String()}
	chromedp.ListenTarget(ctx, func(ev any) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
				p.errors = append(p.errors, fmt.Sprintf("console.%s %v", ev.Type, ev.Args))
			}
		case *runtime.EventExceptionThrown:
			p.errors = append(p.errors, "exception: "+ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError || ev.Entry.Level == log.LevelWarning {
				p.errors = append(p.errors, fmt.Sprintf("log %s: %s", ev.Entry.Source, ev.Entry.Text))
			}
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != p.url {
				p.requests = append(p.requests, ev.Request.URL)
			}
		case *page.EventJavascriptDialogOpening:
			p.dialogs = append(p.dialogs, ev.Message)
			go func() { _ = chromedp.Run(ctx, page.HandleJavaScriptDialog(false)) }()
		}
	})
	if err := chromedp.Run(ctx, log.Enable(), network.Enable(), runtime.Enable(),
		chromedp.Navigate(p.url), chromedp.WaitReady(waitFor, chromedp.ByQuery)); err != nil {
		t.Fatalf("open %s in Chromium: %v", path, err)
	}
	return p
}

// Eval runs js in the page and decodes its value into out (nil: none).
func (p *Page) Eval(t *testing.T, js string, out any) {
	t.Helper()
	if err := chromedp.Run(p.ctx, chromedp.Evaluate(js, out)); err != nil {
		t.Fatalf("evaluate %q: %v", js, err)
	}
}

// CheckQuiet fails on any console error, exception, request or dialog
// so far.
func (p *Page) CheckQuiet(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errors {
		t.Errorf("console: %s", e)
	}
	for _, r := range p.requests {
		t.Errorf("the page made a request: %s", r)
	}
	for _, d := range p.dialogs {
		t.Errorf("the page opened a dialog: %q", d)
	}
}

// Screenshot writes the whole page as a PNG named name into dir (""
// means $BATCH_SCREENSHOT_DIR, else the test's temporary folder), checks
// that it is one, and returns its path.
func (p *Page) Screenshot(t *testing.T, dir, name string) string {
	t.Helper()
	if dir == "" {
		dir = os.Getenv("BATCH_SCREENSHOT_DIR")
	}
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	if err := chromedp.Run(p.ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(buf)); err != nil || format != "png" {
		t.Fatalf("screenshot is not a PNG: %s %v", format, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// profileDir is a folder for the browser's profile, removed once the test
// and the browser are done. Not t.TempDir: the browser's last processes
// may still write to it for a moment after it is stopped, which fails
// t.TempDir's single removal ("directory not empty"); this one is removed
// again until it is gone, for a few seconds at most.
func profileDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "browsertest-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // registered first: runs after the browser is stopped
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("the browser profile %s could not be removed", dir)
	})
	return dir
}
