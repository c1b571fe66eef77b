package server

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/klauspost/compress/s2"
)

func TestRespCacheStaleGeneration(t *testing.T) {
	c := newRespCache(1 << 20)
	k := [32]byte{1}
	c.put(k, 0, 5, []byte("old"))
	if _, ok := c.get(nil, k, 6); ok {
		t.Errorf("an entry of generation 5 was served at generation 6")
	}
	if b, ok := c.get(nil, k, 5); !ok || string(b) != "old" {
		t.Errorf("get(5) = %q, %v; want old, true", b, ok)
	}
	for i := range 100000 {
		c.put([32]byte{byte(i), byte(i >> 8), byte(i >> 16)}, 0, 5, make([]byte, 100))
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
		c.put(k, 0, 1, tc.body)
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
	s.Generation = func() (uint64, uint64) { return gen.Load(), 0 }
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
	s.Generation = func() (uint64, uint64) { return 1, 0 }
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
		got, ok := appendVariables([]byte("prefix"), vars, nil)
		if !ok || string(got) != "prefix"+string(want) {
			t.Errorf("appendVariables(%v) = %s, %v; want prefix%s", vars, got, ok, want)
		}
	}
	// Keys order does not change the cache key; values do.
	a, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"a": "1", "b": "2"}}, nil, 0)
	b, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"b": "2", "a": "1"}}, nil, 0)
	c, _ := cacheKey(&params{Query: "q", Variables: map[string]any{"a": "1", "b": "3"}}, nil, 0)
	d, _ := cacheKey(&params{Query: "q", OperationName: "", Variables: nil}, nil, 0)
	e, _ := cacheKey(&params{Query: "q", Variables: map[string]any{}}, nil, 0)
	if a != b || a == c || d == e {
		t.Errorf("cache keys: same variables in another order equal %v (want true), other values equal %v (want false), null and {} equal %v (want false)", a == b, a == c, d == e)
	}
}

// TestCacheKeyAsOf: asOf values at or after the newest change share a key
// (they read the current view); earlier ones, malformed ones, and
// variables used elsewhere too keep their own.
func TestCacheKeyAsOf(t *testing.T) {
	const q = `query Q($key: String!, $asOf: Time!) { entity(key: $key, asOf: $asOf) { key } }`
	const both = `query Q($key: String!, $asOf: Time!) { entity(key: $key, asOf: $asOf, validAt: $asOf) { key } }`
	visible := uint64(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).UnixNano())
	key := func(query, asOf string) [32]byte {
		d := scanDocument(query, 0)
		k, ok := cacheKey(&params{Query: query, Variables: map[string]any{"key": "chip-1", "asOf": asOf}}, &d, visible)
		if !ok {
			t.Fatalf("cacheKey(%q) not cacheable", asOf)
		}
		return k
	}
	at := key(q, "2026-11-27T12:00:00Z")
	for _, tt := range []struct {
		query, asOf string
		same        bool
		why         string
	}{
		{q, "2026-11-27T12:00:00Z", true, "the newest change's instant"},
		{q, "2026-11-27T12:00:00.000000001Z", true, "a nanosecond after"},
		{q, "2026-11-27T13:00:00+01:00", true, "the same instant in another zone"},
		{q, "2027-01-01T00:00:00Z", true, "later"},
		{q, "9999-12-31T23:59:59Z", true, "past what UnixNano represents"},
		{q, "2026-11-27T11:59:59.999999999Z", false, "a nanosecond before: an older view"},
		{q, "1969-01-01T00:00:00Z", false, "before 1970"},
		{q, "2026-11-27 12:00:00", false, "not RFC 3339: the request fails, and must not hit"},
		{q, "!current", false, "the marker itself, as a value"},
		{both, "2027-01-01T00:00:00Z", false, "also used as validAt"},
	} {
		if got := key(tt.query, tt.asOf) == at; got != tt.same {
			t.Errorf("asOf %q (%s): shares the current key got %v, want %v", tt.asOf, tt.why, got, tt.same)
		}
	}
	if key(q, "2027-01-01T00:00:00Z") == key(both, "2027-01-01T00:00:00Z") {
		t.Errorf("different documents share a key")
	}
	// Another key variable: another entry, normalized or not.
	d := scanDocument(q, 0)
	other, _ := cacheKey(&params{Query: q, Variables: map[string]any{"key": "chip-2", "asOf": "2027-01-01T00:00:00Z"}}, &d, visible)
	if other == at {
		t.Errorf("chip-2 shares chip-1's key")
	}
}

type asOfRoot struct {
	n     atomic.Int32
	write func() // called during an execution, when set
}

func (r *asOfRoot) Hits(args struct{ AsOf *graphql.Time }) int32 {
	if r.write != nil {
		r.write()
	}
	return r.n.Add(1)
}

