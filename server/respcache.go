package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
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
// when full, about a sixteenth goes (dropping half at a time left the
// cache three quarters full on average): bodies of older generations
// first, then those least recently used (evict).
//
// A body is admitted only the second time its request is seen (seen
// remembers the fingerprints of recent requests): a stream of one-off
// requests, such as reads at ever new asOf instants, would otherwise fill
// the cache with bodies never served again and make the collector work
// for them (measured at scale 1: Q6 cost 2,843 µs of CPU per request
// with such a cache and 1,182 µs without one).
//
// Bodies are kept compressed with S2 (Klauspost's extension of Snappy,
// which Badger already links in), with a dictionary once it is made.
// Answers repeat their keys, names and quotes: the benchmark queries'
// answers shrink 2.2× (Q1) to 4.1× (Q6) without one, so the same bytes
// of heap hold that many more of them. Decoding a Q1
// answer took 0.36-0.41 µs, against 7.5-9.1 µs with compress/flate at
// its fastest level (a throwaway benchmark over 100 answers, 3 runs).
// The bound counts the bytes the entries hold (their capacity).
type respCache struct {
	mu    sync.RWMutex
	max   int64
	total int64
	m     map[[32]byte]cachedBody
	seen  [admitSlots]atomic.Uint64
	// epoch counts evictions. An entry records the epoch it was last put
	// or served in (used), so that eviction can tell how long ago that was.
	epoch uint32
	// dicts holds an S2 dictionary for each of the first documents
	// cached (at most maxDicts), keyed by a hash of the document. Answers
	// to one document share their field names and much of their values
	// (predicates, keys, source titles): over 200 answers of Q6 (8.2 KB on
	// average) a dictionary made from 50 of them took S2's ratio from
	// 4.2 to 6.4, so that the 20,000 chips' answers fit in 32 MiB;
	// encoding 8 KB took 7.7 µs instead of 4.2, decoding 2.6 µs instead
	// of 2.0 (a throwaway benchmark, 3 runs). One dictionary made from
	// the first answers of every document compressed Q6 too little for
	// that (measured: 80% hits, against 100% with Q6's own).
	dicts    map[uint64]*docDict
	maxDicts int
}

// docDict is a document's dictionary, made from the first 64 KiB of its
// answers cached (sample, until then). It is kept for the cache's life;
// an entry holds the dictionary it was compressed with.
type docDict struct {
	dict   atomic.Pointer[s2.Dict]
	sample []byte // guarded by respCache.mu
}

// dictBytes is what a document's dictionary costs: its sample, then the
// dictionary and the table Encode builds (32 KiB). The cache counts it in
// its bound, and makes at most one dictionary per 16 of these in a
// sixteenth of its bound (16 with the default 32 MiB).
const dictBytes = 160 << 10

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
	body []byte   // as form says
	dict *s2.Dict // the dictionary of formDict
	form uint8    // formS2, formDict or formRaw
	used uint32   // the epoch it was last put or served in
}

// How a cached body is stored.
const (
	formS2   = iota // S2-compressed
	formDict        // S2-compressed with its document's dictionary (cachedBody.dict)
	formRaw         // as it is: compressing did not make it smaller
)

func newRespCache(maxBytes int64) *respCache {
	return &respCache{max: maxBytes, m: map[[32]byte]cachedBody{}, dicts: map[uint64]*docDict{},
		maxDicts: int(min(16, maxBytes/16/dictBytes))}
}

// docSeed keys documents in respCache.dicts.
var docSeed = maphash.MakeSeed()

// docHash is the key of a document's dictionary.
func docHash(query string) uint64 { return maphash.String(docSeed, query) }

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
	epoch := c.epoch
	c.mu.RUnlock()
	if !ok || e.gen != gen {
		return buf, false
	}
	if e.used != epoch {
		// First use since the last eviction: the write lock, once per
		// entry and epoch (a run of hits between evictions takes none).
		c.mu.Lock()
		if e, ok := c.m[k]; ok && e.gen == gen {
			e.used = c.epoch
			c.m[k] = e
		}
		c.mu.Unlock()
	}
	if e.form == formRaw {
		return append(buf, e.body...), true
	}
	n, err := s2.DecodedLen(e.body)
	if err != nil {
		return buf, false
	}
	buf = slices.Grow(buf, n)
	dst := buf[len(buf) : len(buf)+n]
	var out []byte
	if e.form == formDict {
		out, err = e.dict.Decode(dst, e.body)
	} else {
		out, err = s2.Decode(dst, e.body)
	}
	if err != nil || len(out) != n {
		return buf, false
	}
	return buf[:len(buf)+n], true
}

