package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/server"
	"github.com/chipgraph/chipgraph/store"
)

// DefaultDataDir is the store directory used when --data is not given.
const DefaultDataDir = "./chipgraph-data"

// DefaultShutdownTimeout is how long Close waits for requests in flight.
const DefaultShutdownTimeout = 15 * time.Second

// Config is the configuration of the service run by Main.
type Config struct {
	Addr         string        // listen address; port 0 picks a free port
	DataDir      string        // store directory, created if missing
	WriteToken   string        // bearer token that allows mutations; "" serves read-only
	CORSOrigins  []string      // origins allowed cross-origin access; none by default
	MaxBodyBytes int64         // largest request body
	MaxDepth     int           // deepest query nesting
	MaxCost      int           // highest query cost (fields it may resolve)
	MaxPageSize  int           // largest page (first, limit) a request may ask for
	Timeout      time.Duration // time allowed to one request
	Pprof        bool          // serve /debug/pprof/
	NoStarter    bool          // do not load the starter data into an empty store
	LogRequests  bool          // log every request, not only server errors
	// ResponseCache bounds the cache of query responses, valid until the
	// next write; NoResponseCache turns it off.
	ResponseCache   int64
	NoResponseCache bool
	// MemoryLimit is the soft limit of the Go heap (runtime/debug.SetMemoryLimit).
	MemoryLimit int64
	// RecordCache sizes the store's cache of statement and claim records
	// (0: none); BlockCache sizes Badger's block cache (at least 1 MiB).
	RecordCache, BlockCache int64
	// Executor is "compiled" (the default: queries run from plans compiled
	// once per document) or "graphql-go" (every request by graphql-go).
	Executor string
	// HTTPServer is "chipgraph" (the default: the server's own connection
	// loop answers the usual GraphQL requests, net/http the rest) or
	// "net/http" (every connection).
	HTTPServer string
}

// DefaultConfig returns the configuration used when no flag is given.
func DefaultConfig() Config {
	return Config{
		Addr:          server.DefaultAddr,
		DataDir:       DefaultDataDir,
		MaxBodyBytes:  server.DefaultMaxBodyBytes,
		MaxDepth:      server.DefaultMaxQueryDepth,
		MaxCost:       server.DefaultMaxCost,
		MaxPageSize:   schema.DefaultMaxPageSize,
		Timeout:       server.DefaultRequestTimeout,
		ResponseCache: server.DefaultResponseCacheBytes,
		MemoryLimit:   DefaultMemoryLimit,
		RecordCache:   store.DefaultCacheBytes,
		BlockCache:    store.DefaultBlockCacheBytes,
		Executor:      "compiled",
		HTTPServer:    "chipgraph",
	}
}

// DefaultMemoryLimit is the default soft limit of the Go heap. It must
// stay well above the live heap (Badger's memtable arena and caches, the
// read and response caches: about 150 MB serving scale 1 with the default
// caches), or the collector runs without pause: with a 48 MiB response
// cache Q6 fell to a third of its rate. The heap fills up to the limit
// under load, so the limit sets the server's anonymous memory; the
// store's mapped tables add about 165 MB at scale 1. Over the whole
// benchmark the peak VmRSS was 401.6 MB with 256 MiB (reached as the Q5
// runs began) and 394.3 MB with 248 MiB (BENCHMARKS.md, session J).
const DefaultMemoryLimit = 248 << 20

// Main is the chipgraph service: the store, the GraphQL schema over it and
// the HTTP server. Tests set Config directly (Addr "127.0.0.1:0" and a
// temporary DataDir), call Run, use URL, and Close.
type Main struct {
	Config          Config
	Logger          *log.Logger
	ShutdownTimeout time.Duration

	Store  *store.Store   // set by Run
	Server *server.Server // set by Run

	cli *cli // streams and environment for ParseFlags
}

// NewMain returns a Main with the default configuration, logging to stderr.
func NewMain() *Main {
	return &Main{
		Config:          DefaultConfig(),
		Logger:          log.New(os.Stderr, "", log.LstdFlags),
		ShutdownTimeout: DefaultShutdownTimeout,
		cli:             &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookupEnv: os.LookupEnv},
	}
}

func (c *cli) newMain() *Main {
	m := NewMain()
	m.Logger = log.New(c.stderr, "", log.LstdFlags)
	m.cli = c
	return m
}

const serveAbout = `Serve runs the GraphQL API over HTTP: POST or GET /graphql, GET /healthz
and a query page at /. If the store is empty, it first loads the starter
data (the seed article and Epoch AI's ML hardware dataset) unless
--no-starter is given. SIGINT or SIGTERM stops it cleanly.

Without a write token the server is read-only. With one, a POST carrying
"Authorization: Bearer <token>" may run mutations. Prefer passing the token
through CHIPGRAPH_WRITE_TOKEN: a flag is visible in the process list.`

