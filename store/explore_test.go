package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// openExplore opens an in-memory store holding the starter data.
func openExplore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	recs, err := starter.Records()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

// oracle is the starter data read the slow, obvious way (every entity and
// all its statements), to check exploration reads against.
type oracle struct {
	entities map[string]*graph.Entity
	stmts    map[string][]*graph.Statement // by subject key
}

var (
	sharedOnce   sync.Once
	sharedStore  *store.Store
	sharedOracle *oracle
)

// starterStore returns one shared starter store, for tests that only read.
func starterStore(t *testing.T) (*store.Store, *oracle) {
	t.Helper()
	sharedOnce.Do(func() {
		s, err := store.Open("", &store.Options{InMemory: true})
		if err != nil {
			panic(err)
		}
		recs, err := starter.Records()
		if err != nil {
			panic(err)
		}
		if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
			panic(err)
		}
		sharedStore, sharedOracle = s, buildOracle(t, s)
	})
	if sharedOracle == nil {
		t.Fatal("starter store failed to open")
	}
	return sharedStore, sharedOracle
}

func buildOracle(tb testing.TB, s *store.Store) *oracle {
	ctx := context.Background()
	o := &oracle{entities: map[string]*graph.Entity{}, stmts: map[string][]*graph.Statement{}}
	after := ""
	for {
		p, err := s.ListEntities(ctx, graph.View{}, "", after, 1000)
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range p.Items {
			o.entities[e.Key] = e
			sp, err := s.EntityStatements(ctx, graph.View{}, e.Key, graph.EdgeQuery{First: 1000})
			if err != nil {
				tb.Fatal(err)
			}
			o.stmts[e.Key] = sp.Items
		}
		if !p.HasNext {
			return o
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
}

// where returns the sorted keys of entities of kind k (any when "")
// for which keep holds.
func (o *oracle) where(k graph.Kind, keep func(e *graph.Entity) bool) []string {
	var out []string
	for key, e := range o.entities {
		if (k == "" || e.Kind == k) && keep(e) {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// objects returns the entity objects of key's statements of pred.
func (o *oracle) objects(key, pred string) []string {
	var out []string
	for _, st := range o.stmts[key] {
		if st.Predicate == pred && st.Object.Type == graph.EntityValue {
			out = append(out, st.Object.Entity)
		}
	}
	return out
}

// number returns key's value of pred (with the precision qualifier) in canonical units.
func (o *oracle) number(key, pred, precision string) (float64, bool) {
	for _, st := range o.stmts[key] {
		if st.Predicate == pred && (precision == "" || st.Qualifiers.Extra["precision"] == precision) {
			return st.Object.Number()
		}
	}
	return 0, false
}

func keysOf(es []*graph.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}

// filterKeys runs a filter and returns the sorted keys of every match,
// checking that the total agrees.
func filterKeys(t *testing.T, s *store.Store, f *graph.EntityFilter) []string {
	t.Helper()
	p, err := s.FilterEntities(context.Background(), graph.View{}, graph.EntityQuery{Filter: f, First: 1000})
	if err != nil {
		t.Fatalf("FilterEntities: %v", err)
	}
	if p.Total != len(p.Items) || p.HasNext {
		t.Fatalf("FilterEntities: total %d, %d items, hasNext %v", p.Total, len(p.Items), p.HasNext)
	}
	keys := keysOf(p.Items)
	sort.Strings(keys)
	return keys
}

func quantity(amount float64, unit string) *graph.Value {
	v := graph.Quantity(amount, unit)
	return &v
}

func date(s string) *graph.Value {
	v := graph.DateOf(graph.MustDate(s))
	return &v
}

func TestFilterByRelation(t *testing.T) {
	s, o := starterStore(t)
	t.Run("ChipsManufacturedByTSMC", func(t *testing.T) {
		got := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip,
			Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmc"}}})
		want := o.where(graph.Chip, func(e *graph.Entity) bool { return slices.Contains(o.objects(e.Key, "manufacturedBy"), "tsmc") })
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("got %d chips %v, want %d %v", len(got), got, len(want), want)
		}
		// Every kind: 86 statements name TSMC as manufacturer.
		all := filterKeys(t, s, &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmc"}}})
		if len(all) != 86 {
			t.Errorf("entities manufactured by TSMC: got %d, want 86", len(all))
		}
	})
	t.Run("CustomersOfAFoundry", func(t *testing.T) {
		got := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Company,
			Related: &graph.RelationFilter{Predicate: "customerOf", Where: &graph.EntityFilter{Kind: graph.Foundry}}})
		want := o.where(graph.Company, func(e *graph.Entity) bool {
			for _, f := range o.objects(e.Key, "customerOf") {
				if o.entities[f].Kind == graph.Foundry {
					return true
				}
			}
			return false
		})
		if !slices.Equal(got, want) || !slices.Contains(got, "apple") || !slices.Contains(got, "amazon") {
			t.Fatalf("got %v, want %v (with apple and amazon)", got, want)
		}
	})
	t.Run("AnyRelation", func(t *testing.T) {
		got := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Related: &graph.RelationFilter{Predicate: "processNode"}})
		want := o.where(graph.Chip, func(e *graph.Entity) bool { return len(o.objects(e.Key, "processNode")) > 0 })
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

func TestFilterByValueWithUnits(t *testing.T) {
	s, o := starterStore(t)
	byMemory := func(v *graph.Value) []string {
		return filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "memory", Gte: v}})
	}
	gb := byMemory(quantity(96, "GB"))
	want := o.where(graph.Chip, func(e *graph.Entity) bool { n, ok := o.number(e.Key, "memory", ""); return ok && n >= 96e9 })
	if !slices.Equal(gb, want) || len(want) == 0 {
		t.Fatalf("memory >= 96 GB: got %v, want %v", gb, want)
	}
	for _, v := range []*graph.Value{quantity(96e9, "B"), quantity(89.4, "GiB"), quantity(96000, "MB"), quantity(0.096, "TB")} {
		if got := byMemory(v); !slices.Equal(got, gb) {
			t.Errorf("memory >= %s: got %v, want the same as >= 96 GB: %v", v, got, gb)
		}
	}
	if raw := byMemory(quantity(96, "")); len(raw) <= len(gb) {
		t.Errorf("memory >= 96 (bytes) matched %d, want more than the %d of 96 GB", len(raw), len(gb))
	}

	tdp := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "tdp", Lt: quantity(500, "W")}})
	if want := o.where(graph.Chip, func(e *graph.Entity) bool { n, ok := o.number(e.Key, "tdp", ""); return ok && n < 500 }); !slices.Equal(tdp, want) || len(want) == 0 {
		t.Errorf("tdp < 500 W: got %v, want %v", tdp, want)
	}
	if kw := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "tdp", Lt: quantity(0.5, "kW")}}); !slices.Equal(kw, tdp) {
		t.Errorf("tdp < 0.5 kW: got %v, want %v", kw, tdp)
	}

	from2024 := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "releaseDate", Gte: date("2024")}})
	start := graph.MustDate("2024").Start()
	want = o.where(graph.Chip, func(e *graph.Entity) bool {
		for _, st := range o.stmts[e.Key] {
			if st.Predicate == "releaseDate" && !st.Object.Date.Start().Before(start) {
				return true
			}
		}
		return false
	})
	if !slices.Equal(from2024, want) || len(want) == 0 {
		t.Errorf("released from 2024 on: got %v, want %v", from2024, want)
	}
	// Gt 2023 means after the whole of 2023: the same set.
	if gt := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "releaseDate", Gt: date("2023")}}); !slices.Equal(gt, from2024) {
		t.Errorf("released after 2023: got %v, want %v", gt, from2024)
	}

	fp8 := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "peakPerformance", Precision: "FP8", Gte: quantity(1000, "TFLOP/s")}})
	want = o.where(graph.Chip, func(e *graph.Entity) bool { n, ok := o.number(e.Key, "peakPerformance", "FP8"); return ok && n >= 1e15 })
	if !slices.Equal(fp8, want) || len(want) == 0 {
		t.Errorf("FP8 >= 1000 TFLOP/s: got %v, want %v", fp8, want)
	}
}

