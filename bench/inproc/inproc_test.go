package inproc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/bench/load"
	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
	graphql "github.com/graph-gophers/graphql-go"
)

// DefaultScale is the generated dataset's scale unless
// CHIPGRAPH_BENCH_SCALE says otherwise.
const DefaultScale = 0.05

// env is a store in a temporary directory, a schema over it, and the
// benchmark queries with their variables.
type env struct {
	store   *store.Store
	data    *gen.Dataset
	schema  *schema.Schema
	gqlgo   *schema.Schema // the same, executing with graphql-go only
	queries map[string]*load.Query
	vars    map[string][]map[string]any // per query, drawn once
}

// open imports recs into a new store (without fsync) under dir and builds
// the schema. asOf for q6 is taken after the import.
func open(tb testing.TB, dir string, recs []graph.Record, d *gen.Dataset) *env {
	tb.Helper()
	st, err := store.Open(dir, &store.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	if _, err := st.Import(context.Background(), "bench", recs, nil); err != nil {
		st.Close()
		tb.Fatalf("Import: %v", err)
	}
	sch, err := schema.New(st, schema.Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		st.Close()
		tb.Fatalf("schema.New: %v", err)
	}
	gqlgo, err := schema.New(st, schema.Options{Logger: log.New(io.Discard, "", 0), GraphQLGoOnly: true})
	if err != nil {
		st.Close()
		tb.Fatalf("schema.New: %v", err)
	}
	e := &env{store: st, data: d, schema: sch, gqlgo: gqlgo, queries: map[string]*load.Query{}, vars: map[string][]map[string]any{}}
	asOf := time.Now()
	for _, q := range load.Queries(d, asOf) {
		e.queries[q.Name] = q
	}
	cleanup = append(cleanup, func() { st.Close() })
	return e
}

// Stores are built once per process and shared by the benchmarks (and the
// tests); TestMain removes them.
var (
	cleanup []func()
	tmpDirs []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanup {
		f()
	}
	for _, d := range tmpDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func tempDir(tb testing.TB) string {
	tb.Helper()
	d, err := os.MkdirTemp("", "chipgraph-inproc-")
	if err != nil {
		tb.Fatal(err)
	}
	tmpDirs = append(tmpDirs, d)
	return d
}

// genEnv is the store of the generated dataset at one scale, built once.
type genEnv struct {
	once sync.Once
	env  *env
}

var genEnvs sync.Map // scale → *genEnv

// generatedEnv returns the store holding the generated dataset of scale
// (seed 1), with variables drawn from the dataset.
func generatedEnv(tb testing.TB, scale float64) *env {
	tb.Helper()
	v, _ := genEnvs.LoadOrStore(scale, &genEnv{})
	g := v.(*genEnv)
	g.once.Do(func() {
		start := time.Now()
		d := gen.New(gen.Config{Scale: scale, Seed: 1})
		var buf bytes.Buffer
		st, err := d.Generate(context.Background(), &buf)
		if err != nil {
			tb.Fatalf("Generate: %v", err)
		}
		recs, err := graph.ReadRecords(&buf, "gen.ndjson")
		if err != nil {
			tb.Fatalf("ReadRecords: %v", err)
		}
		g.env = open(tb, tempDir(tb), recs, d)
		rng := rand.New(rand.NewPCG(1, 2))
		for name, q := range g.env.queries {
			for range 256 {
				g.env.vars[name] = append(g.env.vars[name], q.Vars(rng))
			}
		}
		tb.Logf("scale %g: %d facts imported in %s", scale, st.Facts(), time.Since(start).Round(time.Millisecond))
	})
	if g.env == nil {
		tb.Fatal("the generated store failed to build")
	}
	return g.env
}

// starterEnv is the store holding the starter data, with variables naming
// its chips and companies.
var starterOnce struct {
	sync.Once
	env *env
}

func starterEnv(tb testing.TB) *env {
	tb.Helper()
	starterOnce.Do(func() {
		recs, err := starter.Records()
		if err != nil {
			tb.Fatalf("starter.Records: %v", err)
		}
		// The dataset only lends its documents; the variables are the
		// starter data's own.
		e := open(tb, tempDir(tb), recs, gen.New(gen.Config{Scale: 0.001, Seed: 1}))
		asOf := time.Now().UTC().Format(time.RFC3339Nano)
		e.vars = map[string][]map[string]any{
			"q1": {{"key": "trainium3"}, {"name": "Trainium2"}, {"key": "trainium2"}},
			"q2": {{"key": "aws"}},
			"q3": {{"key": "trainium3"}, {"key": "trainium2"}},
			"q4": {{"q": "Trainium"}, {"q": "TPU"}},
			"q5": {{"from": "aws", "to": "nvidia"}, {"from": "apple", "to": "amazon"}},
			"q6": {{"key": "trainium3", "asOf": asOf}, {"key": "aws", "asOf": asOf}},
		}
		starterOnce.env = e
	})
	if starterOnce.env == nil {
		tb.Fatal("the starter store failed to build")
	}
	return starterOnce.env
}

func benchScale(tb testing.TB) float64 {
	s := os.Getenv("CHIPGRAPH_BENCH_SCALE")
	if s == "" {
		return DefaultScale
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) {
		tb.Fatalf("CHIPGRAPH_BENCH_SCALE=%q is not a positive number", s)
	}
	return f
}

// exec runs query name with vars as the server does (read-only) and fails
// on a GraphQL error or a null root.
func (e *env) exec(tb testing.TB, ctx context.Context, name string, vars map[string]any) *graphql.Response {
	q := e.queries[name]
	res := e.schema.Exec(ctx, q.Doc, "", vars)
	if len(res.Errors) > 0 {
		tb.Fatalf("%s %v: %v", name, vars, res.Errors)
	}
	return res
}

func checkRoot(tb testing.TB, res *graphql.Response, name, root string, vars map[string]any) {
	tb.Helper()
	var data map[string]json.RawMessage
	if err := json.Unmarshal(res.Data, &data); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if v := data[root]; v == nil || string(v) == "null" || string(v) == "[]" {
		tb.Fatalf("%s %v: %s is %s", name, vars, root, v)
	}
}

// TestQueries runs every in-process query on both stores, with a batch
// loader per request as the server runs them and without one: each
// answers without errors and finds its root. The load generator sends the
// same documents, so this is where a schema change that breaks one shows.
func TestQueries(t *testing.T) {
	base := schema.WithReadOnly(context.Background())
	for _, tc := range []struct {
		name string
		env  func(testing.TB) *env
	}{
		{"Starter", starterEnv},
		{"Gen", func(tb testing.TB) *env { return generatedEnv(tb, 0.01) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env(t)
			// Every answer of the compiled executor is checked against
			// graphql-go's.
			var logged strings.Builder
			verified, err := schema.New(e.store, schema.Options{Verify: true, Logger: log.New(&logged, "", 0)})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range load.QueryNames {
				vs := e.vars[name]
				for _, v := range vs[:min(len(vs), 20)] {
					checkRoot(t, e.exec(t, schema.WithDocument(base, e.queries[name].Doc), name, v), name, e.queries[name].Root, v)
					checkRoot(t, e.exec(t, schema.WithLoader(base), name, v), name, e.queries[name].Root, v)
					checkRoot(t, e.exec(t, base, name, v), name, e.queries[name].Root, v)
					doc := e.queries[name].Doc
					res := verified.Exec(schema.WithDocument(base, doc), doc, "", v)
					if len(res.Errors) > 0 {
						t.Fatalf("%s %v: %v", name, v, res.Errors)
					}
				}
			}
			if answered, left := verified.CompiledStats(); answered == 0 || left != 0 || verified.Mismatches() != 0 {
				t.Errorf("compiled executor: %d answered, %d left to graphql-go, %d differed; want all answered alike\n%s",
					answered, left, verified.Mismatches(), logged.String())
			}
		})
	}
}

// benchmark runs query name on e, cycling through its variables, with
// the per-request setup of the server (server/graphql.go): a read-only
// context and a new batch loader that knows the document's names
// (schema.WithDocument) for every request. It reports the
// goroutines started per execution (goroutines/op): graph-gophers runs
// the fields of a selection set in a goroutine each when any of them is
// asynchronous. cpu-ns/op is the process's CPU time per execution.
func benchmark(b *testing.B, e *env, name string) {
	benchmarkWith(b, e, e.schema, name)
}

func benchmarkWith(b *testing.B, e *env, sch *schema.Schema, name string) {
	base := schema.WithReadOnly(context.Background())
	doc := e.queries[name].Doc
	measure(b, name, e.vars[name], func(v map[string]any) *graphql.Response {
		return sch.Exec(schema.WithDocument(base, doc), doc, "", v)
	})
}

// measure runs exec with each of vs in turn, and reports allocations,
// goroutines/op and cpu-ns/op.
func measure(b *testing.B, name string, vs []map[string]any, exec func(map[string]any) *graphql.Response) {
	b.ReportAllocs()
	before, cpu := goroutinesCreated(), processCPU()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if res := exec(vs[i%len(vs)]); len(res.Errors) > 0 {
			b.Fatalf("%s: %v", name, res.Errors)
		}
		i++
	}
	b.ReportMetric(float64(goroutinesCreated()-before)/float64(i), "goroutines/op")
	b.ReportMetric(float64(processCPU()-cpu)/float64(i), "cpu-ns/op")
}

// processCPU is the CPU time (user and system) the process has used, in
// nanoseconds: unlike ns/op, it does not count time other processes of a
// shared machine take.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// goroutinesCreated is the number of goroutines the process has started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func BenchmarkStarter(b *testing.B) {
	e := starterEnv(b)
	for _, name := range load.QueryNames {
		b.Run(name, func(b *testing.B) { benchmark(b, e, name) })
	}
}

