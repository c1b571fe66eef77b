package load

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echoBody is the answer of the echo handler: the request's body, quoted,
// padded to size bytes.
func echoAnswer(body []byte, size int) string {
	s := fmt.Sprintf(`{"data":{"echo":%s}}`, strconv.Quote(string(body)))
	if len(s) < size {
		s = s[:len(s)-1] + `,"pad":"` + strings.Repeat("x", size-len(s)-9) + `"}`
	}
	return s
}

// TestClientFraming sends requests through one client to servers that
// frame their answers in each way HTTP/1.1 allows, and checks every
// answer's status and body, and how many connections the client opened.
func TestClientFraming(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, body []byte, i int64)
		status  int
		size    int   // the answer's length, for the echo handlers
		conns   int64 // connections opened for 6 requests
	}{
		{name: "content-length", status: 200, size: 100, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {
			a := echoAnswer(body, 100)
			w.Header().Set("Content-Length", strconv.Itoa(len(a)))
			io.WriteString(w, a)
		}},
		{name: "chunked by size", status: 200, size: 100_000, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {
			io.WriteString(w, echoAnswer(body, 100_000)) // larger than the server's buffer: chunked
		}},
		{name: "chunked by flush", status: 200, size: 300, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {
			a := echoAnswer(body, 300)
			io.WriteString(w, a[:10])
			w.(http.Flusher).Flush()
			io.WriteString(w, a[10:])
		}},
		{name: "empty", status: 200, size: 0, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {}},
		{name: "no content", status: 204, size: 0, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "connection close every 2nd", status: 200, size: 200, conns: 3, handler: func(w http.ResponseWriter, body []byte, i int64) {
			if i%2 == 0 {
				w.Header().Set("Connection", "close")
			}
			io.WriteString(w, echoAnswer(body, 200))
		}},
		{name: "error status", status: 500, size: 50, conns: 1, handler: func(w http.ResponseWriter, body []byte, i int64) {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, echoAnswer(body, 50))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n, conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.URL.Path != "/graphql" {
					http.Error(w, "bad request", http.StatusBadRequest)
					return
				}
				tt.handler(w, body, n.Add(1))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			tg, err := newTarget(srv.URL + "/graphql")
			if err != nil {
				t.Fatal(err)
			}
			cl := newClient(tg, 5*time.Second)
			defer cl.close()
			for i := range 6 {
				req := fmt.Appendf(nil, `{"query":"{ x }","variables":{"i":"%d é \"q\""}}`, i)
				status, body, err := cl.post(req)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if status != tt.status {
					t.Errorf("request %d: status %d, want %d", i, status, tt.status)
				}
				want := ""
				if tt.size > 0 {
					want = echoAnswer(req, tt.size)
				}
				if string(body) != want {
					t.Errorf("request %d: body %.80q (%d bytes), want %.80q (%d bytes)", i, body, len(body), want, len(want))
				}
			}
			if got := conns.Load(); got != tt.conns {
				t.Errorf("%d connections for 6 requests, want %d", got, tt.conns)
			}
		})
	}
}

// rawServer serves HTTP/1.1 by hand on a listener: each connection answers
// up to perConn requests with answer(i), i counting requests over all
// connections, then closes without a word, as a server whose idle timeout
// ran out does.
func rawServer(t *testing.T, perConn int, answer func(i int) string) (url string, conns *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int64)
	var served atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for range perConn {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					io.WriteString(c, answer(int(served.Add(1))))
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/graphql", conns
}

