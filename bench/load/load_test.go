package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
)

var checkURLTests = []struct {
	in, want string
	remote   bool
	err      string
}{
	{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080/graphql"},
	{in: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080/graphql"},
	{in: "http://localhost:8080/api/graphql", want: "http://localhost:8080/api/graphql"},
	{in: "http://[::1]:8080", want: "http://[::1]:8080/graphql"},
	{in: "http://127.8.9.10", want: "http://127.8.9.10/graphql"},
	// Anything else is refused unless allowed.
	{in: "http://10.0.0.1:8080", err: "not a loopback address"},
	{in: "http://example.com:8080", err: "not a loopback address"},
	{in: "http://localhost.example.com", err: "not a loopback address"},
	{in: "http://example.com:8080", remote: true, want: "http://example.com:8080/graphql"},
	// Not a URL.
	{in: "127.0.0.1:8080", err: "not http(s)"},
	{in: "ftp://127.0.0.1/", err: "not http(s)"},
}

func TestCheckURL(t *testing.T) {
	for _, tt := range checkURLTests {
		u, err := CheckURL(tt.in, tt.remote)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("CheckURL(%q, %v) error %v, want %q", tt.in, tt.remote, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("CheckURL(%q, %v) error %v", tt.in, tt.remote, err)
		case tt.err == "" && u.String() != tt.want:
			t.Errorf("CheckURL(%q, %v) got %q, want %q", tt.in, tt.remote, u, tt.want)
		}
	}
}

func TestRunRefusesRemote(t *testing.T) {
	d := gen.New(gen.Config{Scale: 0.001, Seed: 1})
	_, err := Run(context.Background(), Config{URL: "http://192.0.2.1:8080", Duration: time.Second}, false, Queries(d, time.Now())[:1])
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("Run to a remote URL: error %v, want a refusal", err)
	}
}

func TestParseStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	line := []byte("4242 (chip graph (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 31 0 0 20 0 12 0 999 0 0\n")
	got, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if want := (cpuTimes{2500 * time.Millisecond, 310 * time.Millisecond}); got != want {
		t.Errorf("parseStat got %+v, want %+v", got, want)
	}
	if _, err := parseStat([]byte("4242 (x) S 1")); err == nil {
		t.Error("parseStat of a short line: no error")
	}
	// Our own process has a readable stat.
	if _, err := processCPU(os.Getpid()); err != nil {
		t.Errorf("processCPU(self): %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	got := parseStatus([]byte("Name:\tchipgraph\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t9\n"))
	if want := (memory{rss: 100 << 20, hwm: 200 << 20}); got != want {
		t.Errorf("parseStatus got %+v, want %+v", got, want)
	}
}

func TestListeningInodes(t *testing.T) {
	table := []byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1126 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 100 0 0 10 0
   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0 100 0 0 10 0
`)
	got := listeningInodes(table, 8080)
	if len(got) != 1 || got[0] != "1126" {
		t.Errorf("listeningInodes(8080) got %v, want [1126] (the established socket is not listening)", got)
	}
}

func TestListenerPID(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	pid, err := ListenerPID(srv.URL)
	if err != nil {
		t.Skipf("ListenerPID: %v (no /proc?)", err)
	}
	if pid != os.Getpid() {
		t.Errorf("ListenerPID(%s) got %d, want this process %d", srv.URL, pid, os.Getpid())
	}
}

func TestSelect(t *testing.T) {
	all := Queries(gen.New(gen.Config{Scale: 0.001, Seed: 1}), time.Now())
	base := func(f string) bool { return f != "search" && f != "paths" }
	mix, qs, err := Select(all, "mix", base)
	if err != nil || !mix || names(qs) != "q1,q2,q3,q6" {
		t.Errorf(`Select("mix") without search and paths got %v %q %v, want the mix of q1,q2,q3,q6`, mix, names(qs), err)
	}
	if _, qs, _ := Select(all, "mix", nil); names(qs) != "q1,q2,q3,q4,q5,q6" {
		t.Errorf(`Select("mix") with every field got %q`, names(qs))
	}
	if mix, qs, err := Select(all, " Q3, q1 ", base); err != nil || mix || names(qs) != "q3,q1" {
		t.Errorf(`Select("Q3, q1") got %v %q %v`, mix, names(qs), err)
	}
	for sel, want := range map[string]string{
		"q4":    "the API has no search field yet",
		"q1,q5": "the API has no paths field yet",
		"q7":    `unknown query "q7"`,
	} {
		if _, _, err := Select(all, sel, base); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Select(%q) error %v, want %q", sel, err, want)
		}
	}
}

func TestQueriesVars(t *testing.T) {
	d := gen.New(gen.Config{Scale: 0.01, Seed: 1})
	for _, q := range Queries(d, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		if !strings.Contains(q.Doc, q.Root+"(") {
			t.Errorf("%s: the document does not ask for its root %s", q.Name, q.Root)
		}
		for i := range 100 {
			seed := uint64(i)
			m := q.Vars(rand.New(rand.NewPCG(seed, 1)))
			for k, v := range m {
				if s, ok := v.(string); !ok || s == "" {
					t.Fatalf("%s: variable %s = %#v, want a non-empty string", q.Name, k, v)
				}
			}
			// Draw draws the same from the same state, and encodes it
			// as JSON that decodes to the map.
			v := q.Draw(rand.New(rand.NewPCG(seed, 1)))
			var got map[string]any
			if err := json.Unmarshal(v.AppendJSON(nil), &got); err != nil || fmt.Sprint(got) != fmt.Sprint(m) || v.Len() != len(m) {
				t.Fatalf("%s: Draw's JSON %s decodes to %v (%v), want %v", q.Name, v.AppendJSON(nil), got, err, m)
			}
		}
	}
}

// fakeServer answers every request with data holding root, or with a
// GraphQL error for every third request when failing. It counts the
// requests, and the distinct variables in distinct.
func fakeServer(t *testing.T, root string, failing bool) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	distinct.Clear()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Query     string
			Variables map[string]any
		}
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		i := n.Add(1)
		distinct.Store(fmt.Sprint(p.Variables), true)
		w.Header().Set("Content-Type", "application/json")
		if failing && i > 10 && i%3 == 0 { // the checks before the run pass
			w.Write([]byte(`{"errors":[{"message":"boom","extensions":{"code":"INTERNAL"}}],"data":null}`))
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{root: map[string]any{"key": "x", "note": `"errors": in text`}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

var distinct sync.Map

func TestRun(t *testing.T) {
	srv, served := fakeServer(t, "chip", false)
	qs := Queries(gen.New(gen.Config{Scale: 0.05, Seed: 1}), time.Now()) // 1,000 chips
	cfg := Config{URL: srv.URL, Clients: 4, Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond, ServerPID: os.Getpid()}
	rs, err := Run(context.Background(), cfg, false, qs[:1])
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("Run of one query returned %d results", len(rs))
	}
	r := rs[0]
	if r.Query != "q1" || r.Requests == 0 || r.Errors != 0 || r.Clients != 4 || r.ServerPID != os.Getpid() {
		t.Errorf("Run got %+v, want q1 with requests, no errors, 4 clients, this process as the server", r)
	}
	if r.Seconds < 0.29 || r.Seconds > 0.5 {
		t.Errorf("Run measured %.3fs, want about 0.3s", r.Seconds)
	}
	if !(r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max) || r.Max <= 0 {
		t.Errorf("latencies not ordered: p50 %v p90 %v p99 %v max %v", r.P50, r.P90, r.P99, r.Max)
	}
	if got := served.Load(); got < r.Requests+3 {
		t.Errorf("server saw %d requests, fewer than the %d measured and 3 checked", got, r.Requests)
	}
	if r.ServerRSS == 0 || r.ServerHWM < r.ServerRSS {
		t.Errorf("server memory rss %d hwm %d, want both, hwm the larger", r.ServerRSS, r.ServerHWM)
	}
	// Variables are drawn per request: a response cache on the server
	// must see the dataset's parameter space, not a fixed sample.
	n := 0
	distinct.Range(func(_, _ any) bool { n++; return true })
	if want := min(int(r.Requests)/4, 300); n < want {
		t.Errorf("%d distinct variables in %d requests, want at least %d", n, r.Requests, want)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rs); err != nil || !strings.Contains(buf.String(), "req/s") {
		t.Errorf("WriteTable: %v\n%s", err, buf.String())
	}
}

func TestRunMixAndErrors(t *testing.T) {
	srv, _ := fakeServer(t, "chip", true)
	d := gen.New(gen.Config{Scale: 0.001, Seed: 1})
	var chips []*Query
	for _, q := range Queries(d, time.Now()) {
		if q.Root == "chip" {
			chips = append(chips, q)
		}
	}
	cfg := Config{URL: srv.URL, Clients: 2, Duration: 200 * time.Millisecond}
	rs, err := Run(context.Background(), cfg, true, chips)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(chips)+1 || rs[len(rs)-1].Query != "mix" {
		t.Fatalf("mix run returned %d results, want one per query and the total", len(rs))
	}
	total := rs[len(rs)-1]
	var sum int64
	for _, r := range rs[:len(rs)-1] {
		sum += r.Requests
		if !r.Mix {
			t.Errorf("%s: Mix not set on a part of a mix run", r.Query)
		}
	}
	if sum != total.Requests || total.Requests == 0 {
		t.Errorf("parts sum to %d requests, total %d", sum, total.Requests)
	}
	if total.Errors == 0 || len(total.ErrorSample) == 0 || len(total.ErrorSample) > errorSamples ||
		!strings.Contains(total.ErrorSample[0], "boom (INTERNAL)") {
		t.Errorf("errors %d, sample %q: want some, with the message and code", total.Errors, total.ErrorSample)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rs...); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(rs) {
		t.Errorf("WriteJSON wrote %d lines for %d results", lines, len(rs))
	}
}

func TestRunMaxRequests(t *testing.T) {
	srv, _ := fakeServer(t, "chip", false)
	qs := Queries(gen.New(gen.Config{Scale: 0.001, Seed: 1}), time.Now())
	cfg := Config{URL: srv.URL, Clients: 3, Duration: 10 * time.Second, MaxRequests: 20}
	start := time.Now()
	rs, err := Run(context.Background(), cfg, false, qs[:1])
	if err != nil {
		t.Fatal(err)
	}
	if r := rs[0]; r.Requests != 20 || time.Since(start) > 5*time.Second {
		t.Errorf("MaxRequests 20: %d requests in %s", r.Requests, time.Since(start))
	}
}

func TestRunChecksDataset(t *testing.T) {
	srv, _ := fakeServer(t, "company", false) // no chip
	qs := Queries(gen.New(gen.Config{Scale: 0.001, Seed: 1}), time.Now())
	_, err := Run(context.Background(), Config{URL: srv.URL, Duration: time.Second}, false, qs[:1])
	if err == nil || !strings.Contains(err.Error(), "--scale and --seed") {
		t.Fatalf("Run against a server without the dataset: error %v, want one naming --scale and --seed", err)
	}
}

func TestWaitReady(t *testing.T) {
	var up atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"data":{"entity":null}}`))
	}))
	defer srv.Close()
	if _, err := WaitReady(context.Background(), srv.URL, 30*time.Millisecond); err == nil {
		t.Fatal("WaitReady on a server that never answers: no error")
	}
	start := time.Now() // before the timer, so readiness cannot precede it by the timer's own delay
	time.AfterFunc(20*time.Millisecond, func() { up.Store(true) })
	ready, err := WaitReady(context.Background(), srv.URL, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := ready.Sub(start); d < 20*time.Millisecond || d > 2*time.Second {
		t.Errorf("ready after %s, want soon after 20ms", d)
	}
}