// entryBytes is what an entry costs beyond its stored body: its map slot
// (key and value) and the map's overhead.
const entryBytes = 96

// put caches body, an answer to the document doc (docHash) computed at
// generation gen, under k.
func (c *respCache) put(k [32]byte, doc, gen uint64, body []byte) {
	c.mu.RLock()
	dd := c.dicts[doc]
	c.mu.RUnlock()
	// Encode allocates its worst case (more than the body); the entry
	// keeps an exact copy, so that the bound counts what the heap holds.
	bp := bodyBufs.Get().(*[]byte)
	var enc []byte
	e := cachedBody{gen: gen, form: formS2}
	if d := dd.get(); d != nil {
		enc, e.form, e.dict = d.Encode((*bp)[:cap(*bp)], body), formDict, d
	} else {
		enc = s2.Encode((*bp)[:cap(*bp)], body)
	}
	e.body = slices.Clone(enc)
	if len(enc) >= len(body) {
		e = cachedBody{gen: gen, body: slices.Clone(body), form: formRaw}
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
	if old, ok := c.m[k]; ok {
		delete(c.m, k)
		c.total -= int64(cap(old.body)) + entryBytes
	}
	if dd == nil {
		if dd = c.dicts[doc]; dd == nil && len(c.dicts) < c.maxDicts {
			dd = &docDict{}
			c.dicts[doc] = dd
			c.total += dictBytes
		}
	}
	if c.total+size > c.max {
		c.evict(gen, c.total+size-(c.max-c.max/16))
	}
	e.used = c.epoch
	c.m[k] = e
	c.total += size
	if dd != nil && dd.get() == nil {
		// The document's dictionary learns from its first answers.
		dd.sample = append(dd.sample, body[:min(len(body), s2.MaxDictSize-len(dd.sample))]...)
		if len(dd.sample) >= s2.MaxDictSize {
			dd.dict.Store(s2.MakeDict(dd.sample, []byte(`{"data":`)))
			dd.sample = nil
		}
	}
}

// get returns the dictionary, nil while it is learning (or for no docDict).
func (d *docDict) get() *s2.Dict {
	if d == nil {
		return nil
	}
	return d.dict.Load()
}

// evict drops entries until need bytes are free: those of generations
// other than gen first, then the least recently used (by the epoch they
// were last used in). It begins a new epoch. Two passes over the entries:
// one counts bytes by age, one drops everything older than the age that
// frees enough and, of that age, what is still needed (in the map's
// order). Called with c.mu held.
func (c *respCache) evict(gen uint64, need int64) {
	const stale = 255 // the age of another generation's entry
	age := func(e cachedBody) uint32 {
		if e.gen != gen {
			return stale
		}
		return min(c.epoch-e.used, stale-1)
	}
	var byAge [stale + 1]int64
	for _, e := range c.m {
		byAge[age(e)] += int64(cap(e.body)) + entryBytes
	}
	// Drop every age above cut (older bytes), and of age cut what is
	// still needed after them (atCut).
	cut, older := uint32(stale), int64(0)
	for cut > 0 && older+byAge[cut] < need {
		older += byAge[cut]
		cut--
	}
	atCut := need - older
	for key, e := range c.m {
		a := age(e)
		if a < cut || a == cut && atCut <= 0 {
			continue
		}
		delete(c.m, key)
		n := int64(cap(e.body)) + entryBytes
		c.total -= n
		if a == cut {
			atCut -= n
		}
	}
	c.epoch++
}

// bodyBufs holds the buffers bodies are encoded in and decoded into.
var bodyBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody bounds the buffers bodyBufs keeps.
const maxPooledBody = 64 << 10