func BenchmarkGen(b *testing.B) {
	scale := benchScale(b)
	e := generatedEnv(b, scale)
	for _, name := range load.QueryNames {
		b.Run(name, func(b *testing.B) { benchmark(b, e, name) })
	}
}

// BenchmarkGenGraphQLGo is BenchmarkGen with every query executed by
// graphql-go rather than from its compiled plan (schema.Options
// GraphQLGoOnly): the two side by side say what compiling saves.
func BenchmarkGenGraphQLGo(b *testing.B) {
	e := generatedEnv(b, benchScale(b))
	for _, name := range load.QueryNames {
		b.Run(name, func(b *testing.B) { benchmarkWith(b, e, e.gqlgo, name) })
	}
}

// docTimeTravel is q6 with optional asOf and validAt, to compare the same
// read with and without time travel (issue 3: they may cost at most twice
// as much).
const docTimeTravel = `query T($key: String!, $asOf: Time, $validAt: Date) {
  entity(key: $key, asOf: $asOf, validAt: $validAt) {
    key name
    statements(first: 50) {
      totalCount
      nodes {
        key predicate { name } object { display }
        references { source { key title } quote verified }
      }
    }
  }
}`

// BenchmarkTimeTravel reads the same entities' statements now, asOf a past
// instant (after the import), validAt a date, and both.
func BenchmarkTimeTravel(b *testing.B) {
	e := generatedEnv(b, benchScale(b))
	ctx := schema.WithReadOnly(context.Background())
	asOf := time.Now().UTC().Format(time.RFC3339Nano)
	var keys []string
	for _, v := range e.vars["q6"] {
		keys = append(keys, v["key"].(string))
	}
	for _, bc := range []struct {
		name string
		vars map[string]any
	}{
		{"current", map[string]any{}},
		{"asOf", map[string]any{"asOf": asOf}},
		{"validAt", map[string]any{"validAt": "2026-06"}},
		{"asOf+validAt", map[string]any{"asOf": asOf, "validAt": "2026-06"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				vars := map[string]any{"key": keys[i%len(keys)]}
				for k, v := range bc.vars {
					vars[k] = v
				}
				res := e.schema.Exec(ctx, docTimeTravel, "", vars)
				if len(res.Errors) > 0 {
					b.Fatalf("%v: %v", vars, res.Errors)
				}
				i++
			}
		})
	}
}

