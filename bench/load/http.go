package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// This file is the load generator's HTTP/1.1 client: one keep-alive
// connection, one request in flight, the request written from a reused
// buffer and the answer read into another. The load generator shares the
// machine with the server it measures, so its CPU time per request is
// taken from the server's: net/http spends several times this client's
// (two goroutines per connection handing each request over, a header map
// and a dozen allocations per request), while the benchmark's requests
// all have one shape and need only the status, the framing and the body
// of the answers.

// maxBody bounds an answer's body.
const maxBody = 64 << 20

// errStopped is the error of a request to a stopped client.
var errStopped = errors.New("load: client stopped")

// errStale marks a failure of a reused connection before any byte of the
// answer: the server closed it while it was idle, and the request is sent
// again on a new one (the benchmark's queries are reads).
var errStale = errors.New("connection closed before the answer")

// target is where requests go, from a URL CheckURL accepted.
type target struct {
	tls        bool
	addr       string      // host:port to dial
	serverName string      // for TLS
	tlsConfig  *tls.Config // nil: the system's roots, serverName
	head       []byte      // the request line and headers up to Content-Length's value
}

func newTarget(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	t := &target{tls: u.Scheme == "https", serverName: u.Hostname()}
	port := u.Port()
	if port == "" {
		port = map[bool]string{false: "80", true: "443"}[t.tls]
	}
	t.addr = net.JoinHostPort(u.Hostname(), port)
	t.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: chipgraph-bench\r\n"+
		"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: ", u.RequestURI(), u.Host)
	return t, nil
}

// client is one connection's worth of requests, made one at a time by one
// goroutine; only stop may be called from another.
type client struct {
	t       *target
	timeout time.Duration

	mu      sync.Mutex
	nc      net.Conn // nil: not connected
	stopped bool

	sr     sockReader // under br
	br     *bufio.Reader
	reused bool // nc has carried an answer
	req    []byte
	body   []byte // the last answer's body
}

func newClient(t *target, timeout time.Duration) *client {
	return &client{t: t, timeout: timeout}
}

// stop closes the connection, failing a request in flight, and fails
// every later request.
func (c *client) stop() {
	c.mu.Lock()
	c.stopped = true
	if c.nc != nil {
		c.nc.Close()
	}
	c.mu.Unlock()
}

// stopWith stops c when ctx ends; the returned function undoes that.
func (c *client) stopWith(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, c.stop)
}

// close closes the connection; the next request opens a new one.
func (c *client) close() {
	c.mu.Lock()
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
	c.mu.Unlock()
}

// connect opens a connection unless one is open.
func (c *client) connect() error {
	c.mu.Lock()
	stopped, open := c.stopped, c.nc != nil
	c.mu.Unlock()
	if stopped {
		return errStopped
	}
	if open {
		return nil
	}
	d := net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	nc, err := d.Dial("tcp", c.t.addr)
	if err != nil {
		return err
	}
	if c.t.tls {
		cfg := c.t.tlsConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: c.t.serverName}
		}
		cfg = cfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = c.t.serverName
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		tc.SetDeadline(time.Now().Add(c.timeout))
		if err := tc.Handshake(); err != nil {
			nc.Close()
			return err
		}
		nc = tc
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped { // stop came while dialing
		nc.Close()
		return errStopped
	}
	c.nc = nc
	c.sr = sockReader{nc: nc}
	if tc, ok := nc.(*net.TCPConn); ok && rawSupported {
		if rc, err := tc.SyscallConn(); err == nil {
			c.sr.rc = rc
		}
	}
	if c.br == nil {
		c.br = bufio.NewReaderSize(&c.sr, 32<<10)
	} else {
		c.br.Reset(&c.sr)
	}
	c.reused = false
	return nil
}

// post sends body as a GraphQL request and returns the answer's status
// and body. The body is c's buffer, valid until the next post.
func (c *client) post(body []byte) (int, []byte, error) {
	c.req = append(c.req[:0], c.t.head...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	for retried := false; ; retried = true {
		if err := c.connect(); err != nil {
			return 0, nil, err
		}
		status, keep, err := c.roundTrip()
		if err == nil {
			c.reused = true
			if !keep {
				c.close()
			}
			return status, c.body, nil
		}
		c.close()
		if !retried && errors.Is(err, errStale) {
			continue
		}
		return 0, nil, err
	}
}

// roundTrip writes c.req and reads the answer into c.body. It reports
// whether the connection stays open.
func (c *client) roundTrip() (status int, keep bool, err error) {
	if c.br.Buffered() > 0 {
		return 0, false, errors.New("the server sent more than its last answer")
	}
	if err := c.nc.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, false, err
	}
	// The first read writes the request (see sockReader).
	c.sr.pending = c.req
	if _, err := c.br.Peek(1); err != nil {
		c.sr.pending = nil
		return 0, false, c.stale(err)
	}
	return c.readResponse()
}

// stale marks err as errStale when the connection was reused and err says
// the server closed it.
func (c *client) stale(err error) error {
	if c.reused && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		return fmt.Errorf("%w: %w", errStale, err)
	}
	return err
}

