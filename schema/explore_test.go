package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
)

// exploreEnv is a starter store and a schema over it.
type exploreEnv struct {
	st  *store.Store
	sch *schema.Schema
}

func openExploreEnv(tb testing.TB, extra ...graph.Record) *exploreEnv {
	tb.Helper()
	st, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	recs, err := starter.Records()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.Import(context.Background(), "starter", append(recs, extra...), nil); err != nil {
		tb.Fatal(err)
	}
	return &exploreEnv{st: st, sch: verifiedSchema(tb, st)}
}

var (
	sharedExploreOnce sync.Once
	sharedExplore     *exploreEnv
)

// readEnv returns one shared environment for tests that only read.
func readEnv(t *testing.T) *exploreEnv {
	sharedExploreOnce.Do(func() {
		st, err := store.Open("", &store.Options{InMemory: true})
		if err != nil {
			panic(err)
		}
		recs, err := starter.Records()
		if err != nil {
			panic(err)
		}
		if _, err := st.Import(context.Background(), "starter", recs, nil); err != nil {
			panic(err)
		}
		sch, err := schema.New(st, schema.Options{Logger: log.New(io.Discard, "", 0)})
		if err != nil {
			panic(err)
		}
		sharedExplore = &exploreEnv{st: st, sch: sch}
	})
	return sharedExplore
}

