package server

// conn.go is the server's own HTTP/1.1 connection loop. It answers the
// usual GraphQL requests — a GET or POST to /graphql over
// HTTP/1.1, with a Content-Length body that fits its buffer and no
// Expect, Transfer-Encoding or Upgrade — through the same handler chain
// as every other request (logging, security headers, CORS, the mux,
// serveGraphQL), and hands the connection, with every byte it has read
// and not answered, to net/http at the first request that is anything
// else. net/http keeps it from then on.
//
// What it saves is net/http's work around each request, not the
// handler's: a per-request context and its cancellation, the background
// read that watches for the client going away, the header and request
// allocations, and the copies through its buffered writers. An answer is
// written with one system call. With the same handler, a cached answer
// (Q4 at scale 1) cost the server 42 µs of CPU through net/http in
// session H, and 27 µs through this loop and a leaner handler in
// session I (BENCHMARKS.md).
//
// One behaviour differs: net/http cancels a request's context when the
// client disconnects before the answer; here the request runs to its
// end or its timeout (Server.RequestTimeout), as queries are short and
// have no side effects. Status codes, headers (Date included), bodies and
// keep-alive follow net/http (TestConnMatchesNetHTTP compares the two),
// as does graceful shutdown; the server's timeouts apply as connServer
// says.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// connBufferBytes is a connection's read buffer: a request whose
	// head and body do not fit in it goes to net/http.
	connBufferBytes = 16 << 10
	// streamAfter is how much of an answer is held before the rest is
	// written as it comes (only when the handler set Content-Length).
	streamAfter = 64 << 10
)

// connStats counts what the loop did, for tests and benchmarks.
type connStats struct {
	served    atomic.Int64 // requests answered by the loop
	handedOff atomic.Int64 // connections handed to net/http
}

// connServer runs the loop for one listener and owns the http.Server
// that takes the connections it hands off.
type connServer struct {
	handler http.Handler
	std     *http.Server
	queue   *connQueue
	stats   connStats

	// std's timeouts: readHeaderTimeout bounds reading a request (head
	// and body), idleTimeout the wait for the next one, writeTimeout
	// each write of an answer. net/http's ReadTimeout stands in for a
	// zero ReadHeaderTimeout or IdleTimeout, as net/http does.
	readHeaderTimeout time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration

	baseCtx context.Context

	mu      sync.Mutex
	conns   map[*loopConn]struct{}
	closing atomic.Bool
	active  sync.WaitGroup
}

// newConnServer returns a loop that answers with std's handler and
// timeouts and hands connections to std.
func newConnServer(std *http.Server, addr net.Addr) *connServer {
	s := &connServer{
		handler:           std.Handler,
		std:               std,
		queue:             newConnQueue(addr),
		readHeaderTimeout: cmp.Or(std.ReadHeaderTimeout, std.ReadTimeout),
		writeTimeout:      std.WriteTimeout,
		idleTimeout:       cmp.Or(std.IdleTimeout, std.ReadTimeout),
		conns:             map[*loopConn]struct{}{},
	}
	ctx := context.WithValue(context.Background(), http.ServerContextKey, std)
	s.baseCtx = ctx
	return s
}

