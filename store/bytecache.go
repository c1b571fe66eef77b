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
// idx is an open-addressing table (linear probing) of slots, each holding
// a key hash's top 31 bits (its tag, with its lowest bit set so that no
// slot in use is zero: zero is empty), the parity of the lap the entry
// was written in and its offset:
//
//	bits 33-63  tag
//	bit  32     lap parity
//	bits 0-31   offset in ring
//
// An entry is intact while it was written in the current lap before pos,
// or in the previous lap at or after pos (not yet overwritten). When the
// ring wraps, the index is rebuilt with the entries of the lap just
// finished alone, so that it holds at most two laps and one bit tells
// them apart. The table has one slot per tag: a put whose key shares
// another's tag replaces it, as the map keyed by hash this replaced did.
//
// A slot is 8 bytes, where a Go map's entry was 16 in a group of 8 behind
// a control word: a lookup reads one cache line of the index. The map's
// lookups (its control-word matching) took 5% of q6's server CPU.
type cacheShard struct {
	mu   sync.RWMutex
	idx  []uint64 // length a power of two, at most half in use
	used int      // slots in use
	ring []byte
	pos  uint32
	lap  uint32
}

const (
	cacheShards  = 32
	cacheHdr     = 6
	cacheMaxKey  = 1<<16 - 1
	minShardRing = 64 << 10
	minIdxSlots  = 1 << 10
	idxTagShift  = 33
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
		c.shards[i].idx = make([]uint64, minIdxSlots)
		c.shards[i].ring = make([]byte, per)
	}
	return c
}

// slotTag is the tag of hash h as it sits in a slot (bits 33-63).
func slotTag(h uint64) uint64 { return (h>>idxTagShift | 1) << idxTagShift }

// find returns the index of the slot holding the tag t (slotTag), or of
// the empty slot where it would go. A slot's first probe comes from the
// tag's bits above its lowest, so that rebuild finds it from the slot.
func (s *cacheShard) find(t uint64) int {
	m := len(s.idx) - 1
	for i := int(t>>(idxTagShift+1)) & m; ; i = (i + 1) & m {
		if e := s.idx[i]; e == 0 || e&^(1<<idxTagShift-1) == t {
			return i
		}
	}
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
	e := s.idx[s.find(slotTag(h))]
	if e == 0 || !s.intact(e) {
		return dst, false
	}
	off := uint32(e)
	kl := int(binary.LittleEndian.Uint16(s.ring[off:]))
	vl := int(binary.LittleEndian.Uint32(s.ring[off+2:]))
	p := int(off) + cacheHdr
	if string(s.ring[p:p+kl]) != string(k) {
		return dst, false // another key with the same tag
	}
	return append(dst, s.ring[p+kl:p+kl+vl]...), true
}

// intact reports whether the entry of slot e has not been overwritten.
func (s *cacheShard) intact(e uint64) bool {
	cur, off := uint32(e>>32)&1 == s.lap&1, uint32(e)
	return (cur && off < s.pos) || (!cur && off >= s.pos)
}

// rebuild moves the intact entries to a new index of n slots.
func (s *cacheShard) rebuild(n int) {
	old := s.idx
	s.idx, s.used = make([]uint64, n), 0
	for _, e := range old {
		if e != 0 && s.intact(e) {
			s.idx[s.find(e&^(1<<idxTagShift-1))] = e
			s.used++
		}
	}
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
		// Entries of two laps ago are gone, and the next lap's would
		// share their parity: keep the last lap's alone.
		s.rebuild(len(s.idx))
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
	t := slotTag(h)
	i := s.find(t)
	if s.idx[i] == 0 {
		if 2*(s.used+1) > len(s.idx) {
			s.rebuild(2 * len(s.idx))
			i = s.find(t)
		}
		s.used++
	}
	s.idx[i] = t | uint64(s.lap&1)<<32 | uint64(off)
}