type exploreError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// do runs a query and decodes its data into out (when not nil); it
// returns the errors.
func (e *exploreEnv) do(tb testing.TB, ctx context.Context, q string, vars map[string]any, out any) []exploreError {
	tb.Helper()
	res := e.sch.Exec(ctx, q, "", vars)
	b, err := json.Marshal(res)
	if err != nil {
		tb.Fatal(err)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []exploreError  `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatal(err)
	}
	if out != nil && len(r.Data) > 0 && string(r.Data) != "null" {
		if err := json.Unmarshal(r.Data, out); err != nil {
			tb.Fatalf("decode %s: %v", r.Data, err)
		}
	}
	return r.Errors
}

// must runs a query that must not fail.
func (e *exploreEnv) must(tb testing.TB, q string, vars map[string]any, out any) {
	tb.Helper()
	if errs := e.do(tb, context.Background(), q, vars, out); len(errs) > 0 {
		tb.Fatalf("errors: %+v", errs)
	}
}

// code returns the first error's extensions.code.
func code(errs []exploreError) string {
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

type keyOnly struct {
	Key string `json:"key"`
}

type filteredPage struct {
	TotalCount int       `json:"totalCount"`
	Nodes      []keyOnly `json:"nodes"`
	PageInfo   struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
}

const filterQuery = `query($filter: EntityFilter, $orderBy: [EntitySort!], $first: Int, $after: String) {
  filterEntities(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount nodes { key } pageInfo { hasNextPage endCursor }
  }
}`

func filterPage(t *testing.T, e *exploreEnv, filter, orderBy any, first int, after string) filteredPage {
	t.Helper()
	vars := map[string]any{"filter": filter, "orderBy": orderBy, "first": first}
	if after != "" {
		vars["after"] = after
	}
	var d struct{ FilterEntities filteredPage }
	e.must(t, filterQuery, vars, &d)
	return d.FilterEntities
}

func pageKeys(p filteredPage) []string {
	out := make([]string, len(p.Nodes))
	for i, n := range p.Nodes {
		out[i] = n.Key
	}
	return out
}

// jsonVal turns a JSON literal into a variable value.
func jsonVal(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

func TestFilterEntitiesUnits(t *testing.T) {
	e := readEnv(t)
	var sets [][]string
	for _, bound := range []string{`{"amount": 96, "unit": "GB"}`, `{"amount": 96e9, "unit": "B"}`, `{"amount": 89.4, "unit": "GiB"}`} {
		f := jsonVal(t, `{"kind": "Chip", "value": {"predicate": "memory", "gte": `+bound+`}}`)
		p := filterPage(t, e, f, nil, 500, "")
		if p.TotalCount != len(p.Nodes) || p.TotalCount == 0 {
			t.Fatalf("memory >= %s: totalCount %d, %d nodes", bound, p.TotalCount, len(p.Nodes))
		}
		sets = append(sets, pageKeys(p))
	}
	if !slices.Equal(sets[0], sets[1]) || !slices.Equal(sets[0], sets[2]) {
		t.Errorf("96 GB, 96e9 B and 89.4 GiB differ:\n%v\n%v\n%v", sets[0], sets[1], sets[2])
	}
	// Each match has at least 96e9 bytes of memory, checked on the statement.
	var d struct {
		FilterEntities struct {
			Nodes []struct {
				Key    string
				Memory struct{ Object struct{ InUnit float64 } }
			}
		}
	}
	e.must(t, `{ filterEntities(filter: {kind: Chip, value: {predicate: "memory", gte: {amount: 96, unit: "GB"}}}, first: 500) {
		nodes { key ... on Chip { memory { object { inUnit(unit: "B") } } } } } }`, nil, &d)
	for _, n := range d.FilterEntities.Nodes {
		if n.Memory.Object.InUnit < 96e9 {
			t.Errorf("%s has %v B of memory", n.Key, n.Memory.Object.InUnit)
		}
	}
	if len(d.FilterEntities.Nodes) != len(sets[0]) {
		t.Errorf("%d nodes, want %d", len(d.FilterEntities.Nodes), len(sets[0]))
	}
}

func TestFilterEntitiesNestedAndBoolean(t *testing.T) {
	e := readEnv(t)
	// Foundries with a chip on a 3 nm node.
	p := filterPage(t, e, jsonVal(t, `{"kind": "Foundry", "related": {"predicate": "manufacturedBy", "direction": "INCOMING",
		"where": {"kind": "Chip", "related": {"predicate": "processNode", "to": ["node-3nm"]}}}}`), nil, 50, "")
	if !slices.Contains(pageKeys(p), "tsmc") {
		t.Errorf("foundries with a 3 nm chip: %v, want tsmc among them", pageKeys(p))
	}
	// Companies whose chips TSMC makes, but not Nvidia.
	with := filterPage(t, e, jsonVal(t, `{"kind": "Company", "related": {"predicate": "designedBy", "direction": "INCOMING",
		"where": {"related": {"predicate": "manufacturedBy", "to": ["tsmc"]}}}}`), nil, 500, "")
	without := filterPage(t, e, jsonVal(t, `{"and": [{"kind": "Company", "related": {"predicate": "designedBy", "direction": "INCOMING",
		"where": {"related": {"predicate": "manufacturedBy", "to": ["tsmc"]}}}}, {"not": {"key": ["nvidia"]}}]}`), nil, 500, "")
	if !slices.Contains(pageKeys(with), "nvidia") || slices.Contains(pageKeys(without), "nvidia") || without.TotalCount != with.TotalCount-1 {
		t.Errorf("with nvidia %v; without %v", pageKeys(with), pageKeys(without))
	}
	// Or: designed by AMD or Google, released from 2024 on.
	or := filterPage(t, e, jsonVal(t, `{"kind": "Chip", "value": {"predicate": "releaseDate", "gte": {"date": "2024"}},
		"or": [{"related": {"predicate": "designedBy", "to": ["amd"]}}, {"related": {"predicate": "designedBy", "to": ["google"]}}]}`), nil, 500, "")
	amd := filterPage(t, e, jsonVal(t, `{"kind": "Chip", "value": {"predicate": "releaseDate", "gte": {"date": "2024"}}, "related": {"predicate": "designedBy", "to": ["amd"]}}`), nil, 500, "")
	google := filterPage(t, e, jsonVal(t, `{"kind": "Chip", "value": {"predicate": "releaseDate", "gte": {"date": "2024"}}, "related": {"predicate": "designedBy", "to": ["google"]}}`), nil, 500, "")
	if or.TotalCount == 0 || or.TotalCount != amd.TotalCount+google.TotalCount {
		t.Errorf("amd or google: %d, want %d + %d", or.TotalCount, amd.TotalCount, google.TotalCount)
	}
}

func TestFilterEntitiesSortAndPages(t *testing.T) {
	e := readEnv(t)
	f := jsonVal(t, `{"kind": "Chip"}`)
	order := jsonVal(t, `[{"predicate": "tdp", "direction": "DESC"}]`)
	all := filterPage(t, e, f, order, 500, "")
	var paged []string
	after := ""
	for {
		p := filterPage(t, e, f, order, 13, after)
		if p.TotalCount != all.TotalCount {
			t.Fatalf("totalCount %d on a page, %d in all", p.TotalCount, all.TotalCount)
		}
		paged = append(paged, pageKeys(p)...)
		if !p.PageInfo.HasNextPage {
			break
		}
		after = p.PageInfo.EndCursor
	}
	if !slices.Equal(paged, pageKeys(all)) {
		t.Fatalf("pages of 13:\n%v\nwant\n%v", paged, pageKeys(all))
	}
	var d struct {
		FilterEntities struct {
			Nodes []struct {
				Key string
				Tdp *struct{ Object struct{ Amount float64 } }
			}
		}
	}
	e.must(t, `{ filterEntities(filter: {kind: Chip}, orderBy: [{predicate: "tdp", direction: DESC}], first: 500) {
		nodes { key ... on Chip { tdp { object { amount } } } } } }`, nil, &d)
	for i := 1; i < len(d.FilterEntities.Nodes); i++ {
		a, b := d.FilterEntities.Nodes[i-1], d.FilterEntities.Nodes[i]
		if (a.Tdp == nil && b.Tdp != nil) || (a.Tdp != nil && b.Tdp != nil && a.Tdp.Object.Amount < b.Tdp.Object.Amount) {
			t.Fatalf("%s before %s in descending TDP order", a.Key, b.Key)
		}
	}
	// A cursor from another order is refused.
	errs := e.do(t, context.Background(), filterQuery, map[string]any{"filter": f, "first": 5, "after": all.PageInfo.EndCursor}, nil)
	if code(errs) != graph.EINVALID {
		t.Errorf("cursor of another order: %+v, want BAD_USER_INPUT", errs)
	}
}

func TestNeighborhoodDepth2(t *testing.T) {
	e := readEnv(t)
	var d struct {
		Neighborhood struct {
			Center    keyOnly
			Truncated bool
			Nodes     []struct {
				Entity keyOnly
				Depth  int
			}
			Edges []struct {
				From, To   keyOnly
				Predicate  string
				Statement  struct{ Key string }
				References []struct{ Source keyOnly }
			}
		}
	}
	e.must(t, `{ neighborhood(key: "apple", depth: 2, limit: 500) {
		center { key } truncated
		nodes { entity { key } depth }
		edges { from { key } to { key } predicate statement { key } references { source { key } } }
	} }`, nil, &d)
	n := d.Neighborhood
	depth := map[string]int{}
	for _, nd := range n.Nodes {
		depth[nd.Entity.Key] = nd.Depth
	}
	if n.Center.Key != "apple" || depth["apple"] != 0 || depth["tsmc"] != 1 || depth["amazon"] != 2 {
		t.Fatalf("center %s, depths %v; want apple 0, tsmc 1, amazon 2", n.Center.Key, depth)
	}
	found := 0
	for _, ed := range n.Edges {
		if _, ok := depth[ed.From.Key]; !ok {
			t.Errorf("edge from %s outside the nodes", ed.From.Key)
		}
		if len(ed.References) == 0 {
			t.Errorf("edge %s has no references", ed.Statement.Key)
		}
		if ed.Predicate == "customerOf" && ed.To.Key == "tsmc" && (ed.From.Key == "apple" || ed.From.Key == "amazon") {
			found++
		}
	}
	if found != 2 {
		t.Errorf("found %d of apple/amazon customerOf tsmc, want 2", found)
	}
	var none struct{ Neighborhood *struct{ Truncated bool } }
	e.must(t, `{ neighborhood(key: "nobody") { truncated } }`, nil, &none)
	if none.Neighborhood != nil {
		t.Errorf("unknown key: %+v, want null", none.Neighborhood)
	}
}

func TestPathAppleToAmazon(t *testing.T) {
	e := readEnv(t)
	var d struct {
		Paths []struct {
			Length int
			Nodes  []keyOnly
			Hops   []struct {
				From, To   keyOnly
				Forward    bool
				Predicate  string
				Statement  struct{ Subject keyOnly }
				References []struct {
					Source keyOnly
					Quote  *string
				}
			}
		}
	}
	e.must(t, `{ paths(from: "apple", to: "amazon", maxHops: 3, first: 10) {
		length nodes { key }
		hops { from { key } to { key } forward predicate
			statement { subject { key } }
			references { source { key } quote } }
	} }`, nil, &d)
	through := false
	for _, p := range d.Paths {
		if p.Length != 2 || p.Nodes[0].Key != "apple" || p.Nodes[2].Key != "amazon" {
			t.Fatalf("path %+v, want apple → ? → amazon", p)
		}
		if p.Nodes[1].Key != "tsmc" {
			continue
		}
		through = true
		h0, h1 := p.Hops[0], p.Hops[1]
		if h0.Predicate != "customerOf" || !h0.Forward || h0.From.Key != "apple" || h0.To.Key != "tsmc" ||
			h1.Predicate != "customerOf" || h1.Forward || h1.From.Key != "tsmc" || h1.To.Key != "amazon" ||
			h1.Statement.Subject.Key != "amazon" {
			t.Errorf("through tsmc: %+v", p.Hops)
		}
		for _, h := range p.Hops {
			if len(h.References) == 0 {
				t.Errorf("hop %s → %s has no references", h.From.Key, h.To.Key)
			}
		}
	}
	if !through {
		t.Errorf("no path through tsmc in %+v", d.Paths)
	}
	// What the benchmark's q5 sends, including from = to.
	for _, vars := range []map[string]any{{"from": "apple", "to": "amazon"}, {"from": "apple", "to": "apple"}} {
		var q5 struct {
			Paths []struct {
				Typename string `json:"__typename"`
			}
		}
		e.must(t, `query Q5($from: String!, $to: String!) { paths(from: $from, to: $to, maxHops: 3, first: 1) { __typename } }`, vars, &q5)
		if len(q5.Paths) != 1 || q5.Paths[0].Typename != "Path" {
			t.Errorf("q5 %v: %+v, want one Path", vars, q5.Paths)
		}
	}
}

func TestAggregateChipsPerFoundry(t *testing.T) {
	e := readEnv(t)
	var d struct {
		Aggregate struct {
			EntityCount int
			TotalCount  int
			Groups      []struct {
				Keys []struct {
					Missing bool
					Entity  *keyOnly
					Display *string
				}
				Count   int
				Metrics []struct {
					Op    string
					Value *float64
					Unit  *string
					Count int
				}
			}
		}
	}
	e.must(t, `{ aggregate(groupBy: [{predicate: "manufacturedBy", skipMissing: true}], orderBy: COUNT, first: 3,
		metrics: [{op: COUNT}, {op: AVG, predicate: "tdp"}, {op: MAX, predicate: "memory", unit: "GB"}]) {
		entityCount totalCount
		groups { keys { missing entity { key } display } count metrics { op value unit count } }
	} }`, nil, &d)
	a := d.Aggregate
	if len(a.Groups) != 3 || a.TotalCount < 3 {
		t.Fatalf("%d groups of %d, want 3 of at least 3", len(a.Groups), a.TotalCount)
	}
	g := a.Groups[0]
	if g.Keys[0].Entity == nil || g.Keys[0].Entity.Key != "tsmc" || *g.Keys[0].Display != "TSMC" || g.Count != 86 || *g.Metrics[0].Value != 86 {
		t.Errorf("first group %+v, want tsmc with 86", g)
	}
	if m := g.Metrics[2]; m.Unit == nil || *m.Unit != "GB" || m.Value == nil || *m.Value <= 0 {
		t.Errorf("max memory %+v, want a value in GB", m)
	}

	// Chips by release year: the counts add up to the chips with a date.
	var y struct {
		Aggregate struct {
			Groups []struct {
				Keys []struct {
					Missing bool
					Value   *struct{ Date string }
				}
				Count int
			}
		}
		FilterEntities struct{ TotalCount int }
	}
	e.must(t, `{ aggregate(filter: {kind: Chip}, groupBy: [{predicate: "releaseDate", datePart: YEAR}]) {
		groups { keys { missing value { date } } count } }
		filterEntities(filter: {kind: Chip, value: {predicate: "releaseDate", gte: {date: "1900"}}}) { totalCount } }`, nil, &y)
	sum, prev := 0, ""
	for _, g := range y.Aggregate.Groups {
		if g.Keys[0].Missing {
			continue
		}
		if d := g.Keys[0].Value.Date; len(d) != 4 || d <= prev {
			t.Errorf("year key %q after %q", d, prev)
		} else {
			prev = d
		}
		sum += g.Count
	}
	if sum != y.FilterEntities.TotalCount || sum == 0 {
		t.Errorf("chips per year add up to %d, want %d", sum, y.FilterEntities.TotalCount)
	}
}

func TestExploreRefused(t *testing.T) {
	e := readEnv(t)
	tests := []struct {
		name, query, code string
	}{
		{"WrongUnit", `{ filterEntities(filter: {value: {predicate: "memory", gte: {amount: 1, unit: "W"}}}) { totalCount } }`, graph.EINVALID},
		{"TwoBoundKinds", `{ filterEntities(filter: {value: {predicate: "memory", gte: {amount: 1, date: "2024"}}}) { totalCount } }`, graph.EINVALID},
		{"UnknownPredicate", `{ filterEntities(filter: {related: {predicate: "makes"}}) { totalCount } }`, graph.EINVALID},
		{"PageTooLarge", `{ filterEntities(first: 100000) { totalCount } }`, graph.ETOOCOMPLEX},
		{"LimitTooLarge", `{ neighborhood(key: "apple", limit: 100000) { truncated } }`, graph.ETOOCOMPLEX},
		{"TooDeep", `{ neighborhood(key: "apple", depth: 9) { truncated } }`, graph.EINVALID},
		{"TooManyHops", `{ paths(from: "apple", to: "amazon", maxHops: 9) { length } }`, graph.EINVALID},
		{"PathFromNobody", `{ paths(from: "nobody", to: "amazon") { length } }`, graph.ENOTFOUND},
		{"SumWithoutPredicate", `{ aggregate(metrics: [{op: SUM}]) { totalCount } }`, graph.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(e.do(t, context.Background(), tc.query, nil, nil)); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
		})
	}
}

// doneAfter is a context whose deadline passes at its second Err call:
// the store's check when a read starts passes, so only the checks made
// during the read's scans can stop it.
type doneAfter struct {
	context.Context
	calls atomic.Int32
}

func (c *doneAfter) Err() error {
	if c.calls.Add(1) > 1 {
		return context.DeadlineExceeded
	}
	return nil
}

// TestExploreTimeout: a deadline that passes while an exploration field
// scans stops the scan, and the request fails with the deadline (which
// the server reports as TIMEOUT).
func TestExploreTimeout(t *testing.T) {
	e := readEnv(t)
	for _, q := range []string{
		`{ filterEntities(filter: {or: [{value: {predicate: "peakPerformance", gte: {amount: 0}}}, {value: {predicate: "peakPerformance", lte: {amount: 0}}},
			{value: {predicate: "tdp", gte: {amount: 0}}}, {value: {predicate: "memory", gte: {amount: 0}}}, {value: {predicate: "releaseDate", gte: {date: "1900"}}}]}) { totalCount } }`,
		`{ neighborhood(key: "tsmc", depth: 3, limit: 500) { truncated } }`,
		`{ aggregate(filter: {value: {predicate: "peakPerformance", gte: {amount: 0}}}, groupBy: [{predicate: "designedBy"}, {predicate: "manufacturedBy"}],
			metrics: [{op: AVG, predicate: "peakPerformance"}, {op: MAX, predicate: "tdp"}, {op: MIN, predicate: "memory"}]) { totalCount } }`,
	} {
		ctx := &doneAfter{Context: context.Background()}
		res := e.sch.Exec(ctx, q, "", nil)
		if len(res.Errors) == 0 || !errors.Is(res.Errors[0], context.DeadlineExceeded) {
			t.Errorf("%s: errors %v, want the deadline", q, res.Errors)
		}
		// One check starts the read; more are the scans'.
		if n := ctx.calls.Load(); n < 3 {
			t.Errorf("%s: the context was checked %d times; the scans never checked it", q, n)
		}
	}
}

// --- N+1: store reads of a two-hop query over 100 chips

// benchChips makes a designer of n chips, each made by TSMC or Samsung.
func benchChips(n int) []graph.Record {
	ref := []graph.Reference{{Source: starter.EpochSourceKey}}
	recs := []graph.Record{{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "n1-designer", Kind: graph.Company, Name: "N+1 Designer"}}}
	for i := range n {
		key := fmt.Sprintf("n1-chip-%03d", i)
		fab := "tsmc"
		if i%3 == 0 {
			fab = "samsung-foundry"
		}
		recs = append(recs,
			graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{Key: key, Kind: graph.Chip, Name: fmt.Sprintf("N1 Chip %d", i)}},
			graph.Record{Type: graph.StatementRecord, Statement: &graph.Statement{Subject: key, Predicate: "designedBy", Object: graph.EntityRef("n1-designer"), References: ref}},
			graph.Record{Type: graph.StatementRecord, Statement: &graph.Statement{Subject: key, Predicate: "manufacturedBy", Object: graph.EntityRef(fab), References: ref}},
		)
	}
	return recs
}

// twoHop is the benchmark's q2: company → chips → manufacturers.
const twoHop = `query Q2($key: String!) {
  company(key: $key) {
    key name
    chips(first: 100) {
      totalCount
      edges { node { key name ... on Chip { manufacturers(first: 3) { nodes { key name } } } } }
    }
  }
}`

// twoHopReads runs q2 once and returns the store reads it took.
func twoHopReads(tb testing.TB, e *exploreEnv, ctx context.Context) uint64 {
	before := e.st.ReadCount()
	var d struct {
		Company struct {
			Chips struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Key           string
						Manufacturers struct{ Nodes []keyOnly }
					}
				}
			}
		}
	}
	if errs := e.do(tb, ctx, twoHop, map[string]any{"key": "n1-designer"}, &d); len(errs) > 0 {
		tb.Fatal(errs)
	}
	if n := len(d.Company.Chips.Edges); n != 100 || d.Company.Chips.TotalCount != 100 {
		tb.Fatalf("%d chips, want 100", n)
	}
	for _, ed := range d.Company.Chips.Edges {
		if len(ed.Node.Manufacturers.Nodes) != 1 {
			tb.Fatalf("%s has %d manufacturers, want 1", ed.Node.Key, len(ed.Node.Manufacturers.Nodes))
		}
	}
	return e.st.ReadCount() - before
}

// BenchmarkTwoHopReads reports the store reads (read transactions) of
// q2 over 100 chips, with the server's per-request loader (batched) and
// without one.
func BenchmarkTwoHopReads(b *testing.B) {
	e := openExploreEnv(b, benchChips(100)...)
	for _, bc := range []struct {
		name string
		ctx  func() context.Context
	}{
		{"loader", func() context.Context { return schema.WithLoader(context.Background()) }},
		{"none", context.Background},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var reads uint64
			for b.Loop() {
				reads += twoHopReads(b, e, bc.ctx())
			}
			b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
		})
	}
}

// TestTwoHopReads logs q2's reads; with the loader they must not grow
// with the number of chips once relation connections use it.
func TestTwoHopReads(t *testing.T) {
	e := openExploreEnv(t, benchChips(100)...)
	with := twoHopReads(t, e, schema.WithLoader(context.Background()))
	without := twoHopReads(t, e, context.Background())
	t.Logf("q2 over 100 chips: %d store reads with the loader, %d without", with, without)
}

// --- benchmarks of the exploration fields on the starter data

func benchQuery(b *testing.B, q string, vars map[string]any) {
	e := openExploreEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := e.sch.Exec(ctx, q, "", vars); len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
	}
}

func BenchmarkGraphQLFilterEntities(b *testing.B) {
	benchQuery(b, `{ filterEntities(filter: {kind: Chip, related: {predicate: "manufacturedBy", to: ["tsmc"]},
		value: {predicate: "memory", gte: {amount: 32, unit: "GB"}}}, orderBy: [{predicate: "releaseDate", direction: DESC}], first: 20) {
		totalCount nodes { key name } } }`, nil)
}

func BenchmarkGraphQLNeighborhood2(b *testing.B) {
	benchQuery(b, `{ neighborhood(key: "apple", depth: 2, limit: 500) {
		nodes { entity { key name } depth } edges { from { key } to { key } predicate statement { key } } } }`, nil)
}

func BenchmarkGraphQLPaths3(b *testing.B) {
	// An entity three hops from apple: the first at depth 3.
	e := openExploreEnv(b)
	var d struct {
		Neighborhood struct {
			Nodes []struct {
				Entity keyOnly
				Depth  int
			}
		}
	}
	e.must(b, `{ neighborhood(key: "apple", depth: 3, limit: 500) { nodes { entity { key } depth } } }`, nil, &d)
	var far []string
	for _, n := range d.Neighborhood.Nodes {
		if n.Depth == 3 {
			far = append(far, n.Entity.Key)
		}
	}
	sort.Strings(far)
	if len(far) == 0 {
		b.Fatal("no entity three hops from apple")
	}
	benchQuery(b, `query($to: String!) { paths(from: "apple", to: $to, maxHops: 3, first: 10) {
		length hops { from { key } to { key } predicate statement { key } } } }`, map[string]any{"to": far[0]})
}