func TestFilterNested(t *testing.T) {
	s, o := starterStore(t)
	t.Run("CompaniesWhoseChipsTSMCMakes", func(t *testing.T) {
		got := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Company, Related: &graph.RelationFilter{
			Predicate: "designedBy", Direction: graph.Incoming,
			Where: &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmc"}}},
		}})
		set := map[string]bool{}
		for key := range o.entities {
			if slices.Contains(o.objects(key, "manufacturedBy"), "tsmc") {
				for _, d := range o.objects(key, "designedBy") {
					if o.entities[d].Kind == graph.Company {
						set[d] = true
					}
				}
			}
		}
		want := o.where(graph.Company, func(e *graph.Entity) bool { return set[e.Key] })
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("FoundriesWithA3nmChip", func(t *testing.T) {
		got := filterKeys(t, s, &graph.EntityFilter{Kind: graph.Foundry, Related: &graph.RelationFilter{
			Predicate: "manufacturedBy", Direction: graph.Incoming,
			Where: &graph.EntityFilter{Kind: graph.Chip, Related: &graph.RelationFilter{Predicate: "processNode", To: []string{"node-3nm"}}},
		}})
		set := map[string]bool{}
		for key, e := range o.entities {
			if e.Kind == graph.Chip && slices.Contains(o.objects(key, "processNode"), "node-3nm") {
				for _, f := range o.objects(key, "manufacturedBy") {
					set[f] = true
				}
			}
		}
		want := o.where(graph.Foundry, func(e *graph.Entity) bool { return set[e.Key] })
		if !slices.Equal(got, want) || !slices.Contains(got, "tsmc") {
			t.Fatalf("got %v, want %v (with tsmc)", got, want)
		}
	})
}

