// Package server serves chipgraph's GraphQL API over HTTP, following the
// GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/draft/),
// together with a readiness check and a self-contained query page.
//
// Routes:
//
//	/graphql       GraphQL over HTTP: GET (queries only) and POST application/json
//	/healthz       readiness: 200 {"status":"ok"}, or 503 when Health fails
//	/              the query page; it loads nothing from outside this server
//	/debug/pprof/  profiling, only when EnablePprof is set
//
// # Media types and status codes
//
// A response is application/graphql-response+json when the Accept header lists
// that type explicitly (with a q at least that of application/json), and
// application/json otherwise, including when Accept is absent or */* (as the
// graphql-http conformance audit expects). No acceptable type gives 406.
//
// With application/graphql-response+json, a request error (the document does
// not parse or validate, variables do not coerce, the operation cannot be
// chosen, the query is nested deeper than MaxQueryDepth or costs more than
// MaxCost, as cost.go estimates before running it) gives 400, a request
// that timed out before producing data gives 504, and any response carrying
// data gives 200. With application/json every GraphQL response is 200, as the
// specification asks. In both, a request that is not a well-formed
// GraphQL-over-HTTP request gives 400 (bad JSON, missing or non-string query,
// non-object variables or extensions), 405 (method other than GET or POST, or
// a mutation over GET), 413 or 414 (body or URL query over MaxBodyBytes), 415
// (POST that is not application/json in UTF-8) and 401 (a wrong bearer token).
//
// # Errors
//
// Every error in a response carries extensions.code. Codes set by resolvers
// (through an Extensions method, or a *graph.Error anywhere in the error's
// chain) are kept; the server adds GRAPHQL_PARSE_FAILED,
// GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX, TIMEOUT, BAD_REQUEST,
// METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, REQUEST_TOO_LARGE,
// UNSUPPORTED_MEDIA_TYPE and UNAUTHENTICATED. Anything else, including
// panics, becomes INTERNAL_SERVER_ERROR with the message "internal error";
// the original text is logged, never sent.
//
// # Writes
//
// With WriteToken set, a POST carrying "Authorization: Bearer <WriteToken>"
// runs with schema.WithWriter(ctx, "token"); a Bearer token that does not
// match gives 401. GET requests never get write access. With WriteToken
// empty the server is read-only: every request runs with
// schema.WithReadOnly(ctx) and bearer tokens are ignored.
package server

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"
	"github.com/rs/cors"
)

// Defaults applied by NewServer, and by Handler to zero fields.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxQueryDepth  = 15
	DefaultRequestTimeout = 10 * time.Second
	// DefaultResponseCacheBytes bounds the compressed answers the cache
	// keeps. It lives in the Go heap under the memory limit: at scale 1 a
	// 64 MiB cache of uncompressed answers left the collector so little
	// headroom that queries which rarely repeat cost 2.3× the CPU of no
	// cache at all, and a 48 MiB cache of compressed answers cost Q6 two
	// thirds of its rate. 32 MiB holds all of Q1's 40,000 answers (session
	// J), and with a dictionary per document all of Q6's 20,000 (session
	// K, BENCHMARKS.md).
	DefaultResponseCacheBytes = 32 << 20
)

//go:embed ui
var uiFS embed.FS

// Executor is the executable schema the server answers with:
// *schema.Schema, or a bare *graphql.Schema (as tests use).
type Executor interface {
	Exec(ctx context.Context, query, operationName string, variables map[string]any) *graphql.Response
	ASTSchema() *ast.Schema
}

// releaser is an Executor that takes back a response's data once the
// server has written it (*schema.Schema).
type releaser interface {
	Release(res *graphql.Response)
}