// serve accepts connections from ln until it is closed, and runs the
// http.Server on the connections handed off. It returns
// http.ErrServerClosed after shutdown, like http.Server.Serve.
func (s *connServer) serve(ln net.Listener) error {
	go func() { _ = s.std.Serve(s.queue) }()
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() { // as net/http: back off and retry
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := &loopConn{s: s, nc: nc}
		s.mu.Lock()
		if s.closing.Load() {
			s.mu.Unlock()
			nc.Close()
			return http.ErrServerClosed
		}
		s.conns[c] = struct{}{}
		s.active.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

// shutdown closes ln and the idle connections, lets the others finish
// their request, and shuts the http.Server down.
func (s *connServer) shutdown(ctx context.Context, ln net.Listener) error {
	s.closing.Store(true)
	lnErr := ln.Close()
	if errors.Is(lnErr, net.ErrClosed) {
		lnErr = nil
	}
	s.mu.Lock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.nc.Close()
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.active.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if e := s.std.Shutdown(ctx); err == nil {
		err = e
	}
	s.queue.Close() // in case std.Serve had not started
	if err == nil {
		err = lnErr
	}
	return err
}

// Connection states.
const (
	stateActive int32 = iota // reading or answering a request
	stateIdle                // waiting for the next request
	stateClosed              // closed by shutdown
)

// loopConn is one connection the loop serves.
type loopConn struct {
	s     *connServer
	nc    net.Conn
	state atomic.Int32
	br    *bufio.Reader

	ctx    context.Context
	cancel context.CancelFunc
	base   *http.Request // what every request on c starts from
	req    http.Request  // the request being answered
	url    url.URL
	body   bodyReader
	w      loopResponse
	head   []headerLine // this request's header lines
	prev   []headerLine // the last request's, whose strings are reused
	keys   []string     // sorted response header names
}

// headerLine is one request header as read, with the strings made for it.
type headerLine struct {
	value    []byte // into the read buffer
	key, val string
	vals     []string // {val}
}

func (c *loopConn) serve() {
	s := c.s
	handedOff := false
	defer func() {
		if !handedOff {
			c.nc.Close()
		}
		if c.cancel != nil {
			c.cancel()
		}
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.active.Done()
	}()
	c.br = bufio.NewReaderSize(c.nc, connBufferBytes)
	c.ctx, c.cancel = context.WithCancel(context.WithValue(s.baseCtx, http.LocalAddrContextKey, c.nc.LocalAddr()))
	c.base = (&http.Request{RemoteAddr: c.nc.RemoteAddr().String()}).WithContext(c.ctx)
	c.w.c = c
	first := true
	for {
		// Wait for the next request, as an idle connection.
		wait := s.idleTimeout
		if first {
			wait = s.readHeaderTimeout
		}
		c.setReadDeadline(wait)
		c.state.Store(stateIdle)
		if s.closing.Load() {
			return
		}
		_, err := c.br.Peek(1)
		if !c.state.CompareAndSwap(stateIdle, stateActive) || err != nil {
			return // closed by shutdown, by the client, or idle too long
		}
		n, ok, err := c.readRequest(first)
		first = false
		if err != nil {
			return
		}
		if !ok {
			handedOff = c.handOff()
			return
		}
		keep, err := c.answer(n)
		if err != nil || !keep {
			return
		}
	}
}

func (c *loopConn) setReadDeadline(d time.Duration) {
	if d > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(d))
	} else {
		_ = c.nc.SetReadDeadline(time.Time{})
	}
}

// handOff gives the connection, with what is buffered, to net/http.
func (c *loopConn) handOff() bool {
	c.s.stats.handedOff.Add(1)
	_ = c.nc.SetReadDeadline(time.Time{})
	return c.s.queue.push(&bufferedConn{Conn: c.nc, r: c.br})
}

// readRequest reads one request's head and body into the buffer without
// consuming them, and fills c.req. It returns the request's length in
// bytes, or ok false when the request is one for net/http. What is not
// buffered yet must come within the server's ReadHeaderTimeout (for the
// first request, from the connection's start).
func (c *loopConn) readRequest(first bool) (n int, ok bool, err error) {
	deadline := first // the first request's is set
	more := func(n int) ([]byte, error) {
		if !deadline {
			c.setReadDeadline(c.s.readHeaderTimeout)
			deadline = true
		}
		return c.br.Peek(n)
	}
	// The head, up to its empty line.
	var end int
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		if i := bytes.Index(buf, []byte("\n\r\n")); i >= 0 {
			end = i + 3
			break
		}
		if bytes.Contains(buf, []byte("\n\n")) || len(buf) == c.br.Size() {
			return 0, false, nil // bare LF line ends, or a large head
		}
		if _, err := more(len(buf) + 1); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return 0, false, nil
			}
			return 0, false, err
		}
	}
	buf, _ := c.br.Peek(end)
	if !c.parseHead(buf[:end-2]) {
		return 0, false, nil
	}
	// The body.
	length := c.req.ContentLength
	if end+int(length) > c.br.Size() {
		return 0, false, nil
	}
	var all []byte
	if c.br.Buffered() >= end+int(length) {
		all, err = c.br.Peek(end + int(length))
	} else {
		all, err = more(end + int(length))
	}
	if err != nil {
		return 0, false, err
	}
	c.body.reset(all[end:])
	return len(all), true, nil
}