func TestFilterBoolean(t *testing.T) {
	s, o := starterStore(t)
	byTSMC := &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmc"}}}
	designedBy := func(k string) *graph.EntityFilter {
		return &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "designedBy", To: []string{k}}}
	}
	made := func(e *graph.Entity) bool { return slices.Contains(o.objects(e.Key, "manufacturedBy"), "tsmc") }
	by := func(e *graph.Entity, k string) bool { return slices.Contains(o.objects(e.Key, "designedBy"), k) }
	tests := []struct {
		name string
		f    *graph.EntityFilter
		want []string
	}{
		{"Not", &graph.EntityFilter{Kind: graph.Chip, Not: byTSMC},
			o.where(graph.Chip, func(e *graph.Entity) bool { return !made(e) })},
		{"Or", &graph.EntityFilter{Or: []*graph.EntityFilter{designedBy("nvidia"), designedBy("amd")}},
			o.where("", func(e *graph.Entity) bool { return by(e, "nvidia") || by(e, "amd") })},
		{"AndNotOr", &graph.EntityFilter{Kind: graph.Chip, And: []*graph.EntityFilter{
			{Or: []*graph.EntityFilter{designedBy("nvidia"), designedBy("google")}},
			{Not: &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "tdp", Gte: quantity(400, "W")}}},
		}}, o.where(graph.Chip, func(e *graph.Entity) bool {
			n, ok := o.number(e.Key, "tdp", "")
			return (by(e, "nvidia") || by(e, "google")) && !(ok && n >= 400)
		})},
		{"Keys", &graph.EntityFilter{Keys: []string{"tsmc", "apple", "amazon"}, Not: &graph.EntityFilter{Kind: graph.Foundry}},
			[]string{"amazon", "apple"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := filterKeys(t, s, tc.f); !slices.Equal(got, tc.want) || len(tc.want) == 0 {
				t.Errorf("got %d %v, want %d %v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
}

func TestFilterRefused(t *testing.T) {
	s, _ := starterStore(t)
	deep := &graph.EntityFilter{Kind: graph.Chip}
	for range 40 {
		deep = &graph.EntityFilter{Not: deep}
	}
	tests := []struct {
		name string
		f    *graph.EntityFilter
		sort []graph.EntitySort
		code string
	}{
		{"UnknownPredicate", &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "makes", To: []string{"tsmc"}}}, nil, graph.EINVALID},
		{"LiteralAsRelation", &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "tdp"}}, nil, graph.EINVALID},
		{"UnknownEntity", &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmcc"}}}, nil, graph.EINVALID},
		{"WrongDimension", &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "memory", Gte: quantity(96, "W")}}, nil, graph.EINVALID},
		{"DateForNumber", &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "tdp", Gte: date("2024")}}, nil, graph.EINVALID},
		{"NoBound", &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "tdp"}}, nil, graph.EINVALID},
		{"SortByText", nil, []graph.EntitySort{{Predicate: "chipType"}}, graph.EINVALID},
		{"TooDeep", deep, nil, graph.ETOOCOMPLEX},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.FilterEntities(context.Background(), graph.View{}, graph.EntityQuery{Filter: tc.f, Sort: tc.sort})
			if got := graph.ErrorCode(err); got != tc.code {
				t.Errorf("code %q (%v), want %q", got, err, tc.code)
			}
		})
	}
}

// pageAll reads a filtered list page by page.
func pageAll(t *testing.T, s *store.Store, q graph.EntityQuery, between func(page int)) []string {
	t.Helper()
	var out []string
	for page := 0; ; page++ {
		p, err := s.FilterEntities(context.Background(), graph.View{}, q)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		out = append(out, keysOf(p.Items)...)
		if !p.HasNext {
			return out
		}
		q.After = p.Cursors[len(p.Cursors)-1]
		if between != nil {
			between(page)
		}
	}
}

