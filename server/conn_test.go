package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

type connRoot struct {
	started chan struct{} // closed when Wait starts
	release chan struct{} // Wait returns when closed
}

func (connRoot) Hello() string                       { return "world" }
func (connRoot) Echo(args struct{ S string }) string { return args.S }
func (connRoot) Big(args struct{ N int32 }) string   { return strings.Repeat("x", int(args.N)) }
func (connRoot) Set(args struct{ V string }) string  { return args.V }
func (connRoot) Panic() string                       { panic("boom") }
func (r *connRoot) Wait() string {
	close(r.started)
	<-r.release
	return "done"
}

const connSDL = `
schema { query: Query mutation: Mutation }
type Query { hello: String! echo(s: String!): String! big(n: Int!): String! panic: String! wait: String! }
type Mutation { set(v: String!): String! }`

// openConnServer opens a server over connSDL, with the connection loop
// unless netHTTPOnly.
func openConnServer(t *testing.T, netHTTPOnly bool, root *connRoot) *Server {
	t.Helper()
	if root == nil {
		root = &connRoot{}
	}
	s := NewServer()
	s.Addr = "127.0.0.1:0"
	s.Schema = graphql.MustParseSchema(connSDL, root)
	s.AllowedOrigins = []string{"https://app.example"}
	s.MaxBodyBytes = 64 << 10
	s.NetHTTPOnly = netHTTPOnly
	s.Logger = log.New(io.Discard, "", 0)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return s
}

// exchange writes raw to a new connection and reads n responses, each
// with its body; it also reports whether the server then closed the
// connection.
func exchange(t *testing.T, addr, raw string, n int, head bool) (resps []string, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for range n {
		method := "POST"
		if head {
			method = "HEAD"
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading response %d: %v", len(resps)+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading body %d: %v", len(resps)+1, err)
		}
		resps = append(resps, describe(resp, body))
	}
	// Whether the server closed the connection: a further request gets
	// an answer on an open one.
	if _, err := io.WriteString(c, "GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return resps, true
	}
	if _, err := http.ReadResponse(br, nil); err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("after the answers: %v", err)
		}
		return resps, true
	}
	return resps, false
}

// describe renders a response without its Date, which changes, and with
// its framing (Content-Length or chunked) as one line, which net/http
// picks by size and the loop does not.
func describe(resp *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d\n", resp.Proto, resp.StatusCode)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		if k != "Date" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(resp.Header[k], ", "))
	}
	if _, ok := resp.Header["Date"]; !ok {
		b.WriteString("(no Date)\n")
	}
	fmt.Fprintf(&b, "length %d close %v\n\n%s", resp.ContentLength, resp.Close, body)
	return b.String()
}

func post(body string, extra ...string) string {
	return "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
		strings.Join(extra, "") + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}

