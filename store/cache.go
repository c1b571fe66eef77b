package store

import "sync"

// recordCache holds decoded record versions. A version key never changes
// meaning (versions are immutable), so entries need no invalidation; the
// cache only bounds its size, dropping an arbitrary half when full.
type recordCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]any
}

func newRecordCache(max int) *recordCache {
	return &recordCache{max: max, m: make(map[string]any, 1024)}
}

func (c *recordCache) get(k []byte) (any, bool) {
	c.mu.RLock()
	v, ok := c.m[string(k)]
	c.mu.RUnlock()
	return v, ok
}

func (c *recordCache) put(k []byte, v any) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		n := 0
		for key := range c.m {
			delete(c.m, key)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.m[string(k)] = v
	c.mu.Unlock()
}

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
