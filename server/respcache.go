package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/chipgraph/chipgraph/graph"
)

// respCache keeps the bodies of successful query responses, keyed by the
// request (document, operation name, variables) and tagged with the data
// generation they were computed at. A write publishes a new generation, so
// a body computed before it is never served after it. Bounded by bytes;
// when full, an arbitrary sixteenth goes (dropping half at a time left
// the cache three quarters full on average).
//
// A body is admitted only the second time its request is seen (seen
// remembers the fingerprints of recent requests): a stream of one-off
// requests, such as reads at ever new asOf instants, would otherwise fill
// the cache with bodies never served again and make the collector work
// for them (measured at scale 1: Q6 cost 2,843 µs of CPU per request
// with such a cache and 1,182 µs without one).
//
// Bodies are kept compressed with S2 (Klauspost's extension of Snappy,
// which Badger already links in). Answers repeat their keys, names and
// quotes: the benchmark queries' answers shrink 2.2× (Q1) to 4.1× (Q6),
// so the same bytes of heap hold that many more of them. Decoding a Q1
// answer took 0.36-0.41 µs, against 7.5-9.1 µs with compress/flate at
// its fastest level (a throwaway benchmark over 100 answers, 3 runs).
// The bound counts the bytes the entries hold (their capacity).
type respCache struct {
	mu    sync.RWMutex
	max   int64
	total int64
	m     map[[32]byte]cachedBody
	seen  [admitSlots]atomic.Uint64
}

// admitSlots is the size of the admission filter (fingerprints, 8 bytes each).
const admitSlots = 1 << 16

// admit reports whether a body for k should be cached: whether k was
// seen recently. Either way it remembers k.
func (c *respCache) admit(k [32]byte) bool {
	fp := binary.LittleEndian.Uint64(k[:8]) | 1 // never the empty slot's 0
	slot := &c.seen[binary.LittleEndian.Uint64(k[8:16])%admitSlots]
	if slot.Load() == fp {
		return true
	}
	slot.Store(fp)
	return false
}

type cachedBody struct {
	gen  uint64
	body []byte // S2-compressed, unless raw
	raw  bool   // stored as it is: compressing did not make it smaller
}

func newRespCache(maxBytes int64) *respCache {
	return &respCache{max: maxBytes, m: map[[32]byte]cachedBody{}}
}

// cacheKey identifies a request's result: a SHA-256 of the document, the
// operation name and the variables as JSON with sorted keys (so their
// order in the request does not matter).
//
// A variable the document uses only as asOf (docInfo.asOf) whose value is
// at or after visible, the recorded time of the newest change the
// generation shows, is keyed as "current" rather than by its value: such
// a read sees exactly what a current read sees (graph.RecordedNanos), so
// every such instant shares one answer until the next write. Readers who
// ask "as of now" with a fresh timestamp each time (the benchmark's Q6
// does) then share one entry.
func cacheKey(p *params, d *docInfo, visible uint64) ([32]byte, bool) {
	buf := make([]byte, 0, len(p.Query)+len(p.OperationName)+128)
	buf = append(append(buf, p.Query...), 0)
	buf = append(append(buf, p.OperationName...), 0)
	var current func(name, value string) bool
	if d != nil && len(d.asOf) > 0 {
		current = func(name, value string) bool { return d.onlyAsOf(name) && atOrAfter(value, visible) }
	}
	buf, ok := appendVariables(buf, p.Variables, current)
	if !ok {
		return [32]byte{}, false
	}
	return sha256.Sum256(buf), true
}

// currentMark stands in the cache key for an asOf value that reads the
// current view. It is not JSON, so no variable's value encodes as it.
const currentMark = "!current"

// atOrAfter reports whether value is a Time, as the schema's Time scalar
// parses it (graphql.Time: RFC 3339), at or after visible.
func atOrAfter(value string, visible uint64) bool {
	t, err := time.Parse(time.RFC3339, value)
	return err == nil && graph.RecordedNanos(t) >= visible
}

// appendVariables appends vars as json.Marshal encodes them: null for
// nil, keys sorted. Up to 8 variables of strings, booleans and nulls (all
// of the benchmark queries' variables are strings) are written here;
// others by json.Marshal. Here, a string for which current(name, value)
// is true is written as currentMark instead (current may be nil).
func appendVariables(b []byte, vars map[string]any, current func(name, value string) bool) ([]byte, bool) {
	if vars == nil {
		return append(b, "null"...), true
	}
	var keys [8]string
	n := 0
	for k, v := range vars {
		switch v.(type) {
		case string, bool, nil:
		default:
			return appendMarshaled(b, vars)
		}
		if n == len(keys) {
			return appendMarshaled(b, vars)
		}
		keys[n] = k
		n++
	}
	sorted := keys[:n]
	slices.Sort(sorted)
	b = append(b, '{')
	for i, k := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = graph.AppendJSONString(b, k)
		b = append(b, ':')
		switch v := vars[k].(type) {
		case string:
			if current != nil && current(k, v) {
				b = append(b, currentMark...)
			} else {
				b = graph.AppendJSONString(b, v)
			}
		case bool:
			b = strconv.AppendBool(b, v)
		case nil:
			b = append(b, "null"...)
		}
	}
	return append(b, '}'), true
}

func appendMarshaled(b []byte, vars map[string]any) ([]byte, bool) {
	j, err := json.Marshal(vars) // maps marshal with sorted keys
	if err != nil {
		return b, false
	}
	return append(b, j...), true
}

// get appends the body cached for k at generation gen to buf.
func (c *respCache) get(buf []byte, k [32]byte, gen uint64) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || e.gen != gen {
		return buf, false
	}
	if e.raw {
		return append(buf, e.body...), true
	}
	n, err := s2.DecodedLen(e.body)
	if err != nil {
		return buf, false
	}
	buf = slices.Grow(buf, n)
	if out, err := s2.Decode(buf[len(buf):len(buf)+n], e.body); err != nil || len(out) != n {
		return buf, false
	}
	return buf[:len(buf)+n], true
}

// entryBytes is what an entry costs beyond its stored body: its map key,
// generation and slice header.
const entryBytes = 64

// put caches body, computed at generation gen, under k.
func (c *respCache) put(k [32]byte, gen uint64, body []byte) {
	// Encode allocates its worst case (more than the body); the entry
	// keeps an exact copy, so that the bound counts what the heap holds.
	bp := bodyBufs.Get().(*[]byte)
	enc := s2.Encode((*bp)[:cap(*bp)], body)
	e := cachedBody{gen: gen, body: slices.Clone(enc)}
	if len(enc) >= len(body) {
		e = cachedBody{gen: gen, body: slices.Clone(body), raw: true}
	}
	if cap(enc) <= maxPooledBody {
		*bp = enc[:0]
		bodyBufs.Put(bp)
	}
	size := int64(cap(e.body)) + entryBytes
	if size > c.max/16 {
		return // one response may not crowd out the rest
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total+size > c.max {
		for key, old := range c.m {
			delete(c.m, key)
			c.total -= int64(cap(old.body)) + entryBytes
			if c.total <= c.max-c.max/16 {
				break
			}
		}
	}
	if old, ok := c.m[k]; ok {
		c.total -= int64(cap(old.body)) + entryBytes
	}
	c.m[k] = e
	c.total += size
}

// bodyBufs holds the buffers bodies are encoded in and decoded into.
var bodyBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody bounds the buffers bodyBufs keeps.
const maxPooledBody = 64 << 10
