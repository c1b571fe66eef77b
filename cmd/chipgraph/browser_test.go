package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromium returns the headless browser to test the query page with, or
// skips. CI installs Debian's chromium; set CHIPGRAPH_REQUIRE_BROWSER=1 to
// make a missing browser a failure.
func chromium(t *testing.T) string {
	for _, name := range []string{os.Getenv("CHIPGRAPH_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CHIPGRAPH_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH; CI installs it")
	return ""
}

// TestQueryPageInBrowser opens the query page in headless Chromium with no
// network but the service itself, runs a query from the page and reads the
// rendered result.
func TestQueryPageInBrowser(t *testing.T) {
	bin := chromium(t)
	m := MustRunMain(t, nil)
	q := `{ chip(key: "trainium3") { name manufacturers { nodes { name } } } }`
	page := m.URL() + "/?run=1&query=" + url.QueryEscape(q)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", page)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	i := strings.Index(dom, `id="result"`)
	if i < 0 {
		t.Fatalf("no result pane in the page:\n%.2000s", dom)
	}
	result := dom[i:]
	for _, want := range []string{"Trainium3", "TSMC"} {
		if !strings.Contains(result, want) {
			t.Errorf("result pane lacks %q:\n%.1500s", want, result)
		}
	}
	if strings.Contains(result, "errors") {
		t.Errorf("the page's query returned errors:\n%.1500s", result)
	}
}
