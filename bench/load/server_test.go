package load_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/bench/load"
	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/server"
	"github.com/chipgraph/chipgraph/store"
)

// TestRunRealServer loads the real service (store, schema and HTTP
// server, in process) holding a small generated dataset with each
// benchmark query, and with their mix: every answer must come without
// error, the checks before each run included.
func TestRunRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a generated dataset")
	}
	ctx := context.Background()
	d := gen.New(gen.Config{Scale: 0.005, Seed: 2})
	var buf bytes.Buffer
	if _, err := d.Generate(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := graph.ReadRecords(&buf, "gen.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir(), &store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Import(ctx, "bench", recs, nil); err != nil {
		t.Fatal(err)
	}
	quiet := log.New(io.Discard, "", 0)
	// Every answer of the compiled executor is checked against
	// graphql-go's (Verify).
	var logged safeBuffer
	sch, err := schema.New(st, schema.Options{Logger: log.New(&logged, "", 0), Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	s := server.NewServer()
	s.Schema, s.Logger = sch, quiet
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	fields, err := load.Fields(ctx, srv.URL+"/graphql")
	if err != nil {
		t.Fatal(err)
	}
	all := load.Queries(d, time.Now()) // after the import
	runs := [][]*load.Query{all}
	for _, q := range all {
		if m := load.Missing(q, func(f string) bool { return fields[f] }); m != "" {
			t.Fatalf("%s: the server lacks %s", q.Name, m)
		}
		runs = append(runs, []*load.Query{q})
	}
	for _, qs := range runs {
		mix := len(qs) > 1
		cfg := load.Config{URL: srv.URL, Clients: 2, Duration: 100 * time.Millisecond, MaxRequests: 40}
		rs, err := load.Run(ctx, cfg, mix, qs)
		if err != nil {
			t.Fatalf("%s: %v", qs[0].Name, err)
		}
		for i, r := range rs {
			// A part of the mix may draw no request.
			if (r.Requests == 0 && i == len(rs)-1) || r.Errors != 0 {
				t.Errorf("%s (mix %v): %d requests, %d errors %q; want some, without errors", r.Query, mix, r.Requests, r.Errors, r.ErrorSample)
			}
		}
	}
	if answered, _ := sch.CompiledStats(); answered == 0 || sch.Mismatches() != 0 {
		t.Errorf("compiled executor: %d answered, %d differed from graphql-go; want some, none\n%s", answered, sch.Mismatches(), logged.String())
	}
}

// safeBuffer is a bytes.Buffer for concurrent writers.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