// BenchmarkExplore measures issue 4's exploration fields on the generated
// dataset: a filtered, sorted list; a 2-hop neighborhood; a 3-hop path;
// a one-word search; and the store reads of a two-hop query over 100
// chips with the per-request loader (reads/op).
func BenchmarkExplore(b *testing.B) {
	e := generatedEnv(b, benchScale(b))
	d := e.data
	foundry := d.FoundryKey(d.TopFoundries(1)[0])
	designer := d.CompanyKey(d.TopDesigners(1)[0])
	var pairs [][2]string
	for i := 0; len(pairs) < 64 && i < 10000; i++ {
		if p, ok := d.CompanyPath(i); ok {
			pairs = append(pairs, [2]string{p[0], p[len(p)-1]})
		}
	}
	cases := []struct {
		name string
		doc  string
		vars func(i int) map[string]any
	}{
		{"filteredList", `query($f: String!) { entities(kind: Chip, filter: {related: {predicate: "manufacturedBy", to: [$f]},
			value: {predicate: "memory", gte: {amount: 32, unit: "GB"}}}, orderBy: [{predicate: "releaseDate", direction: DESC}], first: 20) {
			totalCount nodes { key name } } }`, func(int) map[string]any { return map[string]any{"f": foundry} }},
		{"neighborhood2", `query($k: String!) { neighborhood(key: $k, depth: 2, limit: 500) {
			nodes { entity { key name } depth } edges { from { key } to { key } predicate } } }`,
			func(int) map[string]any { return map[string]any{"k": designer} }},
		{"paths3", `query($a: String!, $b: String!) { paths(from: $a, to: $b, maxHops: 3, first: 5) {
			hops { from { key } to { key } predicate statement { key } } } }`,
			func(i int) map[string]any { p := pairs[i%len(pairs)]; return map[string]any{"a": p[0], "b": p[1]} }},
		{"search", `query($q: String!) { search(query: $q, kinds: [Chip], first: 20) { totalCount edges { score node { ... on Chip { key name } } } } }`,
			func(int) map[string]any { return map[string]any{"q": gen.SearchTerm} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// A loader per execution, as the server makes one per request.
				ctx := schema.WithLoader(schema.WithReadOnly(context.Background()))
				if res := e.schema.Exec(ctx, c.doc, "", c.vars(i)); len(res.Errors) > 0 {
					b.Fatalf("%s: %v", c.name, res.Errors)
				}
				i++
			}
		})
	}
	b.Run("twoHopReads", func(b *testing.B) {
		doc := `query($k: String!) { company(key: $k) { chips(first: 100) { totalCount
			edges { node { key ... on Chip { manufacturers(first: 3) { nodes { key name } } } } } } } }`
		var reads uint64
		b.ReportAllocs()
		for b.Loop() {
			ctx := schema.WithLoader(schema.WithReadOnly(context.Background()))
			before := e.store.ReadCount()
			if res := e.schema.Exec(ctx, doc, "", map[string]any{"k": designer}); len(res.Errors) > 0 {
				b.Fatal(res.Errors)
			}
			reads += e.store.ReadCount() - before
		}
		b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
	})
}