// Server is chipgraph's HTTP server. Set its fields before calling Handler
// or Open; later changes have no effect on a handler already built.
type Server struct {
	Addr           string                          // listen address, e.g. "127.0.0.1:8080" or "127.0.0.1:0"
	Schema         Executor                        // executable schema; required
	WriteToken     string                          // bearer token that allows mutations; "" makes the server read-only
	AllowedOrigins []string                        // CORS origins; empty allows no cross-origin access
	MaxBodyBytes   int64                           // largest POST body accepted
	MaxQueryDepth  int                             // deepest selection nesting (in braces) accepted
	MaxCost        int                             // highest query cost accepted (see cost.go); 0 means DefaultMaxCost
	RequestTimeout time.Duration                   // time allowed to one request
	EnablePprof    bool                            // serve /debug/pprof/
	Health         func(ctx context.Context) error // optional readiness check for /healthz
	Logger         *log.Logger                     // request and internal-error log; nil uses log.Default()
	// LogRequests logs one line per request; otherwise only server errors
	// (5xx) and panics are logged.
	LogRequests bool
	// Generation returns the data's generation, which changes with every
	// published write, and the recorded time of the newest change it shows
	// (Unix nanoseconds), read together (store.Store.Published). With it
	// set, successful query responses are cached until the next write, and
	// reads asOf an instant at or after that change share the current
	// answer (cacheKey); nil disables the response cache.
	Generation func() (gen, visible uint64)
	// ResponseCacheBytes bounds the response cache (0: DefaultResponseCacheBytes).
	ResponseCacheBytes int64
	// NetHTTPOnly serves every connection with net/http. Otherwise the
	// server's own connection loop (conn.go) answers the usual GraphQL
	// requests and hands a connection to net/http at its first request
	// that is anything else.
	NetHTTPOnly bool

	ln   net.Listener
	srv  *http.Server
	loop *connServer // nil with NetHTTPOnly
}

// NewServer returns a Server with safe defaults: loopback address, read-only,
// no cross-origin access, no profiling.
func NewServer() *Server {
	return &Server{
		Addr:           DefaultAddr,
		MaxBodyBytes:   DefaultMaxBodyBytes,
		MaxQueryDepth:  DefaultMaxQueryDepth,
		MaxCost:        DefaultMaxCost,
		RequestTimeout: DefaultRequestTimeout,
		Logger:         log.New(os.Stderr, "", log.LstdFlags),
	}
}

// Open checks the configuration, listens on Addr and serves in the
// background. Listen errors are returned before Open returns.
func (s *Server) Open() error {
	if s.Schema == nil {
		return errors.New("server: Schema is required")
	}
	if s.srv != nil {
		return errors.New("server: already open")
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	h := s.handler()
	s.ln = ln
	s.srv = &http.Server{
		Handler:           h.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       h.timeout + 10*time.Second,
		WriteTimeout:      h.timeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          h.logger,
	}
	serve := s.srv.Serve
	if !s.NetHTTPOnly {
		s.loop = newConnServer(s.srv, ln.Addr())
		serve = s.loop.serve
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			h.logger.Printf("server: %v", err)
		}
	}()
	return nil
}

// URL returns the base URL the server listens on, such as
// "http://127.0.0.1:8080", or "" before Open.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	addr, ok := s.ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + s.ln.Addr().String()
	}
	host := "localhost"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Shutdown stops accepting connections and waits for requests in flight to
// finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	if s.loop == nil {
		return s.srv.Shutdown(ctx)
	}
	return s.loop.shutdown(ctx, s.ln)
}

// Handler returns the server's full HTTP handler, CORS included, for use
// without Open (for example with httptest). It panics if Schema is nil.
func (s *Server) Handler() http.Handler {
	if s.Schema == nil {
		panic("server: Schema is required")
	}
	return s.handler().routes()
}

// handler is a Server's configuration with defaults applied, fixed when the
// handler is built so that requests never read the Server's fields.
type handler struct {
	schema     Executor
	readOnly   bool
	tokenSum   [sha256.Size]byte
	origins    []string
	maxBody    int64
	maxDepth   int
	maxCost    float64
	coster     *coster
	timeout    time.Duration
	pprof      bool
	health     func(ctx context.Context) error
	logger     *log.Logger
	indexHTML  []byte
	cache      *respCache
	generation func() (gen, visible uint64)
	logAll     bool
}

