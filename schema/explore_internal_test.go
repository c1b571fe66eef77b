package schema

import (
	"context"
	"fmt"
	"io"
	"log"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// TestBatchedRelations checks that relations read through the loader are
// those read one entity at a time, and that a page of siblings takes two
// reads (statements, then the far ends) however many siblings it has.
func TestBatchedRelations(t *testing.T) {
	st, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(context.Background(), "starter", recs, nil); err != nil {
		t.Fatal(err)
	}
	r := &root{svc: st, log: log.New(io.Discard, "", 0), maxPage: DefaultMaxPageSize}
	v := graph.View{}
	chips, err := st.FilterEntities(context.Background(), v, graph.EntityQuery{Filter: &graph.EntityFilter{Kind: graph.Chip}, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(chips.Items))
	for i, e := range chips.Items {
		keys[i] = e.Key
	}
	for _, tc := range []struct {
		pred  string
		dir   graph.Direction
		first int32
	}{{"manufacturedBy", graph.Outgoing, 3}, {"designedBy", graph.Outgoing, 50}, {"successorOf", graph.Both, 1}, {"processNode", graph.Outgoing, 0}} {
		t.Run(fmt.Sprint(tc.pred, tc.first), func(t *testing.T) {
			// A document that selects no references: two reads (the
			// pages, then the entities at their far ends).
			ctx := WithDocument(context.Background(), `{ chips { designers { node { key } } } }`)
			registerSiblings(ctx, v, keys)
			before := st.ReadCount()
			got := make([]string, len(chips.Items))
			for i, e := range chips.Items {
				c, ok, err := r.entity(v, e).batchedRelations(ctx, tc.pred, tc.dir, int(tc.first), "")
				if !ok || err != nil {
					t.Fatalf("%s: ok %v, %v", e.Key, ok, err)
				}
				got[i] = describe(c)
			}
			if n := st.ReadCount() - before; n != 2 {
				t.Errorf("%d siblings took %d reads, want 2", len(keys), n)
			}
			for i, e := range chips.Items {
				first := tc.first
				c, err := r.entity(v, e).relations(context.Background(), tc.pred, tc.dir, &first, nil)
				if err != nil {
					t.Fatal(err)
				}
				if want := describe(c); got[i] != want {
					t.Errorf("%s: batched %s, single %s", e.Key, got[i], want)
				}
			}
		})
	}
	t.Run("Statements", func(t *testing.T) {
		ctx := WithLoader(context.Background())
		registerSiblings(ctx, v, keys)
		before := st.ReadCount()
		for _, k := range keys {
			p, ok, err := r.entity(v, &graph.Entity{Key: k}).batchedStatements(ctx, "tdp", graph.Outgoing, 100)
			if !ok || err != nil {
				t.Fatal(ok, err)
			}
			one, err := st.EntityStatements(context.Background(), v, k, graph.EdgeQuery{Predicate: "tdp", First: 100})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(p.Cursors, p.Total) != fmt.Sprint(one.Cursors, one.Total) {
				t.Errorf("%s: batched %v, single %v", k, p.Cursors, one.Cursors)
			}
		}
		if n := st.ReadCount() - before - uint64(len(keys)); n != 1 {
			t.Errorf("batched statements of %d siblings took %d reads, want 1", len(keys), n)
		}
	})
	t.Run("Filtered", func(t *testing.T) {
		tsmc, err := st.Entity(context.Background(), v, "tsmc")
		if err != nil {
			t.Fatal(err)
		}
		first := int32(100)
		kind := "Company"
		c, err := r.entity(v, tsmc).filteredRelations(context.Background(), "customerOf", graph.Incoming, &entityFilterInput{Kind: &kind}, &first, nil)
		if err != nil {
			t.Fatal(err)
		}
		all, err := r.entity(v, tsmc).relations(context.Background(), "customerOf", graph.Incoming, &first, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range all.edges {
			if e.node.e.Kind == graph.Company {
				want = append(want, e.node.e.Key)
			}
		}
		var got []string
		for _, e := range c.edges {
			got = append(got, e.node.e.Key)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || c.total != len(want) || len(want) == 0 {
			t.Errorf("tsmc's company customers: got %v (total %d), want %v", got, c.total, want)
		}
	})
	t.Run("NoLoader", func(t *testing.T) {
		if _, ok, _ := r.entity(v, chips.Items[0]).batchedRelations(context.Background(), "designedBy", graph.Outgoing, 5, ""); ok {
			t.Error("batched without a loader")
		}
	})
}

// describe summarizes a relation connection for comparison.
func describe(c *relationConnection) string {
	s := fmt.Sprintf("total %d next %v:", c.total, c.hasNext)
	for _, e := range c.edges {
		s += " " + e.cursor + "=" + e.node.e.Key + "/" + e.st.s.Key
	}
	return s
}
