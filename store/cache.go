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

// prefixEntry is every key and value under one index prefix.
type prefixEntry struct {
	gen  uint64
	keys [][]byte
	vals [][]byte
}

// genCache is a map of generation-tagged entries bounded by a total
// size (entries count 1 each unless put says otherwise).
type genCache[T any] struct {
	mu    sync.RWMutex
	max   int // total size allowed
	total int
	m     map[string]sized[T]
}

type sized[T any] struct {
	v    T
	size int
}

func newGenCache[T any](max int) *genCache[T] {
	return &genCache[T]{max: max, m: make(map[string]sized[T], 1024)}
}

func (c *genCache[T]) get(k []byte) (T, bool) {
	c.mu.RLock()
	e, ok := c.m[string(k)]
	c.mu.RUnlock()
	return e.v, ok
}

// put stores v under k; size is its weight against the cache's bound.
// When full, an arbitrary half of the entries goes.
func (c *genCache[T]) put(k []byte, v T, size int) {
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
	if old, ok := c.m[string(k)]; ok {
		c.total -= old.size
	}
	c.m[string(k)] = sized[T]{v, size}
	c.total += size
	c.mu.Unlock()
}

// Bounds of the read caches. A prefix list weighs its number of entries
// (each a key of ~20 bytes and a posting of ~40).
const (
	maxCachedPrefix   = 50_000  // the longest index list kept
	prefixCacheBudget = 500_000 // entries across all cached lists (~40 MB at most)
)
