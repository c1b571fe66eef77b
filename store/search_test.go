package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// mustStarter opens an in-memory store holding the starter data.
func mustStarter(tb testing.TB) *store.Store {
	tb.Helper()
	s := MustOpen(tb)
	recs, err := starter.Records()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

// hitKey names a hit: "Chip:trainium3", "Claim:<key>", "Source:<key>".
func hitKey(h graph.SearchHit) string {
	switch {
	case h.Entity != nil:
		return string(h.Entity.Kind) + ":" + h.Entity.Key
	case h.Claim != nil:
		return "Claim:" + h.Claim.Key
	}
	return "Source:" + h.Source.Key
}

func hitKeys(p graph.Page[graph.SearchHit]) []string {
	out := make([]string, len(p.Items))
	for i, h := range p.Items {
		out[i] = hitKey(h)
	}
	return out
}

func search(tb testing.TB, s *store.Store, v graph.View, q graph.SearchQuery) graph.Page[graph.SearchHit] {
	tb.Helper()
	p, err := s.Search(context.Background(), v, q)
	if err != nil {
		tb.Fatalf("Search(%q): %v", q.Text, err)
	}
	return p
}

var trainiumChips = []string{"Chip:trainium1", "Chip:trainium2", "Chip:trainium3", "Chip:trainium4"}

// searchTests run against the starter data. first lists the hits that
// must come first, in any order within a group; only, when set, is the
// exact set of hits.
var searchTests = []struct {
	name  string
	q     graph.SearchQuery
	first [][]string
	only  []string
}{
	// The family's whole name first, then the chips whose names it begins.
	{"word", graph.SearchQuery{Text: "trainium"}, [][]string{{"ChipFamily:trainium"}, trainiumChips}, nil},
	// A prefix: the aliases Trn1, Trn2, Trn3.
	{"prefix", graph.SearchQuery{Text: "trn"}, nil, []string{"Chip:trainium1", "Chip:trainium2", "Chip:trainium3"}},
	// Typos: a missing letter, swapped letters.
	{"typo missing letter", graph.SearchQuery{Text: "Trainum"}, [][]string{{"ChipFamily:trainium"}, trainiumChips}, nil},
	{"typo transposition", graph.SearchQuery{Text: "Nvidai"}, [][]string{{"Company:nvidia"}}, nil},
	// Case and accents do not matter.
	{"upper case", graph.SearchQuery{Text: "TSMC"}, [][]string{{"Foundry:tsmc"}}, nil},
	{"mixed case", graph.SearchQuery{Text: "tSmC"}, [][]string{{"Foundry:tsmc"}}, nil},
	{"accents", graph.SearchQuery{Text: "Nvídiâ"}, [][]string{{"Company:nvidia"}}, nil},
	// Kind filters.
	{"claims only", graph.SearchQuery{Text: "capacity", Kinds: []graph.Kind{graph.ClaimKind}}, nil,
		[]string{"Claim:jassy-trainium-capacity-sold-out", "Claim:jassy-trainium4-capacity-committed"}},
	{"sources by title", graph.SearchQuery{Text: "billion market challenge", Kinds: []graph.Kind{graph.SourceResultKind}}, nil,
		[]string{"Source:" + starter.SeedArticleKey}},
	{"chips only", graph.SearchQuery{Text: "trainium", Kinds: []graph.Kind{graph.Chip}}, nil, trainiumChips},
	{"two kinds", graph.SearchQuery{Text: "trainium", Kinds: []graph.Kind{graph.Chip, graph.ChipFamily}}, nil,
		append([]string{"ChipFamily:trainium"}, trainiumChips...)},
	// More matched words rank first: the AWS entity has both in its text.
	{"two words", graph.SearchQuery{Text: "amazon chips"}, [][]string{{"Company:aws", "Claim:jassy-chips-business-run-rate"}}, nil},
	// Short words match whole words only; digits get no typo allowance.
	{"model number", graph.SearchQuery{Text: "Trn4"}, nil, []string{}},
}

func TestSearch(t *testing.T) {
	s := mustStarter(t)
	for _, tt := range searchTests {
		t.Run(tt.name, func(t *testing.T) {
			p := search(t, s, graph.View{}, tt.q)
			got := hitKeys(p)
			if p.Total != len(got) && len(got) < 50 {
				t.Errorf("Total = %d for %d hits", p.Total, len(got))
			}
			if tt.only != nil {
				if !sameSet(got, tt.only) {
					t.Errorf("Search(%q) = %v, want %v", tt.q.Text, got, tt.only)
				}
				return
			}
			i := 0
			for _, group := range tt.first {
				if i+len(group) > len(got) || !sameSet(got[i:i+len(group)], group) {
					t.Fatalf("Search(%q) = %v, want %v first", tt.q.Text, got, tt.first)
				}
				i += len(group)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestSearchMatches(t *testing.T) {
	s := mustStarter(t)
	for _, tt := range []struct {
		query, hit string
		want       graph.SearchMatch
	}{
		{"tsmc", "Foundry:tsmc", graph.SearchMatch{Field: graph.FieldName, Term: "tsmc", Matched: "tsmc", Kind: graph.ExactMatch}},
		{"AWS", "Company:aws", graph.SearchMatch{Field: graph.FieldAlias, Term: "aws", Matched: "aws", Kind: graph.ExactMatch}},
		{"trn", "Chip:trainium3", graph.SearchMatch{Field: graph.FieldAlias, Term: "trn", Matched: "trn3", Kind: graph.PrefixMatch}},
		{"Nvidai", "Company:nvidia", graph.SearchMatch{Field: graph.FieldName, Term: "nvidai", Matched: "nvidia", Kind: graph.FuzzyMatch}},
		{"proprietary", "ChipFamily:trainium", graph.SearchMatch{Field: graph.FieldDescription, Term: "proprietary", Matched: "proprietary", Kind: graph.ExactMatch}},
		{"capacity", "Claim:jassy-trainium-capacity-sold-out", graph.SearchMatch{Field: graph.FieldClaimText, Term: "capacity", Matched: "capacity", Kind: graph.ExactMatch}},
		{"billion", "Source:" + starter.SeedArticleKey, graph.SearchMatch{Field: graph.FieldSourceTitle, Term: "billion", Matched: "billion", Kind: graph.ExactMatch}},
	} {
		p := search(t, s, graph.View{}, graph.SearchQuery{Text: tt.query, First: 1000})
		i := slices.Index(hitKeys(p), tt.hit)
		if i < 0 {
			t.Errorf("Search(%q): no hit %s", tt.query, tt.hit)
			continue
		}
		if !slices.Contains(p.Items[i].Matches, tt.want) {
			t.Errorf("Search(%q) %s matches = %+v, want %+v among them", tt.query, tt.hit, p.Items[i].Matches, tt.want)
		}
	}
}

func TestSearchScore(t *testing.T) {
	s := mustStarter(t)
	p := search(t, s, graph.View{}, graph.SearchQuery{Text: "nvidia", First: 1000})
	if len(p.Items) == 0 || p.Items[0].Score != 1 {
		t.Fatalf("top hit for a whole name scores %v, want 1", p.Items)
	}
	for i := 1; i < len(p.Items); i++ {
		if a, b := p.Items[i-1].Score, p.Items[i].Score; b > a || b <= 0 {
			t.Fatalf("scores not descending in (0, 1]: %v then %v", a, b)
		}
	}
}

func TestSearchPagination(t *testing.T) {
	s := mustStarter(t)
	q := graph.SearchQuery{Text: "nvidia amazon", First: 1000}
	all := search(t, s, graph.View{}, q)
	if all.Total < 20 || all.Total != len(all.Items) || all.HasNext {
		t.Fatalf("one page: %d hits, Total %d, HasNext %v", len(all.Items), all.Total, all.HasNext)
	}
	var paged []string
	q.First = 7
	for {
		p := search(t, s, graph.View{}, q)
		if p.Total != all.Total {
			t.Fatalf("page after %q: Total = %d, want %d", q.After, p.Total, all.Total)
		}
		paged = append(paged, hitKeys(p)...)
		if !p.HasNext {
			break
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	if want := hitKeys(all); !slices.Equal(paged, want) {
		t.Errorf("pages of 7 = %v\nwant %v", paged, want)
	}
	// A write between pages does not move the cursor's position.
	q.After, q.First = "", 5
	p1 := search(t, s, graph.View{}, q)
	if _, err := s.Apply(context.Background(), "test", mustRecords(t,
		`{"type":"entity","key":"nvidia-zz","kind":"Company","name":"Zz Nvidia Amazon"}`)); err != nil {
		t.Fatal(err)
	}
	q.After = p1.Cursors[4]
	p2 := search(t, s, graph.View{}, q)
	if want := hitKeys(all)[5:10]; !slices.Equal(hitKeys(p2), want) {
		t.Errorf("second page after a write = %v, want %v", hitKeys(p2), want)
	}
	if p2.Total != all.Total+1 {
		t.Errorf("Total after a write = %d, want %d", p2.Total, all.Total+1)
	}
}

func TestSearchRefused(t *testing.T) {
	s := mustStarter(t)
	cur := search(t, s, graph.View{}, graph.SearchQuery{Text: "nvidia", First: 1}).Cursors[0]
	for _, tt := range []struct {
		name  string
		q     graph.SearchQuery
		field string
	}{
		{"empty", graph.SearchQuery{Text: " -- "}, "query"},
		{"too many words", graph.SearchQuery{Text: "a b c d e f g h i"}, "query"},
		{"unknown kind", graph.SearchQuery{Text: "nvidia", Kinds: []graph.Kind{"Statement"}}, "kinds"},
		{"malformed cursor", graph.SearchQuery{Text: "nvidia", After: "zz"}, "after"},
		{"cursor of another query", graph.SearchQuery{Text: "tsmc", After: cur}, "after"},
		{"cursor of another filter", graph.SearchQuery{Text: "nvidia", After: cur, Kinds: []graph.Kind{graph.Chip}}, "after"},
	} {
		_, err := s.Search(context.Background(), graph.View{}, tt.q)
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Code != graph.EINVALID || ge.Field != tt.field {
			t.Errorf("%s: err = %v, want BAD_USER_INPUT on %s", tt.name, err, tt.field)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Search(ctx, graph.View{}, graph.SearchQuery{Text: "nvidia"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search: err = %v, want context.Canceled", err)
	}
}

func TestSearchAsOfAndRename(t *testing.T) {
	ctx := context.Background()
	s := mustStarter(t)
	loaded := s.LastChange()
	if _, err := s.Apply(ctx, "test", mustRecords(t,
		`{"type":"entity","key":"jose-perez","kind":"Person","name":"José Pérez","description":"Chief architect of the Zephyrine accelerator."}`)); err != nil {
		t.Fatal(err)
	}
	added := s.LastChange()
	if _, err := s.Apply(ctx, "test", mustRecords(t,
		`{"type":"entity","key":"jose-perez","kind":"Person","name":"José Pérez-Okafor","description":"Chief architect of the Quillon accelerator."}`)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		query string
		v     graph.View
		found bool
	}{
		{"Perez", graph.View{}, true},      // accents folded in the index
		{"PÉREZ", graph.View{}, true},      // and in the query
		{"okafor", graph.View{}, true},     // the new name
		{"quillon", graph.View{}, true},    // the new description
		{"zephyrine", graph.View{}, false}, // the old description, gone now
		{"zephyrine", graph.View{AsOf: added}, true},
		{"okafor", graph.View{AsOf: added}, false},
		{"perez", graph.View{AsOf: loaded}, false},   // before it was added
		{"zephyrin", graph.View{AsOf: added}, true},  // prefix as of then
		{"zephyrene", graph.View{AsOf: added}, true}, // typo as of then
		{"zephyrene", graph.View{}, false},
	} {
		p := search(t, s, tt.v, graph.SearchQuery{Text: tt.query})
		if found := slices.Contains(hitKeys(p), "Person:jose-perez"); found != tt.found {
			t.Errorf("Search(%q) asOf %v: found %v, want %v (hits %v)", tt.query, tt.v.AsOf, found, tt.found, hitKeys(p))
		}
	}
	// The hit decodes the version of the view.
	p := search(t, s, graph.View{AsOf: added}, graph.SearchQuery{Text: "perez", Kinds: []graph.Kind{graph.Person}})
	if len(p.Items) != 1 || p.Items[0].Entity.Name != "José Pérez" {
		t.Errorf("asOf hit = %+v, want the old name", p.Items)
	}
}

func TestSearchRetractedClaim(t *testing.T) {
	ctx := context.Background()
	s := mustStarter(t)
	before := s.LastChange()
	key := "jassy-trainium4-capacity-committed"
	if _, err := s.Apply(ctx, "test", []graph.Record{{Type: graph.RetractRecord, Retract: &graph.Retract{Claim: key, Reason: "test"}}}); err != nil {
		t.Fatal(err)
	}
	q := graph.SearchQuery{Text: "committed", Kinds: []graph.Kind{graph.ClaimKind}}
	if got := hitKeys(search(t, s, graph.View{}, q)); len(got) != 0 {
		t.Errorf("retracted claim still found: %v", got)
	}
	if got := hitKeys(search(t, s, graph.View{AsOf: before}, q)); !slices.Equal(got, []string{"Claim:" + key}) {
		t.Errorf("asOf before the retraction: %v, want the claim", got)
	}
}

// benchChips is the benchmark dataset's scale: 20,000 chips, one family
// in ten named "Tensor …", so "Tensor" matches about 2,000 chip names.
const benchChips = 20000

// benchRecords builds chips in families, each with a name, an alias and a
// description, deterministically.
func benchRecords() []graph.Record {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"Nova", "Apex", "Titan", "Pulse", "Vector", "Quantum", "Fusion", "Neuron", "Photon", "Helix", "Atlas"}
	series := []string{"Core", "Edge", "Scale", "Flow", "Mind", "Forge", "Stream", "Wave", "Spark"}
	uses := []string{"training", "inference", "recommendation", "vision", "language models", "simulation"}
	var recs []graph.Record
	const families = benchChips / 50
	for f := range families {
		name := words[r.IntN(len(words))] + " " + series[r.IntN(len(series))]
		if f%10 == 0 {
			name = "Tensor " + series[r.IntN(len(series))]
		}
		recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{
			Key: fmt.Sprintf("family-%d", f), Kind: graph.ChipFamily, Name: fmt.Sprintf("%s %d", name, f),
			Description: "A family of accelerators for " + uses[r.IntN(len(uses))] + ".",
		}})
		for c := range benchChips / families {
			model := fmt.Sprintf("%c%d", 'A'+r.IntN(26), 100+f*50+c)
			recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{
				Key: fmt.Sprintf("chip-%d-%d", f, c), Kind: graph.Chip, Name: name + " " + model,
				Aliases:     []string{strings.ToLower(model)},
				Description: "An accelerator for " + uses[r.IntN(len(uses))] + " with " + fmt.Sprint(16*(1+r.IntN(12))) + " GB of memory.",
			}})
		}
	}
	return recs
}

// BenchmarkSearch searches 20,000 chips for a word that about 2,000 chip
// names contain: the first page of 20 chips, ranked and counted.
func BenchmarkSearch(b *testing.B) {
	s := MustOpen(b)
	if _, err := s.Import(context.Background(), "bench", benchRecords(), nil); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		q    graph.SearchQuery
	}{
		{"word", graph.SearchQuery{Text: "Tensor", Kinds: []graph.Kind{graph.Chip}, First: 20}},
		{"word/allKinds", graph.SearchQuery{Text: "Tensor", First: 20}},
		{"prefix", graph.SearchQuery{Text: "tens", Kinds: []graph.Kind{graph.Chip}, First: 20}},
		{"typo", graph.SearchQuery{Text: "Tensro", Kinds: []graph.Kind{graph.Chip}, First: 20}},
		{"twoWords", graph.SearchQuery{Text: "tensor stream", Kinds: []graph.Kind{graph.Chip}, First: 20}},
		{"model", graph.SearchQuery{Text: "x1234", First: 20}},
		// The first page without the total, as the GraphQL search asks
		// when totalCount is not selected.
		{"word/noTotal", graph.SearchQuery{Text: "Tensor", Kinds: []graph.Kind{graph.Chip}, First: 20, SkipTotal: true}},
		{"word/allKinds/noTotal", graph.SearchQuery{Text: "Tensor", First: 20, SkipTotal: true}},
		{"prefix/noTotal", graph.SearchQuery{Text: "tens", Kinds: []graph.Kind{graph.Chip}, First: 20, SkipTotal: true}},
		{"typo/noTotal", graph.SearchQuery{Text: "Tensro", Kinds: []graph.Kind{graph.Chip}, First: 20, SkipTotal: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := search(b, s, graph.View{}, bc.q)
			if len(p.Items) == 0 {
				b.Fatalf("Search(%q) found nothing", bc.q.Text)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, graph.View{}, bc.q); err != nil {
					b.Fatal(err)
				}
			}
			if !bc.q.SkipTotal {
				b.ReportMetric(float64(p.Total), "hits")
			}
		})
	}
}

// TestRetractedSourceLeavesSearch: a retracted source is not found by its
// title any more, except as of before the retraction, and comes back when
// it is written again.
func TestRetractedSourceLeavesSearch(t *testing.T) {
	s := MustOpenStarter(t)
	const report = `{"type":"source","key":"tsmc-annual-report","title":"TSMC annual report","kind":"filing","text":"Our customers include Nvidia and Apple."}`
	apply(t, s, "analyst", report)
	q := graph.SearchQuery{Text: "annual report", Kinds: []graph.Kind{graph.SourceResultKind}}
	found := []string{"Source:tsmc-annual-report"}
	if got := hitKeys(search(t, s, graph.View{}, q)); !sameSet(got, found) {
		t.Fatalf("before the retraction: Search(%q) = %v, want %v", q.Text, got, found)
	}
	t0 := s.LastChange()
	apply(t, s, "editor", `{"type":"retract","source":"tsmc-annual-report","reason":"withdrawn"}`)
	if got := hitKeys(search(t, s, graph.View{}, q)); len(got) != 0 {
		t.Errorf("after the retraction: Search(%q) = %v, want none", q.Text, got)
	}
	if got := hitKeys(search(t, s, graph.View{AsOf: t0}, q)); !sameSet(got, found) {
		t.Errorf("as of before the retraction: Search(%q) = %v, want %v", q.Text, got, found)
	}
	apply(t, s, "analyst", report)
	if got := hitKeys(search(t, s, graph.View{}, q)); !sameSet(got, found) {
		t.Errorf("written again: Search(%q) = %v, want %v", q.Text, got, found)
	}
}
