// Package load is chipgraph's HTTP load generator: a fixed number of
// clients send the benchmark queries of issue 5 to a running server for a
// fixed time, after a warmup, and Run reports requests per second, latency
// percentiles, errors and the server's CPU time per request.
//
// Query variables are drawn from the benchmark dataset (package
// bench/gen), so the server must hold the dataset of the same scale and
// seed; Run checks a few answers before it starts and refuses a server
// that does not. It sends requests only to loopback addresses unless
// Config.AllowRemote is set, and every run is bounded by Config.Duration
// (and by MaxRequests when set).
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults and bounds of Config.
const (
	DefaultClients  = 8
	DefaultDuration = 30 * time.Second
	DefaultWarmup   = 5 * time.Second
	DefaultTimeout  = 10 * time.Second
	// MaxDuration bounds one run (warmup included).
	MaxDuration = 10 * time.Minute
	// MaxClients bounds the concurrency.
	MaxClients = 1024
	// errorSamples is how many error messages a Result keeps.
	errorSamples = 5
)

// Config is one load run.
type Config struct {
	// URL is the server's GraphQL endpoint, or its base URL (then
	// "/graphql" is appended).
	URL string
	// Clients is the number of concurrent clients, each with one request
	// in flight.
	Clients int
	// Duration is the measured time; Warmup runs before it, unmeasured.
	Duration, Warmup time.Duration
	// MaxRequests stops the measured phase after this many requests (0:
	// Duration alone bounds it).
	MaxRequests int64
	// Timeout bounds each request.
	Timeout time.Duration
	// Seed selects the request variables.
	Seed uint64
	// ServerPID is the server's process, for its CPU time and memory; 0
	// looks for the process listening on the URL's port (same host only).
	ServerPID int
	// AllowRemote allows a URL that is not a loopback address.
	AllowRemote bool
	// Client sends the requests; nil uses one sized for Clients.
	Client *http.Client
}

func (c *Config) defaults() error {
	if c.Clients == 0 {
		c.Clients = DefaultClients
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.Clients < 1 || c.Clients > MaxClients:
		return fmt.Errorf("clients must be from 1 to %d", MaxClients)
	case c.Duration < 0 || c.Warmup < 0 || c.Duration+c.Warmup > MaxDuration:
		return fmt.Errorf("duration plus warmup must be at most %s", MaxDuration)
	case c.MaxRequests < 0:
		return errors.New("max requests must not be negative")
	}
	u, err := CheckURL(c.URL, c.AllowRemote)
	if err != nil {
		return err
	}
	c.URL = u.String()
	if c.Client == nil {
		c.Client = NewClient(c.Clients, c.Timeout)
	}
	return nil
}