func TestSortAndPagination(t *testing.T) {
	s, o := starterStore(t)
	chips := &graph.EntityFilter{Kind: graph.Chip}
	t.Run("ByTDPDescending", func(t *testing.T) {
		q := graph.EntityQuery{Filter: chips, Sort: []graph.EntitySort{{Predicate: "tdp", Desc: true}}, First: 1000}
		p, err := s.FilterEntities(context.Background(), graph.View{}, q)
		if err != nil {
			t.Fatal(err)
		}
		keys := keysOf(p.Items)
		// Values descending, missing last; ties in ID order.
		for i := 1; i < len(p.Items); i++ {
			a, aok := o.number(keys[i-1], "tdp", "")
			b, bok := o.number(keys[i], "tdp", "")
			switch {
			case !aok && bok:
				t.Fatalf("%s (no TDP) before %s (%v W)", keys[i-1], keys[i], b)
			case aok && bok && a < b:
				t.Fatalf("%s (%v W) before %s (%v W)", keys[i-1], a, keys[i], b)
			case aok == bok && (a == b || !aok) && p.Items[i-1].ID > p.Items[i].ID:
				t.Fatalf("tie %s, %s not in ID order", keys[i-1], keys[i])
			}
		}
		q.First = 7
		if paged := pageAll(t, s, q, nil); !slices.Equal(paged, keys) {
			t.Fatalf("pages of 7:\n%v\nwant\n%v", paged, keys)
		}
	})
	t.Run("ByKey", func(t *testing.T) {
		got := pageAll(t, s, graph.EntityQuery{Filter: chips, Sort: []graph.EntitySort{{}}, First: 25}, nil)
		want := o.where(graph.Chip, func(*graph.Entity) bool { return true })
		if !slices.Equal(got, want) {
			t.Fatalf("by key: got %v, want %v", got, want)
		}
	})
	t.Run("TwoKeys", func(t *testing.T) {
		q := graph.EntityQuery{Filter: chips, Sort: []graph.EntitySort{{Predicate: "releaseDate", Desc: true}, {Predicate: "memory"}}, First: 1000}
		p, err := s.FilterEntities(context.Background(), graph.View{}, q)
		if err != nil {
			t.Fatal(err)
		}
		q.First = 10
		if got := pageAll(t, s, q, nil); !slices.Equal(got, keysOf(p.Items)) {
			t.Fatalf("pages of 10 differ from one page")
		}
	})
	t.Run("CursorOfAnotherOrder", func(t *testing.T) {
		p, err := s.FilterEntities(context.Background(), graph.View{}, graph.EntityQuery{Filter: chips, First: 2})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.FilterEntities(context.Background(), graph.View{}, graph.EntityQuery{Filter: chips, Sort: []graph.EntitySort{{Predicate: "tdp"}}, After: p.Cursors[1]})
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Fatalf("cursor of another order: %v, want BAD_USER_INPUT", err)
		}
	})
}

// TestPaginationUnderWrites pages through chips by TDP while chips are
// added before and after the cursor: no chip is seen twice or skipped, and
// the one added after the cursor shows up.
func TestPaginationUnderWrites(t *testing.T) {
	s := openExplore(t)
	ctx := context.Background()
	q := graph.EntityQuery{Filter: &graph.EntityFilter{Kind: graph.Chip, Value: &graph.ValueFilter{Predicate: "tdp", Gte: quantity(0, "W")}},
		Sort: []graph.EntitySort{{Predicate: "tdp"}}, First: 1000}
	p, err := s.FilterEntities(ctx, graph.View{}, q)
	if err != nil {
		t.Fatal(err)
	}
	before := keysOf(p.Items)
	addChip := func(key string, watts float64) {
		recs := []graph.Record{
			{Type: graph.EntityRecord, Entity: &graph.Entity{Key: key, Kind: graph.Chip, Name: key}},
			{Type: graph.StatementRecord, Statement: &graph.Statement{Subject: key, Predicate: "tdp", Object: graph.Quantity(watts, "W"),
				References: []graph.Reference{{Source: starter.EpochSourceKey}}}},
		}
		if _, err := s.Apply(ctx, "test", recs); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
	q.First = 10
	got := pageAll(t, s, q, func(page int) {
		if page == 1 {
			addChip("test-cold-chip", 0.001) // sorts before every page read so far
			addChip("test-hot-chip", 1e6)    // sorts after them all
		}
	})
	want := append(slices.Clone(before), "test-hot-chip")
	if !slices.Equal(got, want) {
		t.Fatalf("paged under writes:\n%v\nwant\n%v", got, want)
	}
}

// TestExploreAsOf retracts "apple customerOf tsmc": the current view
// loses it everywhere, a view as of before the retraction keeps it.
func TestExploreAsOf(t *testing.T) {
	s := openExplore(t)
	ctx := context.Background()
	var key string
	sts, err := s.EntityStatements(ctx, graph.View{}, "apple", graph.EdgeQuery{Predicate: "customerOf"})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts.Items {
		if st.Object.Entity == "tsmc" {
			key = st.Key
		}
	}
	if key == "" {
		t.Fatal("no apple customerOf tsmc statement")
	}
	before := graph.View{AsOf: s.LastChange()}
	if _, err := s.Apply(ctx, "test", []graph.Record{{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: key, Reason: "test"}}}); err != nil {
		t.Fatal(err)
	}
	customers := &graph.EntityFilter{Related: &graph.RelationFilter{Predicate: "customerOf", To: []string{"tsmc"}}}
	for _, tc := range []struct {
		name string
		v    graph.View
		want bool
	}{{"Now", graph.View{}, false}, {"AsOf", before, true}} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.FilterEntities(ctx, tc.v, graph.EntityQuery{Filter: customers})
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(keysOf(p.Items), "apple"); got != tc.want {
				t.Errorf("apple among tsmc's customers: %v, want %v", got, tc.want)
			}
			paths, err := s.Paths(ctx, tc.v, graph.PathQuery{From: "apple", To: "tsmc", MaxHops: 1, First: 5})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(paths) > 0; got != tc.want {
				t.Errorf("one-hop path apple → tsmc: %v, want %v", got, tc.want)
			}
			n, err := s.Neighborhood(ctx, tc.v, "apple", graph.TraversalQuery{Depth: 1, Predicates: []string{"customerOf"}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(n.Nodes) == 2; got != tc.want {
				t.Errorf("apple's customerOf neighborhood has %d nodes; tsmc in it %v, want %v", len(n.Nodes), got, tc.want)
			}
			a, err := s.Aggregate(ctx, tc.v, graph.AggregateQuery{Filter: customers})
			if err != nil {
				t.Fatal(err)
			}
			if a.Entities != len(p.Items) {
				t.Errorf("aggregate over %d entities, filter %d", a.Entities, len(p.Items))
			}
		})
	}
}