// ParseFlags reads the configuration from args and the environment.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if m.cli == nil {
		m.cli = NewMain().cli
	}
	cfg := &m.Config
	fs := m.cli.newFlagSet("serve", "", serveAbout)
	fs.Var((*hostPort)(&cfg.Addr), "addr", "listen `address` (host:port; port 0 picks a free port)")
	fs.Var((*nonEmpty)(&cfg.DataDir), "data", "store `directory` (created if missing)")
	fs.StringVar(&cfg.WriteToken, "write-token", cfg.WriteToken, "bearer `token` that allows mutations; none serves read-only.\nPrefer the environment variable: flags show in the process list")
	fs.secret("write-token")
	fs.Var((*originList)(&cfg.CORSOrigins), "cors-origins", "comma-separated `origins` allowed cross-origin access,\nsuch as https://app.example.com (none by default)")
	fs.Var((*byteSize)(&cfg.MaxBodyBytes), "max-body", "largest request body (`size` in bytes, or with KiB, MiB)")
	fs.Var((*positiveInt)(&cfg.MaxDepth), "max-depth", "deepest query nesting allowed, in `levels`")
	fs.Var((*positiveInt)(&cfg.MaxCost), "max-cost", "highest query cost allowed: the `fields` a query may resolve,\nestimated before it runs (page sizes times nesting, traversal limits times depth)")
	fs.Var((*positiveInt)(&cfg.MaxPageSize), "max-page-size", "largest page a request may ask for (`items` in first or limit)")
	fs.Var((*positiveDuration)(&cfg.Timeout), "timeout", "time allowed to one request (`duration`, such as 10s)")
	fs.BoolVar(&cfg.Pprof, "pprof", cfg.Pprof, "serve profiling endpoints at /debug/pprof/")
	fs.BoolVar(&cfg.NoStarter, "no-starter", cfg.NoStarter, "do not load the starter data into an empty store")
	fs.BoolVar(&cfg.LogRequests, "log-requests", cfg.LogRequests, "log every request (method, path, status, duration); otherwise only server errors")
	fs.Var((*byteSize)(&cfg.ResponseCache), "response-cache", "memory for cached query responses (`size`); a cached answer is\nserved until the next write changes the data")
	fs.BoolVar(&cfg.NoResponseCache, "no-response-cache", cfg.NoResponseCache, "do not cache query responses")
	fs.Var((*byteSize)(&cfg.MemoryLimit), "memory-limit", "soft limit of the Go heap (`size`); the garbage collector works\nharder near it")
	fs.Var((*sizeOrZero)(&cfg.RecordCache), "record-cache", "memory for cached statement and claim records (`size`; 0: none)")
	fs.Var((*byteSize)(&cfg.BlockCache), "block-cache", "memory for Badger's cache of decompressed table blocks (`size`,\nat least 1MiB)")
	fs.Var(choice{&cfg.Executor, []string{"compiled", "graphql-go"}}, "executor", "how queries execute: `compiled` (plans compiled once per document;\ngraphql-go answers the rest) or graphql-go (every request)")
	fs.Var(choice{&cfg.HTTPServer, []string{"chipgraph", "net/http"}}, "http-server", "what serves HTTP: `chipgraph` (its own connection loop answers the usual\nGraphQL requests, net/http the rest) or net/http (every connection)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fs.usageError(fmt.Sprintf("unexpected argument %q: serve takes only flags", pos[0]))
	}
	if cfg.BlockCache < 1<<20 {
		return fs.usageError(fmt.Sprintf("invalid value %d for flag --block-cache: must be at least 1MiB", cfg.BlockCache))
	}
	if cfg.MaxPageSize > store.MaxPage {
		return fs.usageError(fmt.Sprintf("invalid value %d for flag --max-page-size: must be at most %d", cfg.MaxPageSize, store.MaxPage))
	}
	if fs.onCommandLine("write-token") {
		m.Logger.Printf("warning: --write-token on the command line is visible to other users (process list, shell history); set %s instead", envName("write-token"))
	}
	return nil
}

