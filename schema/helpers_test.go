package schema_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"sync"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
)

// epoch is the fake clock's first reading: the starter data is recorded
// at this instant, so recorded times in golden files never change.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeClock returns a clock that starts at epoch and moves one second on
// each reading. The store reads it once per write.
func fakeClock() func() time.Time {
	var mu sync.Mutex
	t := epoch.Add(-time.Second)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// env is an in-memory store holding the starter data and a schema over it.
type env struct {
	Store  *store.Store
	Schema *schema.Schema
}

// mustOpen opens an in-memory store on a fake clock, writes the starter
// data (by "starter") and builds the schema over it.
func mustOpen(tb testing.TB) *env {
	tb.Helper()
	s, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	s.Now = fakeClock()
	// Fresh records for every store: writing normalizes records in place,
	// so parallel tests must not share them.
	recs, err := starter.Records()
	if err != nil {
		tb.Fatalf("starter.Records: %v", err)
	}
	// Import, not Apply: the starter data is too large for one transaction.
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		tb.Fatalf("Import(starter): %v", err)
	}
	sc := verifiedSchema(tb, s)
	return &env{Store: s, Schema: sc}
}

// verifiedSchema builds the schema over st with Verify on: every answer
// of the compiled executor is checked against graphql-go's, and the test
// fails at its end if any differed.
func verifiedSchema(tb testing.TB, st *store.Store) *schema.Schema {
	tb.Helper()
	var logged bytes.Buffer
	var mu sync.Mutex
	sc, err := schema.New(st, schema.Options{Verify: true, Logger: log.New(lockedWriter{&mu, &logged}, "", 0)})
	if err != nil {
		tb.Fatalf("schema.New: %v", err)
	}
	tb.Cleanup(func() {
		if n := sc.Mismatches(); n > 0 {
			mu.Lock()
			defer mu.Unlock()
			tb.Errorf("%d compiled answers differed from graphql-go's:\n%s", n, logged.String())
		}
	})
	return sc
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// exec runs query and returns the response as indented JSON.
func (e *env) exec(tb testing.TB, ctx context.Context, query string, vars map[string]any) []byte {
	tb.Helper()
	resp := e.Schema.Exec(ctx, query, "", vars)
	b, err := json.MarshalIndent(resp, "", "  ")
	if err != nil {
		tb.Fatalf("marshal response: %v", err)
	}
	return append(b, '\n')
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// result is a decoded response.
type result struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// run executes query and decodes the response.
func (e *env) run(tb testing.TB, ctx context.Context, query string, vars map[string]any) result {
	tb.Helper()
	var r result
	if err := json.Unmarshal(e.exec(tb, ctx, query, vars), &r); err != nil {
		tb.Fatalf("decode response: %v", err)
	}
	return r
}

// mustData executes query, fails on any error, and decodes data into out.
func (e *env) mustData(tb testing.TB, ctx context.Context, query string, vars map[string]any, out any) {
	tb.Helper()
	r := e.run(tb, ctx, query, vars)
	if len(r.Errors) > 0 {
		tb.Fatalf("query returned errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		tb.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// export returns the store's whole history as NDJSON.
func (e *env) export(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := e.Store.Export(context.Background(), &buf); err != nil {
		tb.Fatalf("Export: %v", err)
	}
	return buf.Bytes()
}

// writer is a context allowed to run mutations, as "tester".
func writer() context.Context { return schema.WithWriter(context.Background(), "tester") }

// addTDPConflict writes a second TDP for Trainium3, from a source of its
// own: a conflict with the starter data's.
func addTDPConflict(t *testing.T, e *env) {
	t.Helper()
	e.mustData(t, writer(), `mutation {
		addSource(input: {key: "trn3-review", title: "Trainium3 review", kind: NEWS_ARTICLE, text: "We measured Trainium3 at 1,000 W under load."}) { key }
		addStatement(input: {subject: "trainium3", predicate: "tdp", object: {amount: 1000, unit: "W"},
			references: [{source: "trn3-review", quote: "Trainium3 at 1,000 W"}]}) { key }
	}`, nil, &struct{}{})
}

// The store is what the schema runs on.
var _ schema.Service = (*store.Store)(nil)