// parseHead fills c.req from the request line and header lines in head
// (each ending in CR LF). It returns false for a request the loop leaves
// to net/http.
func (c *loopConn) parseHead(head []byte) bool {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	method, line, ok1 := bytes.Cut(line, []byte(" "))
	uri, proto, ok2 := bytes.Cut(line, []byte(" "))
	if !ok1 || !ok2 || string(proto) != "HTTP/1.1" {
		return false
	}
	r := &c.req
	hdr := r.Header
	*r = *c.base
	r.Header = hdr
	switch string(method) {
	case http.MethodPost:
		r.Method = http.MethodPost
	case http.MethodGet:
		r.Method = http.MethodGet
	default:
		return false
	}
	path, query, hasQuery := bytes.Cut(uri, []byte("?"))
	if string(path) != "/graphql" || bytes.IndexByte(query, '#') >= 0 || !validURIQuery(query) {
		return false
	}
	c.url = url.URL{Path: "/graphql"}
	r.RequestURI = "/graphql"
	if hasQuery {
		c.url.RawQuery = string(query)
		c.url.ForceQuery = len(query) == 0
		r.RequestURI = string(uri)
	}

	// The header lines; their strings are the last request's when equal.
	c.prev, c.head = c.head, c.prev[:0]
	var host []byte
	hosts, lengths := 0, 0
	length := int64(0)
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok || len(name) == 0 || !validHeaderName(name) {
			return false // including obsolete line folding
		}
		value = bytes.Trim(value, " \t")
		if !validHeaderValue(value) {
			return false
		}
		key := canonicalHeader(name)
		switch key {
		case "Host":
			hosts++
			host = value
		case "Content-Length":
			lengths++
			n, ok := parseContentLength(value)
			if !ok {
				return false
			}
			length = n
		case "Connection":
			if !plainConnection(value) {
				return false
			}
		case "Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer", "Http2-Settings":
			return false
		case "":
			return false // a name not worth the allocation; net/http has it
		}
		c.head = append(c.head, headerLine{value: value, key: key})
	}
	if hosts != 1 || lengths > 1 || !validHost(host) || (r.Method == http.MethodGet && length != 0) {
		return false
	}
	if int64(int(length)) != length || length > int64(connBufferBytes) {
		return false
	}

	// The strings, reusing the last request's where the bytes match.
	if r.Header == nil {
		r.Header = make(http.Header, len(c.head))
	} else {
		clear(r.Header)
	}
	for i := range c.head {
		h := &c.head[i]
		if i < len(c.prev) && c.prev[i].key == h.key && c.prev[i].val == string(h.value) {
			h.val, h.vals = c.prev[i].val, c.prev[i].vals
		} else {
			h.val = string(h.value)
			h.vals = []string{h.val}
		}
		if vs, ok := r.Header[h.key]; ok {
			r.Header[h.key] = append(slices.Clip(vs), h.val)
		} else {
			r.Header[h.key] = h.vals
		}
	}
	r.Host = r.Header["Host"][0]
	r.URL = &c.url
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.ContentLength = length
	r.Close = hasToken(r.Header["Connection"], "close")
	r.Body = &c.body
	if length == 0 {
		r.Body = http.NoBody
	}
	return true
}

// answer runs the handler on the request read, consumes it (n bytes),
// and writes the answer. It reports whether the connection stays open.
func (c *loopConn) answer(n int) (keep bool, err error) {
	w := &c.w
	w.reset()
	w.close = c.req.Close || c.s.closing.Load() // before the head is built
	if err := c.run(w, &c.req); err != nil {
		return false, err
	}
	if _, err := c.br.Discard(n); err != nil {
		return false, err
	}
	c.s.stats.served.Add(1)
	err = w.finish()
	return !w.close, err
}

// run calls the handler, turning a panic it did not handle into an
// error that closes the connection (http.ErrAbortHandler silently, as
// net/http does).
func (c *loopConn) run(w *loopResponse, r *http.Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				logf := log.Printf
				if c.s.std.ErrorLog != nil {
					logf = c.s.std.ErrorLog.Printf
				}
				logf("http: panic serving %v: %v\n%s", r.RemoteAddr, v, debug.Stack())
			}
			err = http.ErrAbortHandler
		}
	}()
	c.s.handler.ServeHTTP(w, r)
	return nil
}

