package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/bench/load"
)

// The bench command registers itself with the other tools. A variable
// initializer, unlike an init function, runs after extraCommands is set
// and before main.go's init reads it, whatever the file order.
var _ = func() bool {
	extraCommands = append(extraCommands, &command{"bench", "", "load a running server with the benchmark queries and report rates and latencies", (*cli).bench})
	return true
}()

const benchAbout = `Bench loads a running chipgraph server with the benchmark queries of
issue 5: a fixed number of clients, each with one request in flight, for a
warmup and then a measured duration. It reports requests/s, p50/p90/p99/max
latency, errors (with the first messages) and the server's CPU time per
request, as a table or as JSON lines (--json).

Queries: q1 chip by key or exact name with designer and manufacturer and
their references; q2 company → chips designed → each chip's manufacturer;
q3 a chip's claims with claimant, source and quote; q4 text search on chip
names, top 20; q5 shortest path between two companies, ≤ 3 hops; q6 an
entity's statements with references, asOf a past instant. "mix" picks one at random per request
among those the server has; a comma-separated list runs each in turn.

Each request draws its variables from the dataset of --scale and --seed,
which must be the dataset the server holds ("chipgraph gen" with the same
flags); a few answers are checked first. Drawing per request keeps a
response cache honest: it sees the dataset's whole parameter space. The
server's CPU time comes from /proc, for the process given by --server-pid
or the one listening on the URL's port.

Only loopback URLs are loaded unless --allow-remote is given. With --wait,
bench first waits for the server to answer; with --started-at as well, it
reports the time from then to the first answer ("--query none" stops
there), which is how bench/run.sh measures start-up.`

// benchConfig is the configuration of the bench command.
type benchConfig struct {
	Load      load.Config
	Query     string
	Scale     float64
	Seed      int64
	AsOf      time.Time // zero: the time bench starts
	JSON      bool
	Wait      time.Duration
	StartedAt time.Time
	// CPUProfile is a file to write the load generator's own CPU profile
	// to (empty: none).
	CPUProfile string
}

func (c *cli) parseBenchFlags(args []string) (benchConfig, error) {
	cfg := benchConfig{
		Load: load.Config{URL: "http://127.0.0.1:8080", Clients: load.DefaultClients,
			Duration: load.DefaultDuration, Warmup: load.DefaultWarmup, Timeout: load.DefaultTimeout, Seed: 1},
		Query: "mix", Scale: 1, Seed: 1,
	}
	var asOf, startedAt string
	fs := c.newFlagSet("bench", "", benchAbout)
	fs.StringVar(&cfg.Load.URL, "url", cfg.Load.URL, "the server's base `URL` or GraphQL endpoint")
	fs.Var((*positiveInt)(&cfg.Load.Clients), "clients", "concurrent `clients`, each with one request in flight")
	fs.Var((*positiveDuration)(&cfg.Load.Duration), "duration", "measured `time` of each run")
	fs.DurationVar(&cfg.Load.Warmup, "warmup", cfg.Load.Warmup, "unmeasured `time` before each run")
	fs.Int64Var(&cfg.Load.MaxRequests, "max-requests", 0, "stop a run after `n` measured requests (0: --duration alone)")
	fs.Var((*positiveDuration)(&cfg.Load.Timeout), "timeout", "time allowed to one request (`duration`)")
	fs.StringVar(&cfg.Query, "query", cfg.Query, "`queries`: q1 to q6, mix, a comma-separated list, or none")
	fs.Var((*positiveFloat)(&cfg.Scale), "scale", "`scale` of the dataset the server holds")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "`seed` of the dataset the server holds")
	fs.StringVar(&asOf, "as-of", "", "RFC 3339 `time` q6 reads at (default: when bench starts, after the import)")
	fs.IntVar(&cfg.Load.ServerPID, "server-pid", 0, "the server's process `id`, for its CPU time and memory\n(default: the process listening on the URL's port)")
	fs.BoolVar(&cfg.Load.AllowRemote, "allow-remote", false, "allow a URL that is not a loopback address")
	fs.BoolVar(&cfg.JSON, "json", false, "write JSON lines instead of a table")
	fs.DurationVar(&cfg.Wait, "wait", 0, "first wait up to `time` for the server to answer")
	fs.StringVar(&startedAt, "started-at", "", "when the server was started (Unix `nanoseconds`, as date +%s%N prints),\nto report the time to its first answer; needs --wait")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write the load generator's own CPU profile to `file`")
	pos, err := fs.parse(args)
	if err != nil {
		return cfg, err
	}
	if len(pos) > 0 {
		return cfg, fs.usageError(fmt.Sprintf("unexpected argument %q: bench takes only flags", pos[0]))
	}
	switch {
	case cfg.Load.Warmup < 0:
		return cfg, fs.usageError("--warmup must not be negative")
	case cfg.Load.MaxRequests < 0:
		return cfg, fs.usageError("--max-requests must not be negative")
	case cfg.Load.Clients > load.MaxClients:
		return cfg, fs.usageError(fmt.Sprintf("--clients must be at most %d", load.MaxClients))
	case cfg.Load.Duration+cfg.Load.Warmup > load.MaxDuration:
		return cfg, fs.usageError(fmt.Sprintf("--duration plus --warmup must be at most %s", load.MaxDuration))
	case cfg.Wait < 0:
		return cfg, fs.usageError("--wait must not be negative")
	case cfg.Load.ServerPID < 0:
		return cfg, fs.usageError("--server-pid must not be negative")
	}
	if asOf != "" {
		if cfg.AsOf, err = time.Parse(time.RFC3339Nano, asOf); err != nil {
			return cfg, fs.usageError(fmt.Sprintf("--as-of %q is not an RFC 3339 time", asOf))
		}
	}
	if startedAt != "" {
		ns, err := strconv.ParseInt(startedAt, 10, 64)
		if err != nil || ns <= 0 {
			return cfg, fs.usageError(fmt.Sprintf("--started-at %q is not Unix nanoseconds", startedAt))
		}
		if cfg.Wait == 0 {
			return cfg, fs.usageError("--started-at needs --wait")
		}
		cfg.StartedAt = time.Unix(0, ns)
	}
	cfg.Query = strings.ToLower(strings.TrimSpace(cfg.Query))
	if cfg.Query == "none" && cfg.Wait == 0 {
		return cfg, fs.usageError("--query none only waits for the server: give --wait")
	}
	u, err := load.CheckURL(cfg.Load.URL, cfg.Load.AllowRemote)
	if err != nil {
		return cfg, &usageError{cmd: "bench", msg: err.Error(), hint: "use a loopback URL such as http://127.0.0.1:8080, or --allow-remote"}
	}
	cfg.Load.URL = u.String()
	return cfg, nil
}