// CheckURL parses raw as the GraphQL endpoint (appending /graphql to a
// bare base URL) and refuses any host that is not a loopback address
// ("localhost", 127.0.0.0/8, ::1) unless allowRemote.
func CheckURL(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("URL %q is not http(s)://host:port", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/graphql"
	}
	if !allowRemote && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("refusing %s: not a loopback address (the benchmark loads its target; allow it explicitly to go remote)", u.Host)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewClient returns an HTTP client that keeps one connection per client
// alive and does not compress.
func NewClient(clients int, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Result is one run of one query, or of the mix ("mix") or the part of a
// mix run that was one query. Latencies are in milliseconds.
type Result struct {
	Kind     string    `json:"kind"` // "load"
	Query    string    `json:"query"`
	Title    string    `json:"title,omitempty"`
	Mix      bool      `json:"mix,omitempty"` // part of a mix run
	Start    time.Time `json:"start"`
	Clients  int       `json:"clients"`
	Seconds  float64   `json:"seconds"`
	Requests int64     `json:"requests"`
	Errors   int64     `json:"errors"`
	RPS      float64   `json:"rps"`
	P50      float64   `json:"p50_ms"`
	P90      float64   `json:"p90_ms"`
	P99      float64   `json:"p99_ms"`
	Max      float64   `json:"max_ms"`
	// ServerCPU is the server's CPU time (user+system) per request, in
	// microseconds; 0 when the server process is unknown. Only on whole
	// runs (in a mix, the parts share it).
	ServerCPU float64 `json:"server_cpu_us_per_req,omitempty"`
	// ClientCPU is the load generator's own CPU time per request (it
	// shares the machine with the server).
	ClientCPU float64 `json:"client_cpu_us_per_req,omitempty"`
	// ServerRSS and ServerHWM are the server's resident memory at the end
	// of the run and its peak so far, in bytes.
	ServerRSS int64 `json:"server_rss_bytes,omitempty"`
	ServerHWM int64 `json:"server_hwm_bytes,omitempty"`
	ServerPID int   `json:"server_pid,omitempty"`
	// LoadAvg is the machine's 1-minute load average at the end.
	LoadAvg     float64  `json:"loadavg_1m"`
	ErrorSample []string `json:"error_sample,omitempty"`
}

// Run sends qs to the server for cfg.Warmup and then cfg.Duration. With
// mix, each request picks one of qs at random and Run returns a Result
// per query followed by the "mix" total; otherwise qs must be one query
// and Run returns its Result. Before loading, it checks one answer of each
// query: an error or a null root means the server does not hold the
// dataset the variables come from, and Run fails.
func Run(ctx context.Context, cfg Config, mix bool, qs []*Query) ([]Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if len(qs) == 0 || (!mix && len(qs) != 1) {
		return nil, errors.New("run one query, or a mix of several")
	}
	// Each request draws its own variables, so the server sees the
	// dataset's whole parameter space (a response cache is not handed a
	// small working set). The document is encoded once per query.
	prefixes := make([][]byte, len(qs))
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6c6f6164))
	for i, q := range qs {
		doc, err := json.Marshal(q.Doc)
		if err != nil {
			return nil, err
		}
		prefixes[i] = append(append([]byte(`{"query":`), doc...), `,"variables":`...)
		var sample [][]byte
		for range 3 {
			b, err := encodeBody(nil, prefixes[i], q.Vars(rng))
			if err != nil {
				return nil, err
			}
			sample = append(sample, b)
		}
		if err := check(ctx, cfg.Client, cfg.URL, q, sample); err != nil {
			return nil, err
		}
	}

	pid := cfg.ServerPID
	if pid == 0 {
		pid, _ = ListenerPID(cfg.URL) // unknown: no CPU figures
	}

	var (
		start   = time.Now().Add(cfg.Warmup)
		end     = start.Add(cfg.Duration)
		count   atomic.Int64 // measured requests started
		mu      sync.Mutex
		samples []string
		lat     = make([][][]time.Duration, cfg.Clients) // [client][query]
		errs    = make([][]int64, cfg.Clients)
	)
	runCtx, cancel := context.WithDeadline(ctx, end.Add(cfg.Timeout))
	defer cancel()
	sample := func(msg string) {
		mu.Lock()
		if len(samples) < errorSamples {
			samples = append(samples, msg)
		}
		mu.Unlock()
	}

	// The CPU readings bracket the measured phase: from its start to its
	// end, or to the last client's return if MaxRequests came first.
	var cpu0, cpu1 cpuTimes
	var self0, self1 time.Duration
	var stopped time.Time
	clientsDone := make(chan struct{})
	meter := make(chan struct{})
	go func() {
		defer close(meter)
		if !sleepUntil(runCtx, start, clientsDone) {
			return
		}
		cpu0, _ = processCPU(pid)
		self0 = selfCPU()
		sleepUntil(runCtx, end, clientsDone)
		cpu1, _ = processCPU(pid)
		self1 = selfCPU()
		stopped = time.Now()
	}()

	var wg sync.WaitGroup
	for c := range cfg.Clients {
		lat[c] = make([][]time.Duration, len(qs))
		errs[c] = make([]int64, len(qs))
		r := rand.New(rand.NewPCG(cfg.Seed+uint64(c)+1, 0x636c69))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			var body []byte
			for {
				now := time.Now()
				if now.After(end) || runCtx.Err() != nil {
					return
				}
				measured := !now.Before(start)
				if measured && cfg.MaxRequests > 0 && count.Add(1) > cfg.MaxRequests {
					return
				}
				qi := 0
				if len(qs) > 1 {
					qi = r.IntN(len(qs))
				}
				var err error
				if body, err = encodeBody(body[:0], prefixes[qi], qs[qi].Vars(r)); err != nil {
					panic(err) // Vars returns strings only
				}
				t0 := time.Now()
				err = post(runCtx, cfg.Client, cfg.URL, body, &buf)
				d := time.Since(t0)
				if !measured {
					continue
				}
				if err != nil && runCtx.Err() != nil {
					return // cut off by the end of the run or by ctx
				}
				lat[c][qi] = append(lat[c][qi], d)
				if err != nil {
					errs[c][qi]++
					sample(qs[qi].Name + ": " + err.Error())
				}
			}
		}()
	}
	wg.Wait()
	close(clientsDone)
	<-meter
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	elapsed := stopped.Sub(start)
	if stopped.IsZero() || elapsed <= 0 {
		return nil, errors.New("no measured phase: the run ended before its warmup did")
	}

	mem, _ := processMemory(pid)
	loadavg := loadAverage()
	mk := func(name, title string, ls []time.Duration, nerr int64) Result {
		r := Result{Kind: "load", Query: name, Title: title, Mix: mix && name != "mix", Start: start.UTC(),
			Clients: cfg.Clients, Seconds: elapsed.Seconds(), Requests: int64(len(ls)), Errors: nerr,
			LoadAvg: loadavg}
		r.RPS = float64(r.Requests) / r.Seconds
		if len(ls) > 0 {
			slices.Sort(ls)
			r.P50, r.P90, r.P99 = ms(percentile(ls, 0.50)), ms(percentile(ls, 0.90)), ms(percentile(ls, 0.99))
			r.Max = ms(ls[len(ls)-1])
		}
		return r
	}
	var out []Result
	var all []time.Duration
	var allErr int64
	for qi, q := range qs {
		var ls []time.Duration
		var nerr int64
		for c := range cfg.Clients {
			ls = append(ls, lat[c][qi]...)
			nerr += errs[c][qi]
		}
		all = append(all, ls...)
		allErr += nerr
		if mix {
			out = append(out, mk(q.Name, q.Title, ls, nerr))
		}
	}
	total := mk("mix", "mix of "+names(qs), all, allErr)
	if !mix {
		total = mk(qs[0].Name, qs[0].Title, all, allErr)
	}
	total.ErrorSample = samples
	if n := float64(total.Requests); n > 0 {
		if pid != 0 && cpu1.total() > 0 {
			total.ServerCPU = float64((cpu1.total() - cpu0.total()).Microseconds()) / n
			total.ServerPID = pid
		}
		total.ClientCPU = float64((self1 - self0).Microseconds()) / n
	}
	total.ServerRSS, total.ServerHWM = mem.rss, mem.hwm
	return append(out, total), nil
}