// loopResponse is the http.ResponseWriter of the loop. It holds the
// answer until the handler returns, and writes it with one system call;
// an answer that declared its length and is larger than streamAfter is
// written as it comes.
type loopResponse struct {
	c         *loopConn
	header    http.Header
	status    int
	head      []byte // status line and headers, then the body held, as sent
	body      []byte // the body held
	written   int64  // body bytes accepted
	inline    bool   // the head is built and the body follows it in head
	streaming bool   // the head has been sent
	declared  int64  // Content-Length the handler set, or -1
	close     bool   // send Connection: close
	err       error
}

func (w *loopResponse) reset() {
	if w.header == nil {
		w.header = make(http.Header, 8)
	} else {
		clear(w.header)
	}
	w.status, w.written, w.inline, w.streaming = 0, 0, false, false
	w.declared, w.close, w.err = -1, false, nil
	if cap(w.body) > 4*streamAfter || cap(w.head) > 4*streamAfter { // do not keep a large answer's buffers
		w.body, w.head = nil, nil
	}
	w.body = w.body[:0]
}

func (w *loopResponse) Header() http.Header { return w.header }

func (w *loopResponse) WriteHeader(code int) {
	if w.status != 0 {
		return // as net/http, later calls are ignored (net/http logs them)
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 {
		return // no 1xx answers on this path
	}
	w.status = code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if n, ok := parseContentLength([]byte(cl)); ok {
			w.declared = n
		}
	}
	if _, typed := w.header["Content-Type"]; typed && w.declared >= 0 && bodyAllowed(code) {
		// The head is final: the body can follow it in one buffer.
		w.buildHead(nil)
		w.inline = true
	}
}

func (w *loopResponse) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(b)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(b))
	if w.streaming {
		return w.send(b)
	}
	if w.declared > streamAfter {
		if !w.inline {
			w.buildHead(nil)
		}
		if _, err := w.send(w.head); err != nil {
			return 0, err
		}
		w.streaming = true
		return w.send(b)
	}
	if w.inline {
		w.head = append(w.head, b...)
	} else {
		w.body = append(w.body, b...)
	}
	return len(b), nil
}

func (w *loopResponse) send(b []byte) (int, error) {
	c := w.c
	if c.s.writeTimeout > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.writeTimeout))
	}
	n, err := c.nc.Write(b)
	if err != nil {
		w.err = err
	}
	return n, err
}

// finish writes the answer held, its head first. An answer shorter than
// the Content-Length its handler declared closes the connection, as with
// net/http.
func (w *loopResponse) finish() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return w.err
	}
	if w.declared >= 0 && w.written != w.declared && bodyAllowed(w.status) {
		if w.streaming {
			return http.ErrContentLength
		}
		w.close = true
	}
	if w.streaming {
		return nil
	}
	if !w.inline {
		w.buildHead(w.body)
		w.head = append(w.head, w.body...)
	}
	_, err := w.send(w.head)
	return err
}

// buildHead writes the status line and headers to w.head, as net/http
// would for this answer: the handler's headers in sorted order, Date,
// and Content-Length and Content-Type (sniffed) when the handler left
// them out. body is the whole body, or nil when it streams.
func (w *loopResponse) buildHead(body []byte) {
	hd := w.header
	allowed := bodyAllowed(w.status)
	if body != nil && allowed {
		if _, ok := hd["Content-Length"]; !ok {
			hd["Content-Length"] = []string{strconv.Itoa(len(body))}
		}
		if _, ok := hd["Content-Type"]; !ok && len(body) > 0 {
			hd["Content-Type"] = []string{http.DetectContentType(body)}
		}
	}
	if !allowed {
		delete(hd, "Content-Length")
		delete(hd, "Transfer-Encoding")
	}
	if hasToken(hd["Connection"], "close") || w.c.s.closing.Load() {
		w.close = true
	}
	if w.close {
		hd["Connection"] = []string{"close"}
	} else {
		delete(hd, "Connection")
	}
	head := w.head[:0]
	head = append(head, "HTTP/1.1 "...)
	head = strconv.AppendInt(head, int64(w.status), 10)
	head = append(head, ' ')
	head = append(head, http.StatusText(w.status)...)
	head = append(head, "\r\n"...)
	keys := w.c.keys[:0]
	for k := range hd {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.c.keys = keys
	date := false
	for _, k := range keys {
		if k == "Date" {
			date = true
		}
		for _, v := range hd[k] {
			head = append(head, k...)
			head = append(head, ": "...)
			head = appendHeaderValue(head, v)
			head = append(head, "\r\n"...)
		}
	}
	if !date {
		head = append(head, "Date: "...)
		head = time.Now().UTC().AppendFormat(head, http.TimeFormat)
		head = append(head, "\r\n"...)
	}
	w.head = append(head, "\r\n"...)
}

// appendHeaderValue appends v with CR and LF replaced by spaces, as
// net/http does.
func appendHeaderValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; ch {
		case '\r', '\n':
			b = append(b, ' ')
		default:
			b = append(b, ch)
		}
	}
	return b
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// bodyReader reads a request body held in the read buffer.
type bodyReader struct {
	b []byte
}