func (c *cli) bench(ctx context.Context, args []string) error {
	cfg, err := c.parseBenchFlags(args)
	if err != nil {
		return err
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = time.Now() // not truncated: an import may have finished within this second
	}
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.Wait > 0 {
		ready, err := load.WaitReady(ctx, cfg.Load.URL, cfg.Wait)
		if err != nil {
			return err
		}
		if !cfg.StartedAt.IsZero() {
			st := load.NewStartup(cfg.StartedAt, ready)
			if cfg.JSON {
				if err := load.WriteJSON(c.stdout, st); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(c.stdout, "start to first answered query: %s\n", roundDuration(ready.Sub(cfg.StartedAt)))
			}
		}
	}
	if cfg.Query == "none" {
		return nil
	}

	fields, err := load.Fields(ctx, cfg.Load.URL)
	if err != nil {
		return err
	}
	d := gen.New(gen.Config{Scale: cfg.Scale, Seed: cfg.Seed})
	all := load.Queries(d, cfg.AsOf)
	have := func(f string) bool { return fields[f] }
	mix, qs, err := load.Select(all, cfg.Query, have)
	if err != nil {
		return err
	}
	if mix {
		var left []string
		for _, q := range all {
			if m := load.Missing(q, have); m != "" {
				left = append(left, fmt.Sprintf("%s (the API has no %s field yet)", q.Name, m))
			}
		}
		if len(left) > 0 {
			fmt.Fprintf(c.stderr, "chipgraph bench: left out of the mix: %s\n", strings.Join(left, ", "))
		}
	}

	runs := [][]*load.Query{qs}
	if !mix {
		runs = runs[:0]
		for _, q := range qs {
			runs = append(runs, []*load.Query{q})
		}
	}
	var failed int64
	for _, run := range runs {
		rs, err := load.Run(ctx, cfg.Load, mix, run)
		if errors.Is(err, context.Canceled) {
			return errors.New("bench interrupted")
		} else if err != nil {
			return err
		}
		if cfg.JSON {
			err = load.WriteJSON(c.stdout, rs...)
		} else {
			err = load.WriteTable(c.stdout, rs)
		}
		if err != nil {
			return err
		}
		failed += rs[len(rs)-1].Errors
	}
	if failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s requests failed", commas(int(failed)))}
	}
	return nil
}

// startCPUProfile starts writing the process's CPU profile to file; stop
// ends it and closes the file.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", file, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