func (s *Server) handler() *handler {
	h := &handler{
		schema:   s.Schema,
		readOnly: s.WriteToken == "",
		tokenSum: sha256.Sum256([]byte(s.WriteToken)),
		origins:  append([]string(nil), s.AllowedOrigins...),
		maxBody:  s.MaxBodyBytes,
		maxDepth: s.MaxQueryDepth,
		maxCost:  float64(s.MaxCost),
		coster:   newCoster(s.Schema),
		timeout:  s.RequestTimeout,
		pprof:    s.EnablePprof,
		health:   s.Health,
		logger:   s.Logger,
		logAll:   s.LogRequests,
	}
	if s.Generation != nil {
		n := s.ResponseCacheBytes
		if n <= 0 {
			n = DefaultResponseCacheBytes
		}
		h.cache, h.generation = newRespCache(n), s.Generation
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.maxDepth <= 0 {
		h.maxDepth = DefaultMaxQueryDepth
	}
	if h.maxCost <= 0 {
		h.maxCost = DefaultMaxCost
	}
	if h.timeout <= 0 {
		h.timeout = DefaultRequestTimeout
	}
	if h.logger == nil {
		h.logger = log.Default()
	}
	var err error
	if h.indexHTML, err = uiFS.ReadFile("ui/index.html"); err != nil {
		panic(err) // embedded at build time
	}
	return h
}

func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", h.serveGraphQL)
	mux.HandleFunc("GET /healthz", h.serveHealth)
	mux.HandleFunc("GET /{$}", h.serveIndex)
	mux.HandleFunc("GET /ui/app.js", h.serveAsset("ui/app.js"))
	mux.HandleFunc("GET /ui/style.css", h.serveAsset("ui/style.css"))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})
	if h.pprof {
		mux.HandleFunc("/debug/pprof/", longRunning(pprof.Index))
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", longRunning(pprof.Profile))
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", longRunning(pprof.Trace))
	}
	c := cors.New(cors.Options{
		AllowedOrigins:   h.origins,
		AllowOriginFunc:  h.originFunc(),
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Accept", "Authorization", "Content-Type"},
		AllowCredentials: false,
		MaxAge:           600,
	})
	return h.logRequests(secureHeaders(c.Handler(mux)))
}

// originFunc refuses every origin when none is configured; rs/cors would
// otherwise allow all of them.
func (h *handler) originFunc() func(string) bool {
	if len(h.origins) > 0 {
		return nil
	}
	return func(string) bool { return false }
}

// longRunning lifts the server's write deadline for profiling endpoints,
// which stream for as long as the client asks (?seconds=N).
func longRunning(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		// pprof refuses durations over the server's WriteTimeout, which no
		// longer applies to this response.
		ctx := context.WithValue(r.Context(), http.ServerContextKey, &http.Server{})
		f(w, r.WithContext(ctx))
	}
}

// secureHeaders sets headers every response should carry. The query page
// replaces the Content-Security-Policy with one that lets it run.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["X-Content-Type-Options"] = secureNosniff
		hd["X-Frame-Options"] = secureDeny
		hd["Referrer-Policy"] = secureNoReferrer
		hd["Content-Security-Policy"] = secureCSP
		next.ServeHTTP(w, r)
	})
}

// The values secureHeaders sets, shared by every response (handlers
// replace them, never change them in place).
var (
	secureNosniff    = []string{"nosniff"}
	secureDeny       = []string{"DENY"}
	secureNoReferrer = []string{"no-referrer"}
	secureCSP        = []string{"default-src 'none'; frame-ancestors 'none'"}
)

// statusWriter records the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request (method, path, status, duration) and
// turns a panic into a 500. It never logs headers, query strings or bodies.
func (h *handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.logger.Printf("panic serving %s %q: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
				if sw.status == 0 {
					writeErrors(sw, mediaJSON, http.StatusInternalServerError, codeInternal, "internal error")
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			if h.logAll || status >= 500 {
				h.logger.Printf("%s %q %d %s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// serveHealth reports readiness. The check's error is logged; the response
// shows only its safe message.
func (h *handler) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if h.health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
		defer cancel()
		if err := h.health(ctx); err != nil {
			h.logger.Printf("health check: %v", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			writeJSON(w, map[string]string{"status": "unavailable", "error": graph.ErrorMessage(err)})
			return
		}
	}
	writeJSON(w, map[string]string{"status": "ok"})
}

// pageCSP allows the query page its own script, style and fetches, nothing else.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", pageCSP)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	_, _ = w.Write(h.indexHTML)
}

func (h *handler) serveAsset(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, uiFS, name)
	}
}