// TestResponseCacheAsOf counts executions of reads asOf: instants at or
// after the newest change share one cached answer, until a write; an
// answer computed while a write was published is not cached.
func TestResponseCacheAsOf(t *testing.T) {
	var gen, visible atomic.Uint64
	change := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	visible.Store(uint64(change.UnixNano()))
	root := &asOfRoot{}
	s := NewServer()
	s.Schema = graphql.MustParseSchema(`scalar Time type Query { hits(asOf: Time): Int! }`, root)
	s.Logger = log.New(io.Discard, "", 0)
	s.Generation = func() (uint64, uint64) { return gen.Load(), visible.Load() }
	h := s.Handler()
	post := func(asOf time.Time) string {
		body := fmt.Sprintf(`{"query":"query($t: Time) { hits(asOf: $t) }","variables":{"t":%q}}`, asOf.Format(time.RFC3339Nano))
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Body.String()
	}
	step := uint64(90 * time.Minute)
	publish := func() {
		gen.Add(1)
		visible.Add(step)
	}
	for i, tt := range []struct {
		asOf  time.Duration // after the first change
		write bool          // publish a write (90 minutes on) first
		race  bool          // publish a write during the execution
		back  bool          // read the generation as it was before the last write
		want  string
		why   string
	}{
		{time.Minute, false, false, false, `"hits":1`, "first sight: executed"},
		{time.Minute, false, false, false, `"hits":2`, "second sight: executed and cached"},
		{time.Hour, false, false, false, `"hits":2`, "a later instant: the current answer, from the cache"},
		{0, false, false, false, `"hits":2`, "the change's own instant: the same"},
		{-time.Second, false, false, false, `"hits":3`, "before the change: an older view, executed"},
		{2 * time.Hour, true, false, false, `"hits":4`, "after a write: executed (and cached: its key was seen)"},
		{3 * time.Hour, false, false, false, `"hits":4`, "from the cache"},
		{time.Hour, false, false, false, `"hits":5`, "before the new change: its own view"},
		{5 * time.Hour, true, true, false, `"hits":6`, "a write published during the execution"},
		// A request that read the generation before that write, and
		// looks its answer up after it: the answer holds the write, so
		// it must not have been cached under the older generation.
		{5 * time.Hour, false, false, true, `"hits":7`, "not cached: executed"},
		{6 * time.Hour, false, false, false, `"hits":8`, "the newest generation: executed and cached"},
		{7 * time.Hour, false, false, false, `"hits":8`, "from the cache"},
	} {
		if tt.write {
			publish()
		}
		root.write = nil
		if tt.race {
			root.write = publish
		}
		if tt.back {
			gen.Add(^uint64(0))
			visible.Add(-step)
		}
		if got := post(change.Add(tt.asOf)); !strings.Contains(got, tt.want) {
			t.Errorf("request %d (asOf change%+v): got %s, want %s (%s)", i+1, tt.asOf, got, tt.want, tt.why)
		}
		if tt.back {
			gen.Add(1)
			visible.Add(step)
		}
	}
}

// TestRespCacheEvictsLeastRecentlyUsed: when the cache is full, bodies of
// older generations go first, then those not served for longest; the ones
// served since the last eviction stay. (Dropping entries in the map's
// order, as the cache once did, keeps each of these with a chance of
// about a half.)
func TestRespCacheEvictsLeastRecentlyUsed(t *testing.T) {
	const size = 1024 + entryBytes // incompressible bodies are kept as they are
	c := newRespCache(64 * size)
	key := func(i int) [32]byte { return sha256.Sum256([]byte(strconv.Itoa(i))) }
	put := func(i int, gen uint64) {
		r := rand.New(rand.NewPCG(uint64(i), 1))
		b := make([]byte, 1024)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		c.put(key(i), 0, gen, b)
	}
	has := func(i int, gen uint64) bool {
		_, ok := c.get(nil, key(i), gen)
		return ok
	}
	for i := range 65 { // the 65th evicts
		put(i, 1)
	}
	if c.epoch != 1 || c.total > c.max {
		t.Fatalf("after 65 puts: epoch %d, %d bytes of %d; want one eviction", c.epoch, c.total, c.max)
	}
	var served []int
	for i := range 16 {
		if has(i, 1) { // served: used in this epoch
			served = append(served, i)
		}
	}
	for i := 100; i < 130; i++ { // several evictions: of 16..64, never served
		put(i, 1)
	}
	for _, i := range served {
		if !has(i, 1) {
			t.Errorf("entry %d, served after the first eviction, was evicted before entries never served", i)
		}
	}
	for i := 100; i < 130; i++ {
		if !has(i, 1) && i > 120 {
			t.Errorf("entry %d, put last, was evicted", i)
		}
	}
	// A new generation: the older one's entries go first, served or not.
	for i := 200; i < 250; i++ {
		put(i, 2)
	}
	for i := 200; i < 250; i++ {
		if !has(i, 2) {
			t.Errorf("entry %d of the current generation was evicted before older generations' entries", i)
		}
	}
	if c.total > c.max {
		t.Errorf("%d bytes cached, bound %d", c.total, c.max)
	}
}