func TestClientReconnects(t *testing.T) {
	ok := func(i int) string {
		b := fmt.Sprintf(`{"data":{"n":%d}}`, i)
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	}
	tests := []struct {
		name      string
		perConn   int
		answer    func(i int) string
		requests  int
		wantConns int64
		wantErr   string // of the last request; "any" for any error
	}{
		// The server closes after 3 answers, unannounced: the 4th request
		// meets a closed connection and is sent again on a new one.
		{name: "silent close", perConn: 3, answer: ok, requests: 10, wantConns: 4},
		// HTTP/1.0 without keep-alive, body to the end of the connection.
		{name: "to EOF", perConn: 1, requests: 3, wantConns: 3, answer: func(i int) string {
			return fmt.Sprintf("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"data\":{\"n\":%d}}", i)
		}},
		// Connection: close is obeyed even when the server would go on.
		{name: "connection close", perConn: 5, requests: 3, wantConns: 3, answer: func(i int) string {
			return strings.Replace(ok(i), "\r\n", "\r\nConnection: Close\r\n", 1)
		}},
		// An HTTP/1.0 answer may keep the connection alive.
		{name: "1.0 keep-alive", perConn: 5, requests: 3, wantConns: 1, answer: func(i int) string {
			return strings.Replace(ok(i), "HTTP/1.1 200 OK\r\n", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", 1)
		}},
		// An interim answer before the real one.
		{name: "100 continue", perConn: 5, requests: 5, wantConns: 1, answer: func(i int) string {
			return "HTTP/1.1 100 Continue\r\n\r\n" + ok(i)
		}},
		// A first request that finds the connection closed is an error
		// (EOF, or a reset): it was not a stale connection.
		{name: "closed at once", perConn: 0, answer: ok, requests: 1, wantConns: 1, wantErr: "any"},
		{name: "bad status line", perConn: 5, requests: 1, wantConns: 1, wantErr: "malformed status line",
			answer: func(int) string { return "HTTP/1.1 OK\r\n\r\n" }},
		{name: "truncated body", perConn: 1, requests: 1, wantConns: 1, wantErr: "unexpected EOF",
			answer: func(int) string { return "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}" }},
		{name: "bad chunk", perConn: 1, requests: 1, wantConns: 1, wantErr: "bad chunk size",
			answer: func(int) string { return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" }},
		{name: "chunk extension and trailer", perConn: 5, requests: 3, wantConns: 1, answer: func(i int) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5;x=y\r\n{\"dat\r\nB\r\na\":{\"n\":0}}\r\n0\r\nX-Trailer: 1\r\n\r\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, conns := rawServer(t, tt.perConn, tt.answer)
			tg, err := newTarget(u)
			if err != nil {
				t.Fatal(err)
			}
			cl := newClient(tg, 5*time.Second)
			defer cl.close()
			for i := range tt.requests {
				status, body, err := cl.post([]byte(`{"query":"{ n }"}`))
				if i == tt.requests-1 && tt.wantErr != "" {
					if err == nil || (tt.wantErr != "any" && !strings.Contains(err.Error(), tt.wantErr)) {
						t.Errorf("request %d: error %v, want %q", i, err, tt.wantErr)
					}
					break
				}
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				var v struct{ Data struct{ N *int } }
				if status != 200 || json.Unmarshal(body, &v) != nil || v.Data.N == nil {
					t.Errorf("request %d: status %d, body %q; want 200 and data", i, status, body)
				}
			}
			if got := conns.Load(); got != tt.wantConns {
				t.Errorf("%d connections, want %d", got, tt.wantConns)
			}
		})
	}
}

// TestClientStop checks that stopping a client fails a request waiting
// for a server that does not answer, at once rather than at its timeout.
func TestClientStop(t *testing.T) {
	u, _ := rawServer(t, 1, func(int) string { select {} })
	tg, _ := newTarget(u)
	cl := newClient(tg, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cl.stopWith(ctx)()
	done := make(chan error, 1)
	go func() {
		_, _, err := cl.post([]byte(`{}`))
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, cancel)
	select {
	case err := <-done:
		if err == nil {
			t.Error("stopped request: no error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("stop did not end the request")
	}
	if _, _, err := cl.post([]byte(`{}`)); err != errStopped {
		t.Errorf("request after stop: error %v, want %v", err, errStopped)
	}
}

var hasErrorsTests = []struct {
	in   string
	want bool
}{
	{`{"data":{"chip":null}}`, false},
	{`{"errors":[{"message":"boom"}],"data":null}`, true},
	{`{"data":null, "errors" : [ {"message":"boom"} ]}`, true},
	{"{\n  \"errors\":\n[{}]}", true},
	// Not a top-level member.
	{`{"data":{"errors":[1]}}`, false},
	{`{"data":{"x":[{"errors":1}]}}`, false},
	{`{"data":{"name":"errors"}}`, false},
	{`{"data":{"name":"\"errors\": in text"}}`, false},
	{`{"data":{"name":"a\\"},"errors":[1]}`, true},
	{`{"data":{"name":"{[\"errors\":"},"x":1}`, false},
	// Present but empty.
	{`{"errors":null,"data":{}}`, false},
	{`{"errors":[ ],"data":{}}`, false},
	// A nested one first, then the top-level one.
	{`{"data":{"errors":1},"errors":[{"message":"x"}]}`, true},
}

func TestHasErrors(t *testing.T) {
	for _, tt := range hasErrorsTests {
		if got := hasErrors([]byte(tt.in)); got != tt.want {
			t.Errorf("hasErrors(%s) got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAnswerError(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   string // "" for no error
	}{
		{200, `{"data":{"chip":{"key":"x"}}}` + "\n", ""},
		{200, `{"errors":[{"message":"boom","extensions":{"code":"INTERNAL"}},{"message":"two"}],"data":null}`, "HTTP 200: boom (INTERNAL) and 1 more"},
		{400, `{"errors":[{"message":"bad query"}]}`, "HTTP 400: bad query"},
		{502, "bad gateway", "HTTP 502: bad gateway"},
		{200, `{"data":{"chip":`, "not a JSON object"},
		{200, ``, "not a JSON object"},
	}
	for _, tt := range tests {
		err := answerError(tt.status, []byte(tt.body))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("answerError(%d, %q) = %v, want nil", tt.status, tt.body, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("answerError(%d, %q) = %v, want %q", tt.status, tt.body, err, tt.want)
		}
	}
}

func TestHist(t *testing.T) {
	// Buckets cover the values in order, without gaps.
	var prev uint64
	for i := range histBuckets {
		lo, hi := histRange(i)
		if i > 0 && lo != prev+1 {
			t.Fatalf("bucket %d starts at %d, after %d", i, lo, prev)
		}
		if hi < lo || (hi-lo)*64 > lo {
			t.Fatalf("bucket %d is [%d, %d]: wider than 1/64 of its values", i, lo, hi)
		}
		if histBucket(lo) != i || histBucket(hi) != i {
			t.Fatalf("bucket %d [%d, %d]: its ends fall in %d and %d", i, lo, hi, histBucket(lo), histBucket(hi))
		}
		prev = hi
	}
	if got := histBucket(1 << 62); got != histBuckets-1 {
		t.Errorf("histBucket(2^62) = %d, want the last bucket %d", got, histBuckets-1)
	}

	// Quantiles are within 0.8% (and 1 µs) of the exact nearest-rank ones.
	tests := []struct {
		name   string
		values func(i int) time.Duration
		n      int
	}{
		{"small", func(i int) time.Duration { return time.Duration(i%100) * time.Microsecond }, 1000},
		{"spread", func(i int) time.Duration { return time.Duration(i*i) * 37 * time.Nanosecond }, 20000},
		{"one", func(int) time.Duration { return 1234567 * time.Microsecond }, 1},
	}
	for _, tt := range tests {
		var a, b hist
		var exact []time.Duration
		for i := range tt.n {
			d := tt.values(i)
			exact = append(exact, d)
			if i%2 == 0 {
				a.add(d)
			} else {
				b.add(d)
			}
		}
		a.merge(&b)
		slices.Sort(exact)
		if a.n != int64(tt.n) || a.max != exact[len(exact)-1] {
			t.Errorf("%s: n %d max %s, want %d and %s", tt.name, a.n, a.max, tt.n, exact[len(exact)-1])
		}
		for _, p := range []float64{0.5, 0.9, 0.99, 1} {
			i := min(max(int(float64(len(exact))*p+0.999999)-1, 0), len(exact)-1)
			want := exact[i].Truncate(time.Microsecond)
			got := a.quantile(p)
			if diff := (got - want).Abs(); diff > want/125+time.Microsecond {
				t.Errorf("%s: quantile(%v) = %s, want %s within 0.8%%", tt.name, p, got, want)
			}
		}
	}
	var empty hist
	if got := empty.quantile(0.5); got != 0 {
		t.Errorf("quantile of no values = %s, want 0", got)
	}
}

func TestClientTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":{"proto":"`+r.Proto+`"}}`)
	}))
	defer srv.Close()
	tg, err := newTarget(srv.URL + "/graphql")
	if err != nil {
		t.Fatal(err)
	}
	tg.tlsConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig
	cl := newClient(tg, 5*time.Second)
	defer cl.close()
	for i := range 3 {
		status, body, err := cl.post([]byte(`{}`))
		if want := `{"data":{"proto":"HTTP/1.1"}}`; err != nil || status != 200 || string(body) != want {
			t.Errorf("request %d over TLS: %d %q %v, want 200 %q", i, status, body, err, want)
		}
	}
}
