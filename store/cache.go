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