// encodeBody appends to b the request body: prefix (the query member and
// the variables member's name), then vars and the closing brace.
func encodeBody(b, prefix []byte, vars map[string]any) ([]byte, error) {
	v, err := json.Marshal(vars)
	if err != nil {
		return nil, err
	}
	b = append(b, prefix...)
	b = append(b, v...)
	return append(b, '}'), nil
}

func names(qs []*Query) string {
	var ns []string
	for _, q := range qs {
		ns = append(ns, q.Name)
	}
	return strings.Join(ns, ",")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile returns the nearest-rank p-quantile of the sorted ls.
func percentile(ls []time.Duration, p float64) time.Duration {
	i := int(float64(len(ls))*p+0.999999) - 1
	return ls[min(max(i, 0), len(ls)-1)]
}

// sleepUntil waits until t, and reports whether t came before ctx ended
// or done closed.
func sleepUntil(ctx context.Context, t time.Time, done <-chan struct{}) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-done:
		return false
	}
}

// post sends one request and reads the whole answer into buf. A transport
// error, a status other than 200, or a GraphQL error is an error.
func post(ctx context.Context, c *http.Client, u string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	b := buf.Bytes()
	// In JSON text, `"errors":` can only be a member name: a quote inside
	// a string is escaped. The response has no other member of that name.
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"errors":`)) {
		return responseError(resp.StatusCode, b)
	}
	return nil
}

// responseError describes a failed answer by its first GraphQL error.
func responseError(status int, b []byte) error {
	var r struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &r) == nil && len(r.Errors) > 0 {
		e := r.Errors[0]
		code, _ := e.Extensions["code"].(string)
		msg := e.Message
		if code != "" {
			msg += " (" + code + ")"
		}
		if len(r.Errors) > 1 {
			msg += fmt.Sprintf(" and %d more", len(r.Errors)-1)
		}
		return fmt.Errorf("HTTP %d: %s", status, msg)
	}
	return fmt.Errorf("HTTP %d: %.200s", status, b)
}

// check sends a few of q's requests and fails unless each answers without
// errors and with a root field that is neither null nor an empty list.
func check(ctx context.Context, c *http.Client, u string, q *Query, sample [][]byte) error {
	var buf bytes.Buffer
	for _, body := range sample {
		if err := post(ctx, c, u, body, &buf); err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		var r struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: answer is not JSON: %w", q.Name, err)
		}
		if v, ok := r.Data[q.Root]; !ok || string(v) == "null" || string(v) == "[]" {
			var in struct {
				Variables map[string]any `json:"variables"`
			}
			_ = json.Unmarshal(body, &in)
			return fmt.Errorf("%s: %s is null for %v: does the server hold the dataset of this --scale and --seed?", q.Name, q.Root, in.Variables)
		}
	}
	return nil
}

// Fields returns the names of the server's Query fields, by introspection.
func Fields(ctx context.Context, c *http.Client, u string) (map[string]bool, error) {
	body := []byte(`{"query":"{ __type(name: \"Query\") { fields { name } } }"}`)
	var buf bytes.Buffer
	if err := post(ctx, c, u, body, &buf); err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	var r struct {
		Data struct {
			Type struct {
				Fields []struct{ Name string } `json:"fields"`
			} `json:"__type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	fs := map[string]bool{}
	for _, f := range r.Data.Type.Fields {
		fs[f.Name] = true
	}
	return fs, nil
}

// ReadyQuery is the request WaitReady sends: a key lookup in the store
// (of a key that need not exist), so an answer means the store is open.
const ReadyQuery = `{"query":"{ entity(key: \"chipgraph-bench-ready\") { key } }"}`

// WaitReady polls the server every millisecond until it answers
// ReadyQuery without error, and returns the time of the first answer. It
// gives up after timeout.
func WaitReady(ctx context.Context, c *http.Client, u string, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var buf bytes.Buffer
	var last error
	for {
		err := post(ctx, c, u, []byte(ReadyQuery), &buf)
		if err == nil {
			return time.Now(), nil
		}
		last = err
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("server at %s did not answer within %s: %w", u, timeout, last)
		case <-time.After(time.Millisecond):
		}
	}
}

// selfCPU returns this process's CPU time (user+system).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