// TestRunCountsErrors runs against servers that fail some answers in
// different ways, and checks that Run counts exactly the failed ones (the
// server counts what it sent) and keeps their messages.
func TestRunCountsErrors(t *testing.T) {
	chip := `{"data":{"chip":{"key":"x"}}}`
	big := `{"data":{"chip":{"key":"x","pad":"` + strings.Repeat("y", 20000) + `"}}}` // chunked
	tests := []struct {
		name string
		// answer writes the i-th answer (from 1) and reports whether it
		// is a failure.
		answer  func(w http.ResponseWriter, i int64) bool
		message string // in the error sample
	}{
		{name: "ok", answer: func(w http.ResponseWriter, i int64) bool {
			io.WriteString(w, chip)
			return false
		}},
		{name: "close every 2nd, chunked", answer: func(w http.ResponseWriter, i int64) bool {
			if i%2 == 0 {
				w.Header().Set("Connection", "close")
			}
			io.WriteString(w, big)
			return false
		}},
		{name: "503 every 3rd", message: "q1: HTTP 503: overloaded", answer: func(w http.ResponseWriter, i int64) bool {
			if i > 3 && i%3 == 0 {
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return true
			}
			io.WriteString(w, chip)
			return false
		}},
		{name: "GraphQL errors every 4th, chunked", message: "q1: HTTP 200: store unavailable (UNAVAILABLE)",
			answer: func(w http.ResponseWriter, i int64) bool {
				if i > 3 && i%4 == 0 {
					io.WriteString(w, `{"errors":[{"message":"store unavailable","extensions":{"code":"UNAVAILABLE"}}],"data":{"chip":{"pad":"`+
						strings.Repeat("z", 20000)+`"}}}`)
					return true
				}
				io.WriteString(w, big)
				return false
			}},
		{name: "truncated JSON every 5th", message: "q1: HTTP 200: answer is not a JSON object", answer: func(w http.ResponseWriter, i int64) bool {
			if i > 3 && i%5 == 0 {
				io.WriteString(w, chip[:20])
				return true
			}
			io.WriteString(w, chip)
			return false
		}},
	}
	qs := Queries(gen.New(gen.Config{Scale: 0.001, Seed: 1}), time.Now())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n, failed atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				if tt.answer(w, n.Add(1)) {
					failed.Add(1)
				}
			}))
			defer srv.Close()
			cfg := Config{URL: srv.URL, Clients: 3, Duration: 150 * time.Millisecond}
			rs, err := Run(context.Background(), cfg, false, qs[:1])
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			// The 3 checks before the run pass; every other answer is
			// one of the run's requests.
			if r.Requests == 0 || r.Requests != n.Load()-3 || r.Errors != failed.Load() {
				t.Errorf("requests %d, errors %d; the server answered %d after the checks, %d of them failures",
					r.Requests, r.Errors, n.Load()-3, failed.Load())
			}
			if tt.message == "" && len(r.ErrorSample) > 0 {
				t.Errorf("error sample %q, want none", r.ErrorSample)
			}
			if tt.message != "" && (len(r.ErrorSample) == 0 || !strings.HasPrefix(r.ErrorSample[0], tt.message)) {
				t.Errorf("error sample %q, want %q first", r.ErrorSample, tt.message)
			}
		})
	}
}
