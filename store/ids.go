package store

import (
	"hash/maphash"
	"sync"
)

// idCache maps committed record keys (a record type and a key) to their
// key entries, so that a read finds a key's id without Badger. Entries
// never change once committed (keys are never deleted or reused), so the
// cache is never invalidated; it holds at most one entry per key read.
//
// It replaced a sync.Map, whose lookups (an interface hash and a walk of
// its trie) were about 7% of the server's CPU under Q1 and Q3 load: a
// plain map per shard, behind a read lock, is cheaper to read, and a
// lookup builds its map key on the stack.
type idCache struct {
	seed   maphash.Seed
	shards [idShards]idShard
}

const idShards = 64

type idShard struct {
	mu sync.RWMutex
	m  map[string]keyEntry // string(rtype)+key
	_  [24]byte            // keep shards on separate cache lines
}

func newIDCache() *idCache {
	c := &idCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = map[string]keyEntry{}
	}
	return c
}

func (c *idCache) shard(key string) *idShard {
	return &c.shards[maphash.String(c.seed, key)%idShards]
}

// get returns the entry of key of record type rtype.
func (c *idCache) get(rtype byte, key string) (keyEntry, bool) {
	var buf [128]byte
	k := append(append(buf[:0], rtype), key...) // on the stack for keys up to 127 bytes
	sh := c.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[string(k)]
	sh.mu.RUnlock()
	return e, ok
}

// put records the entry of key of record type rtype.
func (c *idCache) put(rtype byte, key string, e keyEntry) {
	sh := c.shard(key)
	sh.mu.Lock()
	sh.m[string(append([]byte{rtype}, key...))] = e
	sh.mu.Unlock()
}