func (r *bodyReader) reset(b []byte) { r.b = b }

func (r *bodyReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func (r *bodyReader) Close() error { return nil }

// bufferedConn is a connection handed to net/http: reads take what the
// loop buffered first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// connQueue is the net.Listener net/http serves: it yields the
// connections the loop hands off.
type connQueue struct {
	addr   net.Addr
	ch     chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newConnQueue(addr net.Addr) *connQueue {
	return &connQueue{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to net/http; it returns false (and closes c) after Close.
func (q *connQueue) push(c net.Conn) bool {
	select {
	case q.ch <- c:
		return true
	case <-q.done:
		c.Close()
		return false
	}
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error {
	q.closed.Do(func() { close(q.done) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return q.addr }

// canonicalHeader returns the canonical form of a header name the loop
// knows, without allocating, and "" for any other name.
func canonicalHeader(name []byte) string {
	var low [32]byte
	if len(name) > len(low) {
		return ""
	}
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		low[i] = ch
	}
	if k, ok := knownHeaders[string(low[:len(name)])]; ok {
		return k
	}
	return ""
}

// knownHeaders maps the lower-case names of the headers the loop accepts
// (and of those that send a request to net/http) to their canonical form.
var knownHeaders = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Host", "Content-Length", "Content-Type", "Accept", "Accept-Encoding",
		"Accept-Language", "Authorization", "Cache-Control", "Connection", "Cookie",
		"Dnt", "Origin", "Pragma", "Priority", "Referer", "User-Agent",
		"Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Sec-Fetch-Dest",
		"Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Gpc", "X-Forwarded-For",
		"X-Forwarded-Proto", "X-Real-Ip", "X-Request-Id", "Keep-Alive",
		"Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer", "Http2-Settings",
	} {
		if textproto.CanonicalMIMEHeaderKey(k) != k {
			panic("server: knownHeaders: " + k + " is not canonical")
		}
		m[string(bytes.ToLower([]byte(k)))] = k
	}
	return m
}()

// validHeaderName reports whether name is an HTTP token.
func validHeaderName(name []byte) bool {
	for _, ch := range name {
		if !isTokenChar(ch) {
			return false
		}
	}
	return true
}

func isTokenChar(ch byte) bool {
	switch {
	case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		return true
	}
	return bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), ch) >= 0
}

// validHeaderValue reports whether v holds no control character other
// than horizontal tab (net/http answers 400 to those).
func validHeaderValue(v []byte) bool {
	for _, ch := range v {
		if (ch < ' ' && ch != '\t') || ch == 0x7f {
			return false
		}
	}
	return true
}

// validURIQuery reports whether a request target's query holds only
// printable ASCII (net/http refuses the rest, or parses it its own way).
func validURIQuery(q []byte) bool {
	for _, ch := range q {
		if ch <= ' ' || ch >= 0x7f {
			return false
		}
	}
	return true
}

// validHost accepts the hosts a client sends as a matter of course:
// letters, digits, dots, hyphens, a port, an IPv6 literal.
func validHost(h []byte) bool {
	if len(h) == 0 {
		return false
	}
	for _, ch := range h {
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']' || ch == '_':
		default:
			return false
		}
	}
	return true
}

// parseContentLength parses a Content-Length value: decimal digits only.
func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range v {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}

// plainConnection reports whether a Connection header holds only
// keep-alive and close.
func plainConnection(v []byte) bool {
	for tok := range bytes.SplitSeq(v, []byte(",")) {
		tok = bytes.Trim(tok, " \t")
		if !bytes.EqualFold(tok, []byte("keep-alive")) && !bytes.EqualFold(tok, []byte("close")) {
			return false
		}
	}
	return true
}

// hasToken reports whether a comma-separated header holds tok.
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.Trim(t, " \t"), tok) {
				return true
			}
		}
	}
	return false
}