func TestConnMatchesNetHTTP(t *testing.T) {
	loop := openConnServer(t, false, nil)
	std := openConnServer(t, true, nil)
	big := `{"query":"{ big(n: 200000) }"}`
	over := `{"query":"{ hello }","variables":{"pad":"` + strings.Repeat("p", 20<<10) + `"}}`
	tests := []struct {
		name      string
		raw       string
		responses int
		handedOff bool // the loop hands the connection to net/http
		head      bool
	}{
		{name: "Post", raw: post(`{"query":"{ hello }"}`), responses: 1},
		{name: "PostVariables", raw: post(`{"query":"query($s: String!) { echo(s: $s) }","variables":{"s":"é\u00e9"}}`), responses: 1},
		{name: "PostGraphQLResponse", raw: post(`{"query":"{ nope }"}`, "Accept: application/graphql-response+json\r\n"), responses: 1},
		{name: "PostBadJSON", raw: post(`{"query":`), responses: 1},
		{name: "PostEmpty", raw: "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\r\n", responses: 1},
		{name: "PostWrongType", raw: post(`{"query":"{ hello }"}`, "Content-Type: text/plain\r\n"), responses: 1},
		{name: "PostNotAcceptable", raw: post(`{"query":"{ hello }"}`, "Accept: text/csv\r\n"), responses: 1},
		{name: "PostPanic", raw: post(`{"query":"{ panic }"}`), responses: 1},
		{name: "PostBigAnswer", raw: post(big), responses: 1},
		{name: "PostOrigin", raw: post(`{"query":"{ hello }"}`, "Origin: https://app.example\r\n"), responses: 1},
		{name: "PostOtherOrigin", raw: post(`{"query":"{ hello }"}`, "Origin: https://evil.example\r\n"), responses: 1},
		{name: "PostMutationReadOnly", raw: post(`{"query":"mutation { set(v: \"a\") }"}`), responses: 1},
		{name: "PostQueryString", raw: strings.Replace(post(`{"query":"{ hello }"}`), "/graphql", "/graphql?x=1", 1), responses: 1},
		{name: "Get", raw: "GET /graphql?query=%7B%20hello%20%7D HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1},
		{name: "GetEmptyQuery", raw: "GET /graphql? HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1},
		{name: "GetMutation", raw: "GET /graphql?query=mutation%7Bset(v:%22a%22)%7D HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1},
		{name: "GetBrowser", raw: "GET /graphql HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n", responses: 1},
		{name: "ConnectionClose", raw: post(`{"query":"{ hello }"}`, "Connection: close\r\n"), responses: 1},
		{name: "Pipelined", raw: post(`{"query":"{ hello }"}`) + post(`{"query":"{ echo(s: \"2\") }"}`) + post(`{"query":"{ echo(s: \"3\") }"}`), responses: 3},
		{name: "DuplicateHeader", raw: post(`{"query":"{ hello }"}`, "Accept: application/json\r\nAccept: application/graphql-response+json\r\n"), responses: 1},

		// Left to net/http.
		{name: "Options", raw: "OPTIONS /graphql HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n\r\n", responses: 1, handedOff: true},
		{name: "Put", raw: "PUT /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", responses: 1, handedOff: true},
		{name: "Head", raw: "HEAD /graphql HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1, handedOff: true, head: true},
		{name: "HTTP10", raw: strings.Replace(post(`{"query":"{ hello }"}`), "HTTP/1.1", "HTTP/1.0", 1), responses: 1, handedOff: true},
		{name: "Chunked", raw: "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n15\r\n{\"query\":\"{ hello }\"}\r\n0\r\n\r\n", responses: 1, handedOff: true},
		{name: "Expect", raw: post(`{"query":"{ hello }"}`, "Expect: 100-continue\r\n"), responses: 1, handedOff: true},
		{name: "LargeBody", raw: post(over), responses: 1, handedOff: true},
		{name: "TooLarge", raw: post(`{"query":"{ hello }","x":"` + strings.Repeat("p", 70<<10) + `"}`), responses: 1, handedOff: true},
		{name: "Health", raw: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1, handedOff: true},
		{name: "OtherPath", raw: "GET /graphql/x HTTP/1.1\r\nHost: localhost\r\n\r\n", responses: 1, handedOff: true},
		{name: "NoHost", raw: "GET /graphql?query=%7Bhello%7D HTTP/1.1\r\n\r\n", responses: 1, handedOff: true},
		{name: "TwoHosts", raw: "GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", responses: 1, handedOff: true},
		{name: "UnknownHeader", raw: post(`{"query":"{ hello }"}`, "X-Custom: 1\r\n"), responses: 1, handedOff: true},
		{name: "BadHeaderValue", raw: post(`{"query":"{ hello }"}`, "Accept: a\x01b\r\n"), responses: 1, handedOff: true},
		{name: "BadHeaderName", raw: post(`{"query":"{ hello }"}`, "Acc ept: x\r\n"), responses: 1, handedOff: true},
		{name: "BareLF", raw: "GET /graphql?query=%7Bhello%7D HTTP/1.1\nHost: localhost\n\n", responses: 1, handedOff: true},
		{name: "ConnectionUpgrade", raw: post(`{"query":"{ hello }"}`, "Connection: Upgrade\r\nUpgrade: h2c\r\n"), responses: 1, handedOff: true},
		{name: "BadLength", raw: "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: +5\r\n\r\n{\"a\":", responses: 1, handedOff: true},
		{name: "GetWithBody", raw: "GET /graphql?query=%7Bhello%7D HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}", responses: 1, handedOff: true},
		// The loop answers the first, net/http the rest of the connection.
		{name: "ThenHandedOff", raw: post(`{"query":"{ hello }"}`) + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" + post(`{"query":"{ echo(s: \"3\") }"}`), responses: 3, handedOff: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served, handed := loop.loop.stats.served.Load(), loop.loop.stats.handedOff.Load()
			got, gotClosed := exchange(t, loop.ln.Addr().String(), tt.raw, tt.responses, tt.head)
			want, wantClosed := exchange(t, std.ln.Addr().String(), tt.raw, tt.responses, tt.head)
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("response %d:\nloop got:\n%s\nnet/http:\n%s", i+1, trim(got[i]), trim(want[i]))
				}
			}
			if gotClosed != wantClosed {
				t.Errorf("connection closed after the answers: loop %v, net/http %v", gotClosed, wantClosed)
			}
			// The loop answered what it should have, and handed off the rest.
			deadline := time.Now().Add(5 * time.Second)
			for loop.loop.stats.handedOff.Load() == handed && tt.handedOff && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			gotHanded := loop.loop.stats.handedOff.Load() - handed
			if wantHanded := map[bool]int64{false: 0, true: 1}[tt.handedOff]; gotHanded != wantHanded {
				t.Errorf("connections handed to net/http: got %d, want %d", gotHanded, wantHanded)
			}
			gotServed := loop.loop.stats.served.Load() - served
			wantServed := int64(tt.responses)
			if !gotClosed {
				wantServed++ // the request that checked the connection was open
			}
			if tt.handedOff {
				wantServed = int64(strings.Count(tt.name, "Then")) // requests before the hand-off
			}
			if gotServed != wantServed {
				t.Errorf("requests the loop answered: got %d, want %d", gotServed, wantServed)
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// TestConnShutdown checks that Shutdown closes idle connections, waits
// for a request in flight and lets it finish with its answer, and that
// the connection is closed after it.
func TestConnShutdown(t *testing.T) {
	root := &connRoot{started: make(chan struct{}), release: make(chan struct{})}
	s := openConnServer(t, false, root)
	addr := s.ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, post(`{"query":"{ wait }"}`))
	<-root.started

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()

	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read got %d, %v; want EOF (closed by Shutdown)", n, err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(root.release)
	busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(busy)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("request in flight: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"data":{"wait":"done"}}` || !resp.Close {
		t.Errorf("request in flight got %d %q close %v, want 200, its data and Connection: close", resp.StatusCode, body, resp.Close)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown got %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("dial after Shutdown succeeded, want refused")
	}
}

// TestConnIdleTimeout checks that an idle connection is closed after the
// idle timeout, and one that sends half a request after the header
// timeout.
func TestConnIdleTimeout(t *testing.T) {
	s := NewServer()
	s.Schema = graphql.MustParseSchema(connSDL, &connRoot{})
	std := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 100 * time.Millisecond, IdleTimeout: 150 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cs := newConnServer(std, ln.Addr())
	go cs.serve(ln)
	defer cs.shutdown(context.Background(), ln)

	for _, tt := range []struct{ name, raw string }{
		{"Idle", post(`{"query":"{ hello }"}`)},
		{"HalfHead", "POST /graphql HTTP/1.1\r\nHost: x\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.raw)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b, err := io.ReadAll(c)
			if err != nil {
				t.Errorf("read got %v, want the server to close the connection", err)
			}
			if answered := strings.HasPrefix(string(b), "HTTP/1.1 200 OK"); answered != (tt.name == "Idle") {
				t.Errorf("got %q before the close", b)
			}
		})
	}
}

// TestConnConcurrent runs clients on many connections at once (for the
// race detector) and checks every answer.
func TestConnConcurrent(t *testing.T) {
	s := openConnServer(t, false, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c, err := net.Dial("tcp", s.ln.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			for j := range 50 {
				want := fmt.Sprintf(`{"data":{"echo":"%d-%d"}}`, i, j)
				io.WriteString(c, post(fmt.Sprintf(`{"query":"{ echo(s: \"%d-%d\") }"}`, i, j)))
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Error(err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				if string(body) != want {
					t.Errorf("got %s, want %s", body, want)
				}
			}
		})
	}
	wg.Wait()
	if got := s.loop.stats.served.Load(); got != 8*50 {
		t.Errorf("the loop answered %d requests, want %d", got, 8*50)
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(b []byte) (int, error) { w.WriteHeader(200); return len(b), nil }

// BenchmarkHandlerCached measures the handler chain around a cached
// answer (logging, security headers, CORS, the mux, reading the request,
// the cache key), without a connection.
func BenchmarkHandlerCached(b *testing.B) {
	s := NewServer()
	s.Schema = graphql.MustParseSchema(connSDL, &connRoot{})
	s.Logger = log.New(io.Discard, "", 0)
	s.Generation = func() (uint64, uint64) { return 1, 0 }
	h := s.Handler()
	body := `{"query":"query Q($s: String!) { echo(s: $s) }","variables":{"s":"chip-123"}}`
	req, _ := http.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.ContentLength = int64(len(body))
	w := &discardWriter{h: http.Header{}}
	rd := strings.NewReader(body)
	for b.Loop() {
		clear(w.h)
		w.status = 0
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		h.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}

// TestConnSplitRequest sends a request in pieces, as a slow client does:
// the loop waits for the rest of its head and body, and answers it.
func TestConnSplitRequest(t *testing.T) {
	s := openConnServer(t, false, nil)
	c, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw := post(`{"query":"{ echo(s: \"split\") }"}`)
	cut1 := strings.Index(raw, "Content-Type")
	cut2 := strings.Index(raw, "\r\n\r\n") + 4
	for _, part := range []string{raw[:cut1], raw[cut1:cut2], raw[cut2 : cut2+5], raw[cut2+5:]} {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if want := `{"data":{"echo":"split"}}`; string(body) != want {
		t.Errorf("got %d %s, want 200 %s", resp.StatusCode, body, want)
	}
	if got := s.loop.stats.served.Load(); got != 1 {
		t.Errorf("the loop answered %d requests, want 1", got)
	}
}
