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
//
// The load generator shares the machine with the server it measures, so
// it is built to spend little CPU time per request (Result.ClientCPU
// reports it): its own HTTP/1.1 client (http.go), variables drawn and
// encoded without maps or reflection, latencies counted in a histogram
// (hist.go) rather than kept one by one.
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
// and Run returns its Result. Before loading, it checks a few answers of
// each query in full: an error or a null root means the server does not
// hold the dataset the variables come from, and Run fails. During the
// load, an answer is an error when its status is not 200, it is not a
// JSON object, or it has a top-level "errors" member.
//
// Each client is one goroutine with one keep-alive connection (see
// http.go), which it opens again when the server closes it.
func Run(ctx context.Context, cfg Config, mix bool, qs []*Query) ([]Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if len(qs) == 0 || (!mix && len(qs) != 1) {
		return nil, errors.New("run one query, or a mix of several")
	}
	t, err := newTarget(cfg.URL)
	if err != nil {
		return nil, err
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
			v := q.Draw(rng)
			sample = append(sample, encodeBody(nil, prefixes[i], &v))
		}
		if err := check(ctx, t, cfg.Timeout, q, sample); err != nil {
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
		lat     = make([][]hist, cfg.Clients) // [client][query]
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
		hs := make([]hist, len(qs))
		es := make([]int64, len(qs))
		lat[c], errs[c] = hs, es
		r := rand.New(rand.NewPCG(cfg.Seed+uint64(c)+1, 0x636c69))
		cl := newClient(t, cfg.Timeout)
		wg.Go(func() {
			defer cl.close()
			defer cl.stopWith(runCtx)()
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
				v := qs[qi].Draw(r)
				body = encodeBody(body[:0], prefixes[qi], &v)
				t0 := time.Now()
				status, answer, err := cl.post(body)
				d := time.Since(t0)
				if !measured {
					continue
				}
				if err != nil && runCtx.Err() != nil {
					return // cut off by the end of the run or by ctx
				}
				if err == nil {
					err = answerError(status, answer)
				}
				hs[qi].add(d)
				if err != nil {
					es[qi]++
					sample(qs[qi].Name + ": " + err.Error())
				}
			}
		})
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
	mk := func(name, title string, h *hist, nerr int64) Result {
		r := Result{Kind: "load", Query: name, Title: title, Mix: mix && name != "mix", Start: start.UTC(),
			Clients: cfg.Clients, Seconds: elapsed.Seconds(), Requests: h.n, Errors: nerr,
			LoadAvg: loadavg}
		r.RPS = float64(r.Requests) / r.Seconds
		if h.n > 0 {
			r.P50, r.P90, r.P99 = ms(h.quantile(0.50)), ms(h.quantile(0.90)), ms(h.quantile(0.99))
			r.Max = ms(h.max)
		}
		return r
	}
	var out []Result
	var all hist
	var allErr int64
	for qi, q := range qs {
		var h hist
		var nerr int64
		for c := range cfg.Clients {
			h.merge(&lat[c][qi])
			nerr += errs[c][qi]
		}
		all.merge(&h)
		allErr += nerr
		if mix {
			out = append(out, mk(q.Name, q.Title, &h, nerr))
		}
	}
	total := mk("mix", "mix of "+names(qs), &all, allErr)
	if !mix {
		total = mk(qs[0].Name, qs[0].Title, &all, allErr)
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
// the variables member's name), then the variables and the closing brace.
func encodeBody(b, prefix []byte, v *Vars) []byte {
	b = append(b, prefix...)
	b = v.AppendJSON(b)
	return append(b, '}')
}

func names(qs []*Query) string {
	var ns []string
	for _, q := range qs {
		ns = append(ns, q.Name)
	}
	return strings.Join(ns, ",")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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

// answerError returns the error an answer reports, or nil: a status
// other than 200, a body that is not a JSON object, or a top-level
// "errors" member (neither null nor empty) is an error. It reads the body
// no further than that; check decodes it in full.
func answerError(status int, b []byte) error {
	if status != http.StatusOK || hasErrors(b) {
		return responseError(status, b)
	}
	t := bytes.TrimSpace(b)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return fmt.Errorf("HTTP %d: answer is not a JSON object: %.200q", status, b)
	}
	return nil
}

// hasErrors reports whether the JSON object b has a top-level "errors"
// member that is neither null nor an empty list. It looks for the name
// first, and only where it occurs scans the JSON text up to it to tell a
// top-level member name from a nested one or a string value.
func hasErrors(b []byte) bool {
	name := []byte(`"errors"`)
	var depth int
	var inString, escaped bool
	pos := 0 // the scan's state is the one before b[pos]
	for from := 0; ; {
		i := bytes.Index(b[from:], name)
		if i < 0 {
			return false
		}
		i += from
		for ; pos < i; pos++ {
			c := b[pos]
			switch {
			case escaped:
				escaped = false
			case inString:
				switch c {
				case '\\':
					escaped = true
				case '"':
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
		}
		if !inString && depth == 1 {
			rest := bytes.TrimLeft(b[i+len(name):], " \t\r\n")
			if len(rest) > 0 && rest[0] == ':' {
				v := bytes.TrimLeft(rest[1:], " \t\r\n")
				empty := bytes.HasPrefix(v, []byte("null")) ||
					(len(v) > 0 && v[0] == '[' && bytes.HasPrefix(bytes.TrimLeft(v[1:], " \t\r\n"), []byte("]")))
				return !empty
			}
		}
		from = i + 1
	}
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

// postOnce sends body on a new connection of its own and returns the
// answer's body, or the error the answer reports.
func postOnce(ctx context.Context, t *target, timeout time.Duration, body []byte) ([]byte, error) {
	cl := newClient(t, timeout)
	defer cl.close()
	defer cl.stopWith(ctx)()
	status, b, err := cl.post(body)
	if err == nil {
		err = answerError(status, b)
	}
	return b, err
}

// check sends a few of q's requests and fails unless each answers without
// errors and with a root field that is neither null nor an empty list.
func check(ctx context.Context, t *target, timeout time.Duration, q *Query, sample [][]byte) error {
	for _, body := range sample {
		b, err := postOnce(ctx, t, timeout, body)
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		var r struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
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
// u is a URL CheckURL accepted.
func Fields(ctx context.Context, u string) (map[string]bool, error) {
	t, err := newTarget(u)
	if err != nil {
		return nil, err
	}
	body := []byte(`{"query":"{ __type(name: \"Query\") { fields { name } } }"}`)
	b, err := postOnce(ctx, t, DefaultTimeout, body)
	if err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	var r struct {
		Data struct {
			Type struct {
				Fields []struct{ Name string } `json:"fields"`
			} `json:"__type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
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

// WaitReady polls the server at u (a URL CheckURL accepted) every
// millisecond until it answers ReadyQuery without error, and returns the
// time of the first answer. It gives up after timeout.
func WaitReady(ctx context.Context, u string, timeout time.Duration) (time.Time, error) {
	t, err := newTarget(u)
	if err != nil {
		return time.Time{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl := newClient(t, timeout)
	defer cl.close()
	defer cl.stopWith(ctx)()
	var last error
	for {
		status, b, err := cl.post([]byte(ReadyQuery))
		if err == nil {
			err = answerError(status, b)
		}
		if err == nil {
			return time.Now(), nil
		}
		if !errors.Is(err, errStopped) {
			last = err
		}
		select {
		case <-ctx.Done():
			if last == nil {
				last = ctx.Err()
			}
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
