package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
)

// pageRecords makes chips and families whose names, aliases and
// descriptions share a few words, so that searches have many hits of
// equal score, whole-field matches, prefix and typo matches.
func pageRecords(r *rand.Rand, n int, suffix string) []graph.Record {
	words := []string{"Tensor", "Tensors", "Tensar", "Nova", "Novas", "Apex", "Core", "Cores", "Edge", "Stream", "Streem", "Quantum", "Quantums"}
	var recs []graph.Record
	for i := range n {
		name := words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + suffix
		kind := graph.Chip
		if i%7 == 0 {
			kind, name = graph.ChipFamily, words[r.IntN(len(words))] // a one-word name: a whole-field match
		}
		e := &graph.Entity{Key: fmt.Sprintf("page-%d", i), Kind: kind, Name: name,
			Description: "An accelerator for " + words[r.IntN(len(words))] + " work."}
		if r.IntN(3) == 0 {
			e.Aliases = []string{strings.ToLower(words[r.IntN(len(words))]), fmt.Sprintf("x%d %s", i, words[r.IntN(len(words))])}
		}
		recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: e})
	}
	return recs
}

// TestSearchFirstPage checks that the first page of a one-word search
// read without the total (SkipTotal) is the page of the full search: the
// same hits, scores, matches, cursors and HasNext, at every view and kind
// filter.
func TestSearchFirstPage(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	recs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	if _, err := s.Import(ctx, "test", append(recs, pageRecords(r, 300, "")...), nil); err != nil {
		t.Fatal(err)
	}
	loaded := s.LastChange()
	// Rename some entities: the old words stay findable asOf loaded only.
	if _, err := s.Apply(ctx, "test", pageRecords(rand.New(rand.NewPCG(5, 6)), 120, " Zephyr")); err != nil {
		t.Fatal(err)
	}
	views := []graph.View{{}, {AsOf: loaded}}
	kinds := [][]graph.Kind{nil, {graph.Chip}, {graph.ChipFamily, graph.Chip}, {graph.ClaimKind},
		{graph.SourceResultKind}, {graph.Company, graph.SourceResultKind}, {graph.Person}}
	queries := []string{"tensor", "quantum", "quantu", "qantum", "Tensors", "tens", "te", "tensro", "tenser", "nova", "novs", "apex", "core", "cor",
		"edge", "stream", "streem", "strem", "zephyr", "zephir", "x12", "accelerator", "acelerator", "trainium", "trainum",
		"trn", "nvidai", "capacity", "aws", "a", "nothingmatches"}
	checked := 0
	for _, v := range views {
		for _, ks := range kinds {
			for _, text := range queries {
				for _, first := range []int{1, 3, 20, 1000} {
					q := graph.SearchQuery{Text: text, Kinds: ks, First: first}
					want := search(t, s, v, q)
					q.SkipTotal = true
					got := search(t, s, v, q)
					want.Total = 0
					if !reflect.DeepEqual(got, want) {
						t.Errorf("Search(%q, kinds %v, first %d, asOf %v) without total:\n got %v next %v %+v\nwant %v next %v %+v",
							text, ks, first, v.AsOf, hitKeys(got), got.HasNext, got.Items, hitKeys(want), want.HasNext, want.Items)
					}
					if len(want.Items) > 0 {
						checked++
					}
				}
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d searches had hits; the test data does not exercise the ranking", checked)
	}
}