// TestRespCacheDictionary: once 64 KiB of a document's answers are
// cached, a dictionary made from them compresses its next ones, smaller
// than S2 alone; another document learns its own. Bodies stored before
// and after both come back as they went in.
func TestRespCacheDictionary(t *testing.T) {
	c := newRespCache(64 << 20)
	answer := func(i int) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, `{"data":{"entity":{"key":"chip-%d","name":"Chip %d","statements":{"totalCount":20,"nodes":[`, i, i)
		for j := range 20 {
			fmt.Fprintf(&b, `{"key":"st-%08x","predicate":{"name":"designedBy"},"object":{"display":"Company %d"},"references":[{"source":{"key":"src-%d","title":"Report %d on accelerators"},"quote":null,"verified":false}]},`, i*31+j*7919, (i+j)%97, (i*j)%501, (i*j)%501)
		}
		b.WriteString(`{}]}}}}`)
		return []byte(b.String())
	}
	const doc, other = 7, 8
	key := func(i int) [32]byte { return [32]byte{byte(i), byte(i >> 8)} }
	var bodies [][]byte
	for i := 0; c.dicts[doc].get() == nil; i++ {
		if i > 1000 {
			t.Fatal("no dictionary after 1,000 bodies")
		}
		bodies = append(bodies, answer(i))
		c.put(key(i), doc, 1, bodies[i])
		if f := c.m[key(i)].form; f != formS2 {
			t.Fatalf("body %d stored as form %d before the dictionary, want S2 (%d)", i, f, formS2)
		}
	}
	n := len(bodies)
	for i := n; i < n+50; i++ {
		bodies = append(bodies, answer(i))
		c.put(key(i), doc, 1, bodies[i])
		e := c.m[key(i)]
		if e.form != formDict || e.dict != c.dicts[doc].get() {
			t.Fatalf("body %d stored as form %d after the dictionary, want %d with the document's", i, e.form, formDict)
		}
		if plain := s2.Encode(nil, bodies[i]); len(e.body) >= len(plain) {
			t.Errorf("body %d: %d bytes with the dictionary, %d with S2 alone", i, len(e.body), len(plain))
		}
	}
	// Another document: S2 alone until it has its own dictionary.
	c.put(key(1000), other, 1, answer(1000))
	if e := c.m[key(1000)]; e.form != formS2 || c.dicts[other] == nil {
		t.Errorf("another document's first answer: form %d, dictionary %v; want S2 and one learning", e.form, c.dicts[other])
	}
	bodies = append(bodies, make([][]byte, 1000-len(bodies))...)
	bodies = append(bodies, answer(1000))
	for i, want := range bodies {
		if want == nil {
			continue
		}
		if got, ok := c.get([]byte("x"), key(i), 1); !ok || string(got) != "x"+string(want) {
			t.Errorf("body %d came back as %.60q…, %v", i, got, ok)
		}
	}
	if got, want := c.maxDicts, 16; got != want {
		t.Errorf("a 64 MiB cache makes %d dictionaries, want %d", got, want)
	}
	if got := newRespCache(1 << 20).maxDicts; got != 0 {
		t.Errorf("a 1 MiB cache makes %d dictionaries, want none", got)
	}
}

// TestRespCacheConcurrent puts and gets from several goroutines through
// evictions, epochs and dictionaries being made (run it with -race): a
// hit always returns the body put under its key.
func TestRespCacheConcurrent(t *testing.T) {
	c := newRespCache(4 << 20) // one dictionary
	body := func(i int) []byte {
		r := rand.New(rand.NewPCG(uint64(i), 4))
		b := fmt.Appendf(nil, `{"data":{"entity":{"key":"chip-%d","statements":[`, i)
		for range 20 + i%40 {
			b = fmt.Appendf(b, `{"key":"st-%016x","display":"Company %d"},`, r.Uint64(), r.IntN(89))
		}
		return append(b, "{}]}}}"...)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 3))
			for range 3000 {
				i := r.IntN(4000)
				k := sha256.Sum256([]byte(strconv.Itoa(i)))
				if got, ok := c.get(nil, k, 1); ok {
					if want := body(i); string(got) != string(want) {
						t.Errorf("key %d: got %.40q…, want %.40q…", i, got, want)
						return
					}
					continue
				}
				c.put(k, uint64(i%4), 1, body(i))
			}
		})
	}
	wg.Wait()
	if c.total > c.max || c.epoch == 0 || len(c.dicts) == 0 {
		t.Errorf("after the run: %d bytes of %d, %d evictions, %d dictionaries; want within the bound, some of each", c.total, c.max, c.epoch, len(c.dicts))
	}
}
