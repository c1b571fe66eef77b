package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/load"
)

func TestBenchParseFlags(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, _, _ := testCLI(nil, "")
		cfg, err := c.parseBenchFlags(nil)
		if err != nil {
			t.Fatal(err)
		}
		l := cfg.Load
		if l.URL != "http://127.0.0.1:8080/graphql" || l.Clients != 8 || l.Duration != 30*time.Second ||
			l.Warmup != 5*time.Second || cfg.Query != "mix" || cfg.Scale != 1 || cfg.Seed != 1 || l.AllowRemote {
			t.Errorf("defaults got %+v", cfg)
		}
	})
	t.Run("Flags", func(t *testing.T) {
		c, _, _ := testCLI(map[string]string{"CHIPGRAPH_CLIENTS": "3"}, "")
		cfg, err := c.parseBenchFlags([]string{"--url", "http://localhost:9000", "--duration", "2s", "--warmup", "0s",
			"--query", "Q1,q3", "--scale", "0.5", "--seed", "7", "--json", "--server-pid", "42",
			"--as-of", "2026-01-02T03:04:05Z", "--wait", "5s", "--started-at", "1700000000000000000", "--cpuprofile", "gen.prof"})
		if err != nil {
			t.Fatal(err)
		}
		l := cfg.Load
		if l.URL != "http://localhost:9000/graphql" || l.Clients != 3 || l.Duration != 2*time.Second || l.Warmup != 0 ||
			cfg.Query != "q1,q3" || cfg.Scale != 0.5 || cfg.Seed != 7 || !cfg.JSON || l.ServerPID != 42 ||
			!cfg.AsOf.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || cfg.Wait != 5*time.Second ||
			cfg.StartedAt.UnixNano() != 1700000000000000000 || cfg.CPUProfile != "gen.prof" {
			t.Errorf("flags got %+v", cfg)
		}
	})
}

var benchUsageErrors = []struct {
	args []string
	want string
}{
	{[]string{"--url", "http://10.1.2.3:8080"}, "not a loopback address"},
	{[]string{"--url", "http://example.com"}, "not a loopback address"},
	{[]string{"--clients", "0"}, "--clients"},
	{[]string{"--clients", "5000"}, "at most"},
	{[]string{"--duration", "0s"}, "--duration"},
	{[]string{"--duration", "20m"}, "at most"},
	{[]string{"--warmup", "-1s"}, "--warmup"},
	{[]string{"--query", "none"}, "give --wait"},
	{[]string{"--started-at", "123"}, "needs --wait"},
	{[]string{"--wait", "1s", "--started-at", "soon"}, "Unix nanoseconds"},
	{[]string{"--as-of", "yesterday"}, "RFC 3339"},
	{[]string{"extra"}, "unexpected argument"},
}

func TestBenchUsageErrors(t *testing.T) {
	for _, tt := range benchUsageErrors {
		r := runCLI(t, nil, "", append([]string{"bench"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("bench %q: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// TestBenchEndToEnd imports a small generated dataset, serves it with the
// real service, and loads it with the bench command.
func TestBenchEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "gen.ndjson")
	store := filepath.Join(dir, "store")
	prof := filepath.Join(dir, "gen.prof")
	for _, args := range [][]string{
		{"gen", "--scale", "0.002", "--seed", "3", "--out", data},
		{"import", "--data", store, data},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	m := MustRunMain(t, func(c *Config) { c.DataDir = store; c.NoStarter = true })
	pid := strconv.Itoa(os.Getpid())

	// Start-up: the server is up, so the first answer comes at once.
	started := strconv.FormatInt(time.Now().UnixNano(), 10)
	r := runCLI(t, nil, "", "bench", "--url", m.URL(), "--wait", "5s", "--started-at", started, "--query", "none", "--json")
	var st load.Startup
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil || st.Kind != "startup" || st.Seconds <= 0 {
		t.Fatalf("bench --query none: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, nil, "", "bench", "--url", m.URL(), "--scale", "0.002", "--seed", "3", "--query", "q1,q6",
		"--clients", "2", "--duration", "300ms", "--warmup", "0s", "--server-pid", pid, "--json", "--cpuprofile", prof)
	if r.code != 0 {
		t.Fatalf("bench: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("--cpuprofile %s: %v, want a profile", prof, err)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("bench q1,q6 wrote %d lines, want 2:\n%s", len(lines), r.stdout)
	}
	for i, want := range []string{"q1", "q6"} {
		var res load.Result
		if err := json.Unmarshal([]byte(lines[i]), &res); err != nil {
			t.Fatal(err)
		}
		if res.Query != want || res.Requests == 0 || res.Errors != 0 || res.ServerCPU <= 0 {
			t.Errorf("line %d: %+v, want %s with requests, no errors and the server's CPU time", i, res, want)
		}
	}

	// The wrong dataset is refused before any load.
	r = runCLI(t, nil, "", "bench", "--url", m.URL(), "--scale", "0.002", "--seed", "4", "--query", "q1", "--duration", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "--scale and --seed") {
		t.Errorf("bench with another seed: exit %d, stderr %q; want 1 and a hint at --scale and --seed", r.code, r.stderr)
	}
}