func TestNeighborhood(t *testing.T) {
	s, o := starterStore(t)
	n, err := s.Neighborhood(context.Background(), graph.View{}, "apple", graph.TraversalQuery{Depth: 2, Direction: graph.Both, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	depth := map[string]int{}
	for _, nd := range n.Nodes {
		depth[nd.Entity.Key] = nd.Depth
	}
	// Independent BFS over the oracle's entity-valued statements.
	adj := map[string][]string{}
	edges := 0
	for key, sts := range o.stmts {
		for _, st := range sts {
			if st.Object.Type == graph.EntityValue {
				adj[key] = append(adj[key], st.Object.Entity)
				adj[st.Object.Entity] = append(adj[st.Object.Entity], key)
			}
		}
	}
	want := map[string]int{"apple": 0}
	frontier := []string{"apple"}
	for d := 1; d <= 2; d++ {
		var next []string
		for _, k := range frontier {
			for _, m := range adj[k] {
				if _, ok := want[m]; !ok {
					want[m] = d
					next = append(next, m)
				}
			}
		}
		frontier = next
	}
	for key, sts := range o.stmts {
		for _, st := range sts {
			_, a := want[key]
			_, b := want[st.Object.Entity]
			if st.Object.Type == graph.EntityValue && a && b {
				edges++
			}
		}
	}
	if fmt.Sprint(depth) != fmt.Sprint(want) {
		t.Fatalf("nodes:\n%v\nwant\n%v", depth, want)
	}
	if depth["tsmc"] != 1 || depth["amazon"] != 2 {
		t.Errorf("tsmc at %d, amazon at %d; want 1 and 2", depth["tsmc"], depth["amazon"])
	}
	if len(n.Edges) != edges || n.Truncated {
		t.Errorf("%d edges (truncated %v), want %d", len(n.Edges), n.Truncated, edges)
	}
	for _, st := range n.Edges {
		if _, ok := depth[st.Subject]; !ok {
			t.Errorf("edge %s from %s outside the nodes", st.Key, st.Subject)
		}
		if _, ok := depth[st.Object.Entity]; !ok {
			t.Errorf("edge %s to %s outside the nodes", st.Key, st.Object.Entity)
		}
	}

	t.Run("Limit", func(t *testing.T) {
		n, err := s.Neighborhood(context.Background(), graph.View{}, "tsmc", graph.TraversalQuery{Depth: 2, Direction: graph.Both, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(n.Nodes) != 10 || !n.Truncated || n.Nodes[0].Entity.Key != "tsmc" {
			t.Fatalf("%d nodes, truncated %v; want 10 starting at tsmc, truncated", len(n.Nodes), n.Truncated)
		}
	})
	t.Run("PredicatesAndDirection", func(t *testing.T) {
		n, err := s.Neighborhood(context.Background(), graph.View{}, "tsmc", graph.TraversalQuery{Depth: 1, Predicates: []string{"customerOf"}, Direction: graph.Incoming, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, nd := range n.Nodes[1:] {
			got = append(got, nd.Entity.Key)
		}
		sort.Strings(got)
		want := o.where("", func(e *graph.Entity) bool { return slices.Contains(o.objects(e.Key, "customerOf"), "tsmc") })
		if !slices.Equal(got, want) {
			t.Fatalf("customers of tsmc: got %v, want %v", got, want)
		}
	})
}

func TestPathsThroughTSMC(t *testing.T) {
	s, _ := starterStore(t)
	paths, err := s.Paths(context.Background(), graph.View{}, graph.PathQuery{From: "apple", To: "amazon", MaxHops: 3, First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no path from apple to amazon")
	}
	through := false
	for _, p := range paths {
		if len(p.Hops) != 2 || len(p.Nodes) != 3 {
			t.Fatalf("path of %d hops, want the shortest, 2", len(p.Hops))
		}
		if p.Nodes[0].Key != "apple" || p.Nodes[2].Key != "amazon" {
			t.Fatalf("path %s → %s", p.Nodes[0].Key, p.Nodes[2].Key)
		}
		for i, h := range p.Hops {
			from, to := h.Statement.Subject, h.Statement.Object.Entity
			if !h.Forward {
				from, to = to, from
			}
			if from != p.Nodes[i].Key || to != p.Nodes[i+1].Key {
				t.Errorf("hop %d: statement %s %s %s does not link %s to %s", i, h.Statement.Subject, h.Statement.Predicate, h.Statement.Object.Entity, p.Nodes[i].Key, p.Nodes[i+1].Key)
			}
			if len(h.Statement.References) == 0 {
				t.Errorf("hop %d has no references", i)
			}
		}
		if p.Nodes[1].Key == "tsmc" {
			through = true
			if p.Hops[0].Statement.Predicate != "customerOf" || !p.Hops[0].Forward || p.Hops[1].Forward {
				t.Errorf("through tsmc: hops %s (forward %v), %s (forward %v); want customerOf forward, customerOf backward",
					p.Hops[0].Statement.Predicate, p.Hops[0].Forward, p.Hops[1].Statement.Predicate, p.Hops[1].Forward)
			}
		}
	}
	if !through {
		t.Errorf("no path through tsmc among %d", len(paths))
	}

	t.Run("Predicates", func(t *testing.T) {
		paths, err := s.Paths(context.Background(), graph.View{}, graph.PathQuery{From: "apple", To: "amazon", MaxHops: 3, Predicates: []string{"designedBy"}, First: 10})
		if err != nil || len(paths) != 0 {
			t.Fatalf("designedBy only: %d paths, %v; want none", len(paths), err)
		}
	})
	t.Run("Same", func(t *testing.T) {
		paths, err := s.Paths(context.Background(), graph.View{}, graph.PathQuery{From: "apple", To: "apple", MaxHops: 3, First: 1})
		if err != nil || len(paths) != 1 || len(paths[0].Hops) != 0 {
			t.Fatalf("apple to apple: %v, %v; want one empty path", paths, err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		_, err := s.Paths(context.Background(), graph.View{}, graph.PathQuery{From: "apple", To: "amazon", MaxHops: 9})
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("maxHops 9: %v, want BAD_USER_INPUT", err)
		}
		_, err = s.Paths(context.Background(), graph.View{}, graph.PathQuery{From: "apple", To: "nobody", MaxHops: 2})
		if graph.ErrorCode(err) != graph.ENOTFOUND {
			t.Errorf("unknown entity: %v, want NOT_FOUND", err)
		}
	})
}

// TestPathsAllShortest checks every shortest path against brute force on
// three-hop pairs.
func TestPathsAllShortest(t *testing.T) {
	s, o := starterStore(t)
	ctx := context.Background()
	n, err := s.Neighborhood(ctx, graph.View{}, "apple", graph.TraversalQuery{Depth: 3, Direction: graph.Both, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Brute force: extend every walk from apple one statement at a time.
	type walk struct {
		at    string
		stmts []string
		seen  map[string]bool
	}
	checked := 0
	for _, nd := range n.Nodes {
		if nd.Depth != 3 || checked >= 5 {
			continue
		}
		checked++
		target := nd.Entity.Key
		walks := []walk{{at: "apple", seen: map[string]bool{"apple": true}}}
		var want []string
		for hop := 1; hop <= 3 && want == nil; hop++ {
			var next []walk
			for _, w := range walks {
				for key, sts := range o.stmts {
					for _, st := range sts {
						if st.Object.Type != graph.EntityValue {
							continue
						}
						other := ""
						switch {
						case key == w.at:
							other = st.Object.Entity
						case st.Object.Entity == w.at:
							other = key
						default:
							continue
						}
						if w.seen[other] {
							continue
						}
						nw := walk{at: other, stmts: append(slices.Clone(w.stmts), st.Key), seen: map[string]bool{other: true}}
						for k := range w.seen {
							nw.seen[k] = true
						}
						if other == target {
							want = append(want, strings.Join(nw.stmts, ","))
						}
						next = append(next, nw)
					}
				}
			}
			walks = next
		}
		paths, err := s.Paths(ctx, graph.View{}, graph.PathQuery{From: "apple", To: target, MaxHops: 3, First: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range paths {
			var ks []string
			for _, h := range p.Hops {
				ks = append(ks, h.Statement.Key)
			}
			got = append(got, strings.Join(ks, ","))
		}
		sort.Strings(got)
		sort.Strings(want)
		if len(want) > 100 {
			want = nil // capped: only check the count
			if len(got) != 100 {
				t.Errorf("apple → %s: %d paths, want the cap of 100", target, len(got))
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("apple → %s:\n got %v\nwant %v", target, got, want)
		}
	}
	if checked == 0 {
		t.Fatal("no entity three hops from apple")
	}
}

func TestAggregateByHand(t *testing.T) {
	s, o := starterStore(t)
	ctx := context.Background()
	t.Run("ChipsPerFoundry", func(t *testing.T) {
		a, err := s.Aggregate(ctx, graph.View{}, graph.AggregateQuery{
			GroupBy: []graph.GroupBy{{Predicate: "manufacturedBy", SkipMissing: true}},
			Metrics: []graph.Metric{{Op: graph.Count}},
			ByCount: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, g := range a.Groups {
			if g.Keys[0].Missing() {
				t.Errorf("a group without a foundry, though SkipMissing is set")
			}
			sum += g.Count
		}
		made := 0
		for key := range o.entities {
			made += len(o.objects(key, "manufacturedBy"))
		}
		if sum != made {
			t.Errorf("groups count %d entities, want one per manufacturedBy statement: %d", sum, made)
		}
		if len(a.Groups) == 0 || a.Groups[0].Keys[0].Entity == nil || a.Groups[0].Keys[0].Entity.Key != "tsmc" {
			t.Fatalf("largest group %+v, want tsmc", a.Groups)
		}
		if g := a.Groups[0]; g.Count != 86 || g.Metrics[0].Value != 86 {
			t.Errorf("tsmc: count %d (metric %v), want 86", g.Count, g.Metrics[0].Value)
		}
	})
	t.Run("AverageTDPByDesignerPerYear", func(t *testing.T) {
		a, err := s.Aggregate(ctx, graph.View{}, graph.AggregateQuery{
			Filter:  &graph.EntityFilter{Kind: graph.Chip},
			GroupBy: []graph.GroupBy{{Predicate: "designedBy"}, {Predicate: "releaseDate", DatePart: graph.DateYear}},
			Metrics: []graph.Metric{{Op: graph.Avg, Predicate: "tdp"}, {Op: graph.Max, Predicate: "tdp", Unit: "kW"}, {Op: graph.Count}},
		})
		if err != nil {
			t.Fatal(err)
		}
		// By hand from the statements: Nvidia's chips per release year.
		type acc struct {
			sum, max float64
			n, count int
		}
		want := map[int]*acc{}
		for key, e := range o.entities {
			if e.Kind != graph.Chip || !slices.Contains(o.objects(key, "designedBy"), "nvidia") {
				continue
			}
			year := 0
			for _, st := range o.stmts[key] {
				if st.Predicate == "releaseDate" {
					year = st.Object.Date.Year
				}
			}
			if year == 0 {
				continue
			}
			if want[year] == nil {
				want[year] = &acc{}
			}
			w := want[year]
			w.count++
			if n, ok := o.number(key, "tdp", ""); ok {
				w.sum += n
				w.n++
				w.max = math.Max(w.max, n)
			}
		}
		found := 0
		for _, g := range a.Groups {
			if g.Keys[0].Entity == nil || g.Keys[0].Entity.Key != "nvidia" || g.Keys[1].Value == nil {
				continue
			}
			found++
			year := g.Keys[1].Value.Date.Year
			w := want[year]
			if w == nil {
				t.Errorf("group nvidia %d not expected", year)
				continue
			}
			if g.Count != w.count || g.Metrics[2].Value != float64(w.count) {
				t.Errorf("nvidia %d: count %d, want %d", year, g.Count, w.count)
			}
			if w.n == 0 {
				if !g.Metrics[0].Null {
					t.Errorf("nvidia %d: avg %v, want null", year, g.Metrics[0].Value)
				}
				continue
			}
			if avg := w.sum / float64(w.n); math.Abs(g.Metrics[0].Value-avg) > 1e-9 || g.Metrics[0].N != w.n {
				t.Errorf("nvidia %d: avg TDP %v over %d, want %v over %d", year, g.Metrics[0].Value, g.Metrics[0].N, avg, w.n)
			}
			if math.Abs(g.Metrics[1].Value-w.max/1000) > 1e-12 {
				t.Errorf("nvidia %d: max TDP %v kW, want %v", year, g.Metrics[1].Value, w.max/1000)
			}
		}
		if found != len(want) || found == 0 {
			t.Errorf("%d nvidia groups, want %d", found, len(want))
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, q := range []graph.AggregateQuery{
			{Metrics: []graph.Metric{{Op: graph.Sum}}},
			{Metrics: []graph.Metric{{Op: graph.Avg, Predicate: "chipType"}}},
			{Metrics: []graph.Metric{{Op: graph.Sum, Predicate: "tdp", Unit: "GB"}}},
			{GroupBy: []graph.GroupBy{{Predicate: "tdp", DatePart: graph.DateYear}}},
		} {
			if _, err := s.Aggregate(ctx, graph.View{}, q); graph.ErrorCode(err) != graph.EINVALID {
				t.Errorf("%+v: %v, want BAD_USER_INPUT", q, err)
			}
		}
	})
}

// doneAfter is a context that reports a passed deadline from its second
// Err call on: the store's check when a read starts passes, and only
// checks made during a scan can stop it.
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

func TestCancellationReachesScans(t *testing.T) {
	s, _ := starterStore(t)
	wide := &graph.EntityFilter{}
	for range 12 {
		wide.Or = append(wide.Or, &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "peakPerformance", Gte: quantity(0, "FLOP/s")}})
	}
	calls := map[string]func(ctx context.Context) error{
		"Filter": func(ctx context.Context) error {
			_, err := s.FilterEntities(ctx, graph.View{}, graph.EntityQuery{Filter: wide})
			return err
		},
		"Neighborhood": func(ctx context.Context) error {
			_, err := s.Neighborhood(ctx, graph.View{}, "tsmc", graph.TraversalQuery{Depth: 3, Direction: graph.Both, Limit: 1000})
			return err
		},
		"Aggregate": func(ctx context.Context) error {
			_, err := s.Aggregate(ctx, graph.View{}, graph.AggregateQuery{Filter: wide, GroupBy: []graph.GroupBy{{Predicate: "designedBy"}}})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(context.Background()); err != nil {
				t.Fatalf("without a deadline: %v", err)
			}
			ctx := &doneAfter{Context: context.Background()}
			err := call(ctx)
			if graph.ErrorCode(err) != graph.ETIMEOUT {
				t.Fatalf("got %v, want TIMEOUT", err)
			}
			if ctx.calls.Load() < 2 {
				t.Fatalf("the scan never checked the context")
			}
		})
	}
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
		defer cancel()
		<-ctx.Done()
		if _, err := s.Paths(ctx, graph.View{}, graph.PathQuery{From: "apple", To: "amazon", MaxHops: 3}); graph.ErrorCode(err) != graph.ETIMEOUT {
			t.Fatalf("got %v, want TIMEOUT", err)
		}
	})
}

func TestEntityStatementsBatch(t *testing.T) {
	s, _ := starterStore(t)
	ctx := context.Background()
	chips, err := s.FilterEntities(ctx, graph.View{}, graph.EntityQuery{Filter: &graph.EntityFilter{Kind: graph.Chip}, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	keys := append(keysOf(chips.Items), "no-such-chip")
	q := graph.EdgeQuery{Predicate: "manufacturedBy", First: 3}
	before := s.ReadCount()
	pages, err := s.EntityStatementsBatch(ctx, graph.View{}, keys, q)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.ReadCount() - before; n != 1 {
		t.Errorf("batch of %d took %d reads, want 1", len(keys), n)
	}
	for i, k := range keys[:len(keys)-1] {
		one, err := s.EntityStatements(ctx, graph.View{}, k, q)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(one.Cursors, one.Total, one.HasNext) != fmt.Sprint(pages[i].Cursors, pages[i].Total, pages[i].HasNext) {
			t.Errorf("%s: batch page %v, single %v", k, pages[i], one)
		}
	}
	if last := pages[len(pages)-1]; len(last.Items) != 0 {
		t.Errorf("unknown key: %v, want an empty page", last)
	}
}

func TestEntityStatementsWhere(t *testing.T) {
	s, o := starterStore(t)
	ctx := context.Background()
	where := &graph.EntityFilter{Value: &graph.ValueFilter{Predicate: "memory", Gte: quantity(80, "GB")}}
	q := graph.EdgeQuery{Predicate: "designedBy", Direction: graph.Incoming, First: 3}
	var got []string
	for {
		p, err := s.EntityStatementsWhere(ctx, graph.View{}, "nvidia", q, where)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.Items {
			got = append(got, st.Subject)
		}
		if !p.HasNext {
			if p.Total != len(got) {
				t.Errorf("total %d, %d read", p.Total, len(got))
			}
			break
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	sort.Strings(got)
	want := o.where("", func(e *graph.Entity) bool {
		n, ok := o.number(e.Key, "memory", "")
		return slices.Contains(o.objects(e.Key, "designedBy"), "nvidia") && ok && n >= 80e9
	})
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("nvidia's chips with >= 80 GB: got %v, want %v", got, want)
	}
	if _, err := s.EntityStatementsWhere(ctx, graph.View{}, "nobody", q, where); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("unknown entity: %v, want NOT_FOUND", err)
	}
}

// --- benchmarks on the starter data

func BenchmarkFilterEntities(b *testing.B) {
	s := openExplore(b)
	ctx := context.Background()
	q := graph.EntityQuery{
		Filter: &graph.EntityFilter{Kind: graph.Chip,
			Related: &graph.RelationFilter{Predicate: "manufacturedBy", To: []string{"tsmc"}},
			Value:   &graph.ValueFilter{Predicate: "memory", Gte: quantity(32, "GB")}},
		Sort:  []graph.EntitySort{{Predicate: "releaseDate", Desc: true}},
		First: 20,
	}
	b.ReportAllocs()
	for b.Loop() {
		if p, err := s.FilterEntities(ctx, graph.View{}, q); err != nil || len(p.Items) == 0 {
			b.Fatal(p, err)
		}
	}
}

func BenchmarkNeighborhood2(b *testing.B) {
	s := openExplore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if n, err := s.Neighborhood(ctx, graph.View{}, "apple", graph.TraversalQuery{Depth: 2, Direction: graph.Both, Limit: 500}); err != nil || len(n.Nodes) < 3 {
			b.Fatal(n, err)
		}
	}
}

func BenchmarkPaths3(b *testing.B) {
	s := openExplore(b)
	ctx := context.Background()
	n, err := s.Neighborhood(ctx, graph.View{}, "apple", graph.TraversalQuery{Depth: 3, Direction: graph.Both, Limit: 1000})
	if err != nil {
		b.Fatal(err)
	}
	to := ""
	for _, nd := range n.Nodes {
		if nd.Depth == 3 {
			to = nd.Entity.Key
			break
		}
	}
	if to == "" {
		b.Fatal("no entity three hops from apple")
	}
	b.ReportAllocs()
	for b.Loop() {
		if p, err := s.Paths(ctx, graph.View{}, graph.PathQuery{From: "apple", To: to, MaxHops: 3, First: 10}); err != nil || len(p) == 0 || len(p[0].Hops) != 3 {
			b.Fatal(p, err)
		}
	}
}
