package store

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
)

// byteCache is a bounded cache of byte strings that the garbage collector
// does not have to scan: entries live in ring buffers of bytes and are
// found through maps from a 64-bit hash to a position, neither of which
// holds a Go pointer per entry. A read copies the value out. When a ring
// is full, writing wraps around and overwrites its oldest entries (first
// in, first out); an index entry whose bytes were overwritten is detected
// from its lap number and treated as a miss.
//
// It replaces maps of decoded records for the large record families
// (statements, claims): at scale 1 those maps held hundreds of thousands
// of small pointer-rich objects that every collection had to mark.
type byteCache struct {
	seed   maphash.Seed
	shards []cacheShard
	mask   uint64
}

// cacheShard is one lock's worth of the cache.
//
// Entry layout in ring, at a position recorded in idx:
//
//	bytes 0-1   key length (uint16, little-endian)
//	bytes 2-5   value length (uint32, little-endian)
//	bytes 6..   key, then value
//
// idx maps a key's hash to lap<<32 | offset: the entry is intact while it
// was written in the current lap before pos, or in the previous lap at or
// after pos (not yet overwritten).
type cacheShard struct {
	mu   sync.RWMutex
	idx  map[uint64]uint64
	ring []byte
	pos  uint32
	lap  uint32
}

const (
	cacheShards  = 32
	cacheHdr     = 6
	cacheMaxKey  = 1<<16 - 1
	minShardRing = 64 << 10
)

// newByteCache returns a cache of about size bytes in all (at least a
// few megabytes; 0 or less disables it).
func newByteCache(size int) *byteCache {
	c := &byteCache{seed: maphash.MakeSeed()}
	if size <= 0 {
		return c
	}
	per := max(size/cacheShards, minShardRing)
	c.shards = make([]cacheShard, cacheShards)
	c.mask = cacheShards - 1
	for i := range c.shards {
		c.shards[i].idx = make(map[uint64]uint64, 1024)
		c.shards[i].ring = make([]byte, per)
		c.shards[i].lap = 1 // a zero position is never valid
	}
	return c
}

// get appends the value cached under k to dst.
func (c *byteCache) get(dst, k []byte) ([]byte, bool) {
	if c.shards == nil {
		return dst, false
	}
	h := maphash.Bytes(c.seed, k)
	s := &c.shards[h&c.mask]
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.idx[h]
	if !ok || !s.intact(e) {
		return dst, false
	}
	off := uint32(e)
	kl := int(binary.LittleEndian.Uint16(s.ring[off:]))
	vl := int(binary.LittleEndian.Uint32(s.ring[off+2:]))
	p := int(off) + cacheHdr
	if string(s.ring[p:p+kl]) != string(k) {
		return dst, false // another key with the same hash
	}
	return append(dst, s.ring[p+kl:p+kl+vl]...), true
}

// intact reports whether the entry at position e has not been overwritten.
func (s *cacheShard) intact(e uint64) bool {
	lap, off := uint32(e>>32), uint32(e)
	return (lap == s.lap && off < s.pos) || (lap+1 == s.lap && off >= s.pos)
}

// put caches v under k, replacing what k held. Entries larger than an
// eighth of a shard are not cached.
func (c *byteCache) put(k, v []byte) {
	c.putParts(k, v)
}

// putParts caches the concatenation of parts under k.
func (c *byteCache) putParts(k []byte, parts ...[]byte) {
	if c.shards == nil || len(k) > cacheMaxKey {
		return
	}
	vl := 0
	for _, p := range parts {
		vl += len(p)
	}
	h := maphash.Bytes(c.seed, k)
	s := &c.shards[h&c.mask]
	size := cacheHdr + len(k) + vl
	if size > len(s.ring)/8 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if int(s.pos)+size > len(s.ring) {
		s.lap++
		s.pos = 0
		// Entries of two laps ago are gone; drop their index entries so
		// that the map stays the size of what the ring holds.
		for kh, e := range s.idx {
			if !s.intact(e) {
				delete(s.idx, kh)
			}
		}
	}
	off := s.pos
	b := s.ring[off:]
	binary.LittleEndian.PutUint16(b, uint16(len(k)))
	binary.LittleEndian.PutUint32(b[2:], uint32(vl))
	n := cacheHdr + copy(b[cacheHdr:], k)
	for _, p := range parts {
		n += copy(b[n:], p)
	}
	s.pos += uint32(size)
	s.idx[h] = uint64(s.lap)<<32 | uint64(off)
}