// Run opens the store, loads the starter data into it if it is empty,
// builds the schema and starts the HTTP server. It returns once the server
// listens; Close stops everything. Call Close even when Run fails.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = log.New(os.Stderr, "", log.LstdFlags)
	}
	cfg := m.Config
	if cfg.DataDir == "" {
		return errors.New("no data directory configured")
	}
	st, err := openStoreWith(ctx, cfg.DataDir, !cfg.NoStarter, m.Logger, cacheOptions(cfg))
	if err != nil {
		return err
	}
	m.Store = st

	sch, err := schema.New(st, schema.Options{MaxDepth: cfg.MaxDepth, MaxPageSize: cfg.MaxPageSize, Logger: m.Logger,
		GraphQLGoOnly: cfg.Executor == "graphql-go"})
	if err != nil {
		return fmt.Errorf("build schema: %w", err)
	}
	srv := server.NewServer()
	srv.Addr = cfg.Addr
	srv.NetHTTPOnly = cfg.HTTPServer == "net/http"
	srv.Schema = sch
	srv.WriteToken = cfg.WriteToken
	srv.AllowedOrigins = cfg.CORSOrigins
	srv.MaxBodyBytes = cfg.MaxBodyBytes
	srv.MaxQueryDepth = cfg.MaxDepth
	srv.MaxCost = cfg.MaxCost
	srv.RequestTimeout = cfg.Timeout
	srv.EnablePprof = cfg.Pprof
	srv.Health = storeHealth(st)
	srv.Logger = m.Logger
	srv.LogRequests = cfg.LogRequests
	if !cfg.NoResponseCache {
		srv.Generation = st.Published
		srv.ResponseCacheBytes = cfg.ResponseCache
	}
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	if err := srv.Open(); err != nil {
		return err
	}
	m.Server = srv

	access := "read-only (no write token)"
	if cfg.WriteToken != "" {
		access = "writes allowed with the bearer token"
	}
	m.Logger.Printf("chipgraph %s serving %s at %s (store %s, %s)", versionString(), "GraphQL", m.URL()+"/graphql", cfg.DataDir, access)
	if cfg.Pprof {
		m.Logger.Printf("profiling enabled at %s/debug/pprof/", m.URL())
	}
	return nil
}

// URL returns the server's base URL, such as "http://127.0.0.1:8080", or ""
// before Run.
func (m *Main) URL() string {
	if m.Server == nil {
		return ""
	}
	return m.Server.URL()
}

// Close stops the server, waiting up to ShutdownTimeout for requests in
// flight, then closes the store. It may be called more than once.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil {
		timeout := m.ShutdownTimeout
		if timeout <= 0 {
			timeout = DefaultShutdownTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.Server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down server: %w", err))
		}
		cancel()
		m.Server = nil
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.Store = nil
	}
	return errors.Join(errs...)
}

func (c *cli) serve(ctx context.Context, args []string) error {
	m := c.newMain()
	if err := m.ParseFlags(ctx, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		return errors.Join(err, m.Close())
	}
	<-ctx.Done()
	m.Logger.Printf("shutting down")
	if err := m.Close(); err != nil {
		return err
	}
	m.Logger.Printf("stopped")
	return nil
}

// storeHealth is the readiness check: one key lookup in the store.
func storeHealth(st *store.Store) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := st.Entity(ctx, graph.View{}, "healthz")
		if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return err
		}
		return nil
	}
}

// badgerLocked is the text Badger's error carries when another process
// holds the directory lock.
const badgerLocked = "Another process is using this Badger database"

// openStore opens the store in dir. With loadStarterData, an empty store
// first receives the starter data, as written by "starter". serve and
// query share it, so both see the same store.
func openStore(ctx context.Context, dir string, loadStarterData bool, logger *log.Logger) (*store.Store, error) {
	return openStoreWith(ctx, dir, loadStarterData, logger, store.Options{})
}

// cacheOptions returns the store options of serve's cache flags.
func cacheOptions(cfg Config) store.Options {
	o := store.Options{CacheBytes: int(cfg.RecordCache), BlockCacheBytes: int(cfg.BlockCache)}
	if cfg.RecordCache == 0 {
		o.CacheBytes = -1 // none
	}
	return o
}

// openStoreWith is openStore with more store options (opts.Logger is set
// to logger).
func openStoreWith(ctx context.Context, dir string, loadStarterData bool, logger *log.Logger, opts store.Options) (*store.Store, error) {
	opts.Logger = logger
	st, err := store.Open(dir, &opts)
	if err != nil {
		if strings.Contains(err.Error(), badgerLocked) {
			return nil, fmt.Errorf("data directory %s is locked by another process, probably a chipgraph server running on it: "+
				"use that server's HTTP API (POST /graphql), or stop it and try again", dir)
		}
		return nil, err
	}
	if loadStarterData && st.Empty() {
		if err := loadStarter(ctx, st, logger); err != nil {
			return nil, errors.Join(err, st.Close())
		}
	}
	return st, nil
}

// loadStarter imports the embedded starter data and logs how much and how long.
func loadStarter(ctx context.Context, st *store.Store, logger *log.Logger) error {
	start := time.Now()
	recs, err := starter.Records()
	if err != nil {
		return fmt.Errorf("starter data: %w", err)
	}
	res, err := st.Import(ctx, "starter", recs, nil)
	if err != nil {
		return fmt.Errorf("load starter data: %w", err)
	}
	logger.Printf("store was empty: loaded %d starter records (%d written) in %s",
		len(recs), res.Written, time.Since(start).Round(time.Millisecond))
	return nil
}
