package server

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
)

func TestRespCacheStaleGeneration(t *testing.T) {
	c := newRespCache(1 << 20)
	k := [32]byte{1}
	c.put(k, 5, []byte("old"))
	if _, ok := c.get(nil, k, 6); ok {
		t.Errorf("an entry of generation 5 was served at generation 6")
	}
	if b, ok := c.get(nil, k, 5); !ok || string(b) != "old" {
		t.Errorf("get(5) = %q, %v; want old, true", b, ok)
	}
	for i := range 100000 {
		c.put([32]byte{byte(i), byte(i >> 8), byte(i >> 16)}, 5, make([]byte, 100))
	}
	if c.total > c.max {
		t.Errorf("cache holds %d bytes, over its bound %d", c.total, c.max)
	}
}

// TestRespCacheCompresses caches bodies that compress and one that does
// not: each comes back as it went in, appended to the buffer given, and
// the cache counts the bytes it stores.
func TestRespCacheCompresses(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 2000)
	for i := range noise {
		noise[i] = byte(rnd.Uint32())
	}
	answer := []byte(`{"data":{"chip":{"key":"titan-t100","designers":{"edges":[` +
		strings.Repeat(`{"node":{"key":"myros-systems","name":"Myros Systems"},"references":[{"quote":"Myros Systems introduced the Titan T100."}]},`, 20) + `{}]}}}}`)
	for _, tc := range []struct {
		name       string
		body       []byte
		compresses bool
	}{
		{"answer", answer, true},
		{"noise", noise, false},
		{"empty", []byte{}, false},
		{"short", []byte(`{"data":{}}`), false},
	} {
		c := newRespCache(1 << 20)
		k := [32]byte{9}
		c.put(k, 1, tc.body)
		got, ok := c.get([]byte("prefix:"), k, 1)
		if !ok || string(got) != "prefix:"+string(tc.body) {
			t.Errorf("%s: get = %.40q…, %v; want prefix: and the body", tc.name, got, ok)
		}
		e := c.m[k]
		if got, want := len(e.body) < len(tc.body), tc.compresses; got != want {
			t.Errorf("%s: stores %d bytes of %d; smaller = %v, want %v", tc.name, len(e.body), len(tc.body), got, want)
		}
		// The bound counts what the heap holds, and that is about what
		// is stored: S2's encoder allocates its worst case (more than
		// the body), which an entry must not keep.
		if got, want := c.total, int64(cap(e.body))+entryBytes; got != want {
			t.Errorf("%s: the cache counts %d bytes, its entry holds %d", tc.name, got, want)
		}
		if slack := cap(e.body) - len(e.body); slack > len(e.body)/8+8 {
			t.Errorf("%s: the entry holds %d bytes of capacity for %d", tc.name, cap(e.body), len(e.body))
		}
	}
}

type countingRoot struct{ n, failed atomic.Int32 }

func (r *countingRoot) Hits() int32 { return r.n.Add(1) }

// Fails counts its executions and always fails.
func (r *countingRoot) Fails() (*int32, error) {
	r.failed.Add(1)
	return nil, errors.New("always fails")
}

// TestResponseCacheHits counts executions: a query is cached the second
// time it is asked (the admission filter) and answered from the cache
// until the generation changes.
func TestResponseCacheHits(t *testing.T) {
	var gen atomic.Uint64
	s := NewServer()
	s.Schema = graphql.MustParseSchema(`type Query { hits: Int! fails: Int }`, &countingRoot{})
	s.Logger = log.New(io.Discard, "", 0)
	s.Generation = gen.Load
	h := s.Handler()
	post := func(query string) string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+query+`"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Body.String()
	}
	for i, step := range []struct {
		write bool // publish a write first
		want  string
		why   string
	}{
		{false, `"hits":1`, "first sight: executed, not cached"},
		{false, `"hits":2`, "second sight: executed and cached"},
		{false, `"hits":2`, "served from the cache"},
		{true, `"hits":3`, "after a write: executed again"},
		{false, `"hits":3`, "the new answer served from the cache"},
	} {
		if step.write {
			gen.Add(1)
		}
		if got := post("{ hits }"); !strings.Contains(got, step.want) {
			t.Errorf("request %d: got %s, want %s (%s)", i+1, got, step.want, step.why)
		}
	}
}

// TestResponseCacheSkipsErrors: an answer with errors is never cached,
// however often it is asked: every request executes.
func TestResponseCacheSkipsErrors(t *testing.T) {
	root := &countingRoot{}
	s := NewServer()
	s.Schema = graphql.MustParseSchema(`type Query { hits: Int! fails: Int }`, root)
	s.Logger = log.New(io.Discard, "", 0)
	s.Generation = func() uint64 { return 1 }
	h := s.Handler()
	for i := 1; i <= 3; i++ {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ fails }"}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), `"errors"`) {
			t.Errorf("request %d: got %s, want an error", i, w.Body.String())
		}
		if got := root.failed.Load(); got != int32(i) {
			t.Errorf("after request %d: %d executions, want %d (an error answer was served from the cache)", i, got, i)
		}
	}
}

func TestRespCacheAdmit(t *testing.T) {
	c := newRespCache(1 << 20)
	// Fingerprints come from bytes 0-7, slots from bytes 8-15.
	a := [32]byte{0: 1, 8: 1}
	b := [32]byte{0: 2, 8: 2}
	for i, tc := range []struct {
		k    [32]byte
		want bool
	}{{a, false}, {a, true}, {b, false}, {a, true}, {b, true}} {
		if got := c.admit(tc.k); got != tc.want {
			t.Errorf("admit #%d = %v; want %v", i+1, got, tc.want)
		}
	}
}

// TestAppendVariables checks that the cache key's encoding of variables
// is json.Marshal's, which sorts keys, for every kind of value.
func TestAppendVariables(t *testing.T) {
	for _, vars := range []map[string]any{
		nil,
		{},
		{"key": "chip-1"},
		{"b": "2", "a": "1", "c": nil, "d": true, "e": false},
		{"quote": "\"<é>\u2028&\\\n\x01", "ключ": "значение"},
		{"n": 1.5, "s": "x"},
		{"list": []any{"a", 1.0}, "obj": map[string]any{"z": "1", "a": nil}},
		{"1": "a", "2": "b", "3": "c", "4": "d", "5": "e", "6": "f", "7": "g", "8": "h", "9": "i"},
	} {
		want, err := json.Marshal(vars)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendVariables([]byte("prefix"), vars)
		if !ok || string(got) != "prefix"+string(want) {
			t.Errorf("appendVariables(%v) = %s, %v; want prefix%s", vars, got, ok, want)
		}
	}
	// Keys order does not change the cache key; values do.
	a, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"a": "1", "b": "2"}})
	b, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"b": "2", "a": "1"}})
	c, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"a": "1", "b": "3"}})
	d, _ := cacheKey(&params{Query: "q", OperationName: "", Variables: nil})
	e, _ := cacheKey(&params{Query: "q", Variables: map[string]any{}})
	if a != b || a == c || d == e {
		t.Errorf("cache keys: same variables in another order equal %v (want true), other values equal %v (want false), null and {} equal %v (want false)", a == b, a == c, d == e)
	}
}
