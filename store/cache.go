package store

import "sync"

// The record cache (Store.cache) holds decoded record versions by version
// key. A version key never changes meaning (versions are immutable), so
// its entries need no generation; it is a bounded map like the others.

// Read caches that follow the store's generation: the generation goes up
// whenever a write is published (before the new view is), so an entry
// made under the current generation reflects every published write.
// Entries hold raw versions or postings, and every read still filters
// them by its own snapshot, so asOf and validAt reads share them.

// headEntry is the newest version of a record and its recorded time.
type headEntry struct {
	gen uint64
	ts  uint64
	v   any
}

// prefixEntry is every key and value under one index prefix, back to
// back in one byte slice: two pointers per list rather than two per
// entry, so a cache of long lists costs the collector little.
type prefixEntry struct {
	gen  uint64
	data []byte   // key 0, value 0, key 1, value 1, ...
	offs []uint32 // entry i's key is data[offs[2i]:offs[2i+1]], its value data[offs[2i+1]:offs[2i+2]]
}

// add appends one key and value.
func (pe *prefixEntry) add(k, v []byte) {
	if pe.offs == nil {
		pe.offs = []uint32{0}
	}
	pe.data = append(pe.data, k...)
	pe.offs = append(pe.offs, uint32(len(pe.data)))
	pe.data = append(pe.data, v...)
	pe.offs = append(pe.offs, uint32(len(pe.data)))
}

// len is the number of entries.
func (pe *prefixEntry) len() int { return len(pe.offs) / 2 }

// key returns entry i's key; callers must not modify it.
func (pe *prefixEntry) key(i int) []byte {
	return pe.data[pe.offs[2*i]:pe.offs[2*i+1]:pe.offs[2*i+1]]
}

// val returns entry i's value; callers must not modify it.
func (pe *prefixEntry) val(i int) []byte {
	return pe.data[pe.offs[2*i+1]:pe.offs[2*i+2]:pe.offs[2*i+2]]
}

// headRef names a record's head in the head cache: the tag and ID its
// head key holds (keys.go). As a map key it is held in the map's own
// memory, where a string key's bytes are one more pointer to follow and
// one more allocation per entry. Looking up a random one of 200,000
// entries took 493-1,260 ns with such keys and 926-1,527 ns with the
// 10-byte head keys as strings (a throwaway benchmark, 3 runs on the
// shared 2-core machine).
type headRef struct {
	tag byte
	id  uint64
}

// genCache is a map of generation-tagged entries bounded by a total
// size (entries count 1 each unless put says otherwise).
type genCache[K comparable, T any] struct {
	mu    sync.RWMutex
	max   int // total size allowed
	total int
	m     map[K]sized[T]
}

type sized[T any] struct {
	v    T
	size int
}

func newGenCache[K comparable, T any](max int) *genCache[K, T] {
	return &genCache[K, T]{max: max, m: make(map[K]sized[T], 1024)}
}

func (c *genCache[K, T]) get(k K) (T, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	return e.v, ok
}

// put stores v under k; size is its weight against the cache's bound.
// When full, an arbitrary half of the entries goes.
func (c *genCache[K, T]) put(k K, v T, size int) {
	size = max(size, 1)
	c.mu.Lock()
	if c.total+size > c.max {
		for key, e := range c.m {
			delete(c.m, key)
			c.total -= e.size
			if c.total <= c.max/2 {
				break
			}
		}
	}
	if old, ok := c.m[k]; ok {
		c.total -= old.size
	}
	c.m[k] = sized[T]{v, size}
	c.total += size
	c.mu.Unlock()
}

// Bounds of the read caches. A prefix list weighs its number of entries
// (each a key of ~20 bytes and a posting of ~40).
const (
	maxCachedPrefix = 50_000 // the longest index list kept
)

// prefixCacheBudget is the number of entries kept across all cached index
// lists: one per 128 bytes of the record cache (131,072, about 10 MB, for
// the default 16 MiB), at least 10,000. The two caches are sized together
// so that a smaller record cache (serve --record-cache) shrinks both.
func prefixCacheBudget(o *Options) int {
	return max(10_000, rawCacheBytes(o)/128)
}
