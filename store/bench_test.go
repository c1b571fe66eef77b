package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// openStarter returns an in-memory store holding the starter data, and the
// recorded time just after it was loaded.
func openStarter(b *testing.B) *store.Store {
	b.Helper()
	s := MustOpen(b)
	recs, err := starter.Records()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkEntity(b *testing.B) {
	s := openStarter(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Entity(ctx, graph.View{}, "trainium3"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEntityStatements(b *testing.B) {
	s := openStarter(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		v    graph.View
	}{
		{"current", graph.View{}},
		{"asOf", graph.View{AsOf: s.LastChange()}},
		{"validAt", graph.View{ValidAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"asOf+validAt", graph.View{AsOf: s.LastChange(), ValidAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.EntityStatements(ctx, bc.v, "trainium3", graph.EdgeQuery{Predicate: "designedBy"})
				if err != nil || len(p.Items) != 1 {
					b.Fatal(p, err)
				}
			}
		})
	}
}

func BenchmarkIncomingEdges(b *testing.B) {
	s := openStarter(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		v    graph.View
	}{{"current", graph.View{}}, {"asOf", graph.View{AsOf: s.LastChange()}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.EntityStatements(ctx, bc.v, "tsmc", graph.EdgeQuery{Predicate: "manufacturedBy", Direction: graph.Incoming, First: 20})
				if err != nil || len(p.Items) != 20 {
					b.Fatal(p.Total, err)
				}
			}
		})
	}
}

func BenchmarkFindEntities(b *testing.B) {
	s := openStarter(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		es, err := s.FindEntities(ctx, graph.View{}, "Trainium3", false, "", 10)
		if err != nil || len(es) != 1 {
			b.Fatal(es, err)
		}
	}
}

func BenchmarkImportStarter(b *testing.B) {
	recs, err := starter.Records()
	if err != nil {
		b.Fatal(err)
	}
	facts := 0
	for _, r := range recs {
		if r.Type == graph.StatementRecord || r.Type == graph.ClaimRecord {
			facts++
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := store.Open("", &store.Options{InMemory: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(context.Background(), "bench", recs, nil); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(facts)*float64(b.N)/b.Elapsed().Seconds(), "facts/s")
}
