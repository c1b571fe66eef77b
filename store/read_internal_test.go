package store

import (
	"context"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

// TestReadBeginsTransactionOnDemand checks that a read begins a Badger
// transaction only when the caches do not answer it, and answers the same
// either way.
func TestReadBeginsTransactionOnDemand(t *testing.T) {
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeHistory(t, s)
	entity := func(key string) func(r *reader) (string, error) {
		return func(r *reader) (string, error) {
			e, err := r.entity(key)
			if e == nil || err != nil {
				return "", err
			}
			return e.Name, nil
		}
	}
	for _, tc := range []struct {
		name  string
		read  func(r *reader) (string, error)
		want  string
		began bool
	}{
		{"nothing read", func(*reader) (string, error) { return "", nil }, "", false},
		{"entity, first read", entity("x1"), "X1", true},
		{"entity, cached", entity("x1"), "X1", false},
		{"missing entity", entity("nobody"), "", true},
		{"other entity, first read", entity("acme"), "Acme", true},
		{"other entity, cached", entity("acme"), "Acme", false},
	} {
		var got string
		var began bool
		err := s.read(context.Background(), graph.View{}, func(r *reader) (err error) {
			got, err = tc.read(r)
			began = r.txn != nil
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want || began != tc.began {
			t.Errorf("%s: got %q, began a transaction %v; want %q, %v", tc.name, got, began, tc.want, tc.began)
		}
	}
}