// readResponse reads one answer: the status line, the headers it needs
// (Content-Length, Transfer-Encoding, Connection) and the body, skipping
// interim (1xx) answers.
func (c *client) readResponse() (status int, keep bool, err error) {
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, false, err
		}
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
			(len(line) > 12 && line[12] != ' ') {
			return 0, false, fmt.Errorf("malformed status line %.100q", line)
		}
		http10 := line[7] == '0'
		keep = !http10
		status = 0
		for _, d := range line[9:12] {
			if d < '0' || d > '9' {
				return 0, false, fmt.Errorf("malformed status line %.100q", line)
			}
			status = status*10 + int(d-'0')
		}
		length, chunked := int64(-1), false
		for {
			line, err := c.readLine()
			if err != nil {
				return 0, false, err
			}
			if len(line) == 0 {
				break
			}
			name, value, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				return 0, false, fmt.Errorf("malformed header line %.100q", line)
			}
			value = bytes.TrimSpace(value)
			switch {
			case equalFold(name, "content-length"):
				n, ok := parseLength(value)
				if !ok || (length >= 0 && n != length) {
					return 0, false, fmt.Errorf("bad Content-Length %.100q", value)
				}
				length = n
			case equalFold(name, "transfer-encoding"):
				// The last coding is the framing; anything but chunked
				// there is read to the end of the connection.
				last := value
				if i := bytes.LastIndexByte(value, ','); i >= 0 {
					last = bytes.TrimSpace(value[i+1:])
				}
				chunked = equalFold(last, "chunked")
				if !chunked {
					keep = false
				}
			case equalFold(name, "connection"):
				for tok := range bytes.SplitSeq(value, []byte(",")) {
					switch tok = bytes.TrimSpace(tok); {
					case equalFold(tok, "close"):
						keep = false
					case equalFold(tok, "keep-alive") && http10:
						keep = true
					}
				}
			}
		}
		if status >= 100 && status < 200 && status != 101 {
			continue
		}
		c.body = c.body[:0]
		switch {
		case status == 204 || status == 304:
		case chunked:
			err = c.readChunked()
		case length >= 0:
			err = c.readN(length)
		default: // to the end of the connection
			keep = false
			err = c.readToEOF()
		}
		return status, keep, err
	}
}

// readLine reads one line without its CR LF; the line is valid until the
// next read.
func (c *client) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, errors.New("header line too long")
	case errors.Is(err, io.EOF):
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readN appends n bytes of body.
func (c *client) readN(n int64) error {
	if int64(len(c.body))+n > maxBody {
		return fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	old := len(c.body)
	c.body = slices.Grow(c.body, int(n))[:old+int(n)]
	_, err := io.ReadFull(c.br, c.body[old:])
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readChunked reads a chunked body and its trailer.
func (c *client) readChunked() error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 { // a chunk extension
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 || len(line) > 15 {
			return fmt.Errorf("bad chunk size %.100q", line)
		}
		var n int64
		for _, d := range line {
			var v byte
			switch {
			case d >= '0' && d <= '9':
				v = d - '0'
			case d >= 'a' && d <= 'f':
				v = d - 'a' + 10
			case d >= 'A' && d <= 'F':
				v = d - 'A' + 10
			default:
				return fmt.Errorf("bad chunk size %.100q", line)
			}
			n = n<<4 | int64(v)
		}
		if n == 0 {
			for { // the trailer, up to an empty line
				line, err := c.readLine()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if err := c.readN(n); err != nil {
			return err
		}
		if line, err := c.readLine(); err != nil {
			return err
		} else if len(line) != 0 {
			return errors.New("chunk not followed by CRLF")
		}
	}
}

// readToEOF reads the body up to the end of the connection.
func (c *client) readToEOF() error {
	for {
		if len(c.body) >= maxBody {
			return fmt.Errorf("answer larger than %d bytes", maxBody)
		}
		c.body = slices.Grow(c.body, 4096)
		n, err := c.br.Read(c.body[len(c.body):cap(c.body)])
		c.body = c.body[:len(c.body)+n]
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// sockReader reads a client's connection. With a request pending, a read
// first writes it. On a TCP connection (on Linux) it does so from inside
// the runtime poller's read callback, with raw system calls: after the
// poller has forgotten the socket's earlier readiness, so the answer's
// arrival cannot be missed, and without the read that would fail with
// EAGAIN before the answer comes. That leaves a write, a wait and a read
// per request.
type sockReader struct {
	nc      net.Conn
	rc      syscall.RawConn // nil: write and read through nc
	pending []byte          // the request to write before reading
}

func (r *sockReader) Read(p []byte) (int, error) {
	if r.pending != nil && r.rc != nil {
		var n int
		var op string
		var errno syscall.Errno
		err := r.rc.Read(func(fd uintptr) bool {
			if r.pending != nil {
				w, e := rawWrite(fd, r.pending)
				switch {
				case e == syscall.EAGAIN:
					return true // the socket's buffer is full: the rest through nc
				case e != 0:
					op, errno = "write", e
					return true
				}
				if r.pending = r.pending[w:]; len(r.pending) > 0 {
					return true
				}
				r.pending = nil
				return false // wait for the answer
			}
			n, errno = rawRead(fd, p)
			op = "read"
			return errno != syscall.EAGAIN
		})
		switch {
		case err != nil:
			r.pending = nil
			return 0, err
		case errno != 0:
			r.pending = nil
			return 0, os.NewSyscallError(op, errno)
		case r.pending == nil && n == 0:
			return 0, io.EOF
		case r.pending == nil:
			return n, nil
		}
	}
	if r.pending != nil {
		_, err := r.nc.Write(r.pending)
		r.pending = nil
		if err != nil {
			return 0, err
		}
	}
	return r.nc.Read(p)
}

// equalFold reports whether b is s, ASCII letters compared without case.
// s is lower case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// parseLength parses a Content-Length value: decimal digits, at most 18.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}
